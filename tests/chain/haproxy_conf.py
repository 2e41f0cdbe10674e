#!/usr/bin/python3
"""Writes the namespace's haproxy configuration as neutron writes it:
python3-neutron's own HaproxyConfigurator (neutron/agent/metadata/
driver.py, the template the DHCP and L3 agents use), not a copy of it.

    /usr/bin/python3 tests/chain/haproxy_conf.py --state-dir DIR \
        --socket PATH --network-id UUID --interface IFACE \
        [--rate-limit N]

prints the configuration file's path. --rate-limit N: at most N
requests per source address, then `deny_status 429`. Epoxy's neutron
writes that itself from [metadata_rate_limiting] (2023.2 and later; its
own base and burst limits, both N here); Debian's Zed package predates
it, so for Zed a stick table per source address and the deny rule are
added, rules of this project's own, written from haproxy's
documentation, not neutron's text. tests/nova/release.py says which.
"""

import argparse
import grp
import os
import pwd
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "nova"))
import release  # noqa: E402

from oslo_config import cfg
from oslo_log import log as logging

from neutron.agent.metadata import driver

# The window of the rate limit, long enough that no test outlives it.
RATE_WINDOW = "60s"


def rate_limit_rules(limit):
    return ("    # [metadata_rate_limiting]: at most %d requests per source "
            "address in %s, then 429\n"
            "    stick-table type ipv6 size 10k expire %s store "
            "http_req_rate(%s)\n"
            "    http-request track-sc0 src\n"
            "    http-request deny deny_status 429 if "
            "{ sc_http_req_rate(0) gt %d }\n"
            % (limit, RATE_WINDOW, RATE_WINDOW, RATE_WINDOW, limit))


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--network-id", required=True)
    ap.add_argument("--interface", required=True)
    ap.add_argument("--rate-limit", type=int)
    args = ap.parse_args(argv)
    logging.register_options(cfg.CONF)
    cfg.CONF([], project="neutron")
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    # The isolated-metadata form (the DHCP agent's, and OVN's): haproxy
    # binds 169.254.169.254:80 itself, and fe80::a9fe:a9fe on the
    # interface, instead of 0.0.0.0:9697 behind the L3 agent's NAT rule.
    rate_limiting = release.haproxy_rate_limiting(args.rate_limit)
    extra = () if rate_limiting is None else (rate_limiting,)
    conf = driver.HaproxyConfigurator(
        args.network_id, None, args.socket, "169.254.169.254", 80, user,
        group, args.state_dir, os.path.join(args.state_dir, "haproxy.pid"),
        *extra, host_v6="fe80::a9fe:a9fe", bind_interface=args.interface)
    conf.create_config_file()
    if args.rate_limit is not None and rate_limiting is None:
        with open(conf.cfg_path, "a", encoding="utf-8") as f:
            f.write(rate_limit_rules(args.rate_limit))
    print(conf.cfg_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
