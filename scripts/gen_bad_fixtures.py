#!/usr/bin/env python3
"""Writes the bad-input corpus in fixtures/bad/ and its EXPECTED.tsv.

Each case is a small malformed recording and the substring reelay's error
message must contain (tests/cli/test_bad_inputs.sh checks exit code 2, the
message, the file name in it, and that nothing else is printed to stdout).
Deterministic; standard library only. Usage: python3 scripts/gen_bad_fixtures.py
"""
import gzip
import json
import os
import sys

sys.setrecursionlimit(10000)  # deep-wireframes.json nests 600 levels

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "bad")
T0 = 1700000000000
META = {"type": 4, "timestamp": T0, "data": {"width": 400, "height": 800, "href": "Main"}}
cases = []


def case(name, content, expect):
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(content)
    cases.append((name, expect))


def events(*evs):
    return json.dumps(list(evs)) + "\n"


def full_snapshot(wireframes):
    return {"type": 2, "timestamp": T0 + 1, "data": {"wireframes": wireframes, "initialOffset": {"top": 0, "left": 0}}}


def main():
    os.makedirs(OUT, exist_ok=True)
    case("truncated.json", '[{"type":4,"timestamp":1700000000000,"data":{"width":400,"height"', "line 1, column")
    case("empty.json", "", "the input is empty")
    case("whitespace-only.json", "\n\n   \n", "the input is empty")
    case("empty-array.json", "[]\n", "empty JSON array")
    case("not-json.txt", "hello, this is not a recording\n", "not a recording")
    case("missing-timestamp.json", '[{"type":4,"data":{"width":400,"height":800}}]\n', "[0]: timestamp: missing")
    case("negative-timestamp.json", '[{"type":4,"timestamp":-5,"data":{"width":400,"height":800}}]\n',
         "[0]: timestamp: negative time")
    case("string-type.json", '[{"type":"4","timestamp":1700000000000,"data":{"width":400,"height":800}}]\n',
         "[0]: type: expected an integer event type")
    case("data-not-object.json", '[{"type":4,"timestamp":1700000000000,"data":[1,2]}]\n', "[0]: data: expected an object")
    case("huge-number.json", '[{"type":4,"timestamp":1700000000000,"data":{"width":1e300,"height":800}}]\n',
         "data.width: number 1e+300 is out of range")
    case("bad-wireframe-id.json",
         events(META, full_snapshot([{"id": 1, "width": 400, "height": 800, "childWireframes": [
             {"id": "abc", "type": "text", "width": 10, "height": 10}]}])),
         "[1]: data.wireframes[0].childWireframes[0].id")
    deep = {"id": 1, "width": 10, "height": 10}
    node = deep
    for i in range(2, 602):  # deeper than the default --max-tree-depth (512)
        child = {"id": i, "width": 10, "height": 10}
        node["childWireframes"] = [child]
        node = child
    case("deep-wireframes.json", events(META, full_snapshot([deep])), "nested deeper than 512 levels (raise --max-tree-depth)")
    lines = [json.dumps(["w1", META]),
             '["w1",{"type":3,"timestamp":1700000000002,"data":{"source":2,"type":7,',
             json.dumps(["w1", {"type": 3, "timestamp": T0 + 3, "data": {"source": 2, "type": 9, "id": 0, "x": 1, "y": 2}}])]
    case("jsonl-bad-line.jsonl", "\n".join(lines) + "\n", "line 2, column")
    good = gzip.compress((json.dumps([META]) + "\n").encode(), mtime=0)
    case("corrupt.json.gz", good[:10] + bytes(b ^ 0x5A for b in good[10:]), "corrupt gzip data")
    case("truncated.json.gz", good[: len(good) // 2], "truncated gzip data")
    case("bad-compressed-payload.jsonl",
         json.dumps(["w1", META]) + "\n" +
         json.dumps(["w1", {"type": 2, "timestamp": T0 + 1, "cv": "2024-10", "data": "this is not gzip"}]) + "\n",
         "line 2.data: compressed payload does not start with the gzip signature")
    case("compressed-not-latin1.jsonl",
         json.dumps(["w1", META]) + "\n" +
         json.dumps(["w1", {"type": 2, "timestamp": T0 + 1, "cv": "2024-10", "data": "\u001f\u008b\u2603"}],
                    ensure_ascii=False) + "\n",
         "character above U+00FF")
    case("unsupported-export-version.json", '{"version":"1999-01-01","data":{"snapshots":[]}}\n',
         'unsupported PostHog export version "1999-01-01"')
    case("export-snapshots-not-array.json", '{"version":"2023-04-28","data":{"id":"s1","snapshots":{}}}\n',
         "data.snapshots: expected an array of events")
    case("positions-not-array.json",
         events(META, {"type": 3, "timestamp": T0 + 1, "data": {"source": 1, "positions": {"x": 1}}}),
         "[1]: data.positions: expected an array")
    case("unknown-interaction.json",
         events(META, {"type": 3, "timestamp": T0 + 1, "data": {"source": 2, "type": 99, "id": 0, "x": 1, "y": 1}}),
         "[1]: data.type: unknown mouse interaction type")
    case("snapshot-without-content.json",
         events(META, {"type": 2, "timestamp": T0 + 1, "data": {"initialOffset": {"top": 0, "left": 0}}}),
         "[1]: data: full snapshot has neither `node` nor `wireframes`")
    case("only-unknown-events.json", '[{"type":9999,"timestamp":1700000000000,"data":{}}]\n', "contains no events")
    case("unrecognised-object.json", '{"hello":"world"}\n', "unrecognised JSON object")
    portable = {"sessionId": "s1", "startTime": T0,
                "metadata": {"viewport": {"width": 800, "height": 600}, "url": "https://example.test/"},
                "events": [{"type": "initial_state", "timestamp": T0,
                            "data": {"viewport": {"width": 800, "height": 600}, "url": "https://example.test/"}},
                           {"type": "click", "timestamp": "yesterday", "data": {"x": 1, "y": 2}}]}
    case("portable-bad-timestamp.json", json.dumps(portable) + "\n", "events[1].timestamp")
    case("portable-events-not-array.json", '{"sessionId":"s1","startTime":1700000000000,"events":{}}\n',
         "events: expected an array")
    case("dom-node-without-id.json",
         events({"type": 4, "timestamp": T0, "data": {"width": 800, "height": 600, "href": "https://example.test/"}},
                {"type": 2, "timestamp": T0 + 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
                    {"type": 2, "tagName": "html", "attributes": {}, "childNodes": []}]},
                    "initialOffset": {"top": 0, "left": 0}}}),
         "[1]: data.node.childNodes[0].id")
    # Fault cases (tests/cli/test_faults.sh also renders every file here):
    # numbers out of range in geometry and time, and a cut compressed payload.
    case("wireframe-huge-x.json",
         events(META, full_snapshot([{"id": 1, "width": 400, "height": 800, "childWireframes": [
             {"id": 2, "x": 1e308, "y": -1e308, "width": 1e308, "height": 1e308}]}])),
         "[1]: data.wireframes[0].childWireframes[0].x: number 1e+308 is out of range")
    case("number-overflow.json",
         '[{"type":4,"timestamp":1700000000000,"data":{"width":1e400,"height":800}}]\n',
         "invalid JSON: real number overflow near '1e400'")
    case("huge-timestamp.json",
         events(META, {"type": 3, "timestamp": 1e300, "data": {"source": 2, "type": 7, "id": 0, "x": 1, "y": 1}}),
         "[1].timestamp: number 1e+300 is out of range")
    case("negative-viewport.json", '[{"type":4,"timestamp":1700000000000,"data":{"width":-400,"height":-800}}]\n',
         "[0]: data: negative viewport size")
    case("jsonl-negative-timestamp.jsonl",
         json.dumps(["w1", META]) + "\n" +
         json.dumps(["w1", {"type": 3, "timestamp": -1000, "data": {"source": 2, "type": 7, "id": 0, "x": 1, "y": 1}}])
         + "\n", "line 2: timestamp: negative time -1000")
    case("web-position-huge.json",
         events({"type": 4, "timestamp": T0, "data": {"width": 800, "height": 600, "href": "https://example.test/"}},
                {"type": 3, "timestamp": T0 + 1, "data": {"source": 1, "positions": [
                    {"x": 1e308, "y": -1e308, "id": 1, "timeOffset": 0}]}}),
         "[1]: data.positions[0].x: number 1e+308 is out of range")
    portable["events"][1] = {"type": "click", "timestamp": T0 + 1, "data": {"x": 1e308, "y": -1e308}}
    case("portable-huge-x.json", json.dumps(portable) + "\n", "events[1].data.x: number 1e+308 is out of range")
    portable["events"][1] = {"type": "click", "timestamp": -5, "data": {"x": 1, "y": 2}}
    case("portable-negative-timestamp.json", json.dumps(portable) + "\n", "events[1].timestamp: time -5 is negative")
    payload = gzip.compress(json.dumps({"wireframes": [], "initialOffset": {"top": 0, "left": 0}}).encode(), mtime=0)
    case("compressed-truncated.jsonl",
         json.dumps(["w1", META]) + "\n" +
         json.dumps(["w1", {"type": 2, "timestamp": T0 + 1, "cv": "2024-10",
                            "data": payload[: len(payload) // 2].decode("latin-1")}]) + "\n",
         "line 2.data: compressed payload: truncated gzip data")
    with open(os.path.join(OUT, "EXPECTED.tsv"), "w") as f:
        f.write("# file<TAB>substring the error message must contain (exit code 2, nothing on stdout)\n")
        for name, expect in cases:
            f.write(f"{name}\t{expect}\n")
    print(f"wrote {len(cases)} bad-input cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
