#!/usr/bin/env python3
"""A hostile loopback mirror for fmnist's end-to-end tests and benchmark.

Serves a directory over HTTP/1.1 (or HTTPS with --cert/--key) on 127.0.0.1 with byte ranges
(206, Content-Range, 416, If-Range), and injects faults per path. It prints "PORT <n>" on its
first line of stdout once it listens (use --port 0 for a free port).

Faults are a JSON object mapping a request path (e.g. "/fashion-mnist/t10k-images-idx3-ubyte.gz")
to a spec; give them with --faults JSON (or --faults @file.json) or POST them to /__faults.
A spec may combine these keys:

  "status": 403            answer with this HTTP status (403, 404, 500, 503, ...)
  "retry_after": "120"     with "status": send this Retry-After header (seconds or an HTTP-date)
  "times": 2               apply the fault to the first N requests of the path only, then serve normally
  "html": true             200 with an HTML error page
  "reset_after": 100000    send the headers and this many body bytes, then reset the connection (RST)
  "reset_times": 1         reset only the first N requests (other keys of the spec stay in force)
  "drip": 50000            send at most this many bytes per second ("drip_chunk": bytes per write)
  "serve": "mnist/t10k-images-idx3-ubyte.gz"   serve another file's bytes (relative to the root)
  "ignore_range": true     answer every request with 200 and the whole file
  "redirect": "/same/path" answer 302 with this Location (the path itself: a redirect loop;
                           "file:///etc/passwd": a redirect to file://)
  "truncate": 1000         serve only the first N bytes, as if that were the whole file
  "corrupt_at": 5000       flip the bits of the byte at this offset
  "delay": 2.5             wait this many seconds before answering
  "endless": true          200 with a body that never ends: a gzip header, then empty deflate blocks
                           forever (valid to a streaming verifier, so only a byte bound stops it),
                           chunked without Content-Length ("content_length": N announces N instead)

Control endpoints (never faulted):
  GET  /__stats            per path: requests, body bytes sent (in all, and per request), statuses,
                           requested range starts (null: no Range header)
  GET  /__stats?reset=1    the same, then clear the counters
  GET  /__faults           the faults in effect
  POST /__faults           replace the faults with the JSON body
  GET  /__auth             every file request's path, Authorization and X-Api-Key headers ("" when absent)

Load: --max-bodies N answers 503 Service Unavailable with `Retry-After: --retry-after` (seconds,
default 1; "date" sends it as an HTTP-date) to a file request that arrives while N bodies are being
sent; --bandwidth BYTES caps the bytes per second of all bodies together (a shared token bucket),
so that a herd's floor is known (bytes / bandwidth). GET /__load reports the peak of concurrent
bodies, the busy answers, and the body bytes sent in all.

Authentication: --basic-auth USER:PASSWORD and/or --bearer TOKEN make every file request need
`Authorization: Basic …` (those credentials) or `Authorization: Bearer TOKEN`; anything else is
answered 401 with `WWW-Authenticate: Basic`.
"""

import argparse
import base64
import email.utils
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse


class State:
    def __init__(self, root, faults):
        self.root = os.path.abspath(root)
        self.lock = threading.Lock()
        self.faults = faults
        self.fault_uses = {}
        self.stats = {}
        self.basic_auth = None
        self.bearer = None
        self.auth_headers = []
        self.max_bodies = 0
        self.retry_after = "1"
        self.bandwidth = 0.0
        self.active_bodies = 0
        self.peak_bodies = 0
        self.busy_answers = 0
        self.body_bytes = 0
        self.next_free = 0.0

    def begin_body(self):
        """Takes a body slot; False when --max-bodies are already being sent (answer busy)."""
        with self.lock:
            if self.max_bodies and self.active_bodies >= self.max_bodies:
                self.busy_answers += 1
                return False
            self.active_bodies += 1
            self.peak_bodies = max(self.peak_bodies, self.active_bodies)
            return True

    def end_body(self):
        with self.lock:
            self.active_bodies -= 1

    def pace(self, count):
        """Waits until `count` more bytes fit in --bandwidth (shared by every connection)."""
        if not self.bandwidth:
            return
        with self.lock:
            start = max(time.monotonic(), self.next_free)
            self.next_free = start + count / self.bandwidth
            due = self.next_free
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def load(self):
        with self.lock:
            return json.dumps({"peak_bodies": self.peak_bodies, "busy_answers": self.busy_answers,
                               "bytes": self.body_bytes, "active_bodies": self.active_bodies})

    def set_faults(self, faults):
        with self.lock:
            self.faults = faults
            self.fault_uses = {}

    def fault_for(self, path):
        """The fault spec for this request, counting its use against "times"."""
        with self.lock:
            spec = self.faults.get(path)
            if not spec:
                return {}
            used = self.fault_uses.get(path, 0)
            self.fault_uses[path] = used + 1
            if "times" in spec and used >= int(spec["times"]):
                return {}
            fault = dict(spec)
            fault["_use"] = used
            return fault

    def record(self, path, status=None, range_start=None, body_bytes=0, request=False, index=None):
        """Counts a request (returns its index) or, for request `index`, a status and body bytes."""
        with self.lock:
            entry = self.stats.setdefault(
                path, {"requests": 0, "bytes": 0, "statuses": [], "range_starts": [], "request_bytes": []})
            if request:
                entry["requests"] += 1
                entry["range_starts"].append(range_start)
                entry["request_bytes"].append(0)
                return len(entry["request_bytes"]) - 1
            if status is not None:
                entry["statuses"].append(status)
            entry["bytes"] += body_bytes
            self.body_bytes += body_bytes
            if index is not None and index < len(entry["request_bytes"]):
                entry["request_bytes"][index] += body_bytes
            return index

    def snapshot(self, reset=False):
        with self.lock:
            text = json.dumps(self.stats, sort_keys=True)
            if reset:
                self.stats = {}
            return text


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fmnist-test-mirror/1"
    state = None  # set in main
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("mirror: " + (fmt % args) + "\n")

    # -- control -------------------------------------------------------------------------

    def control(self, parsed):
        if parsed.path == "/__stats":
            reset = urllib.parse.parse_qs(parsed.query).get("reset", ["0"])[0] == "1"
            return self.send_text(200, self.state.snapshot(reset), "application/json")
        if parsed.path == "/__faults":
            if self.command == "POST":
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    faults = json.loads(self.rfile.read(length) or b"{}")
                except ValueError as error:
                    return self.send_text(400, "bad JSON: %s\n" % error)
                self.state.set_faults(faults)
            with self.state.lock:
                text = json.dumps(self.state.faults, sort_keys=True)
            return self.send_text(200, text, "application/json")
        if parsed.path == "/__load":
            return self.send_text(200, self.state.load(), "application/json")
        if parsed.path == "/__auth":
            with self.state.lock:
                text = json.dumps(self.state.auth_headers)
            return self.send_text(200, text, "application/json")
        return self.send_text(404, "unknown control endpoint\n")

    def send_text(self, status, text, content_type="text/plain; charset=utf-8", extra=None, head=False):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        return len(body)

    # -- files ---------------------------------------------------------------------------

    def do_POST(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/__"):
            return self.control(parsed)
        self.send_text(405, "method not allowed\n")

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def resolve(self, relative):
        # Symbolic links inside the root are followed (tests lay out mirrors as links to the real
        # files); ".." may not climb out of it.
        full = os.path.normpath(os.path.join(self.state.root, relative.lstrip("/")))
        if not full.startswith(self.state.root + os.sep):
            return None
        return full if os.path.isfile(full) else None

    def authorized(self):
        """True when the request carries the credentials --basic-auth / --bearer demand (if any)."""
        expected = []
        if self.state.basic_auth:
            expected.append("Basic " + base64.b64encode(self.state.basic_auth.encode("utf-8")).decode("ascii"))
        if self.state.bearer:
            expected.append("Bearer " + self.state.bearer)
        given = self.headers.get("Authorization", "")
        with self.state.lock:
            self.state.auth_headers.append({"path": urllib.parse.urlsplit(self.path).path, "authorization": given,
                                            "x_api_key": self.headers.get("X-Api-Key", "")})
        if not expected:
            return True
        return given in expected

    def serve(self, head):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/__"):
            return self.control(parsed)
        if not self.authorized():
            return self.send_text(401, "authentication required\n", extra={"WWW-Authenticate": 'Basic realm="fmnist-test"'}, head=head)
        path = urllib.parse.unquote(parsed.path)
        range_header = self.headers.get("Range")
        range_start = None
        if range_header and range_header.startswith("bytes="):
            first = range_header[6:].split(",")[0].split("-")[0].strip()
            range_start = int(first) if first.isdigit() else None
        self.request_index = self.state.record(path, range_start=range_start, request=True)
        fault = self.state.fault_for(path)

        if "delay" in fault:
            time.sleep(float(fault["delay"]))
        if "redirect" in fault:
            status = int(fault.get("redirect_status", 302))
            self.state.record(path, status=status)
            return self.send_text(status, "moved\n", extra={"Location": fault["redirect"]}, head=head)
        if "status" in fault:
            status = int(fault["status"])
            self.state.record(path, status=status)
            page = "<html><body><h1>%d</h1></body></html>\n" % status
            extra = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else None
            return self.send_text(status, page, "text/html", extra=extra, head=head)
        if fault.get("html"):
            page = ("<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>"
                    "<p>This page has moved. Please update your bookmarks.</p></body></html>\n")
            self.state.record(path, status=200)
            sent = self.send_text(200, page, "text/html; charset=utf-8", head=head)
            return self.state.record(path, body_bytes=0 if head else sent, index=self.request_index)

        if fault.get("endless"):
            return self.send_endless(path, fault, head)

        source = self.resolve(fault["serve"]) if "serve" in fault else self.resolve(path)
        if source is None:
            self.state.record(path, status=404)
            return self.send_text(404, "<html><body>404 Not Found</body></html>\n", "text/html", head=head)

        info = os.stat(source)
        size = info.st_size
        if "truncate" in fault:
            size = min(size, int(fault["truncate"]))
        etag = '"%x-%x"' % (size, info.st_mtime_ns)
        last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)

        start, end = 0, size - 1
        status = 200
        if range_header and not fault.get("ignore_range"):
            if_range = self.headers.get("If-Range")
            if if_range is None or if_range in (etag, last_modified):
                spec = range_header[6:].split(",")[0].strip() if range_header.startswith("bytes=") else ""
                first, _, last = spec.partition("-")
                if first.isdigit():
                    start = int(first)
                    end = min(int(last), size - 1) if last.isdigit() else size - 1
                    if start >= size or start > end:
                        self.state.record(path, status=416)
                        return self.send_text(416, "range not satisfiable\n",
                                              extra={"Content-Range": "bytes */%d" % size}, head=head)
                    status = 206
        length = max(0, end - start + 1)

        if not head and length > 0 and not self.state.begin_body():
            self.state.record(path, status=503)
            value = self.state.retry_after
            if value == "date":
                value = email.utils.formatdate(time.time() + 1, usegmt=True)
            return self.send_text(503, "busy: too many downloads at once\n", extra={"Retry-After": value})
        try:
            self.send_body(path, source, status, start, end, size, length, etag, last_modified, fault, head)
        finally:
            if not head and length > 0:
                self.state.end_body()

    def send_body(self, path, source, status, start, end, size, length, etag, last_modified, fault, head):
        self.send_response(status)
        self.send_header("Content-Type", "application/x-gzip")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        self.state.record(path, status=status)
        if head or length == 0:
            return

        limit = length
        if "reset_after" in fault and fault["_use"] < int(fault.get("reset_times", 1 << 30)):
            limit = min(length, max(0, int(fault["reset_after"])))
        try:
            with open(source, "rb") as handle:
                if "drip" in fault or "corrupt_at" in fault or limit < length or self.state.bandwidth:
                    self.send_slowly(handle, path, start, limit, fault)
                else:
                    self.wfile.flush()
                    sent = self.connection.sendfile(handle, offset=start, count=length)
                    self.state.record(path, body_bytes=sent, index=self.request_index)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if limit < length:
            self.reset_connection()

    def send_endless(self, path, fault, head):
        announced = fault.get("content_length")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-gzip")
        if announced is not None:
            self.send_header("Content-Length", str(int(announced)))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.state.record(path, status=200)
        if head:
            return
        # Non-final stored deflate blocks of length 0: each is 5 bytes and inflates to nothing.
        block = b"\x00\x00\x00\xff\xff" * 13107
        data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + block
        try:
            while True:
                if announced is None:
                    self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                else:
                    self.wfile.write(data)
                self.state.record(path, body_bytes=len(data), index=self.request_index)
                data = block
        except OSError:
            self.close_connection = True

    def send_slowly(self, handle, path, start, limit, fault):
        rate = float(fault.get("drip", 0))
        chunk = int(fault.get("drip_chunk", (16384 if not self.state.bandwidth else 65536) if rate == 0
                              else max(1, min(65536, int(rate / 10) or 1))))
        corrupt_at = int(fault["corrupt_at"]) if "corrupt_at" in fault else None
        handle.seek(start)
        position = start
        remaining = limit
        began = time.monotonic()
        sent_total = 0
        while remaining > 0:
            data = bytearray(handle.read(min(chunk, remaining)))
            if not data:
                break
            if corrupt_at is not None and position <= corrupt_at < position + len(data):
                data[corrupt_at - position] ^= 0xFF
            self.state.pace(len(data))
            self.wfile.write(data)
            self.state.record(path, body_bytes=len(data), index=self.request_index)
            position += len(data)
            remaining -= len(data)
            sent_total += len(data)
            if rate > 0:
                due = began + sent_total / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)

    def reset_connection(self):
        """Abort the connection with a TCP reset, as a broken middlebox would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Clients that go away mid-body (killed fetches, aborted transfers) are expected.
        if Handler.verbose:
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="directory to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--faults", default="{}", help="JSON object path -> fault spec, or @file")
    parser.add_argument("--cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--key", help="PEM private key for --cert")
    parser.add_argument("--basic-auth", help="USER:PASSWORD every file request must carry (HTTP Basic); 401 otherwise")
    parser.add_argument("--bearer", help="TOKEN every file request must carry as Authorization: Bearer TOKEN; 401 otherwise")
    parser.add_argument("--max-bodies", type=int, default=0,
                        help="answer 503 + Retry-After to a file request while this many bodies are being sent (0: no cap)")
    parser.add_argument("--retry-after", default="1", help='Retry-After of those 503s: seconds, or "date" (an HTTP-date 1 s ahead)')
    parser.add_argument("--bandwidth", type=float, default=0, help="bytes per second of all bodies together (0: no cap)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    text = args.faults
    if text.startswith("@"):
        with open(text[1:]) as handle:
            text = handle.read()
    Handler.state = State(args.root, json.loads(text))
    Handler.state.basic_auth = args.basic_auth
    Handler.state.bearer = args.bearer
    Handler.state.auth_headers = []
    Handler.state.max_bodies = args.max_bodies
    Handler.state.retry_after = args.retry_after
    Handler.state.bandwidth = args.bandwidth
    Handler.verbose = args.verbose
    server = Server((args.host, args.port), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
