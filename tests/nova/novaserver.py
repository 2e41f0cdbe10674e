#!/usr/bin/python3
"""Serve Nova's real metadata API on loopback, backed by throwaway sqlite.

Run it with /usr/bin/python3 (Debian's python3-nova imports only there).

What runs is Nova's own code: nova.api.metadata.handler's
MetadataRequestHandler served by Nova's eventlet WSGI server class (the
one nova-api-metadata uses: release.py names it per release), nova.conf parsed by nova.config, both schemas
created by nova.db.migration.db_sync, and the canary instance created
through nova.objects.  The single replacement is Neutron: Nova's Neutron
client answers from an in-memory table with the canary's port (see
FakeNeutron).  Dynamic vendordata (--vendordata-target) replaces nothing:
Nova's own DynamicJSON provider calls the targets through keystoneauth
(see vendordata_conf).

Lines on stdout, in this order, each flushed:
    INFO {json}     what a client needs: uuid, project, EC2 id, hostname...
    CONTROL <port>  control API: POST /delete, /break-db, /repair-db; GET /info
    PORT <port>     the metadata API is listening (the "ready" line)
SIGTERM or SIGINT stops it and removes its work dir (unless --keep).
"""

# Nova's services monkey-patch with eventlet before anything else is
# imported (nova/cmd/__init__.py); Nova's WSGI server relies on it.
import nova.monkey_patch  # noqa: F401  pylint: disable=unused-import

import argparse
import ipaddress
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import urllib.parse
import uuid as uuidlib

import eventlet
import eventlet.wsgi

from child_io import emit, json_reply
import release

DEFAULT_UUID = "32d0524b-314d-4594-b3a3-607e3f2354f8"
DEFAULT_PROJECT = "6f70656e737461636b20697320636f6f"
DEFAULT_USER = "0b3a5b1c2d3e4f5061728394a5b6c7d8"
DEFAULT_SECRET = "deadbeef2eb84d8d"
# A documentation address (RFC 5737): it is only data served to the
# client, nothing ever connects to it.
DEFAULT_FIXED_IP = "192.0.2.10"
OTHER_FIXED_IP = "192.0.2.11"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1",
                   help="listen address; loopback only (default %(default)s)")
    p.add_argument("--port", type=int, default=0,
                   help="metadata API port, 0 picks a free one")
    p.add_argument("--control-port", type=int, default=0,
                   help="control API port, 0 picks a free one")
    sec = p.add_mutually_exclusive_group()
    sec.add_argument("--secret", default=None,
                     help="metadata_proxy_shared_secret (default %s)"
                     % DEFAULT_SECRET)
    sec.add_argument("--secret-file",
                     help="read metadata_proxy_shared_secret from FILE's "
                     "first line")
    p.add_argument("--instance-uuid", default=DEFAULT_UUID)
    p.add_argument("--project-id", default=DEFAULT_PROJECT)
    p.add_argument("--user-id", default=DEFAULT_USER)
    p.add_argument("--hostname", default=None,
                   help="instance hostname (default canary-<uuid prefix>)")
    p.add_argument("--fixed-ip", default=DEFAULT_FIXED_IP,
                   help="fixed IPv4 in the canary's network info cache")
    p.add_argument("--other-instance", metavar="UUID", default=None,
                   help="also create this instance (fixed IP %s), "
                   "for a metadata agent answering for the wrong one"
                   % OTHER_FIXED_IP)
    p.add_argument("--other-project", default=DEFAULT_PROJECT,
                   help="the other instance's project")
    p.add_argument("--service-metadata-proxy", default="true",
                   choices=["true", "false"],
                   help="[neutron] service_metadata_proxy")
    p.add_argument("--ssl-cert", help="serve HTTPS with this certificate "
                   "([wsgi] ssl_cert_file, enabled_ssl_apis = metadata)")
    p.add_argument("--ssl-key", help="its private key ([wsgi] ssl_key_file)")
    p.add_argument("--ssl-ca", help="require client certificates issued "
                   "by this CA ([wsgi] ssl_ca_file)")
    p.add_argument("--user-data", default=None,
                   help="the canary's user data, base64 as Nova stores it "
                   "(default: none, which Nova answers with 404)")
    p.add_argument("--deleted", action="store_true",
                   help="delete the canary (through Nova) before serving")
    p.add_argument("--broken-db", action="store_true",
                   help="take the cell database away before serving, so "
                   "Nova's instance lookup fails")
    p.add_argument("--workdir", default=None,
                   help="where nova.conf and the sqlite files go "
                   "(default: a new temp dir, removed at exit)")
    p.add_argument("--keep", action="store_true",
                   help="keep the work dir at exit")
    p.add_argument("--shared-db", metavar="WORKDIR", default=None,
                   help="serve the databases of the novaserver.py whose "
                   "work dir is WORKDIR (its INFO line's workdir) instead "
                   "of new ones: a second nova-api-metadata on one "
                   "database, which may be given another secret")
    vd = p.add_argument_group("dynamic vendordata ([api], "
                              "[vendordata_dynamic_auth])")
    vd.add_argument("--vendordata-target", action="append", default=[],
                    metavar="NAME@URL",
                    help="a vendordata_dynamic_targets entry (repeatable; "
                    "URL on loopback); vendordata_providers then is "
                    "StaticJSON,DynamicJSON")
    vd.add_argument("--vendordata-connect-timeout", type=int, default=None,
                    help="vendordata_dynamic_connect_timeout (Nova: 5, "
                    "at least 3)")
    vd.add_argument("--vendordata-read-timeout", type=int, default=None,
                    help="vendordata_dynamic_read_timeout (Nova: 5)")
    vd.add_argument("--vendordata-failure-fatal", action="store_true",
                    help="vendordata_dynamic_failure_fatal = True")
    vd.add_argument("--vendordata-token", default=None,
                    help="the service token Nova sends to the targets "
                    "(X-Auth-Token); default: none, as Nova does without "
                    "[vendordata_dynamic_auth]")
    p.add_argument("--log-file", default=None,
                   help="Nova's log (default WORKDIR/nova.log; - = stderr)")
    p.add_argument("--debug", action="store_true", help="Nova debug logging")
    p.add_argument("--lifetime", type=float, default=0,
                   help="exit by itself after SECONDS (0 = serve until "
                   "killed); a safety net for test runs")
    args = p.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error("--host must be a loopback address")
    uuidlib.UUID(args.instance_uuid)
    if args.other_instance:
        uuidlib.UUID(args.other_instance)
        if args.shared_db:
            p.error("--other-instance goes where the database is made, "
                    "not with --shared-db")
    if bool(args.ssl_cert) != bool(args.ssl_key):
        p.error("--ssl-cert and --ssl-key go together")
    if args.ssl_ca and not args.ssl_cert:
        p.error("--ssl-ca needs --ssl-cert and --ssl-key")
    for name in ("ssl_cert", "ssl_key", "ssl_ca"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as f:
            args.secret = f.readline().rstrip("\r\n")
    elif args.secret is None:
        args.secret = DEFAULT_SECRET
    if args.hostname is None:
        args.hostname = "canary-" + args.instance_uuid[:8]
    _check_vendordata_args(p, args)
    if args.shared_db:
        args.shared_db = os.path.abspath(args.shared_db)
        if args.deleted or args.broken_db:
            p.error("--shared-db serves another server's canary as it is; "
                    "change it through that server's control port")
    return args


def _check_vendordata_args(p, args):
    """Targets named and on loopback: the tests talk to nothing else."""
    for target in args.vendordata_target:
        name, at, url = target.partition("@")
        host = urllib.parse.urlsplit(url).hostname if at else None
        try:
            loopback = host is not None and (
                host == "localhost" or ipaddress.ip_address(host).is_loopback)
        except ValueError:
            loopback = False
        if not name or not loopback:
            p.error("--vendordata-target %r: want NAME@URL with a loopback "
                    "URL" % target)
    knobs = (args.vendordata_connect_timeout, args.vendordata_read_timeout,
             args.vendordata_failure_fatal, args.vendordata_token)
    if not args.vendordata_target and any(k not in (None, False)
                                          for k in knobs):
        p.error("the --vendordata-* options need --vendordata-target")


def vendordata_conf(args):
    """([api] lines, [vendordata_dynamic_auth] section) for DynamicJSON.

    Nothing of Nova's is replaced for dynamic vendordata.  Nova builds its
    keystoneauth session from [vendordata_dynamic_auth]
    (vendordata_dynamic._load_ks_session): with no auth_type there is no
    auth plugin, Nova logs "Passing insecure dynamic vendordata requests"
    and POSTs without a token, which works offline.  With --vendordata-token
    the group names keystoneauth's own `admin_token` plugin, a fixed token
    and an endpoint that is never contacted (the targets' URLs are
    absolute), so Nova sends X-Auth-Token as with a real service user,
    without a Keystone to fetch it from.
    """
    if not args.vendordata_target:
        return "", ""
    api = ("vendordata_providers = StaticJSON,DynamicJSON\n"
           "vendordata_dynamic_targets = %s\n"
           % ",".join(args.vendordata_target))
    if args.vendordata_connect_timeout is not None:
        api += ("vendordata_dynamic_connect_timeout = %d\n"
                % args.vendordata_connect_timeout)
    if args.vendordata_read_timeout is not None:
        api += ("vendordata_dynamic_read_timeout = %d\n"
                % args.vendordata_read_timeout)
    api += ("vendordata_dynamic_failure_fatal = %s\n"
            % args.vendordata_failure_fatal)
    auth = ""
    if args.vendordata_token:
        auth = ("\n[vendordata_dynamic_auth]\nauth_type = admin_token\n"
                "endpoint = http://127.0.0.1:9/unused\ntoken = %s\n"
                % args.vendordata_token)
    return api, auth


def write_nova_conf(args, workdir):
    dbdir = args.shared_db or workdir
    log_file = args.log_file or os.path.join(workdir, "nova.log")
    log_line = "" if log_file == "-" else "log_file = %s\n" % log_file
    ssl = ""
    if args.ssl_cert:
        ssl = "enabled_ssl_apis = metadata\n"
        ssl_wsgi = "ssl_cert_file = %s\nssl_key_file = %s\n" % (
            args.ssl_cert, args.ssl_key)
        if args.ssl_ca:
            ssl_wsgi += "ssl_ca_file = %s\n" % args.ssl_ca
    else:
        ssl_wsgi = ""
    vendordata_api, vendordata_auth = vendordata_conf(args)
    conf = f"""\
[DEFAULT]
transport_url = fake://
state_path = {workdir}
host = novaserver-test
my_ip = 127.0.0.1
debug = {args.debug}
use_stderr = {log_file == "-"}
{log_line}{ssl}
[database]
connection = sqlite:///{dbdir}/nova.sqlite

[api_database]
connection = sqlite:///{dbdir}/nova_api.sqlite

[api]
local_metadata_per_cell = True
# Nova caches metadata per instance in-process (15 s by default); the
# tests change the canary at run time and must see it at once.
metadata_cache_expiration = 0
{vendordata_api}
[neutron]
service_metadata_proxy = {args.service_metadata_proxy == "true"}
metadata_proxy_shared_secret = {args.secret}

[oslo_concurrency]
lock_path = {workdir}/locks

[wsgi]
keep_alive = True
{ssl_wsgi}{vendordata_auth}"""
    path = os.path.join(workdir, "nova.conf")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(conf)
    return path


class FakeNeutron:
    """Neutron's answers, from an in-memory table holding the canary's port.

    This is the one piece of Nova's world replaced here: no Neutron runs in
    the tests.  Nova's metadata code asks Neutron two things:
      * the instance's security groups (InstanceMetadata.__init__ via
        nova.network.security_group_api: list_ports(device_id=[uuid]),
        then list_security_groups(id=[...]));
      * with service_metadata_proxy off, which instance owns the caller's
        IP (neutron.API.get_fixed_ip_by_address:
        list_ports(fixed_ips='ip_address=X')) -- no port matches a
        monitoring host, so Nova answers 404 as it would in a cloud.
    Nova's own code around these calls runs unchanged.  Any other request
    raises, so nothing passes silently.
    """

    SG_ID = "5e1f0c4d-9a8b-4c7d-8e6f-5a4b3c2d1e0f"

    def __init__(self):
        self.ports = []
        self.security_groups = [{"id": self.SG_ID, "name": "default"}]

    def add_port(self, instance_uuid, project_id, network_info):
        for vif in network_info:
            self.ports.append({
                "id": vif["id"], "device_id": instance_uuid,
                "device_owner": "compute:nova", "tenant_id": project_id,
                "project_id": project_id, "mac_address": vif["address"],
                "network_id": vif["network"]["id"],
                "fixed_ips": [{"ip_address": ip["address"]}
                              for ip in vif.fixed_ips()],
                "security_groups": [self.SG_ID]})

    def remove_ports(self, instance_uuid):
        self.ports = [p for p in self.ports
                      if p["device_id"] != instance_uuid]

    @staticmethod
    def _as_list(value):
        return value if isinstance(value, (list, tuple)) else [value]

    def _port_matches(self, port, key, wanted):
        if key == "fixed_ips":
            ips = {"ip_address=" + f["ip_address"] for f in port[key]}
            return bool(ips & set(self._as_list(wanted)))
        if key in ("device_id", "network_id", "tenant_id", "project_id"):
            return port[key] in self._as_list(wanted)
        raise NotImplementedError("FakeNeutron: list_ports filter %r" % key)

    def list_ports(self, **opts):
        opts.pop("fields", None)
        return {"ports": [dict(p) for p in self.ports
                          if all(self._port_matches(p, k, v)
                                 for k, v in opts.items())]}

    def list_security_groups(self, **opts):
        opts.pop("fields", None)
        ids = set(self._as_list(opts.pop("id", [])))
        if opts:
            raise NotImplementedError("FakeNeutron: security group filter "
                                      "%r" % sorted(opts))
        return {"security_groups": [dict(g) for g in self.security_groups
                                    if g["id"] in ids]}


FAKE_NEUTRON = FakeNeutron()


def _replace_neutron_client():
    """Nova builds its Neutron client in nova.network.neutron.get_client,
    looked up on the module at each call (by neutron.API and by
    security_group_api alike); replacing that one attribute is enough."""
    from nova.network import neutron

    def get_client(context, admin=False):
        return FAKE_NEUTRON

    neutron.get_client = get_client


def nova_setup(conf_path):
    from nova import config
    from nova import objects
    import nova.conf
    from oslo_log import log as logging

    conf = nova.conf.CONF
    config.parse_args(["novaserver", "--config-file", conf_path])
    logging.setup(conf, "nova")
    objects.register_all()
    # nova-api-metadata reaches the database through the conductor
    # (NovaObject.indirection_api); with fake:// there is no conductor, so
    # Nova's objects use the database directly, as in Nova's functional
    # tests.  The metadata handler code path is the same.
    _replace_neutron_client()
    _check_vendordata_conf(conf)
    return conf


def _check_vendordata_conf(conf):
    """Read the dynamic vendordata options once, at start: a value Nova
    refuses (a connect timeout under 3) then stops this script here instead
    of failing the first vendor_data2.json request with a 500.  And no
    proxy from the environment may carry Nova's calls to the loopback
    targets elsewhere (keystoneauth uses requests, which honours them)."""
    if not conf.api.vendordata_dynamic_targets:
        return
    for opt in ("vendordata_providers", "vendordata_dynamic_connect_timeout",
                "vendordata_dynamic_read_timeout",
                "vendordata_dynamic_failure_fatal"):
        getattr(conf.api, opt)
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY",
                "HTTPS_PROXY", "ALL_PROXY"):
        os.environ.pop(var, None)


def db_sync():
    from nova.db import migration
    migration.db_sync(database="api")
    migration.db_sync(database="main")


def _network_info(fixed_ip, vif_id="7d2e8f4a-1b3c-4d5e-9f60-718293a4b5c6",
                  mac="fa:16:3e:00:00:01"):
    from nova.network import model
    net = ipaddress.ip_network(fixed_ip + "/24", strict=False)
    gateway = str(next(net.hosts()))
    subnet = model.Subnet(
        cidr=str(net), gateway=model.IP(address=gateway, type="gateway"),
        ips=[model.FixedIP(address=fixed_ip)], dns=[], routes=[],
        version=4)
    network = model.Network(id="3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01",
                            bridge="br-int", label="canary-net",
                            subnets=[subnet])
    vif = model.VIF(id=vif_id, address=mac, network=network,
                    type="ovs", devname="tap7d2e8f4a-1b")
    return model.NetworkInfo([vif])


def create_canary(args):
    """Create the flavor and the canary instance through Nova's objects."""
    from nova import context
    from nova import objects

    ctxt = context.get_admin_context()
    flavor = objects.Flavor(
        context=ctxt, name="m1.canary", memory_mb=64, vcpus=1, root_gb=1,
        ephemeral_gb=0, swap=0, flavorid="canary", rxtx_factor=1.0,
        vcpu_weight=0, disabled=False, is_public=True, extra_specs={},
        description=None)
    flavor.create()
    return _create_instance(ctxt, flavor, args.instance_uuid,
                            args.project_id, args.user_id, args.hostname,
                            _network_info(args.fixed_ip),
                            user_data=args.user_data)


def _create_instance(ctxt, flavor, uuid, project_id, user_id, hostname,
                     network_info, user_data=None):
    from nova import objects

    inst = objects.Instance(
        context=ctxt, uuid=uuid, project_id=project_id,
        user_id=user_id, hostname=hostname,
        display_name=hostname, reservation_id="r-canary00",
        launch_index=0, image_ref="", kernel_id="", ramdisk_id="",
        root_device_name=None, availability_zone="nova",
        vm_state="active", power_state=1, task_state=None,
        instance_type_id=flavor.id, memory_mb=flavor.memory_mb,
        vcpus=flavor.vcpus, root_gb=flavor.root_gb,
        ephemeral_gb=flavor.ephemeral_gb, flavor=flavor, old_flavor=None,
        new_flavor=None, metadata={}, system_metadata={}, key_name=None,
        user_data=user_data, config_drive="", **release.nova_instance_fields())
    inst.info_cache = objects.InstanceInfoCache(
        instance_uuid=uuid, network_info=network_info)
    inst.create()
    FAKE_NEUTRON.add_port(inst.uuid, inst.project_id,
                          inst.info_cache.network_info)
    return inst


def create_other_instance(args):
    """A second instance beside the canary (--other-instance): what an
    agent whose port lookup went wrong answers for instead."""
    from nova import context
    from nova import objects

    ctxt = context.get_admin_context()
    flavor = objects.Flavor.get_by_flavor_id(ctxt, "canary")
    return _create_instance(
        ctxt, flavor, args.other_instance, args.other_project,
        args.user_id, "other-" + args.other_instance[:8],
        _network_info(OTHER_FIXED_IP,
                      vif_id="8e3f905b-2c4d-4e6f-a071-8293a4b5c6d7",
                      mac="fa:16:3e:00:00:02"))


def load_canary(args):
    """The canary another novaserver.py made in the shared database, its
    port registered with this process's FakeNeutron as that one did."""
    from nova import context
    from nova import objects

    ctxt = context.get_admin_context()
    inst = objects.Instance.get_by_uuid(ctxt, args.instance_uuid,
                                        expected_attrs=["info_cache"])
    FAKE_NEUTRON.add_port(inst.uuid, inst.project_id,
                          inst.info_cache.network_info)
    return inst


def canary_info(args, conf, inst):
    from nova import context
    from nova.objects import ec2 as ec2_obj

    ctxt = context.get_admin_context()
    mapping = ec2_obj.EC2InstanceMapping.get_by_uuid(ctxt, inst.uuid)
    served_hostname = inst.hostname
    if conf.api.dhcp_domain:
        served_hostname = "%s.%s" % (inst.hostname, conf.api.dhcp_domain)
    return {
        "uuid": inst.uuid,
        "project_id": inst.project_id,
        "user_id": inst.user_id,
        "instance_db_id": inst.id,
        "ec2_mapping_id": mapping.id,
        "ec2_instance_id": ec2_obj.id_to_ec2_id(mapping.id),
        "hostname": inst.hostname,
        "served_hostname": served_hostname,
        "fixed_ip": args.fixed_ip,
        "service_metadata_proxy": conf.neutron.service_metadata_proxy,
        "dhcp_domain": conf.api.dhcp_domain,
        "scheme": "https" if "metadata" in conf.enabled_ssl_apis else "http",
        "host": args.host,
        "shared_db": args.shared_db,
        "vendordata_targets": list(conf.api.vendordata_dynamic_targets),
    }


class Canary:
    """State changes the tests ask for, done the way an operator would."""

    def __init__(self, args, conf, info):
        self.args = args
        self.info = info
        self.db_path = os.path.join(args.shared_db or conf.state_path,
                                    "nova.sqlite")
        self.db_aside = self.db_path + ".aside"
        self.state = {"deleted": False, "db_broken": False}

    def delete(self):
        from nova import context
        from nova import objects
        if self.state["deleted"]:
            return "already deleted"
        ctxt = context.get_admin_context()
        objects.Instance.get_by_uuid(ctxt, self.args.instance_uuid).destroy()
        # Deleting a server deletes its port in Neutron too.
        FAKE_NEUTRON.remove_ports(self.args.instance_uuid)
        self.state["deleted"] = True
        return "deleted"

    def break_db(self):
        """Take the cell database file away.

        sqlite then opens an empty database in its place, and Nova's
        instance lookup fails with "no such table" -- Nova answers 500.
        """
        if self.state["db_broken"]:
            return "already broken"
        os.rename(self.db_path, self.db_aside)
        self.state["db_broken"] = True
        return "broken"

    def repair_db(self):
        if not self.state["db_broken"]:
            return "not broken"
        if os.path.exists(self.db_path):
            os.unlink(self.db_path)
        os.rename(self.db_aside, self.db_path)
        self.state["db_broken"] = False
        return "repaired"


def control_app(canary):
    actions = {"/delete": canary.delete, "/break-db": canary.break_db,
               "/repair-db": canary.repair_db}

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if method == "GET" and path == "/info":
            body = dict(canary.info, **canary.state)
            status = "200 OK"
        elif method == "POST" and path in actions:
            try:
                body = {"result": actions[path]()}
                status = "200 OK"
            except Exception as e:  # report it to the caller, keep serving
                body = {"error": "%s: %s" % (type(e).__name__, e)}
                status = "500 Internal Server Error"
        else:
            body = {"error": "unknown control request"}
            status = "404 Not Found"
        return json_reply(start_response, status, body)
    return app


def serve(args, conf, canary):
    from nova.api.metadata import handler

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    ctl_sock = eventlet.listen((args.host, args.control_port), family)
    ctl = eventlet.spawn(eventlet.wsgi.server, ctl_sock,
                         control_app(canary), log_output=False)
    # Nova's own WSGI server class with Nova's own app, as
    # nova-api-metadata runs it (minus the paste pipeline's
    # cors/http_proxy_to_wsgi middleware, which does not touch these paths);
    # TLS as nova-api-metadata decides it, from enabled_ssl_apis.
    server_class = release.nova_wsgi_server()
    server = server_class("metadata", handler.MetadataRequestHandler(),
                          host=args.host, port=args.port,
                          use_ssl="metadata" in conf.enabled_ssl_apis)
    server.start()
    emit("CONTROL %d" % ctl_sock.getsockname()[1])
    emit("PORT %d" % server.port)
    end = time.monotonic() + args.lifetime if args.lifetime > 0 else None
    while not stop["now"] and (end is None or time.monotonic() < end):
        eventlet.sleep(0.1)
    server.stop()
    ctl.kill()
    ctl_sock.close()


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main(argv):
    # Until serve() takes over: a signal during the slow startup still
    # unwinds through the finally below and removes the work dir.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    args = parse_args(argv)
    t0 = time.monotonic()
    made_workdir = args.workdir is None
    workdir = args.workdir or tempfile.mkdtemp(prefix="novaserver-")
    workdir = os.path.abspath(workdir)
    try:
        os.makedirs(os.path.join(workdir, "locks"), exist_ok=True)
        conf = nova_setup(write_nova_conf(args, workdir))
        if args.shared_db:
            inst = load_canary(args)
        else:
            db_sync()
            inst = create_canary(args)
            if args.other_instance:
                create_other_instance(args)
        info = canary_info(args, conf, inst)
        canary = Canary(args, conf, info)
        if args.deleted:
            canary.delete()
        if args.broken_db:
            canary.break_db()
        info["startup_seconds"] = round(time.monotonic() - t0, 3)
        info["workdir"] = workdir
        emit("INFO " + json.dumps(info, sort_keys=True))
        serve(args, conf, canary)
    finally:
        if made_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
