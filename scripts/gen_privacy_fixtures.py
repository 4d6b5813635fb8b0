#!/usr/bin/env python3
"""Writes fixtures/privacy/: recordings whose URLs carry secrets, each beside
twins that differ only in those URLs, for tests/cli/test_privacy.sh.

  NAME.secrets.*  the URLs as a careless app records them (?password=...,
                  ?creditcard=..., userinfo, tokens in requests and console)
  NAME.masked.*   the same recording with every secret already reading
                  [REDACTED]: what reelay must show by default
  web.cards.*     masked, but the card number and CVV as recorded: what
                  --unmask-inputs must show (credentials stay masked)

Rendering a .secrets file must give the very pixels and text of its .masked
twin. Everything is made up. Deterministic: running it again gives
byte-identical files. Usage: python3 scripts/gen_privacy_fixtures.py
"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "privacy")
MASK = "[REDACTED]"
T0 = 1718000000000

# Secret values by placeholder; a variant decides which stay as recorded.
SECRETS = {
    "PASSWORD": "hunter2",
    "CARD": "4111111111111111",
    "CVV": "123",
    "API_KEY": "sk_live_51Hsecret",
    "USERINFO": "s3cr3tpass",
    "TOKEN": "tok_9f8e7d",
    "SESSION": "S3SS10N",
}
PERSONAL = {"CARD", "CVV"}  # shown with --unmask-inputs


def fill(text, shown):
    for name, value in SECRETS.items():
        text = text.replace("{" + name + "}", value if name in shown else MASK)
    return text


WEB_URLS = {
    "login": "https://shop.example/login?username=bob&password={PASSWORD}#step=1",
    "pay": "https://shop.example/pay?creditcard={CARD}&cvv={CVV}&plan=pro",
    "request": "https://api.example/v1/orders?api_key={API_KEY}&page=2",
    "console": "Failed to load https://bob:{USERINFO}@cdn.example/app.js?token={TOKEN}",
}


def element(node_id, tag, children, attributes=None):
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attributes or {}, "childNodes": children}


def text(node_id, content):
    return {"type": 3, "id": node_id, "textContent": content}


def web_events(shown):
    u = {k: fill(v, shown) for k, v in WEB_URLS.items()}
    body = element(5, "body", [
        element(6, "div", [text(7, "Sign in")], {"style": "position:absolute;left:40px;top:40px;width:300px;height:60px"}),
        element(8, "input", [], {"type": "password", "style": "position:absolute;left:40px;top:120px;width:300px;height:30px"}),
    ], {"style": "margin:0;background:#fafafa"})
    head = element(3, "head", [element(4, "title", [text(9, "Checkout")])])
    doc = {"type": 0, "id": 1, "childNodes": [
        {"type": 1, "id": 10, "name": "html", "publicId": "", "systemId": ""},
        element(2, "html", [head, body]),
    ]}
    return [
        {"type": 4, "timestamp": T0, "data": {"href": u["login"], "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0 + 10, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}},
        {"type": 3, "timestamp": T0 + 1000, "data": {"source": 1, "positions": [{"x": 100, "y": 60, "id": 6, "timeOffset": 0}]}},
        {"type": 3, "timestamp": T0 + 1500, "data": {"source": 2, "type": 2, "id": 6, "x": 100, "y": 60}},
        {"type": 5, "timestamp": T0 + 2500, "data": {"tag": "$pageview", "payload": {"href": u["pay"]}}},
        {"type": 6, "timestamp": T0 + 3000, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [
            {"name": u["request"], "method": "GET", "responseStatus": 500, "duration": 40, "timestamp": T0 + 2960},
        ]}}},
        {"type": 6, "timestamp": T0 + 3500, "data": {"plugin": "rrweb/console@1", "payload": {
            "level": "error", "trace": [], "payload": [json.dumps(u["console"])]}}},
        {"type": 3, "timestamp": T0 + 4500, "data": {"source": 2, "type": 2, "id": 6, "x": 110, "y": 70}},
        {"type": 3, "timestamp": T0 + 6000, "data": {"source": 1, "positions": [{"x": 120, "y": 80, "id": 6, "timeOffset": 0}]}},
    ]


def portable(shown):
    return {
        "sessionId": "privacy-portable",
        "userId": "user-1",
        "startTime": T0,
        "endTime": T0 + 6000,
        "metadata": {"userAgent": "Mozilla/5.0", "viewport": {"width": 800, "height": 600},
                     "url": fill("https://app.example/reset?email=bob%40example.com&token={TOKEN}", shown)},
        "events": [
            {"type": "initial_state", "timestamp": T0, "data": {"title": "Reset password"}},
            {"type": "click", "timestamp": T0 + 1000, "data": {"x": 100, "y": 100, "tagName": "BUTTON", "text": "Next"}},
            {"type": "navigation", "timestamp": T0 + 2000,
             "data": {"url": fill("https://app.example/new-password?session={SESSION}&step=2", shown)}},
            {"type": "console", "timestamp": T0 + 3000,
             "data": {"level": "error", "args": [fill("POST /api/reset?pwd={PASSWORD} failed", shown)]}},
            {"type": "click", "timestamp": T0 + 5000, "data": {"x": 120, "y": 140, "tagName": "BUTTON", "text": "Save"}},
        ],
    }


def mobile(shown):
    return [
        {"type": 4, "data": {"href": fill("CheckoutActivity?session={SESSION}", shown), "width": 360, "height": 640},
         "timestamp": T0},
        {"type": 2, "timestamp": T0 + 10, "data": {"initialOffset": {"top": 0, "left": 0}, "wireframes": [
            {"id": 1, "x": 0, "y": 0, "width": 360, "height": 640, "style": {"backgroundColor": "#FFFFFF"},
             "childWireframes": [
                 {"id": 2, "x": 10, "y": 10, "width": 340, "height": 200, "type": "web_view",
                  "url": fill("https://pay.example/3ds?card={CARD}&access_token={TOKEN}", shown)},
             ]}]}},
        {"type": 3, "timestamp": T0 + 1000, "data": {"source": 2, "type": 7, "id": 2, "x": 100, "y": 100}},
        {"type": 3, "timestamp": T0 + 1100, "data": {"source": 2, "type": 9, "id": 2, "x": 100, "y": 100}},
    ]


def write(name, data):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    everything = set(SECRETS)
    write("web.secrets.rrweb.json", web_events(everything))
    write("web.masked.rrweb.json", web_events(set()))
    write("web.cards.rrweb.json", web_events(PERSONAL))
    write("portable.secrets.json", portable(everything))
    write("portable.masked.json", portable(set()))
    write("mobile.secrets.rrweb.json", mobile(everything))
    write("mobile.masked.rrweb.json", mobile(set()))
    write("mobile.cards.rrweb.json", mobile(PERSONAL))


if __name__ == "__main__":
    main()
