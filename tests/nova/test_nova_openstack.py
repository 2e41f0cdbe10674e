"""-O/--openstack and --cloud-init against Nova's real metadata handler.

What Nova serves is pinned first (test_server_*), so a change in Nova
shows up as such before the plugin is judged; then the plugin's exit
code, first line and perfdata (test_plugin_*).
"""

import json
import re

import pytest

from nova_helpers import PROJECT, UUID

OTHER_UUID = "0e4b6a1c-7d5f-4f1e-9a2b-3c4d5e6f7a8b"
OTHER_PROJECT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
CI_LABELS = ["time", "size", "requests", "meta_data_time", "user_data_time",
             "vendor_data_time", "vendor_data2_time", "network_data_time",
             "ec2_time"]
# cloudinit/sources/helpers/openstack.py OS_VERSIONS, newest first.
CLOUD_INIT_VERSIONS = ["2018-08-27", "2017-02-22", "2016-10-06",
                       "2016-06-30", "2015-10-15", "2013-10-17",
                       "2013-04-04", "2012-08-10"]


def args(server, secret_file, *extra, instance=UUID, tenant=PROJECT):
    return ["-i", instance, "-T", tenant, "-H", "127.0.0.1",
            "-p", server.port, "--secret-file", secret_file] + list(extra)


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


def time_and_size(res):
    labels = [p["label"] for p in res.perfdata]
    assert labels[:2] == ["time", "size"], str(res)
    t, s = res.perf("time"), res.perf("size")
    assert t["uom"] == "s" and t["min"] == "0", str(res)
    assert s["uom"] == "B" and s["min"] == "0", str(res)
    return labels, t, s


def cloud_init_version(nova):
    status, _, body = nova.get("/openstack")
    assert status == 200
    listed = [v.strip() for v in body.decode().splitlines() if v.strip()]
    for v in CLOUD_INIT_VERSIONS:
        if v in listed:
            return v
    return "latest"


# ---- what Nova serves ---------------------------------------------------
def test_server_meta_data_carries_uuid_and_project(nova):
    status, headers, body = nova.get("/openstack/latest/meta_data.json")
    assert status == 200
    md = json.loads(body)
    assert md["uuid"] == UUID and md["project_id"] == PROJECT
    assert "hostname" in md and md["launch_index"] == 0


def test_server_no_user_data_is_404(nova):
    status, _, _ = nova.get("/openstack/latest/user_data")
    assert status == 404


def test_server_lists_a_version_cloud_init_knows(nova):
    assert cloud_init_version(nova) == "2018-08-27"


# ---- -O / --openstack ---------------------------------------------------
def test_plugin_openstack_ok(plugin, nova, secret_file):
    _, _, body = nova.get("/openstack/latest/meta_data.json")
    res = plugin.run(*args(nova, secret_file, "-O"))
    expect(res, 0, "OK", r"HTTP 200, 2/2 keys, \d+\.\d{3} s")
    labels, _, size = time_and_size(res)
    assert labels == ["time", "size"]
    # random_seed differs on every request; the length does not.
    assert size["value"] == len(body), str(res)
    assert "uuid is the canary %s" % UUID in res.stdout
    assert "project_id is the tenant %s" % PROJECT in res.stdout


@pytest.mark.parametrize("version", ["2018-08-27", "2015-10-15"])
def test_plugin_openstack_version(plugin, nova, secret_file, version):
    res = plugin.run(*args(nova, secret_file, "--openstack=" + version))
    expect(res, 0, "OK", r"HTTP 200, 2/2 keys")
    time_and_size(res)


def test_plugin_openstack_before_project_id(plugin, nova, secret_file):
    # Nova serves project_id from 2015-10-15 on only.
    res = plugin.run(*args(nova, secret_file, "-O2013-10-17"))
    expect(res, 0, "OK", r"HTTP 200, 2/2 keys")
    assert "project_id not served before version 2015-10-15" in res.stdout
    time_and_size(res)


def test_plugin_openstack_values(plugin, nova, secret_file):
    _, _, body = nova.get("/openstack/latest/meta_data.json")
    hostname = json.loads(body)["hostname"]
    res = plugin.run(*args(nova, secret_file, "-O", "-k", "name",
                           "-k", "availability_zone", "-e", "launch_index=0",
                           "-e", "hostname=" + hostname))
    expect(res, 0, "OK", r"2/2 keys, 2/2 values")
    time_and_size(res)
    res = plugin.run(*args(nova, secret_file, "-O", "-e",
                           "launch_index=3", "-k", "no_such_key"))
    expect(res, 2, "CRITICAL", r"no_such_key missing")
    assert "launch_index is '0', expected '3'" in res.stdout
    time_and_size(res)


def test_plugin_openstack_wrong_tenant(plugin, nova, secret_file):
    # Nova refuses a tenant that is not the instance's project: 404.
    res = plugin.run(*args(nova, secret_file, "-O", tenant=OTHER_PROJECT))
    expect(res, 2, "CRITICAL", r"HTTP 404")
    time_and_size(res)


def test_plugin_openstack_unknown_instance(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "-O", instance=OTHER_UUID))
    expect(res, 2, "CRITICAL", r": HTTP 404 canary unknown, ",
           r"HTTP 404.*canary unknown to Nova")
    time_and_size(res)


def test_plugin_openstack_wrong_secret(plugin, nova, wrong_secret_file):
    res = plugin.run(*args(nova, wrong_secret_file, "-O"))
    expect(res, 2, "CRITICAL", r"HTTP 403.*signature rejected")
    time_and_size(res)


def test_plugin_openstack_unknown_version(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "-O1999-01-01"))
    expect(res, 2, "CRITICAL", r"HTTP 404")
    time_and_size(res)


def test_plugin_openstack_no_proxy(plugin, nova_no_proxy, secret_file):
    res = plugin.run(*args(nova_no_proxy, secret_file, "-O"))
    expect(res, 2, "CRITICAL", r": HTTP 404 metadata proxy mode off, ",
           r"HTTP 404.*service_metadata_proxy")
    time_and_size(res)


# ---- --cloud-init ----------------------------------------------------------
def test_plugin_cloud_init_ok(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "--cloud-init", "-vvv"))
    # Nova's 404 for user_data is an instance without user data: named,
    # not counted as a missing fifth document.
    expect(res, 0, "OK", r"cloud-init profile, version 2018-08-27, "
           r"user_data: none, \d+ EC2 values, \d+ requests, \d+\.\d{3} s")
    labels, t, _ = time_and_size(res)
    assert labels == CI_LABELS, str(res)
    requests = int(res.perf("requests")["value"])
    assert requests == int(re.search(r"(\d+) requests", res.summary)
                           .group(1))
    # No user data: Nova answers 404 and cloud-init goes on.
    assert "user_data: not served (HTTP 404)" in res.stdout
    assert "EC2 tree: " in res.stdout
    assert t["value"] >= res.perf("ec2_time")["value"]
    # The order cloud-init uses, over one connection.
    gets = re.findall(r"GET http://[^/]+(\S+) ", res.stderr)
    # /openstack twice: wait_for_metadata_service, then read_v2's list.
    assert gets[:8] == [
        "/openstack", "/openstack", "/openstack/2018-08-27/meta_data.json",
        "/openstack/2018-08-27/user_data",
        "/openstack/2018-08-27/vendor_data.json",
        "/openstack/2018-08-27/vendor_data2.json",
        "/openstack/2018-08-27/network_data.json", "/latest/meta-data/"]
    assert len(gets) == requests
    assert "/latest/meta-data/public-keys/0/openssh-key" not in gets or \
        "/latest/meta-data/public-keys/" in gets
    assert len(re.findall(r"Connected to", res.stderr)) == 1


def test_plugin_cloud_init_thresholds(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "--cloud-init", "-w", "0:0",
                           "-c", "100"))
    expect(res, 1, "WARNING", r": \d+\.\d{3} s exceeds warning 0 s, "
           r"cloud-init profile")
    labels, t, _ = time_and_size(res)
    assert labels == CI_LABELS and t["warn"] != "" and t["crit"] == "100"


def test_plugin_cloud_init_unknown_instance(plugin, nova, secret_file):
    res = plugin.run(*args(nova, secret_file, "--cloud-init",
                           instance=OTHER_UUID))
    expect(res, 2, "CRITICAL", r": HTTP 404 canary unknown for /openstack, ",
           r"HTTP 404 for /openstack")
    labels, _, _ = time_and_size(res)
    assert labels == CI_LABELS


def test_plugin_cloud_init_wrong_secret(plugin, nova, wrong_secret_file):
    res = plugin.run(*args(nova, wrong_secret_file, "--cloud-init"))
    # Even the version list needs the signed headers: cloud-init's wait
    # for the metadata service gets 403 and gives up on the datasource.
    expect(res, 2, "CRITICAL", r": HTTP 403 signature rejected for "
           r"/openstack, cloud-init profile, no version chosen, ",
           r"HTTP 403 for /openstack: signature rejected")
    labels, _, _ = time_and_size(res)
    assert labels == CI_LABELS
    assert int(res.perf("requests")["value"]) == 1


def test_plugin_cloud_init_deleted_canary(plugin, deleted_canary,
                                          secret_file):
    res = plugin.run(*args(deleted_canary, secret_file, "--cloud-init"))
    # Nova no longer knows the canary: the version list is already 404.
    expect(res, 2, "CRITICAL", r": HTTP 404 canary unknown for /openstack, ",
           r"HTTP 404 for /openstack: canary unknown")
    assert "version latest" not in res.stdout
    time_and_size(res)


def test_server_random_seed_is_base64(nova):
    # What read_v2 checks before it reads files: Nova's seed decodes.
    import base64
    _, _, body = nova.get("/openstack/latest/meta_data.json")
    seed = json.loads(body)["random_seed"]
    assert base64.b64decode(seed)


def test_plugin_openstack_expect_numbers(plugin, nova, secret_file):
    # launch_index is the JSON number 0: -e compares it as a number.
    res = plugin.run(*args(nova, secret_file, "-O", "-e", "launch_index=0.0",
                           "-e", "launch_index=0e0"))
    expect(res, 0, "OK", r"2/2 values")
    res = plugin.run(*args(nova, secret_file, "-O", "-e", "launch_index=0.5"))
    expect(res, 2, "CRITICAL", r"0/1 values")
    time_and_size(res)
