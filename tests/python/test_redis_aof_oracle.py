"""tools/redis_aof_oracle.py: the script that produced the expected bytes of
tests/broker/persistence/propagation_test.cc from redis-server's own AOF.

These tests run it against Debian's redis-server and check a few of the rules the C++ tests rely
on, so the expectations stay reproducible (and a different redis-server would show up here).
Drayman's own stream is compared once the append-only file exists (issue 11).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "redis_aof_oracle.py"


def oracle(*lines: str) -> list[str]:
    """The AOF bytes each line added, as the tool prints them (C++ literals), timestamps masked."""
    args = [sys.executable, str(TOOL)]
    for line in lines:
        args += ["-c", line]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout
    body = out.split("--- whole incremental AOF ---")[0]
    deltas = []
    for line in body.splitlines():
        if line.startswith("> "):
            deltas.append("")
        elif line.startswith("  "):
            deltas[-1] = re.sub(r"\$13\\r\\n1\d{12}", r"$13\\r\\nTS", line.strip().strip('"'))
    return deltas


def test_plain_write_starts_with_select_and_no_op_writes_nothing():
    assert oracle("SET k v", "DEL nokey", "SELECT 1", "SET k v") == [
        r"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
        "",
        "",
        r"*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    ]


def test_relative_times_become_absolute():
    deltas = oracle("SET k v EX 100", "EXPIRE k 100 XX", "EXPIRE k -1")
    assert deltas[1:] == [
        r"*4\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\nTS\r\n$2\r\nXX\r\n",
        r"*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n",
    ]
    assert deltas[0].endswith(r"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\nTS\r\n")


def test_transaction_of_one_write_is_not_wrapped_and_of_two_is():
    deltas = oracle("SET warm 1", "MULTI", "SET a 1", "EXEC", "MULTI", "SET a 1", "SET b 2", "EXEC")
    assert deltas[3] == r"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert deltas[7] == (
        r"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
        r"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n*1\r\n$4\r\nEXEC\r\n"
    )


def test_blocked_pop_is_written_as_rpop_after_the_push():
    deltas = oracle("@waiter BRPOP k 0 &", "LPUSH k a", "!wait waiter")
    assert deltas[1] == (
        r"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$5\r\nLPUSH\r\n$1\r\nk\r\n$1\r\na\r\n"
        r"*2\r\n$4\r\nRPOP\r\n$1\r\nk\r\n"
    )


def test_lazy_expiry_during_a_write_is_wrapped_with_it():
    deltas = oracle("DEBUG SET-ACTIVE-EXPIRE 0", "SET y v PX 50", "!sleep 0.2", "SET y v2")
    assert deltas[3] == (
        r"*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nDEL\r\n$1\r\ny\r\n"
        r"*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$2\r\nv2\r\n*1\r\n$4\r\nEXEC\r\n"
    )
