"""DEBUG DIGEST / DIGEST-VALUE equal redis-server 7.0.15's for every type in every encoding Redis
7.0 picks (the RDB interop fill: small and large containers, binary data, TTLs, 16 databases),
and DEBUG RELOAD keeps the dataset digest. Run time: about 5 s."""

import redis

from servers import DraymanProcess, RedisProcess
from test_rdb_interop import fill


def digests(r: redis.Redis) -> dict:
    out = {"dataset": r.execute_command("DEBUG", "DIGEST")}
    for db in range(16):
        r.select(db)
        keys = sorted(r.scan_iter(count=1000))
        if keys:
            values = r.execute_command("DEBUG", "DIGEST-VALUE", *keys)
            out.update({(db, key): value for key, value in zip(keys, values)})
    r.select(0)
    return out


def test_digests_match_redis_server_and_survive_reload():
    with RedisProcess("--enable-debug-command", "yes") as rs, \
            DraymanProcess("--enable-debug-command", "yes") as ds:
        r, d = redis.Redis(port=rs.port), redis.Redis(port=ds.port)
        for server in (r, d):
            fill(server)
            server.zadd("zset-skiplist-negzero", {"m" * 100: -0.0, "x": 1})
        expected = digests(r)
        assert expected["dataset"] != b"0" * 40
        assert digests(d) == expected
        assert d.execute_command("DEBUG", "RELOAD") == r.execute_command("DEBUG", "RELOAD")
        assert digests(d) == expected


def test_debug_is_refused_by_default_as_in_redis():
    with RedisProcess() as rs, DraymanProcess() as ds:
        answers = []
        for port in (rs.port, ds.port):
            try:
                redis.Redis(port=port).execute_command("DEBUG", "DIGEST")
            except redis.ResponseError as error:
                answers.append(str(error))
        assert len(answers) == 2 and answers[0] == answers[1]
