// DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's SHA-1 digests of the dataset and of values.
//
// Contract: the results equal redis-server 7.0.15's for the same data, whatever the encodings on
// either side, so a test can compare two servers' whole datasets with one command. The scheme is
// Redis's (debug.c): mixing bytes into a 20-byte digest is digest = SHA1(digest XOR SHA1(bytes))
// (order matters: list elements, a key before its value); XOR-ing is digest ^= SHA1(bytes) (order
// does not: set members, hash fields, sorted-set members, the keys of a database). A value's
// digest mixes its Redis type number (big-endian 32 bits: string 0, list 1, set 2, zset 3, hash 4)
// then its contents: a string's bytes; each list element in order; each set member XOR-ed; for a
// hash and a sorted set, each field (member) and value (score printed as "%.17g") mixed into a
// fresh digest that is XOR-ed in; and "!!expire!!" XOR-ed when the key has an expiry (its time
// does not count). The dataset digest starts at zero and, for each non-empty database in order,
// mixes the database number (big-endian 32 bits) and XORs in, per key, a digest that mixes the
// key and then the value. All zeros means an empty dataset (or key). Expired keys not yet
// deleted count, as in Redis (no lookups, no side effects).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "broker/keyspace/database.h"

namespace drayman {

using Digest = std::array<uint8_t, 20>;

// The digest DEBUG DIGEST-VALUE reports for one key's entry (all zeros for a missing key).
Digest ValueDigest(const Entry& entry);

// The digest DEBUG DIGEST reports for the whole keyspace.
Digest DatasetDigest(Keyspace& keyspace);

// 40 lowercase hex digits, as Redis prints a digest.
std::string DigestHex(const Digest& digest);

}  // namespace drayman
