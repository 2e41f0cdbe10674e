"""No ';' in the text of any output: Nagios 4 (and Icinga 2's IDO) turn
';' in plugin output into ':', which makes one clause read as the
explanation of the one before. A representative set of runs, OK and
each kind of failure, several backends, usage errors and a server's own
words holding ';', in every format that writes a status line; only
perfdata may hold ';', as its separators."""

import json

import pytest

import simulator
from conftest import (INSTANCE, TENANT, free_port, run_plugin)

FORMATS = ("classic", "one-line", "icingaweb2", "multi-line",
           "summary-only", "mp-test-json")

# What a server may say: its own words go into the output quoted.
SERVER_WORDS = "Nova says; this; that"


@pytest.fixture(scope="module")
def fleet_server():
    f = simulator.Fleet(2, secrets={1: "another-secret-on-backend-1"})
    f.start()
    yield f
    f.stop()


@pytest.fixture
def fleet(fleet_server, plugin):
    fleet_server.reset()
    yield fleet_server
    fleet_server.reset()


def text_of(out, fmt):
    """The output without its perfdata: each line up to its first '|'
    (text never holds one); JSON's strings but its perfdata."""
    if fmt == "mp-test-json":
        doc = json.loads(out)

        def strip(node):
            if isinstance(node, dict):
                return {k: strip(v) for k, v in node.items()
                        if k != "perfdata"}
            if isinstance(node, list):
                return [strip(v) for v in node]
            return node
        return json.dumps(strip(doc), ensure_ascii=False)
    return "\n".join(line.split("|", 1)[0] for line in out.split("\n"))


# (name, simulator fault or None, extra arguments)
SINGLE = [
    ("ok", None, []),
    ("wrong secret", None, ["WRONG"]),
    ("unknown canary", None, ["-T", "another-project"]),
    ("proxy mode off", ("ignore_signature", True), []),
    ("server error with its words", ("status", "500:" + SERVER_WORDS), []),
    ("bad request", ("status", "400:" + SERVER_WORDS), []),
    ("redirect", ("redirect", "/moved;here/"), []),
    ("rate limited", ("status", 429), []),
    ("key missing", ("missing_key", "local-ipv4"), []),
    ("value differs", ("value", "local-ipv4=10.0.0.9;x"),
     ["-e", "local-ipv4=10.0.0.5;y"]),
    ("slow", ("delay", 0.2), ["-w", "0.1", "-c", "0.15"]),
    ("closed", ("close", True), []),
    ("not text", ("garbage", True), []),
    ("html", ("html", True), []),
    ("too large", ("oversize", "cl"), []),
    ("timeout", ("hang", True), ["-t", "1"]),
    ("openstack wrong value", ("os_value", "hostname=a;b"),
     ["-O", "-e", "hostname=c;d"]),
    ("cloud-init", None, ["--cloud-init"]),
    ("cloud-init broken seed", ("os_value", "random_seed=abc"),
     ["--cloud-init"]),
    ("usage: not a UUID", None, ["-i", "not-a-uuid"]),
    ("usage: bad host", None, ["-H", "a;b"]),
    ("usage: version not attached", None, ["-O", "2018-08-27"]),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name,fault,extra", SINGLE,
                         ids=[c[0] for c in SINGLE])
def test_no_semicolon_in_text(sim, secret_file, wrong_secret_file, fmt,
                              name, fault, extra):
    if fault is not None:
        sim.set_fault(*fault)
    secret = secret_file
    extra = list(extra)
    if extra[:1] == ["WRONG"]:
        secret, extra = wrong_secret_file, extra[1:]
    args = ["-H", "127.0.0.1", "-p", sim.port, "-i", INSTANCE, "-T", TENANT,
            "--secret-file", secret] + extra + ["--output-format=" + fmt]
    rc, out, _, _ = run_plugin(args)
    assert ";" not in text_of(out, fmt), (name, fmt, rc, out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_semicolon_with_several_backends(fleet, secret_file, fmt):
    """One good, one with another secret, one refused, one unresolved;
    the values they serve differ too."""
    fleet.sims[0].set_fault("value", "local-ipv4=10.0.0.9")
    args = ["-H", fleet.name(0), "-H", fleet.name(1),
            "-H", "127.0.0.1:%d" % free_port(), "-H", "nonexistent.invalid",
            "-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file,
            "-e", "local-ipv4=10.0.0.5", "--output-format=" + fmt]
    rc, out, _, _ = run_plugin(args, timeout=60)
    assert rc == 2, out
    assert ";" not in text_of(out, fmt), (fmt, out)


def test_perfdata_keeps_its_separators(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-w", "5", "-c", "9"])
    assert rc == 0, out
    assert ";5;9;0;10" in out.split("\n")[0].split("|", 1)[1], out
