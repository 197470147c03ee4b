#!/usr/bin/env python3
# Exercise 5, one answer: frameworth's "Hello, World" pair in Python's
# standard library, passing `cargo run --release -p conformance --
# --target http://127.0.0.1:PORT --groups hello`.
#
# Usage: python3 server.py [PORT]   (0 or nothing: a free port)
# Prints one line, `listening on http://127.0.0.1:PORT`, then serves.
import json
import re
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
PROBLEM = "application/problem+json"
# What frameworth echoes as a request id; anything else gets a fresh UUID v4.
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

ROUTES = {
    "/plaintext": (TEXT, b"Hello, World!"),
    "/json": (JSON, json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()),
}


def problem(slug, title, status, detail):
    body = {"type": f"urn:frameworth:problem:{slug}", "title": title, "status": status, "detail": detail}
    return PROBLEM, json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1: keep-alive, so every answer needs its Content-Length.
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "frameworth"

    def log_message(self, *args):
        pass  # quiet, like frameworth's servers by default

    def answer(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)  # read and drop a body nobody asked for
        # The target as sent: `self.path` has `//plaintext` collapsed to
        # `/plaintext` (a safety measure of http.server), which frameworth
        # answers 404.
        target = self.requestline.split(" ")[1]
        path = target.split("?", 1)[0]
        extra = {}
        if path not in ROUTES:
            status = 404
            content_type, body = problem("not-found", "Not Found", 404, f"no endpoint matches the path {path}")
        elif self.command not in ("GET", "HEAD"):
            status, extra = 405, {"allow": "GET,HEAD"}
            content_type, body = problem(
                "method-not-allowed", "Method Not Allowed", 405,
                f"method {self.command} is not allowed on {path}")
        else:
            status = 200
            content_type, body = ROUTES[path]
        incoming = self.headers.get("x-request-id", "")
        request_id = incoming if SANE_ID.match(incoming) else str(uuid.uuid4())
        self.send_response(status)  # also sends Server and Date
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("x-request-id", request_id)
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = answer


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
