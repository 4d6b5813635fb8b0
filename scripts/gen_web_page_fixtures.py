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

Deterministic: re-running gives identical bytes.

Usage: python3 scripts/gen_web_page_fixtures.py [--out FILE]
       python3 scripts/gen_web_page_fixtures.py --network-probe PORT --out FILE
       python3 scripts/gen_web_page_fixtures.py --long SECONDS --out FILE
       python3 scripts/gen_web_page_fixtures.py --windows --out FILE
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
    parser.add_argument("--out", default=os.path.join(ROOT, "fixtures", "web", "page-boxes.rrweb.json"))
    parser.add_argument("--network-probe", type=int, metavar="PORT")
    parser.add_argument("--long", type=float, metavar="SECONDS")
    parser.add_argument("--windows", action="store_true")
    args = parser.parse_args()
    if args.windows:
        with open(args.out, "w") as f:
            for window, event in windows_recording():
                f.write(json.dumps([window, event], sort_keys=True, separators=(",", ":")) + "\n")
        return
    if args.network_probe:
        events = probe_recording(args.network_probe)
    elif args.long:
        events = long_recording(args.long)
    else:
        events = boxes_recording()
    with open(args.out, "w") as f:
        json.dump(events, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
