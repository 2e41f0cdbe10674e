"""The simulator itself: Nova's answers and each fault, over plain HTTP."""

import http.client
import os
import signal
import socket
import subprocess
import time

import pytest

import simulator
from conftest import INSTANCE, SECRET, TENANT, ipv6_loopback

SIMULATOR = simulator.__file__


@pytest.fixture(scope="module")
def srv():
    s = simulator.Simulator().start()
    yield s
    s.stop()


@pytest.fixture
def s(srv):
    srv.reset()
    yield srv
    srv.reset()


def signed(secret=SECRET, instance=INSTANCE, tenant=TENANT):
    return {"X-Instance-ID": instance, "X-Tenant-ID": tenant,
            "X-Instance-ID-Signature": simulator.sign(secret, instance)}


def get(s, path, headers=None, timeout=5, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", s.port,
                                           timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, r, body
    finally:
        if conn is None:
            c.close()


LISTING = ("ami-id\nami-launch-index\nami-manifest-path\n"
           "block-device-mapping/\nhostname\ninstance-action\ninstance-id\n"
           "instance-type\nlocal-hostname\nlocal-ipv4\nplacement/\n"
           "public-hostname\npublic-ipv4\npublic-keys/\nreservation-id\n"
           "security-groups").encode()


def test_signature_test_vector():
    assert simulator.sign("deadbeef2eb84d8d",
                          "32d0524b-314d-4594-b3a3-607e3f2354f8") == \
        "6bcbe3885ae7efc49cef35b438efe29c95501f4a720a0c53ed000d8fcf04a605"


def test_versions_without_headers(s):
    status, r, body = get(s, "/")
    assert status == 200
    assert body.decode().split("\n") == simulator.VERSIONS + ["latest"]
    assert body.startswith(b"1.0\n2007-01-19\n") and body.endswith(b"\nlatest")
    assert r.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert r.getheader("Content-Length") == str(len(body))


@pytest.mark.parametrize("missing", [
    "X-Instance-ID", "X-Instance-ID-Signature", "X-Tenant-ID"])
def test_missing_header_400_names_it(s, missing):
    headers = signed()
    del headers[missing]
    status, _, body = get(s, "/latest/meta-data/", headers)
    assert status == 400
    assert ("%s header is missing from request." % missing).encode() in body


def test_wrong_signature_403(s):
    status, _, body = get(s, "/latest/meta-data/", signed(secret="nope"))
    assert status == 403
    assert b"Invalid proxy request signature." in body


def test_upper_case_signature_403(s):
    headers = signed()
    headers["X-Instance-ID-Signature"] = headers[
        "X-Instance-ID-Signature"].upper()
    assert get(s, "/latest/meta-data/", headers)[0] == 403


def test_unknown_instance_404(s):
    other = "11111111-2222-3333-4444-555555555555"
    assert get(s, "/latest/meta-data/", signed(instance=other))[0] == 404


def test_wrong_tenant_404(s):
    assert get(s, "/latest/meta-data/", signed(tenant="someoneelse"))[0] == 404


def test_listing_and_values(s):
    status, r, body = get(s, "/latest/meta-data/", signed())
    assert status == 200 and body == LISTING
    assert r.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert get(s, "/latest/meta-data/instance-id", signed())[2] == \
        b"i-00000001"
    assert get(s, "/latest/meta-data/local-ipv4", signed())[2] == b"10.0.0.5"
    assert get(s, "/latest/meta-data/hostname", signed())[2] == \
        b"canary.novalocal"
    assert get(s, "/latest/meta-data/placement/", signed())[2] == \
        b"availability-zone"
    assert get(s, "/latest/meta-data/placement/availability-zone",
               signed())[2] == b"nova"
    assert get(s, "/2009-04-04/meta-data/", signed())[2] == LISTING
    assert get(s, "/latest/meta-data/nonexistent", signed())[0] == 404
    assert get(s, "/9999-01-01/meta-data/", signed())[0] == 404


def test_keep_alive_and_recording(s):
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
    try:
        assert get(s, "/latest/meta-data/", signed(), conn=c)[0] == 200
        assert get(s, "/latest/meta-data/hostname", signed(), conn=c)[0] == 200
    finally:
        c.close()
    assert s.request_count == 2
    assert s.last_request["path"] == "/latest/meta-data/hostname"
    assert s.last_headers["x-instance-id"] == INSTANCE
    assert s.last_headers.get("X-Forwarded-For") is None
    s.reset()
    assert s.request_count == 0 and s.last_headers is None


def test_fault_status_and_per_path(s):
    s.set_fault("status", (500, "a|b\nc\x1b"), path="/latest/meta-data/")
    status, _, body = get(s, "/latest/meta-data/", signed())
    assert (status, body) == (500, b"a|b\nc\x1b")
    assert get(s, "/latest/meta-data/hostname", signed())[0] == 200
    s.reset()
    s.set_fault("status", 503)
    status, _, body = get(s, "/", {})
    assert status == 503 and body.startswith(b"503 Service Unavailable")
    s.reset()
    assert get(s, "/latest/meta-data/", signed())[0] == 200


def test_fault_data(s):
    s.set_fault("missing_key", "local-ipv4")
    s.set_fault("value", "hostname=evil.example")
    body = get(s, "/latest/meta-data/", signed())[2]
    assert b"local-ipv4" not in body.split(b"\n")
    assert get(s, "/latest/meta-data/local-ipv4", signed())[0] == 404
    assert get(s, "/latest/meta-data/hostname", signed())[2] == b"evil.example"


def test_fault_ignore_signature(s):
    s.set_fault("ignore_signature")
    assert get(s, "/latest/meta-data/", signed())[0] == 404
    assert get(s, "/")[0] == 200


def test_fault_bodies(s):
    s.set_fault("garbage")
    status, _, body = get(s, "/latest/meta-data/", signed())
    assert status == 200 and b"\x00" in body
    s.reset()
    s.set_fault("html")
    status, r, body = get(s, "/latest/meta-data/", signed())
    assert status == 200 and b"<html>" in body
    assert r.getheader("Content-Type").startswith("text/html")
    s.reset()
    s.set_fault("redirect")
    status, r, _ = get(s, "/latest/meta-data/", signed())
    assert status == 302 and r.getheader("Location").endswith("/moved/")


@pytest.mark.parametrize("mode", ["cl", "nocl", "chunked"])
def test_fault_oversize(s, mode):
    s.set_fault("oversize", mode)
    status, r, body = get(s, "/latest/meta-data/", signed())
    assert status == 200 and len(body) == 2 * 1024 * 1024
    assert body.startswith(LISTING + b"\n")
    assert (r.getheader("Content-Length") is not None) == (mode == "cl")


def test_fault_close(s):
    s.set_fault("close")
    with pytest.raises(http.client.RemoteDisconnected):
        get(s, "/latest/meta-data/", signed())


def test_fault_delay(s):
    s.set_fault("delay", 0.3)
    start = time.monotonic()
    assert get(s, "/latest/meta-data/", signed())[0] == 200
    assert time.monotonic() - start >= 0.3


def test_fault_hang_and_drip_release_on_reset(s):
    s.set_fault("hang")
    with pytest.raises(socket.timeout):
        get(s, "/latest/meta-data/", signed(), timeout=0.5)
    s.reset()
    s.set_fault("drip", 50)
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=2)
    try:
        c.request("GET", "/latest/meta-data/", headers=signed())
        r = c.getresponse()
        assert r.status == 200
        start = time.monotonic()
        got = r.read(3)
        assert got == b"ins" and time.monotonic() - start >= 0.08
    finally:
        c.close()


def test_stop_is_prompt_with_hanging_handler():
    s = simulator.Simulator().start()
    s.set_fault("hang")
    c = socket.create_connection(("127.0.0.1", s.port), timeout=2)
    try:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        start = time.monotonic()
        s.stop()
        assert time.monotonic() - start < 2
    finally:
        c.close()


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")
def test_ipv6_bind():
    with simulator.Simulator(bind="::1") as s6:
        c = http.client.HTTPConnection("::1", s6.port, timeout=5)
        try:
            c.request("GET", "/")
            assert c.getresponse().status == 200
        finally:
            c.close()


def _start_cli(*extra):
    proc = subprocess.Popen(
        ["/usr/bin/python3", SIMULATOR, "--port", "0"] + list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("PORT "), (line, proc.stderr.read())
    return proc, int(line.split()[1])


def test_cli_port_line_fault_and_sigterm():
    proc, port = _start_cli("--fault", "status=418:teapot",
                            "--fault", "value=hostname=cli.example")
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/")
        r = c.getresponse()
        assert (r.status, r.read()) == (418, b"teapot")
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


def test_cli_rejects_unknown_fault():
    proc = subprocess.run(["/usr/bin/python3", SIMULATOR, "--fault", "bogus"],
                          capture_output=True, timeout=20)
    assert proc.returncode == 2 and b"unknown fault" in proc.stderr


def test_demo_needs_plugin():
    proc = subprocess.run(["/usr/bin/python3", SIMULATOR, "--demo"],
                          capture_output=True, timeout=20)
    assert proc.returncode == 2


def test_demo_runs_plugin(plugin):
    proc = subprocess.run(["/usr/bin/python3", SIMULATOR, "--demo",
                           "--plugin", plugin], capture_output=True,
                          timeout=60, env=dict(os.environ, LC_ALL="C"))
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, out + proc.stderr.decode("utf-8", "replace")
    assert "NOVA METADATA OK - " in out
    assert "--secret-file" in out and SECRET not in out
    assert out.count("$ ") == 2 and " -v" in out


def test_demo_fails_with_failing_plugin(tmp_path):
    fake = tmp_path / "fake_plugin"
    fake.write_text("#!/bin/sh\necho 'NOVA METADATA CRITICAL - fake'\n"
                    "exit 2\n")
    fake.chmod(0o755)
    proc = subprocess.run(["/usr/bin/python3", SIMULATOR, "--demo",
                           "--plugin", str(fake)],
                          capture_output=True, timeout=60)
    assert proc.returncode == 1
    assert b"CRITICAL - fake" in proc.stdout
