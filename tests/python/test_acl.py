"""ACL users (broker/acl/) compared with Debian's redis-server 7.0.15.

Each test runs the same command sequence on a fresh Drayman and a fresh redis-server and compares
the raw reply bytes (RESP2 and RESP3). Replies whose order Redis leaves to its hash tables (the
single-command part of a rule description: "+get +set" vs "+set +get") are compared as token sets;
ACL LOG entries are compared field by field except the time-dependent ones.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from rawresp import ConnectionClosed, RawConnection, parse
from servers import DraymanProcess, RedisProcess


@pytest.fixture
def pair():
    with DraymanProcess() as drayman, RedisProcess() as redis_server:
        yield drayman, redis_server


def run(server, commands, protocol=2, user=None):
    """Raw replies of `commands` on one new connection (optionally AUTHed as (name, password))."""
    with RawConnection(server.port) as conn:
        if protocol == 3:
            conn.command("HELLO", "3")
        if user is not None:
            assert conn.command("AUTH", *user) == b"+OK\r\n"
        return [conn.command(*command) for command in commands]


def canonical(value):
    """A parsed reply with rule descriptions as sorted tokens: Redis emits the single commands of
    a description ("+get +set") in its hash tables' order."""
    kind, payload = value
    if isinstance(payload, list):
        return kind, [canonical(item) for item in payload]
    if isinstance(payload, bytes) and payload.startswith((b"+@all", b"-@all", b"user ")):
        return kind, sorted(payload.split())
    return kind, payload


def same(pair, commands, protocol=2, user=None):
    drayman, redis_server = pair
    ours = run(drayman, commands, protocol, user)
    theirs = run(redis_server, commands, protocol, user)
    for command, mine, oracle in zip(commands, ours, theirs):
        if mine != oracle:
            assert canonical(parse(mine)) == canonical(parse(oracle)), command
    return ours


SETUP = [
    ("ACL", "SETUSER", "app", "on", ">secret", "~app:*", "&app:*", "+@all", "-@dangerous"),
    ("ACL", "SETUSER", "reader", "on", "nopass", "%R~*", "+@read", "+@connection"),
    ("ACL", "SETUSER", "writer", "on", ">w", "%W~out:*", "%R~in:*", "+set", "+get", "+lmove",
     "+lpush", "+rpop"),
    ("ACL", "SETUSER", "pub", "on", ">p", "resetchannels", "&news.*", "+publish", "+subscribe",
     "+psubscribe", "+unsubscribe", "+ping"),
]


@pytest.mark.parametrize("protocol", [2, 3])
def test_setuser_getuser_list(pair, protocol):
    commands = SETUP + [
        ("ACL", "USERS"),
        ("ACL", "GETUSER", "writer"),
        ("ACL", "GETUSER", "missing"),
        ("ACL", "SETUSER", "sel", "on", "nopass", "~a", "(+get ~b*)", "(", "+set", "%W~c*", ")"),
        ("ACL", "GETUSER", "sel"),
        ("ACL", "SETUSER", "sel", "clearselectors"),
        ("ACL", "GETUSER", "sel"),
        ("ACL", "SETUSER", "h", "#" + "a" * 64, "!" + "a" * 64, ">x", "<x", ">y", "resetpass"),
        ("ACL", "GETUSER", "h"),
        ("ACL", "SETUSER", "h", "reset"),
        ("ACL", "GETUSER", "h"),
        ("ACL", "SETUSER", "h", "+select|0", "+config|get", "allkeys", "allchannels"),
        ("ACL", "GETUSER", "h"),
        ("ACL", "SETUSER", "h", "allcommands", "-flushall", "nocommands", "+client|id"),
        ("ACL", "GETUSER", "h"),
        ("ACL", "WHOAMI"),
    ]
    same(pair, commands, protocol)
    drayman, redis_server = pair
    # ACL LIST: whole lines; the command part compared as token sets.
    mine = parse(run(drayman, [("ACL", "LIST")], protocol)[0])
    theirs = parse(run(redis_server, [("ACL", "LIST")], protocol)[0])
    assert [sorted(line[1].split()) for line in mine[1]] == \
        [sorted(line[1].split()) for line in theirs[1]]


def test_setuser_errors(pair):
    commands = [
        ("ACL", "SETUSER", "e", "+nosuchcommand"),
        ("ACL", "SETUSER", "e", "+@nosuchcategory"),
        ("ACL", "SETUSER", "e", "bogus"),
        ("ACL", "SETUSER", "e", "allkeys", "~a"),
        ("ACL", "SETUSER", "e", "allchannels", "&a"),
        ("ACL", "SETUSER", "e", "<nothere"),
        ("ACL", "SETUSER", "e", "#abc"),
        ("ACL", "SETUSER", "e", "+config|get|x"),
        ("ACL", "SETUSER", "e", "+get|"),
        ("ACL", "SETUSER", "e", "(+get", "~a"),
        ("ACL", "SETUSER", "e", "(+nosuch)"),
        ("ACL", "SETUSER", "e", "%X~a"),
        ("ACL", "SETUSER", "e", "~a b"),
        ("ACL", "SETUSER", "with space"),
        ("ACL", "USERS"),
        ("ACL", "DELUSER", "default"),
        ("ACL", "DELUSER", "nobody"),
        ("ACL", "DRYRUN", "nobody", "get", "x"),
        ("ACL", "CAT", "nosuch"),
        ("ACL", "GENPASS", "0"),
        ("ACL", "GENPASS", "x"),
        ("ACL", "LOAD"),
        ("ACL", "SAVE"),
        ("ACL", "LOG", "x"),
        ("ACL", "NOSUCH"),
        ("ACL", "HELP"),
        ("AUTH", "x"),
        ("AUTH", "nobody", "x"),
    ]
    same(pair, commands)


def test_permission_errors_and_dryrun(pair):
    commands = SETUP + [
        ("ACL", "DRYRUN", "app", "get", "app:1"),
        ("ACL", "DRYRUN", "app", "get", "other"),
        ("ACL", "DRYRUN", "app", "flushall"),
        ("ACL", "DRYRUN", "app", "publish", "other", "m"),
        ("ACL", "DRYRUN", "reader", "set", "k", "v"),
        ("ACL", "DRYRUN", "reader", "get", "k"),
        ("ACL", "DRYRUN", "writer", "set", "out:1", "v"),
        ("ACL", "DRYRUN", "writer", "set", "out:1", "v", "GET"),
        ("ACL", "DRYRUN", "writer", "get", "out:1"),
        ("ACL", "DRYRUN", "writer", "lmove", "in:1", "out:1", "LEFT", "RIGHT"),
        ("ACL", "DRYRUN", "writer", "lmove", "out:1", "in:1", "LEFT", "RIGHT"),
        ("ACL", "DRYRUN", "pub", "psubscribe", "news.*"),
        ("ACL", "DRYRUN", "pub", "psubscribe", "news.x"),
        ("ACL", "DRYRUN", "pub", "subscribe", "news.x", "sport"),
        ("ACL", "DRYRUN", "app", "get"),
        ("ACL", "DRYRUN", "app", "nosuch"),
    ]
    same(pair, commands)
    checks = [
        ("GET", "app:1"), ("GET", "other"), ("FLUSHALL",), ("CONFIG", "GET", "port"),
        ("MSET", "app:1", "a", "b", "c"), ("PUBLISH", "other", "m"), ("PUBLISH", "app:x", "m"),
        ("EVAL", "return redis.call('get', KEYS[1])", "1", "other"),
        ("EVAL", "return redis.call('get', KEYS[1])", "1", "app:2"),
        ("EVAL", "return redis.pcall('flushall')", "0"),
        ("EVAL", "return redis.call('publish', 'zzz', 'm')", "0"),
        ("MULTI",), ("GET", "other"), ("SET", "app:1", "x"), ("EXEC",),
        ("MULTI",), ("SET", "app:1", "x"), ("EXEC",),
        ("ACL", "WHOAMI"),
    ]
    same(pair, SETUP)
    drayman, redis_server = pair
    ours = run(drayman, checks, user=("app", "secret"))
    theirs = run(redis_server, checks, user=("app", "secret"))
    for command, mine, oracle in zip(checks, ours, theirs):
        assert mine == oracle, command


def log_entries(server):
    """ACL LOG as dicts without the time-dependent age and client-info."""
    entries = []
    for entry in parse(run(server, [("ACL", "LOG")])[0])[1]:
        fields = entry[1]
        item = {fields[i][1]: fields[i + 1][1] for i in range(0, len(fields), 2)}
        assert float(item.pop(b"age-seconds")) >= 0
        info = dict(field.split(b"=", 1) for field in item.pop(b"client-info").split(b" "))
        item[b"cmd"], item[b"user"] = info[b"cmd"], info[b"user"]
        entries.append(item)
    return entries


def test_acl_log_shape(pair):
    drayman, redis_server = pair
    sequences = [
        (None, SETUP),
        (("app", "secret"), [("GET", "nope"), ("GET", "nope"), ("FLUSHALL",),
                             ("PUBLISH", "zz", "m"), ("MULTI",), ("GET", "nope2"), ("DISCARD",),
                             ("EVAL", "return redis.pcall('get', 'luakey')", "0")]),
        (None, [("AUTH", "app", "wrong"), ("AUTH", "ghost", "x"), ("AUTH", "app", "wrong")]),
    ]
    for user, commands in sequences:
        for server in pair:
            run(server, commands, user=user)
    assert log_entries(drayman) == log_entries(redis_server)
    for server in pair:
        assert run(server, [("ACL", "LOG", "RESET"), ("ACL", "LOG")]) == [b"+OK\r\n", b"*0\r\n"]


def test_cat_matches_redis_for_every_category(pair):
    drayman, redis_server = pair
    ours_commands = {item[1] for item in parse(run(drayman, [("COMMAND", "LIST")])[0])[1]}
    categories = parse(run(redis_server, [("ACL", "CAT")])[0])[1]
    assert run(drayman, [("ACL", "CAT")]) == run(redis_server, [("ACL", "CAT")])
    # Every name redis-server knows (each command is in at least one category).
    redis_names = set()
    for _, category in categories:
        redis_names |= {item[1] for item in
                        parse(run(redis_server, [("ACL", "CAT", category)])[0])[1]}
    for _, category in categories:
        mine = {item[1] for item in parse(run(drayman, [("ACL", "CAT", category)])[0])[1]}
        theirs = {item[1] for item in parse(run(redis_server, [("ACL", "CAT", category)])[0])[1]}
        # Restricted to the commands Drayman implements (containers named by their top level).
        theirs = {name for name in theirs if name.split(b"|")[0] in ours_commands}
        # Drayman's Redis 7.2 additions (CLIENT SETINFO, CLIENT NO-TOUCH) are not in 7.0's table.
        mine_known = {name for name in mine if name in redis_names}
        missing_subcommands = {name for name in theirs - mine if b"|" in name}
        assert mine_known - theirs == set(), category
        assert theirs - mine - missing_subcommands == set(), category


def test_auth_hello_and_requirepass(pair):
    commands = SETUP + [
        ("AUTH", "app", "secret"), ("ACL", "WHOAMI"), ("AUTH", "app", "bad"), ("ACL", "WHOAMI"),
        ("HELLO", "2", "AUTH", "writer", "bad"),
        ("ACL", "SETUSER", "app", "off"), ("AUTH", "app", "secret"),
        ("CONFIG", "SET", "requirepass", "pw"), ("ACL", "GETUSER", "default"),
        ("CONFIG", "SET", "requirepass", ""), ("ACL", "GETUSER", "default"),
    ]
    same(pair, commands)
    # HELLO AUTH (the reply's client id differs between the servers).
    for server in pair:
        with RawConnection(server.port) as conn:
            assert conn.command("HELLO", "3", "AUTH", "app", "secret").startswith(b"%7\r\n")
            assert conn.command("ACL", "WHOAMI") == b"$3\r\napp\r\n"


def test_revoked_channel_disconnects_subscriber(pair):
    for server in pair:
        run(server, SETUP)
        with RawConnection(server.port) as subscriber, RawConnection(server.port) as admin:
            assert subscriber.command("AUTH", "pub", "p") == b"+OK\r\n"
            subscriber.command("SUBSCRIBE", "news.today")
            assert admin.command("ACL", "SETUSER", "pub", "&other") == b"+OK\r\n"
            # Still allowed: the subscriber stays.
            assert subscriber.command("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
            assert admin.command("ACL", "SETUSER", "pub", "resetchannels", "&other") == b"+OK\r\n"
            data, closed = subscriber.read_all(quiet_s=1.0)
            assert closed, server.name


def test_deleted_user_disconnects(pair):
    for server in pair:
        run(server, SETUP)
        with RawConnection(server.port) as client, RawConnection(server.port) as admin:
            assert client.command("AUTH", "app", "secret") == b"+OK\r\n"
            assert admin.command("ACL", "DELUSER", "app") == b":1\r\n"
            with pytest.raises((ConnectionClosed, ConnectionResetError)):
                client.command("PING")


def test_aclfile_load_save(pair):
    for server_class in (DraymanProcess, RedisProcess):
        directory = tempfile.mkdtemp(prefix="acl-")
        path = os.path.join(directory, "users.acl")
        with open(path, "w") as acl_file:
            acl_file.write("user default on nopass ~* &* +@all\n"
                           "user celery on >pw ~celery* resetchannels -@all +get\n")
        with server_class("--aclfile", path) as server:
            replies = run(server, [("ACL", "LIST"), ("ACL", "SETUSER", "x", "on", "+ping"),
                                   ("ACL", "SAVE"), ("ACL", "DELUSER", "celery"), ("ACL", "LOAD"),
                                   ("ACL", "USERS")])
            assert replies[2] == b"+OK\r\n" and replies[4] == b"+OK\r\n", server.name
            assert replies[5] == b"*3\r\n$6\r\ncelery\r\n$7\r\ndefault\r\n$1\r\nx\r\n"
            with open(path) as saved:
                lines = saved.read().splitlines()
            assert lines[0] == "user celery on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~celery* resetchannels -@all +get"
            with open(path, "a") as acl_file:
                acl_file.write("user bad on +nosuch\nnot a user line\n")
            error = run(server, [("ACL", "LOAD")])[0]
            assert error.startswith(b"-ERR " + path.encode() + b":4: Error in applying operation")


def test_user_directive_in_config(pair):
    for server_class in (DraymanProcess, RedisProcess):
        with server_class("--user", "worker", "on", ">pw", "~q:*", "+@list") as server:
            replies = run(server, [("AUTH", "worker", "pw"), ("LPUSH", "q:1", "a"),
                                   ("LPUSH", "other", "a"), ("GET", "q:1")])
            assert replies == [b"+OK\r\n", b":1\r\n",
                               b"-NOPERM this user has no permissions to access one of the keys "
                               b"used as arguments\r\n",
                               b"-NOPERM this user has no permissions to run the 'get' command\r\n"]
