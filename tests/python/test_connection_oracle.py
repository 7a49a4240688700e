"""Connection and server commands against redis-server 7.0.15, whole replies byte for byte.

Hand-written command lines (redis-cli quoting, as in test_commands_vs_redis.py), each group on a
fresh pair of servers, in RESP2 and RESP3: refusals inside MULTI and from scripts (including
Redis commands Drayman does not implement, which Redis refuses by their flags), COMMAND
GETKEYSANDFLAGS and COMMAND INFO's key specs and tips.
"""

from __future__ import annotations

import pytest

from rawresp import RawConnection, encode
from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches, parse_line, run_group

GROUPS: dict[str, list[str]] = {
    "multi_refusals": [
        "MULTI", "SYNC", "EXEC", "MULTI", "PSYNC ? -1", "SET k v", "EXEC", "GET k",
        "MULTI", "PSYNC ?", "SYNC extra", "DISCARD", "MULTI", "WATCH k", "MULTI", "SAVE",
        "SHUTDOWN NOSAVE", "EXEC",
    ],
    # A master without replicas: WAIT, REPLICAOF/SLAVEOF NO ONE, queued in MULTI and alone.
    "replication_as_master": [
        "SET k v", "MULTI", "WAIT 0 0", "WAIT 1 0", "WAIT x 0", "REPLICAOF no one",
        "SLAVEOF NO ONE", "REPLICAOF host x", "GET k", "EXEC", "WAIT 0 0", "WAIT 0 100",
        "WAIT -1 0", "WAIT x 0", "WAIT 1 x", "WAIT 1 -1", "WAIT 1", "WAIT 1 2 3", "WAIT 1 50",
        "REPLICAOF NO ONE", "SLAVEOF no one", "REPLICAOF h 99999", "REPLICAOF h -1",
        "SLAVEOF h x", "REPLICAOF no", "ROLE", "MULTI", "WAIT 0", "EXEC",
        "COMMAND INFO wait",
    ],
    # No module loaded: MODULE LIST is empty, LOAD/LOADEX/UNLOAD refused by enable-module-command.
    "modules": [
        "MODULE LIST", "MODULE HELP", "MODULE LOAD /nonexistent/module.so",
        "MODULE LOADEX /nonexistent/module.so", "MODULE UNLOAD nosuch", "MODULE UNLOAD",
        "MODULE", "MODULE foo", "MODULE LIST x", "MULTI", "MODULE LIST", "EXEC", "MULTI",
        "MODULE LOAD x", "EXEC", "COMMAND INFO module|list module|help",
    ],
    "script_refusals": [
        "EVAL \"return redis.pcall('sync')\" 0",
        "EVAL \"return redis.pcall('psync', '?', '-1')\" 0",
        "EVAL \"return redis.pcall('psync', '?')\" 0",
        "EVAL \"return redis.pcall('wait', '0', '0')\" 0",
        "EVAL \"return redis.pcall('wait', '0')\" 0",
        "EVAL \"return redis.pcall('replicaof', 'no', 'one')\" 0",
        "EVAL \"return redis.pcall('slaveof', 'no', 'one')\" 0",
        "EVAL \"return redis.pcall('replconf', 'x')\" 0",
        "EVAL \"return redis.pcall('failover')\" 0",
        "EVAL \"return redis.pcall('module', 'list')\" 0",
        "EVAL \"return redis.pcall('module', 'load', 'x')\" 0",
        "EVAL \"return redis.pcall('module', 'unload')\" 0",
        "EVAL \"return redis.pcall('script', 'debug', 'yes')\" 0",
        "EVAL \"return redis.pcall('cluster', 'reset')\" 0",
        "EVAL \"return redis.pcall('multi')\" 0",
        "EVAL \"return redis.pcall('client', 'id')\" 0",
        "EVAL \"return redis.pcall('nosuchcommand')\" 0",
        "EVAL \"return redis.call('sync')\" 0",
        "INFO errorstats",
    ],
    "getkeysandflags": [
        "COMMAND GETKEYSANDFLAGS set a b", "COMMAND GETKEYSANDFLAGS set a b GET",
        "COMMAND GETKEYSANDFLAGS get a", "COMMAND GETKEYSANDFLAGS mset a 1 b 2",
        "COMMAND GETKEYSANDFLAGS lmove a b left right", "COMMAND GETKEYSANDFLAGS sort a store b",
        "COMMAND GETKEYSANDFLAGS sort_ro a", "COMMAND GETKEYSANDFLAGS eval x 0",
        "COMMAND GETKEYSANDFLAGS eval x 2 a b c", "COMMAND GETKEYSANDFLAGS zunionstore d 2 a b",
        "COMMAND GETKEYSANDFLAGS xread count 1 streams a b 0 0",
        "COMMAND GETKEYSANDFLAGS blmpop 0 2 a b left", "COMMAND GETKEYSANDFLAGS del a b c",
        "COMMAND GETKEYSANDFLAGS bitfield k get u8 0", "COMMAND GETKEYSANDFLAGS bitfield k set u8 0 1",
        "COMMAND GETKEYSANDFLAGS rename a b", "COMMAND GETKEYSANDFLAGS object encoding k",
        "COMMAND GETKEYSANDFLAGS get", "COMMAND GETKEYSANDFLAGS nosuch a",
        "COMMAND GETKEYSANDFLAGS ping x", "COMMAND GETKEYSANDFLAGS set a",
        "COMMAND GETKEYSANDFLAGS zunionstore d 0 a", "COMMAND GETKEYS set a b",
        "COMMAND HELP",
    ],
    "command_info_key_specs": [
        "COMMAND INFO set get sort zunionstore xread eval blmpop lmove keys",
        "COMMAND INFO bitfield xreadgroup object|encoding config|get",
        "COMMAND INFO hset hgetall smembers scan randomkey lpos srandmember time",
        "COMMAND INFO command|getkeysandflags command|getkeys",
        "COMMAND INFO nosuch",
    ],
}


@pytest.fixture
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, group, protocol):
    server, oracle = servers
    assert_group_matches(server.port, oracle.port, GROUPS[group], protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_module_commands_when_enabled(protocol):
    """With enable-module-command yes, loading fails and unloading finds nothing, as in Redis."""
    lines = ["MODULE LOAD /nonexistent/module.so", "MODULE LOAD /nonexistent/module.so a b",
             "MODULE LOADEX /nonexistent/module.so CONFIG a b ARGS c", "MODULE UNLOAD nosuch",
             "MODULE LIST", "CONFIG GET enable-module-command"]
    args = ("--enable-module-command", "yes")
    with target_server(*args) as server, RedisProcess(*args) as oracle:
        assert_group_matches(server.port, oracle.port, lines, protocol)


# CLIENT REPLY: each scenario is sent as one pipeline; everything the server writes back up to the
# final ECHO's reply is compared (suppressed replies simply never arrive).
REPLY_SCENARIOS: dict[str, list[str]] = {
    "off_on": ["CLIENT REPLY OFF", "SET k v", "GET k", "NOSUCH", "CLIENT REPLY ON", "GET k"],
    "skip": ["CLIENT REPLY SKIP", "SET k v", "GET k", "CLIENT REPLY SKIP", "NOSUCH", "ECHO a"],
    "skip_twice": ["CLIENT REPLY SKIP", "CLIENT REPLY SKIP", "GET k", "ECHO z"],
    "skip_while_off": ["CLIENT REPLY OFF", "CLIENT REPLY SKIP", "CLIENT REPLY ON", "ECHO b",
                       "ECHO c"],
    "syntax": ["CLIENT REPLY foo", "CLIENT REPLY", "CLIENT REPLY on x", "CLIENT REPLY On"],
    "subscribe_while_off": ["CLIENT REPLY OFF", "SUBSCRIBE ch", "PING", "UNSUBSCRIBE",
                            "PSUBSCRIBE p*", "PUNSUBSCRIBE", "CLIENT REPLY ON"],
    "blocking_while_off": ["RPUSH q 1", "CLIENT REPLY OFF", "BLPOP q 0", "BLPOP nosuch 0.01",
                           "CLIENT REPLY ON", "LLEN q"],
    "errorstats_while_off": ["CONFIG RESETSTAT", "CLIENT REPLY OFF", "NOSUCH", "INCR",
                             "CLIENT REPLY ON", "INFO errorstats"],
}


def run_reply_scenario(port: int, lines: list[str], protocol: int) -> bytes:
    with RawConnection(port) as connection:
        if protocol == 3:
            assert connection.command("HELLO", "3").startswith(b"%")
        connection.send(b"".join(encode(*parse_line(line)[1]) for line in lines))
        connection.send(encode("ECHO", "end-of-scenario"))
        received = b""
        marker = b"end-of-scenario\r\n"
        while not received.endswith(marker):
            reply = connection.read_reply()
            received += reply
        return received


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("scenario", REPLY_SCENARIOS.keys())
def test_client_reply_matches_redis(servers, scenario, protocol):
    server, oracle = servers
    lines = REPLY_SCENARIOS[scenario]
    assert run_reply_scenario(server.port, lines, protocol) == run_reply_scenario(
        oracle.port, lines, protocol)


def test_role_and_lolwut(servers):
    server, oracle = servers
    lines = ["ROLE", "ROLE x", "LOLWUT", "LOLWUT VERSION 7", "LOLWUT VERSION x", "LOLWUT foo",
             "LOLWUT VERSION 1 2 3", "EVAL \"return redis.pcall('role')\" 0",
             "EVAL \"return redis.pcall('lolwut')\" 0", "MULTI", "ROLE", "LOLWUT", "EXEC"]
    for protocol in (2, 3):
        assert run_group(server.port, lines, protocol) == run_group(oracle.port, lines, protocol)
