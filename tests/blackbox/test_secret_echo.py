"""The secret-echo matrix: a distinctive secret, loaded from every source
and pasted into every option that takes a value (read from --help, so a
new option is covered the day it is described), at every verbosity, in
every output format and on every error path this suite can reach: no byte
of stdout or stderr holds it.

Each case runs its verbosity x format combinations concurrently against
one shared simulator, so the matrix stays within a minute or two."""

import concurrent.futures
import os
import subprocess

import pytest

import simulator
from conftest import INSTANCE, PLUGIN, TENANT, free_port

# Valid as a host name, a tenant, a key and a path element, so that it
# also reaches the paths where a value is legitimately printed.
SECRET = "Zq9-s3cr3t-3ch0-7Kx"
VERBOSITY = ([], ["-v"], ["-vv"], ["-vvv"])
FORMATS = ("classic", "one-line", "icingaweb2", "summary-only",
           "mp-test-json", "prometheus")
SECTION = "check_nova_metadata"
# Seconds: every run is bounded (generously, so that a loaded machine
# does not turn an OK into a timeout); the timeout path uses 1.
LIMIT = "8"


def _help_options():
    """(long name, takes a value) of every option --help describes."""
    from test_manual import help_options
    if not os.access(PLUGIN, os.X_OK):
        return []  # the plugin fixture reports the missing build
    out = subprocess.run([PLUGIN, "--help"], stdout=subprocess.PIPE,
                         check=False).stdout.decode()
    return sorted((name, value) for name, (_, value)
                  in help_options(out).items())


def _run(args, env):
    full = dict(os.environ, LC_ALL="C")
    full.pop("NOVA_METADATA_SECRET", None)
    full.pop("MP_CONFIG_FILE", None)
    full.pop("NAGIOS_CONFIG_PATH", None)
    full.update(env)
    proc = subprocess.run([PLUGIN] + args, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=full, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


def assert_never_echoed(args, env=None):
    """Runs args at every verbosity in every format; returns the exit
    codes seen. Fails on any byte of the secret in any output."""
    combos = [(v, f) for v in VERBOSITY for f in FORMATS]
    env = env or {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(
            lambda c: (c, _run(args + c[0] + ["--output-format=" + c[1]],
                               env)), combos))
    codes = set()
    needle = SECRET.encode()
    for (verbosity, fmt), (rc, out, err) in runs:
        where = "%s %s %s" % (" ".join(args), " ".join(verbosity), fmt)
        assert rc in (0, 1, 2, 3), "exit %d: %s" % (rc, where)
        assert out.strip(), "no output: %s" % where
        assert needle not in out, "stdout holds the secret: %s\n%r" % (
            where, out)
        assert needle not in err, "stderr holds the secret: %s\n%r" % (
            where, err)
        codes.add(rc)
    return codes


@pytest.fixture(scope="module")
def msim(plugin):
    s = simulator.Simulator(secret=SECRET).start()
    yield s
    s.stop()


@pytest.fixture
def sim(msim):
    msim.reset()
    msim.secret = SECRET
    yield msim
    msim.reset()
    msim.secret = SECRET


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every file source of the secret, and one ini per --extra-opts key."""
    d = tmp_path_factory.mktemp("echo")

    def write(name, text):
        path = d / name
        path.write_text(text)
        os.chmod(str(path), 0o600)
        return str(path)
    f = {
        "secret-file": write("secret", SECRET + "\n"),
        "nova-neutron": write("nova.conf", "[neutron]\n"
                              "metadata_proxy_shared_secret = %s\n" % SECRET),
        "nova-legacy": write("legacy.conf", "[DEFAULT]\n"
                             "neutron_metadata_proxy_shared_secret = %s\n"
                             % SECRET),
        # the source itself fails, after the secret in it was read
        "secret-file-huge": write("huge", SECRET + "\n" + "x" * 5000),
        "nova-broken": write("broken.conf", "[neutron]\n"
                             "metadata_proxy_shared_secret = %s\n"
                             "this line is no key\n" % SECRET),
        "nova-too-long": write("long.conf", "[neutron]\n"
                               "metadata_proxy_shared_secret = %s%s\n"
                               % (SECRET, "y" * 5000)),
    }
    f["ini-secret-file"] = write("a.ini", "[%s]\nsecret-file = %s\n"
                                 % (SECTION, f["secret-file"]))
    f["ini-nova-conf"] = write("b.ini", "[%s]\nnova-conf = %s\n"
                               % (SECTION, f["nova-neutron"]))
    f["ini-bare-secret"] = write("c.ini", "[%s]\n%s\n" % (SECTION, SECRET))
    f["ini-secret-key"] = write("d.ini", "[%s]\n%s = 1\n" % (SECTION, SECRET))
    f["dir"] = str(d)
    return f


# Where the secret comes from: (argv, environment).
SOURCES = {
    "secret-file": lambda f: (["--secret-file", f["secret-file"]], {}),
    "nova-conf-neutron": lambda f: (["--nova-conf", f["nova-neutron"]], {}),
    "nova-conf-legacy": lambda f: (["--nova-conf", f["nova-legacy"]], {}),
    "environment": lambda f: ([], {"NOVA_METADATA_SECRET": SECRET}),
    "extra-opts-secret-file": lambda f: (
        ["--extra-opts=@" + f["ini-secret-file"]], {}),
    "extra-opts-nova-conf": lambda f: (
        ["--extra-opts=@" + f["ini-nova-conf"]], {}),
}

# The error paths: what the simulator does, and the arguments that go
# with it (the port, the limit).
PATHS = ("ok", "403", "404", "500", "refused", "timeout")


def _target(sim, path):
    if path == "403":
        sim.secret = "another-secret-entirely"
    elif path == "404":
        sim.set_fault("status", 404)
    elif path == "500":
        sim.set_fault("status", "500:lookup failed for %s" % SECRET)
    elif path == "timeout":
        sim.set_fault("hang")
    port = free_port() if path == "refused" else sim.port
    limit = "1" if path == "timeout" else LIMIT
    return ["-H", "127.0.0.1", "-p", str(port), "-i", INSTANCE, "-T", TENANT,
            "-t", limit]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_secret_source_on_every_path(sim, files, source, path):
    args, env = SOURCES[source](files)
    codes = assert_never_echoed(_target(sim, path) + args, env)
    want = {"ok": {0}, "timeout": {2}}.get(path, {2})
    assert codes == want, "%s/%s: exit codes %s" % (source, path, codes)


@pytest.mark.parametrize("source,argv,env", [
    ("secret file over the size limit", ["--secret-file"], None),
    ("nova.conf malformed after the secret", ["--nova-conf"], None),
    ("nova.conf secret line too long", ["--nova-conf"], None),
    ("environment too long", [], {"NOVA_METADATA_SECRET": SECRET + "z" * 5000}),
])
def test_secret_source_that_fails(sim, files, source, argv, env):
    name = {"secret file over the size limit": "secret-file-huge",
            "nova.conf malformed after the secret": "nova-broken",
            "nova.conf secret line too long": "nova-too-long"}.get(source)
    args = argv + ([files[name]] if name else [])
    codes = assert_never_echoed(_target(sim, "ok") + args, env)
    assert codes == {3}, "%s: exit codes %s" % (source, codes)
    assert sim.request_count == 0


@pytest.mark.parametrize("ini", ["ini-bare-secret", "ini-secret-key"])
def test_secret_as_an_ini_key(sim, files, ini):
    args = _target(sim, "ok") + ["--secret-file", files["secret-file"],
                                 "--extra-opts=@" + files[ini]]
    assert assert_never_echoed(args) == {3}


# Options that need a partner to reach the code that reads their value.
COMPANIONS = {
    "ca-cert": ["-S"],
    "client-cert": ["-S", "--private-key", "{secret-file}"],
    "private-key": ["-S", "--client-cert", "{secret-file}"],
}

# Besides the secret as the whole value, forms in which the value is
# valid and legitimately printed somewhere.
EXTRA_FORMS = {
    "expect": ["local-ipv4=" + SECRET, SECRET + "=1"],
    "url": ["/" + SECRET + "/"],
    "openstack": [None],  # only attached: --openstack=SECRET
    "extra-opts": [SECRET + "@{dir}/none.ini", "@" + SECRET],
}


def _pasted_cases():
    cases = []
    for name, takes_value in _help_options():
        if not takes_value:
            continue
        for value in [SECRET] + [v for v in EXTRA_FORMS.get(name, [])
                                 if v is not None]:
            cases.append((name, value, "command-line"))
            if name != "extra-opts":
                cases.append((name, value, "extra-opts"))
    return cases


@pytest.mark.parametrize("name,value,via", _pasted_cases())
def test_secret_pasted_into_an_option(sim, files, tmp_path, name, value, via):
    value = value.format(**{"dir": files["dir"]})
    companions = [a.format(**{"secret-file": files["secret-file"]})
                  for a in COMPANIONS.get(name, [])]
    # The secret itself is loaded too, so that the search in the output
    # is what has to catch a value printed on purpose (-T, -k, -e, -u).
    base = _target(sim, "ok") + ["--secret-file", files["secret-file"]]
    if via == "command-line":
        args = base + companions + ["--%s=%s" % (name, value)]
    else:
        ini = tmp_path / "pasted.ini"
        ini.write_text("[%s]\n%s = %s\n" % (SECTION, name, value))
        args = base + companions + ["--extra-opts=@%s" % ini]
    codes = assert_never_echoed(args)
    assert codes <= {0, 1, 2, 3}


def test_matrix_covers_every_option_with_a_value(plugin):
    """The list comes from --help: a new option is in the matrix."""
    names = {name for name, value in _help_options() if value}
    assert {"hostname", "port", "instance", "tenant", "secret-file",
            "nova-conf", "ca-cert", "client-cert", "private-key", "key",
            "expect", "url", "warning", "critical", "timeout",
            "timeout-result", "output-format", "forwarded-for",
            "openstack", "extra-opts"} <= names
    cases = {(n, via) for n, _, via in _pasted_cases()}
    for n in names:
        assert (n, "command-line") in cases
        assert n == "extra-opts" or (n, "extra-opts") in cases
