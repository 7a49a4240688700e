"""Differential test: hundreds of command lines on a fresh Drayman and a fresh redis-server.

Every group of command lines runs on one connection to each of a fresh pair of servers (so no
group depends on FLUSHALL working), once in RESP2 and once after HELLO 3, and every reply's raw
bytes must be equal. Lines are written as
typed into redis-cli (Redis's inline quoting: "double quotes" with \\xHH escapes, 'single'),
with an optional flag word first:

  U  unordered reply: elements of every aggregate holding only scalars (and the pairs of maps)
     are compared as multisets (SMEMBERS, KEYS, SCAN pages, HGETALL of large hashes ...)
  F  floats compared by value: Redis 7.0 prints scores with %.17g ("1.1000000000000001"),
     Redis 7.2 with the shortest round-tripping form ("1.1"); either is accepted when the value
     round-trips to the same double

Nondeterministic commands (RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) and values that
depend on the clock at millisecond precision (PTTL, EXPIRETIME) are left out; TTLs in seconds
right after setting them are exact. A mismatch report lists every differing line with both
replies; the first one usually explains the rest of its group.
"""

from __future__ import annotations

import random
from typing import Callable

import pytest

from rawresp import RawConnection, encode, parse
from servers import DraymanProcess, RedisProcess, target_server

# --- the command lines ----------------------------------------------------------------------

BIG_HASH = "HSET bighash " + " ".join(f"field:{i} value:{i}" for i in range(200))
BIG_SET = "SADD bigset " + " ".join(f"member:{i}" for i in range(300))
INT_SET = "SADD intset " + " ".join(str(i) for i in range(700, 0, -7))
BIG_ZSET = "ZADD bigz " + " ".join(f"{i % 17} m{i}" for i in range(200))
LONG_VALUE = "v" * 100

GROUPS: dict[str, list[str]] = {
    "strings_basic": [
        "SET k v", "GET k", "GET nosuch", "SET k v2", "GET k", "SET empty \"\"", "GET empty",
        "STRLEN empty", "STRLEN k", "STRLEN nosuch", "APPEND k xyz", "GET k", "APPEND new abc",
        "GET new", f"SET long {LONG_VALUE}", "GET long", "STRLEN long", "SETNX k other",
        "SETNX fresh 1", "GET fresh", "GETSET k replaced", "GET k", "GETSET nosuch2 x",
        "GETDEL k", "GETDEL k", "EXISTS k", "SET num 12345", "GET num", "STRLEN num",
        "SET neg -1", "GET neg", "SET sp \"a b  c\"", "GET sp",
    ],
    "strings_set_options": [
        "SET k v NX", "SET k v NX", "GET k", "SET k v2 XX", "GET k", "SET nosuch v XX",
        "EXISTS nosuch", "SET k v3 GET", "SET nosuch v GET", "GET nosuch", "SET k v4 NX GET",
        "SET k v5 XX GET", "SET e v EX 100", "TTL e", "SET e v PX 100000", "TTL e",
        "SET e v KEEPTTL", "TTL e", "SET e v", "TTL e", "SET e v EX 0", "SET e v EX -5",
        "SET e v PX 0", "SET e v EX abc", "SET e v EX 1.5", "SET e v EX", "SET e v NX XX",
        "SET e v EX 10 PX 10", "SET e v EX 10 KEEPTTL", "SET e v BOGUS", "SET e v exat 1",
        "EXISTS e", "SET e v ex 100 nx", "SET e v ex 100 xx", "TTL e", "SET e v pxat 1",
        "EXISTS e", "SET e v EX 9999999999999999", "SETEX s 100 v", "TTL s", "SETEX s 0 v",
        "SETEX s -1 v", "SETEX s abc v", "PSETEX p 100000 v", "TTL p", "PSETEX p 0 v",
        "GETEX s", "TTL s", "GETEX s EX 50", "TTL s", "GETEX s PERSIST", "TTL s",
        "GETEX s EX 10 PERSIST", "GETEX nosuch", "GETEX s PX 50000", "TTL s",
    ],
    "strings_numbers": [
        "SET n 10", "INCR n", "INCRBY n 5", "DECR n", "DECRBY n 3", "INCRBY n -100", "GET n",
        "INCR fresh", "DECR fresh2", "INCRBY fresh3 7", "SET k v", "INCR k", "INCRBY n abc",
        "INCRBY n 1.5", "INCRBY n \"\"", "SET big 9223372036854775807", "INCR big",
        "INCRBY big 0", "SET small -9223372036854775808", "DECR small", "DECRBY small 1",
        "DECRBY n -9223372036854775808", "INCRBY n 99999999999999999999", "SET sp \" 1\"",
        "INCR sp", "SET plus +5", "INCR plus", "SET lead 007", "INCR lead", "SET f 1.5",
        "INCR f", "INCRBYFLOAT f 1.5", "GET f", "INCRBYFLOAT fresh4 0.1", "INCRBYFLOAT f -3",
        "INCRBYFLOAT f 1e3", "INCRBYFLOAT f abc", "INCRBYFLOAT f inf", "INCRBYFLOAT k 1",
        "SET ten 10", "INCRBYFLOAT ten 0.5", "INCRBYFLOAT ten 5.0e3", "GET ten",
    ],
    "strings_ranges": [
        "SET k \"Hello World\"", "GETRANGE k 0 4", "GETRANGE k -5 -1", "GETRANGE k 6 100",
        "GETRANGE k 100 200", "GETRANGE k 5 2", "GETRANGE k -100 3", "GETRANGE nosuch 0 -1",
        "GETRANGE k a b", "SETRANGE k 6 Redis", "GET k", "SETRANGE k 20 x", "GET k",
        "STRLEN k", "SETRANGE pad 3 ab", "GET pad", "SETRANGE nosuch2 0 \"\"", "EXISTS nosuch2",
        "SETRANGE k -1 x", "SETRANGE k 600000000 x", "SUBSTR k 0 3",
    ],
    "strings_multi": [
        "MSET a 1 b 2 c 3", "MGET a b c nosuch", "MGET a", "MSET a", "MSET a 1 b",
        "MSETNX a 1 d 4", "EXISTS d", "MSETNX d 4 e 5", "MGET d e", "MGET",
        "RPUSH list x", "MGET a list b",
    ],
    "keys_exists_del": [
        "SET a 1", "SET b 2", "RPUSH l x", "EXISTS a", "EXISTS a b nosuch a", "EXISTS nosuch",
        "DEL a nosuch", "EXISTS a", "DEL a", "DEL b l", "DBSIZE", "SET c 3", "UNLINK c nosuch",
        "DBSIZE", "SET t 1", "TOUCH t nosuch t", "TYPE t", "TYPE nosuch", "RPUSH tl x",
        "TYPE tl", "SADD ts x", "TYPE ts", "HSET th f v", "TYPE th", "ZADD tz 1 x", "TYPE tz",
        "DEL", "EXISTS",
    ],
    "keys_expire": [
        "SET d v", "EXPIRE d 100", "TTL d", "PERSIST d", "TTL d", "PERSIST d", "PERSIST nosuch",
        "EXPIRE d 100 NX", "EXPIRE d 100 NX", "EXPIRE d 50 XX", "TTL d", "EXPIRE d 200 GT",
        "TTL d", "EXPIRE d 300 LT", "EXPIRE d 10 LT", "TTL d", "EXPIRE d 10 NX XX",
        "EXPIRE d 10 GT LT", "EXPIRE d 10 NX GT", "EXPIRE d 10 BOGUS", "EXPIRE d abc",
        "EXPIRE d 1.5", "SET nt v", "EXPIRE nt 100 XX", "EXPIRE nt 100 GT", "TTL nt",
        "EXPIRE nt 100 LT", "TTL nt", "PEXPIRE d 100000", "TTL d", "PEXPIRE d abc",
        "EXPIREAT d 1", "EXISTS d", "SET d v", "PEXPIREAT d 1", "EXISTS d", "SET d v",
        "EXPIRE d 0", "EXISTS d", "SET d v", "EXPIRE d -1", "EXISTS d", "EXPIRE nosuch 10",
        "TTL nosuch", "PTTL nosuch", "SET p v", "PTTL p", "TTL p", "SET big v",
        "EXPIRE big 9223372036854775807", "EXPIRE big 9223372036854775", "TTL big",
        "SETEX x 100 v", "SET x v2", "TTL x", "SETEX x 100 v", "GETSET x v3", "TTL x",
        "SETEX x 100 v", "APPEND x y", "TTL x", "SETEX x 100 v", "INCR x", "SET x 1",
        "EXPIRE x 100", "INCR x", "TTL x", "EXPIRETIME nosuch", "PEXPIRETIME nosuch",
        "EXPIRETIME p",
    ],
    "keys_rename": [
        "SET a 1", "RENAME a b", "GET a", "GET b", "RENAME nosuch x", "RENAME b b", "GET b",
        "SET c 3", "RENAMENX b c", "RENAMENX b d", "GET d", "RENAMENX nosuch e",
        "EXPIRE d 100", "RENAME d f", "TTL f", "RPUSH l x y", "RENAME l m", "LRANGE m 0 -1",
        "SET g 1", "RENAME m g", "TYPE g",
    ],
    "keys_glob": [
        "MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 \"h*llo\" 6 \"h[a]llo\" 7 x 8 \"\" 9",
        "U KEYS *", "U KEYS h?llo", "U KEYS h*llo", "U KEYS h[ae]llo", "U KEYS h[^e]llo",
        "U KEYS h[a-b]llo", "KEYS h\\*llo", "KEYS \"h\\\\[a\\\\]llo\"", "KEYS nomatch*",
        "U KEYS *llo", "KEYS \"\"", "U KEYS ?", "U KEYS [", "U KEYS [a-", "U KEYS \\",
        "U KEYS h[!e]llo", "U KEYS *[", "DBSIZE",
    ],
    "keys_scan": [
        "MSET k1 1 k2 2 k3 3 other 4", "RPUSH lk a", "SADD sk a",
        "U SCAN 0 COUNT 1000", "U SCAN 0 MATCH k* COUNT 1000", "U SCAN 0 TYPE string COUNT 1000",
        "U SCAN 0 TYPE list COUNT 1000", "U SCAN 0 TYPE set COUNT 1000",
        "U SCAN 0 TYPE nosuchtype COUNT 1000", "U SCAN 0 MATCH nomatch COUNT 1000",
        "SCAN abc", "SCAN 0 COUNT 0", "SCAN 0 COUNT -1", "SCAN 0 COUNT abc", "SCAN 0 BOGUS 1",
        "SCAN 0 MATCH", "SCAN 18446744073709551616",
        "U SCAN 0 count 1000 match *k* type STRING",
    ],
    "keys_select_flush": [
        "SET a 1", "SELECT 1", "GET a", "SET a 2", "GET a", "DBSIZE", "SELECT 0", "GET a",
        "SELECT 15", "DBSIZE", "SELECT 16", "SELECT -1", "SELECT abc", "SELECT 1",
        "FLUSHDB", "DBSIZE", "SELECT 0", "DBSIZE", "SET b 2", "FLUSHDB ASYNC", "DBSIZE",
        "SET c 3", "FLUSHDB SYNC", "DBSIZE", "FLUSHDB BOGUS", "SET d 4", "SELECT 2", "SET e 5",
        "FLUSHALL", "DBSIZE", "SELECT 0", "DBSIZE", "FLUSHALL SYNC", "FLUSHALL BOGUS",
        "FLUSHALL ASYNC",
    ],
    "lists_push_pop": [
        "LPUSH l a", "LPUSH l b c", "RPUSH l d e", "LRANGE l 0 -1", "LLEN l", "LLEN nosuch",
        "LPOP l", "RPOP l", "LRANGE l 0 -1", "LPOP l 2", "LRANGE l 0 -1", "RPOP l 5",
        "EXISTS l", "LPOP l", "RPOP l", "LPOP l 1", "RPOP nosuch 3", "RPUSH l x", "LPOP l 0",
        "RPOP l 0", "LPOP l -1", "LPOP l abc", "LPUSHX l y", "LPUSHX nosuch y", "RPUSHX l z",
        "RPUSHX nosuch z", "EXISTS nosuch", "LRANGE l 0 -1", "LPUSHX l a b c", "LLEN l",
        "RPUSH many 1 2 3 4 5 6 7 8 9 10", "LPOP many 3", "RPOP many 3", "LRANGE many 0 -1",
        "RPUSH empty \"\"", "LRANGE empty 0 -1", "LPOP empty", "EXISTS empty",
    ],
    "lists_range_index": [
        "RPUSH l a b c d e f", "LRANGE l 0 2", "LRANGE l -3 -1", "LRANGE l 2 1",
        "LRANGE l 4 100", "LRANGE l 100 200", "LRANGE l -100 1", "LRANGE l -100 -50",
        "LRANGE nosuch 0 -1", "LRANGE l a 1", "LRANGE l 0 b", "LINDEX l 0", "LINDEX l -1",
        "LINDEX l 5", "LINDEX l 6", "LINDEX l -7", "LINDEX nosuch 0", "LINDEX l x",
        "LSET l 0 A", "LSET l -1 F", "LRANGE l 0 -1", "LSET l 6 x", "LSET l -7 x",
        "LSET nosuch 0 x", "LSET l x y", "LPOS l c", "LPOS l nosuch", "LPOS nosuch a",
        "RPUSH dup a b a c a", "LPOS dup a", "LPOS dup a RANK 2", "LPOS dup a RANK -1",
        "LPOS dup a COUNT 0", "LPOS dup a COUNT 2", "LPOS dup a RANK -1 COUNT 2",
        "LPOS dup a MAXLEN 1 COUNT 0", "LPOS dup a RANK 0", "LPOS dup a COUNT -1",
        "LPOS dup x COUNT 0", "LPOS dup a BOGUS 1",
    ],
    "lists_modify": [
        "RPUSH l a b c b a", "LINSERT l BEFORE b X", "LRANGE l 0 -1", "LINSERT l AFTER a Y",
        "LRANGE l 0 -1", "LINSERT l before nosuch Z", "LINSERT nosuch BEFORE a Z",
        "LINSERT l MIDDLE a Z", "EXISTS nosuch", "LREM l 0 a", "LRANGE l 0 -1",
        "RPUSH r x y x y x", "LREM r 2 x", "LRANGE r 0 -1", "LREM r -1 y", "LRANGE r 0 -1",
        "LREM r 0 nosuch", "LREM nosuch 0 x", "LREM r abc x", "LREM r 0 x", "LREM r 0 y",
        "EXISTS r", "RPUSH t 1 2 3 4 5 6", "LTRIM t 1 -2", "LRANGE t 0 -1", "LTRIM t 0 0",
        "LRANGE t 0 -1", "LTRIM t 5 10", "EXISTS t", "LTRIM nosuch 0 1", "LTRIM t a b",
        "RPUSH m a b c", "LMOVE m n LEFT RIGHT", "LMOVE m n RIGHT LEFT", "LRANGE m 0 -1",
        "LRANGE n 0 -1", "LMOVE m m LEFT RIGHT", "LRANGE m 0 -1", "LMOVE nosuch n LEFT LEFT",
        "LMOVE m n UP DOWN", "RPOPLPUSH n m", "LRANGE m 0 -1", "RPOPLPUSH n m", "EXISTS n",
        "RPOPLPUSH nosuch m", "SET s v", "RPOPLPUSH m s", "LRANGE m 0 -1",
        "RPUSH mp a b c", "LMPOP 1 mp LEFT", "LMPOP 2 nosuch mp RIGHT COUNT 5",
        "LMPOP 1 mp LEFT", "LMPOP 0 mp LEFT", "LMPOP 1 mp UP",
    ],
    "lists_large": [
        "RPUSH big " + " ".join(str(i) for i in range(300)), "LLEN big", "LRANGE big 100 110",
        "LINDEX big 250", "LSET big 250 x", "LINDEX big -50", "LREM big 0 x", "LTRIM big 10 -10",
        "LLEN big", "LPOP big 3", "RPOP big 3", "LPOS big 150", "LINSERT big AFTER 150 mid",
        "LRANGE big 139 143",
    ],
    "hashes_basic": [
        "HSET h f1 v1", "HSET h f1 v1b f2 v2 f3 v3", "HGET h f1", "HGET h nosuch",
        "HGET nosuch f", "HMGET h f1 nosuch f3", "HMGET nosuch a b", "HGETALL h",
        "HGETALL nosuch", "HKEYS h", "HVALS h", "HKEYS nosuch", "HLEN h", "HLEN nosuch",
        "HEXISTS h f2", "HEXISTS h nosuch", "HEXISTS nosuch f", "HDEL h f2 nosuch",
        "HDEL h f2", "HGETALL h", "HDEL nosuch f", "HSTRLEN h f1", "HSTRLEN h nosuch",
        "HSETNX h f1 x", "HSETNX h f4 v4", "HGET h f4", "HMSET h a 1 b 2", "HGETALL h",
        "HDEL h f1 f3 f4 a b", "EXISTS h", "HSET e \"\" \"\"", "HGETALL e", "HSTRLEN e \"\"",
        "U HSCAN h2 0", "HSET h2 x 1 y 2", "U HSCAN h2 0", "U HSCAN h2 0 MATCH x",
        "U HSCAN h2 0 COUNT 1", "HSCAN nosuch 0", "HSCAN h2 abc",
    ],
    "hashes_numbers": [
        "HINCRBY h n 5", "HINCRBY h n -2", "HGET h n", "HINCRBY h n abc", "HSET h s text",
        "HINCRBY h s 1", "HSET h big 9223372036854775807", "HINCRBY h big 1",
        "HINCRBYFLOAT h fl 1.5", "HINCRBYFLOAT h fl 0.25", "HINCRBYFLOAT h s 1",
        "HINCRBYFLOAT h fl abc", "HINCRBYFLOAT h n 0.5", "HGET h n", "HINCRBYFLOAT h fl inf",
        "HINCRBY nosuch f 3", "HGETALL nosuch", "HSET h sp \" 1\"", "HINCRBY h sp 1",
    ],
    "hashes_large": [
        BIG_HASH, "HLEN bighash", "HGET bighash field:150", "U HGETALL bighash",
        "U HKEYS bighash", "U HVALS bighash", "HDEL bighash field:0 field:1", "HLEN bighash",
        "HMGET bighash field:2 field:1 field:199", "HEXISTS bighash field:99",
        f"HSET longval f {'x' * 70}", "HSET longval g 1", "U HGETALL longval",
        "HSTRLEN longval f",
    ],
    "sets_basic": [
        "SADD s a b c", "SADD s a d", "SCARD s", "SCARD nosuch", "SISMEMBER s a",
        "SISMEMBER s z", "SISMEMBER nosuch a", "SMISMEMBER s a z c", "SMISMEMBER nosuch a",
        "U SMEMBERS s", "SMEMBERS nosuch", "SREM s a z", "SREM s a", "U SMEMBERS s",
        "SREM nosuch a", "SMOVE s t b", "SMOVE s t nosuch", "SMOVE nosuch t a",
        "U SMEMBERS t", "SMOVE s t c", "SMOVE s t d", "EXISTS s", "SADD e \"\"",
        "SMEMBERS e", "SREM e \"\"", "EXISTS e", INT_SET, "U SMEMBERS intset", "SCARD intset",
        "SISMEMBER intset 7", "SISMEMBER intset 8", "SADD intset -5 x", "U SMEMBERS intset",
        BIG_SET, "SCARD bigset", "U SMEMBERS bigset", "SISMEMBER bigset member:299",
        "U SSCAN s 0", "SADD small 1 2 3", "U SSCAN small 0", "U SSCAN small 0 MATCH 1",
        "SSCAN nosuch 0",
    ],
    "sets_algebra": [
        "SADD a 1 2 3 4", "SADD b 3 4 5", "SADD c 4 5 6 x", "U SINTER a b", "U SINTER a b c",
        "SINTER a nosuch", "U SUNION a b c", "U SUNION a nosuch", "U SDIFF a b",
        "U SDIFF a b c", "SDIFF nosuch a", "U SDIFF a nosuch", "SINTERSTORE d a b",
        "U SMEMBERS d", "SUNIONSTORE d a c", "U SMEMBERS d", "SDIFFSTORE d a b c",
        "U SMEMBERS d", "SINTERSTORE d a nosuch", "EXISTS d", "SINTERCARD 2 a b",
        "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 3 a b c", "SINTERCARD 0 a",
        "SINTERCARD 2 a", "SINTERCARD 1 nosuch", "SINTERCARD 1 a LIMIT -1",
        "SET str v", "SINTER a str", "SUNION str", "SDIFFSTORE str a b", "TYPE str",
    ],
    "zsets_add": [
        "ZADD z 1 a 2 b 3 c", "ZADD z 1 a", "ZADD z CH 5 a 2 b 9 d", "ZRANGE z 0 -1 WITHSCORES",
        "ZADD z NX 100 a 4 e", "ZSCORE z a", "ZADD z XX 7 a 100 nosuch", "ZSCORE z nosuch",
        "ZADD z GT 1 a", "ZADD z GT CH 8 a", "ZADD z LT CH 9 a", "ZADD z LT 3 a",
        "ZSCORE z a", "ZADD z INCR 2 a", "ZADD z INCR -1.5 b", "ZADD z NX INCR 1 a",
        "ZADD z XX INCR 1 nosuch", "ZADD z INCR 1 a 2 b", "ZADD z XX NX 1 a",
        "ZADD z GT LT 1 a", "ZADD z GT NX 1 a", "ZADD z abc a", "ZADD z 1", "ZADD z 1 a 2",
        "ZADD z nan a", "ZADD z inf inf -inf ninf +inf pinf", "ZRANGE z 0 -1 WITHSCORES",
        "ZSCORE z inf", "ZSCORE z ninf", "ZINCRBY z 1 inf", "ZINCRBY z -inf inf",
        "ZADD z 0 zero -0 negzero", "ZSCORE z negzero", "ZADD z 1e3 sci 0x10 hex",
        "ZSCORE z sci", "ZINCRBY z 5 a", "ZINCRBY z 5 new", "ZINCRBY z abc a", "ZCARD z",
        "ZCARD nosuch", "ZMSCORE z a nosuch b", "ZMSCORE nosuch a", "ZSCORE nosuch a",
        "ZADD z 2.5 half -3.25 neg", "ZSCORE z half", "ZSCORE z neg",
    ],
    "zsets_range": [
        "ZADD z 1 a 2 b 3 c 4 d 5 e 5 f", "ZRANGE z 0 -1", "ZRANGE z 0 -1 WITHSCORES",
        "ZRANGE z 1 2", "ZRANGE z -2 -1 WITHSCORES", "ZRANGE z 5 1", "ZRANGE z 10 20",
        "ZRANGE nosuch 0 -1", "ZRANGE z 0 -1 REV", "ZRANGE z 0 1 REV WITHSCORES",
        "ZREVRANGE z 0 2", "ZREVRANGE z 0 -1 WITHSCORES", "ZRANGE z a b", "ZRANGE z 0 1 BOGUS",
        "ZRANGE z 2 4 BYSCORE", "ZRANGE z (2 4 BYSCORE WITHSCORES", "ZRANGE z -inf +inf BYSCORE",
        "ZRANGE z +inf -inf BYSCORE REV", "ZRANGE z 5 1 BYSCORE REV LIMIT 1 2",
        "ZRANGE z 0 10 BYSCORE LIMIT 2 -1", "ZRANGE z 0 10 BYSCORE LIMIT 0 0",
        "ZRANGE z 0 -1 LIMIT 0 1", "ZRANGE z [b (e BYLEX", "ZRANGE z - + BYLEX",
        "ZRANGE z 0 -1 BYSCORE BYLEX", "ZRANGE z x y BYSCORE", "ZRANGE z a b BYLEX",
        "ZRANK z c", "ZRANK z nosuch", "ZRANK nosuch a", "ZREVRANK z c", "ZREVRANK z a",
        "ZCOUNT z 2 4", "ZCOUNT z (2 (4", "ZCOUNT z -inf +inf", "ZCOUNT z 4 2", "ZCOUNT z a b",
        "ZCOUNT nosuch 0 1", "ZRANGESTORE dst z 0 2", "ZRANGE dst 0 -1 WITHSCORES",
        "ZRANGESTORE dst z 10 20", "EXISTS dst", "ZRANGESTORE dst2 z 2 4 BYSCORE",
        "ZRANGE dst2 0 -1 WITHSCORES",
    ],
    "zsets_byscore": [
        "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZRANGEBYSCORE z 2 4", "ZRANGEBYSCORE z (2 4",
        "ZRANGEBYSCORE z 2 (4 WITHSCORES", "ZRANGEBYSCORE z -inf +inf WITHSCORES",
        "ZRANGEBYSCORE z -inf +inf LIMIT 1 2", "ZRANGEBYSCORE z -inf +inf LIMIT 1 -1",
        "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 1", "ZRANGEBYSCORE z 10 20",
        "ZRANGEBYSCORE z 4 2", "ZRANGEBYSCORE z x 2", "ZRANGEBYSCORE z ( 2",
        "ZRANGEBYSCORE z 1 2 LIMIT 1", "ZRANGEBYSCORE z 1 2 LIMIT a b", "ZRANGEBYSCORE z 1 2 BOGUS",
        "ZREVRANGEBYSCORE z 4 2", "ZREVRANGEBYSCORE z +inf -inf WITHSCORES",
        "ZREVRANGEBYSCORE z 4.5 0 WITHSCORES", "ZREVRANGEBYSCORE z 1700000000.123456 0 WITHSCORES",
        "ZREVRANGEBYSCORE z (4 (1 LIMIT 1 1 WITHSCORES", "ZREVRANGEBYSCORE z 2 4",
        "ZREVRANGEBYSCORE nosuch +inf -inf", "ZREMRANGEBYSCORE z 0 2", "ZRANGE z 0 -1",
        "ZREMRANGEBYSCORE z (3 (5", "ZRANGE z 0 -1", "ZREMRANGEBYSCORE z 10 20",
        "ZREMRANGEBYSCORE z -inf +inf", "EXISTS z", "ZREMRANGEBYSCORE nosuch 0 1",
        "ZREMRANGEBYSCORE z a b",
    ],
    "zsets_bylex": [
        "ZADD l 0 a 0 b 0 c 0 d 0 e 0 f", "ZRANGEBYLEX l - +", "ZRANGEBYLEX l [b [d",
        "ZRANGEBYLEX l (b (d", "ZRANGEBYLEX l [c +", "ZRANGEBYLEX l - (c",
        "ZRANGEBYLEX l - + LIMIT 1 2", "ZRANGEBYLEX l b d", "ZRANGEBYLEX l [d [b",
        "ZREVRANGEBYLEX l + -", "ZREVRANGEBYLEX l [d [b", "ZREVRANGEBYLEX l + - LIMIT 0 2",
        "ZLEXCOUNT l - +", "ZLEXCOUNT l [b (e", "ZLEXCOUNT l x y", "ZLEXCOUNT nosuch - +",
        "ZREMRANGEBYLEX l [a [b", "ZRANGE l 0 -1", "ZREMRANGEBYLEX l (e +", "ZRANGE l 0 -1",
        "ZREMRANGEBYLEX l - +", "EXISTS l", "ZREMRANGEBYLEX l a b",
    ],
    "zsets_pop_remove": [
        "ZADD z 1 a 2 b 3 c 4 d 5 e", "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 2", "ZPOPMAX z 5",
        "EXISTS z", "ZPOPMIN z", "ZPOPMIN z 3", "ZPOPMAX nosuch", "ZADD z 1 a", "ZPOPMIN z 0",
        "ZPOPMIN z -1", "ZPOPMIN z abc", "ZPOPMAX z 1", "ZADD r 1 a 2 b 3 c 4 d",
        "ZREM r a nosuch", "ZREM r a", "ZREM nosuch a", "ZREMRANGEBYRANK r 0 0",
        "ZRANGE r 0 -1", "ZREMRANGEBYRANK r -1 -1", "ZRANGE r 0 -1", "ZREMRANGEBYRANK r 5 10",
        "ZREMRANGEBYRANK r 0 -1", "EXISTS r", "ZREMRANGEBYRANK r a b", "ZADD m 1 a 2 b 3 c",
        "ZMPOP 1 m MIN", "ZMPOP 2 nosuch m MAX COUNT 5", "ZMPOP 1 m MIN", "ZMPOP 1 m BOGUS",
        "ZMPOP 0 m MIN",
    ],
    "zsets_store": [
        "ZADD a 1 x 2 y 3 z", "ZADD b 10 y 20 z 30 w", "ZUNIONSTORE u 2 a b",
        "ZRANGE u 0 -1 WITHSCORES", "ZINTERSTORE i 2 a b", "ZRANGE i 0 -1 WITHSCORES",
        "ZUNIONSTORE u 2 a b WEIGHTS 2 0.5", "ZRANGE u 0 -1 WITHSCORES",
        "ZINTERSTORE i 2 a b AGGREGATE MAX", "ZRANGE i 0 -1 WITHSCORES",
        "ZUNIONSTORE u 2 a b AGGREGATE MIN", "ZRANGE u 0 -1 WITHSCORES",
        "ZUNIONSTORE u 2 a nosuch", "ZINTERSTORE i 2 a nosuch", "EXISTS i",
        "ZUNIONSTORE u 0 a", "ZUNIONSTORE u 3 a b", "ZUNIONSTORE u 2 a b WEIGHTS 1",
        "ZUNIONSTORE u 2 a b AGGREGATE AVG", "ZUNIONSTORE u abc a",
        "SADD s y z", "ZINTERSTORE i 2 a s", "ZRANGE i 0 -1 WITHSCORES",
        "ZUNION 2 a b WITHSCORES", "ZINTER 2 a b", "ZDIFF 2 a b WITHSCORES",
        "ZDIFFSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES", "ZINTERCARD 2 a b",
        "ZINTERCARD 2 a b LIMIT 1",
    ],
    "zsets_large": [
        BIG_ZSET, "ZCARD bigz", "ZRANGE bigz 0 9 WITHSCORES", "ZRANGE bigz -5 -1",
        "ZRANGEBYSCORE bigz 3 3", "ZCOUNT bigz 5 10", "ZRANK bigz m100", "ZREVRANK bigz m100",
        "ZREM bigz m0 m1 m2", "ZPOPMIN bigz 3", "ZPOPMAX bigz 2", "ZREMRANGEBYRANK bigz 0 9",
        "ZRANGE bigz 0 4 WITHSCORES", "ZSCORE bigz m150", "ZINCRBY bigz 0.5 m150",
        "ZRANK bigz m150", "U ZSCAN bigz 0 COUNT 1000", "ZADD small 1 a 2 b",
        "U ZSCAN small 0",
    ],
    "zsets_float_formats": [
        "F ZADD f 1.1 a 0.1 b 3.3333333333333335 c 1e-7 d 123456789.123 e", "F ZSCORE f a",
        "F ZSCORE f b", "F ZSCORE f c", "F ZSCORE f d", "F ZSCORE f e",
        "F ZRANGE f 0 -1 WITHSCORES", "F ZINCRBY f 0.2 b", "F ZPOPMIN f",
        "F ZADD f INCR 0.1 a", "F ZMSCORE f a c", "F ZRANGEBYSCORE f -inf +inf WITHSCORES",
        "F ZADD g 1.7976931348623157e308 max 5e-324 min", "F ZRANGE g 0 -1 WITHSCORES",
        "F HINCRBYFLOAT h x 0.1", "F HINCRBYFLOAT h x 0.2", "F INCRBYFLOAT s 0.1",
        "F INCRBYFLOAT s 0.2",
    ],
    "wrongtype": [
        "SET s v", "RPUSH l a", "HSET h f v", "SADD set a", "ZADD z 1 a",
        "GET l", "INCR l", "APPEND l x", "STRLEN h", "GETRANGE set 0 1", "SETRANGE z 0 x",
        "LPUSH s x", "RPUSH h x", "LPOP s", "LRANGE z 0 -1", "LLEN set", "LINDEX s 0",
        "LSET s 0 x", "LREM s 0 x", "LTRIM s 0 1", "LINSERT s BEFORE a b", "LPOS s a",
        "RPOPLPUSH s l", "RPOPLPUSH l s", "LRANGE l 0 -1", "HSET s f v", "HGET l f",
        "HGETALL set", "HDEL z f", "HLEN s", "HEXISTS s f", "HINCRBY s f 1", "HKEYS l",
        "SADD s x", "SMEMBERS h", "SCARD l", "SREM z a", "SISMEMBER s a", "SMOVE s set a",
        "SMOVE set s a", "ZADD s 1 a", "ZRANGE h 0 -1", "ZSCORE l a", "ZCARD s", "ZREM s a",
        "ZPOPMIN set", "ZCOUNT s 0 1", "ZINCRBY s 1 a", "ZRANGEBYSCORE s 0 1",
        "GETDEL l", "GETEX h", "SETNX l v", "MSETNX l v", "SET l v", "TYPE l",
    ],
    "binary_and_case": [
        "SET \"bin\\x00key\" \"\\x06\\x16val\\r\\n\"", "GET \"bin\\x00key\"",
        "STRLEN \"bin\\x00key\"", "U KEYS *", "RPUSH \"celery\\x06\\x163\" \"{\\\"j\\\":1}\"",
        "LRANGE \"celery\\x06\\x163\" 0 -1", "HSET \"h\\xff\" \"\\x00\" \"\\xfe\"",
        "HGETALL \"h\\xff\"", "SADD \"s\\x01\" \"\\x00\" \"\\x00\\x00\"",
        "U SMEMBERS \"s\\x01\"", "ZADD \"z\\x02\" 1 \"\\x00m\"",
        "ZRANGE \"z\\x02\" 0 -1 WITHSCORES",
        "set lower v", "GeT lower", "gEtRaNgE lower 0 0", "lpush ll a", "LrAnGe ll 0 -1",
        "hset hh f v", "hgetall hh", "zadd zz 1 a", "zrange zz 0 -1 withscores",
        "sadd ss a", "smembers ss", "expire lower 100 nx", "ttl lower", "exists lower ll",
        "ECHO \"\\x00\\xff\"", "PING \"with space\"", "ECHO \"\"", "PING", "ping a b",
    ],
}

# --- comparison -----------------------------------------------------------------------------


def split_args(line: str) -> list[bytes]:
    """Redis's sdssplitargs: the inline-command and redis-cli quoting rules."""
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t\n\r\v\f":
            i += 1
        if i >= n:
            return args
        current = bytearray()
        in_double = in_single = False
        while True:
            if in_double:
                if i >= n:
                    raise ValueError(f"unbalanced quotes: {line}")
                c = line[i]
                hex_digits = line[i + 2:i + 4]
                if (c == "\\" and line[i + 1:i + 2] == "x" and len(hex_digits) == 2
                        and all(h in "0123456789abcdefABCDEF" for h in hex_digits)):
                    current.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == "\\" and i + 1 < n:
                    i += 1
                    current += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b",
                                "a": b"\a"}.get(line[i], line[i].encode())
                elif c == '"':
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        raise ValueError(f"closing quote must be followed by a space: {line}")
                    i += 1
                    break
                else:
                    current += c.encode()
            elif in_single:
                if i >= n:
                    raise ValueError(f"unbalanced quotes: {line}")
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    current += b"'"
                elif c == "'":
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        raise ValueError(f"closing quote must be followed by a space: {line}")
                    i += 1
                    break
                else:
                    current += c.encode()
            else:
                if i >= n:
                    break
                c = line[i]
                if c in " \t\n\r\v\f":
                    break
                if c == '"':
                    in_double = True
                elif c == "'":
                    in_single = True
                else:
                    current += c.encode()
            i += 1
        args.append(bytes(current))


def parse_line(line: str) -> tuple[set[str], list[bytes]]:
    flags: set[str] = set()
    while line[:2] in ("U ", "F "):
        flags.add(line[0])
        line = line[2:]
    return flags, split_args(line)


def _float_key(payload: bytes):
    try:
        value = float(payload)
    except ValueError:
        return payload
    return repr(value).encode()


def normalize(node, flags: set[str]):
    kind, payload = node
    if isinstance(payload, list):
        children = [normalize(child, flags) for child in payload]
        if "U" in flags:
            if kind in (b"%", b"|"):
                pairs = sorted(zip(children[::2], children[1::2]), key=repr)
                return (kind, pairs)
            if all(not isinstance(child[1], list) for child in children):
                return (kind, sorted(children, key=repr))
        return (kind, children)
    if "F" in flags and payload is not None and kind in (b"$", b",", b"+"):
        return (kind, _float_key(payload))
    return node


def comparable(reply: bytes, flags: set[str]):
    if not flags:
        return reply
    return normalize(parse(reply), flags)


def run_group(port: int, lines: list[str], protocol: int) -> list[bytes]:
    with RawConnection(port) as connection:
        if protocol == 3:
            hello = connection.command("HELLO", "3")
            assert hello.startswith(b"%"), hello
        replies = []
        for line in lines:
            _, args = parse_line(line)
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        return replies


@pytest.fixture
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


def assert_group_matches(port: int, oracle_port: int, lines: list[str], protocol: int) -> None:
    """Runs `lines` on both servers; every reply must equal redis-server's (after `comparable`)."""
    want = run_group(oracle_port, lines, protocol)
    got = run_group(port, lines, protocol)
    mismatches = []
    for line, mine, theirs in zip(lines, got, want):
        flags, _ = parse_line(line)
        if comparable(mine, flags) != comparable(theirs, flags):
            mismatches.append(f"  {line[:90]}\n    drayman: {mine[:300]!r}\n"
                              f"    redis:   {theirs[:300]!r}")
    assert not mismatches, f"{len(mismatches)} of {len(lines)} replies differ:\n" + "\n".join(
        mismatches[:40])


def run_seeded_differential(seed: int, steps: int,
                            random_command: Callable[[random.Random], list[bytes]],
                            normalize: Callable[[list[bytes], bytes], object] | None = None,
                            server_args: tuple[str, ...] = ()) -> int:
    """A seeded randomized differential run, the skeleton every family's oracle test shares.

    A fresh Drayman and a fresh redis-server (both with DEBUG enabled and `server_args`), one
    connection each, HELLO 2 or 3 by the seed's parity; `steps` commands drawn by
    random_command(rnd) from random.Random(seed) run on both, and every reply must be equal
    (after normalize(args, reply), when given); then both datasets' DEBUG DIGESTs must be equal.
    Returns the number of commands compared."""
    rnd = random.Random(seed)
    compared = 0
    args_for_both = ("--enable-debug-command", "yes", *server_args)
    with DraymanProcess(*args_for_both) as drayman, RedisProcess(*args_for_both) as oracle:
        with RawConnection(drayman.port) as ours, RawConnection(oracle.port) as theirs:
            for connection in (ours, theirs):
                connection.command("HELLO", str(2 + seed % 2))
            for step in range(steps):
                args = random_command(rnd)
                got, want = ours.command(*args), theirs.command(*args)
                if normalize is not None:
                    got, want = normalize(args, got), normalize(args, want)
                assert got == want, (seed, step, args, repr(got)[:300], repr(want)[:300])
                compared += 1
            assert ours.command("DEBUG", "DIGEST") == theirs.command("DEBUG", "DIGEST")
    return compared


def test_command_count():
    """The list really is several hundred command lines."""
    assert sum(len(lines) for lines in GROUPS.values()) >= 600


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, group, protocol):
    server, oracle = servers
    assert_group_matches(server.port, oracle.port, GROUPS[group], protocol)
