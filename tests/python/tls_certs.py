"""Test certificates made with the `openssl` command: a CA, a server certificate for 127.0.0.1 and
a client certificate, all signed by the CA and valid for two days.

Used by test_tls.py and by the harness's TLS mode (harness/acl_users.py, DRAYMAN_HARNESS_TLS=1).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_cert(directory: Path, name: str, subject: str, san: str | None = None,
              key_args: tuple[str, ...] = ("-nodes",)) -> None:
    """name.key and name.crt signed by ca.key."""
    openssl("req", "-newkey", "rsa:2048", *key_args, "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", subject, cwd=directory)
    extra = []
    if san:
        (directory / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        extra = ["-extfile", f"{name}.ext"]
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", *extra, cwd=directory)


def make_ca_server_client(directory: Path) -> Path:
    """ca.crt, server.crt/.key (CN=first, for 127.0.0.1 and localhost), client.crt/.key."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.crt", "-days", "2", "-subj", "/CN=Drayman Test CA", cwd=directory)
    make_cert(directory, "server", "/CN=first", "IP:127.0.0.1,DNS:localhost")
    make_cert(directory, "client", "/CN=client")
    return directory


def server_tls_args(certs: Path, tls_port: int) -> list[str]:
    """tls-* arguments for drayman-server and redis-server (client certificates required)."""
    return ["--tls-port", str(tls_port), "--tls-cert-file", str(certs / "server.crt"),
            "--tls-key-file", str(certs / "server.key"), "--tls-ca-cert-file",
            str(certs / "ca.crt")]
