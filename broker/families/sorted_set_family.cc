// Sorted-set family: ZADD, ZINCRBY, ZREM, ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK,
// ZREVRANK, ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, ZSCAN, and the helpers declared in
// sorted_set_ops.h and sorted_set_args.h. The range commands (ZRANGE and its forms, ZRANGESTORE,
// ZREMRANGEBY*) are in sorted_set_range_family.cc; the set operations (ZUNION, ZINTER, ZDIFF,
// their *STORE forms, ZINTERCARD) in sorted_set_setop_family.cc. The blocking pops (BZPOPMIN,
// BZPOPMAX, BZMPOP) live with the blocking framework and use sorted_set_ops.h.
//
// Behaviour follows Redis 7.0's t_zset.c checked against redis-server 7.0.15, with Redis 7.2's
// score formatting (FormatDouble) and ZRANK/ZREVRANK WITHSCORE.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/numkeys.h"
#include "broker/command/read_lookup.h"
#include "broker/families/container_ops.h"
#include "broker/families/families.h"
#include "broker/families/random_sample.h"
#include "broker/families/scan.h"
#include "broker/families/sorted_set_args.h"
#include "broker/families/sorted_set_ops.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

// ZRANDMEMBER with a negative count repeats elements, so the reply can be any length; Redis
// builds it regardless (and runs out of memory past a few billion). We refuse counts whose reply
// would exceed hundreds of megabytes instead of taking the process down.
constexpr uint64_t kMaxRandomRepeats = 100'000'000;

}  // namespace

// ---------------------------------------------------------------------------------------------
// sorted_set_args.h

// Score bounds of Z*BYSCORE, ZCOUNT, ZREMRANGEBYSCORE: Redis parses them with plain strtod, so
// leading blanks, "", hex and out-of-range values are accepted; NaN is not. A NUL byte ends the
// text, as in C.
bool ParseScoreBound(std::string_view text, double* value, bool* exclusive) {
  *exclusive = !text.empty() && text[0] == '(';
  if (*exclusive) text.remove_prefix(1);
  std::string copy(text);
  char* end = nullptr;
  const double parsed = std::strtod(copy.c_str(), &end);
  if (*end != '\0' || std::isnan(parsed)) return false;
  *value = parsed;
  return true;
}

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* range) {
  return ParseScoreBound(min, &range->min, &range->min_exclusive) &&
         ParseScoreBound(max, &range->max, &range->max_exclusive);
}

bool ParseLexBound(std::string_view text, LexBound* bound) {
  if (text.empty()) return false;
  switch (text[0]) {
    case '+':
    case '-':
      // As in C, a NUL after the sign ends the item.
      if (text.size() > 1 && text[1] != '\0') return false;
      bound->kind = text[0] == '+' ? LexBound::Kind::kPlusInfinity : LexBound::Kind::kMinusInfinity;
      bound->exclusive = true;
      return true;
    case '(':
    case '[':
      bound->kind = LexBound::Kind::kValue;
      bound->exclusive = text[0] == '(';
      bound->value.assign(text.substr(1));
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* range) {
  return ParseLexBound(min, &range->min) && ParseLexBound(max, &range->max);
}

// getRangeLongFromObjectOrReply: parse failures and out-of-range values get the same text.
bool ParseRangedInt(std::string_view text, int64_t min, int64_t max, int64_t* value) {
  return ParseInt64(text, value) && *value >= min && *value <= max;
}

// Writes `nodes` as a range reply: members, with scores when asked (flat in RESP2, [member,
// score] pairs in RESP3).
void ReplyNodes(ReplyBuilder& reply, const std::vector<const ZSet::Node*>& nodes,
                bool with_scores) {
  const bool pairs = with_scores && reply.resp3();
  reply.ArrayHeader(with_scores && !pairs ? nodes.size() * 2 : nodes.size());
  for (const ZSet::Node* node : nodes) {
    if (pairs) reply.ArrayHeader(2);
    reply.Bulk(node->member());
    if (with_scores) reply.Double(node->score);
  }
}

namespace {

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

void ZaddGeneric(CommandContext& ctx, bool incr) {
  const auto& args = ctx.args;
  bool nx = false, xx = false, gt = false, lt = false, ch = false;
  size_t index = 2;
  for (; index < args.size(); ++index) {
    const std::string& opt = args[index];
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      incr = true;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      gt = true;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      lt = true;
    } else {
      break;
    }
  }
  const size_t remaining = args.size() - index;
  if (remaining == 0 || remaining % 2 != 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  const size_t elements = remaining / 2;
  if (nx && xx) {
    ctx.reply.Error(errors::kXxAndNx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.Error(errors::kGtLtNx);
    return;
  }
  if (incr && elements > 1) {
    ctx.reply.Error(errors::kIncrSinglePair);
    return;
  }
  // Every score is checked before anything changes: the command applies whole or not at all.
  std::vector<double> scores(elements);
  for (size_t i = 0; i < elements; ++i) {
    if (!ParseDouble(args[index + 2 * i], &scores[i])) {
      ctx.reply.Error(errors::kNotFloat);
      return;
    }
  }

  const std::string& key = args[1];
  ZSet* zset = nullptr;
  if (!ctx.LookupWrite(key, &zset)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double result = 0;
  if (zset == nullptr && !xx) {
    Entry& entry = ctx.db.Add(key, Value(std::make_unique<ZSet>()));
    zset = &entry.value.zset();
  }
  for (size_t i = 0; zset != nullptr && i < elements; ++i) {
    const std::string& member = args[index + 2 * i + 1];
    double score = scores[i];
    if (const double* current = zset->Find(member)) {
      if (nx) continue;
      const double old_score = *current;
      if (incr) {
        score += old_score;
        if (std::isnan(score)) {
          ctx.AddDirty(added + updated);
          ctx.reply.Error(errors::kNotANumber);
          return;
        }
      }
      if ((lt && score >= old_score) || (gt && score <= old_score)) continue;
      ++processed;
      result = score;
      if (score != old_score) {
        zset->Update(member, score);
        ++updated;
      }
    } else if (!xx) {
      zset->Insert(member, score);
      ++added;
      ++processed;
      result = score;
    }
  }
  if (added + updated > 0) NotifyKeyspaceEvent(ctx, kNotifyZset, incr ? "zincr" : "zadd", key);
  ctx.DeleteIfEmpty(key, zset);
  ctx.AddDirty(added + updated);
  if (incr) {
    if (processed > 0) {
      ctx.reply.Double(result);
    } else {
      ctx.reply.Null();
    }
  } else {
    ctx.reply.Integer(ch ? added + updated : added);
  }
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void CmdZadd(CommandContext& ctx) { ZaddGeneric(ctx, false); }

// ZINCRBY key increment member
void CmdZincrby(CommandContext& ctx) { ZaddGeneric(ctx, true); }

// ZREM key member [member ...]
void CmdZrem(CommandContext& ctx) { RemoveMembersGeneric(ctx, &ZSet::Erase, kNotifyZset, "zrem"); }

// ZCARD key
void CmdZcard(CommandContext& ctx) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.Integer(zset ? static_cast<int64_t>(zset->size()) : 0);
}

// ZCOUNT key min max
void CmdZcount(CommandContext& ctx) {
  ScoreRange range;
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &range)) {
    ctx.reply.Error(errors::kMinMaxNotFloat);
    return;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.Integer(zset ? static_cast<int64_t>(zset->CountInRange(range)) : 0);
}

// ZLEXCOUNT key min max
void CmdZlexcount(CommandContext& ctx) {
  LexRange range;
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &range)) {
    ctx.reply.Error(errors::kMinMaxNotLex);
    return;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.Integer(zset ? static_cast<int64_t>(zset->CountInLexRange(range)) : 0);
}

// ZSCORE key member
void CmdZscore(CommandContext& ctx) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  const double* score = zset ? zset->Find(ctx.args[2]) : nullptr;
  if (score) {
    ctx.reply.Double(*score);
  } else {
    ctx.reply.Null();
  }
}

// ZMSCORE key member [member ...]
void CmdZmscore(CommandContext& ctx) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const double* score = zset ? zset->Find(ctx.args[i]) : nullptr;
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

// ZRANK key member [WITHSCORE] / ZREVRANK key member [WITHSCORE] (WITHSCORE is Redis 7.2)
void ZrankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  bool with_score = false;
  if (ctx.args.size() == 4) {
    if (!EqualsIgnoreCase(ctx.args[3], "withscore")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    with_score = true;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  const int64_t rank = zset ? zset->Rank(ctx.args[2]) : -1;
  if (rank < 0) {
    if (with_score) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  const int64_t answer = reverse ? static_cast<int64_t>(zset->size()) - 1 - rank : rank;
  if (!with_score) {
    ctx.reply.Integer(answer);
    return;
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Integer(answer);
  ctx.reply.Double(*zset->Find(ctx.args[2]));
}

// ZRANK key member [WITHSCORE]
void CmdZrank(CommandContext& ctx) { ZrankGeneric(ctx, false); }

// ZREVRANK key member [WITHSCORE]
void CmdZrevrank(CommandContext& ctx) { ZrankGeneric(ctx, true); }

// ---------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP

void ZpopGeneric(CommandContext& ctx, ZSetEnd end) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  int64_t count = -1;  // no COUNT argument: a flat reply of one element
  if (ctx.args.size() == 3 &&
      !ParseRangedInt(ctx.args[2], 0, std::numeric_limits<int64_t>::max(), &count)) {
    ctx.reply.Error(errors::kMustBePositive);
    return;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &zset)) return;
  if (zset == nullptr || count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const bool nested = ctx.reply.resp3() && count != -1;
  std::vector<ScoredMember> popped =
      PopFromKey(ctx.db, ctx.args[1], *zset, end, count == -1 ? 1 : static_cast<size_t>(count));
  NotifyZSetPopped(ctx, ctx.args[1], end);
  ctx.AddDirty(static_cast<int64_t>(popped.size()));
  ctx.reply.ArrayHeader(nested ? popped.size() : popped.size() * 2);
  for (const ScoredMember& element : popped) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(element.member);
    ctx.reply.Double(element.score);
  }
}

// ZPOPMIN key [count]
void CmdZpopmin(CommandContext& ctx) { ZpopGeneric(ctx, ZSetEnd::kMin); }

// ZPOPMAX key [count]
void CmdZpopmax(CommandContext& ctx) { ZpopGeneric(ctx, ZSetEnd::kMax); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void CmdZmpop(CommandContext& ctx) {
  ZmpopArgs parsed;
  std::string error;
  if (!ParseZmpopArgs(ctx.args, 1, &parsed, &error)) {
    ctx.reply.Error(error);
    return;
  }
  for (size_t i = 0; i < parsed.numkeys; ++i) {
    const std::string& key = ctx.args[parsed.first_key + i];
    ZSet* zset = nullptr;
    if (!ctx.LookupWrite(key, &zset)) return;
    if (zset == nullptr) continue;
    // The first existing key decides; later keys are not even type-checked (as in Redis).
    std::vector<ScoredMember> popped = PopFromKey(ctx.db, key, *zset, parsed.end, parsed.count);
    NotifyZSetPopped(ctx, key, parsed.end);
    ctx.AddDirty(static_cast<int64_t>(popped.size()));
    ReplyKeyWithPairs(ctx.reply, key, popped);
    if (ctx.propagating()) {
      // Replays as ZPOPMIN/ZPOPMAX key <popped>, as Redis 7.0 writes it.
      ctx.PropagateAs({parsed.end == ZSetEnd::kMin ? "ZPOPMIN" : "ZPOPMAX", key,
                       std::to_string(popped.size())});
    }
    return;
  }
  ctx.reply.NullArray();
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

void EmitElement(ReplyBuilder& reply, const ZSet::Node* node, bool with_scores) {
  if (with_scores && reply.resp3()) reply.ArrayHeader(2);
  reply.Bulk(node->member());
  if (with_scores) reply.Double(node->score);
}

void ZrandmemberWithCount(CommandContext& ctx, int64_t requested, bool with_scores) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  if (zset == nullptr || requested == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const bool unique = requested > 0;
  const uint64_t count =
      unique ? static_cast<uint64_t>(requested) : static_cast<uint64_t>(-requested);
  if (!unique && count > kMaxRandomRepeats) {
    ctx.reply.Error(errors::kValueOutOfRange);
    return;
  }
  auto& rng = ctx.keyspace.rng();
  const size_t size = zset->size();
  std::uniform_int_distribution<size_t> pick(0, size - 1);
  auto header = [&](uint64_t n) {
    ctx.reply.ArrayHeader(with_scores && !ctx.reply.resp3() ? n * 2 : n);
  };
  // Repeats allowed (or a single element): independent uniform draws.
  if (!unique || count == 1) {
    header(count);
    for (uint64_t i = 0; i < count; ++i)
      EmitElement(ctx.reply, zset->AtRank(pick(rng)), with_scores);
    return;
  }
  // Asking for everything: the whole set, highest first (Redis walks from the tail).
  if (count >= size) {
    header(size);
    for (const ZSet::Node* node = zset->Last(); node != nullptr; node = node->prev()) {
      EmitElement(ctx.reply, node, with_scores);
    }
    return;
  }
  // Distinct ranks in random order.
  auto all = [&] {
    std::vector<size_t> ranks(size);
    std::iota(ranks.begin(), ranks.end(), 0);
    return ranks;
  };
  const std::vector<size_t> ranks =
      SampleDistinct<size_t>(count, size, rng, all, [&] { return pick(rng); });
  header(count);
  for (size_t rank : ranks) EmitElement(ctx.reply, zset->AtRank(rank), with_scores);
}

// ZRANDMEMBER key [count [WITHSCORES]]
void CmdZrandmember(CommandContext& ctx) {
  const auto& args = ctx.args;
  if (args.size() >= 3) {
    int64_t count = 0;
    bool with_scores = false;
    if (!ParseRandomCountArgs(ctx, "withscores", &count, &with_scores)) return;
    ZrandmemberWithCount(ctx, count, with_scores);
    return;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(args[1], &zset)) return;
  if (zset == nullptr) {
    ctx.reply.Null();
    return;
  }
  std::uniform_int_distribution<size_t> pick(0, zset->size() - 1);
  ctx.reply.Bulk(zset->AtRank(pick(ctx.keyspace.rng()))->member());
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void CmdZscan(CommandContext& ctx) {
  uint64_t cursor = 0;
  ScanOptions options;
  ZSet* zset = BeginKeyScan<ZSet>(ctx, &cursor, &options);
  if (zset == nullptr) return;
  // The walk wants COUNT elements, as Redis's does; Redis also lets it take twice the steps (it
  // doubles COUNT for member/score pairs), which shows only on sparse tables.
  std::vector<std::pair<std::string_view, double>> items;
  cursor = ScanWalk(cursor, static_cast<uint64_t>(options.count), items, [&](uint64_t at) {
    return zset->Scan(
        at, [&](std::string_view member, double score) { items.emplace_back(member, score); });
  });
  std::erase_if(items, [&](const auto& item) { return !options.Matches(item.first); });
  ReplyScanHeader(ctx.reply, cursor, items.size() * 2);
  for (const auto& [member, score] : items) {
    ctx.reply.Bulk(member);
    ctx.reply.Bulk(FormatDouble(score));
  }
}

// ---------------------------------------------------------------------------------------------
// Key positions of the movable-key commands.

std::vector<int> ZmpopKeys(const std::vector<std::string>& args) {
  return ZmpopKeyIndexes(args, 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// sorted_set_ops.h

std::vector<ScoredMember> ZSetPop(ZSet& zset, ZSetEnd end, size_t count) {
  std::vector<ScoredMember> popped;
  const size_t n = std::min(count, zset.size());
  popped.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const ZSet::Node* node = end == ZSetEnd::kMin ? zset.First() : zset.Last();
    popped.push_back({std::string(node->member()), node->score});
    zset.Erase(popped.back().member);
  }
  return popped;
}

void NotifyZSetPopped(CommandContext& ctx, std::string_view key, ZSetEnd end) {
  NotifyKeyspaceEvent(ctx, kNotifyZset, end == ZSetEnd::kMin ? "zpopmin" : "zpopmax", key);
  if (ctx.db.Peek(key) == nullptr) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

std::vector<ScoredMember> PopFromKey(Database& db, std::string_view key, ZSet& zset, ZSetEnd end,
                                     size_t count) {
  std::vector<ScoredMember> popped = ZSetPop(zset, end, count);
  if (zset.empty()) db.Delete(key);
  return popped;
}

void ReplyKeyMemberScore(ReplyBuilder& reply, std::string_view key, const ScoredMember& popped) {
  reply.ArrayHeader(3);
  reply.Bulk(key);
  reply.Bulk(popped.member);
  reply.Double(popped.score);
}

void ReplyKeyWithPairs(ReplyBuilder& reply, std::string_view key,
                       const std::vector<ScoredMember>& popped) {
  reply.ArrayHeader(2);
  reply.Bulk(key);
  reply.ArrayHeader(popped.size());
  for (const ScoredMember& element : popped) {
    reply.ArrayHeader(2);
    reply.Bulk(element.member);
    reply.Double(element.score);
  }
}

bool ParseZmpopArgs(const std::vector<std::string>& args, size_t numkeys_index, ZmpopArgs* out,
                    std::string* error) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t numkeys = 0;
  if (!ParseRangedInt(args[numkeys_index], 1, kMax, &numkeys)) {
    error->assign(errors::kNumkeysNotPositive);
    return false;
  }
  // MIN|MAX follows the keys.
  if (static_cast<uint64_t>(numkeys) >= args.size() - numkeys_index - 1) {
    error->assign(errors::kSyntax);
    return false;
  }
  const size_t where_index = numkeys_index + 1 + static_cast<size_t>(numkeys);
  if (EqualsIgnoreCase(args[where_index], "min")) {
    out->end = ZSetEnd::kMin;
  } else if (EqualsIgnoreCase(args[where_index], "max")) {
    out->end = ZSetEnd::kMax;
  } else {
    error->assign(errors::kSyntax);
    return false;
  }
  int64_t count = -1;
  for (size_t j = where_index + 1; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    if (count == -1 && EqualsIgnoreCase(args[j], "count") && more) {
      ++j;
      if (!ParseRangedInt(args[j], 1, kMax, &count)) {
        error->assign(errors::kCountNotPositive);
        return false;
      }
    } else {
      error->assign(errors::kSyntax);
      return false;
    }
  }
  out->first_key = numkeys_index + 1;
  out->numkeys = static_cast<size_t>(numkeys);
  out->count = count == -1 ? 1 : static_cast<size_t>(count);
  return true;
}

std::vector<int> ZmpopKeyIndexes(const std::vector<std::string>& args, size_t numkeys_index) {
  return NumkeysKeyIndexes(args, numkeys_index);
}

void RegisterSortedSetFamily(CommandTable& table) {
  table.Add({.name = "zadd",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZadd,
             .group = "sorted-set",
             .summary = "Add one or more members to a sorted set, or update its score if it "
                        "already exists",
             .since = "1.2.0",
             .complexity = "O(log(N)) for each item added, where N is the number of elements in "
                           "the sorted set."});
  table.Add({.name = "zincrby",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZincrby,
             .group = "sorted-set",
             .summary = "Increment the score of a member in a sorted set",
             .since = "1.2.0",
             .complexity = "O(log(N)) where N is the number of elements in the sorted set."});
  table.Add({.name = "zrem",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrem,
             .group = "sorted-set",
             .summary = "Remove one or more members from a sorted set",
             .since = "1.2.0",
             .complexity = "O(M*log(N)) with N being the number of elements in the sorted set and "
                           "M the number of elements to be removed."});
  table.Add({.name = "zcard",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZcard,
             .group = "sorted-set",
             .summary = "Get the number of members in a sorted set",
             .since = "1.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "zcount",
             .arity = 4,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZcount,
             .group = "sorted-set",
             .summary = "Count the members in a sorted set with scores within the given values",
             .since = "2.0.0",
             .complexity = "O(log(N)) with N being the number of elements in the sorted set."});
  table.Add({.name = "zlexcount",
             .arity = 4,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZlexcount,
             .group = "sorted-set",
             .summary = "Count the number of members in a sorted set between a given "
                        "lexicographical range",
             .since = "2.8.9",
             .complexity = "O(log(N)) with N being the number of elements in the sorted set."});
  table.Add({.name = "zscore",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZscore,
             .group = "sorted-set",
             .summary = "Get the score associated with the given member in a sorted set",
             .since = "1.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "zmscore",
             .arity = -3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZmscore,
             .group = "sorted-set",
             .summary = "Get the score associated with the given members in a sorted set",
             .since = "6.2.0",
             .complexity = "O(N) where N is the number of members being requested."});
  // Arity -3 with WITHSCORE is Redis 7.2's (7.0 has arity 3 and no option).
  table.Add({.name = "zrank",
             .arity = -3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrank,
             .group = "sorted-set",
             .summary = "Determine the index of a member in a sorted set",
             .since = "2.0.0",
             .complexity = "O(log(N))"});
  table.Add({.name = "zrevrank",
             .arity = -3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrevrank,
             .group = "sorted-set",
             .summary = "Determine the index of a member in a sorted set, with scores ordered from "
                        "high to low",
             .since = "2.0.0",
             .complexity = "O(log(N))"});
  table.Add({.name = "zpopmin",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZpopmin,
             .group = "sorted-set",
             .summary = "Remove and return members with the lowest scores in a sorted set",
             .since = "5.0.0",
             .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and "
                           "M being the number of elements popped."});
  table.Add({.name = "zpopmax",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZpopmax,
             .group = "sorted-set",
             .summary = "Remove and return members with the highest scores in a sorted set",
             .since = "5.0.0",
             .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and "
                           "M being the number of elements popped."});
  table.Add({.name = "zmpop",
             .arity = -4,
             .flags = kCmdWrite | kCmdMovableKeys,
             .handler = CmdZmpop,
             .get_keys = ZmpopKeys,
             .group = "sorted-set",
             .summary = "Remove and return members with scores in a sorted set",
             .since = "7.0.0",
             .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the "
                           "number of elements in the sorted set, and M being the number of "
                           "elements popped."});
  table.Add({.name = "zrandmember",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrandmember,
             .group = "sorted-set",
             .summary = "Get one or multiple random elements from a sorted set",
             .since = "6.2.0",
             .complexity = "O(N) where N is the number of elements returned"});
  table.Add({.name = "zscan",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZscan,
             .group = "sorted-set",
             .summary = "Incrementally iterate sorted sets elements and associated scores",
             .since = "2.8.0",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection.."});
  RegisterSortedSetRangeCommands(table);
  RegisterSortedSetSetOpCommands(table);
}

}  // namespace drayman
