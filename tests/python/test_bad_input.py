"""Bad input over raw sockets: Drayman must answer with redis-server's exact bytes and stay up.

Each case sends byte chunks on a fresh connection to the server under test and to redis-server
and compares, chunk by chunk, everything each server wrote back and whether it closed the
connection (a protocol error closes only that connection). After every case a second connection
must still get +PONG, and so must the first one when it was left open.
"""

from __future__ import annotations

import pytest

from rawresp import RawConnection, encode
from servers import RedisProcess, target_server

INLINE_MAX = 64 * 1024  # Redis's PROTO_INLINE_MAX_SIZE

CASES = {
    # Unknown commands: multibulk, inline, lower case, long and many arguments.
    "unknown_multibulk": [encode("NOSUCHCMD", "a")],
    "unknown_inline": [b"nosuchcmd a b\r\n"],
    "unknown_no_args": [encode("FOO")],
    "unknown_long_args": [encode("FOO", "x" * 300, "y" * 300, "z")],
    "unknown_many_args": [encode("FOO", *[str(i) for i in range(60)])],
    "unknown_binary_name": [b"\x01\x02\xff\r\n"],
    "unknown_then_ping": [encode("FOO") + encode("PING")],
    # Wrong arity.
    "arity_get_none": [encode("GET")],
    "arity_get_two": [encode("GET", "a", "b")],
    "arity_set_one": [encode("SET", "k")],
    "arity_select": [encode("SELECT")],
    "arity_lpush": [encode("LPUSH", "k")],
    "arity_hset": [encode("HSET", "k", "f")],
    "arity_zadd": [encode("ZADD", "k", "1")],
    "arity_inline": [b"ECHO\r\n"],
    # Garbage that breaks the protocol closes the connection.
    "garbage_multibulk_length": [b"*abc\r\n"],
    "garbage_expected_dollar": [b"*1\r\nxyz\r\n"],
    "garbage_bulk_length": [b"*1\r\n$abc\r\n"],
    "garbage_negative_bulk": [b"*1\r\n$-5\r\n"],
    "garbage_after_valid": [encode("PING") + b"*x\r\n"],
    "garbage_split_chunks": [b"*2\r\n$4\r\nEC", b"HO\r\n$2\r\nhi\r\n*z\r\n"],
    "garbage_dollar_inline": [b"$5\r\nPING\r\n"],
    # Bulk length over proto-max-bulk-len (512 MB).
    "bulk_over_limit": [b"*1\r\n$536870913\r\n"],
    "bulk_far_over_limit": [b"*2\r\n$3\r\nGET\r\n$99999999999\r\n"],
    # Unterminated or misplaced quotes in an inline command.
    "unbalanced_double_quote": [b'SET k "abc\r\n'],
    "unbalanced_single_quote": [b"ECHO 'abc\r\n"],
    "quote_not_followed_by_space": [b"ECHO 'a'b\r\n"],
    # Non-integers where an integer is needed.
    "not_integer_select": [encode("SELECT", "abc")],
    "not_integer_select_float": [encode("SELECT", "1.5")],
    "out_of_range_select": [encode("SELECT", "99")],
    "not_integer_incrby": [encode("INCRBY", "k", "abc")],
    "not_integer_expire": [encode("EXPIRE", "k", "1x")],
    "not_integer_setex": [encode("SETEX", "k", "ten", "v")],
    "not_integer_lrange": [encode("LRANGE", "k", "0", "x")],
    "not_integer_lpop_count": [encode("LPOP", "k", "many")],
    "not_integer_huge": [encode("INCRBY", "k", "99999999999999999999")],
    # Multibulk counts over the limit (INT_MAX), and length lines over 64 KiB.
    "multibulk_count_too_big": [b"*2147483648\r\n"],
    "multibulk_count_negative_huge": [b"*-99999999999\r\n"],
    "multibulk_count_string_too_big": [b"*" + b"1" * (INLINE_MAX + 10)],
    "bulk_count_string_too_big": [b"*1\r\n$" + b"1" * (INLINE_MAX + 10)],
    # Inline lines over 64 KiB without a newline; a long line with one is just a command.
    "huge_inline_line": [b"a" * (INLINE_MAX + 10)],
    "long_inline_command": [b"ECHO " + b"x" * 60000 + b"\r\n"],
}

# With `requirepass x`: what a client may and may not do before AUTH.
AUTH_CASES = {
    "command_before_auth": [encode("GET", "k")],
    "ping_before_auth": [b"PING\r\n"],
    "unknown_before_auth": [encode("NOSUCH")],
    "arity_before_auth": [encode("GET")],
    "hello_before_auth": [encode("HELLO", "3")],
    "wrong_password": [encode("AUTH", "y"), encode("PING")],
    "wrong_user_password": [encode("AUTH", "default", "y")],
    "right_password": [encode("AUTH", "x") + encode("PING")],
    "hello_wrong_auth": [encode("HELLO", "2", "AUTH", "default", "y")],
    "unauthenticated_multibulk": [b"*11\r\n"],
    "unauthenticated_bulk": [b"*1\r\n$16385\r\n"],
    "authenticated_multibulk": [encode("AUTH", "x"),
                                b"*11\r\n" + b"$4\r\nPING\r\n" + b"$1\r\na\r\n" * 10],
}


@pytest.fixture(scope="module")
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


@pytest.fixture(scope="module")
def password_servers():
    with target_server("--requirepass", "x") as server, \
            RedisProcess("--requirepass", "x") as oracle:
        yield server, oracle


def exchange(port: int, chunks: list[bytes]) -> tuple[list[tuple[bytes, bool]], RawConnection]:
    connection = RawConnection(port)
    results = []
    for chunk in chunks:
        try:
            connection.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            results.append((b"", True))
            break
        data, closed = connection.read_all(quiet_s=0.2)
        results.append((data, closed))
        if closed:
            break
    return results, connection


def still_up(port: int, password: str | None = None) -> None:
    with RawConnection(port) as connection:
        if password:
            assert connection.command("AUTH", password) == b"+OK\r\n"
        assert connection.command("PING") == b"+PONG\r\n"


def run_case(servers, chunks, password=None) -> None:
    server, oracle = servers
    want, oracle_connection = exchange(oracle.port, chunks)
    oracle_connection.close()
    got, connection = exchange(server.port, chunks)
    try:
        assert got == want
        if not got[-1][1]:
            # Left open: the same connection still works.
            connection.send(b"PING\r\n")
            reply, _ = connection.read_all(quiet_s=0.2)
            assert reply in (b"+PONG\r\n", b"-NOAUTH Authentication required.\r\n")
    finally:
        connection.close()
    still_up(server.port, password)
    still_up(oracle.port, password)


@pytest.mark.parametrize("chunks", CASES.values(), ids=CASES.keys())
def test_bad_input(servers, chunks):
    run_case(servers, chunks)


@pytest.mark.parametrize("chunks", AUTH_CASES.values(), ids=AUTH_CASES.keys())
def test_bad_input_with_password(password_servers, chunks):
    run_case(password_servers, chunks, password="x")
