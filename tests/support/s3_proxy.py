#!/usr/bin/env python3
"""A loopback proxy for tests/cli/test_s3.sh that checks AWS Signature V4
before an S3-compatible server (s3rver) sees a request, since s3rver
checks only the access key id. Or, with --store, a stand-in for a
presigned-URL target that keeps what is PUT to it.

Prints its port on the first line of stdout, then logs one line per request
("METHOD PATH?QUERY STATUS", then " token" when it carried a session token)
to LOG.

usage: s3_proxy.py --log LOG --upstream PORT --key ID:SECRET [--slow S]
       s3_proxy.py --log LOG --store DIR [--slow S]

Signature check (as S3 does it): the Authorization header's scope, the
signed headers (host, x-amz-date and x-amz-content-sha256 among them,
each present), the canonical request rebuilt from what arrived (the path
decoded and encoded again, the query sorted and encoded, so a request that
is not canonical as sent fails too), and the payload's SHA-256 against
x-amz-content-sha256. A mismatch answers 403 with S3's error document.

--slow S: request bodies are read 16 KiB at a time, S seconds apart, a
"METHOD PATH started" line logged first (a client killed meanwhile leaves a
request cut short, never forwarded).
--store DIR: PUT /NAME?QUERY keeps the body as DIR/NAME (written aside,
then renamed, only when the whole body arrived); the query is logged.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import http.server
import os
import socketserver
import sys
import time
import urllib.parse

args = None
log = None

ERROR = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
         "<Resource>%s</Resource></Error>")


def quote(text, safe):
    return urllib.parse.quote(text, safe=safe)


def canonical_query(query):
    pairs = []
    for item in query.split("&") if query else []:
        name, _, value = item.partition("=")
        pairs.append((quote(urllib.parse.unquote(name), "-_.~"), quote(urllib.parse.unquote(value), "-_.~")))
    return "&".join("%s=%s" % p for p in sorted(pairs))


def signing_key(secret, date, region):
    key = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        token = " token" if self.headers.get("x-amz-security-token") else ""
        log.write("%s %s %d%s\n" % (self.command, self.path, status, token))

    def refuse(self, status, code, message):
        body = (ERROR % (code, message, self.path.split("?")[0])).encode()
        self.answer(status, body, [("Content-Type", "application/xml"), ("Connection", "close")])
        self.close_connection = True

    def body_chunks(self):
        """The request body, 16 KiB at a time (slowly with --slow)."""
        left = int(self.headers.get("Content-Length") or 0)
        if args.slow and left:
            log.write("%s %s started\n" % (self.command, self.path))
        while left > 0:
            chunk = self.rfile.read(min(left, 16384))
            if not chunk:
                raise ConnectionError("the client left")
            left -= len(chunk)
            yield chunk
            if args.slow:
                time.sleep(args.slow)

    def check_signature(self, body_hash):
        """None when the signature is right, else (code, message)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return ("AccessDenied", "no AWS Signature V4")
        fields = {}
        for item in auth[len("AWS4-HMAC-SHA256 "):].split(","):
            k, _, v = item.strip().partition("=")
            fields[k] = v
        try:
            key_id, date, region, service, terminal = fields["Credential"].split("/")
            signed = fields["SignedHeaders"].split(";")
            signature = fields["Signature"]
        except (KeyError, ValueError):
            return ("AuthorizationHeaderMalformed", "malformed Authorization")
        if key_id != args.key_id:
            return ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        if service != "s3" or terminal != "aws4_request":
            return ("AuthorizationHeaderMalformed", "wrong scope")
        for need in ("host", "x-amz-date", "x-amz-content-sha256"):
            if need not in signed:
                return ("AccessDenied", "%s is not signed" % need)
        if self.headers.get("x-amz-security-token") and "x-amz-security-token" not in signed:
            return ("AccessDenied", "x-amz-security-token is not signed")
        amz_date = self.headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return ("AccessDenied", "bad x-amz-date")
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900 or amz_date[:8] != date:
            return ("RequestTimeTooSkewed", "x-amz-date is off")
        lines = []
        for name in signed:
            value = self.headers.get(name)
            if value is None:
                return ("AccessDenied", "signed header %s is missing" % name)
            lines.append("%s:%s\n" % (name, " ".join(value.split())))
        claimed = self.headers.get("x-amz-content-sha256")
        if claimed != "UNSIGNED-PAYLOAD" and claimed != body_hash:
            return ("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match")
        path, _, query = self.path.partition("?")
        canonical = "\n".join([self.command, quote(urllib.parse.unquote(path), "/-_.~"), canonical_query(query),
                               "".join(lines), ";".join(signed), claimed])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, "%s/%s/s3/aws4_request" % (date, region),
                             hashlib.sha256(canonical.encode()).hexdigest()])
        want = hmac.new(signing_key(args.secret, date, region), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, signature):
            return ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature "
                    "you provided. Check your key and signing method.")
        return None

    def proxy(self):
        try:
            body = b"".join(self.body_chunks())
        except ConnectionError:
            log.write("%s %s cut\n" % (self.command, self.path))
            self.close_connection = True
            return
        refused = self.check_signature(hashlib.sha256(body).hexdigest())
        if refused:
            return self.refuse(403, *refused)
        upstream = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("expect", "connection")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        reply = upstream.getresponse()
        data = reply.read()
        keep = [(k, v) for k, v in reply.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server")]
        upstream.close()
        self.answer(reply.status, data, keep)

    def store(self):
        name = os.path.basename(urllib.parse.unquote(self.path.split("?")[0])) or "unnamed"
        final = os.path.join(args.store, name)
        aside = final + ".incoming"
        try:
            with open(aside, "wb") as f:
                for chunk in self.body_chunks():
                    f.write(chunk)
        except ConnectionError:
            os.unlink(aside)
            log.write("%s %s cut\n" % (self.command, self.path))
            self.close_connection = True
            return
        os.rename(aside, final)
        self.answer(200, b"", [("ETag", '"stored"')])

    def handle_any(self):
        if args.store:
            if self.command == "PUT":
                return self.store()
            return self.refuse(405, "MethodNotAllowed", "only PUT here")
        return self.proxy()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request is what some tests do


def main():
    global args, log
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--upstream", type=int)
    parser.add_argument("--key", default="S3RVER:S3RVER")
    parser.add_argument("--store")
    parser.add_argument("--slow", type=float, default=0)
    args = parser.parse_args()
    args.key_id, _, args.secret = args.key.partition(":")
    log = open(args.log, "a", buffering=1)
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
