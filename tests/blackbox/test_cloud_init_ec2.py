"""--cloud-init=ec2 (cloud-init's Ec2 datasource) against the simulator:
the requests in cloud-init's order, and the state of each failure as
cloud-init lives it (CRITICAL: the instance boots without what its user
gave it, or the datasource fails; WARNING: cloud-init works around it)."""

import re

import pytest

from conftest import (assert_explained, assert_perfdata, assert_state,
                      assert_unknown_usage, free_port, run_plugin)
from test_openstack import ec2_crawl_paths

EC2_LABELS = ["time", "size", "requests", "user_data_time", "ec2_time"]
WAIT = "/2009-04-04/meta-data/instance-id"
# DataSourceEc2.extended_metadata_versions, in the order it probes them.
PROBES = ["/%s/meta-data/instance-id" % v
          for v in ("2021-03-23", "2018-09-24", "2016-09-02")]
USER_DATA = "/2009-04-04/user-data"
TOP = "/2009-04-04/meta-data/"


def expected_paths(sim, top=TOP, version="2009-04-04", probes=PROBES):
    return ([WAIT] + probes + ["/%s/user-data" % version, top] +
            ec2_crawl_paths(sim.tree(), top))


def assert_ec2_perfdata(line, requests=None):
    perf = assert_perfdata(line)
    assert list(perf) == EC2_LABELS, line
    if requests is not None:
        assert perf["requests"][0] == requests, line
    for label in EC2_LABELS[3:]:
        assert perf[label][1] == "s" and perf[label][4] == "0", line
    return perf


def paths(sim):
    return [r["path"] for r in sim.requests]


def test_ec2_profile_ok(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    line = assert_state(
        rc, out, "OK", r"cloud-init Ec2 profile, version 2009-04-04, "
        r"user-data none, \d+ EC2 values, \d+ requests, \d+\.\d{3} s $")
    assert paths(sim) == expected_paths(sim)
    assert_ec2_perfdata(line, requests=len(expected_paths(sim)))
    assert "user-data: not served (HTTP 404)" in out


def test_bare_option_is_the_openstack_profile(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init"])
    bare = (rc, re.sub(r"\d+\.\d+", "N", out))
    sim.reset()
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=openstack"])
    assert (rc, re.sub(r"\d+\.\d+", "N", out)) == bare
    assert bare[0] == 0 and "cloud-init profile, version" in bare[1]


def test_ec2_profile_user_data_served(sim, base_args):
    sim.set_fault("body", "#cloud-config\n", path=USER_DATA)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    assert_state(rc, out, "OK", r"user-data read, ")
    assert "user-data: HTTP 200, 14 bytes" in out


def test_ec2_profile_user_data_500_is_critical(sim, base_args):
    sim.set_fault("status", 500, path=USER_DATA)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP 500 server error for "
                        r"/2009-04-04/user-data, cloud-init Ec2 profile")
    assert_explained(out, r"user-data: HTTP 500 for /2009-04-04/user-data.*"
                     r"boots without it")
    # cloud-init goes on to the tree, and so does the check.
    assert paths(sim) == expected_paths(sim)
    assert_ec2_perfdata(line)


@pytest.mark.parametrize("path", [WAIT])
@pytest.mark.parametrize("status", [404, 500])
def test_ec2_profile_wait_fails(sim, base_args, path, status):
    sim.set_fault("status", status, path=path)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP %d [a-z ]+ for %s, "
                        r"cloud-init Ec2 profile, no version chosen, "
                        % (status, re.escape(path)))
    assert_ec2_perfdata(line)


def test_ec2_profile_refused_says_user_data_not_reached(base_args):
    """A run that ended before user-data was asked for does not claim the
    instance has none; one request is "1 request"."""
    args = list(base_args)
    args[args.index("-p") + 1] = str(free_port())
    rc, out, _, _ = run_plugin(args + ["--cloud-init=ec2"])
    assert_state(rc, out, "CRITICAL", r"instance-id refused, cloud-init "
                 r"Ec2 profile, no version chosen, user-data not reached, "
                 r"0 EC2 values, 1 request$")


def test_ec2_profile_wait_empty_body(sim, base_args):
    sim.set_fault("body", "", path=WAIT)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    assert_state(rc, out, "CRITICAL", r"empty answer to %s" % WAIT)
    assert paths(sim) == [WAIT]


def test_ec2_profile_probe_500_is_warning(sim, base_args):
    sim.set_fault("status", 500, path=PROBES[0])
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    line = assert_state(rc, out, "WARNING", r"HTTP 500 for %s: cloud-init "
                        r"skips version 2021-03-23" % re.escape(PROBES[0]))
    assert paths(sim) == expected_paths(sim)
    assert_ec2_perfdata(line)


def test_ec2_profile_probe_200_picks_that_version(sim, base_args):
    sim.set_fault("body", "i-00000001", path=PROBES[1])
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    # The simulator, like Nova, has no tree under 2018-09-24: the crawl
    # of the version cloud-init chose fails, and the Ec2 datasource has
    # no metadata.
    assert_state(rc, out, "CRITICAL", r": HTTP 404 not found for "
                 r"/2018-09-24/meta-data/, cloud-init Ec2 profile, version "
                 r"2018-09-24, ")
    assert_explained(out, r"EC2 tree: HTTP 404 for /2018-09-24/meta-data/")
    assert paths(sim)[:4] == [WAIT] + PROBES[:2] + ["/2018-09-24/user-data"]


def test_ec2_profile_tree_entry_is_critical(sim, base_args):
    bad = TOP + "placement/availability-zone"
    sim.set_fault("status", 500, path=bad)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2"])
    line = assert_state(rc, out, "CRITICAL", r": HTTP 500 server error for "
                        r"%s, " % re.escape(bad))
    assert_explained(out, r"EC2 tree: HTTP 500 for %s .*the Ec2 datasource "
                     r"gets no meta-data" % re.escape(bad))
    assert sim.last_request["path"] == bad
    assert_ec2_perfdata(line)


def test_ec2_profile_keys_and_values(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "--cloud-init=ec2", "-k", "hostname", "-e", "local-ipv4=10.0.0.5",
        "-e", "instance-id=i-00000001"])
    assert_state(rc, out, "OK", r"\d+ requests, 2/2 values, ")
    assert "hostname listed in /2009-04-04/meta-data/" in out
    assert "local-ipv4 is '10.0.0.5' as expected" in out
    # No request beyond cloud-init's own.
    assert paths(sim) == expected_paths(sim)


def test_ec2_profile_value_differs(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "--cloud-init=ec2", "-e", "local-ipv4=10.9.9.9", "-k", "nothere"])
    assert_state(rc, out, "CRITICAL", r"0/1 values")
    assert "local-ipv4 is '10.0.0.5', expected '10.9.9.9'" in out
    assert "nothere not listed in /2009-04-04/meta-data/" in out


def test_ec2_profile_value_absent(sim, base_args):
    rc, out, _, _ = run_plugin(base_args + [
        "--cloud-init=ec2", "-e", "nothere=x"])
    assert_state(rc, out, "CRITICAL", r"1 of the -e keys are no top-level "
                 r"value of /2009-04-04/meta-data/")


@pytest.mark.parametrize("bad", ["--cloud-init=ec3", "--cloud-init=EC2"])
def test_ec2_profile_bad_name(base_args, bad):
    rc, out, _, _ = run_plugin(base_args + [bad])
    assert_unknown_usage(rc, out, r"--cloud-init: not a profile")


def test_ec2_profile_conflicts(base_args):
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2",
                                            "--cloud-init=openstack"])
    assert_unknown_usage(rc, out, r"--cloud-init: two profiles")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2", "-O"])
    assert_unknown_usage(rc, out, r"exclude each other")
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=ec2",
                                            "--vendordata-target=x"])
    assert_unknown_usage(rc, out, r"--vendordata-target does not apply")


@pytest.mark.parametrize("profile,state", [("openstack", "WARNING"),
                                           ("ec2", "CRITICAL")])
def test_tree_entry_without_answer(sim, base_args, profile, state):
    """A tree entry whose connection closes unanswered: cloud-init
    retries it and drops the EC2 data; only the Ec2 datasource needs
    it."""
    top = TOP if profile == "ec2" else "/latest/meta-data/"
    bad = top + "placement/availability-zone"
    sim.set_fault("close", path=bad)
    rc, out, _, _ = run_plugin(base_args + ["--cloud-init=" + profile])
    assert_state(rc, out, state, r": %s connection broke off, "
                 % re.escape(bad))
    assert_explained(out, r"no answer for %s" % re.escape(bad))
    assert sim.last_request["path"] == bad
