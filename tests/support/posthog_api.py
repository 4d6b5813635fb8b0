#!/usr/bin/env python3
"""A loopback stand-in for PostHog's session recordings API, for
tests/cli/test_posthog_source.sh. Written from the shapes in
docs/research/posthog-recordings-api.md (PostHog's answers as its code
gives them), serving our own fixtures. Prints its port on the first line of
stdout; logs one line per request to LOG: method, path and query, whether
the key was right, and the status answered (never the key itself).

usage: posthog_api.py [--page-max N] [--no-cursor] LOG PROJECT KEY SESSION...

--page-max N answers at most N recordings per list page whatever the
limit asked (a client must page on has_next, not on counts); --no-cursor
answers as PostHog before next_cursor did (offset paging only).

SESSION is ID=PATH[,flag...]: recording ID is the JSON lines file PATH
([windowId, event] per line), stored as blocks of two lines (block 3 is an
empty heartbeat block, as PostHog's can be). Flags:
  flaky     its first block request answers 429 (Retry-After: 1), its
            second 503; later ones succeed
  lts       listed as one blob_v2_lts source instead of blob_v2 blocks
  legacy    listed only as legacy "blob" sources (PostHog before blob_v2)
  empty     no sources at all
  unlisted  not in the list (still readable by id)
  errors    has console errors (console_error_count 1)

Routes (/api/projects/{PROJECT|@current}/ or /api/environments/{PROJECT}/,
trailing '/' optional):
  session_recordings                 the list: limit (default 50), offset,
                                     after (cursor), date_from (default -3d),
                                     date_to, person_uuid, distinct_ids,
                                     having_predicates (duration), console_log_filters;
                                     unknown parameters are a 400, as PostHog's strict query model
  session_recordings/ID              the recording, or 404 "Recording not found"
  session_recordings/ID/snapshots    without source: {"sources": [...]};
                                     source=blob_v2&start_blob_key=A&end_blob_key=B: blocks A..B as
                                     application/jsonl (400 when B - A > 20, 404 when B is past the end);
                                     source=blob_v2_lts&blob_key=PATH: the whole recording
Auth: "Authorization: Bearer KEY"; none: 401 not_authenticated; another: 401
authentication_failed; another project: 403.
"""
import base64
import datetime
import http.server
import json
import re
import socketserver
import sys
import threading
import urllib.parse

args = sys.argv[1:]
page_max, cursors = None, True
while args and args[0].startswith("--"):
    option = args.pop(0)
    if option == "--page-max":
        page_max = int(args.pop(0))
    elif option == "--no-cursor":
        cursors = False
    else:
        sys.exit("unknown option " + option)
log = open(args[0], "a", buffering=1)
project = args[1]
key = args[2]
lock = threading.Lock()

BLOCK_LINES = 2
EMPTY_BLOCK = 3
KNOWN_LIST_PARAMS = {
    "date_from", "date_to", "person_uuid", "distinct_ids", "having_predicates", "console_log_filters", "limit",
    "offset", "after", "order", "order_direction", "session_ids", "events", "actions", "properties",
    "filter_test_accounts", "operand", "session_recording_id", "as_query", "version", "hogql_filtering",
}


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Recording:
    def __init__(self, index, spec):
        ident, rest = spec.split("=", 1)
        path, *flags = rest.split(",")
        self.id = ident
        self.flags = set(flags)
        self.lines = [l for l in open(path, "rb").read().split(b"\n") if l.strip()]
        stamps = []
        for line in self.lines:
            item = json.loads(line)
            event = item[1] if isinstance(item, list) else item
            if isinstance(event, dict) and isinstance(event.get("timestamp"), (int, float)):
                stamps.append(event["timestamp"])
        self.start, self.end = min(stamps), max(stamps)
        self.blocks = [self.lines[i:i + BLOCK_LINES] for i in range(0, len(self.lines), BLOCK_LINES)]
        self.blocks.insert(EMPTY_BLOCK, [])
        self.person_uuid = "0190%04x-0000-7000-8000-%012x" % (index, index)
        self.distinct_id = "user-%d" % index
        self.lts_path = "session_recordings/lts/%s" % ident
        self.block_requests = 0

    def metadata(self):
        duration = int(round((self.end - self.start) / 1000))
        return {
            "id": self.id, "distinct_id": self.distinct_id, "viewed": False, "viewers": [],
            "recording_duration": duration, "active_seconds": duration, "inactive_seconds": 0,
            "start_time": iso(self.start), "end_time": iso(self.end), "click_count": 0, "keypress_count": 0,
            "mouse_activity_count": 0, "console_log_count": 0, "console_warn_count": 0,
            "console_error_count": 1 if "errors" in self.flags else 0, "start_url": None,
            "person": {"id": 1, "name": self.distinct_id, "distinct_ids": [self.distinct_id], "properties": {},
                       "created_at": iso(self.start), "uuid": self.person_uuid},
            "retention_period_days": 30, "expiry_time": None, "recording_ttl": 30, "snapshot_source": "web",
            "snapshot_library": "test", "ongoing": False, "activity_score": None, "has_summary": False,
            "summary_outcome": None, "external_references": [], "matches_filters": True,
        }

    def sources(self):
        if "empty" in self.flags:
            return []
        if "legacy" in self.flags:
            return [{"source": "blob", "start_timestamp": iso(self.start), "end_timestamp": iso(self.end),
                     "blob_key": "1718000000000-1718000100000"}]
        if "lts" in self.flags:
            return [{"source": "blob_v2_lts", "start_timestamp": None, "end_timestamp": None,
                     "blob_key": self.lts_path}]
        return [{"source": "blob_v2", "start_timestamp": iso(self.start), "end_timestamp": iso(self.end),
                 "blob_key": str(i)} for i in range(len(self.blocks))]

    def body(self, first, last):
        # PostHog joins its decompressed blocks (each ending in a newline)
        # and strips the last newline.
        data = b"".join(line + b"\n" for block in self.blocks[first:last + 1] for line in block)
        return data.rstrip(b"\n")


recordings = [Recording(i + 1, spec) for i, spec in enumerate(args[3:])]
by_id = {r.id: r for r in recordings}


def parse_date(text, now):
    m = re.fullmatch(r"-(\d+)([hdwmy])", text)
    if m:
        hours = {"h": 1, "d": 24, "w": 168, "m": 720, "y": 8760}[m.group(2)] * int(m.group(1))
        return now - hours * 3600 * 1000
    text = text.replace("Z", "+00:00")
    when = datetime.datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp() * 1000


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json", extra=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        log.write("GET %s auth=%s status=%d\n" % (self.path, self.auth, status))

    def error(self, status, type_, code, detail, extra=()):
        self.answer(status, {"type": type_, "code": code, "detail": detail, "attr": None}, extra=extra)

    def do_GET(self):
        header = self.headers.get("Authorization", "")
        self.auth = "none" if not header else "ok" if header == "Bearer " + key else "wrong"
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        m = re.fullmatch(r"/api/(projects|environments)/([^/]+)/session_recordings(?:/([^/]+))?(/snapshots)?/?",
                         url.path)
        if self.auth == "none":
            return self.error(401, "authentication_error", "not_authenticated",
                              "Authentication credentials were not provided.")
        if self.auth == "wrong":
            return self.error(401, "authentication_error", "authentication_failed",
                              "Personal API key found in request Authorization header is invalid.")
        if not m:
            return self.error(404, "invalid_request", "not_found", "Endpoint not found.")
        if m.group(2) not in (project, "@current"):
            return self.error(403, "authentication_error", "permission_denied",
                              "API key does not have access to the requested project: ID %s." % m.group(2))
        ident, snapshots = m.group(3), m.group(4)
        if ident is None:
            return self.list(query)
        recording = by_id.get(ident)
        if recording is None:
            return self.error(404, "invalid_request", "not_found", "Recording not found")
        if not snapshots:
            return self.answer(200, recording.metadata())
        source = query.get("source")
        if source is None:
            return self.answer(200, {"sources": recording.sources()})
        if source == "blob_v2_lts":
            if "lts" not in recording.flags or query.get("blob_key") != recording.lts_path:
                return self.error(404, "invalid_request", "not_found", "Recording not found")
            return self.answer(200, recording.body(0, len(recording.blocks) - 1), "application/jsonl")
        if source != "blob_v2":
            return self.error(400, "validation_error", "invalid_input",
                              "Invalid source must be one of [blob_v2, blob_v2_ts, None]")
        if "start_blob_key" not in query or "end_blob_key" not in query:
            return self.error(400, "validation_error", "invalid_input",
                              "Must provide both start blob key and end blob key")
        try:
            first, last = int(query["start_blob_key"]), int(query["end_blob_key"])
        except ValueError:
            return self.error(400, "validation_error", "invalid_input", "Blob keys must be integers")
        if last - first > 20:
            return self.error(400, "validation_error", "invalid_input", "Cannot request more than 20 blob keys at once")
        if last >= len(recording.blocks) or "blob_v2" != recording.sources()[0]["source"]:
            return self.error(404, "invalid_request", "not_found", "Block index out of range")
        with lock:
            recording.block_requests += 1
            n = recording.block_requests
        if "flaky" in recording.flags and n == 1:
            return self.error(429, "throttled_error", "throttled",
                              "Request was throttled. Expected available in 1 second.", [("Retry-After", "1")])
        if "flaky" in recording.flags and n == 2:
            return self.answer(503, {"error": "ClickHouse over capacity. Please retry"})
        return self.answer(200, recording.body(first, last), "application/jsonl")

    def list(self, query):
        unknown = set(query) - KNOWN_LIST_PARAMS
        if unknown:
            return self.error(400, "validation_error", "invalid_input",
                              json.dumps([{"type": "extra_forbidden", "loc": [k]} for k in sorted(unknown)]))
        # PostHog json-decodes every parameter that is JSON
        params = {}
        for k, v in query.items():
            try:
                params[k] = json.loads(v)
            except ValueError:
                params[k] = v
        now = datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000
        try:
            since = parse_date(str(params.get("date_from", "-3d")), now)
            until = parse_date(str(params["date_to"]), now) if params.get("date_to") else None
        except ValueError as e:
            return self.error(400, "validation_error", "invalid_input", str(e))
        chosen = []
        for r in sorted(recordings, key=lambda r: (r.start, r.id), reverse=True):
            if "unlisted" in r.flags or r.start < since or (until is not None and r.start > until):
                continue
            if "distinct_ids" in params:
                if not isinstance(params["distinct_ids"], list) or r.distinct_id not in params["distinct_ids"]:
                    continue
            elif "person_uuid" in params and params["person_uuid"] != r.person_uuid:
                continue
            keep = True
            for p in params.get("having_predicates", []):
                if p.get("type") != "recording" or p.get("key") != "duration":
                    return self.error(400, "validation_error", "invalid_input", "unsupported predicate")
                duration = r.metadata()["recording_duration"]
                op, value = p.get("operator"), p.get("value")
                keep = keep and {"gt": duration > value, "gte": duration >= value, "lt": duration < value,
                                 "lte": duration <= value}[op]
            for f in params.get("console_log_filters", []):
                if f != {"type": "log_entry", "key": "level", "operator": "exact", "value": ["error"]}:
                    return self.error(400, "validation_error", "invalid_input", "unsupported log filter")
                keep = keep and "errors" in r.flags
            if keep:
                chosen.append(r)
        limit = int(params.get("limit", 50))
        offset = int(params.get("offset", 0))
        if page_max:
            limit = min(limit, page_max)
        if "after" in params:
            if not cursors:
                return self.error(400, "validation_error", "invalid_input", "[{\"loc\": [\"after\"]}]")
            offset = int(base64.b64decode(str(params["after"])).decode().split(":")[1])
        page = chosen[offset:offset + limit]
        has_next = offset + limit < len(chosen)
        body = {"results": [r.metadata() for r in page], "has_next": has_next, "version": 4}
        if has_next and cursors:
            body["next_cursor"] = base64.b64encode(("%s:%d" % (page[-1].id, offset + limit)).encode()).decode()
        return self.answer(200, body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that hung up (curl ending a kept-alive connection) is no news
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
