#!/usr/bin/env python3
"""Writes the synthetic web recordings behind the page engine's tests.

fixtures/web/page-boxes.rrweb.json: a plain rrweb array (meta, full snapshot,
mouse moves, one mutation) of a 320x240 page with a known layout: four
absolutely placed coloured boxes, a caption and a line of text, all styled
inline so nothing is fetched. At 1.0 s a mutation turns the red box green and
changes the caption; the mouse sits at (200, 150) from 0.5 s.

    box     left top  width height  colour
    red       10  10    100    60   #ff0000  (#00c000 from 1.0 s)
    blue     130  10    100    60   #0000ff
    yellow    10  90     60    60   #ffff00
    black    250 160     60    70   #000000

tests/golden/web-page-boxes.png is the page at 0.5 s (scripts/update-golden.sh
with REELAY_UPDATE_GOLDEN=1 rewrites it through tests/unit/test_page_engine.c).

With --network-probe PORT --out FILE it writes instead a recording whose page
refers to http://127.0.0.1:PORT/ in every way a page can ask for something:
img src and srcset, a stylesheet link, a script, an iframe, CSS url() and
@import, a web font, a video poster, an object, a form action and a link
prefetch. The page engine must make none of these requests.

With --long SECONDS --out FILE it writes the boxes page of a recording that
lasts SECONDS, its red box moved by a mutation every 100 ms and the pointer
moving between them (never idle): most output frames need a new page frame (for tests that must catch a render midway).

With --windows --out FILE it writes PostHog blob lines (["window", event])
of two tabs: window "a" shows the boxes page from 0 s, window "b" a page
that is one blue (#0000ff) 320x240 box from 1.0 s, "a" is active again from
2.0 s and its viewport grows to 400x300 at 2.5 s (its body then shows a
400x300 red (#ff0000) box instead). Pointer moves keep each window active.

With --widgets (--out defaults to fixtures/web/page-widgets.rrweb.json) it
writes a 400x300 page of what real pages hold beyond boxes, each part placed
and coloured so that a few pixels prove it was drawn, recorded the way rrweb
2 records it:

    part                    left top width height  known pixels
    iframe (same-origin)      10  10   180    120  its body #e0ffe0; a block
                                                   at 30,30 80x50 #ff00ff
                                                   (#8000ff from 1.3 s)
    shadow host (div)        210  10   180    120  #ffffff; a shadow block at
                                                   230,30 80x50 #ff8000
    text input                10 145   150     24  empty, "Hello reelay" at 1.0 s
    checkbox                 170 148    18     18  checked at 1.1 s
    select                   195 145    65     24  "Two", "Three" at 1.4 s
    textarea                  10 180   150     50  "Notes" / "line two"
    button                   170 185    90     30  #008000, "Send"
    scrolled div (overflow)  270 150   120     80  stacked 80 px blocks #ffff00,
                                                   #0000ff, #00c000; scrolled
                                                   to y=80 at 1.2 s (blue on top)

The iframe element is in the full snapshot without src or children; its
document comes as rrweb's recorder sends it, a mutation with isAttachIframe
whose node is the iframe's document (parentId the iframe element, every node
in it carrying rootId, the document's id). The shadow host is marked
isShadowHost and its shadow children isShadow; the host also has a light
child (a #ff0000 block at 330,90 50x30) that a real shadow root without a
slot hides, and the page's style sheet has div.inner{background:#ff0000},
which must not reach into the shadow root. The page's <style> is a text
node, the shadow root's a _cssText attribute (as rrweb 2.0.0-alpha.18
records it). Input events (source 5) set the values, a scroll event
(source 3) the div's scrollTop. Pointer moves at 0.5 s and 2.0 s.
tests/golden/web-page-widgets-before.png and -after.png are the page at
0.5 s and 1.5 s (rewritten like web-page-boxes.png).

With --hover --out FILE it writes a 320x240 page whose style sheet (a
<style> text node) has one hover rule, .btn:hover{background:#ff0000}: a
.btn box at 10,10 100x60 #0000ff and a .plain box at 130,10 100x60 #00c000
holding a span. The pointer moves to .plain at 0.5 s, to its span at 1.0 s
(no element a hover rule restyles enters or leaves the hovered chain: no
page frame), onto .btn at 1.5 s (red) and back to .plain at 2.0 s (blue),
and again to .plain at 2.5 s.

Deterministic: re-running gives identical bytes.

Usage: python3 scripts/gen_web_page_fixtures.py [--out FILE]
       python3 scripts/gen_web_page_fixtures.py --widgets [--out FILE]
       python3 scripts/gen_web_page_fixtures.py --network-probe PORT --out FILE
       python3 scripts/gen_web_page_fixtures.py --long SECONDS --out FILE
       python3 scripts/gen_web_page_fixtures.py --windows --out FILE
       python3 scripts/gen_web_page_fixtures.py --hover --out FILE
"""

import argparse
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = 1718003600000
W, H = 320, 240


class Ids:
    def __init__(self):
        self.next = 1

    def new(self):
        self.next += 1
        return self.next - 1


def element(ids, tag, attributes=None, children=()):
    return {"type": 2, "tagName": tag, "attributes": attributes or {}, "childNodes": list(children), "id": ids.new()}


def text(ids, value):
    return {"type": 3, "textContent": value, "id": ids.new()}


def document(ids, head_children, body_children, body_style):
    doc_id = ids.new()
    doctype = {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": ids.new()}
    head = element(ids, "head", {}, head_children)
    body = element(ids, "body", {"style": body_style}, body_children)
    html = element(ids, "html", {}, [head, body])
    return {"type": 0, "childNodes": [doctype, html], "id": doc_id}


def box(ids, left, top, width, height, colour, extra=""):
    style = "position:absolute;left:%dpx;top:%dpx;width:%dpx;height:%dpx;background:%s;%s" % (
        left, top, width, height, colour, extra)
    return element(ids, "div", {"style": style})


def boxes_recording():
    ids = Ids()
    red = box(ids, 10, 10, 100, 60, "#ff0000")
    caption = text(ids, "Boxes")
    caption_el = element(ids, "div", {"style": "position:absolute;left:130px;top:90px;font:bold 20px sans-serif;color:#202020"},
                         [caption])
    line = element(ids, "p", {"style": "position:absolute;left:10px;top:200px;margin:0;font:14px sans-serif;color:#000080"},
                   [text(ids, "reelay page engine")])
    body_children = [red, box(ids, 130, 10, 100, 60, "#0000ff"), box(ids, 10, 90, 60, 60, "#ffff00"),
                     box(ids, 250, 160, 60, 70, "#000000"), caption_el, line]
    doc = document(ids, [element(ids, "title", {}, [text(ids, "Boxes")])], body_children,
                   "margin:0;background:#f0f0f0")
    return [
        {"type": 4, "data": {"href": "https://example.test/boxes", "width": W, "height": H}, "timestamp": T0},
        {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": T0 + 10},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 200, "y": 150, "id": 1, "timeOffset": 0}]},
         "timestamp": T0 + 500},
        {"type": 3, "data": {"source": 0, "texts": [{"id": caption["id"], "value": "Changed"}],
                             "attributes": [{"id": red["id"], "attributes": {
                                 "style": "position:absolute;left:10px;top:10px;width:100px;height:60px;background:#00c000;"}}],
                             "removes": [], "adds": []},
         "timestamp": T0 + 1000},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 210, "y": 150, "id": 1, "timeOffset": 0}]},
         "timestamp": T0 + 2000},
    ]


def hover_recording():
    ids = Ids()
    sheet = (".btn{position:absolute;left:10px;top:10px;width:100px;height:60px;background:#0000ff}"
             ".btn:hover{background:#ff0000}"
             ".plain{position:absolute;left:130px;top:10px;width:100px;height:60px;background:#00c000}")
    style = element(ids, "style", {}, [dict(text(ids, sheet), isStyle=True)])
    button = element(ids, "div", {"class": "btn"})
    span = element(ids, "span", {}, [text(ids, "plain")])
    plain = element(ids, "div", {"class": "plain"}, [span])
    doc = document(ids, [style], [button, plain], "margin:0;background:#f0f0f0")

    def move(t, x, target):
        return {"type": 3, "data": {"source": 1, "positions": [{"x": x, "y": 40, "id": target["id"], "timeOffset": 0}]},
                "timestamp": T0 + t}

    return [
        {"type": 4, "data": {"href": "https://example.test/hover", "width": W, "height": H}, "timestamp": T0},
        {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": T0 + 10},
        move(500, 180, plain), move(1000, 150, span), move(1500, 60, button), move(2000, 180, plain),
        move(2500, 190, plain),
    ]


def long_recording(seconds):
    events = boxes_recording()[:3]
    red_id = events[1]["data"]["node"]["childNodes"][1]["childNodes"][1]["childNodes"][0]["id"]
    for step in range(1, int(seconds * 10) + 1):
        left = 10 + (step * 7) % 200
        style = "position:absolute;left:%dpx;top:10px;width:100px;height:60px;background:#ff0000;" % left
        events.append({"type": 3, "data": {"source": 0, "texts": [], "removes": [], "adds": [],
                                           "attributes": [{"id": red_id, "attributes": {"style": style}}]},
                       "timestamp": T0 + 500 + step * 100})
        # the pointer keeps moving: an active session, never idle
        events.append({"type": 3, "data": {"source": 1, "positions": [
            {"x": 150 + step % 50, "y": 150, "id": red_id, "timeOffset": 0}]}, "timestamp": T0 + 550 + step * 100})
    return events


def windows_recording():
    a = boxes_recording()[:2]
    body_a = a[1]["data"]["node"]["childNodes"][1]["childNodes"][1]
    ids = Ids()
    ids.next = 1000
    blue = box(ids, 0, 0, 320, 240, "#0000ff")
    doc_b = document(ids, [element(ids, "title", {}, [text(ids, "Blue")])], [blue], "margin:0")
    big_red = {"parentId": body_a["id"], "nextId": None,
               "node": {"type": 2, "tagName": "div", "childNodes": [], "id": ids.new(), "attributes": {
                   "style": "position:absolute;left:0;top:0;width:400px;height:300px;background:#ff0000"}}}

    def move(t, x, target):
        return {"type": 3, "data": {"source": 1, "positions": [{"x": x, "y": 100, "id": target, "timeOffset": 0}]},
                "timestamp": T0 + t}

    red_id = body_a["childNodes"][0]["id"]
    lines = [("a", e) for e in a]
    lines += [("a", move(t, 100 + t // 100, red_id)) for t in range(100, 1000, 200)]
    lines += [("b", {"type": 4, "data": {"href": "https://example.test/blue", "width": W, "height": H},
                     "timestamp": T0 + 1000}),
              ("b", {"type": 2, "data": {"node": doc_b, "initialOffset": {"left": 0, "top": 0}},
                     "timestamp": T0 + 1001})]
    lines += [("b", move(t, 50 + t // 100, blue["id"])) for t in range(1100, 2000, 200)]
    lines += [("a", move(t, 100 + t // 100, red_id)) for t in range(2000, 2500, 200)]
    lines += [("a", {"type": 3, "data": {"source": 4, "width": 400, "height": 300}, "timestamp": T0 + 2500}),
              ("a", {"type": 3, "data": {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": [big_red]},
                     "timestamp": T0 + 2500})]
    lines += [("a", move(t, 100 + t // 100, red_id)) for t in range(2600, 3600, 200)]
    return lines


def widgets_recording():
    ids = Ids()
    WW, WH = 400, 300

    def at(left, top, width, height, extra=""):
        return "position:absolute;left:%dpx;top:%dpx;width:%dpx;height:%dpx;%s" % (left, top, width, height, extra)

    page_css = ("body{margin:0;background:#f0f0f0;font:14px sans-serif;color:#000000}"
                "div.inner{background:#ff0000}")
    style = element(ids, "style", {}, [dict(text(ids, page_css), isStyle=True)])
    iframe = element(ids, "iframe", {"style": at(10, 10, 180, 120, "border:0;margin:0")})
    light = box(ids, 120, 80, 50, 30, "#ff0000")
    host = element(ids, "div", {"style": at(210, 10, 180, 120, "background:#ffffff")}, [light])
    host["isShadowHost"] = True
    shadow_css = ".inner{position:absolute;left:20px;top:20px;width:80px;height:50px;background:#ff8000}"
    shadow_style = element(ids, "style", {"_cssText": shadow_css}, [text(ids, "")])
    inner = element(ids, "div", {"class": "inner"})
    shadow_label = element(ids, "span", {"style": "position:absolute;left:20px;top:80px"}, [text(ids, "shadow")])
    for child in (shadow_style, inner, shadow_label):
        child["isShadow"] = True
        host["childNodes"].append(child)
    field = "box-sizing:border-box;margin:0;border:1px solid #404040;background:#ffffff;font:14px sans-serif;"
    text_input = element(ids, "input", {"type": "text", "name": "name", "style": at(10, 145, 150, 24, field + "padding:0 4px")})
    checkbox = element(ids, "input", {"type": "checkbox", "name": "agree", "style": at(170, 148, 18, 18, "margin:0")})
    select = element(ids, "select", {"name": "count", "value": "Two", "style": at(195, 145, 65, 24, "margin:0")}, [
        element(ids, "option", {"value": "One"}, [text(ids, "One")]),
        element(ids, "option", {"value": "Two", "selected": True}, [text(ids, "Two")]),
        element(ids, "option", {"value": "Three"}, [text(ids, "Three")]),
    ])
    # rrweb keeps a textarea's value as an attribute, not as its child
    textarea = element(ids, "textarea", {"name": "notes", "value": "Notes\nline two",
                                         "style": at(10, 180, 150, 50, field + "resize:none;padding:2px 4px")})
    button = element(ids, "button", {"type": "submit", "style": at(170, 185, 90, 30,
                                                                    "margin:0;border:0;padding:0;background:#008000;"
                                                                    "color:#ffffff;font:bold 14px sans-serif")},
                     [text(ids, "Send")])
    form = element(ids, "form", {"style": "margin:0"}, [text_input, checkbox, select, textarea, button])
    scroller = element(ids, "div", {"id": "scroller", "style": at(270, 150, 120, 80, "overflow:auto;background:#ffffff")}, [
        element(ids, "div", {"style": "height:80px;background:#ffff00"}),
        element(ids, "div", {"style": "height:80px;background:#0000ff"}),
        element(ids, "div", {"style": "height:80px;background:#00c000"}),
    ])
    caption = element(ids, "div", {"style": "position:absolute;left:10px;top:250px;font:bold 16px sans-serif;color:#202020"},
                      [text(ids, "Widgets")])
    doc = document(ids, [element(ids, "title", {}, [text(ids, "Widgets")]), style],
                   [iframe, host, form, scroller, caption], "")
    del doc["childNodes"][1]["childNodes"][1]["attributes"]["style"]
    body_id = doc["childNodes"][1]["childNodes"][1]["id"]

    # the recorder serializes the iframe's document after the page's (on its
    # load), so its ids follow; every node in it names the document as rootId
    frame_doc = document(ids, [element(ids, "style", {}, [dict(text(ids, "body{margin:0;background:#e0ffe0;"
                                                                  "font:14px sans-serif}"), isStyle=True)])],
                         [box(ids, 20, 20, 80, 50, "#ff00ff"),
                          element(ids, "p", {"style": "position:absolute;left:20px;top:80px;margin:0"},
                                  [text(ids, "inside the frame")])], "")
    del frame_doc["childNodes"][1]["childNodes"][1]["attributes"]["style"]

    def root(node):
        node["rootId"] = frame_doc["id"]
        for child in node.get("childNodes", ()):
            root(child)
    for child in frame_doc["childNodes"]:
        root(child)
    frame_block = frame_doc["childNodes"][1]["childNodes"][1]["childNodes"][0]

    def incremental(t, **data):
        return {"type": 3, "data": data, "timestamp": T0 + t}

    def mutation(t, adds=(), attributes=(), **extra):
        return incremental(t, source=0, texts=[], attributes=list(attributes), removes=[], adds=list(adds), **extra)

    return [
        {"type": 4, "data": {"href": "https://example.test/widgets", "width": WW, "height": WH}, "timestamp": T0},
        {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": T0 + 10},
        mutation(20, adds=[{"parentId": iframe["id"], "nextId": None, "node": frame_doc}], isAttachIframe=True),
        incremental(500, source=1, positions=[{"x": 380, "y": 290, "id": body_id, "timeOffset": 0}]),
        incremental(1000, source=5, text="Hello reelay", isChecked=False, id=text_input["id"]),
        incremental(1100, source=5, text="on", isChecked=True, id=checkbox["id"]),
        incremental(1200, source=3, id=scroller["id"], x=0, y=80),
        mutation(1300, attributes=[{"id": frame_block["id"], "attributes": {
            "style": frame_block["attributes"]["style"].replace("#ff00ff", "#8000ff")}}]),
        incremental(1400, source=5, text="Three", isChecked=False, id=select["id"]),
        incremental(2000, source=1, positions=[{"x": 390, "y": 290, "id": body_id, "timeOffset": 0}]),
    ]


def probe_recording(port):
    base = "http://127.0.0.1:%d/" % port
    ids = Ids()
    css = ("@import url(%simport.css);@font-face{font-family:Probe;src:url(%sfont.woff2)}"
           "body{background:url(%sbackground.png);font-family:Probe}" % (base, base, base))
    head = [
        element(ids, "title", {}, [text(ids, "Probe")]),
        element(ids, "link", {"rel": "stylesheet", "href": base + "style.css"}),
        element(ids, "link", {"rel": "prefetch", "href": base + "prefetch"}),
        element(ids, "link", {"rel": "icon", "href": base + "favicon.ico"}),
        element(ids, "style", {}, [text(ids, css)]),
        element(ids, "script", {"src": base + "script.js"}),
        element(ids, "script", {}, [text(ids, "fetch('%sfetch');new Image().src='%sjsimage'" % (base, base))]),
    ]
    body = [
        element(ids, "img", {"src": base + "image.png", "srcset": base + "image2x.png 2x", "width": "50", "height": "50"}),
        element(ids, "iframe", {"src": base + "frame.html", "width": "100", "height": "50"}),
        element(ids, "video", {"poster": base + "poster.png", "src": base + "video.mp4", "width": "50", "height": "50"}),
        element(ids, "object", {"data": base + "object.bin", "width": "20", "height": "20"}),
        element(ids, "div", {"style": "width:40px;height:40px;background-image:url(%sdiv.png)" % base}),
        element(ids, "form", {"action": base + "form"}, [element(ids, "input", {"type": "image", "src": base + "input.png"})]),
        element(ids, "a", {"href": base + "link", "ping": base + "ping"}, [text(ids, "link")]),
    ]
    doc = document(ids, head, body, "margin:0")
    return [
        {"type": 4, "data": {"href": base, "width": W, "height": H}, "timestamp": T0},
        {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": T0 + 10},
        {"type": 3, "data": {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": [
            {"parentId": doc["childNodes"][1]["childNodes"][1]["id"], "nextId": None,
             "node": {"type": 2, "tagName": "img", "attributes": {"src": base + "added.png"}, "childNodes": [],
                      "id": ids.new()}}]},
         "timestamp": T0 + 500},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 20, "y": 20, "id": 1, "timeOffset": 0}]},
         "timestamp": T0 + 1000},
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--network-probe", type=int, metavar="PORT")
    parser.add_argument("--long", type=float, metavar="SECONDS")
    parser.add_argument("--windows", action="store_true")
    parser.add_argument("--widgets", action="store_true")
    parser.add_argument("--hover", action="store_true")
    args = parser.parse_args()
    if not args.out:
        args.out = os.path.join(ROOT, "fixtures", "web",
                                "page-widgets.rrweb.json" if args.widgets else "page-boxes.rrweb.json")
    if args.windows:
        with open(args.out, "w") as f:
            for window, event in windows_recording():
                f.write(json.dumps([window, event], sort_keys=True, separators=(",", ":")) + "\n")
        return
    if args.network_probe:
        events = probe_recording(args.network_probe)
    elif args.long:
        events = long_recording(args.long)
    elif args.widgets:
        events = widgets_recording()
    elif args.hover:
        events = hover_recording()
    else:
        events = boxes_recording()
    with open(args.out, "w") as f:
        json.dump(events, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
