#!/usr/bin/env python3
"""Writes the synthetic web recordings behind the --highlights tests
(tests/cli/test_highlights.sh). Deterministic: running it again gives
byte-identical files.

fixtures/web/highlights.rrweb.json: a 150 s rrweb array of a 480x320 cart
page (a "Apply coupon" button, a "Pay" button, a line of text; styled inline,
nothing fetched) whose pointer drifts every few seconds, with one moment of
each web kind, far apart:

    session time  moment                                          window (3 s before, 2 s after)
    12.4 s        failed request POST /api/coupons -> 500         9.4 - 14.4
                  (after a click on "Apply coupon" at 12.0 s)
    40.0 s        console error "TypeError: cart.total is undefined"  37.0 - 42.0
    70.0 s        rage click: 5 clicks on "Pay" within 0.8 s       67.0 - 72.8
    100.0 s       a click, then at 106.0 s the screen changes      103.0 - 108.0
                  (a Meta to /checkout/confirm): slow, 6 s

With one card a highlight, all four last 24.8 s; --highlights 13 keeps the
error and the failed request (12 s). Between 42 s and 67 s and after 110 s
nothing but the pointer moves.

fixtures/web/no-highlights.rrweb.json: the same page for 30 s with clicks
far apart, a successful request and a quick screen change (1 s after a
click): no highlight at all.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_web_page_fixtures import Ids, document, element, text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = 1718010000000
W, H = 480, 320


def page():
    ids = Ids()
    coupon = element(ids, "button", {"id": "coupon", "style": "position:absolute;left:20px;top:120px;width:140px;height:40px"},
                     [text(ids, "Apply coupon")])
    pay = element(ids, "button", {"id": "pay", "style": "position:absolute;left:180px;top:120px;width:80px;height:40px"},
                  [text(ids, "Pay")])
    line = element(ids, "p", {"style": "position:absolute;left:20px;top:20px;margin:0;font:16px sans-serif"},
                   [text(ids, "Your cart: 3 items")])
    doc = document(ids, [element(ids, "title", {}, [text(ids, "Cart")])], [line, coupon, pay],
                   "margin:0;background:#fafafa")
    return doc, coupon["id"], pay["id"]


class Recording:
    def __init__(self):
        self.events = []

    def add(self, seconds, event):
        event["timestamp"] = T0 + int(round(seconds * 1000))
        self.events.append(event)

    def meta(self, seconds, href):
        self.add(seconds, {"type": 4, "data": {"href": href, "width": W, "height": H}})

    def move(self, seconds, x, y):
        self.add(seconds, {"type": 3, "data": {"source": 1, "positions": [{"x": x, "y": y, "id": 1, "timeOffset": 0}]}})

    def click(self, seconds, x, y, target):
        for kind in (1, 0, 2):  # mouse down, up, click
            self.add(seconds, {"type": 3, "data": {"source": 2, "type": kind, "id": target, "x": x, "y": y}})

    def console_error(self, seconds, message):
        self.add(seconds, {"type": 6, "data": {"plugin": "rrweb/console@1", "payload": {
            "level": "error", "payload": [json.dumps(message)], "trace": []}}})

    def request(self, seconds, method, url, status):
        self.add(seconds, {"type": 6, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [{
            "name": url, "method": method, "status": status, "duration": 180, "initiatorType": "fetch",
            "timestamp": T0 + int(round(seconds * 1000)) - 180}]}}})

    def start(self, href):
        doc, coupon, pay = page()
        self.meta(0, href)
        self.add(0.01, {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}})
        return coupon, pay


def highlights_recording():
    r = Recording()
    coupon, pay = r.start("https://shop.example.test/cart")
    for s in range(2, 150, 4):  # the pointer drifts: the user is there
        r.move(s, 300 + s % 40, 250)
    r.click(12.0, 100, 140, coupon)
    r.request(12.4, "POST", "https://shop.example.test/api/coupons", 500)
    r.console_error(40.0, "TypeError: cart.total is undefined")
    for i in range(5):
        r.click(70.0 + i * 0.2, 210 + i, 150, pay)
    r.click(100.0, 210, 150, pay)
    r.meta(106.0, "https://shop.example.test/checkout/confirm")
    r.move(150, 300, 250)
    r.events.sort(key=lambda e: e["timestamp"])
    return r.events


def quiet_recording():
    r = Recording()
    coupon, pay = r.start("https://shop.example.test/cart")
    for s in range(2, 30, 3):
        r.move(s, 300 + s, 250)
    r.click(5.0, 100, 140, coupon)
    r.request(5.3, "POST", "https://shop.example.test/api/coupons", 200)
    r.click(15.0, 210, 150, pay)
    r.meta(16.0, "https://shop.example.test/checkout/confirm")
    r.move(30, 300, 250)
    r.events.sort(key=lambda e: e["timestamp"])
    return r.events


def write(name, events):
    with open(os.path.join(ROOT, "fixtures", "web", name), "w") as f:
        json.dump(events, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    write("highlights.rrweb.json", highlights_recording())
    write("no-highlights.rrweb.json", quiet_recording())


if __name__ == "__main__":
    main()
