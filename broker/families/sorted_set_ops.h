// Sorted-set pops shared by ZPOPMIN/ZPOPMAX/ZMPOP and the blocking BZPOPMIN/BZPOPMAX/BZMPOP.
//
// Contract: ZSetPop removes up to `count` elements from one end of a zset and returns them in pop
// order (lowest first for kMin, highest first for kMax); PopFromKey does the same for the zset
// stored at `key` and deletes the key when it empties. Neither replies nor counts changes:
// callers add popped.size() to the command's dirty count (Redis counts one change per element),
// and the dispatcher then signals the key. The reply writers produce Redis's exact shapes for
// both protocols. ParseZmpopArgs parses "numkeys key [key ...] MIN|MAX [COUNT count]" starting at
// `numkeys_index` (1 for ZMPOP, 2 for BZMPOP) with Redis's checks and error texts, and
// ZmpopKeyIndexes is the matching get_keys function body. The functions are implemented in
// sorted_set_family.cc next to the commands that use them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "broker/keyspace/database.h"
#include "broker/keyspace/zset.h"
#include "broker/resp/reply_builder.h"

namespace drayman {

struct CommandContext;

enum class ZSetEnd { kMin, kMax };

struct ScoredMember {
  std::string member;
  double score;
};

std::vector<ScoredMember> ZSetPop(ZSet& zset, ZSetEnd end, size_t count);
// `zset` is the value stored at `key` in `db`.
std::vector<ScoredMember> PopFromKey(Database& db, std::string_view key, ZSet& zset, ZSetEnd end,
                                     size_t count);
// Keyspace events of a PopFromKey, in Redis 7.0's order: "zpopmin"/"zpopmax", then "del" when
// the key went.
void NotifyZSetPopped(CommandContext& ctx, std::string_view key, ZSetEnd end);

// BZPOPMIN/BZPOPMAX: [key, member, score]; the score is a bulk string in RESP2, a double in RESP3.
void ReplyKeyMemberScore(ReplyBuilder& reply, std::string_view key, const ScoredMember& popped);
// ZMPOP/BZMPOP: [key, [[member, score], ...]] in both protocols.
void ReplyKeyWithPairs(ReplyBuilder& reply, std::string_view key,
                       const std::vector<ScoredMember>& popped);

struct ZmpopArgs {
  size_t first_key = 0;  // index of the first key in args
  size_t numkeys = 0;
  ZSetEnd end = ZSetEnd::kMin;
  size_t count = 1;
};
// On failure returns false with the whole error text (e.g. "ERR syntax error") in *error.
bool ParseZmpopArgs(const std::vector<std::string>& args, size_t numkeys_index, ZmpopArgs* out,
                    std::string* error);
// The key indexes of a ZMPOP-style command, or none when numkeys is malformed.
std::vector<int> ZmpopKeyIndexes(const std::vector<std::string>& args, size_t numkeys_index);

}  // namespace drayman
