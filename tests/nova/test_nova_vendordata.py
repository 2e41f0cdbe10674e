"""Dynamic vendordata: what Nova's real handler serves when a target fails.

Nova's DynamicJSON provider (nova/api/metadata/vendordata_dynamic.py) POSTs
the instance's details to every `vendordata_dynamic_targets` entry on
each vendor_data2.json request and serves each answer under the target's
name.  The fixtures (conftest.py: nova_vendordata, nova_vendordata_fatal)
run Nova's own code against VendordataTarget servers on loopback, whose
failures the tests switch on.

  * test_vendordata_server_*: Nova itself, by direct signed HTTP requests
    (no plugin).  They pin what the plugin's --vendordata-target is written
    against: a failing target is `"NAME": {}` with HTTP 200 unless
    vendordata_dynamic_failure_fatal is set.  Select them with
    `-k vendordata`.
"""

import pytest

from nova_helpers import PROJECT, UUID

# Far beyond Nova's read timeout (the fixture's read_timeout, 3 s), so only
# that timeout can end Nova's wait; the fixture's reset releases the held
# request at the end of the test.
HELD_FOR = 60
# How a failing target is made to fail: VendordataTarget.set() arguments.
FAILURES = {
    "down": {"mode": "down"},
    "http-500": {"mode": "status", "status": 500},
    "http-503": {"mode": "status", "status": 503},
    "http-404": {"mode": "status", "status": 404},
    "not-json": {"mode": "not-json"},
}


def served(vd):
    """vendor_data2.json must be a 200 JSON object: (document, seconds)."""
    status, headers, doc, seconds = vd.fetch()
    assert status == 200, (status, doc)
    assert headers["Content-Type"] == "application/json"
    assert isinstance(doc, dict), doc
    return doc, seconds


def expected(vd, **override):
    """What Nova serves when every target answers, with override applied:
    StaticJSON's `static` ({} without a file) and one entry per target."""
    doc = {"static": {}}
    doc.update(vd.answers)
    doc.update(override)
    return doc


def errors_logged(vd, since=None):
    """Per target, the "Error from dynamic vendordata service" lines in
    Nova's log (minus those counted in since)."""
    since = since or {}
    return {name: vd.logged_errors(name) - since.get(name, 0)
            for name in vd.targets}


def assert_called_once(target, vd):
    """Nova POSTed the canary's details to target, once, with its token."""
    reqs = target.requests()
    assert len(reqs) == 1, reqs
    req = reqs[0]
    assert req["method"] == "POST" and req["path"] == "/", req
    assert req["headers"]["Content-Type"] == "application/json", req
    assert req["headers"]["User-Agent"] == "openstack-nova-vendordata", req
    assert req["headers"]["X-Auth-Token"] == vd.token, req
    body = req["json"]
    assert body["instance-id"] == UUID and body["project-id"] == PROJECT
    assert body["hostname"] == vd.nova.info["hostname"], body
    assert set(body) == {"project-id", "instance-id", "image-id",
                         "user-data", "hostname", "metadata", "boot-roles"}


def test_vendordata_server_targets_answer(nova_vendordata):
    doc, _ = served(nova_vendordata)
    assert doc == expected(nova_vendordata)
    for target in nova_vendordata.targets.values():
        assert_called_once(target, nova_vendordata)


def test_vendordata_server_each_request_calls_the_targets(nova_vendordata):
    for _ in range(3):
        doc, _ = served(nova_vendordata)
        assert doc == expected(nova_vendordata)
    for target in nova_vendordata.targets.values():
        assert len(target.requests()) == 3


@pytest.mark.parametrize("path", ["/openstack/latest/meta_data.json",
                                  "/openstack/latest/vendor_data.json",
                                  "/openstack/latest/",
                                  "/latest/meta-data/"])
def test_vendordata_server_other_paths_call_no_target(nova_vendordata, path):
    status, _, _ = nova_vendordata.nova.get(path)
    assert status == 200
    for target in nova_vendordata.targets.values():
        assert target.requests() == []


@pytest.mark.parametrize("version,status", [("2016-10-06", 200),
                                            ("2017-02-22", 200),
                                            ("2016-06-30", 404),
                                            ("2013-10-17", 404)])
def test_vendordata_server_from_newton_on(nova_vendordata, version, status):
    """vendor_data2.json exists from OpenStack version 2016-10-06 on."""
    got, _, _ = nova_vendordata.nova.get("/openstack/%s/vendor_data2.json"
                                         % version)
    assert got == status


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_vendordata_server_failing_target_is_empty(nova_vendordata,
                                                    failure):
    """One target fails, the other answers: 200, the failure is `{}`."""
    join = nova_vendordata.targets["join"]
    join.set(**FAILURES[failure])
    errors = errors_logged(nova_vendordata)
    doc, _ = served(nova_vendordata)
    assert doc == expected(nova_vendordata, join={})
    # the one place the failure shows: nova-api-metadata's log
    assert errors_logged(nova_vendordata, errors) == {"join": 1, "enrol": 0}
    if failure == "down":
        assert join.requests() == []
    else:
        assert_called_once(join, nova_vendordata)
    assert_called_once(nova_vendordata.targets["enrol"], nova_vendordata)


def test_vendordata_server_every_target_failing(nova_vendordata):
    nova_vendordata.targets["join"].set("down")
    nova_vendordata.targets["enrol"].set("status", status=500)
    doc, _ = served(nova_vendordata)
    assert doc == {"static": {}, "join": {}, "enrol": {}}


def test_vendordata_server_empty_answer_is_empty(nova_vendordata):
    """A 200 with no body is `{}` too, and not even an error for Nova."""
    nova_vendordata.targets["enrol"].set("empty")
    errors = errors_logged(nova_vendordata)
    doc, _ = served(nova_vendordata)
    assert doc == expected(nova_vendordata, enrol={})
    assert errors_logged(nova_vendordata, errors) == {"join": 0, "enrol": 0}


def test_vendordata_server_array_is_served_as_is(nova_vendordata):
    """JSON that is not an object is served under the name unchanged."""
    nova_vendordata.targets["join"].set("array")
    doc, _ = served(nova_vendordata)
    assert doc == expected(nova_vendordata,
                          join=[nova_vendordata.answers["join"]])


def test_vendordata_server_slow_within_read_timeout(nova_vendordata):
    delay = 1.0
    assert delay < nova_vendordata.read_timeout
    nova_vendordata.targets["join"].set("slow", delay=delay)
    doc, seconds = served(nova_vendordata)
    assert doc == expected(nova_vendordata)
    assert seconds >= delay, "Nova answered before its target did"


def test_vendordata_server_slow_beyond_read_timeout(nova_vendordata):
    """Nova waits its read timeout, then serves `{}` with 200."""
    join = nova_vendordata.targets["join"]
    join.set("slow", delay=HELD_FOR)
    errors = errors_logged(nova_vendordata)
    doc, seconds = served(nova_vendordata)
    assert doc == expected(nova_vendordata, join={})
    assert errors_logged(nova_vendordata, errors) == {"join": 1, "enrol": 0}
    assert_called_once(join, nova_vendordata)
    assert seconds >= nova_vendordata.read_timeout, seconds
    assert seconds < HELD_FOR, "Nova waited for the answer, not its timeout"


@pytest.mark.parametrize("failure", ["down", "http-500", "not-json"])
def test_vendordata_server_fatal_failure_is_500(nova_vendordata_fatal,
                                                failure):
    """vendordata_dynamic_failure_fatal = True: Nova re-raises, and the
    error leaves the handler unformatted: eventlet's bare 500."""
    join = nova_vendordata_fatal.targets["join"]
    join.set(**FAILURES[failure])
    status, headers, body, _ = nova_vendordata_fatal.fetch()
    assert status == 500
    assert body == b""
    assert headers["Content-Type"] == "text/plain"
    assert len(join.requests()) == (0 if failure == "down" else 1)


def test_vendordata_server_fatal_answers_as_usual(nova_vendordata_fatal):
    doc, _ = served(nova_vendordata_fatal)
    assert doc == expected(nova_vendordata_fatal)
    assert_called_once(nova_vendordata_fatal.targets["join"],
                       nova_vendordata_fatal)


def test_vendordata_server_fatal_empty_answer_not_an_error(
        nova_vendordata_fatal):
    """An empty 200 is `{}` even when failures are fatal."""
    nova_vendordata_fatal.targets["join"].set("empty")
    doc, _ = served(nova_vendordata_fatal)
    assert doc == {"static": {}, "join": {}}


def test_vendordata_server_fatal_leaves_other_paths(nova_vendordata_fatal):
    """Only vendor_data2.json fails: meta_data.json is still served."""
    nova_vendordata_fatal.targets["join"].set("down")
    status, _, _ = nova_vendordata_fatal.nova.get(
        "/openstack/latest/meta_data.json")
    assert status == 200


def test_vendordata_server_targets_called_in_turn(nova_vendordata):
    """Nova calls one target after the other: their delays add up."""
    delay = 1.0
    for target in nova_vendordata.targets.values():
        target.set("slow", delay=delay)
    doc, seconds = served(nova_vendordata)
    assert doc == expected(nova_vendordata)
    assert seconds >= delay * len(nova_vendordata.targets), seconds
    join, enrol = (nova_vendordata.targets[n].requests()[0]["time"]
                   for n in ("join", "enrol"))
    assert enrol - join >= delay, "enrol called before join had answered"
