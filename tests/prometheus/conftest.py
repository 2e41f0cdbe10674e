"""Fixtures for the Prometheus suite: the built plugin (PLUGIN) against
tests/simulator.py on loopback, Debian's promtool, and a parser of the
text exposition format that asserts its shape as it reads.

Skipped only when a real part is absent (promtool, node_exporter,
systemd-analyze), with the reason; .ci/run fails on any skip here.
"""

import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
TOP_SRCDIR = os.path.dirname(TESTS_DIR)
sys.path.insert(0, TESTS_DIR)

import simulator  # noqa: E402  (tests/simulator.py)

INSTANCE = simulator.DEFAULT_INSTANCE
TENANT = simulator.DEFAULT_TENANT
SECRET = simulator.DEFAULT_SECRET
WRONG_SECRET = "0123456789abcdef-wrong"
SECRETS = (SECRET, WRONG_SECRET)
PLUGIN = os.environ.get("PLUGIN") or os.path.join(
    TOP_SRCDIR, "plugins", "check_nova_metadata")
CONTRIB = os.path.join(TOP_SRCDIR, "contrib", "prometheus")

# Every token nova_metadata_reason's label may carry: README's list.
REASONS = {
    "none", "refused", "timeout", "unresolved", "tls", "broke_off",
    "too_large", "socket_denied", "transport", "signature_rejected",
    "canary_unknown", "proxy_off", "not_found", "no_port",
    "nova_unreachable", "proxy_error", "rate_limited", "redirected",
    "bad_request", "server_error", "http_status", "malformed",
    "key_missing", "wrong_canary", "value_mismatch", "vendordata_failed",
    "cloudinit", "slow", "unknown",
}
TARGET_FAMILIES = ("nova_metadata_up", "nova_metadata_reason",
                   "nova_metadata_response_time_seconds",
                   "nova_metadata_response_size_bytes",
                   "nova_metadata_http_status")
RUN_FAMILIES = ("nova_metadata_state", "nova_metadata_canary_served",
                "nova_metadata_backends_disagree")


def run_plugin(args, env=None, timeout=30):
    """(exit code, stdout) of the plugin; on every path: 0..3, some
    output, no secret anywhere."""
    full = dict(os.environ, LC_ALL="C")
    for var in ("NOVA_METADATA_SECRET", "MP_CONFIG_FILE",
                "NAGIOS_CONFIG_PATH"):
        full.pop(var, None)
    full.update(env or {})
    proc = subprocess.run([PLUGIN] + [str(a) for a in args],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=full, timeout=timeout)
    out = proc.stdout.decode("utf-8", "surrogateescape")
    err = proc.stderr.decode("utf-8", "surrogateescape")
    assert proc.returncode in (0, 1, 2, 3), (proc.returncode, out, err)
    assert out.strip(), "no output (stderr %r)" % err
    for secret in SECRETS:
        assert secret not in out and secret not in err, "secret printed"
    return proc.returncode, out


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
                    r'(,|$)')


def _unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1),
                                                      m.group(1)), v)


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        assert m, "bad label set %r" % text
        assert m.group(1) not in labels, "label twice: %r" % text
        labels[m.group(1)] = _unescape(m.group(2))
        pos = m.end()
    return labels


def parse(text):
    """{family: (type, help, [(labels dict, value)])}, in order; asserts
    what the 0.0.4 format and this project promise: HELP then TYPE before
    a family's samples, each family once and contiguous, gauges only,
    no timestamps, no '# EOF', a newline at the end."""
    assert text.endswith("\n"), text
    fams, current = {}, None
    for line in text.splitlines():
        assert line, "empty line in %r" % text
        if line.startswith("# HELP "):
            name, help_text = line[7:].split(" ", 1)
            assert name not in fams, "family %s twice" % name
            fams[name] = [None, help_text, []]
            current = name
        elif line.startswith("# TYPE "):
            name, typ = line[7:].split(" ")
            assert name == current and fams[name][0] is None, line
            assert typ == "gauge", line
            fams[name][0] = typ
        else:
            assert not line.startswith("#"), "comment %r" % line
            m = _SAMPLE.match(line)
            assert m, "not a sample: %r" % line
            assert m.group(1) == current and fams[current][0], line
            fams[current][2].append((parse_labels(m.group(2) or ""),
                                     float(m.group(3))))
    return {k: tuple(v) for k, v in fams.items()}


def samples(fams, name):
    return fams[name][2] if name in fams else []


def by_backend(fams, name):
    """{backend: value} of a per-target family."""
    return {lab["backend"]: v for lab, v in samples(fams, name)}


def reasons(fams):
    return {lab["backend"]: lab["reason"]
            for lab, _ in samples(fams, "nova_metadata_reason")}


def state(fams):
    (labels, value), = samples(fams, "nova_metadata_state")
    return labels, value


@pytest.fixture(scope="session")
def plugin():
    if not os.access(PLUGIN, os.X_OK):
        pytest.fail("PLUGIN=%s is not an executable" % PLUGIN)
    return PLUGIN


@pytest.fixture(scope="session")
def promtool():
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian: prometheus)")
    return path


@pytest.fixture(scope="session")
def check_metrics(promtool):
    """Feeds text to `promtool check metrics`: it must pass without a
    single lint remark."""
    def check(text):
        proc = subprocess.run([promtool, "check", "metrics"],
                              input=text.encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=30)
        assert proc.returncode == 0 and not proc.stdout.strip(), \
            "promtool: %s\n%s" % (proc.stdout.decode(), text)
        return parse(text)
    return check


def _write_secret(path, text):
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(str(path), stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory):
    return _write_secret(tmp_path_factory.mktemp("s") / "right",
                         SECRET + "\n")


@pytest.fixture(scope="session")
def wrong_secret_file(tmp_path_factory):
    return _write_secret(tmp_path_factory.mktemp("w") / "wrong",
                         WRONG_SECRET + "\n")


@pytest.fixture(scope="module")
def sim_server():
    s = simulator.Simulator().start()
    yield s
    s.stop()


@pytest.fixture
def sim(sim_server, plugin):
    sim_server.reset()
    yield sim_server
    sim_server.reset()


@pytest.fixture
def base_args(sim, secret_file):
    return ["--output-format=prometheus", "-H", "127.0.0.1", "-p", sim.port,
            "-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    pytest.fail("waited %.0f s for %s" % (seconds, what))
