#!/usr/bin/python3
"""A Nova metadata API simulator with fault injection, for black-box tests.

Standard library only; run it with /usr/bin/python3.

It answers like nova/api/metadata/handler.py behind
[neutron] service_metadata_proxy = True: `GET /` needs no headers and
lists the versions; everything else needs X-Instance-ID,
X-Instance-ID-Signature and X-Tenant-ID (400 naming the first missing one,
in Nova's order), a signature equal to hex HMAC-SHA256(secret, instance)
(else 403), a known instance whose project is the tenant (else 404), and
then serves the canary's EC2 tree.  Error bodies are the plain-text ones
webob produces for Nova's exceptions.

Faults (global, or for one exact request path) make it misbehave in the
ways a monitoring plugin must survive: delay, status, hang, drip,
oversize, garbage, html, redirect, close, plus data faults missing_key,
value and ignore_signature.  See Simulator.set_fault().

Use it as a module (tests):

    sim = Simulator().start()
    sim.set_fault("delay", 0.5)
    ... sim.port, sim.request_count, sim.last_headers ...
    sim.reset()
    sim.stop()

or as a program:

    simulator.py [--bind ADDR] [--port N] [--secret S] [--instance UUID]
                 [--tenant T] [--fault NAME[=ARG]]... [--backends N]
        prints "PORT <n>" on the first line of stdout (one line per
        backend with --backends), serves until SIGTERM or SIGINT;
    simulator.py --demo --plugin PATH
        runs the plugin against a fresh simulator, normally and with -v;
        exits 0 only if the first run exited 0.
"""

import argparse
import hashlib
import hmac
import http.client
import json
import http.server
import os
import shlex
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_INSTANCE = "32d0524b-314d-4594-b3a3-607e3f2354f8"
# Same project id as tests/nova/novaserver.py, so both suites share a canary.
DEFAULT_TENANT = "6f70656e737461636b20697320636f6f"
DEFAULT_SECRET = "deadbeef2eb84d8d"

# nova/api/metadata/base.py VERSIONS, then "latest".
VERSIONS = [
    "1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10",
    "2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04",
]
TEXT_PLAIN = "text/plain; charset=UTF-8"

# Longest any sleeping fault (hang, drip, delay) keeps a handler thread.
MAX_STALL = 60.0
OVERSIZE_BYTES = 2 * 1024 * 1024

# The reason phrases and default explanations webob uses.
_WEBOB_DEFAULTS = {
    400: "The server could not comply with the request since it is either "
         "malformed or otherwise incorrect.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    500: "The server has either erred or is incapable of performing the "
         "requested operation.",
}

FAULTS = ("delay", "status", "hang", "drip", "oversize", "garbage", "html",
          "redirect", "close", "missing_key", "value", "ignore_signature",
          "os_value", "os_missing", "body", "instance_view", "probe",
          "bigheader")


def sign(secret, instance):
    """X-Instance-ID-Signature as Nova computes it."""
    return hmac.new(secret.encode("utf-8"), instance.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def nova_error_body(code, explanation=None):
    """The plain-text body webob renders for webob.exc.HTTP<code>."""
    phrase = http.client.responses.get(code, "Unknown")
    if explanation is None:
        explanation = _WEBOB_DEFAULTS.get(code, phrase)
    return "%d %s\n\n%s\n\n   " % (code, phrase, explanation)


def canary_tree(instance_id="i-00000001"):
    """The canary's EC2 meta-data, shaped like base.get_ec2_metadata()."""
    return {
        "ami-id": "ami-00000001",
        "ami-launch-index": "0",
        "ami-manifest-path": "FIXME",
        "block-device-mapping": {"ami": "vda", "root": "/dev/vda"},
        "hostname": "canary.novalocal",
        "instance-action": "none",
        "instance-id": instance_id,
        "instance-type": "m1.small",
        "local-hostname": "canary.novalocal",
        "local-ipv4": "10.0.0.5",
        "placement": {"availability-zone": "nova"},
        "public-hostname": "canary.novalocal",
        "public-ipv4": "203.0.113.5",
        # Nova lists "public-keys/", then "0=<keyname>" inside it.
        "public-keys": {"0": {
            "_name": "0=canary-key",
            "openssh-key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"
                           "AAAAIHNpbXVsYXRlZC1rZXk canary"}},
        "reservation-id": "r-7d2q8k3m",
        "security-groups": "default",
    }


def ec2_md_print(data):
    """nova.api.metadata.base.ec2_md_print."""
    if isinstance(data, dict):
        lines = []
        for key in sorted(data):
            if key == "_name":
                continue
            value = data[key]
            if isinstance(value, dict):
                lines.append(str(value["_name"]) if "_name" in value
                             else key + "/")
            else:
                lines.append(key)
        return "\n".join(lines)
    if isinstance(data, list):
        return "\n".join(data)
    return str(data)


def _parse_status_arg(arg):
    """status fault: 500, "500", "500:body", (500,) or (500, "body")."""
    if isinstance(arg, int):
        return arg, nova_error_body(arg)
    if isinstance(arg, str):
        code, _, body = arg.partition(":")
        code = int(code)
        return code, body if body else nova_error_body(code)
    code = int(arg[0])
    body = arg[1] if len(arg) > 1 and arg[1] is not None \
        else nova_error_body(code)
    return code, body


def _parse_value_arg(arg):
    """value fault: "key=value" or (key, value)."""
    if isinstance(arg, str):
        key, sep, value = arg.partition("=")
        if not sep:
            raise ValueError("value fault needs KEY=VALUE")
        return key, value
    return arg[0], arg[1]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    simulator = None

    def server_bind(self):
        # HTTPServer.server_bind() calls getfqdn(), a reverse DNS lookup
        # that can stall without a network; loopback needs no name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK (~40 ms a request on loopback).
    disable_nagle_algorithm = True
    server_version = "nova-metadata-simulator/1.0"
    sys_version = ""
    # An idle keep-alive connection does not keep a thread forever.
    timeout = 30

    def log_message(self, fmt, *args):
        if self.server.simulator.verbose:
            sys.stderr.write("simulator: %s - %s\n"
                             % (self.address_string(), fmt % args))

    def do_GET(self):
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            # The client gave up (size cap, its own timeout): expected.
            self.close_connection = True

    do_HEAD = do_GET

    # ---- plumbing -----------------------------------------------------
    def _send(self, code, body, ctype=TEXT_PLAIN, headers=(),
              content_length=True):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        if content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stall(self, seconds, release):
        """Sleep up to seconds; True if the simulator asked us to stop."""
        sim = self.server.simulator
        deadline = time.monotonic() + min(seconds, MAX_STALL)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if sim._stopping.is_set() or release.wait(min(left, 0.05)):
                return True

    # ---- the request --------------------------------------------------
    def _serve(self):
        sim = self.server.simulator
        path = self.path.split("?", 1)[0]
        release = sim._record(self, path)
        faults = sim._faults_for(path, sim._spared(path))

        if "probe" in faults and self._wrong_signature(sim):
            if self._probe_fault(str(faults["probe"]), release):
                return
        if "close" in faults:
            self.close_connection = True
            return
        if "bigheader" in faults:
            self._bigheader(faults["bigheader"])
            return
        if "hang" in faults:
            self._stall(MAX_STALL, release)
            self.close_connection = True
            return
        if "delay" in faults:
            if self._stall(float(faults["delay"]), release):
                self.close_connection = True
                return
        if "drip" in faults:
            self._drip(faults["drip"], release)
            return
        if "status" in faults:
            code, body = _parse_status_arg(faults["status"])
            self._send(code, body)
            return
        if "redirect" in faults:
            location = faults["redirect"]
            if location in (True, None, ""):
                location = "http://%s/moved/" % self.headers.get(
                    "Host", "127.0.0.1:%d" % sim.port)
            self._send(302, "Found", headers=[("Location", location)])
            return
        if "garbage" in faults:
            self._send(200, _garbage())
            return
        if "html" in faults:
            self._send(200, _HTML, ctype="text/html; charset=UTF-8")
            return
        if "body" in faults:
            self._send(200, str(faults["body"]))
            return
        if "oversize" in faults:
            self._oversize(faults["oversize"])
            return
        code, body = sim._nova_answer(path, self.headers, faults)
        self._send(code, body)

    def _wrong_signature(self, sim):
        """A signed request whose signature is not the instance's."""
        instance = self.headers.get("X-Instance-ID")
        signature = self.headers.get("X-Instance-ID-Signature")
        return (instance is not None and signature is not None
                and signature != sign(sim.secret, instance))

    def _probe_fault(self, action, release):
        """The probe fault's ACTION; True when the request is done."""
        if action == "close":
            self.close_connection = True
            return True
        if action == "hang":
            self._stall(MAX_STALL, release)
            self.close_connection = True
            return True
        if action.startswith("delay:"):
            if self._stall(float(action[6:]), release):
                self.close_connection = True
                return True
            return False
        self._send(int(action), nova_error_body(int(action)))
        return True

    def _bigheader(self, arg):
        """200 with one header line of ARG bytes (default 120 KiB, past
        libcurl's 100 KiB CURL_MAX_HTTP_HEADER)."""
        size = 120 * 1024 if arg is True else int(arg)
        self.close_connection = True
        self._send(200, "instance-id\n", headers=(
            ("X-Hostile", "a" * size),), content_length=False)

    def _drip(self, arg, release):
        interval = 0.1 if arg in (True, None, "") else float(arg) / 1000.0
        self.send_response(200)
        self.send_header("Content-Type", TEXT_PLAIN)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        pattern = b"instance-id\nlocal-ipv4\n"
        deadline = time.monotonic() + MAX_STALL
        i = 0
        while time.monotonic() < deadline:
            self.wfile.write(pattern[i % len(pattern):][:1])
            self.wfile.flush()
            i += 1
            if self._stall(interval, release):
                return

    def _oversize(self, arg):
        """A valid listing of 2 MiB: with Content-Length (arg "cl", the
        default), delimited by closing ("nocl") or chunked ("chunked")."""
        mode = "cl" if arg in (True, None, "") else str(arg)
        body = _oversize_body()
        self.send_response(200)
        self.send_header("Content-Type", TEXT_PLAIN)
        if mode == "cl":
            self.send_header("Content-Length", str(len(body)))
        elif mode == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif mode == "nocl":
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            raise ValueError("oversize mode must be cl, nocl or chunked")
        self.end_headers()
        step = 64 * 1024
        for off in range(0, len(body), step):
            piece = body[off:off + step]
            if mode == "chunked":
                piece = b"%x\r\n%s\r\n" % (len(piece), piece)
            self.wfile.write(piece)
        if mode == "chunked":
            self.wfile.write(b"0\r\n\r\n")


_HTML = ("<!DOCTYPE html>\n<html>\n<head><title>Welcome</title></head>\n"
         "<body>\n<h1>It works!</h1>\n<p>This is the default web page for "
         "this server.</p>\n</body>\n</html>\n")


def _garbage():
    # Deterministic binary: NULs, high bytes, invalid UTF-8.
    return bytes((i * 37 + 11) % 256 for i in range(512)) + b"\x00\x00\xff"


_OVERSIZE = None


def _oversize_body():
    global _OVERSIZE
    if _OVERSIZE is None:
        head = ec2_md_print(canary_tree()).encode() + b"\n"
        lines = [head]
        size = len(head)
        n = 0
        while size < OVERSIZE_BYTES:
            line = b"filler-key-%08d\n" % n
            lines.append(line)
            size += len(line)
            n += 1
        _OVERSIZE = b"".join(lines)[:OVERSIZE_BYTES]
    return _OVERSIZE


class Simulator:
    """A Nova metadata API on loopback with settable faults."""

    def __init__(self, secret=DEFAULT_SECRET, instance=DEFAULT_INSTANCE,
                 tenant=DEFAULT_TENANT, bind="127.0.0.1", port=0,
                 verbose=False):
        self.secret = secret
        self.instance = instance
        self.tenant = tenant
        self.bind = bind
        self.requested_port = port
        self.verbose = verbose
        self.port = None
        self._server = None
        self._thread = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._release = threading.Event()
        self._global = {}
        self._per_path = {}
        # path -> how many first requests to it its per-path faults spare
        # (a fault on the second /openstack only, say).
        self.spare = {}
        self.requests = []
        # The OpenStack tree (Nova's _metadata_as_json and siblings);
        # None serves 404, as Nova does without user data.
        self.user_data = None
        self.vendor_data = {}
        self.vendor_data2 = {"static": {}}
        self.network_data = openstack_network_data()

    # ---- life cycle ---------------------------------------------------
    def start(self):
        cls = _Server6 if ":" in self.bind else _Server
        self._server = cls((self.bind, self.requested_port), _Handler)
        self._server.simulator = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="simulator-%d" % self.port, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._stopping.set()
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "http://%s:%d" % (host, self.port)

    # ---- faults -------------------------------------------------------
    def set_fault(self, name, arg=True, path=None):
        """Injects a fault, for every path or for one exact request path.

        delay=SECONDS        wait, then answer normally
        status=CODE[:BODY]   answer CODE with BODY (default: webob's text);
                             also (code, body)
        hang                 read the request, never answer (max 60 s)
        drip=MS              200 headers, then one body byte every MS ms
        oversize[=MODE]      200 with a 2 MiB listing: cl (Content-Length,
                             default), nocl (until close) or chunked
        garbage              200 with binary bytes and NULs
        html                 200 text/html page
        redirect[=URL]       302 with Location (default /moved/ here)
        close                close the connection without any response
        missing_key=KEY      KEY neither listed nor served (repeatable)
        value=KEY=VAL        serve KEY as VAL (repeatable); also (key, val)
        os_value=KEY=JSON    meta_data.json's top-level KEY is JSON (a
                             string when JSON does not parse; repeatable)
        os_missing=KEY       meta_data.json without KEY (repeatable)
        body=TEXT            200 with TEXT as the body (malformed JSON...)
        ignore_signature     service_metadata_proxy = False: 404 for every
                             request but GET /
        instance_view        answer as the whole chain answers an instance:
                             unsigned requests get the canary's data (the
                             proxy and the agent add the headers)
        bigheader[=N]        200 with a header line of N bytes (default
                             120 KiB: libcurl refuses it)
        probe=ACTION         only a request with a wrong signature (the
                             plugin's 404 probe) gets ACTION: close, hang,
                             delay:SECONDS (then answers as Nova), or an
                             HTTP status CODE with webob's text
        """
        if name not in FAULTS:
            raise ValueError("unknown fault %r" % name)
        with self._lock:
            table = self._global if path is None else \
                self._per_path.setdefault(path, {})
            if name in ("missing_key", "os_missing"):
                table.setdefault(name, set()).add(arg)
            elif name in ("value", "os_value"):
                key, value = _parse_value_arg(arg)
                table.setdefault(name, {})[key] = value
            else:
                table[name] = arg
        return self

    def clear_faults(self):
        with self._lock:
            self._global = {}
            self._per_path = {}
            self.spare = {}
            # Let hanging or dripping handlers of earlier tests go.
            self._release.set()
            self._release = threading.Event()

    def reset(self):
        """Faults, request log, counters and vendor_data2.json back to a
        fresh start."""
        self.clear_faults()
        with self._lock:
            self.requests = []
            self.vendor_data2 = {"static": {}}

    def _spared(self, path):
        """Whether this request to path (already recorded) is among the
        first self.spare[path] ones, which its per-path faults spare."""
        with self._lock:
            seen = sum(1 for r in self.requests if r["path"] == path)
            return seen <= self.spare.get(path, 0)

    def _faults_for(self, path, spared=False):
        with self._lock:
            merged = dict(self._global)
            per_path = {} if spared else self._per_path.get(path, {})
            for name, arg in per_path.items():
                if name in ("missing_key", "os_missing"):
                    merged[name] = set(merged.get(name, set())) | arg
                elif name in ("value", "os_value"):
                    merged[name] = dict(merged.get(name, {}), **arg)
                else:
                    merged[name] = arg
            return merged

    # ---- recording ----------------------------------------------------
    def _record(self, handler, path):
        with self._lock:
            self.requests.append({
                "method": handler.command,
                "path": path,
                "raw_path": handler.path,
                "version": handler.request_version,
                "headers": handler.headers,
                "client": handler.client_address[0],
            })
            return self._release

    @property
    def request_count(self):
        with self._lock:
            return len(self.requests)

    @property
    def last_request(self):
        with self._lock:
            return self.requests[-1] if self.requests else None

    @property
    def last_headers(self):
        """http.client.HTTPMessage of the last request (case-insensitive
        .get(), .get_all()), or None."""
        last = self.last_request
        return last["headers"] if last else None

    @property
    def expected_signature(self):
        return sign(self.secret, self.instance)

    # ---- Nova's logic -------------------------------------------------
    def tree(self, faults=None):
        faults = self._faults_for("") if faults is None else faults
        tree = canary_tree()
        for key, value in faults.get("value", {}).items():
            _set_in_tree(tree, key, value)
        for key in faults.get("missing_key", set()):
            _delete_in_tree(tree, key)
        return tree

    def _nova_answer(self, path, headers, faults):
        """(code, body) as MetadataRequestHandler.__call__ would give."""
        norm = os.path.normpath(path) if path else "/"
        if norm in ("/", "//"):
            return 200, "\n".join(VERSIONS + ["latest"])
        if "ignore_signature" in faults:
            # Nova looks the caller up by its address and finds nothing.
            return 404, nova_error_body(404)
        if "instance_view" in faults:
            return self._canary_answer(norm, faults)
        instance = headers.get("X-Instance-ID")
        signature = headers.get("X-Instance-ID-Signature")
        tenant = headers.get("X-Tenant-ID")
        if instance is None:
            msg = "X-Instance-ID header is missing from request."
        elif signature is None:
            msg = "X-Instance-ID-Signature header is missing from request."
        elif tenant is None:
            msg = "X-Tenant-ID header is missing from request."
        elif len(headers.get_all("X-Instance-ID")) > 1:
            msg = "Multiple X-Instance-ID headers found within request."
        elif len(headers.get_all("X-Tenant-ID")) > 1:
            msg = "Multiple X-Tenant-ID headers found within request."
        else:
            msg = None
        if msg:
            return 400, nova_error_body(400, msg)
        if not signature or not hmac.compare_digest(
                sign(self.secret, instance).encode(),
                signature.encode("utf-8", "surrogateescape")):
            return 403, nova_error_body(403,
                                        "Invalid proxy request signature.")
        if instance != self.instance or tenant != self.tenant:
            return 404, nova_error_body(404)
        return self._canary_answer(norm, faults)

    def _canary_answer(self, norm, faults):
        """The canary's document at norm, once it is known to be asked."""
        if norm.split("/")[1:2] == ["openstack"]:
            return self._openstack_answer(norm, faults)
        data = _lookup(norm, self.tree(faults))
        if data is None:
            return 404, nova_error_body(404)
        return 200, ec2_md_print(data)


    def meta_data(self, faults=None):
        """meta_data.json's content, with the os_* faults applied."""
        faults = self._faults_for("") if faults is None else faults
        md = openstack_meta_data(self.instance, self.tenant)
        for key, value in faults.get("os_value", {}).items():
            try:
                md[key] = json.loads(value)
            except ValueError:
                md[key] = value
        for key in faults.get("os_missing", set()):
            md.pop(key, None)
        return md

    def _openstack_answer(self, norm, faults):
        """base.py's lookup() for /openstack[/VERSION[/NAME]]."""
        tokens = norm.split("/")[2:]
        if not tokens:
            return 200, "\n".join(OPENSTACK_VERSIONS + ["latest"])
        if tokens[0] not in OPENSTACK_VERSIONS + ["latest"]:
            return 404, nova_error_body(404)
        # vendor_data2 as a str is served as it is (not JSON, say); Nova
        # serves vendor_data2.json from version 2016-10-06 on.
        vd2 = self.vendor_data2
        if not isinstance(vd2, str):
            vd2 = json.dumps(vd2)
        if tokens[0] != "latest" and tokens[0] < "2016-10-06":
            vd2 = None
        docs = {
            "meta_data.json": json.dumps(self.meta_data(faults)),
            "user_data": self.user_data,
            "vendor_data.json": json.dumps(self.vendor_data),
            "vendor_data2.json": vd2,
            "network_data.json": json.dumps(self.network_data),
        }
        if len(tokens) == 1:
            return 200, "\n".join(k for k, v in docs.items()
                                  if v is not None)
        body = docs.get("/".join(tokens[1:]))
        if body is None:
            return 404, nova_error_body(404)
        return 200, body


# nova/api/metadata/base.py OPENSTACK_VERSIONS (all in the past now).
OPENSTACK_VERSIONS = [
    "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
    "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14",
]


def openstack_meta_data(instance, tenant):
    """The canary's meta_data.json, shaped like _metadata_as_json()."""
    return {
        "uuid": instance,
        "meta": {"role": "canary"},
        "public_keys": {"canary-key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"
                                      "AAAAIHNpbXVsYXRlZC1rZXk canary"},
        "keys": [{"name": "canary-key", "type": "ssh",
                  "data": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"
                          "AAAAIHNpbXVsYXRlZC1rZXk canary"}],
        "hostname": "canary.novalocal",
        "name": "canary",
        "launch_index": 0,
        "availability_zone": "nova",
        "random_seed": "c2ltdWxhdGVkIHNlZWQ=",
        "project_id": tenant,
        "devices": [],
        "dedicated_cpus": [],
    }


def openstack_network_data():
    return {
        "links": [{"id": "tapcanary", "vif_id": "canary-port",
                   "type": "ovs", "mtu": 1450,
                   "ethernet_mac_address": "fa:16:3e:00:00:05"}],
        "networks": [{"id": "network0", "type": "ipv4_dhcp",
                      "link": "tapcanary", "network_id": "canary-net"}],
        "services": [],
    }


def _lookup(norm, tree):
    tokens = [t for t in norm.split("/") if t]
    if not tokens:
        return None
    if tokens[0] == "ec2":
        tokens = tokens[1:]
    if not tokens or tokens[0] not in VERSIONS + ["latest"]:
        return None
    data = {"meta-data": tree}
    for token in tokens[1:]:
        if not isinstance(data, dict) or token not in data:
            return None
        data = data[token]
    return data


def _set_in_tree(tree, key, value):
    parts = [p for p in key.split("/") if p]
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _delete_in_tree(tree, key):
    parts = [p for p in key.split("/") if p]
    node = tree
    for part in parts[:-1]:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    node.pop(parts[-1], None)


# ---- command line -------------------------------------------------------
def _parse_fault(text):
    name, sep, arg = text.partition("=")
    if name not in FAULTS:
        raise argparse.ArgumentTypeError("unknown fault %r (one of %s)"
                                         % (name, ", ".join(FAULTS)))
    return name, (arg if sep else True)


def _parse_args(argv):
    p = argparse.ArgumentParser(
        description="Nova metadata API simulator with fault injection.")
    p.add_argument("--bind", default="127.0.0.1",
                   help="listen address (default %(default)s; ::1 works)")
    p.add_argument("--port", type=int, default=0,
                   help="port, 0 = any free one (default)")
    p.add_argument("--secret", default=DEFAULT_SECRET)
    p.add_argument("--backends", type=int, default=1,
                   help="serve N backends, each on a port of its own (one "
                        "PORT line each; --port applies to a single one)")
    p.add_argument("--instance", default=DEFAULT_INSTANCE)
    p.add_argument("--tenant", default=DEFAULT_TENANT)
    p.add_argument("--fault", action="append", type=_parse_fault, default=[],
                   metavar="NAME[=ARG]", help="inject a fault on every path")
    p.add_argument("--verbose", action="store_true", help="log requests")
    p.add_argument("--demo", action="store_true",
                   help="run --plugin against a fresh simulator")
    p.add_argument("--plugin", help="the built check_nova_metadata (--demo)")
    args = p.parse_args(argv)
    if args.demo and not args.plugin:
        p.error("--demo needs --plugin PATH")
    if not 1 <= args.backends <= 256 or (args.backends > 1 and args.port):
        p.error("--backends: 1..256, and --port only with one")
    return args


class Fleet:
    """Several backends, as behind haproxy or a Kubernetes Service: one
    Simulator each, each on its own port with its own faults, values and
    secret (sims[i].set_fault(...), Fleet(secrets=[...]))."""

    def __init__(self, count, secrets=None, **kwargs):
        secrets = secrets or {}
        self.sims = [Simulator(secret=secrets.get(i, DEFAULT_SECRET), **kwargs)
                     for i in range(count)]

    def start(self):
        for sim in self.sims:
            sim.start()
        return self

    def stop(self):
        for sim in self.sims:
            sim.stop()

    def reset(self):
        for sim in self.sims:
            sim.reset()

    def host_args(self, host="127.0.0.1"):
        """-H HOST:PORT for every backend, in order."""
        args = []
        for sim in self.sims:
            args += ["-H", "%s:%d" % (host, sim.port)]
        return args

    def name(self, i, host="127.0.0.1"):
        """Backend i as the plugin names it."""
        return "%s:%d" % (host, self.sims[i].port)


def _serve(args):
    fleet = Fleet(args.backends, instance=args.instance, tenant=args.tenant,
                  bind=args.bind, port=args.port, verbose=args.verbose,
                  secrets={i: args.secret for i in range(args.backends)})
    for sim in fleet.sims:
        for name, arg in args.fault:
            sim.set_fault(name, arg)
    done = threading.Event()

    def on_signal(signum, frame):
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fleet.start()
    for sim in fleet.sims:
        print("PORT %d" % sim.port, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        fleet.stop()
    return 0


def _demo_run(cmd, shown):
    print("$ " + " ".join(shlex.quote(c) for c in shown), flush=True)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60,
                              env=_demo_env())
    except subprocess.TimeoutExpired:
        print("(no answer within 60 s)", flush=True)
        return None
    sys.stdout.write(proc.stdout.decode("utf-8", "replace"))
    print("(exit %d)\n" % proc.returncode, flush=True)
    return proc.returncode


def _demo_env():
    env = dict(os.environ)
    env.pop("NOVA_METADATA_SECRET", None)
    return env


def _demo(args):
    plugin = os.path.abspath(args.plugin)
    if not os.access(plugin, os.X_OK):
        print("demo: %s is not an executable; run make first" % plugin,
              file=sys.stderr)
        return 1
    sim = Simulator(secret=args.secret, instance=args.instance,
                    tenant=args.tenant, bind=args.bind)
    with tempfile.TemporaryDirectory(prefix="nova-metadata-demo-") as tmp:
        secret_file = os.path.join(tmp, "secret")
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(args.secret + "\n")
        with sim:
            print("Nova metadata simulator on %s (canary %s, tenant %s)\n"
                  % (sim.url, args.instance, args.tenant), flush=True)
            cmd = [plugin, "-H", args.bind, "-p", str(sim.port),
                   "-i", args.instance, "-T", args.tenant,
                   "--secret-file", secret_file]
            first = _demo_run(cmd, cmd)
            _demo_run(cmd + ["-v"], cmd + ["-v"])
    return 0 if first == 0 else 1


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.demo:
        return _demo(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
