"""What the test servers (novaserver.py, tests/agent/agentserver.py) share:
the stdout lines their fixtures wait for, and their control API's JSON
replies. Plain Python: importable before or after eventlet patches."""

import json
import sys


def emit(line):
    """One protocol line on stdout, flushed at once (the fixture waits)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def json_reply(start_response, status, body):
    """A control API answer: body as one line of JSON."""
    data = (json.dumps(body) + "\n").encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]
