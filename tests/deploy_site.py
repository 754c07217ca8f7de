"""The deployment kit (deploy/) running on this machine, for tests/test_deploy.py and
tests/browser/test_deploy_https.py: the server started as deploy/wellbeing.service starts it
(`python -m wellbeing.serving`), with the environment the unit gives it, behind Caddy started
with deploy/Caddyfile, or nginx with deploy/nginx.conf.

Only what must differ on a test machine is changed: the site's name becomes localhost (Caddy's
internal CA signs its certificate instead of Let's Encrypt), ports are free ones, and paths
are in a temporary folder. Everything else is the files as they are, so editing one of them
changes what the tests see.
"""

import base64
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
CADDY = "/usr/bin/caddy"
NGINX = "/usr/sbin/nginx"
SITE_NAME = "wellbeing.example.org"
APP_ADDRESS = "127.0.0.1:8000"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replaced_once(text: str, old: str, new: str) -> str:
    """`old` must be there exactly once, so a reshaped file fails here, plainly."""
    assert text.count(old) == 1, f"expected {old!r} once in the deploy file"
    return text.replace(old, new)


def caddyfile(https_port: int, http_port: int, app_port: int, storage: Path) -> str:
    """deploy/Caddyfile for localhost: Caddy's own CA, free ports, its files in `storage`."""
    text = (DEPLOY / "Caddyfile").read_text()
    text = replaced_once(text, f"\n{SITE_NAME} {{", f"\nlocalhost:{https_port} {{")
    text = replaced_once(
        text, f"reverse_proxy {APP_ADDRESS}", f"reverse_proxy 127.0.0.1:{app_port}"
    )
    test_options = "\n".join(
        [
            "{",
            "\tadmin off",
            f"\thttp_port {http_port}",
            f"\thttps_port {https_port}",
            "\tlocal_certs",
            "\tskip_install_trust",
            f"\tstorage file_system {storage}",
        ]
    )
    return re.sub(r"^\{$", test_options, text, count=1, flags=re.MULTILINE)


def self_signed_certificate(folder: Path) -> tuple[Path, Path, str]:
    """A certificate for localhost (and 127.0.0.1), where certbot would have put one for nginx:
    (certificate, key, the hash of its public key, which Chromium can be told to trust)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "fullchain.pem", folder / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return cert, private, base64.b64encode(hashlib.sha256(spki).digest()).decode()


def stop_process(process: subprocess.Popen, seconds: int = 20):
    """Ask a server to stop, as systemd would, and make it if it won't."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def nginx_config(folder: Path, https_port: int, http_port: int, app_port: int) -> Path:
    """deploy/nginx.conf for localhost, inside what Debian's /etc/nginx/nginx.conf would say
    (gzip on included, which the site must turn off), with nginx's files in `folder`."""
    cert, key, _spki = self_signed_certificate(folder)
    site = (DEPLOY / "nginx.conf").read_text()
    site = replaced_once(site, f"/etc/letsencrypt/live/{SITE_NAME}/fullchain.pem", str(cert))
    site = replaced_once(site, f"/etc/letsencrypt/live/{SITE_NAME}/privkey.pem", str(key))
    site = site.replace(f"server_name {SITE_NAME};", "server_name localhost;")
    site = replaced_once(site, "\tlisten 80;\n", f"\tlisten 127.0.0.1:{http_port};\n")
    site = replaced_once(
        site, "\tlisten 443 ssl http2;\n", f"\tlisten 127.0.0.1:{https_port} ssl http2;\n"
    )
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    site = site.replace(
        f"proxy_pass http://{APP_ADDRESS};", f"proxy_pass http://127.0.0.1:{app_port};"
    )
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        # As root, nginx's workers would otherwise be `nobody`, who can't open the test's folder.
        ("user root;\n" if os.geteuid() == 0 else "") + f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/nginx.log;\n"
        "events {}\n"
        "http {\n"
        f"  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n"
        "  gzip on;\n"
        f"  include {folder}/site.conf;\n"
        "}\n"
    )
    return main


def unit_environment(unit: str = "wellbeing.service") -> dict[str, str]:
    """The Environment= lines of a deploy/ unit, as the service would see them."""
    found = {}
    for line in (DEPLOY / unit).read_text().splitlines():
        if line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            found[name] = value
    return found


def wait_until_answers(url: str, context: ssl.SSLContext | None, process, log: Path):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2, context=context).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except (OSError, ssl.SSLError):
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on {url}:\n{log.read_text()}")


class Site:
    """The server behind Caddy, both as deploy/ configures them, on a fresh instance folder."""

    def __init__(self, folder: Path, app_port: int | None = None):
        self.folder = folder
        self.instance = folder / "instance"
        self.app_port = app_port or free_port()
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.storage = folder / "caddy"
        self.processes = []
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("WELLBEING_"):
                del self.env[name]
        self.env |= unit_environment()
        self.env |= {
            "WELLBEING_INSTANCE_PATH": str(self.instance),
            "WELLBEING_BIND": f"127.0.0.1:{self.app_port}",
            # What /etc/wellbeing/wellbeing.env says on a server (docs/deployment.md).
            "WELLBEING_TRUSTED_HOSTS": "localhost,127.0.0.1",
            "WELLBEING_BASE_URL": self.url,
            # Caddy's own files (autosave.json) stay in the test's folder too.
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
        }

    def flask(self, *command: str) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def invitation_link(self, name: str) -> str:
        """A first admin's one-time link, as `flask create-organisation` prints it."""
        printed = self.flask("create-organisation", name, "--base-url", self.url)
        return printed.strip().splitlines()[-1]

    def start_app(self):
        # The database built by the migrations, and the demo people to sign in as.
        self.flask("migrate")
        self.flask("demo")
        self.server_log = self.folder / "server.log"
        self.processes.append(
            # As deploy/wellbeing.service starts it, from the checkout (its WorkingDirectory).
            self.spawn([str(BIN / "python"), "-m", "wellbeing.serving"], self.server_log, cwd=ROOT)
        )
        wait_until_answers(
            f"http://127.0.0.1:{self.app_port}/healthz", None, self.processes[-1], self.server_log
        )

    def start_caddy(self):
        config = self.folder / "Caddyfile"
        config.write_text(caddyfile(self.https_port, self.http_port, self.app_port, self.storage))
        self.caddy_log = self.folder / "caddy.log"
        self.processes.append(
            self.spawn(
                [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
                self.caddy_log,
                cwd=self.folder,
            )
        )
        # Caddy makes its CA and the certificate for localhost as it starts.
        root = self.storage / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + STARTUP_SECONDS
        while not root.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.tls = ssl.create_default_context(cafile=str(root))
        wait_until_answers(f"{self.url}/healthz", self.tls, self.processes[-1], self.caddy_log)

    def start_nginx(self):
        """deploy/nginx.conf in place of the Caddyfile, on the same ports."""
        config = nginx_config(self.folder, self.https_port, self.http_port, self.app_port)
        log = self.folder / "nginx.log"
        self.processes.append(
            self.spawn(
                [NGINX, "-p", str(self.folder), "-e", str(log), "-c", str(config)]
                + ["-g", "daemon off;"],
                self.folder / "nginx-output.log",
                cwd=self.folder,
            )
        )
        self.tls = ssl.create_default_context(cafile=str(self.folder / "fullchain.pem"))
        wait_until_answers(f"{self.url}/healthz", self.tls, self.processes[-1], log)

    def start_proxy(self, proxy: str):
        {"caddy": self.start_caddy, "nginx": self.start_nginx}[proxy]()

    def spawn(self, command, log: Path, cwd: Path):
        with log.open("w") as out:
            return subprocess.Popen(
                command, cwd=cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def logs(self) -> dict[str, str]:
        """Everything the server (with the app's own log) and Caddy wrote, by name."""
        time.sleep(0.5)  # what was just written has reached the files
        return {log.name: log.read_text() for log in self.folder.glob("*.log")}

    def stop(self):
        for process in reversed(self.processes):
            stop_process(process)

    def client(self) -> "Client":
        return Client(self.url, self.tls)


class Client:
    """A browser's part of HTTPS, enough for the tests: cookies, and no redirects followed, so
    every answer's own headers can be read. Caddy's certificate is checked against its root."""

    def __init__(self, url: str, tls: ssl.SSLContext):
        self.url = url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=tls),
            urllib.request.HTTPCookieProcessor(self.cookies),
            NoRedirects(),
        )

    @property
    def referer(self) -> str:
        """What a browser sends as Referer under the app's Referrer-Policy (strict-origin): the
        origin alone. Flask-WTF refuses a form over HTTPS without it."""
        return f"{self.url}/"

    def request(self, method, path, body: bytes | None = None, headers=None, timeout=60):
        url = path if path.startswith("https://") else self.url + path
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def form_token(self, path: str) -> str:
        _, _, page = self.request("GET", path)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()

    def sign_in(self, email: str, password: str):
        token = self.form_token("/signin")
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.referer}
        status, _, page = self.request("POST", "/signin", body.encode(), headers)
        assert status == 302, page.decode()[:2000]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# What a checkout holds beyond its tracked files: never part of a copy that `make run` serves.
NOT_IN_A_CHECKOUT = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "__pycache__", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "test-results", "*.db", "*.db-wal", "*.db-shm",
)  # fmt: skip


class MakeRun:
    """A copy of this checkout served as the README says: `make run`, on a free port.

    The copy has its own instance folder (secrets, database), so a restart keeps the demo
    database, the sign-ins and the secret key, as restarting on a laptop does. The virtual
    environment is this checkout's, so nothing is installed twice.
    """

    def __init__(self, folder: Path):
        self.root = folder / "checkout"
        shutil.copytree(ROOT, self.root, ignore=NOT_IN_A_CHECKOUT)
        (self.root / ".venv").symlink_to(ROOT / ".venv")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "make-run.log"
        self.process = None

    def start(self):
        with self.log.open("a") as out:
            # Its own process group: make, the server's main process and its workers stop together.
            self.process = subprocess.Popen(
                ["make", "run", f"PORT={self.port}"],
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_answers(f"{self.url}/healthz", None, self.process, self.log)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def deploy(self, path: str, text: str):
        """A new release: `text` added to the file at `path`, then the server restarted."""
        with (self.root / path).open("a") as changed:
            changed.write(text)
        self.stop()
        self.start()
