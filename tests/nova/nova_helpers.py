"""Shared by conftest.py and the tests: the canary's identity and signing.

A module of its own (not conftest) so that test files can import it
without colliding with other test directories' conftest modules.
"""

import hashlib
import hmac

SECRET = "deadbeef2eb84d8d"
UUID = "32d0524b-314d-4594-b3a3-607e3f2354f8"
PROJECT = "6f70656e737461636b20697320636f6f"


def sign(secret, instance):
    """X-Instance-ID-Signature as Nova's _validate_shared_secret wants it."""
    return hmac.new(secret.encode(), instance.encode(),
                    hashlib.sha256).hexdigest()


def load_suite(name):
    """Another test directory's conftest.py as a module of its own (so
    that its fixtures can be re-exported without clashing with the
    loading suite's conftest module), e.g. load_suite("nova")."""
    import importlib.util
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), name, "conftest.py")
    spec = importlib.util.spec_from_file_location(name + "_suite_fixtures",
                                                  path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
