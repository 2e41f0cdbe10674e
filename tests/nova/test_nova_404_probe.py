"""The 404 probe's ground truth: what Nova's real handler answers a request
with a deliberately wrong signature, next to the correct one.

A 404 from Nova has three causes its body does not tell apart: the canary
is unknown, the tenant is not its project, or `[neutron]
service_metadata_proxy = False` (Nova then ignores the signed headers and
looks the caller up by its address).  With the proxy mode on, Nova checks
the signature before it looks the instance up, so a wrong signature gets
403 whatever the canary and tenant; with it off, Nova never reads the
signature, so the wrong one gets the same 404.

  * test_probe_server_*: Nova itself (`nova`: proxy mode on,
    `nova_no_proxy`: off), by direct HTTP requests (no plugin).  The exact
    bodies are recorded in tests/nova/README.md.  Select them with
    `-k probe`.
"""

import pytest

from nova_helpers import PROJECT, UUID, sign

OTHER_UUID = "0e4b6a1c-7d5f-4f1e-9a2b-3c4d5e6f7a8b"
OTHER_PROJECT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"

# Nova's webob error pages: with no Accept header (or text/plain) ...
TEXT_BODY = {
    403: b"403 Forbidden\n\nInvalid proxy request signature.\n\n   ",
    404: b"404 Not Found\n\nThe resource could not be found.\n\n   ",
}
# ... and with curl's default `Accept: */*`.
HTML_BODY = {
    code: (b"<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n"
           b"  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>"
           % (title, title, text))
    for code, title, text in (
        (403, b"403 Forbidden", b"Invalid proxy request signature."),
        (404, b"404 Not Found", b"The resource could not be found."))
}
ACCEPT = {"no-accept": ({}, TEXT_BODY, "text/plain; charset=UTF-8"),
          "accept-any": ({"Accept": "*/*"}, HTML_BODY,
                         "text/html; charset=UTF-8")}

# Wrong signatures a probe might send; all are refused alike.
WRONG_SIGNATURES = {
    "other-key": lambda instance: sign("not-the-shared-secret", instance),
    "zeros": lambda instance: "0" * 64,
    "empty": lambda instance: "",
}

# (server fixture, instance, tenant) -> (status with the correct
# signature, status with a wrong one)
CASES = {
    "proxy-canary": ("nova", UUID, PROJECT, 200, 403),
    "proxy-unknown-canary": ("nova", OTHER_UUID, PROJECT, 404, 403),
    "proxy-wrong-tenant": ("nova", UUID, OTHER_PROJECT, 404, 403),
    "noproxy-canary": ("nova_no_proxy", UUID, PROJECT, 404, 404),
    "noproxy-unknown-canary": ("nova_no_proxy", OTHER_UUID, PROJECT,
                               404, 404),
    "noproxy-wrong-tenant": ("nova_no_proxy", UUID, OTHER_PROJECT, 404, 404),
}
PATHS = ["/latest/meta-data/", "/openstack/latest/meta_data.json",
         "/openstack/latest/vendor_data2.json"]


def probe(request, case, path, signature, accept):
    """One request for case; signature None means the correct one."""
    fixture, instance, tenant, _, _ = CASES[case]
    server = request.getfixturevalue(fixture)
    headers = dict(ACCEPT[accept][0])
    if signature is not None:
        headers["X-Instance-ID-Signature"] = WRONG_SIGNATURES[signature](
            instance)
    return server.get(path, instance=instance, tenant=tenant,
                      headers=headers)


def assert_error_page(status, headers, body, accept):
    _, bodies, content_type = ACCEPT[accept]
    assert headers["Content-Type"] == content_type, headers
    assert body == bodies[status], body


@pytest.mark.parametrize("accept", sorted(ACCEPT))
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_probe_server_correct_signature(request, case, path, accept):
    want = CASES[case][3]
    status, headers, body = probe(request, case, path, None, accept)
    assert status == want, (status, body)
    if want != 200:
        assert_error_page(status, headers, body, accept)


@pytest.mark.parametrize("signature", sorted(WRONG_SIGNATURES))
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_probe_server_wrong_signature(request, case, path, signature):
    want = CASES[case][4]
    status, headers, body = probe(request, case, path, signature,
                                  "no-accept")
    assert status == want, (status, body)
    assert_error_page(status, headers, body, "no-accept")


@pytest.mark.parametrize("instance,tenant", [(None, None), (UUID, None),
                                             (None, PROJECT)],
                         ids=["no-headers", "instance-only", "tenant-only"])
def test_probe_server_no_proxy_ignores_the_headers(nova_no_proxy, instance,
                                                   tenant):
    """With the proxy mode off, even requests the proxy mode answers with
    400 (a signed header missing) get the same 404."""
    status, headers, body = nova_no_proxy.get("/latest/meta-data/",
                                              instance=instance,
                                              tenant=tenant)
    assert status == 404, (status, body)
    assert_error_page(status, headers, body, "no-accept")
