"""The outside audit's findings (one hostile peer, pasted secrets, local
limits, closed descriptors, signals from outside, hostile files, huge
results): each case failed before its fix."""

import re

import pytest

import simulator
from conftest import INSTANCE, TENANT, assert_state, run_plugin


@pytest.fixture(scope="module")
def trio_server():
    f = simulator.Fleet(3)
    f.start()
    yield f
    f.stop()


@pytest.fixture
def trio(trio_server, plugin):
    trio_server.reset()
    yield trio_server
    trio_server.reset()


@pytest.fixture
def args(secret_file):
    return ["-i", INSTANCE, "-T", TENANT, "--secret-file", secret_file]


def _hosts(fleet, which):
    out = []
    for i in which:
        out += ["-H", fleet.name(i)]
    return out


# ---- 1. one hostile peer ---------------------------------------------
@pytest.mark.parametrize("mode", [[], ["-O"], ["--cloud-init"]])
def test_header_too_large_is_the_peers_critical(trio, args, mode):
    """A header line past libcurl's 100 KiB is the peer's fault: CRITICAL
    for it, not UNKNOWN 'out of memory' for the monitoring host."""
    trio.sims[0].set_fault("bigheader")
    rc, out, _, _ = run_plugin(_hosts(trio, [0]) + args + mode)
    assert_state(rc, out, "CRITICAL", r"header too large")
    assert "out of memory" not in out


def test_header_too_large_leaves_the_others(trio, args):
    trio.sims[1].set_fault("bigheader")
    rc, out, _, _ = run_plugin(_hosts(trio, [0, 1, 2]) + args)
    assert_state(rc, out, "CRITICAL", r"on 3 backends: %s: [^|]*header "
                 r"too large[^;|]*; 2/3 backends OK $"
                 % re.escape(trio.name(1)))
    assert "out of memory" not in out
