"""Run the shipped nginx site (deploy/nginx/qualepref.conf) on loopback, for tests.

The site file is used as shipped, with only what differs on a test machine
substituted: the listening ports, the app's port and the certificate paths
(a self-signed certificate made for the run). Each substitution must match
exactly once, so an edit of the shipped file that moves them fails loudly
instead of testing something else. A minimal main configuration (what
Debian's /etc/nginx/nginx.conf does around `sites-enabled/`) includes it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "qualepref.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def substitute(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        count = text.count(old)
        if count != 1:
            raise AssertionError(f"{old!r} found {count} times in {SITE.name}: the test substitution needs it once")
        text = text.replace(old, new)
    return text


def site_for_test(*, app_port: int, https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """The shipped site with ports and certificate paths of this machine; IPv6 listeners dropped."""
    return substitute(SITE.read_text(encoding="utf-8"), [
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("/etc/ssl/qualepref/qualepref.crt;", f"{cert};"),
        ("/etc/ssl/qualepref/qualepref.key;", f"{key};"),
    ])


def main_config(workdir: Path, site_file: Path) -> str:
    """What Debian's nginx.conf sets around the site, with every path in `workdir` (no root needed)."""
    user = ""
    if os.geteuid() == 0:  # workers would otherwise run as `nobody`, who cannot enter a private temp dir
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    temp = "\n".join(f"    {name}_temp_path {workdir / name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} info;
events {{ worker_connections 512; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {workdir / 'access.log'};
{temp}
    include {site_file};
}}
"""


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (one day)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "test.crt", directory / "test.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def write_config(workdir: Path, *, app_port: int, https_port: int, http_port: int) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(workdir)
    site = workdir / "qualepref.conf"
    site.write_text(site_for_test(app_port=app_port, https_port=https_port, http_port=http_port,
                                  cert=cert, key=key), encoding="utf-8")
    main = workdir / "nginx.conf"
    main.write_text(main_config(workdir, site), encoding="utf-8")
    return main


def check_config(main: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a configuration (prefix in its folder, so nothing of /etc/nginx's own is read)."""
    return subprocess.run([NGINX, "-t", "-p", str(main.parent), "-c", str(main)],
                          capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def running(workdir: Path, *, app_port: int):
    """nginx in front of the app on loopback; yields (https base URL, http base URL)."""
    https_port, http_port = free_port(), free_port()
    main = write_config(workdir, app_port=app_port, https_port=https_port, http_port=http_port)
    checked = check_config(main)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused the test configuration:\n{checked.stderr}")
    process = subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(main), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", https_port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(workdir / 'error.log').read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
