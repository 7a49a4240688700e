"""The `cmsgpack` library in scripts against redis-server 7.0.15: the same EVALs must get
byte-identical replies, errors included, from both servers. Hand-picked cases cover every
MessagePack type at its size boundaries, the array/map decision, nesting limits, offsets and
malformed input; then seeded random values are packed, and seeded random byte strings (mutated
packings and noise) are unpacked. Decoded values are packed again so the reply compares them
exactly (floats, maps and nils included)."""

from __future__ import annotations

import random

import pytest

from rawresp import RawConnection, encode

EDGE_CASES = [
    # Integers at every encoding boundary, floats, strings, booleans, nil.
    "return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 2^32 - 1, 2^32, 2^53, 2^62)",
    "return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31 - 1, -2^63)",
    "return cmsgpack.pack(0.5, 1.1, -2.75, 1e300, 1/0, -1/0, 3.4e38, 3.5e38, 2^63, 2^64, -2^64)",
    "return cmsgpack.pack(0/0)",
    "return cmsgpack.pack('', string.rep('a', 31), string.rep('b', 32), string.rep('c', 255))",
    "return cmsgpack.pack(string.rep('d', 256), string.rep('e', 65535), string.rep('f', 65536))",
    "return cmsgpack.pack(true, false, nil)",
    "return cmsgpack.pack(print)",
    "return cmsgpack.pack()",
    # Tables: arrays, maps, holes, key kinds, nesting and cycles.
    "return cmsgpack.pack({1, 2, 3}, {}, {a = 1}, {1, 2, nil, 4}, {[1] = 1, [3] = 3})",
    "return cmsgpack.pack({[0] = 'z', 1}, {[-1] = 1}, {[1.5] = 1}, {[2^40] = 1}, {x = {y = {z = 1}}})",
    "local t = {} for i = 1, 17 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 70000 do t[i] = i % 3 end return #cmsgpack.pack(t)",
    "local t = {} for i = 1, 20 do t['k' .. i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 70000 do t['k' .. i] = i end return #cmsgpack.pack(t)",
    "local t = {} local c = t for i = 1, 30 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
    "local t = {1} t[2] = t return cmsgpack.pack(t)",
    "local t = {a = 1} t.self = t return cmsgpack.pack(t)",
    "return cmsgpack.pack(setmetatable({}, {__index = function() return 1 end}))",
    # unpack and friends: values, offsets, limits.
    "return cmsgpack.unpack(cmsgpack.pack(1, 'two', 3.5, true))",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -2)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 'x')}",
    "return {cmsgpack.unpack()}",
    "return {cmsgpack.unpack('')}",
    "return {cmsgpack.unpack_one('')}",
    # Malformed and unusual input.
    "return {cmsgpack.unpack('\\204')}",
    "return {cmsgpack.unpack('\\196\\1a')}",
    "return {cmsgpack.unpack('\\199\\1\\1a')}",
    "return {cmsgpack.unpack('\\217\\5ab')}",
    "return {cmsgpack.unpack('\\219\\255\\255\\255\\255')}",
    "return {cmsgpack.unpack('\\221\\255\\255\\255\\255')}",
    "return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')}",
    "return {cmsgpack.unpack('\\211\\128\\0\\0\\0\\0\\0\\0\\1')}",
    "return {cmsgpack.unpack('\\209\\255\\1', '\\210\\128\\0\\0\\1')}",
    "return cmsgpack.pack(cmsgpack.unpack('\\202\\127\\192\\0\\0\\203\\127\\240\\0\\0\\0\\0\\0\\1'))",
    "return {pcall(cmsgpack.unpack, string.rep('\\145', 5000) .. '\\1')}",
    "return {pcall(cmsgpack.unpack, string.rep('\\129\\1', 5000) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\1', 10000))}",
    "return cmsgpack._NAME .. ' ' .. cmsgpack._VERSION .. ' ' .. cmsgpack._COPYRIGHT .. ' ' .. "
    "cmsgpack._DESCRIPTION",
    "cmsgpack.pack = nil return 1",
]


def lua_value(rng: random.Random, depth: int = 0) -> str:
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return str(rng.randint(-2**40, 2**40))
    if kind == 1:
        return rng.choice(["0.5", "-1.25", "1e300", "3.14159", "2^63", "-2^63", "1/0", "-7",
                           "65536", "-129", "0"])
    if kind == 2:
        return repr("".join(rng.choice("abxyz") for _ in range(rng.choice([0, 3, 31, 32, 40]))))
    if kind == 3:
        return rng.choice(["true", "false", "nil"])
    if kind in (4, 5):
        return str(rng.randint(-40, 200))
    if kind in (6, 7):
        items = [lua_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
        return "{" + ", ".join(items) + "}"
    pairs = [f"[{lua_value(rng, 5)}] = {lua_value(rng, depth + 1)}"
             for _ in range(rng.randint(1, 4))]
    return "{" + ", ".join(p for p in pairs if not p.startswith("[nil]")) + "}"


def lua_bytes(data: bytes) -> str:
    return "'" + "".join(f"\\{b}" for b in data) + "'"


def random_cases(rng: random.Random) -> list[str]:
    cases = []
    for _ in range(3000):
        values = ", ".join(lua_value(rng) for _ in range(rng.randint(1, 3)))
        cases.append(f"return cmsgpack.pack({values})")
    for _ in range(3000):
        if rng.random() < 0.5:
            data = bytearray(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        else:  # a valid-looking prefix with a byte changed or cut
            data = bytearray(rng.choice([b"\x93\x01\xa1a\xc3", b"\x82\xa1k\x01\xa1v\x92\xc0\xc2",
                                         b"\xcb?\xf0\x00\x00\x00\x00\x00\x00\xcd\x01\x00",
                                         b"\xdc\x00\x02\xd0\x80\xd1\x80\x00"]))
            data[rng.randrange(len(data))] = rng.randrange(256)
            data = data[:rng.randint(1, len(data))]
        cases.append(f"return {{pcall(function() return cmsgpack.pack(cmsgpack.unpack("
                     f"{lua_bytes(bytes(data))})) end)}}")
    return cases


def replies(port: int, scripts: list[str]) -> list[bytes]:
    with RawConnection(port) as conn:
        conn.send(b"".join(encode("EVAL", script, "0") for script in scripts))
        return [conn.read_reply() for _ in scripts]


@pytest.mark.parametrize("group", ["edge", "random"])
def test_cmsgpack_library_replies_match_redis(drayman, oracle, group):
    scripts = EDGE_CASES if group == "edge" else random_cases(random.Random(20261206))
    ours = replies(drayman.port, scripts)
    theirs = replies(oracle.port, scripts)
    differences = [(script[:200], mine[:200], reference[:200])
                   for script, mine, reference in zip(scripts, ours, theirs) if mine != reference]
    assert not differences, differences[:5]
