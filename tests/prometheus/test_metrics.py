"""--output-format=prometheus against the simulator: for OK and every
failure class the simulator, a stand-in agent and the transport can
produce, `promtool check metrics` accepts the output without a remark,
the exit code is the check's state, and each target's series say which
target, which hop and why (nova_metadata_reason's fixed set)."""

import os
import signal
import socketserver
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

import simulator
from conftest import (INSTANCE, PLUGIN, RUN_FAMILIES, SECRET,
                      TARGET_FAMILIES, TENANT, by_backend, free_port,
                      reasons, run_plugin, samples, state)

OTHER_UUID = "4c1f7a2e-93d6-4b8a-a5e0-6d2c9b3f1e74"
OTHER_TENANT = "0000000000000000000000000000beef"
NETWORK = "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"
IP = "192.0.2.10"

# (id, extra options, simulator faults, exit code, reason, last status)
CLASSES = [
    ("ok", [], [], 0, "none", 200),
    ("slow_warning", ["-w", "0.000001"], [], 1, "slow", 200),
    ("slow_critical", ["-c", "0.000001"], [], 2, "slow", 200),
    ("tls", ["-S"], [], 2, "tls", 0),
    ("broke_off", [], [("close",)], 2, "broke_off", 0),
    ("too_large", [], [("oversize",)], 2, "too_large", 200),
    ("header_too_large", [], [("bigheader",)], 2, "too_large", 0),
    # the canary's own 404, not the probe's 403 that classed it
    ("canary_unknown", ["-T", OTHER_TENANT], [], 2, "canary_unknown", 404),
    ("proxy_off", [], [("ignore_signature",)], 2, "proxy_off", 404),
    ("rate_limited", [], [("status", 429)], 2, "rate_limited", 429),
    ("server_error_500", [], [("status", 500)], 2, "server_error", 500),
    ("server_error_503", [], [("status", 503)], 2, "server_error", 503),
    ("bad_request", [], [("status", 400)], 2, "bad_request", 400),
    ("redirected", [], [("redirect",)], 2, "redirected", 302),
    ("malformed_binary", [], [("garbage",)], 2, "malformed", 200),
    ("malformed_html", [], [("html",)], 2, "malformed", 200),
    ("key_missing", [], [("missing_key", "local-ipv4")], 2, "key_missing",
     200),
    ("value_mismatch", ["-e", "local-ipv4=10.9.9.9"], [], 2,
     "value_mismatch", 200),
    ("wrong_canary", ["-O"], [("os_value", "uuid=\"%s\"" % OTHER_UUID)], 2,
     "wrong_canary", 200),
    ("vendordata_failed", ["-O", "--vendordata-target", "join"], [], 2,
     "vendordata_failed", 200),
]


def _one_target(fams):
    """The one target's (labels, {family: value}); every target family
    has exactly its one sample, with the same labels."""
    per = {}
    for name in TARGET_FAMILIES:
        (labels, value), = samples(fams, name)
        per[name] = value
        key = {k: v for k, v in labels.items() if k != "reason"}
        assert key == {"canary": INSTANCE, "backend": key["backend"],
                       "hop": key["hop"]}, labels
    (labels, _), = samples(fams, "nova_metadata_reason")
    return labels, per


@pytest.mark.parametrize("case", CLASSES, ids=[c[0] for c in CLASSES])
def test_failure_class(sim, base_args, check_metrics, case):
    _, extra, faults, code, reason, status = case
    for fault in faults:
        sim.set_fault(*fault)
    rc, out = run_plugin(base_args + extra)
    fams = check_metrics(out)
    assert rc == code, out
    assert list(fams) == list(RUN_FAMILIES + TARGET_FAMILIES), list(fams)
    labels, value = state(fams)
    assert labels == {"canary": INSTANCE} and value == code
    labels, per = _one_target(fams)
    assert labels["backend"] == "127.0.0.1:%d" % sim.port
    assert labels["hop"] == "nova" and labels["reason"] == reason, out
    up = reason in ("none", "slow")
    assert per["nova_metadata_up"] == (1 if up else 0), out
    assert per["nova_metadata_reason"] == 1
    assert per["nova_metadata_http_status"] == status, out
    assert per["nova_metadata_response_time_seconds"] >= 0
    size = per["nova_metadata_response_size_bytes"]
    assert size == int(size) and size >= 0, out
    if status == 0:
        assert size == 0, out
    (_, served), = samples(fams, "nova_metadata_canary_served")
    assert served == (1 if up else 0)
    assert "NOVA METADATA" not in out, "a status line in the metrics"


def test_signature_rejected(sim, base_args, wrong_secret_file,
                            check_metrics):
    args = list(base_args)
    args[args.index("--secret-file") + 1] = wrong_secret_file
    rc, out = run_plugin(args)
    fams = check_metrics(out)
    assert rc == 2
    labels, per = _one_target(fams)
    assert labels["reason"] == "signature_rejected"
    assert per["nova_metadata_http_status"] == 403


def test_not_found_when_the_probe_cannot_tell(sim, base_args,
                                              check_metrics):
    """A 404 whose probe gets no answer: not_found, neither of the two
    404s the probe tells apart."""
    sim.set_fault("probe", "close")
    args = list(base_args)
    args[args.index("-T") + 1] = OTHER_TENANT
    rc, out = run_plugin(args)
    fams = check_metrics(out)
    assert rc == 2
    labels, per = _one_target(fams)
    assert labels["reason"] == "not_found" and per["nova_metadata_up"] == 0
    assert per["nova_metadata_http_status"] == 404


def test_refused_and_unresolved(plugin, secret_file, check_metrics):
    port = free_port()
    rc, out = run_plugin([
        "--output-format=prometheus", "-i", INSTANCE, "-T", TENANT,
        "--secret-file", secret_file, "-H", "127.0.0.1:%d" % port,
        "-H", "nonexistent.invalid:%d" % port])
    fams = check_metrics(out)
    assert rc == 2
    assert reasons(fams) == {"127.0.0.1:%d" % port: "refused",
                             "nonexistent.invalid:%d" % port: "unresolved"}
    assert set(by_backend(fams, "nova_metadata_up").values()) == {0}
    assert set(by_backend(fams, "nova_metadata_http_status").values()) == \
        {0}


def test_timeout_of_one_target(sim, base_args, check_metrics):
    """The whole-run limit: its state, the canary not served, and the
    target's series with reason timeout, whether the run ended in time
    or the limit's own line had to be printed."""
    sim.set_fault("hang")
    start = time.monotonic()
    rc, out = run_plugin(base_args + ["-t", "1"])
    assert time.monotonic() - start < 5
    fams = check_metrics(out)
    assert rc == 2 and state(fams) == ({"canary": INSTANCE}, 2)
    (_, served), = samples(fams, "nova_metadata_canary_served")
    assert served == 0
    labels, per = _one_target(fams)
    assert labels["backend"] == "127.0.0.1:%d" % sim.port
    assert labels["hop"] == "nova" and labels["reason"] == "timeout", out
    assert per["nova_metadata_up"] == 0
    assert per["nova_metadata_http_status"] == 0


def test_timeout_result_is_the_state(sim, base_args, check_metrics):
    sim.set_fault("hang")
    rc, out = run_plugin(base_args + ["-t", "1:UNKNOWN"])
    fams = check_metrics(out)
    assert rc == 3 and state(fams)[1] == 3


def test_several_backends_disagree(plugin, secret_file, check_metrics):
    fleet = simulator.Fleet(3).start()
    try:
        fleet.sims[1].set_fault("value", "local-ipv4=10.0.0.99")
        fleet.sims[2].set_fault("status", 500)
        rc, out = run_plugin(["--output-format=prometheus", "-i", INSTANCE,
                              "-T", TENANT, "--secret-file", secret_file,
                              "-k", "local-ipv4", "-e",
                              "local-ipv4=%s" % fleet.sims[0].tree()[
                                  "local-ipv4"]] + fleet.host_args())
    finally:
        fleet.stop()
    fams = check_metrics(out)
    assert rc == 2
    names = [fleet.name(i) for i in range(3)]
    got = reasons(fams)
    assert got[names[0]] == "none" and got[names[2]] == "server_error"
    assert got[names[1]] == "value_mismatch"
    assert by_backend(fams, "nova_metadata_up") == {
        names[0]: 1, names[1]: 0, names[2]: 0}
    # every target family lists the backends in -H order
    for name in TARGET_FAMILIES:
        assert [lab["backend"] for lab, _ in samples(fams, name)] == names


def test_backends_disagree_alone(plugin, secret_file, check_metrics):
    fleet = simulator.Fleet(3).start()
    try:
        fleet.sims[2].set_fault("os_value", "hostname=old-name")
        rc, out = run_plugin(["--output-format=prometheus", "-i", INSTANCE,
                              "-T", TENANT, "--secret-file", secret_file,
                              "-O"] + fleet.host_args())
    finally:
        fleet.stop()
    fams = check_metrics(out)
    assert rc == 1 and state(fams)[1] == 1
    (_, value), = samples(fams, "nova_metadata_backends_disagree")
    assert value == 1
    assert set(by_backend(fams, "nova_metadata_up").values()) == {1}


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Agent:
    """A stand-in neutron metadata agent on a UNIX socket that finds no
    port for the address (its 404)."""

    def __init__(self, path):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"404 Not Found\n\nThe resource could not be found.\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _UnixServer(path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def _agent_args(path):
    return ["--output-format=prometheus", "-i", INSTANCE,
            "--agent-socket=" + path, "--forwarded-for", IP,
            "--network-id", NETWORK]


def test_agent_hop_and_nova(sim, secret_file, tmp_path, check_metrics):
    """Both hops in one run: hop="agent" (its socket absent) beside
    hop="nova" (OK)."""
    rc, out = run_plugin(_agent_args(str(tmp_path / "absent")) + [
        "-T", TENANT, "--secret-file", secret_file, "-H",
        "127.0.0.1:%d" % sim.port])
    fams = check_metrics(out)
    assert rc == 2
    hops = {lab["backend"]: (lab["hop"], lab["reason"])
            for lab, _ in samples(fams, "nova_metadata_reason")}
    assert hops == {"agent": ("agent", "refused"),
                    "127.0.0.1:%d" % sim.port: ("nova", "none")}


def test_agent_no_port(plugin, tmp_path, check_metrics):
    path = str(tmp_path / "metadata_proxy")
    agent = _Agent(path)
    try:
        rc, out = run_plugin(_agent_args(path))
    finally:
        agent.close()
    fams = check_metrics(out)
    assert rc == 2
    assert reasons(fams) == {"agent": "no_port"}
    assert by_backend(fams, "nova_metadata_http_status") == {"agent": 404}


@pytest.mark.parametrize("fault,code,reason", [
    (None, 0, "none"),
    (("status", (503, "<html><body><h1>503 Service Unavailable</h1>\nNo "
                 "server is available to handle this request.\n"
                 "</body></html>\n")), 2, "proxy_error"),
    (("status", 429), 2, "rate_limited"),
])
def test_instance_view(sim, check_metrics, fault, code, reason):
    sim.set_fault("instance_view")
    if fault:
        sim.set_fault(*fault)
    rc, out = run_plugin(["--output-format=prometheus", "--instance-view",
                          "-H", "127.0.0.1", "-p", sim.port, "-i", INSTANCE])
    fams = check_metrics(out)
    assert rc == code
    (labels, _), = samples(fams, "nova_metadata_reason")
    assert labels["hop"] == "instance" and labels["reason"] == reason


@pytest.mark.parametrize("args", [
    ["-p", "x"],
    ["-i", "not-a-uuid", "-T", TENANT],
    ["-i", INSTANCE, "-T", TENANT, "-w", "5:1"],
])
def test_usage_error_is_the_state_alone(plugin, check_metrics, args):
    """No canary is known for sure: nova_metadata_state 3 alone."""
    rc, out = run_plugin(["--output-format=PROMETHEUS"] + args)
    fams = check_metrics(out)
    assert rc == 3
    assert list(fams) == ["nova_metadata_state"]
    assert samples(fams, "nova_metadata_state") == [({}, 3)]


def test_no_secret_is_unknown(sim, tmp_path, check_metrics):
    rc, out = run_plugin(["--output-format=prometheus", "-H", "127.0.0.1",
                          "-p", sim.port, "-i", INSTANCE, "-T", TENANT,
                          "--secret-file", str(tmp_path / "absent")])
    assert rc == 3
    assert samples(check_metrics(out), "nova_metadata_state")[0][1] == 3


def test_interrupted_by_a_signal(sim, base_args, check_metrics):
    """SIGTERM mid-run: UNKNOWN, the canary's label, parseable."""
    sim.set_fault("hang")
    env = dict(os.environ, LC_ALL="C")
    proc = subprocess.Popen([PLUGIN] + [str(a) for a in base_args] +
                            ["-t", "20"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 10
        while sim.request_count == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    fams = check_metrics(out.decode())
    assert proc.returncode == 3
    assert state(fams) == ({"canary": INSTANCE}, 3)


def test_secret_in_a_label_is_starred_out(sim, tmp_path, check_metrics):
    """A secret pasted into -H (a backend's name, a label value) is
    starred out there too, and the output stays valid."""
    rc, out = run_plugin(["--output-format=prometheus", "-H", SECRET,
                          "-p", sim.port, "-i", INSTANCE, "-T", TENANT],
                         env={"NOVA_METADATA_SECRET": SECRET})
    fams = check_metrics(out)
    assert rc == 2
    (labels, _), = samples(fams, "nova_metadata_up")
    assert SECRET not in labels["backend"]

