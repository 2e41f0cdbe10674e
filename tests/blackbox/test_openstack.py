"""-O/--openstack and --cloud-init against the simulator's OpenStack tree:
exit code, first line and perfdata in every case."""

import json
import re

import pytest

import simulator
from conftest import (INSTANCE, TENANT, assert_no_perfdata, assert_perfdata,
                      assert_state, assert_unknown_usage, first_line,
                      parse_perfdata, run_plugin)

OTHER_UUID = "11111111-2222-4333-8444-555555555555"
MD_LATEST = "/openstack/latest/meta_data.json"
CI_VERSION = "2018-08-27"
CI_DOCS = ["meta_data.json", "user_data", "vendor_data.json",
           "vendor_data2.json", "network_data.json"]
CI_LABELS = ["time", "size", "requests", "meta_data_time", "user_data_time",
             "vendor_data_time", "vendor_data2_time", "network_data_time",
             "ec2_time"]
MARGIN = 1.0


def md_body(sim):
    return json.dumps(sim.meta_data()).encode()


def doc_path(name, version=CI_VERSION):
    return "/openstack/%s/%s" % (version, name)


def ec2_crawl_paths(tree, base="/latest/meta-data/"):
    """What cloud-init's MetadataMaterializer requests for tree, in order."""
    paths = []
    dirs, leaves = [], []
    for key in sorted(tree):
        value = tree[key]
        if isinstance(value, dict) and "_name" in value:
            ident, name = value["_name"].split("=", 1)
            leaves.append("%s/openssh-key" % ident)
        elif isinstance(value, dict):
            dirs.append(key)
        else:
            leaves.append(key)
    for d in dirs:
        paths.append(base + d + "/")
        paths.extend(ec2_crawl_paths(tree[d], base + d + "/"))
    paths.extend(base + leaf for leaf in leaves)
    return paths


def ci_expected_paths(sim, version=CI_VERSION):
    # /openstack twice: wait_for_metadata_service, then read_v2's list.
    return (["/openstack", "/openstack"] +
            [doc_path(d, version) for d in CI_DOCS] +
            ["/latest/meta-data/"] + ec2_crawl_paths(sim.tree()))


def assert_ci_perfdata(line, requests=None):
    perf = assert_perfdata(line)
    assert list(perf) == CI_LABELS, line
    assert perf["requests"][1] == "" and perf["requests"][4] == "0", line
    if requests is not None:
        assert perf["requests"][0] == requests, line
    for label in CI_LABELS[3:]:
        assert perf[label][1] == "s" and perf[label][4] == "0", line
    return perf


# ---- -O / --openstack ---------------------------------------------------
def test_openstack_ok(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(
        rc, out, "OK",
        r"^NOVA METADATA OK - canary 32d0524b on 127\.0\.0\.1:%d: HTTP 200, "
        r"2/2 keys, \d+\.\d{3} s $" % sim.port)
    perf = assert_perfdata(line, size=len(md_body(sim)))
    assert list(perf) == ["time", "size"]
    assert [r["path"] for r in sim.requests] == [MD_LATEST]
    assert "uuid is the canary %s" % INSTANCE in out
    assert "project_id is the tenant %s" % TENANT in out


@pytest.mark.parametrize("opt,version", [
    ("--openstack", "latest"), ("-O2018-08-27", "2018-08-27"),
    ("--openstack=2013-10-17", "2013-10-17"), ("-Olatest", "latest")])
def test_openstack_version(sim, base_args, opt, version):
    rc, out, _, _ = run_plugin(base_args + [opt])
    line = assert_state(rc, out, "OK", r"HTTP 200, 2/2 keys")
    assert_perfdata(line)
    assert sim.last_request["path"] == \
        "/openstack/%s/meta_data.json" % version


def test_openstack_unknown_version_is_404(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-O1999-01-01"])
    line = assert_state(rc, out, "CRITICAL", r"HTTP 404")
    assert_perfdata(line)


def test_openstack_another_instance(sim, base_args):
    sim.set_fault("os_value", "uuid=" + OTHER_UUID)
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL",
                        r"another instance's: uuid '%s', expected the "
                        r"canary %s" % (OTHER_UUID, INSTANCE))
    assert_perfdata(line)


def test_openstack_wrong_project(sim, base_args):
    sim.set_fault("os_value", "project_id=someoneelse")
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL",
                        r"project_id 'someoneelse', expected the tenant %s"
                        % TENANT)
    assert_perfdata(line)


def test_openstack_missing_uuid_and_project(sim, base_args):
    sim.set_fault("os_missing", "uuid")
    sim.set_fault("os_missing", "project_id")
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL", r"has no uuid")
    assert "has no project_id" in line
    assert "1/2 keys present, uuid missing" in line
    assert_perfdata(line)


def test_openstack_keys(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["-O", "-k", "availability_zone",
                                            "-k", "public_keys"])
    line = assert_state(rc, out, "OK", r"HTTP 200, 2/2 keys")
    assert_perfdata(line)
    rc, out, _, _ = run_plugin(base_args + ["-O", "-k", "name",
                                            "-k", "no_such_key"])
    line = assert_state(rc, out, "CRITICAL",
                        r": 1/2 keys present, no_such_key missing from "
                        r"meta_data\.json, HTTP 200, 1/2 keys, ")
    assert_perfdata(line)


def test_openstack_expect_string_and_number(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "-O", "-e", "launch_index=0", "-e", "availability_zone=nova",
        "-e", "name=canary"])
    line = assert_state(rc, out, "OK", r"2/2 keys, 3/3 values")
    assert_perfdata(line)
    assert "launch_index is '0' as expected" in out


def test_openstack_expect_mismatch(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "-O", "-e", "availability_zone=az2", "-e", "meta=x",
        "-e", "absent=1"])
    line = assert_state(rc, out, "CRITICAL",
                        r": availability_zone is 'nova', expected 'az2'.*"
                        r"HTTP 200, 2/2 keys, 0/3 values, ")
    assert "meta is an object, expected 'x'" in out
    assert "absent missing from meta_data.json" in out
    assert_perfdata(line)


def test_openstack_long_served_value(sim, base_args):
    # Longer than any buffer the verdict once went through (1024 bytes):
    # quoted as the project quotes, the cut marked, never cut silently.
    doc = sim.meta_data()
    doc["availability_zone"] = "z" * 2000 + "|end"
    sim.set_fault("body", json.dumps(doc), path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + [
        "-O", "-e", "availability_zone=nova"])
    line = assert_state(rc, out, "CRITICAL",
                        r"availability_zone is 'z{100}\.\.\.', "
                        r"expected 'nova'")
    assert_perfdata(line)
    assert "end" not in line


def test_openstack_malformed_json(sim, base_args):
    sim.set_fault("body", '{"uuid": "%s",\n "hostname" 1}' % INSTANCE,
                  path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL",
                        r"meta_data\.json is not JSON: .* at line 2, "
                        r"column \d+ \(byte \d+\)")
    assert_perfdata(line)


@pytest.mark.parametrize("body,what", [
    ("[1, 2]", "an array"), ('"text"', "a string"), ("42", "a number"),
    ("", None)])
def test_openstack_not_an_object(sim, base_args, body, what):
    sim.set_fault("body", body, path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    # One sentence: "meta_data.json is an array at top level, ...".
    want = ("meta_data\\.json is %s at top level, not an object" % what) \
        if what else r"meta_data\.json is not JSON: .* at line 1"
    line = assert_state(rc, out, "CRITICAL", want)
    assert_perfdata(line)


def test_openstack_oversize(sim, base_args):
    sim.set_fault("oversize", "chunked", path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL", r": answer over 1 MiB, ")
    assert "larger than 1 MiB" in out
    assert_perfdata(line)


# A 404 to any signature is what Nova with service_metadata_proxy = False
# answers: the 404 probe (a wrong signature, 404 again) names it.
@pytest.mark.parametrize("code,why,explained", [
    (404, r"metadata proxy mode off", "service_metadata_proxy = False"),
    (500, r"server error", "Nova says"),
    (403, r"signature rejected", "the shared secret differs")])
def test_openstack_status(sim, base_args, code, why, explained):
    sim.set_fault("status", code, path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + ["-O"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP %d %s, \d+\.\d{3} s $"
                        % (code, why))
    assert explained in out.split("\n", 1)[1], out
    assert_perfdata(line)


def test_openstack_thresholds(sim, base_args):
    sim.set_fault("delay", 0.3, path=MD_LATEST)
    rc, out, _, _ = run_plugin(base_args + ["-O", "-w", "0.2", "-c", "5"])
    line = assert_state(rc, out, "WARNING", r"s exceeds warning 0\.2 s, ")
    perf = assert_perfdata(line)
    assert perf["time"][0] >= 0.3 and perf["time"][2:4] == ("0.2", "5")
    rc, out, _, _ = run_plugin(base_args + ["-O", "-w", "0.1", "-c", "0.2"])
    line = assert_state(rc, out, "CRITICAL", r"s exceeds critical 0\.2 s, ")
    assert_perfdata(line)


def test_openstack_timeout(sim, base_args):
    sim.set_fault("hang", path=MD_LATEST)
    rc, out, _, elapsed = run_plugin(base_args + ["-O", "-t", "1"])
    line = assert_state(rc, out, "CRITICAL", r"timed out after 1 s")
    assert_no_perfdata(line)
    assert elapsed < 1 + MARGIN


# ---- options -------------------------------------------------------------
@pytest.mark.parametrize("extra,why", [
    (["-O", "--cloud-init"], r"exclude each other"),
    (["--cloud-init", "--openstack=2018-08-27"], r"exclude each other"),
    (["-O", "-u", "/latest/meta-data/placement/"], r"-u/--url does not "
     r"apply to -O"),
    (["--cloud-init", "-u", "/x/"], r"-u/--url does not apply to "
     r"--cloud-init"),
    (["-Onot-a-version"], r"-O/--openstack: not a version"),
    (["--openstack=../../x"], r"not a version"),
    (["-O", "2018-08-27"], r"unexpected argument \(10 characters\) where an "
     r"option belongs: a version goes attached"),
    (["--cloud-init=yes"], r"cloud-init"),
])
def test_usage(sim, base_args, extra, why):
    rc, out, _, _ = run_plugin(base_args + extra)
    assert_unknown_usage(rc, out, why)
    assert sim.request_count == 0


def test_help_mentions_modes(plugin):
    rc, out, _, _ = run_plugin(["--help"])
    assert rc == 3
    assert "--openstack[=VERSION]" in out and "--cloud-init" in out


# ---- --cloud-init ----------------------------------------------------------
def test_cloud_init_ok(sim, base_args):
    rc, out, err, _ = run_plugin(base_args + ["--cloud-init", "-vvv"])
    expected = ci_expected_paths(sim)
    line = assert_state(
        rc, out, "OK",
        r"^NOVA METADATA OK - canary 32d0524b on 127\.0\.0\.1:%d: cloud-init "
        r"profile, version 2018-08-27, user_data: none, 17 EC2 values, %d "
        r"requests, \d+\.\d{3} s $" % (sim.port, len(expected)))
    assert_ci_perfdata(line, requests=len(expected))
    # cloud-init's order, request by request.
    assert [r["path"] for r in sim.requests] == expected
    assert "user_data: not served (HTTP 404)" in out
    # One connection for the whole profile.
    assert len(re.findall(r"Connected to", err)) == 1, err[-2000:]
    assert len(re.findall(r"[Rr]e-?using existing (\S+: )?connection", err)) == \
        len(expected) - 1


def test_cloud_init_public_keys_as_cloud_init_reads_them(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    assert_state(rc, out, "OK")
    paths = [r["path"] for r in sim.requests]
    assert "/latest/meta-data/public-keys/" in paths
    assert "/latest/meta-data/public-keys/0/openssh-key" in paths
    assert "/latest/meta-data/public-keys/0/" not in paths
    assert "/latest/meta-data/public-keys/0=canary-key" not in paths


def test_cloud_init_user_data_served(sim, base_args):
    user_data = "#cloud-config\nruncmd: [true]\n"
    sim.user_data = user_data
    try:
        rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    finally:
        sim.user_data = None
    line = assert_state(rc, out, "OK", r"version 2018-08-27, all 5 "
                        r"documents, 17 EC2 values")
    assert_ci_perfdata(line)
    assert "user_data: HTTP 200, %d bytes" % len(user_data) in out


def test_cloud_init_falls_back_to_latest(sim, base_args):
    # The wait succeeds; read_v2's own look at the list fails.
    sim.set_fault("status", 404, path="/openstack")
    sim.spare["/openstack"] = 1
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "WARNING", r": HTTP 404 for /openstack the "
                        r"second time, cloud-init profile, version latest, ")
    assert "HTTP 404 for /openstack the second time: cloud-init cannot " \
        "list the versions" in out
    assert_ci_perfdata(line)
    assert sim.requests[2]["path"] == MD_LATEST


def test_cloud_init_no_answer_the_second_time_falls_back(sim, base_args):
    # read_v2 treats a transport failure of its own look at the list as
    # it treats an HTTP error there: a warning, then "latest".
    sim.set_fault("close", path="/openstack")
    sim.spare["/openstack"] = 1
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "WARNING", r": /openstack the second time: "
                        r"connection broke off, cloud-init profile, version "
                        r"latest, ")
    assert re.search(r"no answer for /openstack the second time: .*"
                     r"cloud-init cannot list the versions and falls back "
                     r"to latest", out), out
    perf = assert_ci_perfdata(line, requests=len(ci_expected_paths(
        sim, "latest")))
    # libcurl may retry once on a fresh connection: the simulator can see
    # /openstack a third time, the plugin counts the request once.
    paths = [r["path"] for r in sim.requests if r["path"] != "/openstack"]
    assert paths == ci_expected_paths(sim, "latest")[2:]
    # The failed request's time is in the total too.
    assert perf["time"][0] >= perf["meta_data_time"][0]


@pytest.mark.parametrize("code,cause,why", [
    (404, "metadata proxy mode off", r"Nova ignores the signed headers"),
    (500, "server error", r"Nova says"),
    (403, "signature rejected", r"signature rejected")])
def test_cloud_init_wait_fails(sim, base_args, code, cause, why):
    # wait_for_metadata_service gives up without a 200 for /openstack:
    # the instance boots without metadata.
    sim.set_fault("status", code, path="/openstack")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP %d %s for /openstack, "
                        r"cloud-init profile, no version chosen, 0/5 "
                        r"documents" % (code, cause))
    assert re.search(r"HTTP %d for /openstack: %s" % (code, why), out), out
    assert "version latest" not in out
    # a 404 is probed once, with a wrong signature
    probes = 1 if code == 404 else 0
    assert_ci_perfdata(line, requests=1 + probes)
    assert sim.request_count == 1 + probes


def test_cloud_init_wait_empty_body(sim, base_args):
    sim.set_fault("body", "", path="/openstack")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": empty answer to /openstack, "
                        r"cloud-init profile, no version chosen")
    assert re.search(r"empty answer to /openstack: .*gives up on the "
                     r"OpenStack datasource", out), out
    assert_ci_perfdata(line, requests=1)
    assert sim.request_count == 1


def test_cloud_init_transport_failure_claims_no_version(sim, base_args):
    sim.set_fault("close", path="/openstack")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"cloud-init profile, no "
                        r"version chosen, 0/5 documents, 0 EC2 values, 1 "
                        r"request$")
    assert "version latest" not in out
    assert_no_perfdata(line)


@pytest.mark.parametrize("listing,version", [
    ("2012-08-10\n2013-04-04\nlatest", "2013-04-04"),
    ("2012-08-10\n2020-10-14\n2099-01-01\nlatest", "2012-08-10"),
    ("2099-01-01\nlatest", "latest")])
def test_cloud_init_version_choice(sim, base_args, listing, version):
    sim.set_fault("body", listing, path="/openstack")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    # Before 2015-10-15 Nova served no project_id; the simulator serves
    # it anyway, so every version passes.
    line = assert_state(rc, out, "OK", r"version %s," % version)
    assert_ci_perfdata(line)
    assert sim.requests[2]["path"] == doc_path("meta_data.json", version)


def test_cloud_init_meta_data_missing(sim, base_args):
    sim.set_fault("status", 404, path=doc_path("meta_data.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP 404 not found for "
                        r"/openstack/2018-08-27/meta_data\.json, ")
    assert_ci_perfdata(line, requests=3)
    # read_v2 stops at a missing required document.
    assert sim.request_count == 3


def test_cloud_init_meta_data_malformed_stops(sim, base_args):
    sim.set_fault("body", "{not json", path=doc_path("meta_data.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"meta_data\.json is not "
                        r"JSON: .* at line 1, column \d+")
    assert_ci_perfdata(line, requests=3)


def test_cloud_init_another_instance(sim, base_args):
    sim.set_fault("os_value", "uuid=" + OTHER_UUID)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"another instance's: uuid "
                        r"'%s', expected the canary %s"
                        % (OTHER_UUID, INSTANCE))
    assert_ci_perfdata(line, requests=len(ci_expected_paths(sim)))


@pytest.mark.parametrize("doc", ["vendor_data.json", "vendor_data2.json",
                                 "network_data.json"])
def test_cloud_init_optional_json_broken(sim, base_args, doc):
    sim.set_fault("body", '{"a": [1, 2}', path=doc_path(doc))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"%s is not JSON: .* at line "
                        r"1, column \d+ \(byte \d+\)" % re.escape(doc))
    # BrokenMetadata ends read_v2 at once: no later document, no crawl.
    paths = [r["path"] for r in sim.requests]
    assert_ci_perfdata(line, requests=len(paths))
    assert paths[-1] == doc_path(doc)


def test_cloud_init_optional_json_wrong_root(sim, base_args):
    sim.set_fault("body", "12", path=doc_path("network_data.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"network_data\.json is a "
                        r"number at top level, not an object, array or "
                        r"string")
    assert "is top level" not in out
    assert_ci_perfdata(line)


def test_cloud_init_vendor_data_array_is_fine(sim, base_args):
    sim.set_fault("body", '["#cloud-config\\n"]',
                  path=doc_path("vendor_data.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "OK")
    assert_ci_perfdata(line)


def test_cloud_init_user_data_is_opaque(sim, base_args):
    sim.set_fault("body", "{not json, and that is fine",
                  path=doc_path("user_data"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "OK", r"all 5 documents")
    assert_ci_perfdata(line)


@pytest.mark.parametrize("doc", CI_DOCS[1:])
def test_cloud_init_optional_500(sim, base_args, doc):
    sim.set_fault("status", 500, path=doc_path(doc))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP 500 server error for "
                        r"%s, " % re.escape(doc_path(doc)))
    assert "%s: HTTP 500 for %s" % (doc, doc_path(doc)) in out, out
    # The profile goes on, as cloud-init does.
    assert_ci_perfdata(line, requests=len(ci_expected_paths(sim)))


def test_cloud_init_optional_404_is_normal(sim, base_args):
    for doc in CI_DOCS[1:]:
        sim.set_fault("status", 404, path=doc_path(doc))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "OK", r"version 2018-08-27, user_data: none, "
                        r"vendor_data\.json: none, vendor_data2\.json: none, "
                        r"network_data\.json: none, 17 EC2 values")
    assert_ci_perfdata(line)


def test_cloud_init_crawl_entry_fails(sim, base_args):
    bad = "/latest/meta-data/placement/availability-zone"
    sim.set_fault("status", 500, path=bad)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    # cloud-init retries it, drops the EC2 data and boots: WARNING.
    line = assert_state(rc, out, "WARNING", r": HTTP 500 server error for %s, "
                        % re.escape(bad))
    assert re.search(r"EC2 tree: HTTP 500 for %s \(listed in its directory\)"
                     r".*boots without the EC2 data" % re.escape(bad), out), out
    assert_ci_perfdata(line)
    # The crawl stops at the first failure, as the materializer does.
    assert sim.last_request["path"] == bad


def test_cloud_init_crawl_top_fails(sim, base_args):
    sim.set_fault("status", 404, path="/latest/meta-data/")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "WARNING", r": HTTP 404 not found for "
                        r"/latest/meta-data/, ")
    assert "EC2 tree: HTTP 404 for /latest/meta-data/" in out
    assert_ci_perfdata(line, requests=8)


def test_cloud_init_crawl_depth_bound(sim, base_args):
    sim.set_fault("value", "d1/d2/d3/d4/d5/d6/d7/d8/d9/leaf=x")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"EC2 tree: /latest/meta-data/"
                        r"d1/.*/ is deeper than 8 levels")
    assert_ci_perfdata(line)


def test_cloud_init_crawl_request_bound(sim, base_args):
    for i in range(300):
        sim.set_fault("value", "many/k%03d=v" % i)
    rc, out, _, elapsed = run_plugin(base_args + ["--cloud-init", "-t", "30"],
                                     timeout=60)
    line = assert_state(rc, out, "CRITICAL", r"EC2 tree: stopped after 256 "
                        r"requests")
    perf = assert_ci_perfdata(line)
    assert perf["requests"][0] == 7 + 256
    assert sim.request_count == 7 + 256


def test_cloud_init_thresholds_on_total_time(sim, base_args):
    sim.set_fault("delay", 0.3, path=doc_path("vendor_data2.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init", "-w", "0.25"])
    line = assert_state(rc, out, "WARNING", r": \d+\.\d{3} s exceeds warning "
                        r"0\.25 s, cloud-init profile")
    perf = assert_ci_perfdata(line)
    assert perf["vendor_data2_time"][0] >= 0.3
    assert perf["time"][0] >= perf["vendor_data2_time"][0]
    assert perf["time"][2] == "0.25"


def test_cloud_init_whole_run_limit(sim, base_args):
    sim.set_fault("hang", path="/latest/meta-data/placement/")
    rc, out, _, elapsed = run_plugin(base_args + ["--cloud-init", "-t", "2"])
    line = assert_state(rc, out, "CRITICAL", r"timed out after 2 s")
    assert_no_perfdata(line)
    assert elapsed < 2 + MARGIN


def test_cloud_init_keys_and_values(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "--cloud-init", "-k", "availability_zone", "-e", "launch_index=1"])
    line = assert_state(rc, out, "CRITICAL", r"launch_index is '0', "
                        r"expected '1'")
    assert_ci_perfdata(line)


def test_cloud_init_transport_failure(sim, base_args):
    sim.set_fault("close", path=doc_path("network_data.json"))
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL")
    assert_ci_perfdata(line)
    assert not any(r["path"].startswith("/latest") for r in sim.requests)
    assert first_line(out) == line and parse_perfdata(line)


# ---- what meta_data.json points at (read_v2 after the documents) ----------
CONTENT0 = "/openstack/content/0000"
CONTENT1 = "/openstack/content/0001"
FILES = '[{"path": "/etc/motd", "content_path": "/content/0000"}]'
NET_CONFIG = '{"name": "network_config", "content_path": "/content/0001"}'


def test_cloud_init_reads_files_and_network_config(sim, base_args):
    sim.set_fault("os_value", "files=" + FILES)
    sim.set_fault("os_value", "network_config=" + NET_CONFIG)
    sim.set_fault("body", "hello\n", path=CONTENT0)
    sim.set_fault("body", "auto lo\n", path=CONTENT1)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    paths = [r["path"] for r in sim.requests]
    line = assert_state(rc, out, "OK", r"user_data: none, 2 files, 17 EC2 "
                        r"values, %d requests" % len(paths))
    assert_ci_perfdata(line, requests=len(paths))
    # In read_v2's order: after network_data.json, before the EC2 crawl.
    i = paths.index(doc_path("network_data.json"))
    assert paths[i + 1:i + 4] == [CONTENT0, CONTENT1, "/latest/meta-data/"]


@pytest.mark.parametrize("code", [404, 500])
def test_cloud_init_file_content_fails(sim, base_args, code):
    sim.set_fault("os_value", "files=" + FILES)
    sim.set_fault("status", code, path=CONTENT0)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP %d .* for %s, "
                        % (code, CONTENT0))
    assert re.search(r"HTTP %d for %s \(meta_data\.json's file '/etc/motd' "
                     r"\(files\[0\]\)\).*BrokenMetadata" % (code, CONTENT0),
                     out), out
    assert_ci_perfdata(line)
    # cloud-init stops: no EC2 crawl.
    assert sim.last_request["path"] == CONTENT0


def test_cloud_init_network_config_not_text(sim, base_args):
    sim.set_fault("os_value", "network_config=" + NET_CONFIG)
    sim.set_fault("garbage", path=CONTENT1)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r"%s \(meta_data\.json's "
                        r"network_config\) is not UTF-8 text" % CONTENT1)
    assert_ci_perfdata(line)
    assert sim.last_request["path"] == CONTENT1


@pytest.mark.parametrize("files,why", [
    ('[{"path": "/etc/x"}]', r"file '/etc/x' \(files\[0\]\) cannot be "
     r"read: it has no valid content_path"),
    ('[{"path": "/etc/x", "content_path": "///"}]', r"no valid "
     r"content_path"),
    ('[{"path": "/etc/x", "content_path": 7}]', r"content_path is not "
     r"text"),
    ('{"path": "/etc/x"}', r"files cannot be read: it is not a list"),
    ('[5]', r"files\[0\]\) cannot be read: it is not an object")])
def test_cloud_init_file_pointer_broken(sim, base_args, files, why):
    sim.set_fault("os_value", "files=" + files)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", why)
    assert_ci_perfdata(line)
    assert sim.last_request["path"] == doc_path("network_data.json")


def test_cloud_init_files_without_path_are_skipped(sim, base_args):
    # read_v2 skips items without "path"; a falsy network_config too.
    sim.set_fault("os_value", 'files=[{"content_path": "/content/9"}, "x"]')
    sim.set_fault("os_value", "network_config={}")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "OK", r"user_data: none, 17 EC2 values")
    assert_ci_perfdata(line)
    assert not any("/content/" in r["path"] for r in sim.requests)


def test_cloud_init_content_path_as_combine_url_builds_it(sim, base_args):
    sim.set_fault("os_value", 'files=[{"path": "a", "content_path": '
                  '"//content//0000"}, {"path": "b", "content_path": '
                  '"content/a b"}]')
    sim.set_fault("body", "x", path=CONTENT0)
    sim.set_fault("body", "y", path="/openstack/content/a%20b")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    assert_state(rc, out, "OK", r"2 files")
    raw = [r["path"] for r in sim.requests if "/content/" in r["path"]]
    assert raw == [CONTENT0, "/openstack/content/a%20b"]


def test_cloud_init_files_bounded(sim, base_args):
    files = [{"path": "/f%d" % i, "content_path": "/content/0000"}
             for i in range(70)]
    sim.set_fault("os_value", "files=" + json.dumps(files))
    sim.set_fault("body", "x", path=CONTENT0)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "WARNING", r"lists 70 files, only the "
                        r"first 64 are read")
    assert_ci_perfdata(line)
    assert sum(r["path"] == CONTENT0 for r in sim.requests) == 64


@pytest.mark.parametrize("seed,why", [
    ("abc", r"incorrect padding"),
    ("abcde", r"one character more than a multiple of 4"),
    ("5", r"a number, not text"), ("null", r"null, not text"),
    ('"c2VlZA\\u00e9=="', r"not ASCII")])
def test_cloud_init_random_seed_not_base64(sim, base_args, seed, why):
    sim.set_fault("os_value", "files=" + FILES)
    sim.set_fault("os_value", "random_seed=" + seed)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    line = assert_state(rc, out, "CRITICAL", r": meta_data\.json's "
                        r"random_seed is not base64: %s, cloud-init profile"
                        % why)
    assert re.search(r"random_seed is not base64: %s, cloud-init stops with "
                     r"BrokenMetadata" % why, out), out
    assert_ci_perfdata(line)
    # Checked before any file is read.
    assert sim.last_request["path"] == doc_path("network_data.json")


def test_cloud_init_random_seed_as_python_decodes_it(sim, base_args):
    # b64decode skips characters outside the alphabet and stops at the
    # padding; cloud-init takes this.
    sim.set_fault("os_value", 'random_seed="c2Vl\\nZA==!! trailing"')
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    assert_state(rc, out, "OK")


# ---- -e against numbers; strings with NUL; big integers --------------------
@pytest.mark.parametrize("key,served,expected,ok", [
    ("launch_index", None, "0.0", True), ("launch_index", None, "0e3", True),
    ("launch_index", None, "+0", True), ("launch_index", None, "1", False),
    ("ratio", "1.0", "1", True), ("ratio", "1.0", "1.0", True),
    ("ratio", "0.5", "5e-1", True), ("ratio", "0.5", "0.50001", False),
    ("big", "9007199254740993", "9007199254740993", True),
    ("big", "9007199254740993", "9007199254740992", False),
    ("big", "9007199254740993", "9007199254740992.0", False),
    ("huge", "123456789012345678901234567890", "1.2345678901234568e+29",
     True)])
def test_openstack_expect_numbers(sim, base_args, key, served, expected, ok):
    if served is not None:
        sim.set_fault("os_value", "%s=%s" % (key, served))
    rc, out, _, _ = run_plugin(base_args + ["-O", "-e",
                                            "%s=%s" % (key, expected)])
    line = assert_state(rc, out, "OK" if ok else "CRITICAL",
                        r"1/1 values" if ok else r"0/1 values")
    assert_perfdata(line)


def test_openstack_string_with_nul(sim, base_args):
    # Python (Nova, cloud-init) writes and reads "\u0000"; so must we.
    sim.set_fault("os_value", 'uuid="%s\\u0000x"' % INSTANCE)
    sim.set_fault("os_value", 'name="canary\\u0000"')
    rc, out, _, _ = run_plugin(base_args + ["-O", "-e", "name=canary"])
    line = assert_state(rc, out, "CRITICAL", r"another instance's: uuid "
                        r"'%s\\u0000x'" % INSTANCE)
    assert "name is 'canary\\u0000', expected 'canary'" in out
    assert "\0" not in out
    assert_perfdata(line)


# A listing line longer than any path the crawl builds is the server's
# fault (CRITICAL, as without --cloud-init), never "out of memory".
@pytest.mark.parametrize("mode", [[], ["--cloud-init"]])
def test_listing_line_over_1024_bytes(sim, base_args, mode):
    sim.set_fault("value", "k" * 1100 + "=v")
    rc, out, _, _ = run_plugin(base_args + mode)
    line = assert_state(rc, out, "CRITICAL")
    assert "out of memory" not in out
    if mode:
        assert re.search(r"EC2 tree: listing /latest/meta-data/ has a line "
                         r"over 1024 bytes", line), line
        assert_ci_perfdata(line)
    else:
        assert re.search(r"not a metadata listing: line \d+ ", line), line
        assert_perfdata(line)
