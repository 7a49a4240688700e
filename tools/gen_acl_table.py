#!/usr/bin/env python3
"""Generate broker/acl/redis_command_acl.cc from Debian's redis-server 7.0.15.

Every command and subcommand of redis-server gets one row: its ACL categories (COMMAND INFO's
categories, as a bit set in acl.c's order) and its key specs (begin_search / find_keys / flags),
which the ACL uses to find keys and whether each is read or written. Drayman's command table is
not touched: the engine looks its commands up in this table by full name ("config|get").

    .venv/bin/python tools/gen_acl_table.py            # writes broker/acl/redis_command_acl.cc

Needs redis-server (7.0.15) on PATH and redis-py; starts it on a free 127.0.0.1 port and stops it.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "broker" / "acl" / "redis_command_acl.cc"

# acl.c's ACLCommandCategories order: bit i is category i.
CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
              "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
              "dangerous", "connection", "transaction", "scripting"]

# Key spec flags COMMAND INFO names, mapped to Drayman's KeySpecFlag names.
KEY_FLAGS = {"RO": "kKeyRO", "RW": "kKeyRW", "OW": "kKeyOW", "RM": "kKeyRM",
             "access": "kKeyAccess", "update": "kKeyUpdate", "insert": "kKeyInsert",
             "delete": "kKeyDelete", "not_key": "kKeyNotKey", "incomplete": "kKeyIncomplete",
             "variable_flags": "kKeyVariableFlags"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def to_dict(pairs):
    if isinstance(pairs, dict):
        return {k.decode() if isinstance(k, bytes) else k: v for k, v in pairs.items()}
    return {pairs[i].decode(): pairs[i + 1] for i in range(0, len(pairs), 2)}


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def key_spec_row(spec) -> str:
    spec = to_dict(spec)
    flags = [KEY_FLAGS[text(f)] for f in spec.get("flags", [])]
    begin = to_dict(spec["begin_search"])
    find = to_dict(spec["find_keys"])
    begin_type = text(begin["type"])
    begin_spec = to_dict(begin["spec"]) if begin.get("spec") else {}
    if begin_type == "index":
        begin_row = f"KeySpec::kIndex, {int(begin_spec['index'])}, {{}}"
    elif begin_type == "keyword":
        begin_row = (f"KeySpec::kKeyword, {int(begin_spec['startfrom'])}, "
                     f"\"{text(begin_spec['keyword'])}\"")
    else:
        begin_row = "KeySpec::kUnknownBegin, 0, {}"
    find_type = text(find["type"])
    find_spec = to_dict(find["spec"]) if find.get("spec") else {}
    if find_type == "range":
        find_row = (f"KeySpec::kRange, {int(find_spec['lastkey'])}, {int(find_spec['keystep'])}, "
                    f"{int(find_spec['limit'])}")
    elif find_type == "keynum":
        find_row = (f"KeySpec::kKeynum, {int(find_spec['keynumidx'])}, "
                    f"{int(find_spec['firstkey'])}, {int(find_spec['keystep'])}")
    else:
        find_row = "KeySpec::kUnknownFind, 0, 0, 0"
    flag_expr = " | ".join(flags) if flags else "0"
    notes = f", {c_string(text(spec['notes']))}" if spec.get("notes") else ""
    return f"{{{flag_expr}, {begin_row}, {find_row}{notes}}}"


def c_string(value: str) -> str:
    return json.dumps(value)  # printable ASCII: JSON's escapes are C's


def rows_for(info, parent: str | None, out: list) -> None:
    name = text(info[0])
    full = name if parent is None else name  # subcommand names already read "config|get"
    categories = [text(c).lstrip("@") for c in info[6]]
    bits = 0
    for category in categories:
        bits |= 1 << CATEGORIES.index(category)
    specs = [key_spec_row(s) for s in info[8]] if len(info) > 8 else []
    tips = [c_string(text(t)) for t in info[7]] if len(info) > 7 else []
    out.append((full.lower(), bits, specs, tips))
    if len(info) > 9:
        for sub in info[9]:
            rows_for(sub, full, out)


def main() -> int:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="acl-gen-")
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, protocol=2)
        client.response_callbacks.pop("COMMAND", None)  # the raw reply, not redis-py's summary
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)
        version = text(to_dict(client.execute_command("HELLO", "2"))["version"])
        infos = client.execute_command("COMMAND")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    rows: list = []
    for info in infos:
        rows_for(info, None, rows)
    rows.sort()
    lines = [
        f"// GENERATED by tools/gen_acl_table.py from redis-server {version}'s COMMAND output: do",
        "// not edit. Every Redis command and subcommand: ACL categories (bits in acl.c's order)",
        "// and key specs (with their notes) and tips. Regenerate with `.venv/bin/python tools/gen_acl_table.py`.",
        "// clang-format off",
        '#include "broker/acl/redis_command_acl.h"',
        "",
        "namespace drayman::acl {",
        "",
        f'const char kRedisTableVersion[] = "{version}";',
        "",
        "const std::vector<RedisCommandAcl>& RedisCommandAclTable() {",
        "  static const std::vector<RedisCommandAcl> table = {",
    ]
    for name, bits, specs, tips in rows:
        spec_text = ", ".join(specs)
        tip_text = f", {{{', '.join(tips)}}}" if tips else ""
        lines.append(f'      {{"{name}", 0x{bits:x}, {{{spec_text}}}{tip_text}}},')
    lines += ["  };", "  return table;", "}", "", "}  // namespace drayman::acl", "// clang-format on",
              ""]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines))
    print(f"wrote {len(rows)} rows to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
