"""What Nova hides, against the simulator: --vendordata-target's edge cases
(a target absent, not an object, a document that is not JSON, several
backends one with {}) and the 404 probe's (its own transport failure, the
whole-run limit, where it is not made).  Nova's real handler in the same
cases: tests/nova/test_nova_what_nova_hides.py.  Every case asserts exit
code, first line and perfdata."""

import re

import pytest

import simulator
from conftest import (INSTANCE, SECRET, SIGNATURE, assert_explained,
                      assert_perfdata, assert_state, assert_unknown_usage,
                      first_line, parse_perfdata, run_plugin)

VD_LATEST = "/openstack/latest/vendor_data2.json"
ANSWERS = {"join": {"join_token": "t0k3n", "realm": "EXAMPLE.TEST"},
           "enrol": {"otp": "0ne-t1me"}}
# The probe's signature: the right one, its last hex digit changed.
WRONG_SIGNATURE = SIGNATURE[:-1] + ("1" if SIGNATURE[-1] == "0" else "0")
OTHER_TENANT = "0000000000000000000000000000beef"
MARGIN = 1.5


@pytest.fixture
def vd_sim(sim):
    sim.vendor_data2 = dict({"static": {}}, **ANSWERS)
    return sim


def vd_args(*names):
    out = []
    for name in names:
        out += ["--vendordata-target", name]
    return out


def assert_vd_perfdata(line, labels_before):
    """The mode's labels, then vendordata_time, last; in time as well."""
    perf = assert_perfdata(line)
    assert list(perf) == labels_before + ["vendordata_time"], line
    value, uom, _, _, pmin, _ = perf["vendordata_time"]
    assert uom == "s" and pmin == "0" and value >= 0, line
    assert perf["time"][0] >= value, line
    return perf


# ---- --vendordata-target ------------------------------------------------

def test_targets_served_ok(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args + vd_args("join", "enrol"))
    line = assert_state(rc, out, "OK", r"HTTP 200, 2/2 keys, 2/2 "
                        r"vendordata targets, \d+\.\d{3} s\s*$")
    assert_vd_perfdata(line, ["time", "size"])
    assert "vendordata target join served (2 keys)" in out
    assert "vendordata target enrol served (1 key)" in out
    # EC2 mode: one more request, signed like the others
    paths = [r["path"] for r in vd_sim.requests]
    assert paths == ["/latest/meta-data/", VD_LATEST]
    assert vd_sim.last_headers["X-Instance-ID-Signature"] == SIGNATURE


def test_without_the_option_nothing_changes(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args)
    line = assert_state(rc, out, "OK")
    assert list(parse_perfdata(line)) == ["time", "size"]
    assert "vendordata" not in out
    assert vd_sim.request_count == 1


def test_empty_target_nova_hides(vd_sim, base_args):
    vd_sim.vendor_data2["enrol"] = {}
    rc, out, _, _ = run_plugin(base_args + vd_args("join", "enrol"))
    line = assert_state(rc, out, "CRITICAL", r": vendordata target enrol is "
                        r"\{\}, HTTP 200, 2/2 keys, 1/2 vendordata targets, ")
    assert_explained(out, r"vendordata target enrol is \{\}: the target "
                     r"failed and Nova hides it")
    assert_explained(out, "nova-api-metadata's log")
    assert_explained(out, "Error from dynamic vendordata service enrol")
    assert "join" not in line.split("|")[0], line
    assert_vd_perfdata(line, ["time", "size"])


def test_absent_target_not_configured(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args + vd_args("ipa"))
    line = assert_state(rc, out, "CRITICAL", r": vendordata target ipa not "
                        r"configured, .*0/1 vendordata targets, ")
    assert_explained(out, r"vendordata target ipa is not in vendor_data2.json"
                     r": it is not configured in this Nova")
    assert_explained(out, "vendordata_dynamic_targets")
    assert_vd_perfdata(line, ["time", "size"])


@pytest.mark.parametrize("value,what", [([ANSWERS["join"]], "an array"),
                                        ("token", "a string"),
                                        (None, "null"), (3, "a number")])
def test_target_not_an_object(vd_sim, base_args, value, what):
    vd_sim.vendor_data2["join"] = value
    rc, out, _, _ = run_plugin(base_args + vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r": vendordata target join is "
                        r"not an object, ")
    assert_explained(out, r"vendordata target join is %s in "
                     r"vendor_data2.json, not an object" % what)
    assert_vd_perfdata(line, ["time", "size"])


@pytest.mark.parametrize("body,why", [
    ("{\"join\": ", r"not JSON: .*line 1"),
    ("<html>proxy error</html>", r"not JSON"),
    ("[{\"join\": {}}]", r"an array at top level, not an object")])
def test_document_not_json_or_not_object(vd_sim, base_args, body, why):
    vd_sim.vendor_data2 = body
    rc, out, _, _ = run_plugin(base_args + vd_args("join", "enrol"))
    line = assert_state(rc, out, "CRITICAL", r": vendor_data2.json is %s.*"
                        r"0/2 vendordata targets, " % why)
    # one verdict for the document, not one per target
    assert out.count("vendor_data2.json is") == 2, out
    assert_vd_perfdata(line, ["time", "size"])


def test_fatal_mode_bare_500(vd_sim, base_args):
    vd_sim.set_fault("status", (500, ""), path=VD_LATEST)
    rc, out, _, _ = run_plugin(base_args + vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 500 vendordata failed "
                        r"for %s, HTTP 200, 2/2 keys, " % VD_LATEST)
    assert_explained(out, r"HTTP 500 with an empty body for %s: a "
                     r"vendordata target failed" % VD_LATEST)
    assert_explained(out, "vendordata_dynamic_failure_fatal = True")
    assert_vd_perfdata(line, ["time", "size"])


def test_slow_vendordata_time_and_thresholds(vd_sim, base_args):
    vd_sim.set_fault("delay", 0.4, path=VD_LATEST)
    rc, out, _, _ = run_plugin(base_args + vd_args("join") +
                               ["-w", "0.3", "-c", "5"])
    line = assert_state(rc, out, "WARNING", r"s exceeds warning 0\.3 s, ")
    perf = assert_vd_perfdata(line, ["time", "size"])
    assert perf["vendordata_time"][0] >= 0.4, line
    assert perf["time"][2] == "0.3" and perf["vendordata_time"][2] == ""


def test_openstack_mode_same_version(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-O2017-02-22"] +
                               vd_args("join"))
    line = assert_state(rc, out, "OK", r"1/1 vendordata targets")
    assert_vd_perfdata(line, ["time", "size"])
    assert [r["path"] for r in vd_sim.requests] == [
        "/openstack/2017-02-22/meta_data.json",
        "/openstack/2017-02-22/vendor_data2.json"]


def test_openstack_mode_empty_target(vd_sim, base_args):
    vd_sim.vendor_data2["join"] = {}
    rc, out, _, _ = run_plugin(base_args + ["-O"] + vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r": vendordata target join is "
                        r"\{\}, HTTP 200, 2/2 keys, 0/1 vendordata targets, ")
    assert_vd_perfdata(line, ["time", "size"])


@pytest.mark.parametrize("version", ["2016-06-30", "2013-10-17"])
def test_openstack_version_without_vendor_data2(vd_sim, base_args, version):
    rc, out, _, _ = run_plugin(base_args + ["-O" + version] +
                               vd_args("join"))
    assert_unknown_usage(rc, out, r"--vendordata-target needs -O "
                         r"2016-10-06 or later")
    assert vd_sim.request_count == 0


def ci_labels():
    return ["time", "size", "requests", "meta_data_time", "user_data_time",
            "vendor_data_time", "vendor_data2_time", "network_data_time",
            "ec2_time"]


def test_cloud_init_reuses_its_request(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    assert_state(rc, out, "OK")
    plain = [r["path"] for r in vd_sim.requests]
    vd_sim.reset()
    vd_sim.vendor_data2 = dict({"static": {}}, **ANSWERS)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"] +
                               vd_args("join", "enrol"))
    line = assert_state(rc, out, "OK", r"\d+ requests, 2/2 vendordata "
                        r"targets, \d+\.\d{3} s\s*$")
    perf = assert_vd_perfdata(line, ci_labels())
    # no second request for vendor_data2.json: the same requests
    assert [r["path"] for r in vd_sim.requests] == plain
    assert perf["requests"][0] == len(plain)
    assert perf["vendordata_time"][0] == perf["vendor_data2_time"][0]


def test_cloud_init_empty_target(vd_sim, base_args):
    vd_sim.vendor_data2["join"] = {}
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"] +
                               vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r": vendordata target join is "
                        r"\{\}, cloud-init profile, .*0/1 vendordata targets")
    assert_explained(out, r"join is \{\}: the target failed and Nova hides")
    assert_vd_perfdata(line, ci_labels())


def test_cloud_init_vendor_data2_not_served(vd_sim, base_args):
    # cloud-init itself accepts a 404; the target's users cannot
    vd_sim.set_fault("status", 404, path="/openstack/2018-08-27/"
                     "vendor_data2.json")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"] +
                               vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r"HTTP 404 for /openstack/"
                        r"2018-08-27/vendor_data2.json: no vendor_data2.json"
                        r" to hold the vendordata targets")
    assert_vd_perfdata(line, ci_labels())


@pytest.mark.parametrize("name,why", [
    ("join@http://10.0.0.5:9090/", r"NAME holds '@'"),
    ("", r"NAME is empty"),
    ("two words", r"printable ASCII without spaces"),
    ("static", r"StaticJSON provider's entry"),
    ("n" * 256, r"longer than 255")])
def test_bad_name_unknown(vd_sim, base_args, name, why):
    rc, out, _, _ = run_plugin(base_args + ["--vendordata-target=" + name])
    line = assert_unknown_usage(rc, out, r"--vendordata-target: .*" + why)
    # the value is never repeated, only its length ("static" is the
    # message's own word)
    if name and name != "static":
        assert name not in line
    assert vd_sim.request_count == 0


def test_same_name_twice_unknown(vd_sim, base_args):
    rc, out, _, _ = run_plugin(base_args + vd_args("join", "join"))
    assert_unknown_usage(rc, out, r"--vendordata-target: the same NAME twice")


# ---- several backends ---------------------------------------------------

@pytest.fixture(scope="module")
def fleet_server():
    f = simulator.Fleet(3)
    f.start()
    yield f
    f.stop()


@pytest.fixture
def fleet(fleet_server, plugin):
    fleet_server.reset()
    for s in fleet_server.sims:
        s.vendor_data2 = dict({"static": {}}, **ANSWERS)
    yield fleet_server
    fleet_server.reset()


def fleet_args(fleet, secret_file, n=2):
    args = ["-i", INSTANCE, "-T", simulator.DEFAULT_TENANT,
            "--secret-file", secret_file]
    for i in range(n):
        args += ["-H", fleet.name(i)]
    return args


def backend_labels(fleet, n, labels):
    """backends_ok, then each backend's labels with its word after them
    ("127.0.0.1:PORT" -> "127_0_0_1_PORT"), then its ok."""
    words = [re.sub(r"[^A-Za-z0-9-]", "_", fleet.name(i)) for i in range(n)]
    return ["backends_ok"] + ["%s_%s" % (l, w) for w in words
                              for l in labels + ["ok"]]


def test_backends_one_with_empty_target(fleet, secret_file):
    fleet.sims[1].vendor_data2["join"] = {}
    rc, out, _, _ = run_plugin(fleet_args(fleet, secret_file) +
                               vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r"1/2 backends OK, %s "
                        r"vendordata target join is \{\}" % re.escape(
                            fleet.name(1)))
    assert fleet.name(0) + " " not in line.split("|")[0], line
    perf = parse_perfdata(line)
    assert list(perf) == backend_labels(fleet, 2, ["time", "size",
                                                   "vendordata_time"])
    # Each backend makes exactly the requests one backend makes.
    for i in range(2):
        assert [r["path"] for r in fleet.sims[i].requests] == [
            "/latest/meta-data/", VD_LATEST]


def test_backends_drift_on_target_keys(fleet, secret_file):
    """Key names are compared, not values: a one-time password differs on
    every request, a target that serves other keys is a drift."""
    fleet.sims[0].vendor_data2["enrol"] = {"otp": "another-one"}
    fleet.sims[2].vendor_data2["join"] = {"join_token": "t0k3n"}
    rc, out, _, _ = run_plugin(fleet_args(fleet, secret_file, 3) +
                               vd_args("join", "enrol"))
    line = assert_state(rc, out, "WARNING", r"backends disagree: %s differs"
                        % re.escape(fleet.name(2)))
    assert "3/3 backends OK" in line
    assert list(parse_perfdata(line)) == backend_labels(
        fleet, 3, ["time", "size", "vendordata_time"])


def test_backends_cloud_init(fleet, secret_file):
    fleet.sims[0].vendor_data2 = {"static": {}}
    rc, out, _, _ = run_plugin(fleet_args(fleet, secret_file) +
                               ["--cloud-init"] + vd_args("join"))
    line = assert_state(rc, out, "CRITICAL", r"1/2 backends OK, %s "
                        r"vendordata target join not configured"
                        % re.escape(fleet.name(0)))
    assert list(parse_perfdata(line)) == backend_labels(
        fleet, 2, ci_labels() + ["vendordata_time"])


def test_backends_probe_names_the_one_without_proxy(fleet, secret_file):
    fleet.sims[1].set_fault("ignore_signature")
    rc, out, _, _ = run_plugin(fleet_args(fleet, secret_file))
    line = assert_state(rc, out, "CRITICAL", r"1/2 backends OK, %s HTTP 404 "
                        r"metadata proxy mode off" % re.escape(fleet.name(1)))
    assert_explained(out, r"Nova ignores the signed headers: \[neutron\] "
                     r"service_metadata_proxy = False")
    assert list(parse_perfdata(line)) == backend_labels(fleet, 2,
                                                        ["time", "size"])
    assert fleet.sims[1].request_count == 2
    assert fleet.sims[0].request_count == 1     # the listing, as one backend


# ---- the 404 probe ------------------------------------------------------

def tenant_args(base_args, tenant=OTHER_TENANT):
    args = list(base_args)
    args[args.index("-T") + 1] = tenant
    return args


def test_probe_sends_the_wrong_signature_once(sim, base_args):
    rc, out, _, _ = run_plugin(tenant_args(base_args))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 canary unknown, ")
    assert_explained(out, r"HTTP 404.*canary unknown to Nova or tenant %s is "
                     r"not its project.*check -i and -T" % OTHER_TENANT)
    assert_perfdata(line)
    sigs = [r["headers"]["X-Instance-ID-Signature"] for r in sim.requests]
    assert sigs == [SIGNATURE, WRONG_SIGNATURE]
    assert [r["path"] for r in sim.requests] == ["/latest/meta-data/"] * 2


@pytest.mark.parametrize("action,got", [
    ("close", r"the probe with a wrong signature got no answer: .*"
              r"(Empty reply|nothing)"),
    ("500", r"the probe with a wrong signature got HTTP 500, which tells "
            r"none of them")])
def test_probe_failing_plain_404(sim, base_args, action, got):
    sim.set_fault("probe", action)
    rc, out, _, _ = run_plugin(tenant_args(base_args))
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 not found, ")
    assert_explained(out, r"HTTP 404.*canary unknown to Nova, tenant %s is "
                     r"not its project, or Nova has \[neutron\] "
                     r"service_metadata_proxy = False \(%s"
                     % (OTHER_TENANT, got))
    assert_perfdata(line)
    # libcurl may retry a request once on a fresh connection when the
    # reused one closes with nothing: the plugin still made one probe.
    assert sim.request_count in (2, 3)
    assert {r["headers"]["X-Instance-ID-Signature"]
            for r in sim.requests[1:]} == {WRONG_SIGNATURE}


def test_probe_within_the_limit(sim, base_args):
    """A probe that hangs ends before -t, and the 404 is still told."""
    sim.set_fault("probe", "hang")
    rc, out, _, elapsed = run_plugin(tenant_args(base_args) + ["-t", "2"],
                                     timeout=15)
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 not found, ")
    assert_explained(out, r"HTTP 404.*the probe with a wrong signature got "
                     r"no answer: no answer within -t")
    assert elapsed < 2 + MARGIN, "took %.2f s" % elapsed
    perf = assert_perfdata(line)
    assert perf["time"][0] < 2, line
    assert sim.request_count == 2


def test_probe_counted_in_requests(sim, base_args):
    rc, out, _, _ = run_plugin(tenant_args(base_args) + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 canary unknown for "
                        r"/openstack, .*2 requests")
    assert_explained(out, r"HTTP 404 for /openstack: canary unknown to Nova "
                     r"or tenant")
    perf = assert_perfdata(line)
    assert perf["requests"][0] == 2
    assert sim.request_count == 2


@pytest.mark.parametrize("fault", [("status", 403), ("status", 500),
                                   ("status", 400)])
def test_no_probe_for_other_statuses(sim, base_args, fault):
    sim.set_fault(*fault)
    rc, out, _, _ = run_plugin(base_args)
    assert_state(rc, out, "CRITICAL", r"HTTP %d" % fault[1])
    assert sim.request_count == 1
    assert "probe" not in out


def test_no_probe_after_a_200(sim, base_args):
    """Once Nova served the canary, a 404 is a path, not the canary."""
    sim.set_fault("status", 404, path="/openstack/2018-08-27/meta_data.json")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"HTTP 404 not found for "
                        r"/openstack/2018-08-27/meta_data.json")
    assert "probe" not in out and "wrong signature" not in out
    sigs = {r["headers"]["X-Instance-ID-Signature"] for r in sim.requests}
    assert sigs == {SIGNATURE}
    assert parse_perfdata(line)["requests"][0] == sim.request_count


def test_probe_keeps_the_secret_out(sim, base_args, make_secret_file):
    """-vvv through the probe: the secret (also pasted into -T) is starred
    out, and each signature is shown shortened only."""
    args = tenant_args(base_args, SECRET)
    rc, out, err, _ = run_plugin(args + ["-vvv"])
    line = assert_state(rc, out, "CRITICAL", r"HTTP 404.*canary unknown")
    assert_perfdata(line)
    assert SECRET not in out + err
    assert WRONG_SIGNATURE not in out + err
    assert "404 probe: the next request carries a wrong signature" in err
    assert "X-Instance-ID-Signature: %s... (shortened)" % \
        WRONG_SIGNATURE[:8] in err
    assert sim.request_count == 2
