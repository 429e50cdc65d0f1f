#!/usr/bin/python3
"""A loopback server that misbehaves on purpose, below and above HTTP, for
herd's reliability tests (standard library only).

    hostile.py PORT TLS_PORT CERT KEY

Paths on PORT (plain HTTP/1.1; one request per connection, and the
well-formed answers say "Connection: close"):
  /silent        accepts, reads the request, never answers
  /stall-body    headers with Content-Length 1000, 10 bytes, then silence
  /reset         headers and half a body, then a TCP reset
  /close-status  the status line, then the connection closes
  /huge          a 50 MB body (Content-Length)
  /endless       a chunked body that never ends
  /bad-status    a malformed status line
  /bad-chunk     an invalid chunk size
  /redirect-loop 302 to itself
  /gzip-bomb     200, Content-Encoding: gzip, a small body that inflates
                 to 1 GiB
  /deep-json     200 with JSON nested 100,000 levels deep
  /pending       200 {"state": "PENDING"} forever
  /ok            200 OK
  /status/HEX    the status line HEX (hex-encoded bytes), then an empty
                 response that closes
On TLS_PORT: the TCP connection is accepted and the TLS handshake stalls
for 10 s (then closes). Binds 127.0.0.1 only.
"""
import gzip
import socket
import struct
import sys
import threading
import time

BOMB = None


def gzip_bomb():
    global BOMB
    if BOMB is None:
        # A gzip stream may hold many members: 1024 copies of one member
        # of 1 MiB of zeros inflate to 1 GiB.
        BOMB = gzip.compress(b"\0" * (1 << 20), 9) * 1024
    return BOMB


def send(c, data):
    try:
        c.sendall(data)
        return True
    except OSError:
        return False


def handle(c):
    try:
        c.settimeout(60)
        req = b""
        while b"\r\n\r\n" not in req:
            d = c.recv(65536)
            if not d:
                return
            req += d
        path = req.split(b" ", 2)[1].decode("latin-1").split("?")[0]
        if path == "/silent":
            time.sleep(30)
        elif path == "/stall-body":
            send(c, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            time.sleep(30)
        elif path == "/reset":
            send(c, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 500)
            time.sleep(0.05)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path == "/close-status":
            send(c, b"HTTP/1.1 200 OK\r\n")
        elif path == "/huge":
            n = 50 * 1024 * 1024
            if send(c, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n):
                block = b"y" * 65536
                for _ in range(n // len(block)):
                    if not send(c, block):
                        break
        elif path == "/endless":
            if send(c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"):
                block = b"10000\r\n" + b"z" * 65536 + b"\r\n"
                end = time.time() + 30
                while time.time() < end and send(c, block):
                    pass
        elif path == "/bad-status":
            send(c, b"HTTP/1.1 OK-ish\r\nContent-Length: 0\r\n\r\n")
        elif path == "/bad-chunk":
            send(c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\nhello\r\n0\r\n\r\n")
        elif path == "/redirect-loop":
            send(c, b"HTTP/1.1 302 Found\r\nConnection: close\r\nLocation: /redirect-loop\r\nContent-Length: 0\r\n\r\n")
        elif path == "/gzip-bomb":
            body = gzip_bomb()
            send(c, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
                    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                    % len(body) + body)
        elif path == "/deep-json":
            body = b"[" * 100000 + b"]" * 100000
            send(c, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
        elif path == "/pending":
            body = b'{"state": "PENDING"}'
            send(c, b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
        elif path == "/idle-close":
            # keep-alive as far as the client knows; closed 0.2 s later
            # (below), like a server's keep-alive timeout
            send(c, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
        elif path.startswith("/status/"):
            send(c, bytes.fromhex(path[8:]) +
                 b"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        elif path == "/ok":
            send(c, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nOK")
        else:
            send(c, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.2)
    except OSError:
        pass
    finally:
        c.close()


def stall_tls(c):
    try:
        c.recv(4096)          # the ClientHello; never answered
        time.sleep(10)
    except OSError:
        pass
    finally:
        c.close()


def serve(port, fn):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(512)
    while True:
        c, _ = s.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()


def main():
    port, tls_port = int(sys.argv[1]), int(sys.argv[2])
    gzip_bomb()
    threading.Thread(target=serve, args=(tls_port, stall_tls), daemon=True).start()
    serve(port, handle)


if __name__ == "__main__":
    main()
