"""maxmemory-clients (client eviction) against redis-server 7.0.15.

Modelled on Redis's tests/unit/client-eviction.tcl: each scenario runs on a fresh Drayman and a
fresh redis-server and returns what a user observes (which named connections were closed, replies
that came back, INFO's evicted_clients); the two outcomes must be equal. Memory figures differ
between the servers (their buffers are not the same), so scenarios record only decisions and
comparisons with the limit, never tot-mem itself. Eviction is the server's decision after it read
the bytes, so every wait polls CLIENT LIST with a bounded deadline; no time is asserted.
"""

from __future__ import annotations

import re
import socket
import time

import pytest

from rawresp import ConnectionClosed, RawConnection, encode
from servers import DraymanProcess, RedisProcess

DEADLINE_S = 20.0
MB = 1024 * 1024


def _servers():
    # Redis's reply buffers shrink and grow in its cron, which moves tot-mem; client-eviction.tcl
    # turns that off where it compares sizes. Drayman has no such resizing.
    redis = RedisProcess("--enable-debug-command", "yes")
    ctl = RawConnection(redis.port, timeout=DEADLINE_S)
    assert ctl.command("DEBUG", "REPLYBUFFER", "RESIZING", "0") == b"+OK\r\n"
    ctl.close()
    return [("drayman", DraymanProcess()), ("redis", redis)]


def run_both(scenario) -> None:
    outcomes = {}
    for name, server in _servers():
        with server:
            outcomes[name] = scenario(server.port)
    assert outcomes["drayman"] == outcomes["redis"], outcomes


def client_lines(ctl: RawConnection) -> dict[str, dict[str, str]]:
    reply = ctl.command("CLIENT", "LIST").decode()
    lines = {}
    for line in reply.split("\n"):
        fields = dict(re.findall(r"(\S+?)=(\S*)", line))
        if fields.get("name"):
            lines[fields["name"]] = fields
    return lines


def evicted_clients(ctl: RawConnection) -> int:
    return int(re.search(rb"\r\nevicted_clients:(\d+)\r\n", ctl.command("INFO", "stats")).group(1))


def wait_until(condition, what: str) -> None:
    end = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def named(port: int, name: str) -> RawConnection:
    conn = RawConnection(port, timeout=DEADLINE_S)
    assert conn.command("CLIENT", "SETNAME", name) == b"+OK\r\n"
    return conn


def send_quietly(conn: RawConnection, data: bytes) -> None:
    """Sends what may be cut off by the server closing the connection."""
    try:
        conn.sock.sendall(data)
    except OSError:
        pass


def closed_by_server(conn: RawConnection) -> bool:
    """True once the server closed the connection (EOF or reset), reading whatever came first."""
    conn.sock.settimeout(DEADLINE_S)
    try:
        while True:
            data = conn.sock.recv(1 << 16)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def partial_bulk(size: int, argc: int = 1) -> bytes:
    """A command whose first argument (of `size` bytes) is complete but never followed."""
    return b"*%d\r\n$%d\r\n" % (argc, size) + b"v" * size


def fill_query_buffer(ctl: RawConnection, conn: RawConnection, name: str, size: int,
                      argc: int = 2) -> None:
    send_quietly(conn, partial_bulk(size, argc))
    wait_until(lambda: name not in client_lines(ctl) or
               int(client_lines(ctl)[name]["qbuf"]) >= size, f"{name}'s query buffer")


def gone(ctl: RawConnection, name: str) -> bool:
    wait_until(lambda: name not in client_lines(ctl), f"{name} to be evicted")
    return True


LIMIT = 3_000_000
SLACK = 16 * 1024


def test_large_argv():
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        victim = named(port, "victim")
        small = victim.command("MSET", "k", "v", "k2", "v" * 1_000_000)
        value = victim.command("GET", "k")
        send_quietly(victim, encode("MSET", "k", "v", "k2", "v" * LIMIT))
        return [small, value, gone(ctl, "victim"), closed_by_server(victim), evicted_clients(ctl),
                sorted(client_lines(ctl))]
    run_both(scenario)


def test_large_query_buffer():
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        victim = named(port, "victim")
        send_quietly(victim, partial_bulk(LIMIT))
        return [gone(ctl, "victim"), closed_by_server(victim), evicted_clients(ctl)]
    run_both(scenario)


def test_percent_of_maxmemory():
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CLIENT", "NO-EVICT", "on")
        maxmemory = 6 * MB
        ctl.command("CONFIG", "SET", "maxmemory", str(maxmemory))
        reply = ctl.command("CONFIG", "SET", "maxmemory-clients", "7%")
        got = ctl.command("CONFIG", "GET", "maxmemory-clients")
        actual = maxmemory * 7 // 100
        half = named(port, "half")
        fill_query_buffer(ctl, half, "half", actual // 2, argc=1)
        fields = client_lines(ctl)["half"]
        under = actual // 2 <= int(fields["tot-mem"]) < actual
        half.close()
        wait_until(lambda: "half" not in client_lines(ctl), "half to disconnect")
        full = named(port, "full")
        send_quietly(full, partial_bulk(actual))
        outcome = [reply, got, under, gone(ctl, "full"), closed_by_server(full),
                   evicted_clients(ctl)]
        ctl.command("CONFIG", "SET", "maxmemory", "0")
        return outcome
    run_both(scenario)


def test_large_multi_queue():
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        victim = named(port, "victim")
        quarter = "v" * (LIMIT // 4)
        replies = [victim.command("MULTI"), victim.command("SET", "k", quarter),
                   victim.command("SET", "k", quarter), victim.command("EXEC")]
        replies.append(victim.command("MULTI"))
        evicted_after = None
        for j in range(5):
            try:
                replies.append(victim.command("SET", "k", quarter))
            except (ConnectionClosed, OSError):
                evicted_after = j
                break
        return [replies, evicted_after is not None, gone(ctl, "victim"), evicted_clients(ctl)]
    run_both(scenario)


@pytest.mark.parametrize("subscribe", ["WATCH", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"])
def test_many_watched_keys_or_subscriptions(subscribe):
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", "200000")
        victim = named(port, "victim")
        evicted = False
        for j in range(200_000):
            try:
                victim.command(subscribe, str(j))
            except (ConnectionClosed, OSError):
                evicted = True
                break
        return [evicted, gone(ctl, "victim"), evicted_clients(ctl)]
    run_both(scenario)


def test_large_output_buffer():
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        ctl.command("SETRANGE", "k", "200000", "v")
        victim = named(port, "victim")
        first = len(victim.command("GET", "k"))
        below_limit_while_connected = True
        for _ in range(2000):
            lines = client_lines(ctl)
            if "victim" not in lines:
                break
            below_limit_while_connected &= int(lines["victim"]["tot-mem"]) < LIMIT
            send_quietly(victim, encode("GET", "k"))
        return [first, below_limit_while_connected, "victim" not in client_lines(ctl),
                evicted_clients(ctl)]
    run_both(scenario)


@pytest.mark.parametrize("no_evict", ["on", "off"])
def test_no_evict_protects(no_evict):
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CLIENT", "NO-EVICT", "on")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        victim = named(port, "victim")
        reply = victim.command("CLIENT", "NO-EVICT", no_evict)
        send_quietly(victim, partial_bulk(LIMIT + 1))
        if no_evict == "on":
            wait_until(lambda: int(client_lines(ctl)["victim"]["qbuf"]) >= LIMIT + 1,
                       "victim's query buffer")
            over = int(client_lines(ctl)["victim"]["tot-mem"]) > LIMIT
            return [reply, over, "victim" in client_lines(ctl), evicted_clients(ctl)]
        return [reply, gone(ctl, "victim"), closed_by_server(victim), evicted_clients(ctl)]
    run_both(scenario)


def test_no_evict_off_evicts():
    # A protected client over the limit is evicted as soon as it turns CLIENT NO-EVICT off.
    def scenario(port):
        ctl = named(port, "control")
        ctl.command("CLIENT", "NO-EVICT", "on")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(LIMIT))
        ctl.command("SETRANGE", "k", str(MB), "v")
        victim = named(port, "victim")
        victim.command("CLIENT", "NO-EVICT", "on")
        for _ in range(200):  # replies pile up in the server: the victim reads none
            send_quietly(victim, encode("GET", "k"))
            if int(client_lines(ctl)["victim"]["tot-mem"]) > LIMIT:
                break
        over = int(client_lines(ctl)["victim"]["tot-mem"]) > LIMIT
        still = "victim" in client_lines(ctl)
        send_quietly(victim, encode("CLIENT", "NO-EVICT", "off"))
        return [over, still, gone(ctl, "victim"), evicted_clients(ctl)]
    run_both(scenario)


def test_lowering_the_limit_evicts_at_once():
    def scenario(port):
        limit = 4 * MB
        count = 10
        size = (limit - MB) // count
        ctl = named(port, "control")
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(limit))
        conns = [named(port, f"client{j}") for j in range(count)]
        for j, conn in enumerate(conns):
            fill_query_buffer(ctl, conn, f"client{j}", size)
        before = sum(name.startswith("client") for name in client_lines(ctl))
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(limit // 2))
        wait_until(lambda: evicted_clients(ctl) > 0, "an eviction")
        lines = client_lines(ctl)
        after = sum(name.startswith("client") for name in lines)
        total = sum(int(fields["tot-mem"]) for fields in lines.values())
        return [before, 0 < after < count, total < limit // 2]
    run_both(scenario)


def test_evicts_only_until_below_the_limit():
    def scenario(port):
        count = 10
        ctl = named(port, "control")
        ctl.command("CLIENT", "NO-EVICT", "on")
        conns = [named(port, f"client{j}") for j in range(count)]
        for j, conn in enumerate(conns):
            fill_query_buffer(ctl, conn, f"client{j}", MB)
        lines = client_lines(ctl)
        sizes = [int(lines[f"client{j}"]["tot-mem"]) for j in range(count)]
        assert max(sizes) / min(sizes) < 1.01, sizes
        # Room for the control connection's own buffers moving by a few bytes between its CLIENT
        # LIST and its CONFIG SET (SLACK is far below one client's megabyte).
        limit = max(sizes) * count // 2 + int(lines["control"]["tot-mem"]) + SLACK
        ctl.command("CONFIG", "SET", "maxmemory-clients", str(limit))
        wait_until(lambda: evicted_clients(ctl) >= count // 2, "evictions")
        lines = client_lines(ctl)
        left = sum(name.startswith("client") for name in lines)
        total = sum(int(fields["tot-mem"]) for fields in lines.values())
        return [left, total <= limit, evicted_clients(ctl)]
    run_both(scenario)


def test_evicts_largest_first():
    def scenario(port):
        sizes = [128 * 1024, MB, 3 * MB]
        per_size = 3
        ctl = named(port, "control")
        ctl.command("CLIENT", "NO-EVICT", "on")
        conns = []
        measured = []
        for i, size in enumerate(sizes):
            for j in range(per_size):
                name = f"client-{i}-{j}"
                conn = named(port, name)
                conns.append(conn)
                fill_query_buffer(ctl, conn, name, size)
            lines = client_lines(ctl)
            measured.append(max(int(lines[f"client-{i}-{j}"]["tot-mem"]) for j in range(per_size)))
        total = sum(per_size * size for size in measured)
        counts = []
        evicted = []
        for i in reversed(range(len(sizes))):
            total -= per_size * measured[i]
            control = int(client_lines(ctl)["control"]["tot-mem"])
            ctl.command("CONFIG", "SET", "maxmemory-clients", str(total + control + SLACK))
            expected = per_size * (len(sizes) - i)
            wait_until(lambda: evicted_clients(ctl) >= expected, "evictions")
            lines = client_lines(ctl)
            counts.append([sum(name.startswith(f"client-{k}-") for name in lines)
                           for k in range(len(sizes))])
            evicted.append(evicted_clients(ctl))
        return [counts, evicted]
    run_both(scenario)


def test_limit_off_by_default_and_config_forms():
    def scenario(port):
        ctl = named(port, "control")
        replies = [ctl.command("CONFIG", "GET", "maxmemory-clients")]
        for value in ["10%", "0", "1mb", "100%", "101%", "-1", "abc", "0"]:
            replies.append(ctl.command("CONFIG", "SET", "maxmemory-clients", value))
            replies.append(ctl.command("CONFIG", "GET", "maxmemory-clients"))
        big = named(port, "big")
        fill_query_buffer(ctl, big, "big", 2 * MB)
        return [replies, "big" in client_lines(ctl), evicted_clients(ctl)]
    run_both(scenario)
