#!/usr/bin/python3
"""A loopback HTTP server with endpoints that misbehave on purpose, for the
engine's failure-case tests (standard library only).

    misc.py PORT

  GET  /ok            200 "OK"
  GET  /sleep?ms=N    waits N ms, then 200
  GET  /status500     500
  GET  /badjson       200 with a body that is not JSON
  GET  /pending       200 {"state": "PENDING"} forever
  POST /echo          200 echoing the request headers and body as JSON
  GET  /setcookie     200 with Set-Cookie: sid=<n>
  GET  /needcookie    200 if the request has the cookie sid, else 401
  GET  /flaky?n=N     503 for the first N calls per path+query, then 200
  GET  /okko?ms=N     alternates per path+query: odd calls 500 at once, even
                      calls wait N ms, then 200 (fast failures beside slow
                      successes)
  GET  /hit?k=NAME    counts a hit under NAME; /hits?k=NAME returns the count
  PUT  /echo          as POST
  GET  /redirect      302 to /ok with a Location header
  GET  /who?u=N       records user number N; /whos returns {"N": hits, ...}
Binds 127.0.0.1 only.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle(self):
        # Clients that time out close early on purpose: not an error here.
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, code, body, ctype="text/plain", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        if u.path == "/ok":
            self.send(200, "OK")
        elif u.path == "/sleep":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000.0)
            self.send(200, "slept")
        elif u.path == "/status500":
            self.send(500, "boom")
        elif u.path == "/badjson":
            self.send(200, "{not json", "application/json")
        elif u.path == "/pending":
            self.send(200, json.dumps({"state": "PENDING"}), "application/json")
        elif u.path == "/setcookie":
            with lock:
                counts["sid"] = counts.get("sid", 0) + 1
                n = counts["sid"]
            self.send(200, "set", extra={"Set-Cookie": "sid=%d; Path=/" % n})
        elif u.path == "/needcookie":
            ok = "sid=" in (self.headers.get("Cookie") or "")
            self.send(200 if ok else 401, "cookie" if ok else "no cookie")
        elif u.path == "/hit":
            with lock:
                key = "hit:" + q.get("k", [""])[0]
                counts[key] = counts.get(key, 0) + 1
            self.send(200, "hit")
        elif u.path == "/hits":
            with lock:
                n = counts.get("hit:" + q.get("k", [""])[0], 0)
            self.send(200, str(n))
        elif u.path == "/who":
            with lock:
                who = counts.setdefault("who", {})
                n = q.get("u", [""])[0]
                who[n] = who.get(n, 0) + 1
            self.send(200, "OK")
        elif u.path == "/whos":
            with lock:
                self.send(200, json.dumps(counts.get("who", {})), "application/json")
        elif u.path == "/redirect":
            self.send(302, "moved", extra={"Location": "/ok?id=42"})
        elif u.path == "/flaky":
            with lock:
                counts[self.path] = counts.get(self.path, 0) + 1
                n = counts[self.path]
            self.send(503 if n <= int(q.get("n", ["1"])[0]) else 200, "flaky")
        elif u.path == "/okko":
            with lock:
                counts[self.path] = counts.get(self.path, 0) + 1
                n = counts[self.path]
            if n % 2:
                self.send(500, "fast failure")
            else:
                time.sleep(int(q.get("ms", ["300"])[0]) / 1000.0)
                self.send(200, "slow success")
        else:
            self.send(404, "not found")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        if urlparse(self.path).path == "/echo":
            self.send(200, json.dumps({"headers": dict(self.headers.items()),
                                       "body": body, "path": self.path,
                                       "method": self.command}),
                      "application/json", {"X-Echo": "yes"})
        else:
            self.send(404, "not found")

    do_PUT = do_POST


def main():
    port = int(sys.argv[1])
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
