"""Operations: Debian's stock redis.conf, CONFIG GET * against redis-server, daemonize, pidfile,
sd_notify, syslog-free log lines compared with redis-server's."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from servers import DraymanProcess, RedisProcess, drayman_binary, free_port, wait_for_port

STOCK_CONF = Path("/etc/redis/redis.conf")

# Parameters whose defaults differ on purpose (Drayman value, reason).
# Both servers are started with --bind 127.0.0.1 --appendonly no (servers.py), which hides two
# more deliberate differences: Drayman's default bind is 127.0.0.1 (Redis: '* -::*'), and
# drayman-server's appendonly is yes (a broker keeps its queues). CONFIG SET logfile works in
# Drayman (Redis 7.0: immutable).
INTENTIONAL_DIFFERENCES = {
    "port": "each server got its own ephemeral port",
    "dir": "each server got its own temporary directory",
}
# Only Drayman has these.
DRAYMAN_ONLY = {
    "http-port": "Drayman's admin HTTP endpoint",
    "http-bind": "the address that endpoint listens on",
}


def wait_for_file(path: Path, timeout: float = 10.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.02)
    raise TimeoutError(f"{path} never appeared")


def config_get_all(port: int) -> dict[str, str]:
    client = redis.Redis(port=port, decode_responses=True)
    try:
        return client.config_get("*")
    finally:
        client.close()


def test_config_get_star_matches_redis_server_names_and_defaults():
    with RedisProcess() as oracle, DraymanProcess("--save", "") as drayman:
        expected = config_get_all(oracle.port)
        actual = config_get_all(drayman.port)
    assert set(actual) - set(expected) == set(DRAYMAN_ONLY)
    assert set(expected) - set(actual) == set()
    differing = {name for name in expected if expected[name] != actual[name]}
    assert differing == set(INTENTIONAL_DIFFERENCES), {n: (expected[n], actual[n]) for n in differing}


def test_debian_stock_redis_conf_starts_drayman(tmp_path):
    # Only what a test must change: port (6379 may be the user's redis-server), dir, logfile and
    # pidfile (the real service's /var/lib/redis, /var/log/redis, /run/redis). daemonize stays yes.
    port = free_port()
    conf = tmp_path / "redis.conf"
    text = STOCK_CONF.read_text()
    replacements = {r"^port 6379$": f"port {port}", r"^dir /var/lib/redis$": f"dir {tmp_path}",
                    r"^logfile .*$": f"logfile {tmp_path / 'server.log'}",
                    r"^pidfile .*$": f"pidfile {tmp_path / 'server.pid'}"}
    for pattern, line in replacements.items():
        text, count = re.subn(pattern, line, text, flags=re.MULTILINE)
        assert count == 1, pattern
    conf.write_text(text)
    started = subprocess.run([drayman_binary(), str(conf)], capture_output=True, timeout=30)
    assert started.returncode == 0, started.stderr.decode()  # the parent exits, the daemon runs
    pid = int(wait_for_file(tmp_path / "server.pid"))
    try:
        wait_for_port(port)
        client = redis.Redis(port=port, decode_responses=True)
        assert client.config_get("daemonize") == {"daemonize": "yes"}
        assert client.config_get("list-max-listpack-size") == {"list-max-listpack-size": "-2"}
        assert client.config_set("hash-max-listpack-entries", 1024) is True
        assert client.config_get("appendonly") == {"appendonly": "no"}
        client.close()
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 10
        while (tmp_path / "server.pid").exists() and time.monotonic() < end:
            time.sleep(0.02)
        assert not (tmp_path / "server.pid").exists()
        log = (tmp_path / "server.log").read_text()
        assert "Removing the pid file." in log and "ready to exit, bye bye" in log
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_supervised_systemd_notifies_ready(tmp_path):
    path = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    port = free_port()
    proc = subprocess.Popen([drayman_binary(), "--port", str(port), "--appendonly", "no", "--dir",
                             str(tmp_path), "--supervised", "systemd", "--daemonize", "yes"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        messages = []
        while b"READY=1\n" not in messages:
            messages.append(listener.recv(4096))
        assert messages == [b"STATUS=Drayman is loading...\n",
                            b"STATUS=Ready to accept connections\n", b"READY=1\n"]
        assert proc.poll() is None  # supervised: stays in the foreground despite daemonize yes
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        listener.close()


def test_command_line_errors_do_not_cite_a_file_line():
    bad = subprocess.run([drayman_binary(), "--port", "abc"], capture_output=True, timeout=10)
    assert bad.returncode == 1
    assert b"at line" not in bad.stderr
    assert b"Reading the command line, at option --port" in bad.stderr


def _messages(log: str) -> list[str]:
    """Log lines after the '<pid>:<role> <date> <level> ' prefix, product name normalised."""
    stamp = re.compile(r"^\d+:[CM] \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] (.*)$")
    out = []
    for line in log.splitlines():
        match = stamp.match(line)
        if match:
            text = match.group(1).replace("Redis", "Drayman")
            text = re.sub(r"version=[^,]*(?: \(Drayman [\d.]+ compatible\))?, ", "version=V, ", text)
            text = re.sub(r"pid=\d+", "pid=P", text)
            text = re.sub(r"port=\d+", "port=N", text)
            out.append(text)
    return out


def test_start_and_shutdown_lines_match_redis_server(tmp_path):
    logs = {}
    for name, cls in (("redis", RedisProcess), ("drayman", DraymanProcess)):
        logfile = tmp_path / f"{name}.log"
        with cls("--logfile", str(logfile)) as server:
            client = redis.Redis(port=server.port)
            try:
                client.shutdown(nosave=True)
            except redis.ConnectionError:
                pass
            server.proc.wait(timeout=10)
        logs[name] = _messages(logfile.read_text())
    # redis-server alone warns about vm.overcommit_memory: it forks for BGSAVE, Drayman does not.
    expected = [m for m in logs["redis"] if not m.startswith("WARNING Memory overcommit")]
    assert logs["drayman"] == expected


def test_syslog_enabled_writes_through_syslog3(tmp_path):
    # syslog(3) writes to /dev/log; the server runs in a private mount namespace (root, unshare)
    # whose /dev holds this test's datagram socket, so the host's /dev is never touched.
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "null").touch()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(dev / "log"))
    listener.settimeout(10)
    command = (f"mount --bind /dev/null {dev}/null && mount --bind {dev} /dev && exec "
               f"{drayman_binary()} --port 0 --appendonly no --save '' --syslog-enabled yes "
               f"--syslog-ident dray --syslog-facility local4")
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = listener.recv(4096).decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        listener.close()
    # <164> = local4 (20) * 8 + LOG_WARNING (4), Redis's priority for a '#' line.
    assert re.match(r"<164>\w{3} [ \d]\d \d\d:\d\d:\d\d dray\[\d+\]: oO0OoO0OoO0Oo Drayman is "
                    r"starting oO0OoO0OoO0Oo$", first), first


def test_make_run_says_its_port_is_busy_and_stops_nothing():
    root = Path(__file__).resolve().parents[2]
    # install-deps.sh (run by every make target) no longer stops the user's redis-server.
    assert "systemctl stop" not in (root / "tools" / "install-deps.sh").read_text()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        busy = subprocess.run([str(root / "tools" / "check-port.sh"), str(port)],
                              capture_output=True, timeout=30)
        assert busy.returncode == 1
        assert f"port {port} on 127.0.0.1 is already in use".encode() in busy.stderr
        assert b"make run PORT=" in busy.stderr
        planned = subprocess.run(["make", "-n", "run", f"PORT={port}"], cwd=root,
                                 capture_output=True, timeout=30).stdout.decode()
        assert planned.index("check-port.sh") < planned.index("drayman-server")
    free = subprocess.run([str(root / "tools" / "check-port.sh"), str(port)], timeout=30)
    assert free.returncode == 0
