"""What differs between the OpenStack releases the real-component suites
run against, in this one place, each difference named by its release:

  * 2022.2 Zed: Debian 12 (bookworm), python3-nova 26, python3-neutron 21,
    Python 3.11, eventlet 0.33, icinga2 2.13, libcurl 7.88, PHP 8.2,
    icingaweb2 2.11;
  * 2025.1 Epoxy: Debian 13 (trixie), python3-nova 31, python3-neutron 26,
    Python 3.13, eventlet 0.39, icinga2 2.14, libcurl 8.14, PHP 8.4,
    icingaweb2 2.12.

The release is read from the installed nova package's version, without
importing Nova (the pytest process need not import it, the fixtures'
child processes do). Nova, neutron, the fixtures and the tests ask this
module; nothing else tests a version. A release newer than Epoxy is
treated as Epoxy, one older than Zed as Zed.

Used by tests/nova, tests/agent, tests/chain, tests/monitoring and
tests/web (each puts tests/nova on sys.path).
"""

import importlib.metadata
import sys

ZED = "2022.2 Zed"
EPOXY = "2025.1 Epoxy"
# nova's major version per release (setup.cfg's version, Debian's
# python3-nova): 26.x is Zed, 31.x is Epoxy.
_NOVA_EPOXY_MAJOR = 31


def _nova_major():
    try:
        return int(importlib.metadata.version("nova").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


NOVA_MAJOR = _nova_major()
NAME = EPOXY if (NOVA_MAJOR or 0) >= _NOVA_EPOXY_MAJOR else ZED
IS_EPOXY = NAME == EPOXY


# ------------------------------------------------------------------ Nova --

def nova_wsgi_server():
    """The eventlet WSGI server class nova-api-metadata runs its app in.
    Zed: nova.wsgi.Server; Epoxy: nova.service.WSGIServer (nova.wsgi
    became a package of WSGI entry points)."""
    if IS_EPOXY:
        from nova.service import WSGIServer
        return WSGIServer
    from nova import wsgi
    return wsgi.Server


def nova_instance_fields():
    """Fields an Instance needs on create beyond Zed's. Epoxy: compute_id
    (Instance 2.8), the compute node's id, None for an instance that no
    compute node runs."""
    return {"compute_id": None} if IS_EPOXY else {}


# --------------------------------------------------------------- neutron --

# What the neutron metadata agent answers (tests/agent/README.md), per
# release, as tests/agent/test_agent_server.py pins it for requests
# without an Accept header.
#
# Zed: webob's plain-text pages of the agent's own for every failure;
# Nova's answers other than 200 are replaced by them, so Nova's
# explanation never comes through.
# Epoxy: socketserver handlers that pass Nova's answer through whatever
# its status (Nova's own HTML page: the agent asks Nova with requests'
# "Accept: */*"), and write pages of their own where the agent itself
# fails: HTML under "Content-Type: text/plain", with "Connection: close".

def _webob_text(status, title, sentence):
    return ("%d %s\n\n%s\n\n   " % (status, title, sentence)).encode()


def _webob_html(status, title, sentence):
    return ("<html>\n <head>\n  <title>%d %s</title>\n </head>\n <body>\n"
            "  <h1>%d %s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>"
            % (status, title, status, title, sentence)).encode()


def _epoxy_agent_page(status, title, sentence):
    """neutron.common.metadata's RESPONSE template (encode_http_reponse)."""
    return ("<html>\n <head>\n  <title>%d %s</title>\n </head>\n <body>\n"
            "  <h1>%d %s</h1>\n  %s<br /><br />\n\n\n </body>\n</html>"
            % (status, title, status, title, sentence)).encode()


ZED_UNKNOWN_ERROR = ("An unknown error has occurred. "
                     "Please try your request again.")
EPOXY_NOVA_UNAVAILABLE = ("The remote metadata server is temporarily "
                          "unavailable. Please try again later.")


def agent_answer(case, network=None, router=None):
    """(status, body) the agent answers in CASE:
      secret     the agent's secret differs from Nova's
      nova-down  nothing listens where the agent looks for Nova
      no-port    no single port for the IP on NETWORK (none, or two)
      both-ids   both a network and a router ID (ML2/OVS)
    """
    if not IS_EPOXY:
        return {
            "secret": (403, _webob_text(403, "Forbidden",
                                        "Access was denied to this "
                                        "resource.")),
            "nova-down": (500, _webob_text(500, "Internal Server Error",
                                           ZED_UNKNOWN_ERROR)),
            "no-port": (404, _webob_text(404, "Not Found",
                                         "The resource could not be "
                                         "found.")),
            "both-ids": (404, _webob_text(404, "Not Found",
                                          "The resource could not be "
                                          "found.")),
        }[case]
    if case == "secret":
        return 403, _webob_html(403, "Forbidden",
                                "Invalid proxy request signature.")
    if case == "nova-down":
        return 503, _epoxy_agent_page(503, "Service Unavailable",
                                      EPOXY_NOVA_UNAVAILABLE)
    if case == "no-port":
        return 404, _epoxy_agent_page(
            404, "Not Found", "Instance was not found on network %s."
            % network)
    if case == "both-ids":
        return 400, _epoxy_agent_page(
            400, "Bad Request", "Both network %s and router %s defined."
            % (network, router))
    raise KeyError(case)


# Nova stopped: Zed's agent answers 500, Epoxy's 503.
AGENT_NOVA_UNREACHABLE_STATUS = 503 if IS_EPOXY else 500


# Epoxy's socketserver creates the socket from the umask and ignores
# metadata_proxy_socket_mode; Zed's UnixDomainWSGIServer chmods it to the
# mode that option gives (deduce: 0644).
AGENT_SOCKET_MODE_FROM_UMASK = IS_EPOXY


def agent_socket_for_everyone():
    """agentserver.py options that let every user connect to the socket:
    Zed, metadata_proxy_socket_mode = all; Epoxy, which ignores it, the
    agent's umask 000 (what a systemd UMask= of the agent's unit sets)."""
    if AGENT_SOCKET_MODE_FROM_UMASK:
        return ["--umask", "000"]
    return ["--socket-mode", "all"]


def haproxy_rate_limiting(limit=None):
    """The rate_limiting_config argument neutron's HaproxyConfigurator
    takes since 2023.2 ([metadata_rate_limiting]), as keyword arguments
    for it: Zed has neither the argument nor the option group (None: the
    chain suite adds rules of its own). Epoxy: neutron's own group,
    enabled with LIMIT requests per source address when LIMIT is given."""
    if not IS_EPOXY:
        return None
    from oslo_config import cfg
    from neutron.conf.agent.metadata import config as meta
    conf = cfg.CONF
    if "metadata_rate_limiting" not in conf:
        meta.register_meta_conf_opts(meta.METADATA_RATE_LIMITING_OPTS,
                                     cfg=conf, group=meta.RATE_LIMITING_GROUP)
    group = conf.metadata_rate_limiting
    if limit is not None:
        conf.set_override("rate_limit_enabled", True,
                          group=meta.RATE_LIMITING_GROUP)
        conf.set_override("ip_versions", [4], group=meta.RATE_LIMITING_GROUP)
        conf.set_override("base_query_rate_limit", limit,
                          group=meta.RATE_LIMITING_GROUP)
        conf.set_override("burst_query_rate_limit", limit,
                          group=meta.RATE_LIMITING_GROUP)
    return group


# ------------------------------------------------------- Python, TLS, curl --

def relax_x509_strict(ctx):
    """Python 3.13 (Epoxy's Debian) sets VERIFY_X509_STRICT in
    create_default_context(), which rejects the CA certificates `icinga2
    pki new-ca` makes (no keyUsage extension). Icinga 2 itself accepts
    them; the test's client does as Python 3.11 (Zed's) did."""
    import ssl
    strict = getattr(ssl, "VERIFY_X509_STRICT", 0)
    if strict and ctx.verify_flags & strict:
        ctx.verify_flags &= ~strict
    return ctx


# `icinga2 daemon -C` (validate) also writes the objects cache that
# `icinga2 object list` reads: Zed's Debian (icinga2 2.13) always,
# Epoxy's (2.14) only with --dump-objects.
ICINGA2_VALIDATE = (["icinga2", "daemon", "-C"] +
                    (["--dump-objects"] if IS_EPOXY else []))


# libcurl's words for a refused connection: 7.88 (Zed's Debian) "Failed
# to connect to HOST port N after T ms: Couldn't connect to server",
# 8.14 (Epoxy's) "Failed to connect to HOST port N after T ms: Could not
# connect to server". Tests match either.
CURL_COULDNT_CONNECT = ("Couldn't connect to server",
                        "Could not connect to server")


def curl_refused(text):
    """True when TEXT holds libcurl's words for a refused connection."""
    return any(w in text for w in CURL_COULDNT_CONNECT)


# Nova's TLS with [wsgi] ssl_ca_file (client certificates required):
# Zed's eventlet (0.33) demands the client's certificate, so a client
# without one fails the handshake; Epoxy's (0.39) never asks for it, so
# such a client is served.
NOVA_TLS_DEMANDS_CLIENT_CERT = not IS_EPOXY


# Debian's mod_php (libapache2-mod-phpX.Y) for the web suite's Apache:
# Zed's Debian ships PHP 8.2, Epoxy's PHP 8.4. The module's file is named
# by the PHP version, so a LoadModule of the other release's file makes
# Apache refuse its configuration before it opens its error log.
APACHE_PHP_MODULE = ("/usr/lib/apache2/modules/libphp8.4.so" if IS_EPOXY
                     else "/usr/lib/apache2/modules/libphp8.2.so")



def icingaweb_detail_outputs(output, long_output):
    """The texts Icinga Web 2's service detail view shows as its
    .plugin-output elements (the monitoring module's
    show/components/output.phtml): Zed's Debian (icingaweb2 2.11) renders
    the first line and the long output as two; Epoxy's (2.12) renders one,
    the first line and the long output joined by a line break."""
    if IS_EPOXY:
        return [output + "\n" + long_output]
    return [output, long_output]


def describe():
    return "%s (nova %s, Python %d.%d)" % (
        NAME, NOVA_MAJOR, sys.version_info[0], sys.version_info[1])
