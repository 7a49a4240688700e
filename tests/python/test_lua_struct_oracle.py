"""The `struct` library in scripts against redis-server 7.0.15: the same EVALs (hand-picked edge
cases, then a seeded random mix of formats and values) must get byte-identical replies, errors
included, from both servers. Packed bytes are returned whole, unpacked values as an array (numbers
through tostring, so float formatting is compared too)."""

from __future__ import annotations

import random

import pytest

from rawresp import RawConnection, encode

EDGE_CASES = [
    # pack: every option, both endians, alignment, padding, strings.
    "return struct.pack('bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7)",
    "return struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7)",
    "return struct.pack('<i1i2i3i5i7i8i9i16I32', -1, -2, -3, -5, -7, -8, -9, -16, 32)",
    "return struct.pack('>i3I5i9i16', -3, 2^33, -9, 2^60)",
    "return struct.pack('!4bi', 1, 2)",
    "return struct.pack('!bxhxxd', 1, 2, 0.5)",
    "return struct.pack('!8 b d', 1, 2.25)",
    "return struct.pack('!3i', 1)",
    "return struct.pack('!0i', 1)",
    "return struct.pack('!bi3', 1, 2)",
    "return struct.pack('fd>fd', 1.5, -2.25, 3.5, 1e300)",
    "return struct.pack('c3', 'abcdef')",
    "return struct.pack('c0', 'whole')",
    "return struct.pack('c5', 'ab')",
    "return struct.pack('s', 'zero\\0inside')",
    "return struct.pack('sc2s', 'a', 'bc', '')",
    "return struct.pack('i', '42')",
    "return struct.pack('i', 'x')",
    "return struct.pack('i')",
    "return struct.pack('c', 7)",
    "return struct.pack('z', 1)",
    "return struct.pack('i33', 1)",
    "return struct.pack('i99999999999', 1)",
    "return struct.pack('!99999999999', 1)",
    "return struct.pack('I', -1)",
    "return struct.pack('L', 2^64)",
    "return struct.pack('L', 2^63)",
    "return struct.pack('l', -2^63)",
    "return struct.pack('l', -2^64)",
    "return struct.pack('l', 2^70)",
    "return struct.pack('i', 0/0)",
    "return struct.pack('l', 0/0)",
    "return struct.pack('L', 0/0)",
    "return struct.pack('f', 3.5e38)",
    "return struct.pack('f', 3.4028235677973366e38)",
    "return struct.pack('>f', -1e300)",
    "return struct.pack('i', 1/0)",
    "return struct.pack('i', -1/0)",
    "return struct.pack('i', 1.9)",
    "return struct.pack('i', -1.9)",
    "return struct.pack(nil)",
    "return struct.pack('')",
    # unpack: offsets, c0, s, errors.
    "return {struct.unpack('bBhH', struct.pack('bBhH', -1, 255, -2, 65535))}",
    "return {struct.unpack('>i3i9i16I16', struct.pack('>i3i9i16I16', -3, -9, -16, 16))}",
    "return {struct.unpack('<i0I0i', 'abcd')}",
    "return {struct.unpack('i', 'abc')}",
    "return {struct.unpack('i', 'abcdefgh', 5)}",
    "return {struct.unpack('i', 'abcdefgh', 6)}",
    "return {struct.unpack('i', 'abcdefgh', 0)}",
    "return {struct.unpack('i', 'abcdefgh', -1)}",
    "return {struct.unpack('bc0', struct.pack('bc0', 3, 'xyz'))}",
    "return {struct.unpack('bc0', struct.pack('b', 30) .. 'xyz')}",
    "return {struct.unpack('c0', 'xyz')}",
    "return {struct.unpack('sc0', 'abc\\0def')}",
    "return {struct.unpack('ss', 'abc\\0def\\0')}",
    "return {struct.unpack('s', 'abc')}",
    "return {struct.unpack('x!4i', 'abcdefgh')}",
    "return {struct.unpack('fd', struct.pack('fd', 1.1, 2.2))}",
    "return {struct.unpack('>fd', struct.pack('>fd', -0.1, 1e-300))}",
    "return {struct.unpack('z', 'abc')}",
    "return {struct.unpack('c3', 'abc', 2)}",
    "return {struct.unpack('L', struct.pack('L', 2^53 + 1))}",
    "return {struct.unpack('l', struct.pack('l', -2^63))}",
    "return {struct.unpack('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', string.rep('a', 30))}",
    "return {struct.unpack('i')}",
    "return {struct.unpack('i', 'abcd', 'x')}",
    # size.
    "return {struct.size('bhi'), struct.size('!bhi'), struct.size('!4bd'), struct.size('c10i16')}",
    "return struct.size('s')",
    "return struct.size('c0')",
    "return struct.size('bz')",
    "return struct.size('b>!2<')",
    "return struct.size('!3')",
    "return struct.size('i40')",
    # the library is the global and package.loaded's, and cannot be replaced.
    "return type(struct) .. type(struct.pack)",
    "struct.pack = nil return 1",
    "struct = nil return 1",
]

OPTIONS = ["b", "B", "h", "H", "l", "L", "T", "i", "I", "i3", "I5", "i9", "I16", "f", "d", "x",
           "c4", "s", "<", ">", "!", "!2", "!4", " "]


def random_case(rng: random.Random) -> str:
    options = [rng.choice(OPTIONS) for _ in range(rng.randint(1, 6))]
    values = []
    for option in options:
        kind = option[0]
        if kind in "bBhHlLTiI":
            values.append(rng.choice([str(rng.randint(-2**40, 2**40)), str(rng.randint(-300, 300)),
                                      "2^62", "-2^62", "0.5", "-7.75"]))
        elif kind in "fd":
            values.append(rng.choice(["1.5", "-0.1", "3.14159", "1e30", "-2^-20", "0"]))
        elif kind in "cs":
            text = "".join(rng.choice(["a", "b", "c", "\\0"]) for _ in range(rng.randint(4, 8)))
            values.append(f"'{text}'")
    fmt = "".join(options)
    args = ", ".join(values)
    packed = f"struct.pack('{fmt}'{', ' if args else ''}{args})"
    if rng.random() < 0.5:
        return f"return {packed}"
    offset = rng.choice(["", ", 1", ", 2"])
    return (f"local t = {{struct.unpack('{fmt}', {packed}{offset})}} "
            f"for i = 1, #t do t[i] = tostring(t[i]) end return t")


def replies(port: int, scripts: list[str]) -> list[bytes]:
    with RawConnection(port) as conn:
        conn.send(b"".join(encode("EVAL", script, "0") for script in scripts))
        return [conn.read_reply() for _ in scripts]


@pytest.mark.parametrize("group", ["edge", "random"])
def test_struct_library_replies_match_redis(drayman, oracle, group):
    if group == "edge":
        scripts = EDGE_CASES
    else:
        rng = random.Random(20261206)
        scripts = [random_case(rng) for _ in range(6000)]
    ours = replies(drayman.port, scripts)
    theirs = replies(oracle.port, scripts)
    differences = [(script, mine, reference)
                   for script, mine, reference in zip(scripts, ours, theirs) if mine != reference]
    assert not differences, differences[:5]
