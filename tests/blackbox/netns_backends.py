#!/usr/bin/python3
"""Simulators on several addresses of one port, for a network namespace.

test_all_addresses.py runs this inside the namespace it made
(`ip netns exec NAME netns_backends.py ...`), so that each address that
the namespace's hosts file gives a name is a backend of its own:

    netns_backends.py --port 8775 [--secret ADDR=SECRET]...
                      [--fault ADDR=NAME[=ARG]]... ADDR...

starts a tests/simulator.py Simulator on every ADDR:PORT (the secret of
ADDR, else the simulator's default; the faults of ADDR, as the
simulator's --fault names them), prints "READY" and then answers one
command per line on stdin:

    requests   one JSON line: {ADDR: [{"path", "host", "client"}, ...]}

and stops at end of input (the test closed the pipe, or died).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
import simulator  # noqa: E402  (tests/simulator.py)


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", action="append", default=[],
                   metavar="ADDR=SECRET")
    p.add_argument("--fault", action="append", default=[],
                   metavar="ADDR=NAME[=ARG]")
    p.add_argument("addresses", nargs="+", metavar="ADDR")
    args = p.parse_args(argv)
    return args, _per_address(p, args, "secret"), \
        _per_address(p, args, "fault")


def _per_address(p, args, option):
    """{ADDR: [VALUE, ...]} of the --option ADDR=VALUE items."""
    table = {}
    for item in getattr(args, option):
        addr, sep, value = item.partition("=")
        if not sep or addr not in args.addresses:
            p.error("--%s %r: not ADDR=VALUE for a listed ADDR"
                    % (option, item))
        table.setdefault(addr, []).append(value)
    return table


def _requests(sims):
    return {addr: [{"path": r["path"], "host": r["headers"].get("Host"),
                    "client": r["client"]} for r in list(sim.requests)]
            for addr, sim in sims.items()}


def main(argv):
    args, secrets, faults = _parse(argv)
    sims = {}
    try:
        for addr in args.addresses:
            sim = simulator.Simulator(
                secret=secrets.get(addr, [simulator.DEFAULT_SECRET])[-1],
                bind=addr, port=args.port)
            for fault in faults.get(addr, []):
                sim.set_fault(*simulator._parse_fault(fault))
            sims[addr] = sim.start()
        print("READY", flush=True)
        for line in sys.stdin:
            if line.strip() == "requests":
                print(json.dumps(_requests(sims)), flush=True)
            else:
                print("ERROR unknown command %r" % line.strip(), flush=True)
    finally:
        for sim in sims.values():
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
