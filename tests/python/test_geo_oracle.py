"""GEO commands against redis-server 7.0.15, whole replies byte for byte, RESP2 and RESP3.

Two parts:
- GROUPS: hand-written command lines (redis-cli quoting, as in test_commands_vs_redis.py), each
  group on a fresh pair of servers, in RESP2 (coordinates as bulk strings) and RESP3 (as
  doubles); distances, hashes and the order of results are compared exactly.
- A seeded randomized differential run over a few geo sets with clustered and duplicate
  positions (equal distances exercise Redis's sort orders, COUNT its partial quicksort):
  GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS*, GEOSEARCH*, STORE results read back, ZADD of
  arbitrary scores. Stored distances are read back with ZRANGE ... WITHSCORES, whose scores
  Drayman prints in Redis 7.2's shortest form (a documented difference): those replies are
  compared as doubles, every other reply byte for byte. Steps per seed: DRAYMAN_GEO_DIFF_STEPS (default 7500; more by hand).
"""

from __future__ import annotations

import os
import random

import pytest

from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches, comparable, run_seeded_differential

SICILY = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"

GROUPS: dict[str, list[str]] = {
    "geoadd": [
        SICILY, "ZRANGE Sicily 0 -1 WITHSCORES", "GEOADD Sicily 13.361389 38.115556 Palermo",
        "GEOADD Sicily CH 13.4 38.1 Palermo", "GEOADD Sicily NX 1 1 Palermo 2 2 New",
        "GEOADD Sicily XX 3 3 Palermo 4 4 Other", "GEOADD Sicily XX CH 3 3 Palermo",
        "GEOADD Sicily NX XX 1 1 a", "GEOADD Sicily 1 1", "GEOADD Sicily 1 1 a 2",
        "GEOADD Sicily 181 1 a", "GEOADD Sicily 1 86 a", "GEOADD Sicily 1 -85.06 a",
        "GEOADD Sicily x 1 a", "GEOADD Sicily 1 y a", "GEOADD Sicily 180 85.05112878 corner",
        "GEOADD Sicily -180 -85.05112878 corner2", "GEOADD Sicily 0 0 zero",
        "ZRANGE Sicily 0 -1 WITHSCORES", "GEOADD Sicily ch nx 5 5 lower", "GEOADD Sicily CH",
        "GEOADD Sicily 1 1 a 1000 1 b", "EXISTS Sicily", "SET s x", "GEOADD s 1 1 a",
        "GEOADD nx_only NX 1 1 a", "GEOADD xx_only XX 1 1 a", "EXISTS xx_only",
        "OBJECT ENCODING Sicily", "GEOADD", "GEOADD k 1 1",
    ],
    "geopos_geohash_geodist": [
        SICILY, "GEOPOS Sicily Palermo Catania NonExisting", "GEOPOS Sicily", "GEOPOS nosuch a b",
        "GEOHASH Sicily Palermo Catania nope", "GEOHASH Sicily", "GEOHASH nosuch a",
        "GEODIST Sicily Palermo Catania", "GEODIST Sicily Palermo Catania km",
        "GEODIST Sicily Palermo Catania MI", "GEODIST Sicily Palermo Catania ft",
        "GEODIST Sicily Palermo Catania m", "GEODIST Sicily Palermo Catania yards",
        "GEODIST Sicily Palermo Catania km extra", "GEODIST Sicily Palermo nope",
        "GEODIST nosuch a b", "GEODIST Sicily Palermo Palermo", "SET s x", "GEOPOS s a",
        "GEOHASH s a", "GEODIST s a b", "GEODIST s a b parsecs", "ZADD z -1 neg 1e300 big 1.5 frac",
        "ZADD z inf inf -inf ninf 4503599627370496 top 4503599627370495 below",
        "GEOPOS z neg big frac inf ninf top below", "GEOHASH z neg big frac inf ninf top below",
        "GEODIST z neg big", "GEODIST z top below km", "GEOADD poles 0 85.05112878 n 0 -85.05112878 s",
        "GEODIST poles n s", "GEOPOS poles n s", "GEOHASH poles n s",
        "GEOADD equator 0 0 a 0.0001 0 b 179.9999 0 c -179.9999 0 d", "GEODIST equator a b",
        "GEODIST equator c d", "GEODIST equator a c ft", "GEOPOS equator a b c d",
    ],
    "georadius": [
        SICILY, "GEOADD Sicily 13.583333 37.316667 Agrigento",
        "GEORADIUS Sicily 15 37 200 km WITHDIST", "GEORADIUS Sicily 15 37 200 km WITHCOORD",
        "GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH",
        "GEORADIUS Sicily 15 37 200 km ASC", "GEORADIUS Sicily 15 37 200 km DESC WITHDIST",
        "GEORADIUS Sicily 15 37 200 km COUNT 1", "GEORADIUS Sicily 15 37 200 km COUNT 1 DESC",
        "GEORADIUS Sicily 15 37 200 km COUNT 2 ANY", "GEORADIUS Sicily 15 37 200 km ANY",
        "GEORADIUS Sicily 15 37 200 km COUNT 0", "GEORADIUS Sicily 15 37 200 km COUNT -1",
        "GEORADIUS Sicily 15 37 200 km COUNT x", "GEORADIUS Sicily 15 37 200 km COUNT",
        "GEORADIUS Sicily 15 37 200 km FOO", "GEORADIUS Sicily 15 37 -1 km",
        "GEORADIUS Sicily 15 37 x km", "GEORADIUS Sicily 15 37 1 parsec",
        "GEORADIUS Sicily 200 37 1 km", "GEORADIUS Sicily x 37 1 km",
        "GEORADIUS Sicily 15 37 100 mi WITHDIST", "GEORADIUS Sicily 15 37 500000 ft WITHDIST",
        "GEORADIUS Sicily 15 37 1 m", "GEORADIUS Sicily 15 37 0 km",
        "GEORADIUS Sicily 15 37 20000 km WITHDIST ASC", "GEORADIUS nosuch 15 37 200 km",
        "GEORADIUS Sicily 15 37 200 km STORE dst", "F ZRANGE dst 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 km STOREDIST dst2", "F ZRANGE dst2 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST",
        "GEORADIUS Sicily 15 37 200 km STOREDIST dst COUNT 1", "F ZRANGE dst 0 -1 WITHSCORES",
        "GEORADIUS Sicily 0 0 1 km STORE dst", "EXISTS dst", "GEORADIUS nosuch 0 0 1 km STORE dst2",
        "EXISTS dst2", "GEORADIUS nosuch 0 0 1 km STORE nope", "GEORADIUS_RO Sicily 15 37 200 km",
        "GEORADIUS_RO Sicily 15 37 200 km STORE x", "GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC",
        "SET s x", "GEORADIUS s 15 37 200 km", "GEORADIUS Sicily 15 37 200 km STORE s",
        "TYPE s", "GEORADIUS Sicily 15 37 200 km ASC DESC", "GEORADIUS Sicily 15 37 200 km withdist",
        "GEORADIUS Sicily 15 37 200 KM", "GEORADIUS Sicily 15 37 200",
    ],
    "georadiusbymember": [
        SICILY, "GEOADD Sicily 13.583333 37.316667 Agrigento",
        "GEORADIUSBYMEMBER Sicily Agrigento 100 km", "GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST",
        "GEORADIUSBYMEMBER Sicily Palermo 200 km WITHCOORD WITHHASH COUNT 2 DESC",
        "GEORADIUSBYMEMBER Sicily nope 200 km", "GEORADIUSBYMEMBER nosuch nope 200 km",
        "GEORADIUSBYMEMBER nosuch nope 200 km STORE x", "GEORADIUSBYMEMBER nosuch nope x km",
        "GEORADIUSBYMEMBER Sicily Palermo x km", "GEORADIUSBYMEMBER Sicily Palermo 200 km STORE d",
        "F ZRANGE d 0 -1 WITHSCORES", "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km WITHDIST",
        "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km STORE d",
    ],
    "geosearch": [
        SICILY, "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH",
        "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km DESC WITHDIST",
        "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 200 200 km", "GEOSEARCH Sicily FROMMEMBER nope BYBOX 200 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 1",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 2 ANY",
        "GEOSEARCH Sicily BYRADIUS 200 km", "GEOSEARCH Sicily FROMLONLAT 15 37",
        "GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km",
        "GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 1 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km", "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km", "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 lightyears",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
        "geosearch Sicily FROMLONLAT 15 37 COUNT 1", "GeoSearch Sicily BYBOX 1 1 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY",
        "GEOSEARCH nosuch FROMMEMBER a BYRADIUS 1 km", "GEOSEARCH nosuch FROMMEMBER a",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km", "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS",
        "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3",
        "F ZRANGE dst 0 -1 WITHSCORES", "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST",
        "F ZRANGE dst 0 -1 WITHSCORES", "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST",
        "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km STORE x",
        "GEOSEARCHSTORE dst Sicily FROMLONLAT 0 0 BYRADIUS 1 km", "EXISTS dst",
        "GEOSEARCHSTORE dst nosuch FROMLONLAT 0 0 BYRADIUS 1 km",
        "GEOSEARCHSTORE dst nosuch FROMMEMBER x BYRADIUS 1 km STOREDIST",
        "GEOSEARCHSTORE Sicily Sicily FROMLONLAT 15 37 BYRADIUS 200 km", "ZRANGE Sicily 0 -1",
        "SET s x", "GEOSEARCH s FROMLONLAT 0 0 BYRADIUS 1 km", "GEOSEARCHSTORE d s FROMLONLAT 0 0 BYRADIUS 1 km",
        "GEOSEARCHSTORE s Sicily FROMLONLAT 15 37 BYRADIUS 200 km", "TYPE s",
    ],
    "ties_and_poles": [
        "GEOADD t 10 10 a 10 10 b 10 10 c 10 10 d 10 10 e 10 10 f 10 10 g 10 10 h 10.001 10 i",
        "GEOADD t 10 10.001 j 9.999 10 k 10 9.999 l",
        "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km ASC", "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km DESC",
        "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km ASC COUNT 3",
        "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km DESC COUNT 5",
        "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km COUNT 9 WITHDIST",
        "GEOSEARCH t FROMLONLAT 10.0005 10 BYRADIUS 1 km COUNT 4 DESC WITHDIST",
        "GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 1 km", "GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km",
        "GEOADD polar 0 84 a 90 84 b 180 84 c -90 84 d 0 -84 e",
        "GEOSEARCH polar FROMLONLAT 0 85 BYRADIUS 2000 km WITHDIST ASC",
        "GEOSEARCH polar FROMLONLAT 0 -85 BYRADIUS 2000 km WITHDIST ASC",
        "GEORADIUS polar 179 84 500 km WITHDIST", "GEORADIUS polar 0 0 20000 km WITHDIST",
        "GEORADIUS polar 0 0 5000 km WITHDIST", "GEOSEARCH polar FROMLONLAT 0 0 BYBOX 40000 40000 km",
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


# --- randomized differential run -------------------------------------------------------------

SETS = [b"g1", b"g2", b"g3"]
UNITS = [b"m", b"km", b"mi", b"ft", b"KM"]
CENTRES = [(13.36, 38.11), (0.0, 0.0), (179.99, 10.0), (-179.99, -10.0), (2.35, 48.85),
           (100.0, 84.9), (-70.0, -84.0), (139.7, 35.7)]


def coordinate(rnd: random.Random) -> tuple[bytes, bytes]:
    lon, lat = rnd.choice(CENTRES)
    spread = rnd.choice([0.0, 0.0005, 0.01, 0.5, 5.0])
    lon = max(-180.0, min(180.0, lon + rnd.uniform(-spread, spread)))
    lat = max(-85.05112878, min(85.05112878, lat + rnd.uniform(-spread, spread)))
    digits = rnd.choice([2, 4, 6, 10])
    return (b"%.*f" % (digits, lon), b"%.*f" % (digits, lat))


def member(rnd: random.Random) -> bytes:
    return b"m%d" % rnd.randrange(60)


def radius(rnd: random.Random) -> list[bytes]:
    return [rnd.choice([b"0", b"1", b"50", b"500", b"3000", b"20000", b"0.5"]), rnd.choice(UNITS)]


def options(rnd: random.Random, store: bool) -> list[bytes]:
    chosen = []
    if not store:
        for flag in (b"WITHDIST", b"WITHCOORD", b"WITHHASH"):
            if rnd.random() < 0.35:
                chosen.append([flag])
    if rnd.random() < 0.5:
        chosen.append([rnd.choice([b"ASC", b"DESC"])])
    if rnd.random() < 0.45:
        count = [b"COUNT", rnd.choice([b"1", b"2", b"3", b"5", b"8", b"20"])]
        if rnd.random() < 0.3:
            count.append(b"ANY")
        chosen.append(count)
    rnd.shuffle(chosen)
    return [x for option in chosen for x in option]


def random_command(rnd: random.Random) -> list[bytes]:
    key = rnd.choice(SETS) if rnd.random() < 0.95 else rnd.choice([b"str", b"missing"])
    pick = rnd.randrange(100)
    if pick < 25:
        command = [b"GEOADD", key]
        if rnd.random() < 0.2:
            command.append(rnd.choice([b"NX", b"XX", b"CH"]))
        for _ in range(rnd.choice([1, 1, 3, 10])):
            command += [*coordinate(rnd), member(rnd)]
        return command
    if pick < 30:
        return [b"GEOPOS", key] + [member(rnd) for _ in range(rnd.randint(1, 4))]
    if pick < 34:
        return [b"GEOHASH", key] + [member(rnd) for _ in range(rnd.randint(1, 4))]
    if pick < 40:
        unit = [rnd.choice(UNITS)] if rnd.random() < 0.6 else []
        return [b"GEODIST", key, member(rnd), member(rnd)] + unit
    if pick < 52:
        name = rnd.choice([b"GEORADIUS", b"GEORADIUS_RO"])
        tail = []
        if name == b"GEORADIUS" and rnd.random() < 0.2:
            tail = [rnd.choice([b"STORE", b"STOREDIST"]), rnd.choice([b"dst", b"g3"])]
        return [name, key, *coordinate(rnd), *radius(rnd)] + options(rnd, bool(tail)) + tail
    if pick < 60:
        name = rnd.choice([b"GEORADIUSBYMEMBER", b"GEORADIUSBYMEMBER_RO"])
        tail = []
        if name == b"GEORADIUSBYMEMBER" and rnd.random() < 0.2:
            tail = [rnd.choice([b"STORE", b"STOREDIST"]), b"dst"]
        return [name, key, member(rnd), *radius(rnd)] + options(rnd, bool(tail)) + tail
    if pick < 82:
        store = rnd.random() < 0.2
        command = [b"GEOSEARCHSTORE", b"dst", key] if store else [b"GEOSEARCH", key]
        if rnd.random() < 0.4:
            command += [b"FROMMEMBER", member(rnd)]
        else:
            command += [b"FROMLONLAT", *coordinate(rnd)]
        if rnd.random() < 0.5:
            command += [b"BYRADIUS", *radius(rnd)]
        else:
            command += [b"BYBOX", rnd.choice([b"1", b"100", b"2000", b"40000"]),
                        rnd.choice([b"1", b"100", b"2000", b"40000"]), rnd.choice(UNITS)]
        command += options(rnd, store)
        if store and rnd.random() < 0.5:
            command.append(b"STOREDIST")
        return command
    if pick < 88:
        return [b"ZRANGE", rnd.choice([b"dst", key]), b"0", b"-1", b"WITHSCORES"]
    if pick < 91:
        return [b"ZADD", key, rnd.choice([b"-1", b"1.5", b"4503599627370495", b"1e20", b"0"]),
                member(rnd)]
    if pick < 95:
        return [b"ZREM", key, member(rnd)]
    if pick < 97:
        return [b"DEL", rnd.choice([key, b"dst"])]
    return [b"SET", b"str", b"x"]


def normalize(args: list[bytes], reply: bytes):
    # Scores print in 7.2's shortest form (README): ZRANGE's are compared as doubles.
    return comparable(reply, {"F"}) if args[0] == b"ZRANGE" else reply


def run_random(seed: int, steps: int) -> int:
    return run_seeded_differential(seed, steps, random_command, normalize)


STEPS = int(os.environ.get("DRAYMAN_GEO_DIFF_STEPS", "7500"))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_geo_commands_match_redis(seed):
    compared = run_random(seed, STEPS)
    print(f"seed {seed}: {compared} commands compared")
    assert compared == STEPS
