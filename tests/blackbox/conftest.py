"""Black-box fixtures: the built plugin against tests/simulator.py on loopback.

Environment (exported by `make check`):
    PLUGIN              the built plugin (default: plugins/check_nova_metadata
                        under the source tree; tests skip if that is absent)
    ENABLE_SANITIZERS   "yes" when built with ASan/UBSan: no valgrind test
    ENABLE_TSAN         "yes" when built with ThreadSanitizer: no valgrind
                        test either
"""

import os
import re
import socket
import stat
import subprocess
import sys
import time

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP_SRCDIR = os.path.dirname(TESTS_DIR)
sys.path.insert(0, TESTS_DIR)

import simulator  # noqa: E402  (tests/simulator.py, found via sys.path)

INSTANCE = simulator.DEFAULT_INSTANCE
TENANT = simulator.DEFAULT_TENANT
SECRET = simulator.DEFAULT_SECRET
SIGNATURE = simulator.sign(SECRET, INSTANCE)
WRONG_SECRET = "0123456789abcdef-wrong"
LABEL = "NOVA METADATA"
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}

# Every secret any test hands the plugin; none may ever be printed.
SECRETS = (SECRET, WRONG_SECRET)


def _plugin_path():
    explicit = os.environ.get("PLUGIN")
    if explicit:
        return explicit, True
    return os.path.join(TOP_SRCDIR, "plugins", "check_nova_metadata"), False


PLUGIN, PLUGIN_EXPLICIT = _plugin_path()


def _clean_env(extra=None):
    env = dict(os.environ)
    # A secret in the caller's environment would change what tests mean.
    env.pop("NOVA_METADATA_SECRET", None)
    env["LC_ALL"] = "C"
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def run_plugin(args, env=None, timeout=30, prefix=(), plugin=None):
    """Runs the plugin (or plugin, a copy of it); returns (rc, stdout,
    stderr, elapsed seconds).

    Checks what must hold on every path: exit code 0..3, at least one line
    on stdout, no secret and no full signature in stdout or stderr."""
    cmd = list(prefix) + [plugin or PLUGIN] + [str(a) for a in args]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=_clean_env(env), timeout=timeout)
    elapsed = time.monotonic() - start
    out = proc.stdout.decode("utf-8", "surrogateescape")
    err = proc.stderr.decode("utf-8", "surrogateescape")
    if not prefix:
        assert proc.returncode in (0, 1, 2, 3), \
            "exit code %d (stdout %r, stderr %r)" % (proc.returncode, out, err)
        assert out.strip(), "no output (stderr %r)" % err
    for secret in SECRETS:
        assert secret not in out and secret not in err, "secret printed"
    for sig in (SIGNATURE, simulator.sign(WRONG_SECRET, INSTANCE)):
        assert sig not in out and sig not in err, "full signature printed"
    return proc.returncode, out, err, elapsed


def first_line(out):
    return out.split("\n", 1)[0]


_PERF_RE = re.compile(
    r"""('(?:[^']|'')+'|[^=\s']+)=([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"""
    r"""([a-zA-Z%]*)((?:;[^;\s]*){0,4})""")


def parse_perfdata(line):
    """Perfdata of a first line: label -> (value, uom, warn, crit, min, max).

    value is a float, the others strings ('' when empty or absent).
    {} when the line has no perfdata."""
    if "|" not in line:
        return {}
    perf = line.split("|", 1)[1].strip()
    result = {}
    pos = 0
    while pos < len(perf):
        if perf[pos] == " ":
            pos += 1
            continue
        m = _PERF_RE.match(perf, pos)
        assert m, "malformed perfdata at %r in %r" % (perf[pos:], line)
        label = m.group(1)
        if label.startswith("'"):
            label = label[1:-1].replace("''", "'")
        fields = (m.group(4)[1:].split(";") if m.group(4) else [])
        fields += [""] * (4 - len(fields))
        result[label] = (float(m.group(2)), m.group(3)) + tuple(fields[:4])
        pos = m.end()
    return result


def assert_state(rc, out, state, summary_re=None):
    """Exit code and first line: 'NOVA METADATA <STATE> - ...'."""
    line = first_line(out)
    assert rc == {v: k for k, v in STATES.items()}[state], \
        "exit %d, want %s: %r" % (rc, state, out)
    assert line.startswith("%s %s - " % (LABEL, state)), line
    if summary_re is not None:
        summary = line.split("|", 1)[0]
        assert re.search(summary_re, summary), \
            "%r not in summary %r" % (summary_re, summary)
    return line


def assert_explained(out, explanation_re):
    """The long output (the lines after the first) says explanation_re:
    the server's and libcurl's words, and the advice, stay there; the
    first line carries the plugin's short cause."""
    rest = out.split("\n", 1)[1] if "\n" in out else ""
    assert re.search(explanation_re, rest, re.M), \
        "%r not in the long output %r" % (explanation_re, rest)


def assert_perfdata(line, size=None):
    """The stable perfdata: time in s, then size in B, both min 0."""
    perf = parse_perfdata(line)
    labels = list(perf)
    assert labels[:2] == ["time", "size"], line
    value, uom, warn, crit, pmin, pmax = perf["time"]
    assert uom == "s" and value >= 0 and pmin == "0", line
    # max is the -t limit, whole seconds, as check_curl writes it
    assert re.match(r"^[1-9][0-9]*$", pmax), line
    assert re.search(r"\btime=\d+\.\d{6}s;", line), line
    value, uom, warn, crit, pmin, _ = perf["size"]
    assert uom == "B" and pmin == "0", line
    if size is not None:
        assert value == size, line
    return perf


def assert_no_perfdata(line):
    assert "|" not in line, "perfdata without a response: %r" % line


def assert_unknown_usage(rc, out, option_re):
    """Bad command line: exit 3, ONE line naming the option."""
    line = assert_state(rc, out, "UNKNOWN", option_re)
    assert out.rstrip("\n").count("\n") == 0, "more than one line: %r" % out
    return line


# ---- fixtures ----------------------------------------------------------
@pytest.fixture(scope="session")
def plugin():
    if not (os.path.isfile(PLUGIN) and os.access(PLUGIN, os.X_OK)):
        if PLUGIN_EXPLICIT:
            pytest.fail("PLUGIN=%s is not an executable" % PLUGIN)
        pytest.skip("plugin not built at %s" % PLUGIN)
    return PLUGIN


def _write_secret(path, text):
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(str(path), stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


@pytest.fixture(scope="session")
def secrets_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("secrets")


@pytest.fixture(scope="session")
def secret_file(secrets_dir):
    return _write_secret(secrets_dir / "right", SECRET + "\n")


@pytest.fixture(scope="session")
def wrong_secret_file(secrets_dir):
    return _write_secret(secrets_dir / "wrong", WRONG_SECRET + "\n")


@pytest.fixture(scope="session")
def make_secret_file(secrets_dir):
    counter = [0]

    def make(text):
        counter[0] += 1
        return _write_secret(secrets_dir / ("s%d" % counter[0]), text)
    return make


@pytest.fixture(scope="module")
def sim_server():
    s = simulator.Simulator().start()
    yield s
    s.stop()


@pytest.fixture
def sim(sim_server, plugin):
    """The module's simulator, with no faults and an empty request log."""
    sim_server.reset()
    yield sim_server
    sim_server.reset()


@pytest.fixture
def base_args(sim, secret_file):
    """Everything a normal run needs, against the module's simulator."""
    return ["-H", "127.0.0.1", "-p", sim.port, "-i", INSTANCE, "-T", TENANT,
            "--secret-file", secret_file]


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    """A port nothing listens on (bound, then released)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False
