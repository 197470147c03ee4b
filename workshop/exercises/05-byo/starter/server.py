#!/usr/bin/env python3
# Exercise 5, the starter: a first "Hello, World" server in Python's
# standard library. It answers /plaintext, but not the way frameworth does.
# Run it, point the conformance runner at it, and fix what the FAIL lines
# name until every case of the `hello` group passes:
#
#   python3 workshop/exercises/05-byo/starter/server.py 8080
#   cargo run --release -p conformance -- --target http://127.0.0.1:8080 --groups hello
#
# Usage: python3 server.py [PORT]   (0 or nothing: a free port)
# Prints one line, `listening on http://127.0.0.1:PORT`, then serves.
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/plaintext":
            body = b"Hello, World!"
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
