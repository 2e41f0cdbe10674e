"""Fixtures: what the operator sees. Debian's Icinga 2 writes its results
through the IDO into MariaDB, Icinga Web 2 (its monitoring module, on
Apache with mod_php) shows them, Nagios 4's CGIs on the same Apache show
a Nagios core's status of the same services, and headless Chromium
renders both pages, driven through chromedriver (python3-selenium).

Run with Debian's interpreter, from a configured build directory:
    BUILDDIR=. /usr/bin/python3 -m pytest tests/web

The installed contrib files, the monitoring user, the secret files and
Nova's own metadata handler come from tests/monitoring's fixtures (its
conftest.py loaded by path as a module of its own, which loads the Nova
suite's in turn); the Nagios core's configuration comes from
tests/monitoring/test_nagios.py, loaded the same way.

Every daemon runs in the foreground as the monitoring user (nagios when
run as root) with its data, configuration, logs and sockets in one
temporary directory, listens on a free loopback port, and is stopped and
reaped at the end; no system service is started or enabled, nothing under
/etc is written. Waits are bounded.
"""

import base64
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "nova"))

from nova_helpers import PROJECT, UUID, load_suite  # noqa: E402
import release  # noqa: E402

_mon = load_suite("monitoring")


def _load_monitoring_module(name):
    """tests/monitoring/NAME.py as a module of its own; its `from conftest
    import ...` is given the monitoring suite's conftest, not ours."""
    path = os.path.join(TESTS, "monitoring", name + ".py")
    spec = importlib.util.spec_from_file_location(
        "monitoring_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("conftest")
    sys.modules["conftest"] = _mon
    try:
        spec.loader.exec_module(mod)
    finally:
        if saved is None:
            del sys.modules["conftest"]
        else:
            sys.modules["conftest"] = saved
    return mod


_nagios_suite = _load_monitoring_module("test_nagios")

# The monitoring suite's fixtures, re-exported: pytest finds them by name.
account = _mon.account
workdir = _mon.workdir
installed = _mon.installed
monitoring_secret = _mon.monitoring_secret
nova_factory = _mon.nova_factory
nova = _mon.nova

Daemon = _mon.Daemon
clean_env = _mon.clean_env
free_port = _mon.free_port
wait_for = _mon.wait_for
tail = _mon.tail
START_TIMEOUT = _mon.START_TIMEOUT
parse_status = _nagios_suite.parse_status

# Which services, and what each must show. The same names on the Icinga 2
# host and the Nagios host ("nova-api", as tests/monitoring's Nagios
# objects name it). Nova's own handler produces every case, so the
# bundled simulator is not needed: the wrong secret is a 403 from Nova,
# the second backend is a refused port (127.0.0.1:1), and the WARNING is a
# threshold no real request can meet (-w 0.000001).
HOST = "nova-api"
SERVICES = {
    "nova-metadata": "OK",
    "nova-metadata-wrong-secret": "CRITICAL",
    "nova-metadata-one-backend-down": "CRITICAL",
    "nova-metadata-cloud-init": "OK",
    "nova-metadata-warning": "WARNING",
}
DOWN_BACKEND = "127.0.0.1:1"
# Icinga 2 only (Nagios' CGI has no use for it): the one backend down in
# --output-format=icingaweb2, to be rendered as the default's.
ICINGA_ONLY_SERVICES = {"nova-metadata-icingaweb2": "CRITICAL"}

WEB_USER, WEB_PASSWORD = "nm-operator", "nm-operator-web-password"
DB_PASSWORD = "nm-test-db-password"


@pytest.fixture(scope="session")
def nova_python():
    """The interpreter Nova imports under. Here a missing Nova fails the
    suite (the Nova suite skips instead): this suite must run in CI."""
    py = _mon._nova._nova_python()
    p = subprocess.run([py, "-c", "import nova.api.metadata.handler"],
                       capture_output=True, timeout=120, env=clean_env(),
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        pytest.fail("Nova is not importable with %s (install python3-nova): "
                    "%s" % (py, p.stderr.decode(errors="replace")[-500:]))
    return py


def _need(path, package):
    if not os.access(path, os.X_OK):
        pytest.fail("%s not found: install %s" % (path, package))
    return path


def _need_file(path, package):
    if not os.path.isfile(path):
        pytest.fail("%s not found: install %s" % (path, package))
    return path


def _own_tree(root, account):
    for dirpath, _, files in os.walk(root):
        account.own(dirpath)
        for name in files:
            account.own(os.path.join(dirpath, name))


def _accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class GroupStop:
    """A Daemon in a session (and process group) of its own, stopped as
    a whole. Apache in the foreground sends SIGTERM to its process group
    when it stops: in pytest's group that was every other daemon of the
    suite. And Icinga 2's worker, a child of the process we start, did
    not stop when only its parent was told to."""

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=clean_env(self.env),
                preexec_fn=self.account.preexec, start_new_session=True)
        return self

    def _signal_group(self, sig):
        """True when some process of the group was there to signal."""
        try:
            os.killpg(self.proc.pid, sig)
            return True
        except ProcessLookupError:
            return False

    def stop(self):
        if self.proc is None:
            return
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + _mon.STOP_TIMEOUT
        while time.monotonic() < deadline:
            self.proc.poll()      # reap the leader as soon as it exits
            if not self._signal_group(0):
                break
            time.sleep(0.1)
        else:
            self._signal_group(signal.SIGKILL)
        self.proc.wait(_mon.STOP_TIMEOUT)


class GroupDaemon(GroupStop, Daemon):
    pass


def results_dir():
    """Where the screenshots go: test-results/web (CI keeps test-results)."""
    d = os.path.join(os.environ.get("RESULTS_DIR") or "test-results", "web")
    os.makedirs(d, exist_ok=True)
    return d


# ----------------------------------------------------------- mariadb --

class MariaDB(GroupDaemon):
    def __init__(self, root, account):
        self.root = root
        self.port = free_port()
        self.socket = os.path.join(root, "mysqld.sock")
        self.datadir = os.path.join(root, "data")
        self.options = [
            "--no-defaults", "--datadir=" + self.datadir,
            "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M",
            "--skip-log-bin", "--tmpdir=" + os.path.join(root, "tmp")]
        argv = [_need("/usr/sbin/mariadbd", "mariadb-server")] \
            + self.options + [
            "--socket=" + self.socket, "--port=%d" % self.port,
            "--bind-address=127.0.0.1", "--skip-name-resolve",
            "--pid-file=" + os.path.join(root, "mariadbd.pid"),
            "--log-error=" + os.path.join(root, "error.log")]
        super().__init__("mariadbd", argv, os.path.join(root, "console.log"),
                         account)

    def install_db(self):
        p = subprocess.run(
            [_need("/usr/bin/mariadb-install-db", "mariadb-server")]
            + self.options + ["--auth-root-authentication-method=normal",
                              "--skip-test-db"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
            env=clean_env(), preexec_fn=self.account.preexec, cwd=self.root)
        assert p.returncode == 0, (p.stdout + p.stderr).decode(
            errors="replace")[-3000:]

    def sql(self, statements, database=None, stdin_path=None):
        argv = [_need("/usr/bin/mariadb", "mariadb-client"), "--no-defaults",
                "--socket=" + self.socket, "-u", "root", "--batch",
                "--skip-column-names"]
        if database:
            argv.append(database)
        if stdin_path is None:
            argv += ["-e", statements]
            stdin = subprocess.DEVNULL
        else:
            stdin = open(stdin_path, "rb")
        try:
            p = subprocess.run(argv, stdin=stdin, capture_output=True,
                               timeout=120, env=clean_env())
        finally:
            if stdin_path is not None:
                stdin.close()
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        return p.stdout.decode("utf-8", "replace")

    def ready(self):
        if not os.path.exists(self.socket):
            return False
        p = subprocess.run(["mariadb-admin", "--no-defaults",
                            "--socket=" + self.socket, "-u", "root", "ping"],
                           capture_output=True, timeout=20,
                           stdin=subprocess.DEVNULL, env=clean_env())
        return p.returncode == 0


DATABASES = """
CREATE DATABASE icinga;
CREATE DATABASE icingaweb;
CREATE USER 'icinga2'@'127.0.0.1' IDENTIFIED BY '{pw}';
GRANT ALL ON icinga.* TO 'icinga2'@'127.0.0.1';
CREATE USER 'icingaweb'@'127.0.0.1' IDENTIFIED BY '{pw}';
GRANT SELECT ON icinga.* TO 'icingaweb'@'127.0.0.1';
GRANT ALL ON icingaweb.* TO 'icingaweb'@'127.0.0.1';
"""


@pytest.fixture(scope="session")
def mariadb(workdir, account):
    """Debian's MariaDB on a loopback port and a socket of its own, with
    the IDO schema (icinga2-ido-mysql) and Icinga Web 2's own schema
    holding the operator's account."""
    root = os.path.join(workdir, "mariadb")
    for sub in ("data", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    _own_tree(root, account)
    db = MariaDB(root, account)
    db.install_db()
    db.start()
    try:
        wait_for("mariadbd on %s" % db.socket, db.ready, START_TIMEOUT,
                 interval=0.3, proc=db.proc,
                 log=os.path.join(root, "error.log"))
        db.sql(DATABASES.format(pw=DB_PASSWORD))
        db.sql(None, "icinga",
               "/usr/share/icinga2-ido-mysql/schema/mysql.sql")
        db.sql(None, "icingaweb",
               "/usr/share/icingaweb2/schema/mysql.schema.sql")
        # Icinga Web 2 checks passwords with PHP's password_verify, which
        # takes crypt(3)'s SHA-512 hashes.
        hashed = subprocess.run(
            ["openssl", "passwd", "-6", "-stdin"],
            input=WEB_PASSWORD.encode(), capture_output=True, check=True,
            timeout=20).stdout.decode().strip()
        db.sql("INSERT INTO icingaweb_user (name, active, password_hash) "
               "VALUES ('%s', 1, '%s');" % (WEB_USER, hashed), "icingaweb")
        yield db
    finally:
        db.stop()


# ------------------------------------------------------------ icinga2 --

ICINGA2_CONF = """// Private configuration of the browser suite.
const NodeName = "{node}"
const ZoneName = "{node}"
const PluginDir = "/usr/lib/nagios/plugins"
const ManubulonPluginDir = PluginDir
const PluginContribDir = "{contrib_dir}"

include <itl>
include <plugins>
// The CheckCommand and service templates exactly as `make install` put them.
include "{icinga2_conf}"

library "db_ido_mysql"

object FileLogger "main-log" {{
	path = LogDir + "/icinga2.log"
	severity = "notice"
}}
object CheckerComponent "checker" {{ }}
object Endpoint NodeName {{ }}
object Zone ZoneName {{ endpoints = [ NodeName ] }}
object ApiListener "api" {{
	bind_host = "127.0.0.1"
	bind_port = {api_port}
}}
object ApiUser "{api_user}" {{
	password = "{api_password}"
	permissions = [ "*" ]
}}
object IdoMysqlConnection "ido-mysql" {{
	host = "127.0.0.1"
	port = {db_port}
	user = "icinga2"
	password = "{db_password}"
	database = "icinga"
	enable_ha = false
}}

object Host "{host}" {{
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.nova_metadata_instance = "{uuid}"
	vars.nova_metadata_tenant = "{project}"
	vars.nova_metadata_port = {port}
	vars.nova_metadata_secret_file = "{secret}"
}}

template Service "nm-web-service" {{
	max_check_attempts = 1   // hard states at once: no "Soft 1/3"
}}

// Thresholds well above a loaded machine's times: these are OK.
object Service "nova-metadata" {{
	host_name = "{host}"
	import "nova-metadata-ec2"
	import "nm-web-service"
	vars.nova_metadata_warning = "5"
	vars.nova_metadata_critical = "10"
}}
object Service "nova-metadata-cloud-init" {{
	host_name = "{host}"
	import "nova-metadata-cloud-init"
	import "nm-web-service"
}}
// CRITICAL: Nova answers 403.
object Service "nova-metadata-wrong-secret" {{
	host_name = "{host}"
	import "nova-metadata-ec2"
	import "nm-web-service"
	vars.nova_metadata_secret_file = "{wrong_secret}"
	vars.nova_metadata_warning = "5"
	vars.nova_metadata_critical = "10"
}}
// CRITICAL: two backends, the second refuses the connection.
object Service "nova-metadata-one-backend-down" {{
	host_name = "{host}"
	import "nova-metadata-ec2"
	import "nm-web-service"
	vars.nova_metadata_address = [ "127.0.0.1", "{down}" ]
	vars.nova_metadata_warning = "5"
	vars.nova_metadata_critical = "10"
}}
// The same, in the format named for Icinga Web 2.
object Service "nova-metadata-icingaweb2" {{
	host_name = "{host}"
	import "nova-metadata-ec2"
	import "nm-web-service"
	vars.nova_metadata_address = [ "127.0.0.1", "{down}" ]
	vars.nova_metadata_warning = "5"
	vars.nova_metadata_critical = "10"
	vars.nova_metadata_output_format = "icingaweb2"
}}
// WARNING: no request is that fast.
object Service "nova-metadata-warning" {{
	host_name = "{host}"
	import "nova-metadata-ec2"
	import "nm-web-service"
	vars.nova_metadata_warning = "0.000001"
	vars.nova_metadata_critical = "10"
}}
"""

IDO_STATUS = """SELECT o.name2, s.current_state, TO_BASE64(s.output),
  TO_BASE64(s.long_output)
FROM icinga_servicestatus s JOIN icinga_objects o
  ON o.object_id = s.service_object_id
WHERE s.has_been_checked = 1 AND s.last_check >= FROM_UNIXTIME({since});"""


class Icinga2Ido(GroupStop, _mon.Icinga2):
    """tests/monitoring's Icinga2 in a session of its own: Icinga 2's
    worker, below the process we start, gets the SIGTERM too (as under
    systemd), and nothing of it outlives the suite."""


@pytest.fixture(scope="session")
def icinga2(workdir, account, installed, nova, monitoring_secret, mariadb):
    """Debian's icinga2 with the installed contrib files and the IDO MySQL
    feature, each service checked once (through the REST API), and waited
    for until the IDO holds every result."""
    root = os.path.join(workdir, "icinga2")
    for sub in ("etc", "lib", "lib/certs", "log", "cache", "spool", "run"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    _mon._api_certs(os.path.join(root, "lib", "certs"))
    daemon = Icinga2Ido(root, account, free_port())
    with open(daemon.conf, "w") as f:
        f.write(ICINGA2_CONF.format(
            node=_mon.NODE, contrib_dir=os.path.dirname(installed["plugin"]),
            icinga2_conf=installed["icinga2"], api_port=daemon.api_port,
            api_user=_mon.API_USER, api_password=_mon.API_PASSWORD,
            db_port=mariadb.port, db_password=DB_PASSWORD, host=HOST,
            uuid=UUID, project=PROJECT, port=nova.port,
            secret=monitoring_secret["right"],
            wrong_secret=monitoring_secret["wrong"], down=DOWN_BACKEND))
    _own_tree(root, account)
    validation = daemon.validate()
    assert validation.returncode == 0, validation.stdout.decode(
        errors="replace")[-4000:]
    daemon.start()
    log = os.path.join(daemon.dirs["LogDir"], "icinga2.log")
    try:
        wait_for("icinga2's API on port %d" % daemon.api_port, daemon.api_up,
                 START_TIMEOUT, interval=0.5, proc=daemon.proc,
                 log=daemon.log_path)
        wait_for("the IDO connected", lambda: all(
            r["attrs"]["connected"] for r in daemon.api(
                "/v1/objects/idomysqlconnections?attrs=connected")
            ["results"]), START_TIMEOUT, interval=0.3, proc=daemon.proc,
            log=log)
        # The host's own state (it is no check of ours): UP, not PENDING.
        daemon.api("/v1/actions/process-check-result", "POST", {
            "type": "Host", "filter": 'host.name == "%s"' % HOST,
            "exit_status": 0, "plugin_output": "UP (set by the test)"})
        since = int(time.time()) - 1
        _check_each_once(daemon, log)
        daemon.ido = wait_for(
            "the IDO holding every result", lambda: _ido_results(
                mariadb, since), START_TIMEOUT, interval=0.5,
            proc=daemon.proc, log=log)
        yield daemon
    finally:
        daemon.stop()


def _check_each_once(daemon, log):
    """One check of each service, one after the other (they all ask one
    single-process Nova), with Icinga's own schedule off."""
    daemon.api("/v1/objects/icingaapplications/app", "POST",
               {"attrs": {"enable_service_checks": False}})
    for service in list(SERVICES) + list(ICINGA_ONLY_SERVICES):
        t0 = time.time()
        daemon.api("/v1/actions/reschedule-check", "POST", {
            "type": "Service", "force": True,
            "filter": 'host.name == "%s" && service.name == "%s"'
                      % (HOST, service)})

        def fresh():
            res = daemon.api("/v1/objects/services/%s!%s?attrs="
                             "last_check_result" % (HOST, service))
            cr = res["results"][0]["attrs"]["last_check_result"]
            return cr and cr["schedule_start"] >= t0 - 1

        wait_for("a fresh result for %s" % service, fresh, 90, interval=0.2,
                 proc=daemon.proc, log=log)


def _unbase64(text):
    # TO_BASE64 breaks its lines every 76 characters: \\n in --batch
    return base64.b64decode(text.replace("\\n", "")).decode("utf-8",
                                                            "replace")


def _ido_results(mariadb, since):
    rows = {}
    for line in mariadb.sql(IDO_STATUS.format(since=since),
                            "icinga").splitlines():
        name, state, output, long_output = line.split("\t")
        rows[name] = (int(state), _unbase64(output),
                      _unbase64(long_output))
    return rows if set(SERVICES) | set(ICINGA_ONLY_SERVICES) <= \
        set(rows) else None


# ------------------------------------------------------------ nagios4 --

# Beside tests/monitoring's Nagios services (nova-metadata and
# nova-metadata-cloud-init among them, the same names as here), the three
# that are not OK. The wrong secret comes through an --extra-opts file:
# $USER3$ names the right one.
MORE_NAGIOS_SERVICES = """
define service {{
	use			nm-service
	service_description	nova-metadata-wrong-secret
	check_command		check_nova_metadata_extra_opts!nm_test@{wrong_ini}
}}
define service {{
	use			nm-service
	service_description	nova-metadata-one-backend-down
	check_command		check_nova_metadata!{uuid}!{project}!{port}!5!10!-H {down}
}}
define service {{
	use			nm-service
	service_description	nova-metadata-warning
	check_command		check_nova_metadata!{uuid}!{project}!{port}!0.000001!10
}}
"""

CGI_CFG = """main_config_file={d}/nagios.cfg
physical_html_path=/usr/share/nagios4/htdocs
url_html_path=/nagios4
show_context_help=0
use_pending_states=1
use_authentication=1
use_ssl_authentication=0
default_user_name={user}
authorized_for_all_services={user}
authorized_for_all_hosts={user}
refresh_rate=90
result_limit=0
escape_html_tags=1
"""


@pytest.fixture(scope="session")
def nagios(workdir, account, installed, nova, monitoring_secret):
    """Debian's nagios4 with tests/monitoring's configuration and the
    installed commands, run until status.dat holds a result of each of
    SERVICES; the CGIs' cgi.cfg beside it."""
    exe = _need(shutil.which("nagios4") or "/usr/sbin/nagios4",
                "nagios4-core")
    d = os.path.join(workdir, "nagios4")
    for sub in ("tmp", "checkresults"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    ini = os.path.join(d, "nova-metadata.ini")
    wrong_ini = os.path.join(d, "nova-metadata-wrong.ini")
    m = _nagios_suite
    files = {
        "nagios.cfg": m.NAGIOS_CFG.format(d=d, commands=installed["nagios"],
                                          user=account.name,
                                          group=account.group),
        "resource.cfg": m.RESOURCE_CFG.format(
            plugin_dir=os.path.dirname(installed["plugin"]),
            secret=monitoring_secret["right"]),
        "objects.cfg": m.OBJECTS_CFG.format(
            uuid=UUID, project=PROJECT, port=nova.port, ini=ini)
        + MORE_NAGIOS_SERVICES.format(uuid=UUID, project=PROJECT,
                                      port=nova.port, down=DOWN_BACKEND,
                                      wrong_ini=wrong_ini),
        "nova-metadata.ini": m.EXTRA_OPTS_INI.format(
            port=nova.port, uuid=UUID, project=PROJECT,
            secret=monitoring_secret["right"]),
        "nova-metadata-wrong.ini": m.EXTRA_OPTS_INI.format(
            port=nova.port, uuid=UUID, project=PROJECT,
            secret=monitoring_secret["wrong"]),
        "cgi.cfg": CGI_CFG.format(d=d, user=WEB_USER),
    }
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    _own_tree(d, account)
    cfg = os.path.join(d, "nagios.cfg")
    validation = subprocess.run([exe, "-v", cfg], stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=60,
                                env=clean_env(), preexec_fn=account.preexec)
    assert validation.returncode == 0, validation.stdout.decode(
        errors="replace")[-3000:]
    daemon = GroupDaemon("nagios4", [exe, cfg],
                         os.path.join(d, "console.log"), account)
    daemon.cgi_cfg = os.path.join(d, "cgi.cfg")
    daemon.start()
    try:
        status = os.path.join(d, "status.dat")

        def checked():
            st = parse_status(status)
            if all(st.get(s, {}).get("has_been_checked") == "1"
                   for s in SERVICES):
                return st
            return None
        daemon.status = wait_for(
            "nagios4 recording every result in status.dat", checked,
            START_TIMEOUT, interval=0.5, proc=daemon.proc,
            log=os.path.join(d, "nagios.log"))
        yield daemon
    finally:
        daemon.stop()


# ------------------------------------------- apache: icingaweb2, CGIs --

HTTPD_CONF = """# The suite's own Apache: Icinga Web 2 and Nagios 4's CGIs.
ServerRoot "{d}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {d}/apache2.pid
DefaultRuntimeDir {d}/run
Mutex file:{d}/run default
ErrorLog {d}/error.log
LogLevel warn
LogFormat "%h %u %t \\"%r\\" %>s %b" common
CustomLog {d}/access.log common

LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
LoadModule php_module {php_module}

StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 8
TypesConfig /etc/mime.types
DocumentRoot {d}/htdocs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<FilesMatch "\\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
php_admin_value session.save_path "{d}/sessions"
php_admin_value error_log "{d}/php.log"

# As Debian's /etc/apache2/conf-available/icingaweb2.conf, with the
# configuration directory of this suite.
Alias /icingaweb2 "/usr/share/icingaweb2/public"
<Directory "/usr/share/icingaweb2/public">
    Options SymLinksIfOwnerMatch
    Require ip 127.0.0.1
    SetEnv ICINGAWEB_CONFIGDIR "{webconf}"
    EnableSendfile Off
    RewriteEngine on
    RewriteBase /icingaweb2/
    RewriteCond %{{REQUEST_FILENAME}} -s [OR]
    RewriteCond %{{REQUEST_FILENAME}} -l [OR]
    RewriteCond %{{REQUEST_FILENAME}} -d
    RewriteRule ^.*$ - [NC,L]
    RewriteRule ^.*$ index.php [NC,L]
</Directory>

# As Debian's nagios4-cgi.conf, with this suite's cgi.cfg.
ScriptAlias /cgi-bin/nagios4 /usr/lib/cgi-bin/nagios4
Alias /nagios4/stylesheets /etc/nagios4/stylesheets
Alias /nagios4 /usr/share/nagios4/htdocs
<DirectoryMatch "^(/usr/share/nagios4/htdocs|/usr/lib/cgi-bin/nagios4|\
/etc/nagios4/stylesheets)">
    Options FollowSymLinks
    Require ip 127.0.0.1
    SetEnv NAGIOS_CGI_CONFIG "{cgi_cfg}"
</DirectoryMatch>
"""

WEB_CONFIG = {
    "config.ini": """[global]
show_stacktraces = "1"
config_resource = "icingaweb_db"
module_path = "/usr/share/icingaweb2/modules"

[logging]
log = "file"
file = "{d}/icingaweb2.log"
level = "WARNING"
""",
    "resources.ini": """[icingaweb_db]
type = "db"
db = "mysql"
host = "127.0.0.1"
port = "{db_port}"
dbname = "icingaweb"
username = "icingaweb"
password = "{db_password}"
charset = "utf8mb4"

[icinga_ido]
type = "db"
db = "mysql"
host = "127.0.0.1"
port = "{db_port}"
dbname = "icinga"
username = "icingaweb"
password = "{db_password}"
charset = "latin1"
""",
    "authentication.ini": """[icingaweb2]
backend = "db"
resource = "icingaweb_db"
""",
    "roles.ini": """[operators]
users = "{user}"
permissions = "*"
""",
    "modules/monitoring/backends.ini": """[icinga]
type = "ido"
resource = "icinga_ido"
""",
    "modules/monitoring/config.ini": """[security]
protected_customvars = "*pw*,*pass*,community"
""",
}


@pytest.fixture(scope="session")
def apache(workdir, account, mariadb, nagios):
    """Debian's Apache with mod_php on a loopback port, as the monitoring
    user, serving Icinga Web 2 (configured here, non-interactively: its
    resources, a database login for the operator, the monitoring module
    reading the IDO) and Nagios 4's CGIs."""
    exe = _need("/usr/sbin/apache2", "apache2")
    d = os.path.join(workdir, "apache")
    webconf = os.path.join(workdir, "icingaweb2")
    for sub in ("run", "htdocs", "sessions"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for sub in ("modules/monitoring", "enabledModules"):
        os.makedirs(os.path.join(webconf, sub), exist_ok=True)
    for name, text in WEB_CONFIG.items():
        with open(os.path.join(webconf, name), "w") as f:
            f.write(text.format(d=d, db_port=mariadb.port,
                                db_password=DB_PASSWORD, user=WEB_USER))
    os.symlink("/usr/share/icingaweb2/modules/monitoring",
               os.path.join(webconf, "enabledModules", "monitoring"))
    port = free_port()
    conf = os.path.join(d, "apache2.conf")
    with open(conf, "w") as f:
        f.write(HTTPD_CONF.format(d=d, port=port, webconf=webconf,
                                  cgi_cfg=nagios.cgi_cfg,
                                  php_module=_need_file(
                                      release.APACHE_PHP_MODULE,
                                      "libapache2-mod-php")))
    _own_tree(d, account)
    _own_tree(webconf, account)
    os.chmod(os.path.join(d, "sessions"), 0o700)
    daemon = GroupDaemon("apache2", [exe, "-f", conf, "-DFOREGROUND"],
                         os.path.join(d, "console.log"), account,
                         env={"LANG": "C"})
    daemon.start()
    try:
        try:
            wait_for("apache2 on port %d" % port, lambda: _accepts(port),
                     START_TIMEOUT, interval=0.2, proc=daemon.proc,
                     log=os.path.join(d, "error.log"))
        except AssertionError as e:
            # Apache refuses a configuration on stderr (console.log),
            # before it opens error.log: show both.
            raise AssertionError("%s\napache2's stderr (%s):\n%s"
                                 % (e, conf, tail(daemon.log_path))) \
                from None
        daemon.base = "http://127.0.0.1:%d" % port
        daemon.error_log = os.path.join(d, "error.log")
        daemon.web_log = os.path.join(d, "icingaweb2.log")
        yield daemon
    finally:
        daemon.stop()


# ----------------------------------------------------------- chromium --

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--no-proxy-server",
                  "--window-size=1280,1024", "--lang=en-US")


@pytest.fixture(scope="session")
def browser(workdir):
    """Debian's headless Chromium through Debian's chromedriver, with an
    empty profile; quit (and its processes reaped) at the end."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        pytest.fail("python3-selenium is not importable: %s" % e)
    binary = _need("/usr/bin/chromium", "chromium")
    driver_exe = _need("/usr/bin/chromedriver", "chromium-driver")
    profile = os.path.join(workdir, "chromium-profile")
    os.makedirs(profile)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--user-data-dir=" + profile)
    service = Service(driver_exe, log_path=os.path.join(workdir,
                                                        "chromedriver.log"),
                      env=clean_env())
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.implicitly_wait(0)
        yield driver
    finally:
        driver.quit()


def wait_dom(driver, what, script, timeout=30):
    """Run a JavaScript predicate in the page until it returns something
    true; bounded."""
    return wait_for(what, lambda: driver.execute_script(script), timeout,
                    interval=0.2)


@pytest.fixture(scope="session")
def icingaweb(browser, apache, icinga2):
    """The operator logged in to Icinga Web 2 through its login form."""
    browser.get(apache.base + "/icingaweb2/authentication/login")
    wait_dom(browser, "the login form",
             "return document.querySelector('input[name=username]')")
    browser.execute_script(
        "document.querySelector('input[name=username]').value = "
        "arguments[0];"
        "document.querySelector('input[name=password]').value = "
        "arguments[1];"
        "document.querySelector('input[name=password]').form"
        ".querySelector('[type=submit]').click();", WEB_USER, WEB_PASSWORD)
    try:
        wait_dom(browser, "the logged-in menu",
                 "return document.querySelector('#menu') && "
                 "!document.querySelector('input[name=password]')")
    except AssertionError as e:
        raise AssertionError("%s\n%s\n%s" % (e, tail(apache.error_log),
                                             tail(apache.web_log)))
    return apache


def screenshot(driver, name):
    path = os.path.join(results_dir(), name + ".png")
    driver.save_screenshot(path)
    return path


def normalized(text):
    """Text with its figures (times, ports, sizes) replaced, white space
    folded: two runs of one case compare equal."""
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    return " ".join(text.split())

