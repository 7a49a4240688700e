"""CLIENT PAUSE / CLIENT UNPAUSE against redis-server 7.0.15, with several connections.

Each scenario is a list of steps over named connections (a, b, c, d), run on a fresh Drayman and
a fresh redis-server, in RESP2 and RESP3; the transcripts (every reply's raw bytes, and what was
observed about held commands) must be equal. Whether a command was held is decided without
guessing at time where Redis allows it: the step waits until either its reply arrives ("ran") or
a control connection sees INFO's blocked_clients reach the expected count ("held"). Under an ALL
pause every connection is held, so those scenarios pause for a couple of seconds and check that
nothing arrived within a short wait, then that the reply comes once the pause times out.
The single-connection texts (errors, COMMAND INFO) are compared with assert_group_matches.
"""

from __future__ import annotations

import hashlib
import re
import select
import time

import pytest

from rawresp import RawConnection, encode
from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches, split_args

DEADLINE_S = 10.0


def _has_data(connection: RawConnection, wait_s: float) -> bool:
    if connection.buffer:
        return True
    readable, _, _ = select.select([connection.sock], [], [], wait_s)
    return bool(readable)


def _info_field(connection: RawConnection, section: str, field: str) -> bytes:
    reply = connection.command("INFO", section)
    match = re.search(rb"\r\n" + field.encode() + rb":([^\r]*)\r\n", reply)
    assert match, reply
    return match.group(1)


def _client_line_fields(connection: RawConnection, client_id: bytes, *fields: str) -> list:
    reply = connection.command("CLIENT", "LIST", "ID", client_id)
    values = []
    for field in fields:
        match = re.search(rb"(?:^|[ \n])" + field.encode() + rb"=(\S*)", reply)
        values.append(match.group(1) if match else None)
    return values


def run_scenario(port: int, protocol: int, steps: list[tuple]) -> list:
    """Runs the steps; returns the transcript. Steps:

    ("send", name, line)          send a command, read nothing
    ("cmd", name, line)           send a command and read its reply
    ("reply", name)               read the next reply of a connection (waits up to 10 s)
    ("outcome", name, ctl, n)     after a send: "ran" + the reply if it arrives first, or "held"
                                  once connection `ctl` sees blocked_clients == n (n must be one
                                  more than before, or a command that ran could look held)
    ("settle", name)              after an outcome: reads the held command's reply, if it was held
    ("blocked", ctl, n)           wait until `ctl` sees blocked_clients == n; records it
    ("nothing", name, wait_s)     records what arrives within wait_s (nothing, when held)
    ("flags", ctl, name)          the flags= and cmd= fields of `name`'s CLIENT LIST line
    ("info", ctl, section, field) one INFO field
    ("sleep", seconds)            lets server time pass (expiry)
    """
    connections: dict[str, RawConnection] = {}
    ids: dict[str, bytes] = {}
    held: dict[str, bool] = {}
    transcript: list = []

    def connection(name: str) -> RawConnection:
        if name not in connections:
            conn = RawConnection(port, timeout=DEADLINE_S)
            if protocol == 3:
                assert conn.command("HELLO", "3").startswith(b"%")
            ids[name] = conn.command("CLIENT", "ID")[1:-2]
            connections[name] = conn
        return connections[name]

    try:
        for step in steps:
            kind = step[0]
            if kind == "send":
                connection(step[1]).send(encode(*split_args(step[2])))
            elif kind == "cmd":
                conn = connection(step[1])
                conn.send(encode(*split_args(step[2])))
                transcript.append((step[2], conn.read_reply()))
            elif kind == "reply":
                transcript.append(("reply " + step[1], connection(step[1]).read_reply()))
            elif kind == "outcome":
                conn, control, count = connection(step[1]), connection(step[2]), step[3]
                deadline = time.monotonic() + DEADLINE_S
                while True:
                    if _has_data(conn, 0.01):
                        transcript.append(("outcome " + step[1], "ran", conn.read_reply()))
                        held[step[1]] = False
                        break
                    if int(_info_field(control, "clients", "blocked_clients")) == count:
                        transcript.append(("outcome " + step[1], "held"))
                        held[step[1]] = True
                        break
                    assert time.monotonic() < deadline, "neither a reply nor a held client"
            elif kind == "settle":
                if held.pop(step[1]):
                    transcript.append(("settle " + step[1], connection(step[1]).read_reply()))
            elif kind == "blocked":
                control, count = connection(step[1]), step[2]
                deadline = time.monotonic() + DEADLINE_S
                while int(_info_field(control, "clients", "blocked_clients")) != count:
                    assert time.monotonic() < deadline, f"blocked_clients never reached {count}"
                    time.sleep(0.01)
                transcript.append(("blocked", count))
            elif kind == "nothing":
                conn = connection(step[1])
                arrived = _has_data(conn, step[2])
                transcript.append(("nothing " + step[1], conn.read_reply() if arrived else None))
            elif kind == "flags":
                control, name = connection(step[1]), step[2]
                connection(name)
                transcript.append(("flags " + name,
                                   _client_line_fields(control, ids[name], "flags", "cmd")))
            elif kind == "info":
                transcript.append((step[2], _info_field(connection(step[1]), step[2], step[3])))
            elif kind == "sleep":
                time.sleep(step[1])
            else:
                raise ValueError(step)
    finally:
        for conn in connections.values():
            conn.close()
    return transcript


# --- scenarios ------------------------------------------------------------------------------

PAUSE_WRITE = "CLIENT PAUSE 100000 WRITE"
NO_WRITES_SCRIPT = "#!lua flags=no-writes\nreturn 3"
NO_WRITES_SHA = hashlib.sha1(NO_WRITES_SCRIPT.encode()).hexdigest()

SCENARIOS: dict[str, list[tuple]] = {
    # Reads run, the write is held with its pipeline, INFO and CLIENT LIST show it as blocked.
    "write_pause_holds_writes_reads_run": [
        ("cmd", "a", "SET k old"),
        ("cmd", "b", "PING"),
        ("cmd", "a", PAUSE_WRITE),
        ("send", "b", "SET k new"),
        ("outcome", "b", "a", 1),
        ("send", "b", "GET k"),
        ("cmd", "a", "GET k"),
        ("cmd", "c", "GET k"),
        ("cmd", "c", "EXISTS k"),
        ("info", "a", "clients", "blocked_clients"),
        ("info", "a", "clients", "clients_in_timeout_table"),
        ("flags", "a", "b"),
        ("nothing", "b", 0.1),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "b"),
        ("reply", "b"),
        ("info", "a", "clients", "blocked_clients"),
        ("flags", "a", "b"),
    ],
    # Held clients run their commands in the order they were held, each with its pipeline.
    "unpause_releases_in_order": [
        ("cmd", "a", PAUSE_WRITE),
        ("send", "d", "RPUSH l d"),
        ("outcome", "d", "a", 1),
        ("send", "b", "RPUSH l b"),
        ("send", "b", "RPUSH l b2"),
        ("outcome", "b", "a", 2),
        ("send", "c", "RPUSH l c"),
        ("outcome", "c", "a", 3),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "d"), ("reply", "b"), ("reply", "b"), ("reply", "c"),
        ("cmd", "a", "LRANGE l 0 -1"),
    ],
    # The timeout ends the pause; a shorter pause does not shorten it.
    "timeout_ends_pause": [
        ("cmd", "a", "CLIENT PAUSE 400 WRITE"),
        ("cmd", "a", "CLIENT PAUSE 10 WRITE"),
        ("sleep", 0.1),
        ("send", "b", "SET k v"),
        ("outcome", "b", "a", 1),
        ("reply", "b"),
        ("cmd", "b", "GET k"),
    ],
    # A stronger pause replaces a weaker one; PAUSE 0 strengthens the running pause.
    "pause_zero_strengthens": [
        ("cmd", "a", "CLIENT PAUSE 0 WRITE"),
        ("cmd", "b", "SET k v"),
        ("cmd", "a", "CLIENT PAUSE 1500 WRITE"),
        ("cmd", "b", "GET k"),
        ("cmd", "a", "CLIENT PAUSE 0 ALL"),
        ("send", "b", "GET k"),
        ("nothing", "b", 0.2),
        ("reply", "b"),
    ],
    # Under ALL every command waits, the pausing client's own CLIENT UNPAUSE included.
    "all_pause_holds_everything": [
        ("cmd", "a", "SET k v"),
        ("cmd", "b", "PING"),
        ("cmd", "c", "PING"),
        ("cmd", "a", "CLIENT PAUSE 1500 ALL"),
        ("send", "b", "GET k"),
        ("send", "b", "PING"),
        ("send", "a", "CLIENT UNPAUSE"),
        ("send", "c", "CLIENT UNPAUSE"),
        ("nothing", "b", 0.3),
        ("nothing", "a", 0.05),
        ("reply", "b"), ("reply", "b"), ("reply", "a"), ("reply", "c"),
        ("cmd", "a", "INFO keyspace"),
    ],
    # EVAL/EVALSHA/FCALL unless declared no-writes, PUBLISH, PFCOUNT are held by WRITE.
    "write_pause_may_replicate": [
        ("cmd", "a", "FUNCTION LOAD \"#!lua name=lib\\nredis.register_function{function_name="
                     "'ro', callback=function() return 1 end, flags={'no-writes'}}\\n"
                     "redis.register_function('rw', function() return 2 end)\""),
        ("cmd", "a", "PFADD h a b c"),
        ("cmd", "a", "SCRIPT LOAD \"#!lua flags=no-writes\nreturn 3\""),
    ] + [
        step
        for line in [
            "EVAL \"return 1\" 0", "EVAL \"#!lua\\nreturn 1\" 0",
            "EVAL \"#!lua flags=no-writes\\nreturn 1\" 0", "EVAL_RO \"return 1\" 0",
            f"EVALSHA {NO_WRITES_SHA} 0", "EVALSHA 0000000000000000000000000000000000000000 0",
            "FCALL ro 0", "FCALL rw 0", "FCALL_RO ro 0", "FCALL nosuch 0", "PUBLISH ch m",
            "PFCOUNT h", "DEL k", "GET k", "INCR n", "BLPOP q 0.01", "SCRIPT EXISTS x",
            "OBJECT ENCODING h", "SUBSCRIBE ch",
        ]
        for step in [
            ("cmd", "a", PAUSE_WRITE),
            ("send", "b", line),
            ("outcome", "b", "a", 1),
            ("cmd", "a", "CLIENT UNPAUSE"),
            ("settle", "b"),
            ("blocked", "a", 0),
        ]
    ],
    # MULTI: a write is held before it is queued; EXEC of a queue holding a write is held, a
    # read-only EXEC runs.
    "write_pause_and_multi": [
        ("cmd", "b", "MULTI"),
        ("cmd", "b", "SET k v"),
        ("cmd", "c", "MULTI"),
        ("cmd", "c", "GET k"),
        ("cmd", "a", PAUSE_WRITE),
        ("send", "b", "EXEC"),
        ("outcome", "b", "a", 1),
        ("cmd", "c", "EXEC"),
        ("cmd", "c", "MULTI"),
        ("send", "c", "SET x y"),
        ("outcome", "c", "a", 2),
        ("cmd", "d", "MULTI"),
        ("cmd", "d", "PING"),
        ("cmd", "d", "EXEC"),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "b"),
        ("reply", "c"),
        ("cmd", "c", "EXEC"),
        ("cmd", "a", "MULTI"),
        ("cmd", "a", PAUSE_WRITE),
        ("cmd", "a", "SET in_exec 1"),
        ("cmd", "a", "EXEC"),
        ("send", "b", "SET after 1"),
        ("outcome", "b", "a", 1),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "b"),
    ],
    # A blocked client's unblocking write waits for the pause; then it is served.
    "blocked_clients_wait": [
        ("send", "b", "BLPOP q 0"),
        ("blocked", "a", 1),
        ("cmd", "a", PAUSE_WRITE),
        ("send", "c", "LPUSH q x"),
        ("outcome", "c", "a", 2),
        ("nothing", "b", 0.1),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "c"),
        ("reply", "b"),
    ],
    # CLIENT LIST flags of a held client with other flags set (no-evict, MULTI).
    "held_client_flags": [
        ("cmd", "b", "CLIENT NO-EVICT on"),
        ("cmd", "b", "MULTI"),
        ("flags", "a", "b"),
        ("cmd", "a", PAUSE_WRITE),
        ("send", "b", "SET k v"),
        ("outcome", "b", "a", 1),
        ("flags", "a", "b"),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("reply", "b"),
        ("cmd", "b", "EXEC"),
        ("cmd", "b", "CLIENT NO-EVICT off"),
        ("flags", "a", "b"),
    ],
    # Expired keys read as missing but are not deleted while paused (no sweep either).
    "expiry_suppressed": [
        ("cmd", "a", "SET k v PX 300"),
        ("cmd", "a", "SET keep v"),
        ("cmd", "a", PAUSE_WRITE),
        ("sleep", 0.6),
        ("cmd", "a", "GET k"),
        ("cmd", "a", "EXISTS k"),
        ("cmd", "a", "TTL k"),
        ("cmd", "a", "DBSIZE"),
        ("info", "a", "stats", "expired_keys"),
        ("cmd", "a", "CLIENT UNPAUSE"),
        ("cmd", "a", "GET k"),
        ("cmd", "a", "DBSIZE"),
        ("info", "a", "stats", "expired_keys"),
    ],
}


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("scenario", SCENARIOS.keys())
def test_scenario_matches_redis(scenario, protocol):
    steps = SCENARIOS[scenario]
    with target_server() as server, RedisProcess() as oracle:
        want = run_scenario(oracle.port, protocol, steps)
        got = run_scenario(server.port, protocol, steps)
    assert got == want


GROUPS: dict[str, list[str]] = {
    "pause_errors": [
        "CLIENT PAUSE", "CLIENT PAUSE abc", "CLIENT PAUSE -1", "CLIENT PAUSE 10 foo",
        "CLIENT PAUSE abc foo", "CLIENT PAUSE 10 write all", "CLIENT PAUSE 1.5",
        "CLIENT PAUSE 99999999999999999999", "CLIENT UNPAUSE x", "CLIENT UNPAUSE",
        "CLIENT PAUSE 0", "CLIENT PAUSE 0 write", "CLIENT PAUSE 0 ALL", "PING",
        "CLIENT PAUSE 9223372036854775807 WRITE", "SET k v", "CLIENT UNPAUSE",
        "MULTI", "CLIENT PAUSE 0", "CLIENT UNPAUSE", "EXEC",
        "EVAL \"return redis.pcall('client', 'pause', '0')\" 0",
    ],
    "client_no_evict": [
        "CLIENT NO-EVICT on", "CLIENT NO-EVICT OFF", "CLIENT NO-EVICT maybe", "CLIENT NO-EVICT",
        "CLIENT NO-EVICT on x", "CLIENT NO-EVICT ON", "COMMAND INFO client|no-evict",
    ],
    "pause_command_info": [
        "COMMAND INFO client|pause client|unpause",
        "COMMAND INFO eval evalsha eval_ro fcall fcall_ro publish spublish pfcount",
    ],
}


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(group, protocol):
    with target_server() as server, RedisProcess() as oracle:
        assert_group_matches(server.port, oracle.port, GROUPS[group], protocol)
