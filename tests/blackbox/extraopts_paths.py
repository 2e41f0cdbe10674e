"""The standard places --extra-opts searches, as plugins/check_nova_metadata.d/cli_extraopts.c lists
them, for tests that must know none exists on this host."""

import os
import re

_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "plugins", "check_nova_metadata.d",
    "cli_extraopts.c")


def default_paths():
    with open(_SRC) as f:
        text = f.read()
    block = text.split("nm_extraopts_default_paths[] = {", 1)[1]
    block = block.split("NULL", 1)[0]
    return re.findall(r'"(/[^"]+)"', block)


def any_default_exists():
    return any(os.path.exists(p) for p in default_paths())
