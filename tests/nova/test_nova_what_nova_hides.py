"""What Nova hides, with the plugin against Nova's real metadata handler:
--vendordata-target against DynamicJSON targets (conftest.py's
nova_vendordata: join and enrol, read timeout 3 s; nova_vendordata_fatal:
join, vendordata_dynamic_failure_fatal = True), and the 404 probe against
Nova with the proxy mode on (nova) and off (nova_no_proxy).  What Nova
itself serves in these cases is pinned by test_nova_vendordata.py and
test_nova_404_probe.py.  Each Nova process is shared by the module.

Every case asserts exit code, first line and perfdata.
"""

import re

import pytest

from nova_helpers import PROJECT, UUID

OTHER_UUID = "0e4b6a1c-7d5f-4f1e-9a2b-3c4d5e6f7a8b"
OTHER_PROJECT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
CI_LABELS = ["time", "size", "requests", "meta_data_time", "user_data_time",
             "vendor_data_time", "vendor_data2_time", "network_data_time",
             "ec2_time"]
MODES = {"ec2": ([], ["time", "size"]),
         "openstack": (["-O"], ["time", "size"]),
         "cloud-init": (["--cloud-init"], CI_LABELS)}


def args(server, secret_file, *extra, instance=UUID, tenant=PROJECT):
    return ["-i", instance, "-T", tenant, "-H", "127.0.0.1",
            "-p", server.port, "--secret-file", secret_file] + list(extra)


def targets(*names):
    out = []
    for name in names:
        out += ["--vendordata-target", name]
    return out


def expect(res, rc, word, summary_re=None, explained_re=None):
    """Exit code and state; summary_re in the first line (the plugin's
    short cause), explained_re in the long output (the server's words,
    the advice)."""
    assert res.rc == rc, str(res)
    assert res.first.startswith("NOVA METADATA %s - " % word), str(res)
    if summary_re:
        assert re.search(summary_re, res.summary), str(res)
    if explained_re:
        rest = res.stdout.split("\n", 1)[1] if "\n" in res.stdout else ""
        assert re.search(explained_re, rest, re.M), str(res)


def vd_perfdata(res, mode):
    """The mode's labels, then vendordata_time, which time includes."""
    labels = [p["label"] for p in res.perfdata]
    assert labels == MODES[mode][1] + ["vendordata_time"], str(res)
    vd = res.perf("vendordata_time")
    assert vd["uom"] == "s" and vd["min"] == "0", str(res)
    assert res.perf("time")["value"] >= vd["value"], str(res)
    return vd["value"]


def run_mode(plugin, vd, secret_file, mode, *extra):
    return plugin.run(*args(vd.nova, secret_file, *(MODES[mode][0] +
                                                    list(extra))))


# ---- --vendordata-target ------------------------------------------------

@pytest.mark.parametrize("mode", sorted(MODES))
def test_plugin_vendordata_targets_answer(plugin, nova_vendordata,
                                          secret_file, mode):
    res = run_mode(plugin, nova_vendordata, secret_file, mode,
                   *targets("join", "enrol"))
    expect(res, 0, "OK", r"2/2 vendordata targets")
    vd_perfdata(res, mode)
    assert "vendordata target join served (2 keys)" in res.stdout
    # Nova really called each target, once: one vendor_data2.json request
    # (cloud-init's own, not one more)
    for target in nova_vendordata.targets.values():
        assert len(target.requests()) == 1, str(res)
    if mode == "cloud-init":
        assert res.perf("vendordata_time")["value"] == \
            res.perf("vendor_data2_time")["value"]


@pytest.mark.parametrize("mode", sorted(MODES))
def test_plugin_vendordata_target_down(plugin, nova_vendordata,
                                       secret_file, mode):
    nova_vendordata.targets["join"].set("down")
    errors = nova_vendordata.logged_errors("join")
    res = run_mode(plugin, nova_vendordata, secret_file, mode,
                   *targets("join"))
    expect(res, 2, "CRITICAL", r": vendordata target join is \{\}, .*0/1 "
           r"vendordata targets", r"vendordata target join is \{\}: the "
           r"target failed and Nova hides it")
    assert "nova-api-metadata's log" in res.stdout
    vd_perfdata(res, mode)
    # what the plugin points at is really there
    assert nova_vendordata.logged_errors("join") == errors + 1


def test_plugin_vendordata_two_targets_one_failing(plugin, nova_vendordata,
                                                   secret_file):
    nova_vendordata.targets["enrol"].set("status", status=503)
    res = run_mode(plugin, nova_vendordata, secret_file, "ec2",
                   *targets("join", "enrol"))
    expect(res, 2, "CRITICAL", r": vendordata target enrol is \{\}, HTTP 200, "
           r"2/2 keys, 1/2 vendordata targets, ")
    assert "vendordata target join is" not in res.stdout
    assert "[OK] vendordata target join served" in res.stdout
    vd_perfdata(res, "ec2")


def test_plugin_vendordata_target_not_configured(plugin, nova_vendordata,
                                                 secret_file):
    res = run_mode(plugin, nova_vendordata, secret_file, "openstack",
                   *targets("join", "ipa"))
    expect(res, 2, "CRITICAL", r": vendordata target ipa not configured, "
           r".*1/2 vendordata targets", r"vendordata target ipa is not in "
           r"vendor_data2.json: it is not configured in this Nova")
    vd_perfdata(res, "openstack")


def test_plugin_vendordata_target_answers_array(plugin, nova_vendordata,
                                                secret_file):
    nova_vendordata.targets["join"].set("array")
    res = run_mode(plugin, nova_vendordata, secret_file, "ec2",
                   *targets("join"))
    expect(res, 2, "CRITICAL", r": vendordata target join is not an object, ",
           r"vendordata target join is an array in vendor_data2.json, not "
           r"an object")
    vd_perfdata(res, "ec2")


@pytest.mark.parametrize("mode", ["ec2", "cloud-init"])
def test_plugin_vendordata_slow_target(plugin, nova_vendordata, secret_file,
                                       mode):
    """A slow target: its time shows, in vendordata_time and in time, and
    the thresholds on time apply."""
    delay = 1.0
    assert delay < nova_vendordata.read_timeout
    nova_vendordata.targets["join"].set("slow", delay=delay)
    res = run_mode(plugin, nova_vendordata, secret_file, mode,
                   *targets("join", "enrol"), "-w", "0.8", "-c", "30",
                   "-t", "20")
    expect(res, 1, "WARNING", r": \d+\.\d{3} s exceeds warning 0\.8 s, .*"
           r"2/2 vendordata targets")
    assert vd_perfdata(res, mode) >= delay
    assert res.perf("time")["warn"] == "0.8"


def test_plugin_vendordata_slow_beyond_nova_timeout(plugin, nova_vendordata,
                                                    secret_file):
    """Nova gives up at its read timeout and serves {}: CRITICAL, and the
    time Nova waited is in vendordata_time."""
    nova_vendordata.targets["join"].set("slow", delay=60)
    res = run_mode(plugin, nova_vendordata, secret_file, "ec2",
                   *targets("join"), "-t", "20")
    expect(res, 2, "CRITICAL", r": vendordata target join is \{\}, ",
           r"join is \{\}: the target failed and Nova hides it")
    assert vd_perfdata(res, "ec2") >= nova_vendordata.read_timeout


@pytest.mark.parametrize("mode,failure,version", [
    ("ec2", {"mode": "down"}, "latest"),
    ("openstack", {"mode": "down"}, "latest"),
    ("cloud-init", {"mode": "status", "status": 500}, "2018-08-27")])
def test_plugin_vendordata_fatal_500(plugin, nova_vendordata_fatal,
                                     secret_file, mode, failure, version):
    nova_vendordata_fatal.targets["join"].set(**failure)
    res = run_mode(plugin, nova_vendordata_fatal, secret_file, mode,
                   *targets("join"))
    expect(res, 2, "CRITICAL", r": HTTP 500 vendordata failed for "
           r"/openstack/%s/vendor_data2.json, " % version,
           r"HTTP 500 with an empty body for /openstack/%s/vendor_data2.json: "
           r"a vendordata target failed and Nova has \[api\] "
           r"vendordata_dynamic_failure_fatal = True" % version)
    vd_perfdata(res, mode)


def test_plugin_vendordata_fatal_answers(plugin, nova_vendordata_fatal,
                                         secret_file):
    res = run_mode(plugin, nova_vendordata_fatal, secret_file, "ec2",
                   *targets("join"))
    expect(res, 0, "OK", r"1/1 vendordata targets")
    vd_perfdata(res, "ec2")


# ---- the 404 probe ------------------------------------------------------

PROBE_CASES = {
    # (server, instance, tenant) -> what the first line must name, and
    # what the long output explains
    "unknown-canary": ("nova", OTHER_UUID, PROJECT, "canary unknown",
                       r"canary unknown to Nova or tenant %s is not its "
                       r"project \(a wrong signature got 403: the proxy "
                       r"mode is on\): check -i and -T" % PROJECT),
    "wrong-tenant": ("nova", UUID, OTHER_PROJECT, "canary unknown",
                     r"canary unknown to Nova or tenant %s is not its "
                     r"project .*check -i and -T" % OTHER_PROJECT),
    "proxy-off": ("nova_no_proxy", UUID, PROJECT, "metadata proxy mode off",
                  r"Nova ignores the signed headers: \[neutron\] "
                  r"service_metadata_proxy = False"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", sorted(PROBE_CASES))
def test_plugin_probe_names_the_cause(request, plugin, secret_file, case,
                                      mode):
    fixture, instance, tenant, short, cause = PROBE_CASES[case]
    server = request.getfixturevalue(fixture)
    res = plugin.run(*args(server, secret_file, *MODES[mode][0],
                           instance=instance, tenant=tenant))
    expect(res, 2, "CRITICAL", r": HTTP 404 %s%s, " % (
        short, " for /openstack" if mode == "cloud-init" else ""),
        r"HTTP 404 for /openstack: " + cause if mode == "cloud-init"
        else r"HTTP 404 for .*: " + cause)
    labels = [p["label"] for p in res.perfdata]
    assert labels == MODES[mode][1], str(res)
    if case != "proxy-off":
        assert "service_metadata_proxy" not in res.summary, str(res)
    if mode == "cloud-init":
        # the first /openstack and the probe, counted
        assert res.perf("requests")["value"] == 2, str(res)


def test_plugin_probe_with_vendordata_target(plugin, nova_no_proxy,
                                             secret_file):
    """The probe comes first: no vendordata request after a 404."""
    res = plugin.run(*args(nova_no_proxy, secret_file, *targets("join")))
    expect(res, 2, "CRITICAL", r": HTTP 404 metadata proxy mode off, ",
           r"service_metadata_proxy = False")
    labels = [p["label"] for p in res.perfdata]
    assert labels == ["time", "size", "vendordata_time"], str(res)
    assert res.perf("vendordata_time")["value"] == 0
