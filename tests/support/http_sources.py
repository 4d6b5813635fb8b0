#!/usr/bin/env python3
"""A loopback HTTP server for tests/cli/test_http_source.sh: serves a
recording and the faults an http(s) input must survive. Prints its port on
the first line of stdout, then logs one line per request (method, path with
query) to the file named by its second argument.

usage: http_sources.py RECORDING LOG

  /rec/NAME          the recording (any NAME), 200
  /redirect/N/NAME   302 to /redirect/N-1/NAME, ending at /rec/NAME
  /loop              302 to itself
  /to-file           302 to file:///etc/passwd
  /missing           404
  /huge              200, 64 MiB of spaces (no Content-Length), sent quickly
  /huge-announced    200, Content-Length 64 MiB, a few bytes sent
  /short             200, Content-Length twice the recording, the recording sent, then closed
  /stall             200, headers and 10 bytes, then nothing until the client leaves
  /busy/NAME         the first request for NAME: 503; the second: 429 with Retry-After: 1; then the recording
  /elsewhere/NAME    302 to /other/NAME (404)
"""
import http.server
import socketserver
import sys
import time

recording = open(sys.argv[1], "rb").read()
log = open(sys.argv[2], "a", buffering=1)
busy_tries = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def head(self, status, length=None, extra=()):
        self.send_response(status)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()

    def do_GET(self):
        log.write("GET %s auth=%s\n" % (self.path, "yes" if self.headers.get("Authorization") else "no"))
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/rec/"):
                self.head(200, len(recording))
                self.wfile.write(recording)
            elif path.startswith("/redirect/"):
                _, _, n, name = path.split("/", 3)
                n = int(n)
                target = "/rec/%s" % name if n <= 1 else "/redirect/%d/%s" % (n - 1, name)
                self.head(302, 0, [("Location", target)])
            elif path.startswith("/busy/"):
                tries = busy_tries.get(path, 0)
                busy_tries[path] = tries + 1
                if tries == 0:
                    self.head(503, 0)
                elif tries == 1:
                    self.head(429, 0, [("Retry-After", "1")])
                else:
                    self.head(200, len(recording))
                    self.wfile.write(recording)
            elif path.startswith("/elsewhere/"):
                self.head(302, 0, [("Location", "/other/" + path.split("/", 2)[2])])
            elif path == "/loop":
                self.head(302, 0, [("Location", "/loop")])
            elif path == "/to-file":
                self.head(302, 0, [("Location", "file:///etc/passwd")])
            elif path == "/missing":
                body = b"not here"
                self.head(404, len(body))
                self.wfile.write(body)
            elif path == "/huge":
                self.head(200)
                chunk = b" " * 65536
                for _ in range(1024):
                    self.wfile.write(chunk)
            elif path == "/huge-announced":
                self.head(200, 64 << 20)
                self.wfile.write(b"[")
            elif path == "/short":
                self.head(200, 2 * len(recording))
                self.wfile.write(recording)
            elif path == "/stall":
                self.head(200, 1000)
                self.wfile.write(b"[         ")
                self.wfile.flush()
                time.sleep(60)
            else:
                self.head(404, 0)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
