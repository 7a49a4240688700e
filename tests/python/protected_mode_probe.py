"""Runs inside a fresh network namespace (`unshare -n`, started by test_protected_mode.py).

It brings up the namespace's own loopback device, gives it the non-loopback address 10.77.0.1
(reachable only inside this namespace: no real network is involved), starts drayman-server and
redis-server with the same options for each scenario, connects from 10.77.0.1, from 127.0.0.2 and
from 127.0.0.1, and prints what each connection got as JSON on stdout.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import DraymanProcess, RedisProcess, drayman_binary, free_port  # noqa: E402

OUTSIDE = "10.77.0.1"  # not a loopback address, though it lives on this namespace's lo


def setup_namespace() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", f"{OUTSIDE}/32", "dev", "lo"], check=True)


def talk(port: int, source: str, target: str, command: bytes, context=None) -> dict:
    """Sends one command; returns the reply line and whether the server then closed."""
    raw = socket.socket()
    raw.settimeout(5)
    raw.bind((source, 0))
    raw.connect((target, port))
    conn = context.wrap_socket(raw) if context else raw
    try:
        conn.sendall(command)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
        conn.settimeout(0.5)
        try:
            closed = conn.recv(1) == b""
        except (socket.timeout, TimeoutError):
            closed = False
        except (ConnectionResetError, ssl.SSLError):
            closed = True
        return {"reply": reply.decode(), "closed": closed}
    finally:
        conn.close()


def make_certs(directory: Path) -> None:
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.crt", "-days", "2", "-subj", "/CN=Probe CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=probe")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.crt", "-days", "2")


SCENARIOS = {
    "bind-any": ["--bind", "0.0.0.0"],
    "bind-explicit": ["--bind", f"{OUTSIDE} 127.0.0.1"],
    "requirepass": ["--bind", "0.0.0.0", "--requirepass", "secret"],
    "protected-mode-no": ["--bind", "0.0.0.0", "--protected-mode", "no"],
}


def run_scenarios(kind) -> dict:
    results = {}
    for name, args in SCENARIOS.items():
        with kind(*args) as server:
            results[name] = {
                "outside": talk(server.port, OUTSIDE, OUTSIDE, b"PING\r\n"),
                "127.0.0.2": talk(server.port, "127.0.0.2", "127.0.0.1", b"PING\r\n"),
                "loopback": talk(server.port, "127.0.0.1", "127.0.0.1", b"PING\r\n"),
            }
            # rejected_connections counts the refused clients, as in Redis.
            results[name]["rejected"] = None
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
                if name == "requirepass":
                    conn.sendall(b"AUTH secret\r\n")
                    conn.recv(100)
                conn.sendall(b"INFO stats\r\n")
                text = b""
                while b"rejected_connections:" not in text or not text.endswith(b"\r\n"):
                    text += conn.recv(65536)
                for line in text.decode().splitlines():
                    if line.startswith("rejected_connections:"):
                        results[name]["rejected"] = line
    # Turning protected mode off at run time, from loopback, lets the outside in.
    with kind("--bind", "0.0.0.0") as server:
        before = talk(server.port, OUTSIDE, OUTSIDE, b"PING\r\n")
        talk(server.port, "127.0.0.1", "127.0.0.1", b"CONFIG SET protected-mode no\r\n")
        after = talk(server.port, OUTSIDE, OUTSIDE, b"PING\r\n")
        results["config-set"] = {"before": before, "after": after}
    return results


def run_tls(kind, certs: Path) -> dict:
    tls_port = free_port()
    args = ["--bind", "0.0.0.0", "--tls-port", str(tls_port), "--tls-cert-file",
            str(certs / "server.crt"), "--tls-key-file", str(certs / "server.key"),
            "--tls-auth-clients", "no"]
    if kind is DraymanProcess:
        args = ["--port", str(free_port())] + args
    context = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    context.check_hostname = False
    with kind(*args):
        return {"outside": talk(tls_port, OUTSIDE, OUTSIDE, b"PING\r\n", context),
                "loopback": talk(tls_port, "127.0.0.1", "127.0.0.1", b"PING\r\n", context)}


def drayman_startup_lines(*args: str) -> list[str]:
    with tempfile.TemporaryDirectory() as workdir:
        proc = subprocess.Popen([drayman_binary(), "--port", "0", "--appendonly", "no", "--dir",
                                 workdir, *args], stdout=subprocess.PIPE, text=True)
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "ready to accept connections" in line:
                break
        proc.terminate()
        proc.wait(timeout=10)
        return lines


def main() -> None:
    setup_namespace()
    with tempfile.TemporaryDirectory() as certs:
        make_certs(Path(certs))
        report = {
            "drayman": run_scenarios(DraymanProcess),
            "redis": run_scenarios(RedisProcess),
            "drayman_tls": run_tls(DraymanProcess, Path(certs)),
            "redis_tls": run_tls(RedisProcess, Path(certs)),
            "warnings": {
                "protected": drayman_startup_lines("--bind", "0.0.0.0"),
                "unprotected": drayman_startup_lines("--bind", "0.0.0.0", "--protected-mode",
                                                     "no"),
                "password": drayman_startup_lines("--bind", "0.0.0.0", "--requirepass", "x"),
                "loopback": drayman_startup_lines("--bind", "127.0.0.1"),
            },
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
