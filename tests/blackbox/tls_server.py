"""HTTPS on loopback for the TLS tests: the simulator's Nova behind TLS,
and a throw-away PKI made with the openssl command at test time.

    pki = make_pki(tmpdir)          # CA, server, expired, wrong-name, client
    sim = TLSSimulator(pki["server"], pki["server_key"]).start()
    sim = TLSSimulator(..., client_ca=pki["ca"])   # demands a client cert
"""

import os
import socket
import ssl
import subprocess
import threading

import simulator

_CA_CONF = """\
[ca]
default_ca = test_ca
[test_ca]
dir = {dir}
database = {dir}/index.txt
serial = {dir}/serial
new_certs_dir = {dir}/issued
certificate = {dir}/ca.pem
private_key = {dir}/ca.key
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
"""


def _openssl(*args, cwd=None):
    subprocess.run(("openssl",) + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _issue(d, name, cn, ext, start=None, end=None):
    """A key and a certificate for cn signed by the test CA."""
    key, csr, pem = (os.path.join(d, name + s) for s in (".key", ".csr",
                                                          ".pem"))
    extfile = os.path.join(d, name + ".ext")
    with open(extfile, "w") as f:
        f.write("[ext]\n" + ext + "\n")
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-out", csr, "-subj", "/CN=" + cn)
    dates = (["-startdate", start, "-enddate", end] if start
             else ["-days", "2"])
    _openssl("ca", "-batch", "-notext", "-config", os.path.join(d, "ca.cnf"),
             "-in", csr, "-out", pem, "-extfile", extfile, "-extensions",
             "ext", *dates)
    return pem, key


def make_pki(d):
    """Certificates in directory d; returns their paths by role."""
    d = str(d)
    os.makedirs(os.path.join(d, "issued"), exist_ok=True)
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write(_CA_CONF.format(dir=d))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", os.path.join(d, "ca.key"),
             "-out", os.path.join(d, "ca.pem"), "-subj", "/CN=nm test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    server_ext = ("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                  "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1")
    pki = {"ca": os.path.join(d, "ca.pem")}
    pki["server"], pki["server_key"] = _issue(d, "server", "localhost",
                                              server_ext)
    pki["expired"], pki["expired_key"] = _issue(
        d, "expired", "localhost", server_ext,
        start="20200101000000Z", end="20200102000000Z")
    pki["wrong"], pki["wrong_key"] = _issue(
        d, "wrong", "wrong.example",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:wrong.example")
    pki["client"], pki["client_key"] = _issue(
        d, "client", "neutron-metadata-agent",
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth")
    return pki


def _tls_class(base, context):
    class _TLSServer(base):
        def get_request(self):
            sock, addr = base.get_request(self)
            # The handshake happens on the handler's first read, in its
            # own thread, so a client that never completes it cannot
            # stall the accept loop.
            return context.wrap_socket(sock, server_side=True,
                                       do_handshake_on_connect=False), addr

        def handle_error(self, request, client_address):
            # A client refusing our certificate is what the tests cause.
            self.handshake_failures += 1

        handshake_failures = 0
    return _TLSServer


class TLSSimulator(simulator.Simulator):
    """The simulator's Nova, over HTTPS; with client_ca it demands a
    client certificate signed by that CA (mutual TLS)."""

    def __init__(self, certfile, keyfile, client_ca=None, **kwargs):
        super().__init__(**kwargs)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certfile, keyfile)
        if client_ca:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(client_ca)

    def start(self):
        base = simulator._Server6 if ":" in self.bind else simulator._Server
        self._server = _tls_class(base, self.context)(
            (self.bind, self.requested_port), simulator._Handler)
        self._server.simulator = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="tls-simulator-%d" % self.port, daemon=True)
        self._thread.start()
        return self

    @property
    def handshake_failures(self):
        return self._server.handshake_failures

    @property
    def url(self):
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "https://%s:%d" % (host, self.port)


def dead_port(host="127.0.0.1"):
    """A port where nothing listens, for proxies that must not be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
