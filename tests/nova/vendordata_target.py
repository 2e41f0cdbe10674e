#!/usr/bin/python3
"""A dynamic vendordata target for Nova's DynamicJSON provider, on loopback.

With `[api] vendordata_providers = ...,DynamicJSON` and
`vendordata_dynamic_targets = NAME@URL`, Nova POSTs the instance's details
(project-id, instance-id, hostname, metadata...) as JSON to URL on every
vendor_data2.json request and serves the answer as "NAME"
(nova/api/metadata/vendordata_dynamic.py).  This server is such a URL,
with knobs for the ways a real one fails:

    json      200 and the configured JSON object
    slow      the same after `delay` seconds
    status    an HTTP error (`status`, 500 by default) with a text body
    not-json  200 and a body that is not JSON
    empty     200 and no body
    array     200 and a JSON array: JSON, but not an object
    down      the port refuses connections

Every request that reaches it is recorded (method, path, headers, the body
parsed as JSON) so that a test can prove Nova really called it.  The mode
can be changed at run time; a change releases requests still held by
`slow`.  "down" keeps the port bound without listening, so the kernel
refuses connections to it and no other program can take it meanwhile.

    /usr/bin/python3 tests/nova/vendordata_target.py [--mode json]
        [--answer '{"join_token": "..."}'] [--delay S] [--status N]
        [--host 127.0.0.1] [--port 0] [--lifetime SECONDS]

prints `PORT <port>` and serves until SIGTERM/SIGINT or --lifetime.
"""

import argparse
import http.server
import ipaddress
import json
import signal
import socket
import sys
import threading
import time

MODES = ("json", "slow", "status", "not-json", "empty", "array", "down")
DEFAULT_ANSWER = {"join_token": "c0ffee-join-token"}
MAX_BODY = 1 << 20         # Nova's request is a few hundred bytes
HANDLER_TIMEOUT = 30       # seconds a silent client may hold a thread


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False     # a held `slow` request must not stall stop()

    def __init__(self, target, address, family):
        self.address_family = family
        self.target = target
        super().__init__(address, _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    # One request per connection: Nova's keystoneauth session pools
    # connections, and a kept-alive one would outlive `down`.
    protocol_version = "HTTP/1.0"
    timeout = HANDLER_TIMEOUT
    server_version = "vendordata-target"

    def log_message(self, format, *args):   # pylint: disable=redefined-builtin
        pass                                  # the test asserts records

    def _read_body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(min(max(length, 0), MAX_BODY))
        try:
            return raw, json.loads(raw) if raw else None
        except ValueError:
            return raw, None

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):   # pylint: disable=invalid-name
        raw, doc = self._read_body()
        conf = self.server.target.record({
            "method": self.command, "path": self.path,
            "headers": dict(self.headers.items()), "raw": raw, "json": doc})
        try:
            self._answer(conf)
        except (BrokenPipeError, ConnectionResetError):
            pass      # Nova gave up first (its read timeout): as intended

    do_GET = do_POST

    def _answer(self, conf):
        mode = conf["mode"]
        if mode == "slow":
            conf["release"].wait(conf["delay"])
        if mode in ("json", "slow"):
            body = json.dumps(conf["answer"]).encode()
            self._send(200, "application/json", body)
        elif mode == "status":
            self._send(conf["status"], "text/plain",
                       b"vendordata target failing on purpose\n")
        elif mode == "not-json":
            self._send(200, "application/json", b"<html>not json</html>\n")
        elif mode == "empty":
            self._send(200, "application/json", b"")
        elif mode == "array":
            self._send(200, "application/json",
                       json.dumps([conf["answer"]]).encode())


class VendordataTarget:
    """One target server; thread-safe knobs, records of what Nova sent."""

    def __init__(self, host="127.0.0.1", answer=None):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("vendordata target: %s is not loopback" % host)
        self.host = host
        self.port = 0
        self.default_answer = dict(answer or DEFAULT_ANSWER)
        self._lock = threading.Lock()
        self._conf = {}
        self._records = []
        self._server = None
        self._thread = None
        self._placeholder = None
        self.reset()

    def _family(self):
        return socket.AF_INET6 if ":" in self.host else socket.AF_INET

    def _listen(self):
        self._server = _Server(self, (self.host, self.port), self._family())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    def _close(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def start(self):
        self._listen()
        return self

    def url(self, path="/"):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d%s" % (host, self.port, path)

    def set(self, mode, answer=None, delay=0.0, status=500):
        """Answer the next requests this way; releases held `slow` ones."""
        if mode not in MODES:
            raise ValueError("vendordata target: unknown mode %r" % mode)
        with self._lock:
            old = self._conf.get("release")
            self._conf = {"mode": mode, "delay": float(delay),
                          "status": int(status), "release": threading.Event(),
                          "answer": dict(answer or self.default_answer)}
        if old is not None:
            old.set()
        if mode == "down" and self._server is not None:
            self._close()
            self._placeholder = socket.socket(self._family(),
                                              socket.SOCK_STREAM)
            self._placeholder.setsockopt(socket.SOL_SOCKET,
                                         socket.SO_REUSEADDR, 1)
            self._placeholder.bind((self.host, self.port))
        elif mode != "down" and self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None
            self._listen()

    def reset(self):
        """The default answer, served at once; no records."""
        self.set("json")
        with self._lock:
            self._records = []

    def record(self, request):
        """Keep one request; return the knobs it is to be answered with."""
        request["time"] = time.monotonic()
        with self._lock:
            self._records.append(request)
            return dict(self._conf)

    def requests(self):
        with self._lock:
            return list(self._records)

    def stop(self):
        with self._lock:
            self._conf["release"].set()
        self._close()
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", choices=MODES, default="json")
    p.add_argument("--answer", type=json.loads, default=None,
                   help="the JSON object to serve")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--status", type=int, default=500)
    p.add_argument("--lifetime", type=float, default=3600,
                   help="exit by itself after SECONDS")
    args = p.parse_args(argv)
    if args.answer is not None and not isinstance(args.answer, dict):
        p.error("--answer must be a JSON object")
    target = VendordataTarget(args.host, args.answer)
    target.port = args.port
    target.start()
    target.set(args.mode, delay=args.delay, status=args.status)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stop.set())
    print("PORT %d" % target.port, flush=True)
    stop.wait(args.lifetime)
    target.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
