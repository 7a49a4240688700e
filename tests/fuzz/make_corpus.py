#!/usr/bin/env python3
"""Writes engine_fuzzer's seed corpus (tests/fuzz/corpus/) and its dictionary (engine.dict).

Each seed is a program in the harness's format (see the comment at the top of engine_fuzzer.cc):
one opcode byte per operation, the client slot in bits 3-4. Seeds are small and cover every
command family, so the fuzzer starts from inputs that already reach deep into each one.
Run: python3 tests/fuzz/make_corpus.py   (rewrites both outputs; the result is checked in)
"""
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent

FEED, ADVANCE, CRON, TIMEOUT, TOGGLE, DRAIN, STALL, LINE = range(8)


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg if isinstance(arg, bytes) else str(arg).encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return out


class Program:
    def __init__(self):
        self.ops = bytearray()

    def _op(self, kind, slot=0):
        self.ops.append(kind | (slot << 3))

    def feed(self, data, slot=0):
        """Raw bytes for a client, in chunks of at most 256 bytes (one FEED each)."""
        for start in range(0, len(data), 256):
            chunk = data[start:start + 256]
            self._op(FEED, slot)
            self.ops.append(len(chunk) - 1)
            self.ops += chunk
        return self

    def cmd(self, *args, slot=0):
        return self.feed(resp(*args), slot)

    def line(self, text, slot=0):
        """An inline command (LINE operation: bytes up to the newline)."""
        assert "\n" not in text
        self._op(LINE, slot)
        self.ops += text.encode() + b"\r\n"
        return self

    def advance(self, ms):
        """ADVANCE operations moving the clock by exactly `ms` (each moves (b & 63) << 5k)."""
        while ms > 0:
            shift = max(k for k in (0, 5, 10, 15) if ms >> k or k == 0)
            step = min(63, ms >> shift)
            self._op(ADVANCE)
            self.ops.append((shift // 5) << 6 | step)
            ms -= step << shift
        return self

    def cron(self):
        self._op(CRON)
        return self

    def timeout(self):
        self._op(TIMEOUT)
        return self

    def toggle(self, slot):
        self._op(TOGGLE, slot)
        return self

    def drain(self, slot=0):
        self._op(DRAIN, slot)
        return self

    def stall(self, slot=0):
        self._op(STALL, slot)
        return self


def seeds():
    s = {}

    p = Program()
    p.cmd("SET", "s", "hello").cmd("GET", "s").cmd("APPEND", "s", " world").cmd("STRLEN", "s")
    p.cmd("SETRANGE", "s", "20", "x").cmd("GETRANGE", "s", "0", "-3").cmd("SUBSTR", "s", "1", "4")
    p.cmd("INCR", "n").cmd("INCRBY", "n", "41").cmd("DECRBY", "n", "2").cmd("DECR", "n")
    p.cmd("INCRBYFLOAT", "f", "1.5e3").cmd("MSET", "a", "1", "b", "2").cmd("MGET", "a", "b", "z")
    p.cmd("MSETNX", "a", "3", "c", "4").cmd("SETNX", "d", "5").cmd("GETSET", "d", "6")
    p.cmd("GETDEL", "d").cmd("SET", "e", "v", "EX", "10", "GET").cmd("GETEX", "e", "PERSIST")
    p.cmd("SET", "e", "w", "PX", "100", "NX").cmd("SET", "e", "w", "XX", "KEEPTTL")
    p.cmd("PSETEX", "p", "50", "v").cmd("SETEX", "q", "1", "v").advance(1000).cmd("GET", "q")
    s["strings"] = p

    p = Program()
    p.cmd("SET", "k", "v").cmd("EXPIRE", "k", "100").cmd("TTL", "k").cmd("PTTL", "k")
    p.cmd("PEXPIRE", "k", "500", "GT").cmd("EXPIRETIME", "k").cmd("PEXPIRETIME", "k")
    p.cmd("EXPIREAT", "k", "1700000100", "NX").cmd("PEXPIREAT", "k", "1700000200000")
    p.cmd("PERSIST", "k").cmd("TYPE", "k").cmd("EXISTS", "k", "k", "x").cmd("TOUCH", "k")
    p.cmd("COPY", "k", "k2").cmd("RENAME", "k2", "k3").cmd("RENAMENX", "k3", "k").cmd("MOVE", "k3", "1")
    p.cmd("OBJECT", "ENCODING", "k").cmd("OBJECT", "IDLETIME", "k").cmd("OBJECT", "FREQ", "k")
    p.cmd("KEYS", "*").cmd("SCAN", "0", "MATCH", "k*", "COUNT", "10", "TYPE", "string")
    p.cmd("RANDOMKEY").cmd("DBSIZE").cmd("UNLINK", "k").cmd("DEL", "k3", "x")
    p.cmd("SET", "t", "1", "PX", "20").advance(30).cron().cmd("EXISTS", "t")
    s["keys"] = p

    p = Program()
    p.cmd("RPUSH", "l", "a", "b", "c", "d").cmd("LPUSH", "l", "z").cmd("LRANGE", "l", "0", "-1")
    p.cmd("LINDEX", "l", "2").cmd("LSET", "l", "1", "B").cmd("LINSERT", "l", "BEFORE", "c", "x")
    p.cmd("LPOS", "l", "c", "RANK", "1", "COUNT", "0", "MAXLEN", "10").cmd("LREM", "l", "-1", "x")
    p.cmd("LTRIM", "l", "1", "-2").cmd("LLEN", "l").cmd("LPOP", "l", "2").cmd("RPOP", "l")
    p.cmd("LPUSHX", "l", "q").cmd("RPUSHX", "nol", "q").cmd("LMOVE", "l", "m", "LEFT", "RIGHT")
    p.cmd("RPOPLPUSH", "m", "l").cmd("LMPOP", "2", "nol", "l", "LEFT", "COUNT", "5")
    s["lists"] = p

    p = Program()
    p.cmd("HSET", "h", "f1", "v1", "f2", "2").cmd("HGET", "h", "f1").cmd("HMGET", "h", "f1", "x")
    p.cmd("HINCRBY", "h", "f2", "5").cmd("HINCRBYFLOAT", "h", "f3", "0.5").cmd("HSETNX", "h", "f1", "w")
    p.cmd("HMSET", "h", "f4", "v").cmd("HLEN", "h").cmd("HSTRLEN", "h", "f1").cmd("HEXISTS", "h", "f4")
    p.cmd("HKEYS", "h").cmd("HVALS", "h").cmd("HGETALL", "h").cmd("HRANDFIELD", "h", "-3", "WITHVALUES")
    p.cmd("HSCAN", "h", "0", "MATCH", "f*").cmd("HDEL", "h", "f1", "f2", "f3", "f4").cmd("EXISTS", "h")
    s["hashes"] = p

    p = Program()
    p.cmd("SADD", "s1", "a", "b", "c", "1", "2").cmd("SADD", "s2", "b", "c", "d").cmd("SCARD", "s1")
    p.cmd("SISMEMBER", "s1", "a").cmd("SMISMEMBER", "s1", "a", "z").cmd("SMEMBERS", "s2")
    p.cmd("SINTER", "s1", "s2").cmd("SINTERCARD", "2", "s1", "s2", "LIMIT", "1")
    p.cmd("SUNION", "s1", "s2").cmd("SDIFF", "s1", "s2").cmd("SINTERSTORE", "s3", "s1", "s2")
    p.cmd("SUNIONSTORE", "s4", "s1", "s2").cmd("SDIFFSTORE", "s5", "s1", "s2")
    p.cmd("SMOVE", "s1", "s2", "a").cmd("SRANDMEMBER", "s1", "-5").cmd("SPOP", "s1", "2")
    p.cmd("SUNION", "s1").cmd("SPOP", "s4", "100")
    p.cmd("SSCAN", "s2", "0", "COUNT", "2").cmd("SREM", "s2", "b", "zz")
    s["sets"] = p

    p = Program()
    p.cmd("ZADD", "z", "1", "a", "2", "b", "2.5", "c", "-inf", "m").cmd("ZADD", "z", "XX", "CH", "INCR", "3", "a")
    p.cmd("ZSCORE", "z", "a").cmd("ZMSCORE", "z", "a", "x").cmd("ZRANK", "z", "b").cmd("ZREVRANK", "z", "b")
    p.cmd("ZRANGE", "z", "0", "-1", "WITHSCORES").cmd("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2")
    p.cmd("ZRANGE", "z", "[a", "(c", "BYLEX", "REV").cmd("ZRANGEBYSCORE", "z", "-inf", "2")
    p.cmd("ZREVRANGEBYSCORE", "z", "+inf", "0").cmd("ZRANGEBYLEX", "z", "-", "+").cmd("ZREVRANGEBYLEX", "z", "+", "-")
    p.cmd("ZREVRANGE", "z", "0", "1").cmd("ZCOUNT", "z", "1", "3").cmd("ZLEXCOUNT", "z", "-", "+")
    p.cmd("ZINCRBY", "z", "2", "b").cmd("ZCARD", "z").cmd("ZADD", "y", "5", "b", "6", "q")
    p.cmd("ZUNION", "2", "z", "y", "WEIGHTS", "1", "2", "AGGREGATE", "MAX", "WITHSCORES")
    p.cmd("ZINTER", "2", "z", "y").cmd("ZDIFF", "2", "z", "y").cmd("ZINTERCARD", "2", "z", "y")
    p.cmd("ZUNIONSTORE", "u", "2", "z", "y").cmd("ZINTERSTORE", "i", "2", "z", "y").cmd("ZDIFFSTORE", "d", "2", "z", "y")
    p.cmd("ZRANGESTORE", "r", "z", "0", "-1").cmd("ZRANDMEMBER", "z", "2", "WITHSCORES")
    p.cmd("ZPOPMIN", "z").cmd("ZPOPMAX", "z", "2").cmd("ZMPOP", "1", "y", "MIN", "COUNT", "1")
    p.cmd("ZREMRANGEBYSCORE", "u", "0", "3").cmd("ZREMRANGEBYRANK", "u", "0", "0").cmd("ZREMRANGEBYLEX", "u", "-", "+")
    p.cmd("ZREM", "z", "c").cmd("ZSCAN", "z", "0")
    s["sorted_sets"] = p

    p = Program()
    p.cmd("BLPOP", "q1", "q2", "0", slot=1).cmd("BRPOP", "q2", "0.5", slot=2)
    p.cmd("LPUSH", "q2", "x", "y").drain(1).drain(2).timeout()
    p.cmd("BLMOVE", "src", "dst", "LEFT", "RIGHT", "1", slot=1).cmd("CLIENT", "LIST")
    p.advance(1000).timeout().cmd("BRPOPLPUSH", "src", "dst", "0", slot=1).cmd("RPUSH", "src", "v")
    p.cmd("BZPOPMIN", "zq", "0", slot=3).cmd("ZADD", "zq", "1", "m").cmd("BZPOPMAX", "zq", "0.1", slot=3)
    p.timeout().cmd("BLMPOP", "0", "1", "q3", "LEFT", slot=2).cmd("BZMPOP", "1", "1", "zq", "MIN", slot=1)
    p.cmd("CLIENT", "UNBLOCK", "3", "ERROR").cmd("CLIENT", "UNBLOCK", "2").toggle(1).cmd("RPUSH", "q3", "a")
    s["blocking"] = p

    p = Program()
    p.cmd("BLPOP", "w", "0", slot=1).cmd("PING", slot=1).cmd("GET", "w", slot=1)
    p.cmd("MULTI").cmd("RPUSH", "w", "1").cmd("RPUSH", "w", "2").cmd("EXEC")
    p.cmd("BLPOP", "w", "5", slot=2).advance(6000).timeout().toggle(2).toggle(2)
    s["blocking_pipeline"] = p

    p = Program()
    p.cmd("WATCH", "acct").cmd("GET", "acct").cmd("MULTI").cmd("INCR", "acct").cmd("SET", "other", "1")
    p.cmd("EXEC").cmd("WATCH", "acct").cmd("SET", "acct", "9", slot=1).cmd("MULTI").cmd("INCR", "acct")
    p.cmd("EXEC").cmd("MULTI").cmd("NOTACOMMAND").cmd("EXEC").cmd("MULTI").cmd("SET", "a", "b")
    p.cmd("DISCARD").cmd("MULTI").cmd("BLPOP", "nothing", "0").cmd("WATCH", "x").cmd("EXEC")
    p.cmd("WATCH", "gone").cmd("UNWATCH").cmd("EXEC").cmd("DISCARD")
    p.cmd("WATCH", "e").cmd("SET", "e", "1", "PX", "10", slot=2).advance(20).cron().cmd("MULTI").cmd("EXEC")
    s["transactions"] = p

    p = Program()
    p.cmd("SUBSCRIBE", "ch1", "ch2", slot=1).cmd("PSUBSCRIBE", "ch*", slot=2).cmd("PUBLISH", "ch1", "hi")
    p.cmd("PUBSUB", "CHANNELS").cmd("PUBSUB", "NUMSUB", "ch1").cmd("PUBSUB", "NUMPAT")
    p.cmd("PING", slot=1).cmd("GET", "x", slot=1).cmd("UNSUBSCRIBE", "ch1", slot=1).cmd("PUNSUBSCRIBE", slot=2)
    p.cmd("SSUBSCRIBE", "sh", slot=3).cmd("SPUBLISH", "sh", "m").cmd("PUBSUB", "SHARDCHANNELS")
    p.cmd("PUBSUB", "SHARDNUMSUB", "sh").cmd("SUNSUBSCRIBE", slot=3).drain(1).drain(2).drain(3)
    s["pubsub"] = p

    p = Program()
    p.cmd("HELLO", "3", slot=1).cmd("SUBSCRIBE", "c", slot=1).cmd("GET", "k", slot=1)
    p.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 64 32 1")
    p.cmd("PUBLISH", "c", "x" * 40).stall(1).cmd("PUBLISH", "c", "y" * 40).advance(2000)
    p.cmd("PUBLISH", "c", "z").cron().cmd("MONITOR", slot=2).cmd("SET", "k", "v").cmd("INFO", "clients")
    s["pubsub_limits"] = p

    p = Program()
    p.cmd("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "v")
    p.cmd("EVAL", "return {1, 'two', {3}, redis.call('GET', KEYS[1]), 3.5, true, false}", "1", "k")
    p.cmd("EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "k")
    p.cmd("EVAL", "return redis.error_reply('MY err')", "0").cmd("EVAL", "error('boom')", "0")
    p.cmd("EVAL", "redis.setresp(3); return redis.call('HGETALL', 'h')", "0")
    p.cmd("EVAL", "return {err='x'}", "0").cmd("EVAL", "return redis.status_reply('OK')", "0")
    p.cmd("EVAL", "return redis.sha1hex('a')", "0").cmd("EVAL", "return math.random(10)", "0")
    p.cmd("EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'k')", "0")
    p.cmd("EVAL_RO", "return redis.call('SET', 'k', 'v')", "0")
    p.cmd("SCRIPT", "LOAD", "return ARGV[1]").cmd("EVALSHA", "c3c8f4b1f9c1c1c8c2e6a0e1d8b4f3e2a1b0c9d8", "0")
    p.cmd("SCRIPT", "EXISTS", "a", "b").cmd("EVALSHA_RO", "0" * 40, "0").cmd("SCRIPT", "FLUSH")
    p.cmd("EVAL", "redis.log(redis.LOG_WARNING, 'w'); return redis.call('PING')", "0")
    s["scripting"] = p

    p = Program()
    p.cmd("EVAL", "local i = 0 while true do i = i + 1 end", "0").cmd("PING", slot=1)
    p.cmd("SCRIPT", "KILL", slot=1).cmd("GET", "x", slot=2)
    p.cmd("EVAL", "redis.call('SET', 'w', '1') while true do end", "0").cmd("SCRIPT", "KILL", slot=1)
    p.cmd("PING", slot=1).cmd("SHUTDOWN", "NOSAVE", slot=2).cron().toggle(0)
    s["scripting_busy"] = p

    p = Program()
    p.cmd("EVAL", "while true do pcall(function() while true do end end) end", "0")
    p.cmd("SCRIPT", "KILL", slot=1).cmd("EVAL", "return 1", "0", slot=1).toggle(0).cron()
    s["scripting_busy_pcall"] = p

    p = Program()
    p.cmd("INFO").cmd("INFO", "all").cmd("INFO", "commandstats").cmd("CONFIG", "GET", "*")
    p.cmd("CONFIG", "SET", "hz", "100", "slowlog-log-slower-than", "0").cmd("CONFIG", "GET", "hz")
    p.cmd("CONFIG", "SET", "maxclients", "2").cmd("CONFIG", "RESETSTAT").cmd("CONFIG", "REWRITE")
    p.cmd("SLOWLOG", "GET", "5").cmd("SLOWLOG", "LEN").cmd("SLOWLOG", "RESET").cmd("TIME").cmd("LASTSAVE")
    p.cmd("COMMAND", "COUNT").cmd("COMMAND", "INFO", "get", "zadd").cmd("COMMAND", "DOCS", "set")
    p.cmd("COMMAND", "GETKEYS", "EVAL", "x", "2", "a", "b").cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "z*")
    p.cmd("MEMORY", "USAGE", "k").cmd("MEMORY", "MALLOC-STATS").cmd("SELECT", "3").cmd("SET", "k", "v")
    p.cmd("SWAPDB", "0", "3").cmd("FLUSHDB").cmd("FLUSHALL", "ASYNC").cmd("ECHO", "e").cmd("PING", "p")
    p.cmd("CLIENT", "SETNAME", "me").cmd("CLIENT", "GETNAME").cmd("CLIENT", "ID").cmd("CLIENT", "INFO")
    p.cmd("CLIENT", "SETINFO", "lib-name", "fz").cmd("CLIENT", "NO-EVICT", "on").cmd("CLIENT", "NO-TOUCH", "on")
    p.cmd("CLIENT", "LIST", "TYPE", "normal").cmd("CLIENT", "KILL", "ID", "2").cmd("CLIENT", "KILL", "127.0.0.1:40002")
    p.cmd("OBJECT", "REFCOUNT", "k").cmd("OBJECT", "HELP").cmd("MEMORY", "PURGE").cmd("MEMORY", "HELP")
    p.cmd("PUBSUB", "HELP").cmd("SCRIPT", "HELP").cmd("SLOWLOG", "HELP").cmd("CLIENT", "HELP")
    p.cmd("SCRIPT").cmd("RESET").cmd("COMMAND", "HELP").cmd("CONFIG", "HELP").cmd("QUIT")
    s["server"] = p

    p = Program()
    p.cmd("CONFIG", "SET", "requirepass", "pw").toggle(2).toggle(2).cmd("GET", "k", slot=2)
    p.cmd("AUTH", "bad", slot=2).cmd("AUTH", "pw", slot=2).cmd("AUTH", "default", "pw", slot=1)
    p.cmd("HELLO", "3", "AUTH", "default", "pw", slot=3).cmd("CONFIG", "SET", "requirepass", "")
    p.cmd("CONFIG", "SET", "busy-reply-threshold", "0").cmd("CONFIG", "SET", "proto-max-bulk-len", "2mb")
    p.cmd("BLPOP", "never", "0", slot=3).cmd("CONFIG", "SET", "timeout", "1").advance(2000).cron()
    p.cmd("PING", slot=1).cmd("PING", slot=3)
    s["server_auth_timeout"] = p

    p = Program()
    p.cmd("HELLO", "3").cmd("HGETALL", "h").cmd("HSET", "h", "a", "1").cmd("HGETALL", "h")
    p.cmd("ZADD", "z", "1.5", "m").cmd("ZRANGE", "z", "0", "-1", "WITHSCORES").cmd("SMEMBERS", "nos")
    p.cmd("CONFIG", "GET", "port").cmd("EVAL", "redis.setresp(3); return redis.call('HGETALL', 'h')", "0")
    p.cmd("HELLO", "2", "SETNAME", "n").cmd("HELLO", "4").cmd("CLIENT", "TRACKING", "on")
    s["resp3"] = p

    p = Program()
    p.line("SET k \"a b\\x41\"").line("GET k").line("  ").line("ECHO 'single quoted'")
    p.line("PING").line("DEL \"unterminated").line("SET x y")
    s["inline"] = p

    p = Program()
    pipeline = b"".join(resp("RPUSH", "pl", i) for i in range(30)) + resp("LRANGE", "pl", "0", "-1")
    pipeline += b"PING\r\n" + resp("INCR", "c") * 5
    p.feed(pipeline)
    p.feed(resp("SET", "split", "value")[:7]).feed(resp("SET", "split", "value")[7:])
    s["pipelining"] = p

    p = Program()
    p.feed(b"*2\r\n$3\r\nGET\r\n$-5\r\n").feed(b"*1\r\n$4\r\nPING\r\n", slot=1)
    p.feed(b"*3000000000\r\n", slot=1).feed(b"*1\r\n$x\r\n", slot=2).feed(b"$3\r\nfoo\r\n", slot=3)
    p.drain(0).drain(1)
    s["protocol_errors"] = p

    p = Program()
    p.cmd("RPUSH", "big", "x" * 200, "y" * 200).cmd("SETRANGE", "sr", "1000", "z")
    p.cmd("LRANGE", "big", "0", "-1").stall(0).cmd("OBJECT", "ENCODING", "big")
    p.cmd("HSET", "bh", *["f%d" % i for i in range(140)] * 1).cmd("OBJECT", "ENCODING", "bh")
    p.cmd("SADD", "bs", *[str(i) for i in range(600)]).cmd("OBJECT", "ENCODING", "bs")
    s["encodings"] = p

    p = Program()
    p.cmd("XADD", "st", "*", "f", "v").cmd("XADD", "st", "5-1", "a", "b").cmd("XADD", "st", "5-*", "c", "d")
    p.cmd("XADD", "st", "MAXLEN", "~", "10", "LIMIT", "5", "*", "x", "y").cmd("XADD", "st", "NOMKSTREAM", "MINID", "=", "0", "*", "e", "f")
    p.cmd("XLEN", "st").cmd("XRANGE", "st", "-", "+", "COUNT", "2").cmd("XRANGE", "st", "(5-1", "+")
    p.cmd("XREVRANGE", "st", "+", "-").cmd("XGROUP", "CREATE", "st", "g", "0", "MKSTREAM", "ENTRIESREAD", "1")
    p.cmd("XGROUP", "CREATECONSUMER", "st", "g", "c1").cmd("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "st", ">")
    p.cmd("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "100", "STREAMS", "st", ">", slot=1)
    p.cmd("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "st", "$", slot=2).cmd("XADD", "st", "*", "w", "1")
    p.drain(1).drain(2).cmd("XPENDING", "st", "g").cmd("XPENDING", "st", "g", "IDLE", "0", "-", "+", "10", "c1")
    p.advance(50).cmd("XCLAIM", "st", "g", "c2", "0", "5-1", "IDLE", "5", "RETRYCOUNT", "2", "FORCE", "JUSTID")
    p.cmd("XAUTOCLAIM", "st", "g", "c3", "0", "0-0", "COUNT", "10").cmd("XACK", "st", "g", "5-1")
    p.cmd("XINFO", "STREAM", "st", "FULL", "COUNT", "5").cmd("XINFO", "GROUPS", "st").cmd("XINFO", "CONSUMERS", "st", "g")
    p.cmd("XDEL", "st", "5-2").cmd("XTRIM", "st", "MAXLEN", "2").cmd("XSETID", "st", "999-0", "ENTRIESADDED", "100", "MAXDELETEDID", "5-0")
    p.cmd("XGROUP", "SETID", "st", "g", "0", "ENTRIESREAD", "1").cmd("XGROUP", "DELCONSUMER", "st", "g", "c1")
    p.cmd("DUMP", "st").cmd("XGROUP", "DESTROY", "st", "g").timeout()
    s["streams"] = p

    p = Program()
    p.cmd("SETBIT", "b", "100", "1").cmd("GETBIT", "b", "100").cmd("BITCOUNT", "b", "0", "-1", "BIT")
    p.cmd("BITPOS", "b", "1", "0", "-1", "BYTE").cmd("BITOP", "XOR", "c", "b", "b").cmd("BITOP", "NOT", "d", "b")
    p.cmd("BITFIELD", "b", "SET", "i8", "#1", "-5", "OVERFLOW", "SAT", "INCRBY", "u4", "0", "20", "GET", "i64", "0")
    p.cmd("BITFIELD_RO", "b", "GET", "u63", "3").cmd("PFADD", "h", "a", "b", "c").cmd("PFCOUNT", "h")
    p.cmd("PFADD", "h2", *["e%d" % i for i in range(40)]).cmd("PFMERGE", "h3", "h", "h2").cmd("PFCOUNT", "h", "h2")
    p.cmd("PFDEBUG", "ENCODING", "h").cmd("PFDEBUG", "TODENSE", "h").cmd("PFDEBUG", "GETREG", "h2")
    p.cmd("PFDEBUG", "DECODE", "h2").cmd("APPEND", "h2", "x").cmd("PFCOUNT", "h2").cmd("SETRANGE", "h", "20", "\xff")
    p.cmd("PFADD", "h", "z").cmd("LCS", "b", "h", "IDX", "MINMATCHLEN", "1", "WITHMATCHLEN").cmd("LCS", "b", "h", "LEN")
    s["bits_hll_lcs"] = p

    p = Program()
    p.cmd("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania")
    p.cmd("GEOADD", "g", "XX", "CH", "0", "0", "Palermo").cmd("GEODIST", "g", "Palermo", "Catania", "km")
    p.cmd("GEOHASH", "g", "Palermo", "x").cmd("GEOPOS", "g", "Catania", "x")
    p.cmd("GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "COUNT", "1", "ANY", "ASC")
    p.cmd("GEORADIUSBYMEMBER", "g", "Palermo", "500", "mi", "STORE", "gs", "STOREDIST", "gd")
    p.cmd("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "DESC")
    p.cmd("GEOSEARCHSTORE", "gx", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "ft", "STOREDIST")
    p.cmd("GEORADIUS_RO", "g", "181", "0", "1", "m").cmd("GEOADD", "g", "0", "86", "pole")
    p.cmd("RPUSH", "sl", "3", "1", "2").cmd("HSET", "w_1", "f", "9").cmd("SET", "o_2", "x")
    p.cmd("SORT", "sl", "BY", "w_*->f", "GET", "#", "GET", "o_*", "LIMIT", "0", "2", "DESC", "ALPHA")
    p.cmd("SORT", "sl", "BY", "nosort", "STORE", "dst").cmd("SORT_RO", "sl", "GET", "w_*->f")
    s["geo_sort"] = p

    p = Program()
    lib = "#!lua name=lib\nredis.register_function('f', function(keys, args) return redis.call('INCR', keys[1]) end)\n" \
          "redis.register_function{function_name='ro', callback=function(k, a) return a[1] end, flags={'no-writes'}}"
    p.cmd("FUNCTION", "LOAD", lib).cmd("FCALL", "f", "1", "fk").cmd("FCALL_RO", "ro", "0", "x")
    p.cmd("FCALL_RO", "f", "1", "fk").cmd("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "l*")
    p.cmd("FUNCTION", "DUMP").cmd("FUNCTION", "STATS").cmd("FUNCTION", "LOAD", "REPLACE", lib)
    p.cmd("FUNCTION", "LOAD", "#!lua name=bad\nreturn 1").cmd("FUNCTION", "DELETE", "lib")
    p.cmd("FUNCTION", "RESTORE", "\xf5\xc3garbage", "REPLACE").cmd("FUNCTION", "FLUSH", "SYNC").cmd("FUNCTION", "KILL")
    p.cmd("FUNCTION", "LOAD", "#!lua name=loop\nredis.register_function('spin', function() while true do end end)")
    p.cmd("FCALL", "spin", "0").cmd("FUNCTION", "KILL", slot=1).cmd("PING", slot=2)
    s["functions"] = p

    p = Program()
    p.cmd("EVAL", "return cmsgpack.unpack(cmsgpack.pack({1, 'a', {b=2}, 3.5, true}))", "0")
    p.cmd("EVAL", "return {cmsgpack.unpack(ARGV[1])}", "0", "\x93\x01\xa1a\xc0")
    p.cmd("EVAL", "return {struct.unpack('>iHb', struct.pack('>iHb', -5, 7, 3))}", "0")
    p.cmd("EVAL", "return struct.size('!4i3c')", "0").cmd("EVAL", "return cjson.encode({1, {a='b'}})", "0")
    p.cmd("EVAL", "return cjson.decode(ARGV[1])[1]", "0", "[5, {\"x\": null}]")
    p.cmd("EVAL", "return bit.tohex(bit.bxor(0x1234, bit.lshift(1, 8)))", "0")
    s["scripting_libs"] = p

    p = Program()
    p.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA").cmd("PSUBSCRIBE", "__key*__:*", slot=1)
    p.cmd("SET", "n", "1", "PX", "10").cmd("LPUSH", "nl", "a").cmd("HSET", "nh", "f", "v").advance(20).cron()
    p.cmd("CONFIG", "SET", "maxmemory", "1").cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru").cmd("SET", "e", "v")
    p.cmd("CONFIG", "SET", "maxmemory", "0").cmd("CONFIG", "SET", "notify-keyspace-events", "Exgxet$lshzdmn").drain(1)
    p.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", slot=2).cmd("SET", "ab", "1")
    p.cmd("HELLO", "3", slot=3).cmd("CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP", slot=3).cmd("CLIENT", "CACHING", "yes", slot=3)
    p.cmd("GET", "ab", slot=3).cmd("SET", "ab", "2").cmd("CLIENT", "TRACKINGINFO", slot=3).cmd("CLIENT", "GETREDIR", slot=3)
    p.cmd("CLIENT", "ID", slot=1).cmd("CLIENT", "TRACKING", "on", "REDIRECT", "3").cmd("GET", "zz").cmd("DEL", "zz")
    p.cmd("FLUSHDB").drain(1).drain(2).drain(3)
    s["notifications_tracking"] = p

    p = Program()
    p.cmd("CLIENT", "PAUSE", "100", "WRITE").cmd("SET", "p", "1", slot=1).cmd("GET", "p", slot=2)
    p.cmd("EVAL", "return 1", "0", slot=2).cmd("CLIENT", "UNPAUSE").cmd("CLIENT", "PAUSE", "50", "ALL")
    p.cmd("PING", slot=3).cmd("MULTI", slot=1).cmd("SET", "q", "1", slot=1).advance(60).cron().timeout()
    p.cmd("EXEC", slot=1).cmd("CLIENT", "REPLY", "OFF").cmd("SET", "r", "1").cmd("CLIENT", "REPLY", "SKIP")
    p.cmd("GET", "r").cmd("CLIENT", "REPLY", "ON").cmd("CONFIG", "SET", "latency-monitor-threshold", "1")
    p.cmd("LATENCY", "LATEST").cmd("LATENCY", "HISTORY", "command").cmd("LATENCY", "DOCTOR")
    p.cmd("LATENCY", "HISTOGRAM", "set", "get").cmd("LATENCY", "RESET").cmd("MEMORY", "STATS").cmd("MEMORY", "DOCTOR")
    p.cmd("ROLE").cmd("LOLWUT", "VERSION", "5", "10", "2", "2").cmd("COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "LEFT")
    p.cmd("CONFIG", "SET", "maxmemory-clients", "1").cmd("CLIENT", "NO-EVICT", "off", slot=2).cmd("RPUSH", "big", "x" * 200, slot=2).cron()
    s["pause_reply_server"] = p
    return s


# Everything the dictionary offers the fuzzer besides command names.
TOKENS = [
    "\r\n", "*1\r\n", "*2\r\n", "*3\r\n", "$1\r\n", "$-1\r\n", ":1\r\n", "+OK\r\n", "-ERR\r\n",
    "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "CH", "INCR", "GET", "KEEPTTL", "PERSIST",
    "WITHSCORES", "WITHVALUES", "LIMIT", "BYSCORE", "BYLEX", "REV", "COUNT", "MATCH", "TYPE",
    "LEFT", "RIGHT", "BEFORE", "AFTER", "MIN", "MAX", "SUM", "WEIGHTS", "AGGREGATE", "RANK",
    "MAXLEN", "ASYNC", "SYNC", "NOSAVE", "AUTH", "SETNAME", "ID", "ADDR", "LADDR", "SKIPME",
    "USER", "ERROR", "TIMEOUT", "FILTERBY", "PATTERN", "ACLCAT", "MODULE", "SAMPLES",
    "-inf", "+inf", "(", "[", "-", "+", "0", "-1", "1.5", "nan", "9223372036854775807",
    "-9223372036854775808", "4294967296", "1e308", "hz", "timeout", "maxclients",
    "busy-reply-threshold", "lua-time-limit", "requirepass", "slowlog-log-slower-than",
    "slowlog-max-len", "client-output-buffer-limit", "proto-max-bulk-len",
    "client-query-buffer-limit", "databases", "loglevel", "save", "appendonly",
    "redis.call", "redis.pcall", "redis.setresp(3)", "redis.error_reply", "redis.status_reply",
    "redis.sha1hex", "redis.log", "redis.LOG_WARNING", "redis.breakpoint", "redis.debug",
    "redis.replicate_commands()", "redis.set_repl", "redis.acl_check_cmd", "math.random",
    "math.randomseed", "KEYS[1]", "ARGV[1]", "return ", "local ", "while true do end", "pcall(",
    "function() ", " end", "string.rep", "string.format", "table.concat", "table.unpack",
    "unpack(", "tonumber(", "tostring(", "setmetatable(", "getmetatable(", "rawset(", "coroutine",
    "struct.pack", "struct.unpack", "cmsgpack.pack", "cmsgpack.unpack", "loadstring(",
    "#!lua flags=no-writes\n", "#!lua\n", "allow-oom", "no-cluster", "allow-stale",
    "cjson.encode", "cjson.decode", "bit.band", "bit.tohex", "bit.lshift", "cmsgpack.unpack_one",
    "#!lua name=", "redis.register_function", "function_name", "callback", "flags",
    "$", ">", "*", "-*", "MKSTREAM", "ENTRIESREAD", "ENTRIESADDED", "MAXDELETEDID", "NOMKSTREAM",
    "MINID", "~", "=", "STREAMS", "GROUP", "BLOCK", "NOACK", "IDLE", "TIME", "RETRYCOUNT",
    "FORCE", "JUSTID", "LASTID", "FULL", "BIT", "BYTE", "OVERFLOW", "WRAP", "SAT", "FAIL",
    "u8", "i64", "u63", "#1", "AND", "OR", "XOR", "NOT", "HYLL", "FROMMEMBER", "FROMLONLAT",
    "BYRADIUS", "BYBOX", "WITHDIST", "WITHCOORD", "WITHHASH", "ANY", "ASC", "DESC", "STORE",
    "STOREDIST", "km", "mi", "ft", "m", "BY", "nosort", "ALPHA", "#", "->", "IDX", "MINMATCHLEN",
    "WITHMATCHLEN", "LEN", "WITHCODE", "LIBRARYNAME", "REPLACE", "FLUSH", "APPEND", "ABSTTL",
    "notify-keyspace-events", "KEA", "Exgxet$lshzdmn", "__keyspace@0__:", "__keyevent@0__:",
    "maxmemory", "maxmemory-policy", "allkeys-lru", "maxmemory-clients",
    "latency-monitor-threshold", "BCAST", "PREFIX", "REDIRECT", "OPTIN", "OPTOUT", "NOLOOP",
    "yes", "no", "on", "off", "SKIP", "WRITE", "ALL", "VERSION",
]


# Command and subcommand names: Drayman's COMMAND LIST with "container|sub" split; add new
# commands here.
COMMANDS = """
acl addslots addslotsrange append asking auth bgrewriteaof bgsave bitcount bitfield bitfield_ro
bitop bitpos blmove blmpop blpop brpop brpoplpush bumpepoch bzmpop bzpopmax bzpopmin caching
cat channels client cluster command config consumers copy count count-failure-reports
countkeysinslot create createconsumer dbsize debug decr decrby del delconsumer delete delslots
delslotsrange deluser destroy discard docs doctor dryrun dump echo encoding eval eval_ro
evalsha evalsha_ro exec exists expire expireat expiretime failover fcall fcall_ro flush
flushall flushdb flushslots forget freq function genpass geoadd geodist geohash geopos
georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore get
getbit getdel getex getkeys getkeysandflags getkeysinslot getname getrange getredir getset
getuser graph groups hdel hello help hexists hget hgetall hincrby hincrbyfloat histogram
history hkeys hlen hmget hmset hrandfield hscan hset hsetnx hstrlen hvals id idletime incr
incrby incrbyfloat info keys keyslot kill lastsave latency latest lcs len lindex links linsert
list llen lmove lmpop load loadex log lolwut lpop lpos lpush lpushx lrange lrem lset ltrim
malloc-stats meet memory mget module monitor move mset msetnx multi myid no-evict no-touch
nodes numpat numsub object pause persist pexpire pexpireat pexpiretime pfadd pfcount pfdebug
pfmerge pfselftest ping psetex psubscribe pttl publish pubsub punsubscribe purge quit randomkey
readonly readwrite refcount rename renamenx replicaof replicas replicate reply reset resetstat
restore restore-asking rewrite role rpop rpoplpush rpush rpushx sadd save saveconfig scan scard
script sdiff sdiffstore select set set-config-epoch setbit setex setid setinfo setname setnx
setrange setslot setuser shardchannels shardnumsub shards shutdown sinter sintercard
sinterstore sismember slaveof slaves slots slowlog smembers smismember smove sort sort_ro spop
spublish srandmember srem sscan ssubscribe stats stream strlen subscribe substr sunion
sunionstore sunsubscribe swapdb time touch tracking trackinginfo ttl type unblock unlink unload
unpause unsubscribe unwatch usage users wait watch whoami xack xadd xautoclaim xclaim xdel
xgroup xinfo xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim zadd zcard zcount
zdiff zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax zpopmin
zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex
zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan
zscore zunion zunionstore
""".split()


def dict_entry(word):
    escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c)
                      for c in word)
    return '"%s"' % escaped


def main():
    corpus = HERE / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir()
    for name, program in sorted(seeds().items()):
        (corpus / name).write_bytes(bytes(program.ops))
    words = COMMANDS + TOKENS
    seen = []
    for word in words:
        if word not in seen:
            seen.append(word)
    (HERE / "engine.dict").write_text(
        "# Generated by make_corpus.py: command names and arguments for engine_fuzzer.\n" +
        "".join(dict_entry(w) + "\n" for w in seen))
    print("wrote %d seeds to %s and %d dictionary words" % (len(seeds()), corpus, len(seen)))


if __name__ == "__main__":
    main()
