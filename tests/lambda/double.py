#!/usr/bin/python3
"""A local double of AWS Lambda for herd's tests (standard library plus
Debian's python3-botocore, used only as an independent SigV4 implementation).

It serves the Invoke API on 127.0.0.1:PORT:
    POST /2015-03-31/functions/{name}/invocations[?Qualifier=...]
    POST /2021-11-15/functions/{name}/response-streaming-invocations[?...]
The second (InvokeWithResponseStream) answers 200 with
application/vnd.amazon.eventstream over chunked transfer, as AWS does:
each piece the bootstrap streams (Runtime API streaming mode: chunked
body, error trailers) is one PayloadChunk event as it arrives, and an
InvokeComplete event ({"ErrorCode", "ErrorDetails", "LogResult"}) ends
it; a buffered answer comes as one PayloadChunk. Failures before the
function runs (signature, throttling) are plain HTTP errors, as in AWS.
and backs every invocation with a real `bootstrap` process, started with
AWS_LAMBDA_RUNTIME_API pointing at a Runtime API served here for that one
invocation (next / response / error / init error), like a cold start.

Faithful to what herd relies on:
  * SigV4: the Authorization header is recomputed with botocore from the
    signed headers and the body; a wrong signature, key, date or region is
    answered 403 (InvalidSignatureException / UnrecognizedClientException).
    With a session token, x-amz-security-token must be signed.
  * Concurrency limit: beyond --concurrency running invocations, 429
    TooManyRequestsException with Retry-After.
  * The deadline: Lambda-Runtime-Deadline-Ms = start + --timeout; a process
    still running then is killed: 200 with X-Amz-Function-Error: Unhandled,
    errorType Sandbox.Timedout.
  * Function errors (runtime /error, a crash) come back as 200 with
    X-Amz-Function-Error; a response over 6 MB as Function.ResponseSizeTooLarge.
Fault injection for tests: --crash-shard N (the process is killed as soon as
it has the event of shard N, part 0), --hang-shard N (it is frozen with
SIGSTOP until the deadline kills it), --crash-after S (with --crash-shard:
killed S seconds after it has the event instead, mid-stream),
--stream-fault torn|crc|oversized (the first streamed event of every
invocation is cut off / has a bad CRC / announces 20 MB), --throttle N (the first N invokes get
429), --throttle-shard N (the first invoke of shard N, part 0, gets 429:
that one shard starts late), --retry-after S (the Retry-After the 429s
carry, 1 by default). Every invocation is logged as one JSON line to --log;
--log-events FILE appends every event received (the Invoke body as sent,
one line each), for tests of what the shards are given.
"""
import argparse
import base64
import queue
import struct
import zlib
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_RESPONSE = 6 * 1024 * 1024
args = None
lock = threading.Lock()
running = 0
throttled = 0
throttled_shard = 0
log_lock = threading.Lock()
procs = set()          # live bootstrap processes, killed when we stop


def log(entry):
    if not args.log:
        return
    with log_lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def verify_sigv4(method, path, headers, body):
    """Returns None when the signature is right, else (status, type, msg)."""
    auth = headers.get("Authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/"
                 r"aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$",
                 auth)
    if not m:
        return 403, "IncompleteSignatureException", "bad Authorization header"
    akid, day, region, service, signed, given = m.groups()
    if akid != args.access_key:
        return 403, "UnrecognizedClientException", "unknown access key"
    if service != "lambda" or region != args.region:
        return 403, "InvalidSignatureException", "wrong service or region"
    amz_date = headers.get("X-Amz-Date", "")
    try:
        t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return 403, "IncompleteSignatureException", "bad X-Amz-Date"
    if abs((datetime.datetime.utcnow() - t).total_seconds()) > 900 or day != amz_date[:8]:
        return 403, "InvalidSignatureException", "signature expired"
    names = signed.split(";")
    if args.session_token:
        if "x-amz-security-token" not in names:
            return 403, "InvalidSignatureException", "session token not signed"
        if headers.get("X-Amz-Security-Token") != args.session_token:
            return 403, "UnrecognizedClientException", "bad session token"
    lower = {k.lower(): v for k, v in headers.items()}
    if any(n not in lower for n in names):
        return 403, "InvalidSignatureException", "signed header missing"
    req = AWSRequest(method=method, url="http://%s%s" % (lower["host"], path),
                     data=body, headers={n: lower[n] for n in names})
    req.context["timestamp"] = amz_date
    creds = Credentials(args.access_key, args.secret_key, args.session_token)
    signer = SigV4Auth(creds, "lambda", region)
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if not hmac.compare_digest(expected, given):
        return 403, "InvalidSignatureException", "signature does not match"
    return None


def es_message(headers, payload):
    """One application/vnd.amazon.eventstream message: string headers."""
    h = b""
    for k, v in headers:
        v = v.encode()
        h += bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v)) + v
    prelude = struct.pack(">II", 16 + len(h) + len(payload), len(h))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    msg = prelude + h + payload
    return msg + struct.pack(">I", zlib.crc32(msg))


def es_chunk(data):
    return es_message([(":event-type", "PayloadChunk"),
                       (":content-type", "application/octet-stream"),
                       (":message-type", "event")], data)


def es_complete(code=None, details=None):
    return es_message([(":event-type", "InvokeComplete"),
                       (":content-type", "application/json"),
                       (":message-type", "event")],
                      json.dumps({"ErrorCode": code, "ErrorDetails": details,
                                  "LogResult": ""}).encode())


def read_chunked(rfile, on_chunk):
    """Reads a chunked body, calling on_chunk(bytes) per chunk; returns the
    trailers as a dict."""
    while True:
        line = rfile.readline()
        if not line:
            raise ConnectionResetError("body cut off")
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        data = rfile.read(size)
        rfile.readline()
        on_chunk(data)
    trailers = {}
    while True:
        line = rfile.readline()
        if not line or line in (b"\r\n", b"\n"):
            break
        k, _, v = line.decode("latin-1").partition(":")
        trailers[k.strip().lower()] = v.strip()
    return trailers


class Invocation:
    """One invocation: a Runtime API for it and the bootstrap process."""

    def __init__(self, event, shard, part):
        self.event = event
        self.shard = shard
        self.part = part
        self.request_id = str(uuid.uuid4())
        self.done = threading.Event()
        self.outcome = None          # ("response", body) / ("error", body, type)
        self.delivered = False
        self.deadline_ms = int(time.time() * 1000) + int(args.timeout * 1000)
        self.proc = None
        self.started = threading.Event()   # set once self.proc is known
        self.chunks = queue.Queue()        # streamed pieces, None at the end
        self.streamed = 0

    def serve(self):
        inv = self

        class RuntimeAPI(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle(self):
                # A killed bootstrap drops its connection: expected here.
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):
                    pass

            def reply(self, code, body=b"", headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self.reply(404)
                if inv.delivered:
                    # One invocation per process here: wait to be killed.
                    inv.done.wait()
                    time.sleep(3600)
                inv.delivered = True
                self.reply(200, inv.event, {
                    "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn":
                        "arn:aws:lambda:%s:000000000000:function:herd" % args.region,
                    "Content-Type": "application/json"})
                # The bootstrap can ask before Popen has returned to us.
                inv.started.wait()
                if inv.shard == args.crash_shard and inv.part == 0:
                    if args.crash_after > 0:
                        threading.Timer(args.crash_after, inv.proc.kill).start()
                    else:
                        inv.proc.kill()
                if inv.shard == args.hang_shard and inv.part == 0:
                    inv.proc.send_signal(signal.SIGSTOP)

            def do_POST(self):
                base = "/2018-06-01/runtime/invocation/%s/" % inv.request_id
                mode = self.headers.get("Lambda-Runtime-Function-Response-Mode")
                if self.path == base + "response" and mode == "streaming":
                    return self.streaming()
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                if self.path == base + "response":
                    inv.outcome = ("response", body)
                elif self.path == base + "error":
                    # The error type travels in the body; the Invoke API
                    # says only "Unhandled", as AWS does.
                    inv.outcome = ("error", body, "Unhandled")
                elif self.path == "/2018-06-01/runtime/init/error":
                    inv.outcome = ("error", body, "Runtime.InitError")
                else:
                    return self.reply(404)
                self.reply(202, b'{"status":"OK"}')
                inv.done.set()

            def streaming(self):
                # Each chunk goes on as it comes; a killed bootstrap cuts
                # the body off: what came before it stays delivered.
                def piece(data):
                    inv.streamed += len(data)
                    inv.chunks.put(data)
                if "chunked" not in self.headers.get("Transfer-Encoding", ""):
                    n = int(self.headers.get("Content-Length") or 0)
                    piece(self.rfile.read(n))
                    trailers = {}
                else:
                    trailers = read_chunked(self.rfile, piece)
                etype = trailers.get("lambda-runtime-function-error-type")
                if etype:
                    body = base64.b64decode(trailers.get(
                        "lambda-runtime-function-error-body", ""))
                    inv.outcome = ("error", body, etype)
                else:
                    inv.outcome = ("streamed", b"")
                self.reply(202, b'{"status":"OK"}')
                inv.done.set()

        srv = ThreadingHTTPServer(("127.0.0.1", 0), RuntimeAPI)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        env = {"PATH": "/usr/bin:/bin",
               "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % srv.server_address[1],
               "AWS_LAMBDA_FUNCTION_NAME": "herd",
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769",
               "AWS_REGION": args.region, "LAMBDA_TASK_ROOT": args.task_root}
        # SSL_CERT_FILE for the tests' own CA; the sanitizers' options so
        # that a sanitizer build run as the bootstrap reports where make
        # tsan / the ASan pass look.
        for k in ("SSL_CERT_FILE", "TSAN_OPTIONS", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if os.environ.get(k):
                env[k] = os.environ[k]
        self.proc = subprocess.Popen([os.path.join(args.task_root, "bootstrap")],
                                     env=env, cwd=args.task_root,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(args.stderr or os.devnull, "ab"))
        with lock:
            procs.add(self.proc)
        self.started.set()
        # Wait for an answer, a crash, or the deadline.
        while not self.done.is_set():
            if self.proc.poll() is not None and self.proc.returncode is not None:
                if not self.done.wait(0.2):
                    self.outcome = ("error", json.dumps({
                        "errorType": "Runtime.ExitError",
                        "errorMessage": "Runtime exited with error: exit status %s"
                        % self.proc.returncode}).encode(), "Unhandled")
                    break
            if time.time() * 1000 >= self.deadline_ms:
                self.outcome = ("error", json.dumps({
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": "Task timed out after %.2f seconds" % args.timeout
                }).encode(), "Unhandled")
                break
            self.done.wait(0.05)
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        self.proc.wait()
        with lock:
            procs.discard(self.proc)
        self.done.set()
        self.chunks.put(None)
        srv.shutdown()
        return self.outcome


class InvokeAPI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global running, throttled, throttled_shard
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        u = urlsplit(self.path)
        m = re.match(r"^/2015-03-31/functions/([A-Za-z0-9_-]+)/invocations$", u.path)
        stream = False
        if not m:
            m = re.match(r"^/2021-11-15/functions/([A-Za-z0-9_-]+)/"
                         r"response-streaming-invocations$", u.path)
            stream = bool(m)
        if not m:
            return self.reply(404, {"Type": "User", "message": "not found"})
        bad = verify_sigv4("POST", self.path, dict(self.headers.items()), body)
        if bad:
            log({"status": bad[0], "error": bad[1], "why": bad[2]})
            return self.reply(bad[0], {"__type": bad[1], "message": bad[2]})
        if args.log_events:
            with log_lock, open(args.log_events, "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
        try:
            event = json.loads(body)
            shard = event["shard"]["index"]
            part = event["shard"]["part"]
            self.planned_ms = event["shard"].get("start_unix_ms")
        except (ValueError, KeyError, TypeError):
            shard, part = -1, -1
            self.planned_ms = None
        with lock:
            one = (shard == args.throttle_shard and part == 0 and
                   throttled_shard < 1)
            if one or throttled < args.throttle or running >= args.concurrency:
                if one:
                    throttled_shard += 1
                else:
                    throttled += 1
                log({"status": 429, "shard": shard, "part": part})
                return self.reply(429, {"Type": "User", "message": "Rate Exceeded.",
                                        "__type": "TooManyRequestsException"},
                                  {"Retry-After": str(args.retry_after)})
            running += 1
        start = time.time()
        if stream:
            return self.stream_invoke(body, shard, part, start, m.group(1), u)
        try:
            inv = Invocation(body, shard, part)
            outcome = inv.serve()
        finally:
            with lock:
                running -= 1
        entry = {"status": 200, "shard": shard, "part": part,
                 "start": start, "end": time.time(),
                 "function": m.group(1),
                 "qualifier": dict(p.split("=", 1) for p in u.query.split("&") if "=" in p).get("Qualifier")}
        if outcome[0] == "response" and len(outcome[1]) > MAX_RESPONSE:
            outcome = ("error", json.dumps({
                "errorType": "Function.ResponseSizeTooLarge",
                "errorMessage": "Response payload size exceeded maximum allowed "
                                "payload size (6291556 bytes)."}).encode(), "Unhandled")
        if outcome[0] == "response":
            entry["result_bytes"] = len(outcome[1])
            log(entry)
            return self.reply(200, outcome[1], {"X-Amz-Executed-Version": "$LATEST"})
        entry["function_error"] = json.loads(outcome[1]).get("errorType")
        log(entry)
        self.reply(200, outcome[1], {"X-Amz-Function-Error": outcome[2]})


    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def stream_invoke(self, body, shard, part, start, function, u):
        """InvokeWithResponseStream: event stream frames as the bootstrap
        streams; the invocation runs in a thread of its own."""
        inv = Invocation(body, shard, part)
        box = {}

        def run():
            try:
                box["outcome"] = inv.serve()
            finally:
                with lock:
                    global running
                    running -= 1
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("X-Amz-Executed-Version", "$LATEST")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = 0
        # Every whole line of the payload as it went out, with the time:
        # what a coordinator killed mid-stream can have received.
        sent, part_line = [], b""
        try:
            while True:
                data = inv.chunks.get()
                if data is None:
                    break
                if not data:
                    continue
                frame = es_chunk(data)
                if events == 0 and args.stream_fault == "torn":
                    self.write_chunk(frame[:len(frame) // 2])
                    raise BrokenPipeError("torn on purpose")
                if events == 0 and args.stream_fault == "crc":
                    frame = frame[:-5] + bytes([frame[-5] ^ 1]) + frame[-4:]
                if events == 0 and args.stream_fault == "oversized":
                    head = struct.pack(">II", 20 << 20, 0)
                    frame = head + struct.pack(">I", zlib.crc32(head)) + frame
                self.write_chunk(frame)
                events += 1
                part_line += data
                while b"\n" in part_line:
                    line, part_line = part_line.split(b"\n", 1)
                    sent.append([time.time(), line.decode()])
            t.join()
            outcome = box.get("outcome") or ("error", b"{}", "Unhandled")
            entry = {"status": 200, "shard": shard, "part": part, "stream": True,
                     "start": start, "end": time.time(), "function": function,
                     "planned_ms": self.planned_ms,
                     "events": events, "streamed_bytes": inv.streamed,
                     "sent": sent}
            if outcome[0] == "response":
                # A buffered answer to a streaming invoke: one chunk.
                self.write_chunk(es_chunk(outcome[1]))
                entry["result_bytes"] = len(outcome[1])
                self.write_chunk(es_complete())
            elif outcome[0] == "streamed":
                self.write_chunk(es_complete())
            else:
                err = json.loads(outcome[1] or b"{}")
                entry["function_error"] = err.get("errorType")
                self.write_chunk(es_complete(err.get("errorType") or outcome[2],
                                             err.get("errorMessage", "")))
            log(entry)
            self.write_chunk(b"")
        except (BrokenPipeError, ConnectionResetError) as e:
            log({"status": 200, "shard": shard, "part": part, "stream": True,
                 "start": start, "end": time.time(), "cut": str(e),
                 "events": events, "sent": sent})
            self.close_connection = True
            t.join()


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("port", type=int)
    p.add_argument("--zip", help="deployment package holding bootstrap")
    p.add_argument("--bootstrap", help="a bootstrap executable (instead of --zip)")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--concurrency", type=int, default=1000)
    p.add_argument("--throttle", type=int, default=0)
    p.add_argument("--throttle-shard", type=int, default=-1)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--crash-shard", type=int, default=-1)
    p.add_argument("--hang-shard", type=int, default=-1)
    p.add_argument("--crash-after", type=float, default=0)
    p.add_argument("--stream-fault", choices=["torn", "crc", "oversized"])
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--access-key", default="AKIDHERDTEST")
    p.add_argument("--secret-key", default="herd-test-secret")
    p.add_argument("--session-token", default=None)
    p.add_argument("--log")
    p.add_argument("--log-events", help="append every event received (the "
                   "request body, one line each) here")
    p.add_argument("--stderr", help="append the bootstraps' stderr here")
    args = p.parse_args()
    root = tempfile.mkdtemp(prefix="herd-lambda-")
    if args.zip:
        with zipfile.ZipFile(args.zip) as z:
            z.extract("bootstrap", root)
        os.chmod(os.path.join(root, "bootstrap"), 0o755)
    else:
        os.symlink(os.path.abspath(args.bootstrap), os.path.join(root, "bootstrap"))
    args.task_root = root
    # A coordinator opens every shard's call at once: a listen backlog of
    # 5 (the default) would drop most of a thousand SYNs.
    ThreadingHTTPServer.request_queue_size = 4096
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), InvokeAPI)
    srv.daemon_threads = True
    def stop(*a):
        with lock:
            for p in procs:
                p.kill()
        shutil.rmtree(args.task_root, ignore_errors=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    srv.serve_forever()


if __name__ == "__main__":
    main()
