#!/usr/bin/python3
"""Serve neutron's real metadata agent handler on a UNIX socket.

Run it with /usr/bin/python3 (Debian's python3-neutron imports only
there): 21.0.0 Zed on Debian 12, 26.0.3 Epoxy on Debian 13. What differs
between them is in tests/nova/release.py; here, how each release's
entry points start the agents (start_agent).

What runs is neutron's own code, configured the way its entry points
configure it:
  * --mode ml2: neutron.agent.metadata.agent.UnixDomainMetadataProxy and
    its MetadataProxyHandler (neutron-metadata-agent, ML2/OVS), option
    groups registered as neutron.agent.metadata_agent.main does;
  * --mode ovn: neutron.agent.ovn.metadata.server.UnixDomainMetadataProxy
    and its MetadataProxyHandler (neutron-ovn-metadata-agent), option
    groups registered as neutron.agent.ovn.metadata_agent.main does.
Both forward to Nova (nova_metadata_host/port/protocol) with their own
copy of metadata_proxy_shared_secret, through `requests`, unchanged.

Replaced, and only that: where the agent asks which port owns the
caller's IP.  No neutron-server and no OVN southbound database run in
the tests, so the answer comes from a table of ports (--ports, JSON):
  * ML2/OVS: the RPC client MetadataPluginAPI (its get_ports is answered
    by neutron-server over AMQP) becomes TablePluginAPI, which applies
    the same filters the handler builds (_get_port_filters) to the table;
  * OVN: the southbound IDL class MetadataAgentOvnSbIdl (whose
    get_network_port_bindings_by_ip reads Port_Binding rows) becomes
    TableSbIdl, which returns rows shaped like Port_Binding from the table.
State reporting (another RPC to neutron-server) is off: report_interval 0
and UnixDomainMetadataProxy._init_state_reporting is not called.

Zed's agents are eventlet WSGI apps (neutron/cmd/eventlet/agents), served
by neutron's UnixDomainWSGIServer. Epoxy's are socketserver handlers in
a ThreadingUnixStreamServer, one request per connection, and its entry
points (neutron/cmd/agents) no longer monkey-patch.

The table: a JSON list of neutron ports,
    {"id", "device_id", "device_owner", "tenant_id", "network_id",
     "mac_address", "fixed_ips": [{"ip_address": ...}]}
A router is a port with device_owner network:router_interface whose
device_id is the router id, on the network it serves.

Lines on stdout, in this order, each flushed:
    CONTROL <port>  control API on loopback: GET /info, POST /set with a
                    JSON object of nova_metadata_host, nova_metadata_port,
                    metadata_proxy_shared_secret, ports (the table)
    SOCKET <path>   the agent listens on its UNIX socket (the "ready" line)
SIGTERM or SIGINT stops it and removes the socket.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "nova"))
import release  # noqa: E402  (imports nothing eventlet would patch)

# Zed's agents monkey-patch with eventlet before anything else is imported
# (neutron/cmd/eventlet/__init__.py); Epoxy's do not (neutron/cmd/agents).
if not release.IS_EPOXY:
    from neutron.common import eventlet_utils
    eventlet_utils.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socketserver  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import wsgiref.simple_server  # noqa: E402

from oslo_config import cfg  # noqa: E402

from child_io import emit, json_reply  # noqa: E402

# What the control API may change at run time, as [DEFAULT] options.
SETTABLE = ("nova_metadata_host", "nova_metadata_port",
            "metadata_proxy_shared_secret")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=("ml2", "ovn"), required=True)
    p.add_argument("--socket", required=True,
                   help="metadata_proxy_socket (its directory must exist)")
    p.add_argument("--nova-host", default="127.0.0.1")
    p.add_argument("--nova-port", type=int, required=True)
    p.add_argument("--secret", required=True,
                   help="the agent's metadata_proxy_shared_secret")
    p.add_argument("--ports", required=True, help="the port table, JSON")
    p.add_argument("--socket-mode", default="deduce",
                   choices=("deduce", "user", "group", "all"),
                   help="metadata_proxy_socket_mode (0644, 0664, 0666)")
    p.add_argument("--umask", type=lambda v: int(v, 8), default=None,
                   help="the agent's umask (octal), from which Epoxy "
                   "creates the socket")
    p.add_argument("--log-file", default=None,
                   help="the agent's log (default: none; - = stderr)")
    p.add_argument("--lifetime", type=float, default=0,
                   help="exit by itself after SECONDS (0 = until killed)")
    return p.parse_args(argv)


class Table:
    """The port table both lookups read; the control API replaces it."""

    def __init__(self, ports):
        self.ports = list(ports)


TABLE = Table([])


def _ips(port):
    return [f["ip_address"] for f in port.get("fixed_ips", [])]


class TablePluginAPI:
    """Stands in for neutron.agent.metadata.agent.MetadataPluginAPI.

    The handler calls get_ports(context, filters) with the filters of its
    _get_port_filters: device_id + device_owner (a router's interfaces),
    network_id, and fixed_ips {'ip_address': [...]} or mac_address.  The
    table is filtered as neutron-server's get_ports would.  An unknown
    filter raises, so nothing passes silently.
    """

    def __init__(self, topic):
        self.topic = topic

    @staticmethod
    def _match(port, key, wanted):
        if key == "fixed_ips":
            return bool(set(_ips(port)) & set(wanted["ip_address"]))
        if key in ("device_id", "device_owner", "network_id",
                   "mac_address"):
            return port.get(key) in wanted
        raise NotImplementedError("TablePluginAPI: filter %r" % key)

    def get_ports(self, context, filters):
        return [dict(p) for p in TABLE.ports
                if all(self._match(p, k, v) for k, v in filters.items())]


class _Row:
    """A Port_Binding row as the OVN handler reads it."""

    def __init__(self, port):
        self.uuid = port["id"]
        self.mac = ["%s %s" % (port.get("mac_address", ""),
                               " ".join(_ips(port)))]
        self.external_ids = {"neutron:device_id": port["device_id"],
                             "neutron:project_id": port["tenant_id"]}


class TableSbIdl:
    """Stands in for neutron.agent.ovn.metadata.ovsdb.MetadataAgentOvnSbIdl:
    the handler only calls get_network_port_bindings_by_ip(network, ip)."""

    def __init__(self, chassis=None, tables=None, events=None):
        self.chassis = chassis

    def start(self):
        return self

    @staticmethod
    def get_network_port_bindings_by_ip(network, ip_address, mac=None):
        """Epoxy also passes the MAC of an IPv6 link-local caller, which
        matches instead of the IP (as its impl_idl_ovn does)."""
        return [_Row(p) for p in TABLE.ports
                if p.get("network_id") == network and (
                    ip_address in _ips(p) or
                    (mac is not None and p.get("mac_address") == mac))]


def register_opts(mode):
    """The option groups, as each agent's main() registers them."""
    from neutron.common import config
    from neutron.conf.agent.metadata import config as meta
    config.register_common_config_options()
    if mode == "ml2":
        from neutron.common import cache_utils as cache
        from neutron.conf.agent import common as agent_conf
        from neutron.conf import service as service_conf
        for opts in (meta.SHARED_OPTS, meta.UNIX_DOMAIN_METADATA_PROXY_OPTS,
                     meta.METADATA_PROXY_HANDLER_OPTS):
            meta.register_meta_conf_opts(opts)
        cache.register_oslo_configs(cfg.CONF)
        agent_conf.register_agent_state_opts_helper(cfg.CONF)
        service_conf.register_service_opts(service_conf.RPC_EXTRA_OPTS,
                                           cfg.CONF)
    else:
        from neutron.conf.agent.ovn.metadata import config as ovn_meta
        from neutron.conf.plugins.ml2.drivers.ovn import ovn_conf
        ovn_conf.register_opts()
        for opts in (meta.SHARED_OPTS, meta.UNIX_DOMAIN_METADATA_PROXY_OPTS,
                     meta.METADATA_PROXY_HANDLER_OPTS):
            ovn_meta.register_meta_conf_opts(opts)
        ovn_meta.register_meta_conf_opts(ovn_meta.OVS_OPTS, group="ovs")


def configure(args):
    from neutron.common import config
    register_opts(args.mode)
    argv = []
    if args.log_file and args.log_file != "-":
        argv = ["--log-file", args.log_file]
    config.init(argv)
    for name, value in (
            ("metadata_proxy_socket", args.socket),
            ("metadata_proxy_socket_mode", args.socket_mode),
            ("nova_metadata_host", args.nova_host),
            ("nova_metadata_port", args.nova_port),
            ("nova_metadata_protocol", "http"),
            ("metadata_proxy_shared_secret", args.secret),
            # in this process: the control API's changes reach the handler
            ("metadata_workers", 0),
            ("debug", True)):
        cfg.CONF.set_override(name, value)
    if args.mode == "ml2":
        cfg.CONF.set_override("report_interval", 0, group="AGENT")
    if args.log_file:
        config.setup_logging()


class _SocketServerAgent:
    """Epoxy: the agent's socketserver, as its run() makes it, served
    from a thread of its own (run() would block in serve_forever)."""

    def __init__(self, handler, path):
        self.server = socketserver.ThreadingUnixStreamServer(path, handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start_agent(mode):
    """The agent's own proxy class, its lookup swapped for the table."""
    if release.IS_EPOXY:
        return _start_epoxy_agent(mode)
    if mode == "ml2":
        from neutron.agent.metadata import agent
        agent.MetadataPluginAPI = TablePluginAPI
        proxy = agent.UnixDomainMetadataProxy(cfg.CONF)
        # run() minus _init_state_reporting() and its blocking wait()
        server = agent.agent_utils.UnixDomainWSGIServer("neutron-metadata")
        server.start(agent.MetadataProxyHandler(cfg.CONF),
                     cfg.CONF.metadata_proxy_socket, workers=0,
                     backlog=cfg.CONF.metadata_backlog,
                     mode=proxy._get_socket_mode())
        return server
    from neutron.agent.ovn.metadata import ovsdb
    from neutron.agent.ovn.metadata import server as ovn_server
    from neutron_lib.callbacks import events, registry, resources
    ovsdb.MetadataAgentOvnSbIdl = TableSbIdl
    proxy = ovn_server.UnixDomainMetadataProxy(cfg.CONF, "nm-test-chassis")
    proxy.run()
    # A worker publishes this when it starts (neutron_lib.worker); with
    # metadata_workers = 0 nobody does, and the handler's sb_idl waits.
    registry.publish(resources.PROCESS, events.AFTER_INIT, proxy)
    return proxy.server


def _start_epoxy_agent(mode):
    """Epoxy: UnixDomainMetadataProxy.run() minus _init_state_reporting()
    and its blocking serve_forever(); the socket is created from the
    umask, metadata_proxy_socket_mode is not read."""
    if mode == "ml2":
        from neutron.agent.metadata import agent
        agent.MetadataPluginAPI = TablePluginAPI
        agent.UnixDomainMetadataProxy(cfg.CONF)
        agent.MetadataProxyHandler._conf = cfg.CONF
        return _SocketServerAgent(agent.MetadataProxyHandler,
                                  cfg.CONF.metadata_proxy_socket)
    from neutron.agent.ovn.metadata import server_socket
    server_socket.UnixDomainMetadataProxy(cfg.CONF, "nm-test-chassis")
    handler = server_socket.MetadataProxyHandler
    handler._conf = cfg.CONF
    handler._chassis = "nm-test-chassis"
    handler._sb_idl = TableSbIdl()
    return _SocketServerAgent(handler, cfg.CONF.metadata_proxy_socket)


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


def start_control():
    """The control API on a loopback port, in a thread of its own."""
    httpd = wsgiref.simple_server.make_server(
        "127.0.0.1", 0, control_app(), handler_class=_QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def control_app():
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        status = "200 OK"
        try:
            if method == "POST" and path == "/set":
                n = int(environ.get("CONTENT_LENGTH") or 0)
                change = json.loads(environ["wsgi.input"].read(n))
                if "ports" in change:
                    TABLE.ports = list(change.pop("ports"))
                for name, value in change.items():
                    if name not in SETTABLE:
                        raise KeyError("not settable: %s" % name)
                    cfg.CONF.set_override(name, value)
            elif not (method == "GET" and path == "/info"):
                raise LookupError("unknown control request")
            body = {"ports": TABLE.ports,
                    **{k: cfg.CONF[k] for k in SETTABLE}}
        except Exception as e:  # report it to the caller, keep serving
            body = {"error": "%s: %s" % (type(e).__name__, e)}
            status = "400 Bad Request"
        return json_reply(start_response, status, body)
    return app


def main(argv):
    args = parse_args(argv)
    with open(args.ports, encoding="utf-8") as f:
        TABLE.ports = json.load(f)
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    configure(args)
    if args.umask is not None:
        os.umask(args.umask)
    ctl = start_control()
    server = start_agent(args.mode)
    emit("CONTROL %d" % ctl.server_port)
    emit("SOCKET %s" % cfg.CONF.metadata_proxy_socket)
    end = time.monotonic() + args.lifetime if args.lifetime > 0 else None
    try:
        while not stop["now"] and (end is None or time.monotonic() < end):
            time.sleep(0.1)
    finally:
        server.stop()
        ctl.shutdown()
        ctl.server_close()
        if os.path.exists(args.socket):
            os.unlink(args.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
