#!/usr/bin/env python3
"""Deterministic generator for reelay's synthetic test recordings.

Everything written here is synthetic: made-up apps, users, URLs and images.
Nothing is copied from real recordings.

Usage:
  python3 scripts/gen_fixtures.py                  (re)write the committed set under fixtures/
  python3 scripts/gen_fixtures.py --out DIR        same set, written under DIR
  python3 scripts/gen_fixtures.py --minutes 10 --profile android [--name NAME] [--out DIR]
      one long session in PostHog blob_v2 JSONL form (DIR/NAME.jsonl) plus
      DIR/NAME.expected.json, for benchmarks.

Determinism: every random choice comes from a seeded random.Random, timestamps
are fixed, gzip members carry mtime 0, JSON is written compactly with
ensure_ascii=False. Images are small PNGs drawn here, encoded to WebP/JPEG by
the ffmpeg CLI once and cached in fixtures/mobile/images/ (committed), so
re-running on a machine with another ffmpeg/libwebp gives the same bytes;
--reencode ignores the cache.

Standard library only (plus the ffmpeg executable when the cache is missing).
"""

import argparse
import base64
import copy
import datetime
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib

import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_CACHE = os.path.join(ROOT, "fixtures", "mobile", "images")

# Fixed base times (epoch ms). Nothing depends on the clock of the machine.
T0_ANDROID = 1718000000000   # 2024-06-10T06:13:20Z
T0_IOS = 1718001800000       # 2024-06-10T06:43:20Z
T0_WEB = 1718003600000       # 2024-06-10T07:13:20Z
T0_PORTABLE = 1718005400000  # 2024-06-10T07:43:20Z

PERSON = {"id": 1, "name": "test-user", "distinct_ids": ["test-user"], "properties": {}}


# ---------------------------------------------------------------------------
# Output helpers

def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


WRITTEN = []


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    WRITTEN.append(path)


def write_json(path, obj, indent=None):
    if indent is None:
        text = dumps(obj)
    else:
        text = json.dumps(obj, indent=indent, ensure_ascii=False)
    write_bytes(path, (text + "\n").encode("utf-8"))


def write_lines(path, lines):
    write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def iso(ms):
    d = datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def uuid7(ms, rng, upper=False):
    """A UUIDv7-shaped id: 48-bit ms timestamp, version 7, variant 10, seeded bits."""
    v = (ms & ((1 << 48) - 1)) << 80
    v |= 0x7 << 76
    v |= rng.getrandbits(12) << 64
    v |= 0b10 << 62
    v |= rng.getrandbits(62)
    s = str(uuid.UUID(int=v))
    return s.upper() if upper else s


def ev(etype, data, ts):
    return {"type": etype, "data": data, "timestamp": int(ts)}


# ---------------------------------------------------------------------------
# Images: tiny PNGs drawn in pure Python, encoded to WebP/JPEG with ffmpeg.

def png_encode(w, h, pixels):
    """pixels: bytearray of w*h*3 RGB bytes."""
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        raw += pixels[y * w * 3:(y + 1) * w * 3]

    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


def hex_rgb(c):
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def draw_picture(w, h, top, bottom, fg, shape):
    """Vertical gradient top→bottom with one simple shape in fg."""
    t, b, f = hex_rgb(top), hex_rgb(bottom), hex_rgb(fg)
    px = bytearray(w * h * 3)
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    r = min(w, h) * 0.32
    for y in range(h):
        k = y / float(h - 1)
        row = tuple(int(round(t[i] + (b[i] - t[i]) * k)) for i in range(3))
        for x in range(w):
            dx, dy = x - cx, y - cy
            if shape == "circle":
                inside = dx * dx + dy * dy <= r * r
            elif shape == "ring":
                d2 = dx * dx + dy * dy
                inside = (r * 0.6) ** 2 <= d2 <= r * r
            elif shape == "square":
                inside = abs(dx) <= r * 0.85 and abs(dy) <= r * 0.85
            elif shape == "diamond":
                inside = abs(dx) + abs(dy) <= r * 1.1
            elif shape == "triangle":
                inside = (dy <= r * 0.8 and dy >= -r * 0.9
                          and abs(dx) <= (dy + r * 0.9) * 0.6)
            elif shape == "stripes":
                inside = ((x + y) // max(2, w // 8)) % 2 == 0 and abs(dy) <= r
            elif shape == "shoe":
                inside = ((dy >= 0 and dy <= r * 0.5 and abs(dx) <= r * 1.2)
                          or (dy < 0 and dy >= -r * 0.6 and dx <= 0 and dx >= -r * 1.1))
            elif shape == "arrow":
                inside = ((abs(dy) <= h * 0.07 and dx >= -w * 0.30 and dx <= w * 0.32)
                          or (dx <= -w * 0.05 and dx >= -w * 0.34
                              and abs(dy) <= (dx + w * 0.34) * 1.0 and abs(dy) <= h * 0.3
                              and abs(dy) >= (dx + w * 0.34) * 1.0 - h * 0.14))
            else:
                inside = False
            p = f if inside else row
            o = (y * w + x) * 3
            px[o] = p[0]
            px[o + 1] = p[1]
            px[o + 2] = p[2]
    return png_encode(w, h, px)


class ImageStore:
    """Encodes PNGs to WebP/JPEG via ffmpeg, caching results in IMAGE_CACHE."""

    def __init__(self, reencode=False, write_cache=True):
        self.reencode = reencode
        self.write_cache = write_cache
        self.tmp = None
        self.memo = {}

    def _ffmpeg(self, png, fmt):
        if shutil.which("ffmpeg") is None:
            sys.exit("gen_fixtures: ffmpeg is needed to encode images (cache %s is incomplete)"
                     % IMAGE_CACHE)
        if self.tmp is None:
            self.tmp = tempfile.mkdtemp(prefix="reelay-fixtures-")
        src = os.path.join(self.tmp, "in.png")
        dst = os.path.join(self.tmp, "out." + fmt)
        with open(src, "wb") as f:
            f.write(png)
        if fmt == "webp":
            args = ["-c:v", "libwebp", "-lossless", "0", "-q:v", "30"]
        else:
            args = ["-pix_fmt", "yuvj420p", "-q:v", "8"]
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", src]
                       + args + ["-frames:v", "1", dst], check=True)
        with open(dst, "rb") as f:
            return f.read()

    def get(self, name, fmt, w, h, top, bottom, fg, shape):
        key = name + "." + fmt
        if key in self.memo:
            return self.memo[key]
        path = os.path.join(IMAGE_CACHE, key)
        data = None
        if not self.reencode and os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read()
        if data is None:
            data = self._ffmpeg(draw_picture(w, h, top, bottom, fg, shape), fmt)
            if self.write_cache:
                write_bytes(path, data)
        elif self.write_cache:
            WRITTEN.append(path)
        self.memo[key] = data
        return data

    def close(self):
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def data_uri_android(data):
    # Android Base64.DEFAULT: 76-char lines, each ending in "\n" (also the last).
    return "data:image/webp;base64," + base64.encodebytes(data).decode("ascii")


def data_uri_ios(data, mime):
    return "data:image/%s;base64,%s" % (mime, base64.b64encode(data).decode("ascii"))


# ---------------------------------------------------------------------------
# Recording: events grouped by capture (one capture = one SDK "$snapshot" batch)

class Recording:
    def __init__(self, session_id):
        self.session_id = session_id
        self.items = []      # dicts: seq, key, cap, event
        self.windows = []    # window keys in first-seen order
        self.cap = 0

    def capture(self, key, events):
        if key not in self.windows:
            self.windows.append(key)
        self.cap += 1
        for e in events:
            self.items.append({"seq": len(self.items), "key": key, "cap": self.cap, "event": e})

    def sorted_items(self):
        return sorted(self.items, key=lambda it: (it["event"]["timestamp"], it["seq"]))

    def ingestion_items(self, lag_ms=900, plugin_lag_ms=120):
        """Ingestion order: windows other than the first arrive a little late and
        plugin (console/network) events are queued a little longer, so lines are
        slightly out of timestamp order, as in real blob_v2 data."""
        first = self.windows[0]

        def k(it):
            lag = 0 if it["key"] == first else lag_ms
            if it["event"]["type"] == 6:
                lag += plugin_lag_ms
            return (it["event"]["timestamp"] + lag, it["seq"])
        return sorted(self.items, key=k)

    def captures(self):
        out = {}
        for it in self.items:
            out.setdefault(it["cap"], []).append(it)
        return [out[c] for c in sorted(out, key=lambda c: (out[c][0]["event"]["timestamp"], c))]


# ---------------------------------------------------------------------------
# Mobile wireframes

class IdGen:
    def __init__(self, rng, kind):
        self.rng = rng
        self.kind = kind
        self.used = set()

    def new(self):
        while True:
            if self.kind == "android":
                # System.identityHashCode: positive 32-bit; stay clear of the
                # transformer's reserved 1..12 and synthetic 100..9,999,999 ids.
                v = self.rng.randrange(10000000, 2 ** 31)
            else:
                # UIView.hash = object address: 16-byte aligned, > 2^32.
                v = self.rng.randrange(0x101000000, 0x130000000) // 16 * 16
            if v not in self.used:
                self.used.add(v)
                return v


def flatten(root):
    out = {}

    def rec(n, pid):
        out[n["id"]] = (pid, n)
        for c in n.get("childWireframes", []):
            rec(c, n["id"])
    rec(root, None)
    return out


def own_props(n):
    return {k: v for k, v in n.items() if k != "childWireframes"}


def mutation_diff(old, new):
    """What the Android SDK sends: flattened diff by id. Every new id gets an
    add with its full subtree, every vanished id a remove, every id whose own
    properties changed an update with its full subtree."""
    fo, fn = flatten(old), flatten(new)
    adds, removes, updates = [], [], []
    for nid, (pid, n) in fn.items():
        if nid not in fo:
            a = {"parentId": pid, "wireframe": copy.deepcopy(n)}
            if pid is None:
                del a["parentId"]
            adds.append(a)
    for nid, (pid, n) in fo.items():
        if nid not in fn and pid is not None:
            removes.append({"parentId": pid, "id": nid})
    for nid, (pid, n) in fn.items():
        if nid in fo and own_props(fo[nid][1]) != own_props(n):
            u = {"parentId": pid, "wireframe": copy.deepcopy(n)}
            if pid is None:
                del u["parentId"]
            updates.append(u)
    data = {}
    if adds:
        data["adds"] = adds
    if removes:
        data["removes"] = removes
    if updates:
        data["updates"] = updates
    if not data:
        return None
    data["source"] = 0
    return data


def shift_y(node, dy):
    node["y"] += dy
    for c in node.get("childWireframes", []):
        shift_y(c, dy)


def touch(ts, ttype, x, y, pid=0):
    return ev(3, {"source": 2, "type": ttype, "id": pid, "x": x, "y": y, "pointerType": 2}, ts)


def net_request(url, method, status, start, duration, size):
    return {"name": url, "method": method, "responseStatus": status, "timestamp": int(start),
            "duration": duration, "initiatorType": "fetch", "entryType": "resource",
            "transferSize": size}


class MobileWin:
    """One window (Android decor view / iOS UIWindow) of a recording."""

    def __init__(self, rec, key, width, height, android=True):
        self.rec, self.key, self.w, self.h = rec, key, width, height
        self.android = android
        self.root = None
        self.prev = None

    def meta(self, ts, href):
        return ev(4, {"href": href, "width": self.w, "height": self.h}, ts)

    def full(self, ts):
        return ev(2, {"wireframes": [copy.deepcopy(self.root)],
                      "initialOffset": {"top": 0, "left": 0}}, ts)

    def show(self, ts, href, root):
        """First capture of a decor view: Meta + full snapshot."""
        self.root = root
        self.prev = copy.deepcopy(root)
        self.rec.capture(self.key, [self.meta(ts, href), self.full(ts)])

    def snapshot(self, ts, keyboard=None):
        """Later capture: Android diff (or iOS full snapshot) + keyboard change."""
        evs = []
        if self.android:
            data = mutation_diff(self.prev, self.root)
            if data is not None:
                evs.append(ev(3, data, ts))
        else:
            evs.append(self.full(ts))
        if keyboard is not None:
            payload = {"open": True, "height": keyboard} if keyboard else {"open": False}
            evs.append(ev(5, {"tag": "keyboard", "payload": payload}, ts))
        self.prev = copy.deepcopy(self.root)
        if evs:
            self.rec.capture(self.key, evs)

    def tap(self, ts, x, y, dur=90):
        self.rec.capture(self.key, [touch(ts, 7, x, y)])
        self.rec.capture(self.key, [touch(ts + dur, 9, x, y)])

    def swipe(self, ts, x0, y0, x1, y1, dur=300):
        self.tap_pair(ts, (x0, y0), (x1, y1), dur)

    def tap_pair(self, ts, down, up, dur):
        self.rec.capture(self.key, [touch(ts, 7, down[0], down[1])])
        self.rec.capture(self.key, [touch(ts + dur, 9, up[0], up[1])])

    def multi_touch(self, ts, points, dur=250):
        self.rec.capture(self.key, [touch(ts, 7, x, y, i) for i, (x, y) in enumerate(points)])
        self.rec.capture(self.key, [touch(ts + dur, 9, x + 6, y - 4, i)
                                    for i, (x, y) in enumerate(points)])

    def logcat(self, ts, tag, msg):
        level = "E" if self.android else "error"
        payload = ["%s: %s" % (tag, msg)] if self.android else "%s: %s" % (tag, msg)
        self.rec.capture(self.key, [ev(6, {"plugin": "rrweb/console@1",
                                           "payload": {"level": level, "payload": payload}}, ts)])

    def network(self, ts, requests):
        self.rec.capture(self.key, [ev(6, {"plugin": "rrweb/network@1",
                                           "payload": {"requests": requests}}, ts)])


# ----- Android view builders -------------------------------------------------

class AndroidUI:
    W, H = 411, 914
    STATUS_H, NAV_H = 24, 48
    PRIMARY, PRIMARY_DARK, ACCENT = "#3F51B5", "#303F9F", "#E91E63"

    def __init__(self, ids, images):
        self.ids = ids
        self.images = images

    def node(self, x, y, w, h, type=None, style=None, children=None, **extra):
        n = {"id": self.ids.new(), "x": x, "y": y, "width": w, "height": h}
        if type is not None:
            n["type"] = type
        for k in ("inputType", "text", "label", "value", "base64", "checked", "max"):
            if k in extra:
                n[k] = extra[k]
        n["style"] = style if style is not None else {}
        n["disabled"] = extra.get("disabled", False)
        if children:
            n["childWireframes"] = children
        return n

    @staticmethod
    def text_style(color, size, family="sans-serif", h="left", v="top", pad=(0, 0, 0, 0)):
        s = {"color": color, "fontSize": size, "fontFamily": family,
             "horizontalAlign": h, "verticalAlign": v}
        top, bottom, left, right = pad
        if v != "center":
            s["paddingTop"] = top
            s["paddingBottom"] = bottom
        if h != "center":
            s["paddingLeft"] = left
            s["paddingRight"] = right
        return s

    def text(self, x, y, w, h, text, color="#212121", size=14, family="sans-serif",
             halign="left", valign="top", pad=(0, 0, 0, 0)):
        return self.node(x, y, w, h, "text",
                         self.text_style(color, size, family, halign, valign, pad), text=text)

    def button(self, x, y, w, h, label, color="#FFFFFF", bg=None, size=14):
        st = {"color": color, "fontSize": size, "fontFamily": "sans-serif",
              "horizontalAlign": "center", "verticalAlign": "center",
              "borderWidth": 1, "borderColor": "#000000"}
        if bg:
            st["backgroundColor"] = bg
        return self.node(x, y, w, h, "input", st, inputType="button", value=label)

    def image(self, x, y, w, h, img=None):
        if img is None:   # masked (maskAllImages) or no drawable ⇒ placeholder
            return self.node(x, y, w, h, "image")
        return self.node(x, y, w, h, "image", base64=data_uri_android(img))

    def bars(self):
        return [self.node(0, self.H - self.NAV_H, self.W, self.NAV_H, "navigation_bar",
                          {"backgroundColor": "#000000"}),
                self.node(0, 0, self.W, self.STATUS_H, "status_bar",
                          {"backgroundColor": self.PRIMARY_DARK})]

    def decor(self, content_children, bg="#FAFAFA"):
        content = self.node(0, self.STATUS_H, self.W, self.H - self.STATUS_H - self.NAV_H,
                            None, {}, content_children)
        return self.node(0, 0, self.W, self.H, None, {"backgroundColor": bg},
                         [content] + self.bars())

    def toolbar(self, title, extra=None):
        kids = [self.text(16, 24, 220, 56, title, "#FFFFFF", 20, "sans-serif-bold",
                          "left", "center", (0, 0, 0, 0))]
        kids += extra or []
        return self.node(0, 24, self.W, 56, None, {"backgroundColor": self.PRIMARY}, kids)

    def product_row(self, y, product, img):
        name, sub, price = product
        return self.node(0, y, self.W, 96, None, {"backgroundColor": "#FFFFFF"}, [
            self.image(16, y + 12, 72, 72, img),
            self.text(100, y + 10, 190, 24, name, "#212121", 16),
            self.text(100, y + 36, 190, 20, sub, "#757575", 13),
            self.text(100, y + 60, 120, 24, price, self.ACCENT, 16, "sans-serif-bold"),
            self.button(300, y + 26, 95, 44, "ADD", "#FFFFFF", self.PRIMARY),
        ])

    def main_screen(self, products, thumbs, progress=20):
        h = {}
        h["search"] = self.node(16, 88, 379, 48, "input",
                                {"color": "#9E9E9E", "fontSize": 16, "fontFamily": "sans-serif",
                                 "paddingLeft": 12, "paddingRight": 12},
                                inputType="text_area", value="*" * len("Search products"))
        h["checkbox"] = self.node(16, 144, 180, 40, "input",
                                  {"color": "#212121", "fontSize": 14, "fontFamily": "sans-serif"},
                                  inputType="checkbox", checked=False, label="In stock only")
        h["toggle"] = self.node(212, 144, 183, 40, "input",
                                {"color": "#212121", "fontSize": 14, "fontFamily": "sans-serif"},
                                inputType="toggle", checked=True, label="Free shipping")
        h["filters"] = self.node(0, 144, self.W, 40, None, {}, [h["checkbox"], h["toggle"]])
        h["progress"] = self.node(0, 186, self.W, 4, "input", {"color": self.ACCENT, "bar": "horizontal"},
                                  inputType="progress", value=progress, max=100)
        h["rows"] = [self.product_row(196 + i * 96, products[i], thumbs[i])
                     for i in range(min(4, len(products)))]
        h["list"] = self.node(0, 196, self.W, 400, None, {}, list(h["rows"]))
        h["rating"] = self.node(24, 626, 120, 24, "input", {"color": "#FFC107", "bar": "rating"},
                                inputType="progress", value=3.5, max=5)
        h["spinner"] = self.node(347, 612, 32, 32, "input", {"color": self.PRIMARY, "bar": "circular"},
                                 inputType="progress")
        h["card"] = self.node(16, 600, 379, 56, None, {"backgroundColor": "#FFF8E1"}, [
            self.text(24, 604, 160, 20, "Top rated this week", "#5D4037", 13),
            h["rating"], h["spinner"]])
        h["webview"] = self.node(16, 664, 379, 190, "web_view", {})
        h["avatar"] = self.image(355, 32, 40, 40)   # masked ⇒ no base64
        h["toolbar"] = self.toolbar("Shop", [h["avatar"]])
        kids = [h["toolbar"], h["search"], h["filters"], h["progress"], h["list"], h["card"], h["webview"]]
        h["content_kids"] = kids
        root = self.decor(kids)
        h["content"] = root["childWireframes"][0]
        return root, h

    def product_screen(self, product, hero, back_icon):
        name, sub, price = product
        h = {}
        h["back"] = self.image(16, 40, 24, 24, back_icon)
        h["toolbar"] = self.toolbar(name, [h["back"]])
        h["toolbar"]["childWireframes"][0]["x"] = 56
        h["hero"] = self.image(0, 80, self.W, 300, hero)
        h["pager"] = self.text(355, 350, 44, 20, "1/3", "#FFFFFF", 12, "sans-serif",
                               "center", "center")
        h["qty"] = self.text(72, 616, 48, 48, "1", "#212121", 18, "sans-serif", "center", "center")
        h["add"] = self.button(16, 700, 379, 52, "ADD TO CART", "#FFFFFF", self.ACCENT, 16)
        scroll_kids = [
            h["hero"], h["pager"],
            self.text(16, 396, 379, 30, name, "#212121", 22, "sans-serif-bold"),
            self.text(16, 430, 200, 28, price, self.ACCENT, 18, "sans-serif-bold"),
            self.node(16, 466, 120, 24, "input", {"color": "#FFC107", "bar": "rating"},
                      inputType="progress", value=4.5, max=5),
            self.text(144, 466, 150, 24, "(128 reviews)", "#757575", 13, "sans-serif",
                      "left", "center", (0, 0, 4, 0)),
            self.text(16, 500, 379, 100,
                      "Lightweight trail shoe with a grippy outsole, breathable mesh upper and "
                      "a cushioned midsole for long runs. " + sub + ".",
                      "#616161", 14, "sans-serif", "left", "top", (4, 4, 0, 0)),
            self.button(16, 616, 48, 48, "\u2212", "#212121", "#EEEEEE", 18),
            h["qty"],
            self.button(128, 616, 48, 48, "+", "#212121", "#EEEEEE", 18),
            h["add"],
        ]
        h["scroll"] = self.node(0, 80, self.W, 786, None, {}, scroll_kids)
        root = self.decor([h["toolbar"], h["scroll"]], "#FFFFFF")
        return root, h

    def dialog(self, title, message):
        h = {}
        x, y, w = 30, 347, 351
        h["title"] = self.text(x + 24, y + 24, w - 48, 32, title, "#212121", 20, "sans-serif-bold")
        h["message"] = self.text(x + 24, y + 64, w - 48, 60, message, "#616161", 15)
        h["cancel"] = self.button(x + 151, y + 152, 88, 44, "CANCEL", self.PRIMARY)
        h["retry"] = self.button(x + 247, y + 152, 88, 44, "RETRY", self.PRIMARY)
        content = self.node(x, y, w, 220, None, {},
                            [h["title"], h["message"], h["cancel"], h["retry"]])
        h["content"] = content
        root = self.node(x, y, w, 220, None, {"backgroundColor": "#FFFFFF"}, [content])
        return root, h


PRODUCTS = [
    ("Trail Runner 2", "Running \u00b7 Men", "$89.99"),
    ("City Sneaker", "Lifestyle \u00b7 Women", "$64.50"),
    ("Rain Jacket Lite", "Outerwear \u00b7 Unisex", "$120.00"),
    ("Wool Socks (3 pack)", "Accessories", "$18.00"),
    ("Hiking Boot GTX", "Outdoor \u00b7 Men", "$159.00"),
    ("Court Classic", "Tennis \u00b7 Women", "$74.95"),
]

THUMB_SPECS = [
    ("thumb-0", "#FFCDD2", "#E57373", "#B71C1C", "shoe"),
    ("thumb-1", "#C8E6C9", "#81C784", "#1B5E20", "shoe"),
    ("thumb-2", "#BBDEFB", "#64B5F6", "#0D47A1", "triangle"),
    ("thumb-3", "#FFF9C4", "#FFF176", "#F57F17", "stripes"),
    ("thumb-4", "#D7CCC8", "#A1887F", "#3E2723", "square"),
    ("thumb-5", "#E1BEE7", "#BA68C8", "#4A148C", "circle"),
]
HERO_SPECS = [
    ("hero-0", "#FFEBEE", "#EF9A9A", "#C62828", "shoe"),
    ("hero-1", "#E3F2FD", "#90CAF9", "#C62828", "shoe"),
    ("hero-2", "#F1F8E9", "#C5E1A5", "#C62828", "diamond"),
]


def android_images(store):
    thumbs = [store.get(n, "webp", 64, 64, a, b, c, s) for (n, a, b, c, s) in THUMB_SPECS]
    heroes = [store.get(n, "webp", 96, 96, a, b, c, s) for (n, a, b, c, s) in HERO_SPECS]
    back = store.get("icon-back", "webp", 24, 24, "#3F51B5", "#3F51B5", "#FFFFFF", "arrow")
    return thumbs, heroes, back


def rebind_row(row, product, img):
    """RecyclerView rebinding a ViewHolder: same ids, new content."""
    kids = row["childWireframes"]
    kids[0]["base64"] = data_uri_android(img)
    kids[1]["text"], kids[2]["text"], kids[3]["text"] = product


# ----- the committed Android session (~60 s, two windows) -------------------

def build_android_shop(store):
    rng = random.Random(1001)
    sid = uuid7(T0_ANDROID - 1500, rng)
    w1 = uuid7(T0_ANDROID - 1500, rng)
    w2 = uuid7(T0_ANDROID + 20300, rng)
    rec = Recording(sid)
    ui = AndroidUI(IdGen(rng, "android"), store)
    thumbs, heroes, back = android_images(store)
    A = MobileWin(rec, w1, 411, 914)
    D = MobileWin(rec, w2, 411, 914)
    T = T0_ANDROID

    def j(ms):  # a few ms of deterministic jitter
        return T + ms + rng.randrange(0, 7)

    api = "https://api.shop.example.test/v1"
    root, h = ui.main_screen(PRODUCTS, thumbs, progress=20)
    A.show(T, "com.example.shop.MainActivity", root)
    A.network(j(212), [net_request(api + "/products?page=1", "GET", 200, T + 40, 168, 4821)])
    h["progress"]["value"] = 70
    A.snapshot(j(1000))
    h["content"]["childWireframes"].remove(h["progress"])
    A.snapshot(j(2000))

    # tap the search field, keyboard opens, type "shoes" (masked), search
    A.tap(j(3150), 200, 112, 88)
    A.snapshot(j(3420), keyboard=300)
    for ms, n in ((4420, 2), (5420, 4), (6420, 5)):
        h["search"]["value"] = "*" * n
        h["search"]["style"]["color"] = "#212121"
        A.snapshot(j(ms))
    A.network(j(7180), [net_request(api + "/search?q=shoes", "GET", 200, T + 6990, 176, 2390)])
    # results: header added, rows rebound and moved down, the 4th row removed
    results = [PRODUCTS[0], PRODUCTS[4], PRODUCTS[1]]
    imgs = [thumbs[0], thumbs[4], thumbs[1]]
    rows = h["rows"]
    for i in range(3):
        rebind_row(rows[i], results[i], imgs[i])
        shift_y(rows[i], 24)
    h["list"]["childWireframes"].remove(rows[3])
    header = ui.text(16, 196, 379, 24, "3 results", "#757575", 13, "sans-serif", "left", "center",
                     (0, 0, 0, 0))
    h["list"]["childWireframes"].insert(0, header)
    A.snapshot(j(7420), keyboard=0)

    A.logcat(j(8610), "ImageDecoder", "Failed to decode thumbnail for sku 1042 (bitmap too large)")

    # swipe up: the list scrolls by 72 dp (the header leaves the list and is
    # recycled), then settles 24 dp further
    A.swipe(j(9200), 205, 720, 198, 340, 280)
    for node in h["list"]["childWireframes"]:
        shift_y(node, -72)
    h["list"]["childWireframes"].remove(header)
    A.snapshot(j(9700))
    for node in h["list"]["childWireframes"]:
        shift_y(node, -24)
    A.snapshot(j(10700))

    # two-finger touch (pointer ids 0 and 1 in one MotionEvent)
    A.multi_touch(j(11800), [(150, 500), (262, 566)], 250)

    A.tap(j(13000), 40, 164, 80)
    h["checkbox"]["checked"] = True
    A.snapshot(j(13600))
    A.tap(j(14200), 330, 164, 85)
    h["toggle"]["checked"] = False
    A.snapshot(j(14800))

    # open the second result: new Activity ⇒ Meta + full snapshot
    A.tap(j(15500), 200, 262, 95)
    proot, p = ui.product_screen(results[1], heroes[0], back)
    A.show(j(16300), "com.example.shop.ProductActivity", proot)
    A.network(j(16470), [net_request(api + "/products/1046", "GET", 200, T + 16310, 151, 1733)])

    A.tap(j(18200), 152, 640, 90)
    p["qty"]["text"] = "2"
    A.snapshot(j(18800))

    # add to cart fails with HTTP 500 → error dialog in its own window
    A.tap(j(19500), 205, 726, 100)
    A.network(j(20012), [net_request(api + "/cart", "POST", 500, T + 19610, 402, 312)])
    A.logcat(j(20050), "CartRepository", "POST /v1/cart failed: HTTP 500 Internal Server Error")
    droot, d = ui.dialog("Couldn't add to cart", "The server returned an error (500). Try again?")
    D.show(j(20300), "com.example.shop.ProductActivity", droot)
    D.tap(j(21500), 321, 521, 80)
    d["message"]["text"] = "Adding to cart\u2026"
    d["cancel"]["disabled"] = True
    d["retry"]["disabled"] = True
    spinner = ui.node(54, 447, 24, 24, "input", {"color": ui.PRIMARY, "bar": "circular"},
                      inputType="progress")
    d["content"]["childWireframes"].append(spinner)
    D.snapshot(j(22000))
    D.network(j(22690), [net_request(api + "/cart", "POST", 201, T + 22010, 655, 498)])
    d["content"]["childWireframes"].remove(spinner)
    d["content"]["childWireframes"].remove(d["cancel"])
    d["title"]["text"] = "Done"
    d["message"]["text"] = "Added to cart \u2713"
    d["retry"]["value"] = "OK"
    d["retry"]["disabled"] = False
    D.snapshot(j(23000))
    D.tap(j(24200), 321, 521, 70)

    # back in the activity window: cart badge appears, button label changes
    badge = ui.text(371, 36, 24, 24, "1", "#FFFFFF", 12, "sans-serif-bold", "center", "center")
    badge["style"]["backgroundColor"] = ui.ACCENT
    p["toolbar"]["childWireframes"].append(badge)
    p["add"]["value"] = "IN CART (2)"
    A.snapshot(j(24800))

    # ~20 s without user activity: only background traffic
    A.network(j(33020), [net_request(api + "/recommendations?sku=1042", "GET", 200, T + 32800, 214, 6120)])
    A.logcat(j(38400), "OkHttp", "<-- HTTP FAILED: java.net.SocketTimeoutException: timeout")

    # scroll the product page down and back up
    A.swipe(j(45000), 200, 700, 203, 260, 320)
    for node in p["scroll"]["childWireframes"]:
        shift_y(node, -300)
    A.snapshot(j(45800))
    A.network(j(46900), [
        net_request(api + "/products/1042/reviews?page=1", "GET", 200, T + 46610, 281, 9034),
        net_request("https://cdn.shop.example.test/img/1042-2.webp", "GET", 200, T + 46620, 95, 18211),
    ])
    A.swipe(j(50500), 200, 300, 205, 720, 300)
    for node in p["scroll"]["childWireframes"]:
        shift_y(node, 300)
    A.snapshot(j(51300))

    # image gallery: tap, then swipe left twice
    A.tap(j(55000), 205, 300, 110)
    A.swipe(j(56000), 340, 300, 60, 306, 250)
    p["hero"]["base64"] = data_uri_android(heroes[1])
    p["pager"]["text"] = "2/3"
    A.snapshot(j(56600))
    A.swipe(j(57600), 345, 296, 70, 300, 240)
    p["hero"]["base64"] = data_uri_android(heroes[2])
    p["pager"]["text"] = "3/3"
    A.snapshot(j(58200))
    A.network(j(59450), [net_request("https://events.shop.example.test/batch", "POST", 200,
                                     T + 59300, 140, 1022)])
    return rec, {w1: "main", w2: "dialog"}


# ----- a long Android session for benchmarks --------------------------------

def build_android_long(store, minutes, seed):
    rng = random.Random(seed)
    T = T0_ANDROID
    sid = uuid7(T, rng)
    w1, w2 = uuid7(T, rng), uuid7(T + 1000, rng)
    rec = Recording(sid)
    ids = IdGen(rng, "android")
    ui = AndroidUI(ids, store)
    thumbs, heroes, back = android_images(store)
    A = MobileWin(rec, w1, 411, 914)
    D = MobileWin(rec, w2, 411, 914)
    end = T + minutes * 60000
    t = T
    api = "https://api.shop.example.test/v1"

    def step(lo, hi):
        nonlocal t
        t += rng.randrange(lo, hi)
        return t

    # A loop pass takes ~20-40 s of activity; stop while one still fits.
    while t < end - 40000:
        order = list(range(len(PRODUCTS)))
        rng.shuffle(order)
        prods = [PRODUCTS[i] for i in order]
        imgs = [thumbs[i] for i in order]
        root, h = ui.main_screen(prods, imgs, progress=rng.randrange(5, 40))
        A.show(T if t == T else step(500, 1500), "com.example.shop.MainActivity", root)
        A.network(step(100, 300), [net_request(api + "/products?page=1", "GET", 200, t - 150,
                                               rng.randrange(90, 300), rng.randrange(2000, 9000))])
        # Loaded: the bar fills and the card's spinner goes, as in an app
        # (a spinner that never stops would make every frame a changed one).
        h["progress"]["value"] = 100
        h["card"]["childWireframes"].remove(h["spinner"])
        A.snapshot(step(1000, 1200))
        if rng.random() < 0.6:   # search
            A.tap(step(800, 3000), 200, 112, rng.randrange(60, 120))
            A.snapshot(step(200, 400), keyboard=300)
            for n in range(1, rng.randrange(3, 9)):
                h["search"]["value"] = "*" * n
                A.snapshot(step(1000, 1300))
            A.snapshot(step(1000, 1300), keyboard=0)
        for _ in range(rng.randrange(2, 7)):   # scroll through the list
            dy = rng.choice((-160, -120, -80, 80, 120))
            y0 = rng.randrange(300, 700)
            A.swipe(step(1000, 4000), rng.randrange(150, 260), y0, rng.randrange(150, 260),
                    max(120, min(800, y0 + dy * 2)), rng.randrange(180, 420))
            for node in h["list"]["childWireframes"]:
                shift_y(node, dy)
            A.snapshot(step(500, 800))
            if rng.random() < 0.5:
                row = rng.choice(h["list"]["childWireframes"])
                k = rng.randrange(len(PRODUCTS))
                rebind_row(row, PRODUCTS[k], thumbs[k])
                A.snapshot(step(1000, 1200))
        if rng.random() < 0.5:
            A.tap(step(1000, 3000), 40, 164, 80)
            h["checkbox"]["checked"] = not h["checkbox"]["checked"]
            A.snapshot(step(500, 700))
        if rng.random() < 0.3:
            A.logcat(step(200, 2000), "ImageDecoder", "Failed to decode thumbnail (bitmap too large)")
        # product page
        k = rng.randrange(len(PRODUCTS))
        A.tap(step(1000, 4000), 200, 250, rng.randrange(70, 120))
        proot, p = ui.product_screen(PRODUCTS[k], heroes[k % 3], back)
        A.show(step(600, 900), "com.example.shop.ProductActivity", proot)
        A.network(step(100, 300), [net_request(api + "/products/%d" % (1040 + k), "GET", 200, t - 150,
                                               rng.randrange(90, 300), rng.randrange(900, 3000))])
        for g in range(rng.randrange(0, 4)):
            A.swipe(step(1500, 4000), 340, 300, 60, 300, rng.randrange(180, 300))
            p["hero"]["base64"] = data_uri_android(heroes[(k + g + 1) % 3])
            p["pager"]["text"] = "%d/3" % ((g + 1) % 3 + 1)
            A.snapshot(step(500, 700))
        for n in range(2, rng.randrange(2, 5)):
            A.tap(step(800, 2000), 152, 640, 90)
            p["qty"]["text"] = str(n)
            A.snapshot(step(500, 700))
        A.tap(step(1000, 3000), 205, 726, 100)
        if rng.random() < 0.35:   # server error → dialog window
            A.network(step(300, 600), [net_request(api + "/cart", "POST", 500, t - 400, 390, 312)])
            A.logcat(step(20, 80), "CartRepository", "POST /v1/cart failed: HTTP 500")
            droot, d = ui.dialog("Couldn't add to cart", "The server returned an error (500). Try again?")
            D.show(step(200, 400), "com.example.shop.ProductActivity", droot)
            D.tap(step(1000, 3000), 321, 521, 80)
            d["message"]["text"] = "Adding to cart\u2026"
            D.snapshot(step(400, 600))
            D.network(step(500, 900), [net_request(api + "/cart", "POST", 201, t - 600, 550, 498)])
            d["message"]["text"] = "Added to cart \u2713"
            d["content"]["childWireframes"].remove(d["cancel"])
            d["retry"]["value"] = "OK"
            D.snapshot(step(1000, 1200))
            D.tap(step(800, 2500), 321, 521, 70)
        else:
            A.network(step(300, 600), [net_request(api + "/cart", "POST", 201, t - 400, 390, 498)])
        p["add"]["value"] = "IN CART"
        A.snapshot(step(1000, 1200))
        r = rng.random()   # idle: short, medium or long
        if r < 0.5:
            step(2000, 8000)
        elif r < 0.85:
            A.network(step(5000, 20000), [net_request(api + "/recommendations", "GET", 200, t - 200,
                                                      180, 5000)])
            step(5000, 20000)
        elif end - t > 200000:   # long idle only where the session has room for it
            step(45000, 150000)
        else:
            step(2000, 8000)
    # last (inactive) event exactly at the requested length
    A.network(max(end, t + 1000), [net_request(api + "/session/heartbeat", "POST", 204,
                                               max(end, t + 1000) - 80, 80, 0)])
    return rec, {w1: "main", w2: "dialog"}


# ----- iOS -------------------------------------------------------------------

class IOSUI:
    W, H = 390, 844

    def __init__(self, ids):
        self.ids = ids

    def node(self, x, y, w, h, type=None, style=None, children=None, **extra):
        n = {"id": self.ids.new(), "x": x, "y": y, "width": w, "height": h}
        if children:
            n["childWireframes"] = children
        if type is not None:
            n["type"] = type
        for k in ("inputType", "text", "label", "value", "base64"):
            if k in extra:
                n[k] = extra[k]
        st = {}
        if style:
            st.update(style)
        st.setdefault("borderWidth", 0)      # iOS sends both for every view
        st.setdefault("borderRadius", 0)
        n["style"] = st
        for k in ("disabled", "checked", "max"):
            if k in extra:
                n[k] = extra[k]
        return n

    def label(self, x, y, w, h, text, color="#000000", size=17, family=".SFUI-Regular", align="left"):
        st = {"color": color, "fontFamily": family, "fontSize": size}
        if align == "center":
            st["horizontalAlign"] = "center"
            st["verticalAlign"] = "center"
        else:
            st["horizontalAlign"] = align
        return self.node(x, y, w, h, "text", st, text=text, disabled=False)

    def image(self, x, y, w, h, uri, radius=0):
        return self.node(x, y, w, h, "image", {"borderRadius": radius}, base64=uri)

    def button(self, x, y, w, h, title, color="#007AFF", bg=None):
        st = {"borderRadius": 10}
        if bg:
            st["backgroundColor"] = bg
        ghost = self.label(x + 8, y + 11, w - 16, h - 22, title, color, 17, ".SFUI-Regular", "center")
        return self.node(x, y, w, h, "input", st, [ghost], inputType="button", value=title,
                         disabled=False)

    def window(self, kids):
        return self.node(0, 0, self.W, self.H, None, {"backgroundColor": "#FFFFFF"}, kids)

    def list_screen(self, notes, thumbs, progress):
        h = {}
        navbar = self.node(0, 47, self.W, 96, None, {"backgroundColor": "#F9F9F9"}, [
            self.label(16, 91, 200, 41, "Notes", "#000000", 34, ".SFUI-Bold"),
            self.button(300, 51, 74, 36, "Edit")])
        h["search"] = self.node(16, 151, 358, 36, "input",
                                {"backgroundColor": "#EEEEEF", "borderRadius": 10, "color": "#3C3C43",
                                 "fontFamily": ".SFUI-Regular", "fontSize": 17,
                                 "horizontalAlign": "left"},
                                inputType="text_area", value="*" * len("Search"), disabled=False)
        h["toggle"] = self.node(16, 195, 358, 31, "input", {"backgroundColor": "#34C759", "borderRadius": 16},
                                inputType="toggle", checked=True, label="iCloud Sync")
        h["progress"] = self.node(16, 234, 358, 4, "input",
                                  {"backgroundColor": "#E5E5EA", "bar": "horizontal"},
                                  inputType="progress", value=progress, max=1)
        h["cells"] = []
        for i, (title, sub) in enumerate(notes):
            y = 246 + i * 76
            h["cells"].append(self.node(0, y, self.W, 76, None, {"backgroundColor": "#FFFFFF"}, [
                self.image(16, y + 10, 56, 56, thumbs[i % len(thumbs)], 8),
                self.label(84, y + 12, 290, 22, title, "#000000", 17),
                self.label(84, y + 38, 290, 18, sub, "#8A8A8E", 15, "Helvetica"),
                self.node(84, y + 75, 306, 1, None, {"backgroundColor": "#C6C6C8"}),
            ]))
        h["table"] = self.node(0, 246, self.W, 515, None, {"backgroundColor": "#FFFFFF"}, list(h["cells"]))
        h["spinner"] = self.node(185, 700, 20, 20, "input", {"color": "#8E8E93", "bar": "circular"},
                                 inputType="progress")
        toolbar = self.node(0, 761, self.W, 83, None, {"backgroundColor": "#F9F9F9"}, [
            self.label(130, 772, 130, 20, "%d Notes" % len(notes), "#3C3C43", 11, ".SFUI-Regular", "center"),
            self.button(276, 764, 98, 36, "New Note")])
        kids = [navbar, h["search"], h["toggle"], h["progress"], h["table"], h["spinner"], toolbar]
        h["kids"] = kids
        return self.window(kids), h

    def editor_screen(self, title, body_len, photo):
        h = {}
        navbar = self.node(0, 47, self.W, 44, None, {"backgroundColor": "#F9F9F9"}, [
            self.button(8, 51, 80, 36, "Notes"),
            self.label(120, 58, 150, 22, title, "#000000", 17, ".SFUI-Semibold", "center")])
        h["body"] = self.node(16, 99, 358, 300, "text",
                              {"color": "#000000", "fontFamily": "Helvetica", "fontSize": 17,
                               "horizontalAlign": "left", "paddingTop": 8, "paddingBottom": 8,
                               "paddingLeft": 0, "paddingRight": 0},
                              text="*" * body_len, disabled=False)
        kids = [navbar, h["body"]]
        if photo:
            kids.append(self.image(16, 410, 358, 240, photo, 12))
        h["web"] = self.node(16, 660, 358, 90, "web_view", {"backgroundColor": "#FFFFFF"})
        kids.append(h["web"])
        kids.append(self.node(0, 761, self.W, 83, None, {"backgroundColor": "#F9F9F9"}))
        return self.window(kids), h


NOTES = [("Groceries", "Yesterday"), ("Trip ideas", "Monday"), ("Meeting notes", "12/05/24"),
         ("Books to read", "02/04/24")]
NOTE_THUMBS = [
    ("note-0", "#FFF3E0", "#FFB74D", "#E65100", "circle"),
    ("note-1", "#E0F7FA", "#4DD0E1", "#006064", "triangle"),
    ("note-2", "#ECEFF1", "#90A4AE", "#263238", "square"),
    ("note-3", "#FCE4EC", "#F06292", "#880E4F", "stripes"),
]


def ios_images(store):
    jpgs = [data_uri_ios(store.get(n, "jpg", 48, 48, a, b, c, s), "jpeg") for (n, a, b, c, s) in NOTE_THUMBS]
    photo = data_uri_ios(store.get("note-photo", "webp", 64, 64, "#E8F5E9", "#66BB6A", "#1B5E20", "ring"),
                         "webp")
    return jpgs, photo


def build_ios_notes(store):
    rng = random.Random(2002)
    T = T0_IOS
    sid = uuid7(T - 800, rng, upper=True)
    w1 = uuid7(T - 800, rng, upper=True)
    rec = Recording(sid)
    ui = IOSUI(IdGen(rng, "ios"))
    thumbs, photo = ios_images(store)
    W = MobileWin(rec, w1, 390, 844, android=False)

    def j(ms):
        return T + ms + rng.randrange(0, 9)

    api = "https://api.notes.example.test/v2"
    root, h = ui.list_screen(NOTES, thumbs, 0.25)
    W.show(T, "NotesListViewController", root)
    W.network(j(240), [net_request(api + "/notes?since=0", "GET", 200, T + 30, 188, 3400)])
    for ms, v in ((1000, 0.5), (2000, 0.75), (3000, 1.0)):
        h["progress"]["value"] = v
        if v == 1.0:
            h["kids"].remove(h["spinner"])
        W.snapshot(j(ms))
    # open the first note (same window: no new Meta)
    W.tap(j(4100), 195, 290, 80)
    W.root, e = ui.editor_screen("Groceries", 42, photo)
    W.snapshot(j(4500))
    W.network(j(4620), [net_request(api + "/notes/71", "GET", 200, T + 4510, 96, 880)])
    W.snapshot(j(5500))
    W.tap(j(6800), 200, 250, 90)
    for ms, n in ((7500, 45), (8500, 51), (9500, 54)):
        e["body"]["text"] = "*" * n
        W.snapshot(j(ms))
    W.tap(j(10500), 44, 69, 70)
    notes = [("Groceries", "Just now")] + NOTES[1:]
    W.root, h = ui.list_screen(notes, thumbs, 1.0)
    h["kids"].remove(h["spinner"])
    W.snapshot(j(11000))
    # ~8 s idle, then toggle sync off
    W.tap(j(19000), 350, 210, 75)
    h["toggle"]["checked"] = False
    h["toggle"]["style"]["backgroundColor"] = "#E9E9EA"
    W.snapshot(j(19500))
    W.tap_pair(j(20500), (195, 700), (197, 330), 300)
    for ms, dy in ((21000, -150), (22000, -40)):
        for c in h["cells"]:
            shift_y(c, dy)
        W.snapshot(j(ms))
    W.network(j(23000), [net_request(api + "/sync", "POST", 200, T + 22700, 290, 512)])
    W.network(j(23500), [net_request(api + "/notes?since=1718001822", "GET", 304, T + 23380, 110, 0)])
    # new note
    W.tap(j(24500), 325, 782, 85)
    W.root, e = ui.editor_screen("New Note", 0, None)
    W.snapshot(j(25000))
    for ms, n in ((26000, 4), (27000, 8)):
        e["body"]["text"] = "*" * n
        W.snapshot(j(ms))
    W.tap(j(28500), 44, 69, 70)
    notes = [("Call Sam", "Just now"), ("Groceries", "Just now")] + NOTES[1:]
    W.root, h = ui.list_screen(notes, thumbs, 1.0)
    h["kids"].remove(h["spinner"])
    W.snapshot(j(29000))
    W.network(j(29800), [net_request(api + "/notes", "POST", 201, T + 29450, 330, 640)])
    return rec, {w1: "main"}


def build_ios_long(store, minutes, seed):
    rng = random.Random(seed)
    T = T0_IOS
    sid = uuid7(T, rng, upper=True)
    w1 = uuid7(T, rng, upper=True)
    rec = Recording(sid)
    ui = IOSUI(IdGen(rng, "ios"))
    thumbs, photo = ios_images(store)
    W = MobileWin(rec, w1, 390, 844, android=False)
    end = T + minutes * 60000
    t = T
    api = "https://api.notes.example.test/v2"

    def step(lo, hi):
        nonlocal t
        t += rng.randrange(lo, hi)
        return t

    root, h = ui.list_screen(NOTES, thumbs, 1.0)
    W.show(T, "NotesListViewController", root)
    notes = list(NOTES)
    # A loop pass takes ~20-40 s of activity; stop while one still fits.
    while t < end - 40000:
        k = rng.randrange(len(notes))
        W.tap(step(1000, 5000), 195, 290 + k * 76, rng.randrange(60, 110))
        W.root, e = ui.editor_screen(notes[k][0], rng.randrange(0, 80), photo if rng.random() < 0.5 else None)
        W.snapshot(step(300, 500))
        W.network(step(100, 200), [net_request(api + "/notes/%d" % (70 + k), "GET", 200, t - 120, 96, 880)])
        if rng.random() < 0.6:
            W.tap(step(1000, 3000), 200, 250, 90)
            for _ in range(rng.randrange(2, 10)):
                e["body"]["text"] += "*" * rng.randrange(3, 9)
                W.snapshot(step(1000, 1200))
        W.tap(step(1000, 4000), 44, 69, 70)
        if rng.random() < 0.3 and len(notes) < 7:
            notes.insert(0, ("Note %d" % len(notes), "Just now"))
        W.root, h = ui.list_screen(notes, thumbs, 1.0)
        h["kids"].remove(h["spinner"])
        W.snapshot(step(300, 500))
        for _ in range(rng.randrange(0, 4)):
            dy = rng.choice((-150, -76, 76, 150))
            W.tap_pair(step(1000, 3000), (195, 600), (195, 600 + dy * 2), rng.randrange(200, 400))
            for c in h["cells"]:
                shift_y(c, dy)
            W.snapshot(step(450, 700))
        r = rng.random()
        if r < 0.5:
            step(2000, 8000)
        elif r < 0.85:
            W.network(step(5000, 20000), [net_request(api + "/sync", "POST", 200, t - 300, 290, 512)])
            step(5000, 20000)
        elif end - t > 200000:   # long idle only where the session has room for it
            step(45000, 150000)
        else:
            step(2000, 8000)
    W.network(max(end, t + 1000), [net_request(api + "/sync", "POST", 200, max(end, t + 1000) - 290,
                                               290, 512)])
    return rec, {w1: "main"}


# ---------------------------------------------------------------------------
# Manifests

ACTIVE_SOURCES = {1, 2, 3, 4, 5, 6, 7, 12}


def is_active(e):
    if e["type"] in (2, 4):
        return True
    return e["type"] == 3 and isinstance(e["data"], dict) and e["data"].get("source") in ACTIVE_SOURCES


def manifest(session_id, pairs, extra_web=False):
    """pairs: [(window_key, event)] of the deduplicated session, any order."""
    pairs = sorted(pairs, key=lambda p: p[1]["timestamp"])
    by_type = {}
    m = {"session_id": session_id, "total_events": len(pairs)}
    counts = dict(meta=0, full_snapshots=0, mutations=0, touch_starts=0, touch_ends=0,
                  keyboard_events=0, console_events=0, network_events=0, network_requests=0)
    windows, per_window = [], {}
    for key, e in pairs:
        t, d = e["type"], e["data"]
        by_type[str(t)] = by_type.get(str(t), 0) + 1
        pw = per_window.setdefault(key, {"events": 0, "first_timestamp": e["timestamp"]})
        pw["events"] += 1
        pw["last_timestamp"] = e["timestamp"]
        if t == 4:
            counts["meta"] += 1
            if key not in [w["key"] for w in windows]:
                windows.append({"key": key, "width": d["width"], "height": d["height"]})
        elif t == 2:
            counts["full_snapshots"] += 1
        elif t == 3 and d.get("source") == 0:
            counts["mutations"] += 1
        elif t == 3 and d.get("source") == 2 and d.get("type") == 7:
            counts["touch_starts"] += 1
        elif t == 3 and d.get("source") == 2 and d.get("type") == 9:
            counts["touch_ends"] += 1
        elif t == 5 and d.get("tag") == "keyboard":
            counts["keyboard_events"] += 1
        elif t == 6 and d.get("plugin") == "rrweb/console@1":
            counts["console_events"] += 1
        elif t == 6 and d.get("plugin") == "rrweb/network@1":
            counts["network_events"] += 1
            counts["network_requests"] += len(d["payload"]["requests"])
    m["events_by_type"] = dict(sorted(by_type.items(), key=lambda kv: int(kv[0])))
    m.update(counts)
    if extra_web:
        inter, sources = {}, {}
        customs = []
        for key, e in pairs:
            if e["type"] == 3:
                s = e["data"]["source"]
                sources[str(s)] = sources.get(str(s), 0) + 1
                if s == 2:
                    it = str(e["data"]["type"])
                    inter[it] = inter.get(it, 0) + 1
            if e["type"] == 5:
                customs.append(e["data"]["tag"])
        m["incremental_by_source"] = dict(sorted(sources.items(), key=lambda kv: int(kv[0])))
        m["mouse_interactions_by_type"] = dict(sorted(inter.items(), key=lambda kv: int(kv[0])))
        m["mouse_positions"] = sum(len(e["data"]["positions"]) for _, e in pairs
                                   if e["type"] == 3 and e["data"]["source"] == 1)
        m["custom_tags"] = customs
        m["console_levels"] = [e["data"]["payload"]["level"] for _, e in pairs
                               if e["type"] == 6 and e["data"]["plugin"] == "rrweb/console@1"]
    m["windows"] = windows
    m["per_window"] = per_window
    m["first_timestamp"] = pairs[0][1]["timestamp"]
    m["last_timestamp"] = pairs[-1][1]["timestamp"]
    m["duration_ms"] = m["last_timestamp"] - m["first_timestamp"]
    act = [e["timestamp"] for _, e in pairs if is_active(e)]
    gap = {"from": act[0], "to": act[0], "ms": 0}
    for a, b in zip(act, act[1:]):
        if b - a > gap["ms"]:
            gap = {"from": a, "to": b, "ms": b - a}
    m["longest_gap_between_active_events"] = gap
    m["active_definition"] = "types 2 and 4; type 3 with source 1,2,3,4,5,6,7,12 (formats-web.md 7.1)"
    return m


def check_unique(items):
    seen = set()
    for it in items:
        s = dumps(it["event"])
        if s in seen:
            raise SystemExit("gen_fixtures: accidental duplicate event %s" % s[:120])
        seen.add(s)


# ---------------------------------------------------------------------------
# Containers

def android_containers(outdir, name, rec):
    """Writes the same events in every PostHog container shape."""
    items = rec.items
    check_unique(items)
    sid = rec.session_id
    win_num = {k: i + 1 for i, k in enumerate(rec.windows)}
    srt = rec.sorted_items()
    ing = rec.ingestion_items()
    rng = random.Random(5005)

    # export 2023-04-28: small-integer windowId, sorted by timestamp
    snaps = []
    for it in srt:
        e = {"windowId": win_num[it["key"]]}
        e.update(it["event"])
        snaps.append(e)
    write_json(os.path.join(outdir, name + ".export.json"),
               {"version": "2023-04-28", "data": {"id": sid, "person": PERSON, "snapshots": snaps}})

    # export 2022-12-02: by window UUID, pretty-printed like the old exporter
    by_win = {k: [it["event"] for it in srt if it["key"] == k] for k in rec.windows}
    write_json(os.path.join(outdir, name + ".export-legacy.json"),
               {"version": "2022-12-02", "data": {"person": PERSON, "snapshotsByWindowId": by_win}},
               indent=2)

    # blob_v2 lines in ingestion order, plus one exact duplicate line
    lines = [dumps([it["key"], it["event"]]) for it in ing]
    dup_at = next(i for i, it in enumerate(ing)
                  if i > 10 and it["event"]["type"] == 3 and it["event"]["data"].get("type") == 7)
    lines.insert(dup_at + 3, lines[dup_at])
    blob = ("\n".join(lines) + "\n").encode("utf-8")
    write_bytes(os.path.join(outdir, name + ".blob.jsonl"), blob)
    write_bytes(os.path.join(outdir, name + ".blob.jsonl.gz"), gz(blob))

    # legacy v1 blob: {"window_id", "data":[...]} batches of consecutive same-window events
    v1, i = [], 0
    while i < len(ing):
        key = ing[i]["key"]
        n = rng.randrange(2, 6)
        batch = []
        while i < len(ing) and ing[i]["key"] == key and len(batch) < n:
            batch.append(ing[i]["event"])
            i += 1
        v1.append(dumps({"window_id": key, "data": batch}))
    write_lines(os.path.join(outdir, name + ".blob-v1.jsonl"), v1)

    # bare events carrying their own windowId
    bare = []
    for it in ing:
        e = {"windowId": it["key"]}
        e.update(it["event"])
        bare.append(dumps(e))
    write_lines(os.path.join(outdir, name + ".events.jsonl"), bare)

    # $snapshot analytics events, one per SDK capture
    caps = []
    for cap in rec.captures():
        first = cap[0]
        caps.append({"event": "$snapshot", "distinct_id": "test-user",
                     "properties": {"$snapshot_source": "mobile", "$session_id": sid,
                                    "$window_id": first["key"], "$lib": "posthog-android",
                                    "$snapshot_data": [it["event"] for it in cap]},
                     "timestamp": iso(first["event"]["timestamp"])})
    write_json(os.path.join(outdir, name + ".snapshots.json"), caps)

    # plain rrweb array: main window only
    main = rec.windows[0]
    write_json(os.path.join(outdir, name + "-main.rrweb.json"),
               [it["event"] for it in srt if it["key"] == main])

    m = manifest(sid, [(it["key"], it["event"]) for it in items])
    m["duplicate_lines_in_blob_jsonl"] = 1
    m["main_window_only_file"] = name + "-main.rrweb.json"
    write_json(os.path.join(outdir, name + ".expected.json"), m, indent=2)


def build_mobile_no_screen(outdir):
    """Two mobile sessions that carry touches but no wireframe at all (an SDK
    with screen capture off): one with its meta event (360x800), one without.
    $snapshot analytics events, $snapshot_source "mobile"."""
    t0 = T0_ANDROID + 3600000
    sid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    window = "0190a1b2-c3d4-7e5f-8a9b-1c2d3e4f5a6b"
    meta = ev(4, {"href": "CheckoutActivity", "width": 360, "height": 800}, t0)
    touches = [touch(t0 + 400, 7, 180, 420), touch(t0 + 480, 9, 180, 420),
               touch(t0 + 1500, 7, 90, 650), touch(t0 + 1800, 9, 270, 640),
               touch(t0 + 2600, 7, 300, 120), touch(t0 + 2690, 9, 300, 120),
               touch(t0 + 3000, 7, 40, 40), touch(t0 + 3050, 9, 40, 40)]

    def capture(events):
        return {"event": "$snapshot", "distinct_id": "test-user",
                "properties": {"$snapshot_source": "mobile", "$session_id": sid,
                               "$window_id": window, "$snapshot_data": events}}
    write_json(os.path.join(outdir, "touches-only.snapshots.json"),
               [capture([meta] + touches[:2])] + [capture(touches[i:i + 2]) for i in range(2, len(touches), 2)])
    write_json(os.path.join(outdir, "touches-no-meta.snapshots.json"),
               [capture(touches[i:i + 2]) for i in range(0, len(touches), 2)])


def ios_containers(outdir, name, rec):
    check_unique(rec.items)
    srt = rec.sorted_items()
    write_lines(os.path.join(outdir, name + ".blob.jsonl"),
                [dumps([it["key"], it["event"]]) for it in rec.ingestion_items()])
    caps = []
    for cap in rec.captures():
        first = cap[0]
        caps.append({"event": "$snapshot", "distinct_id": "test-user",
                     "properties": {"$snapshot_source": "mobile", "$session_id": rec.session_id,
                                    "$window_id": first["key"], "$lib": "posthog-ios",
                                    "$snapshot_data": [it["event"] for it in cap]},
                     "timestamp": iso(first["event"]["timestamp"])})
    write_json(os.path.join(outdir, name + ".snapshots.json"), caps)
    m = manifest(rec.session_id, [(it["key"], it["event"]) for it in srt])
    write_json(os.path.join(outdir, name + ".expected.json"), m, indent=2)


# ---------------------------------------------------------------------------
# Web (rrweb DOM)

class Dom:
    def __init__(self):
        self.named = {}

    def el(self, tag, attrs=None, *children, name=None):
        n = {"type": 2, "tagName": tag, "attributes": attrs or {}, "childNodes": list(children)}
        if name:
            self.named[name] = n
        return n

    def tx(self, text, name=None, style=False):
        n = {"type": 3, "textContent": text}
        if style:
            n["isStyle"] = True
        if name:
            self.named[name] = n
        return n

    @staticmethod
    def assign(node, counter):
        node["id"] = counter[0]
        counter[0] += 1
        for c in node.get("childNodes", []):
            Dom.assign(c, counter)

    def id(self, name):
        return self.named[name]["id"]


CSS = ("body{margin:0;font-family:system-ui,sans-serif;color:#1d1d1f}"
       "nav a{margin-right:16px;color:#0057b8}"
       ".btn{padding:12px 24px;border-radius:6px;border:0}"
       ".btn.primary{background:#0057b8;color:#fff}"
       ".btn.loading{opacity:.6}"
       "form#pay{display:grid;gap:12px;max-width:420px}"
       ".thank-you{font-size:24px;color:#107c10}")


def build_web_checkout():
    rng = random.Random(3003)
    T = T0_WEB
    win = uuid7(T - 2000, rng)
    href = "https://shop.example.test/checkout"
    D = Dom()
    doc = {"type": 0, "childNodes": [
        {"type": 1, "name": "html", "publicId": "", "systemId": ""},
        D.el("html", {"lang": "en"},
             D.el("head", {},
                  D.el("meta", {"charset": "utf-8"}),
                  D.el("title", {}, D.tx("Checkout")),
                  D.el("style", {}, D.tx(CSS, style=True))),
             D.el("body", {"class": "checkout"},
                  D.el("header", {},
                       D.el("nav", {},
                            D.el("a", {"href": "/"}, D.tx("Home")),
                            D.el("a", {"href": "/cart"}, D.tx("Cart (2)", name="cart_text"), name="cart"),
                            D.el("a", {"href": "/account"}, D.tx("Account")))),
                  D.el("main", {"id": "content"},
                       D.el("h1", {}, D.tx("Checkout"), name="h1"),
                       D.el("div", {"class": "promo-banner"}, D.tx("Free shipping over \u20ac50 \u2014 today only"),
                            name="promo"),
                       D.el("section", {"class": "summary"},
                            D.el("h3", {"class": "item-title"}, D.tx("Trail Runner 2 \u00d7 1"), name="item"),
                            D.el("img", {"src": "https://cdn.shop.example.test/img/1042.webp",
                                         "alt": "Trail Runner 2", "width": "120", "height": "120"},
                                 name="img"),
                            D.el("p", {"class": "total"}, D.tx("Total: 89,99 \u20ac"))),
                       D.el("form", {"id": "pay", "action": "/api/orders", "method": "post"},
                            D.el("label", {"for": "email"}, D.tx("Email")),
                            D.el("input", {"id": "email", "type": "email", "name": "email",
                                           "placeholder": "Email", "value": ""}, name="email"),
                            D.el("input", {"id": "coupon", "type": "text", "name": "coupon",
                                           "placeholder": "Coupon code", "value": ""}, name="coupon"),
                            D.el("p", {"class": "coupon-msg", "style": "display:none"}, name="coupon_msg"),
                            D.el("div", {"class": "card-field ph-no-capture",
                                         "rr_width": "320px", "rr_height": "48px"}),
                            D.el("button", {"id": "buy", "class": "btn primary", "type": "submit"},
                                 D.tx("Checkout", name="buy_text"), name="buy"),
                            name="form"),
                       name="main"),
                  D.el("footer", {}, D.tx("\u00a9 2024 Example Shop")),
                  name="body"))]}
    counter = [1]
    Dom.assign(doc, counter)
    next_id = counter[0]
    ids = {k: D.id(k) for k in D.named}

    events = []

    def add(e):
        events.append(e)

    def j(ms):
        return T + ms + rng.randrange(0, 5)

    add(ev(4, {"href": href, "width": 1280, "height": 720}, T))
    add(ev(2, {"node": doc, "initialOffset": {"left": 0, "top": 0}}, T + 4))
    add(ev(5, {"tag": "$pageview", "payload": {"href": href}}, T + 11))
    nav = {"name": href, "entryType": "navigation", "initiatorType": "navigation", "startTime": 0,
           "duration": 412.5, "transferSize": 5120, "responseStatus": 200, "method": "GET",
           "timeOrigin": T - 430, "timestamp": T - 430, "endTime": 412}
    res = [{"name": "https://shop.example.test/static/app.js", "entryType": "resource",
            "initiatorType": "script", "startTime": 120.4, "duration": 88.2, "transferSize": 48211,
            "responseStatus": 200, "method": "GET", "timeOrigin": T - 430, "timestamp": T - 310,
            "endTime": 209},
           {"name": "https://shop.example.test/static/app.css", "entryType": "resource",
            "initiatorType": "link", "startTime": 118.9, "duration": 40.7, "transferSize": 6230,
            "responseStatus": 200, "method": "GET", "timeOrigin": T - 430, "timestamp": T - 311,
            "endTime": 160}]
    add(ev(6, {"plugin": "rrweb/network@1", "payload": {"requests": [nav] + res, "isInitial": True}}, T + 30))

    def moves(start_ms, end_ms, p0, p1):
        """Mouse path p0→p1 sampled every 50 ms, flushed in batches every 500 ms."""
        n = (end_ms - start_ms) // 50
        pts = []
        for i in range(n + 1):
            k = i / float(n)
            x = p0[0] + (p1[0] - p0[0]) * k + rng.randrange(-3, 4)
            y = p0[1] + (p1[1] - p0[1]) * k + rng.randrange(-3, 4)
            pts.append((start_ms + i * 50, round(x * 4) / 4.0, round(y * 4) / 4.0))
        batch_end = start_ms + 500
        cur = []
        for (t, x, y) in pts:
            if t > batch_end and cur:
                flush(cur, batch_end)
                cur = []
                batch_end += 500
            cur.append((t, x, y))
        if cur:
            flush(cur, max(c[0] for c in cur))

    def flush(cur, at):
        add(ev(3, {"source": 1, "positions": [
            {"x": x, "y": y, "id": ids["body"], "timeOffset": t - at} for (t, x, y) in cur]}, T + at))

    def click(ms, name, x, y, focus=True, blur=None):
        nid = ids[name]
        add(ev(3, {"source": 2, "type": 1, "id": nid, "x": x, "y": y, "pointerType": 0}, T + ms))
        if blur:
            add(ev(3, {"source": 2, "type": 6, "id": ids[blur]}, T + ms + 1))
        if focus:
            add(ev(3, {"source": 2, "type": 5, "id": nid}, T + ms + 1))
        add(ev(3, {"source": 2, "type": 0, "id": nid, "x": x, "y": y, "pointerType": 0}, T + ms + 88))
        add(ev(3, {"source": 2, "type": 2, "id": nid, "x": x, "y": y, "pointerType": 0}, T + ms + 89))

    def console(ms, level, payload, trace=()):
        add(ev(6, {"plugin": "rrweb/console@1",
                   "payload": {"level": level, "trace": list(trace), "payload": payload}}, j(ms)))

    def net(ms, url, method, status, dur, size):
        start = T + ms - int(dur) - 2
        add(ev(6, {"plugin": "rrweb/network@1", "payload": {"requests": [{
            "name": url, "entryType": "resource", "initiatorType": "fetch",
            "startTime": float(start - (T - 430)), "duration": dur, "transferSize": size,
            "responseStatus": status, "status": status, "method": method, "timeOrigin": T - 430,
            "timestamp": start, "endTime": start - (T - 430) + int(dur)}]}}, T + ms))

    moves(600, 3100, (640, 420), (552.5, 318.25))
    click(3200, "email", 552.5, 318.25)
    for ms, n in ((4300, 5), (5600, 14), (7100, 21)):
        add(ev(3, {"source": 5, "id": ids["email"], "text": "*" * n, "isChecked": False,
                   "userTriggered": True}, j(ms)))
    console(7500, "log", ["\"Validating email\"", "{\"valid\":true,\"domain\":\"example.test\"}"],
            ["validate (https://shop.example.test/static/app.js:120:14)"])
    moves(7700, 8400, (560, 320), (552, 371))
    click(8450, "coupon", 552, 371, blur="email")
    add(ev(3, {"source": 5, "id": ids["coupon"], "text": "******", "isChecked": False,
               "userTriggered": True}, j(8900)))
    net(9300, "https://shop.example.test/api/coupons/SAVE10", "GET", 404, 61.3, 310)
    console(9320, "warn", ["\"Coupon not found:\"", "\"SAVE10\""],
            ["applyCoupon (https://shop.example.test/static/app.js:201:9)"])
    add(ev(3, {"source": 0, "texts": [],
               "attributes": [{"id": ids["coupon_msg"], "attributes": {"style": {"display": False, "color": "#b00020"}}}],
               "removes": [], "adds": [
                   {"parentId": ids["coupon_msg"], "nextId": None,
                    "node": {"type": 3, "textContent": "Coupon \u201cSAVE10\u201d is not valid", "id": next_id}}]},
           T + 9340))
    next_id += 1
    moves(10000, 12000, (552, 371), (700, 500))
    add(ev(3, {"source": 3, "id": 1, "x": 0, "y": 180}, j(11000)))
    add(ev(3, {"source": 3, "id": 1, "x": 0, "y": 320}, j(11500)))
    # double click on the item title
    ix, iy = 702.5, 188.75
    for k in (0, 180):
        add(ev(3, {"source": 2, "type": 1, "id": ids["item"], "x": ix, "y": iy, "pointerType": 0}, T + 12500 + k))
        add(ev(3, {"source": 2, "type": 0, "id": ids["item"], "x": ix, "y": iy, "pointerType": 0}, T + 12560 + k))
        add(ev(3, {"source": 2, "type": 2, "id": ids["item"], "x": ix, "y": iy, "pointerType": 0}, T + 12561 + k))
    add(ev(3, {"source": 2, "type": 4, "id": ids["item"], "x": ix, "y": iy, "pointerType": 0}, T + 12742))
    add(ev(3, {"source": 14, "ranges": [{"start": ids["item"] + 1, "startOffset": 0,
                                         "end": ids["item"] + 1, "endOffset": 5}]}, T + 12745))
    moves(13000, 13900, (702, 188), (760, 260))
    add(ev(3, {"source": 2, "type": 3, "id": ids["img"], "x": 760, "y": 262.5, "pointerType": 0}, T + 14000))
    add(ev(3, {"source": 4, "width": 1200, "height": 680}, j(16000)))
    add(ev(3, {"source": 0, "texts": [], "attributes": [],
               "removes": [{"parentId": ids["main"], "id": ids["promo"]}], "adds": []}, j(17000)))
    add(ev(3, {"source": 3, "id": 1, "x": 0, "y": 120}, j(17600)))
    moves(18000, 20400, (760, 262), (512, 402))
    click(20500, "buy", 512.25, 402.5, blur="coupon")
    add(ev(3, {"source": 0, "texts": [{"id": ids["buy_text"], "value": "Processing\u2026"}],
               "attributes": [{"id": ids["buy"], "attributes": {"class": "btn primary loading",
                                                               "disabled": ""}}],
               "removes": [], "adds": []}, T + 20700))
    net(21500, "https://shop.example.test/api/orders", "POST", 201, 794.8, 912)
    thanks = next_id
    add(ev(3, {"source": 0,
               "texts": [{"id": ids["cart_text"], "value": "Cart (0)"}],
               "attributes": [{"id": ids["form"], "attributes": {"class": "submitted"}},
                              {"id": ids["buy"], "attributes": {"class": "btn primary done", "disabled": None}}],
               "removes": [{"parentId": ids["form"], "id": ids["coupon_msg"]}],
               "adds": [{"parentId": ids["main"], "nextId": ids["form"],
                         "node": {"type": 2, "tagName": "div", "attributes": {"class": "thank-you", "role": "status"},
                                  "childNodes": [], "id": thanks}},
                        {"parentId": thanks, "nextId": None,
                         "node": {"type": 3, "textContent": "Thank you! Order #A-1042 is confirmed \u2714", "id": thanks + 1}}]},
           T + 22000))
    console(22100, "error", ["\"Uncaught TypeError: Cannot read properties of undefined (reading 'total')\""],
            ["renderReceipt (https://shop.example.test/static/app.js:318:22)",
             "onOrderCreated (https://shop.example.test/static/app.js:290:5)"])
    add(ev(5, {"tag": "$pageview", "payload": {"href": "https://shop.example.test/checkout/complete"}}, j(22500)))
    moves(23000, 26000, (512, 402), (300, 120))
    add(ev(3, {"source": 3, "id": 1, "x": 0, "y": 0}, j(26200)))
    console(27000, "log", ["\"order\"", "{\"id\":\"A-1042\",\"items\":1,\"note\":\"a \\\"quoted\\\" word\"}"])
    moves(30000, 33000, (300, 120), (980, 40))
    net(35000, "https://shop.example.test/api/recommendations?after=A-1042", "GET", 200, 143.0, 4310)
    moves(37000, 40000, (980, 40), (640, 360))
    events.sort(key=lambda e: e["timestamp"])
    return events, win


def compress_cv(value):
    raw = dumps(value).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0).decode("latin-1")


def decompress_cv(s):
    return json.loads(gzip.decompress(s.encode("latin-1")).decode("utf-8"))


def compress_event(e):
    if e["type"] == 2:
        out = {"type": 2, "data": compress_cv(e["data"]), "timestamp": e["timestamp"], "cv": "2024-10"}
    elif e["type"] == 3 and e["data"].get("source") == 0:
        d = {}
        for k, v in e["data"].items():
            d[k] = compress_cv(v) if k in ("texts", "attributes", "removes", "adds") else v
        out = {"type": 3, "data": d, "timestamp": e["timestamp"], "cv": "2024-10"}
    else:
        return e
    return out


def web_outputs(outdir, name):
    events, win = build_web_checkout()
    write_json(os.path.join(outdir, name + ".rrweb.json"), events)
    lines = [dumps([win, compress_event(e)]) for e in events]
    write_lines(os.path.join(outdir, name + ".compressed.jsonl"), lines)
    # round-trip check of the compressed file against the plain events
    with open(os.path.join(outdir, name + ".compressed.jsonl"), "rb") as f:
        back = [json.loads(l) for l in f.read().decode("utf-8").split("\n") if l]
    n_comp = 0
    for (w, e), orig in zip(back, events):
        if e.get("cv") == "2024-10":
            n_comp += 1
            if isinstance(e["data"], str):
                e["data"] = decompress_cv(e["data"])
            else:
                for k in ("texts", "attributes", "removes", "adds"):
                    if isinstance(e["data"].get(k), str):
                        e["data"][k] = decompress_cv(e["data"][k])
            del e["cv"]
        assert w == win and e == orig, "cv round trip failed at %r" % orig["timestamp"]
    assert len(back) == len(events)
    m = manifest("", [(win, e) for e in events], extra_web=True)
    del m["session_id"]
    m["compressed_events_in_jsonl"] = n_comp
    write_json(os.path.join(outdir, name + ".expected.json"), m, indent=2)


# ---------------------------------------------------------------------------
# Portable recorder

def build_portable(outdir):
    rng = random.Random(4004)
    T = T0_PORTABLE
    events = []
    url = "https://app.example.test/signup"

    def add(t, ty, data):
        events.append({"type": ty, "timestamp": T + t, "data": data})

    def moves(t0, t1, p0, p1):
        n = max(1, (t1 - t0) // 120)
        for i in range(n + 1):
            k = i / float(n)
            add(t0 + i * 120, "mousemove",
                {"x": int(p0[0] + (p1[0] - p0[0]) * k) + rng.randrange(-2, 3),
                 "y": int(p0[1] + (p1[1] - p0[1]) * k) + rng.randrange(-2, 3)})

    sel = "body > main > form#signup > "
    add(0, "initial_state", {"viewport": {"width": 1366, "height": 768}, "url": url,
                             "title": "Sign up \u2014 Example", "scroll": {"x": 0, "y": 0}})
    moves(400, 1800, (683, 384), (560, 300))
    add(1900, "click", {"x": 560, "y": 300, "target": sel + "input#name", "text": "", "tagName": "INPUT"})
    add(3100, "input", {"target": "input#name", "value": "Test User", "inputType": "text"})
    moves(3300, 3900, (560, 300), (560, 350))
    add(4000, "click", {"x": 560, "y": 350, "target": sel + "input#email", "text": "", "tagName": "INPUT"})
    add(5600, "input", {"target": "input#email", "value": "test-user@example.test", "inputType": "email"})
    add(6000, "console", {"level": "log", "message": "email looks valid"})
    moves(6200, 6800, (560, 350), (560, 400))
    add(6900, "click", {"x": 560, "y": 400, "target": sel + "input#password", "text": "", "tagName": "INPUT"})
    add(8300, "input", {"target": "input#password", "value": "[REDACTED]", "inputType": "password"})
    add(8500, "console", {"level": "warn", "message": "Password strength: weak (score 1/4)"})
    add(9400, "input", {"target": "input#password", "value": "[REDACTED]", "inputType": "password"})
    moves(9600, 10400, (560, 400), (600, 440))
    add(10600, "scroll", {"x": 0, "y": 120})
    # idle ~12 s
    add(22800, "scroll", {"x": 0, "y": 240})
    moves(23000, 24200, (600, 440), (640, 470))
    add(24300, "click", {"x": 640, "y": 470, "target": sel + "button.submit", "text": "Sign up",
                         "tagName": "BUTTON"})
    add(24310, "submit", {"target": "form#signup"})
    add(25100, "console", {"level": "error", "message": "POST /api/signup 409 (Conflict)"})
    add(25120, "promise_error", {"reason": "Error: Request failed with status code 409"})
    add(25900, "error", {"message": "Uncaught TypeError: Cannot read properties of null (reading 'focus')",
                         "source": "https://app.example.test/static/signup.js", "lineno": 88, "colno": 17,
                         "stack": "TypeError: Cannot read properties of null (reading 'focus')\n"
                                  "    at showError (https://app.example.test/static/signup.js:88:17)\n"
                                  "    at onSubmit (https://app.example.test/static/signup.js:61:5)"})
    moves(26500, 27700, (640, 470), (560, 350))
    add(27800, "click", {"x": 560, "y": 350, "target": sel + "input#email", "text": "", "tagName": "INPUT"})
    add(29500, "input", {"target": "input#email", "value": "test-user+2@example.test", "inputType": "email"})
    moves(29700, 30500, (560, 350), (640, 470))
    add(30600, "click", {"x": 640, "y": 470, "target": sel + "button.submit", "text": "Sign up",
                         "tagName": "BUTTON"})
    add(30610, "submit", {"target": "form#signup"})
    add(31800, "navigation", {"url": "https://app.example.test/welcome", "title": "Welcome \u2014 Example"})
    add(31900, "console", {"level": "info", "message": "onboarding step 1 of 3"})
    moves(32500, 36000, (640, 470), (300, 200))
    add(36100, "click", {"x": 300, "y": 200, "target": "body > main > nav > a.next", "text": "Next",
                         "tagName": "A"})
    add(36900, "navigation", {"url": "https://app.example.test/welcome/profile", "title": "Your profile"})
    add(38000, "scroll", {"x": 0, "y": 300})
    moves(38500, 42000, (300, 200), (700, 520))
    add(43000, "scroll", {"x": 0, "y": 0})
    moves(43200, 44800, (700, 520), (683, 384))
    events.sort(key=lambda e: e["timestamp"])
    rec = {"sessionId": "sess_5f2c9a7e1b3d4c60", "userId": "user_test_0001",
           "startTime": T, "endTime": events[-1]["timestamp"] + 200,
           "metadata": {"userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                     "Chrome/126.0.0.0 Safari/537.36",
                        "viewport": {"width": 1366, "height": 768}, "url": url},
           "events": events}
    write_json(os.path.join(outdir, "signup.json"), rec, indent=2)
    counts = {}
    for e in events:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    ts = [e["timestamp"] for e in events]
    gap = max((b - a, a, b) for a, b in zip(ts, ts[1:]))
    write_json(os.path.join(outdir, "signup.expected.json"), {
        "sessionId": rec["sessionId"], "userId": rec["userId"], "total_events": len(events),
        "events_by_type": dict(sorted(counts.items())), "startTime": rec["startTime"],
        "endTime": rec["endTime"], "first_timestamp": ts[0], "last_timestamp": ts[-1],
        "viewport": {"width": 1366, "height": 768},
        "urls": [url, "https://app.example.test/welcome", "https://app.example.test/welcome/profile"],
        "longest_gap_between_events": {"from": gap[1], "to": gap[2], "ms": gap[0]},
    }, indent=2)


# ---------------------------------------------------------------------------

README = """\
# fixtures/

Synthetic test recordings for reelay. **Everything here is made up** (apps, users,
URLs, images): no content comes from real recordings. All files except `bad/`
and `privacy/` are written by `python3 scripts/gen_fixtures.py` (deterministic:
running it again gives byte-identical files); `bad/` is written by
`scripts/gen_bad_fixtures.py`, `privacy/` by `scripts/gen_privacy_fixtures.py`.
Each `*.expected.json` holds the true counts of its recording, for tests.

## mobile/ — PostHog mobile (wireframe) recordings
- `android-shop.export.json` — Android-like shop session (~60 s, 411x914 dp, two windows: activity + error dialog; screen change, search with keyboard, swipes, two-finger touch, logcat, network incl. a 500, ~20 s idle) as a PostHog export v2023-04-28 (`windowId` 1, 2).
- `android-shop.export-legacy.json` — the same events as a legacy export v2022-12-02 (`snapshotsByWindowId`, pretty-printed).
- `android-shop.blob.jsonl` — the same events as blob_v2 lines `[windowUUID, event]` in ingestion order (slightly unsorted across windows) plus one exact duplicate line.
- `android-shop.blob.jsonl.gz` — gzip (mtime 0) of `android-shop.blob.jsonl`.
- `android-shop.blob-v1.jsonl` — the same events as legacy v1 blob lines `{"window_id", "data":[events]}`.
- `android-shop.events.jsonl` — the same events, one bare event per line with its own `windowId` (UUID).
- `android-shop.snapshots.json` — the same events as an array of `$snapshot` analytics events, one per SDK capture.
- `android-shop-main.rrweb.json` — plain rrweb array with only the main (activity) window's events.
- `android-shop.expected.json` — counts of the deduplicated Android session (types, touches, keyboard, console, network, windows, timestamps, longest idle gap).
- `ios-notes.blob.jsonl` — iOS-like notes session (~30 s, 390x844 pt, full snapshots only, pointer-sized ids, JPEG/WebP images resent every capture, UISwitch, float progress, ~8 s idle) as blob_v2 lines.
- `ios-notes.snapshots.json` — the same iOS events as `$snapshot` analytics events.
- `ios-notes.expected.json` — counts for the iOS session.
- `touches-only.snapshots.json` — a mobile session with touches and a meta event (360x800) but no wireframe (screen capture off); `touches-no-meta.snapshots.json` — the same touches without the meta event.
- `images/*.webp`, `images/*.jpg` — the small images embedded in the mobile recordings (drawn by the generator, encoded once with ffmpeg, kept so regeneration does not depend on the local ffmpeg/libwebp version).

## web/ — rrweb / posthog-js recordings
- `shop-checkout.rrweb.json` — plain rrweb array (~40 s, 1280x720): DOM full snapshot, mouse moves, clicks, double click, context menu, masked inputs, scrolls, viewport resize, mutations (incl. "Thank you" node, style-object attribute), console and network plugin events (one 404), `$pageview` custom events.
- `shop-checkout.compressed.jsonl` — the same events as `[windowUUID, event]` lines with full snapshot and mutations compressed like posthog-js `cv: "2024-10"`.
- `shop-checkout.expected.json` — counts for the web session.

## portable/ — portable-recorder JSON
- `signup.json` — a ~45 s signup flow (1366x768) with every portable event type and a ~12 s idle gap.
- `signup.expected.json` — counts by event type for `signup.json`.

## privacy/ — secrets in URLs
Written by `python3 scripts/gen_privacy_fixtures.py` (not by this script): web, portable and mobile recordings whose URLs carry made-up secrets (`NAME.secrets.*`), each beside twins that differ only in those URLs: `NAME.masked.*` with every secret already reading `[REDACTED]` (what reelay must show by default) and `NAME.cards.*` with card data as recorded (what `--unmask-inputs` must show). Used by `tests/cli/test_privacy.sh`.

## Long sessions (not committed)
`python3 scripts/gen_fixtures.py --minutes 10 --profile android --out /tmp/bench` writes
`/tmp/bench/android-10m.jsonl` (+ `.expected.json`), a blob_v2 JSONL session of that length;
`--profile ios` for an iOS one.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None, help="output directory (default: fixtures/ of the repo)")
    ap.add_argument("--minutes", type=float, default=None, help="write one long session of this length")
    ap.add_argument("--profile", choices=("android", "ios"), default="android")
    ap.add_argument("--name", default=None)
    ap.add_argument("--seed", type=int, default=None, help="seed for --minutes (default derived from args)")
    ap.add_argument("--reencode", action="store_true", help="re-encode images with ffmpeg, ignoring the cache")
    args = ap.parse_args()

    if args.minutes is not None:
        out = args.out or os.path.join(ROOT, "fixtures")
        name = args.name or "%s-%gm" % (args.profile, args.minutes)
        seed = args.seed if args.seed is not None else int(args.minutes * 1000) + (7 if args.profile == "ios" else 3)
        store = ImageStore(args.reencode, write_cache=False)
        try:
            if args.profile == "android":
                rec, _ = build_android_long(store, args.minutes, seed)
            else:
                rec, _ = build_ios_long(store, args.minutes, seed)
        finally:
            store.close()
        write_lines(os.path.join(out, name + ".jsonl"),
                    [dumps([it["key"], it["event"]]) for it in rec.ingestion_items()])
        m = manifest(rec.session_id, [(it["key"], it["event"]) for it in rec.items])
        write_json(os.path.join(out, name + ".expected.json"), m, indent=2)
    else:
        out = args.out or os.path.join(ROOT, "fixtures")
        store = ImageStore(args.reencode, write_cache=(args.out is None))
        try:
            rec, _ = build_android_shop(store)
            android_containers(os.path.join(out, "mobile"), "android-shop", rec)
            rec, _ = build_ios_notes(store)
            ios_containers(os.path.join(out, "mobile"), "ios-notes", rec)
            build_mobile_no_screen(os.path.join(out, "mobile"))
        finally:
            store.close()
        web_outputs(os.path.join(out, "web"), "shop-checkout")
        build_portable(os.path.join(out, "portable"))
        write_bytes(os.path.join(out, "README.md"), README.encode("utf-8"))

    for p in WRITTEN:
        print("%8d  %s" % (os.path.getsize(p), os.path.relpath(p, os.getcwd())))


if __name__ == "__main__":
    main()
