// Sorted-set family: ZADD, ZINCRBY, ZREM, ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK,
// ZREVRANK, ZRANGE and its BYSCORE/BYLEX/REV forms, ZRANGESTORE, ZREMRANGEBY*, ZPOPMIN, ZPOPMAX,
// ZMPOP, ZRANDMEMBER, ZUNION/ZINTER/ZDIFF (and *STORE), ZINTERCARD, ZSCAN. The blocking pops
// (BZPOPMIN, BZPOPMAX, BZMPOP) live with the blocking framework and use sorted_set_ops.h.
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

#include "absl/container/flat_hash_map.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/numkeys.h"
#include "broker/command/read_lookup.h"
#include "broker/families/container_ops.h"
#include "broker/families/families.h"
#include "broker/families/index_range.h"
#include "broker/families/random_sample.h"
#include "broker/families/scan.h"
#include "broker/families/sorted_set_ops.h"
#include "broker/keyspace/set.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

// ZRANDMEMBER with a negative count repeats elements, so the reply can be any length; Redis
// builds it regardless (and runs out of memory past a few billion). We refuse counts whose reply
// would exceed hundreds of megabytes instead of taking the process down.
constexpr uint64_t kMaxRandomRepeats = 100'000'000;

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
// ZRANGE and friends

enum class RangeType { kAuto, kRank, kScore, kLex };

// The min and max arguments of a rank, score or lex range; only the member for `type` is set.
struct RangeBounds {
  int64_t start = 0;
  int64_t end = 0;
  ScoreRange score;
  LexRange lex;
};

// Parses min and max as `type` (kAuto is not allowed) with Redis's error texts; replies and
// returns false on error.
bool ParseRangeBounds(CommandContext& ctx, RangeType type, std::string_view min,
                      std::string_view max, RangeBounds* bounds) {
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!ParseInt64(min, &bounds->start) || !ParseInt64(max, &bounds->end)) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
      return true;
    case RangeType::kScore:
      if (!ParseScoreRange(min, max, &bounds->score)) {
        ctx.reply.Error(errors::kMinMaxNotFloat);
        return false;
      }
      return true;
    case RangeType::kLex:
      if (!ParseLexRange(min, max, &bounds->lex)) {
        ctx.reply.Error(errors::kMinMaxNotLex);
        return false;
      }
      return true;
  }
  return false;
}
enum class RangeDirection { kAuto, kForward, kReverse };

// The nodes of ranks [start, end] (Redis's index rules: negatives count from the end).
std::vector<const ZSet::Node*> RankRange(const ZSet& zset, int64_t start, int64_t end,
                                         bool reverse) {
  std::vector<const ZSet::Node*> nodes;
  const auto length = static_cast<int64_t>(zset.size());
  if (!ClampIndexRange(length, &start, &end)) return nodes;
  int64_t count = end - start + 1;
  nodes.reserve(static_cast<size_t>(count));
  const ZSet::Node* node;
  if (reverse) {
    node = start == 0 ? zset.Last() : zset.AtRank(static_cast<size_t>(length - 1 - start));
  } else {
    node = start == 0 ? zset.First() : zset.AtRank(static_cast<size_t>(start));
  }
  for (; count > 0 && node != nullptr; --count) {
    nodes.push_back(node);
    node = reverse ? node->prev() : node->next();
  }
  return nodes;
}

// Walks from `node` skipping `offset` elements, then collects up to `limit` (negative: all)
// elements for which `in_range` holds. A negative offset yields nothing, as in Redis.
template <typename InRange>
std::vector<const ZSet::Node*> WalkRange(const ZSet::Node* node, bool reverse, int64_t offset,
                                         int64_t limit, InRange in_range) {
  std::vector<const ZSet::Node*> nodes;
  if (offset < 0) return nodes;
  for (; node != nullptr && offset > 0; --offset) node = reverse ? node->prev() : node->next();
  for (; node != nullptr && limit != 0; --limit) {
    if (!in_range(node)) break;
    nodes.push_back(node);
    node = reverse ? node->prev() : node->next();
  }
  return nodes;
}

// Stores a range result at `dst` (ZRANGESTORE), or deletes `dst` when the result is empty.
void StoreNodes(CommandContext& ctx, std::string_view dst,
                const std::vector<const ZSet::Node*>& nodes) {
  if (nodes.empty()) {
    ctx.reply.Integer(0);
    if (ctx.db.Delete(dst)) {
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
      ctx.AddDirty();
    }
    return;
  }
  // Built element by element like Redis's ZRANGESTORE, so the encoding rules of ZADD apply.
  auto result = std::make_unique<ZSet>();
  for (const ZSet::Node* node : nodes) result->Insert(node->member(), node->score);
  ctx.db.Put(dst, Value(std::move(result)));
  NotifyKeyspaceEvent(ctx, kNotifyZset, "zrangestore", dst);
  ctx.reply.Integer(static_cast<int64_t>(nodes.size()));
  ctx.AddDirty();
}

// ZRANGE, ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX. `src_index` is the source
// key's position; min, max and the options follow it.
void ZrangeGeneric(CommandContext& ctx, size_t src_index, bool store, RangeType type,
                   RangeDirection direction) {
  const auto& args = ctx.args;
  size_t min_index = src_index + 1;
  size_t max_index = src_index + 2;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  for (size_t j = src_index + 3; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    if (!store && EqualsIgnoreCase(args[j], "withscores")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(args[j], "limit") && left >= 2) {
      if (!ParseInt64(args[j + 1], &offset) || !ParseInt64(args[j + 2], &limit)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      j += 2;
    } else if (direction == RangeDirection::kAuto && EqualsIgnoreCase(args[j], "rev")) {
      direction = RangeDirection::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(args[j], "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(args[j], "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (direction == RangeDirection::kAuto) direction = RangeDirection::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis tests the LIMIT value, not its presence: "LIMIT 0 -1" passes with a rank range.
  if (limit != -1 && type == RangeType::kRank) {
    ctx.reply.Error(errors::kLimitNeedsByScoreOrLex);
    return;
  }
  if (with_scores && type == RangeType::kLex) {
    ctx.reply.Error(errors::kWithScoresByLex);
    return;
  }
  const bool reverse = direction == RangeDirection::kReverse;
  // Score and lex ranges are given as max, min when reversed.
  if (reverse && type != RangeType::kRank) std::swap(min_index, max_index);

  RangeBounds bounds;
  if (!ParseRangeBounds(ctx, type, args[min_index], args[max_index], &bounds)) return;

  ZSet* zset = nullptr;
  if (!ctx.LookupRead(args[src_index], &zset)) return;
  std::vector<const ZSet::Node*> nodes;
  if (zset != nullptr) {
    switch (type) {
      case RangeType::kAuto:
      case RangeType::kRank:
        nodes = RankRange(*zset, bounds.start, bounds.end, reverse);
        break;
      case RangeType::kScore:
        if (offset > 0 && static_cast<uint64_t>(offset) >= zset->size()) break;
        nodes = WalkRange(
            reverse ? zset->LastInRange(bounds.score) : zset->FirstInRange(bounds.score), reverse,
            offset, limit, [&](const ZSet::Node* node) {
              return reverse ? bounds.score.GteMin(node->score) : bounds.score.LteMax(node->score);
            });
        break;
      case RangeType::kLex:
        nodes = WalkRange(
            reverse ? zset->LastInLexRange(bounds.lex) : zset->FirstInLexRange(bounds.lex), reverse,
            offset, limit, [&](const ZSet::Node* node) {
              return reverse ? bounds.lex.GteMin(node->member())
                             : bounds.lex.LteMax(node->member());
            });
        break;
    }
  }
  if (store) {
    StoreNodes(ctx, args[1], nodes);
  } else {
    ReplyNodes(ctx.reply, nodes, with_scores);
  }
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void CmdZrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kAuto, RangeDirection::kAuto);
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
void CmdZrangestore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 2, true, RangeType::kAuto, RangeDirection::kAuto);
}

// ZREVRANGE key start stop [WITHSCORES]
void CmdZrevrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kRank, RangeDirection::kReverse);
}

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void CmdZrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, RangeDirection::kForward);
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void CmdZrevrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, RangeDirection::kReverse);
}

// ZRANGEBYLEX key min max [LIMIT offset count]
void CmdZrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, RangeDirection::kForward);
}

// ZREVRANGEBYLEX key max min [LIMIT offset count]
void CmdZrevrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, RangeDirection::kReverse);
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX

void ZremrangeGeneric(CommandContext& ctx, RangeType type) {
  RangeBounds bounds;
  if (!ParseRangeBounds(ctx, type, ctx.args[2], ctx.args[3], &bounds)) return;
  ZSet* zset = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &zset)) return;
  if (zset == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  size_t deleted = 0;
  if (type == RangeType::kRank) {
    if (!ClampIndexRange(static_cast<int64_t>(zset->size()), &bounds.start, &bounds.end)) {
      ctx.reply.Integer(0);
      return;
    }
    deleted =
        zset->EraseRangeByRank(static_cast<size_t>(bounds.start), static_cast<size_t>(bounds.end));
  } else if (type == RangeType::kScore) {
    deleted = zset->EraseRangeByScore(bounds.score);
  } else {
    deleted = zset->EraseRangeByLex(bounds.lex);
  }
  if (deleted > 0) {
    const std::string_view event = type == RangeType::kRank    ? "zremrangebyrank"
                                   : type == RangeType::kScore ? "zremrangebyscore"
                                                               : "zremrangebylex";
    NotifyKeyspaceEvent(ctx, kNotifyZset, event, ctx.args[1]);
    if (zset->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.args[1]);
  }
  if (zset->empty()) ctx.db.Delete(ctx.args[1]);
  ctx.AddDirty(static_cast<int64_t>(deleted));
  ctx.reply.Integer(static_cast<int64_t>(deleted));
}

// ZREMRANGEBYRANK key start stop
void CmdZremrangebyrank(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kRank); }

// ZREMRANGEBYSCORE key min max
void CmdZremrangebyscore(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kScore); }

// ZREMRANGEBYLEX key min max
void CmdZremrangebylex(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kLex); }

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
// ZUNION / ZINTER / ZDIFF / *STORE / ZINTERCARD

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// An input of a set operation: a sorted set, or a plain set whose members all score 1.
struct OpSource {
  const ZSet* zset = nullptr;
  const Set* set = nullptr;
  double weight = 1;

  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  bool SameAs(const OpSource& other) const {
    return (zset != nullptr && zset == other.zset) || (set != nullptr && set == other.set);
  }
  bool Find(std::string_view member, double* score) const {
    if (zset) {
      const double* found = zset->Find(member);
      if (found) *score = *found;
      return found != nullptr;
    }
    if (set && set->Contains(member)) {
      *score = 1.0;
      return true;
    }
    return false;
  }
  // fn(std::string_view member, double score). Sorted sets are walked from the highest element
  // down, as Redis walks them (it matters only for the order of floating-point aggregation).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (zset) {
      for (const ZSet::Node* node = zset->Last(); node != nullptr; node = node->prev()) {
        fn(node->member(), node->score);
      }
    } else if (set) {
      set->ForEach([&](std::string_view member) { fn(member, 1.0); });
    }
  }
};

void AggregateInto(double* target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      *target += value;
      // inf + -inf: Redis keeps the convention that the result is 0.
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

double Weighted(double score, double weight) {
  const double value = score * weight;
  return std::isnan(value) ? 0 : value;
}

// numkeys is at `numkeys_index` (2 for the *STORE forms, whose destination is args[1], else 1).
void SetOpGeneric(CommandContext& ctx, size_t numkeys_index, bool store, SetOp op,
                  bool cardinality_only) {
  const auto& args = ctx.args;
  int64_t numkeys = 0;
  if (!ParseInt64(args[numkeys_index], &numkeys)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (numkeys < 1) {
    ctx.reply.Error(errors::AtLeastOneKey(ctx.spec.full_name));
    return;
  }
  if (static_cast<uint64_t>(numkeys) > args.size() - (numkeys_index + 1)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<OpSource> sources(static_cast<size_t>(numkeys));
  size_t j = numkeys_index + 1;
  for (OpSource& source : sources) {
    Entry* entry = ReadLookup(ctx, args[j++]);
    if (entry == nullptr) continue;
    if (entry->value.type() == ValueType::kZSet) {
      source.zset = &entry->value.zset();
    } else if (entry->value.type() == ValueType::kSet) {
      source.set = &entry->value.set();
    } else {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
  }
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;  // ZINTERCARD: stop counting here; 0 means no limit
  while (j < args.size()) {
    const size_t remaining = args.size() - j;
    if (op != SetOp::kDiff && !cardinality_only && remaining >= sources.size() + 1 &&
        EqualsIgnoreCase(args[j], "weights")) {
      ++j;
      for (OpSource& source : sources) {
        if (!ParseDouble(args[j++], &source.weight)) {
          ctx.reply.Error(errors::kWeightNotFloat);
          return;
        }
      }
    } else if (op != SetOp::kDiff && !cardinality_only && remaining >= 2 &&
               EqualsIgnoreCase(args[j], "aggregate")) {
      const std::string& name = args[j + 1];
      if (EqualsIgnoreCase(name, "sum")) {
        aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(name, "min")) {
        aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(name, "max")) {
        aggregate = Aggregate::kMax;
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
      j += 2;
    } else if (!store && !cardinality_only && EqualsIgnoreCase(args[j], "withscores")) {
      with_scores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && EqualsIgnoreCase(args[j], "limit")) {
      if (!ParseRangedInt(args[j + 1], 0, std::numeric_limits<int64_t>::max(), &limit)) {
        ctx.reply.Error(errors::kLimitNegative);
        return;
      }
      j += 2;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  // Smallest inputs first: intersections test fewer candidates.
  if (op != SetOp::kDiff) {
    std::stable_sort(sources.begin(), sources.end(),
                     [](const OpSource& a, const OpSource& b) { return a.size() < b.size(); });
  }

  auto result = std::make_unique<ZSet>();
  uint64_t cardinality = 0;
  if (op == SetOp::kInter) {
    if (sources[0].size() > 0) {
      bool done = false;
      sources[0].ForEach([&](std::string_view member, double element_score) {
        if (done) return;
        double score = Weighted(element_score, sources[0].weight);
        size_t k = 1;
        for (; k < sources.size(); ++k) {
          double value = 0;
          if (sources[k].SameAs(sources[0])) {
            value = element_score * sources[k].weight;
          } else if (sources[k].Find(member, &value)) {
            value *= sources[k].weight;
          } else {
            break;
          }
          AggregateInto(&score, value, aggregate);
        }
        if (k < sources.size()) return;
        if (cardinality_only) {
          ++cardinality;
          if (limit > 0 && cardinality >= static_cast<uint64_t>(limit)) done = true;
        } else {
          result->Insert(member, score);
        }
      });
    }
  } else if (op == SetOp::kUnion) {
    absl::flat_hash_map<std::string, double> accumulator;
    accumulator.reserve(sources.back().size());
    for (const OpSource& source : sources) {
      source.ForEach([&](std::string_view member, double element_score) {
        const double score = Weighted(element_score, source.weight);
        const absl::string_view key(member.data(), member.size());
        auto it = accumulator.find(key);
        if (it == accumulator.end()) {
          accumulator.emplace(std::string(member), score);
        } else {
          AggregateInto(&it->second, score, aggregate);
        }
      });
    }
    for (const auto& [member, score] : accumulator) result->Insert(member, score);
  } else {
    bool first_repeated = false;
    for (size_t k = 1; k < sources.size(); ++k) first_repeated |= sources[k].SameAs(sources[0]);
    if (sources[0].size() > 0 && !first_repeated) {
      sources[0].ForEach([&](std::string_view member, double score) {
        double ignored;
        for (size_t k = 1; k < sources.size(); ++k) {
          if (sources[k].Find(member, &ignored)) return;
        }
        result->Insert(member, score);
      });
    }
  }

  if (cardinality_only) {
    ctx.reply.Integer(static_cast<int64_t>(cardinality));
    return;
  }
  if (store) {
    const std::string& dst = args[1];
    if (result->empty()) {
      ctx.reply.Integer(0);
      if (ctx.db.Delete(dst)) {
        NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
        ctx.AddDirty();
      }
      return;
    }
    result->ResetEncoding();
    const auto size = static_cast<int64_t>(result->size());
    ctx.db.Put(dst, Value(std::move(result)));
    NotifyKeyspaceEvent(ctx, kNotifyZset,
                        op == SetOp::kUnion   ? "zunionstore"
                        : op == SetOp::kInter ? "zinterstore"
                                              : "zdiffstore",
                        dst);
    ctx.reply.Integer(size);
    ctx.AddDirty();
    return;
  }
  std::vector<const ZSet::Node*> nodes;
  nodes.reserve(result->size());
  for (const ZSet::Node* node = result->First(); node != nullptr; node = node->next()) {
    nodes.push_back(node);
  }
  ReplyNodes(ctx.reply, nodes, with_scores);
}

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
void CmdZunionstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kUnion, false); }

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
void CmdZinterstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kInter, false); }

// ZDIFFSTORE destination numkeys key [key ...]
void CmdZdiffstore(CommandContext& ctx) { SetOpGeneric(ctx, 2, true, SetOp::kDiff, false); }

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
void CmdZunion(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kUnion, false); }

// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
void CmdZinter(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kInter, false); }

// ZDIFF numkeys key [key ...] [WITHSCORES]
void CmdZdiff(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kDiff, false); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdZintercard(CommandContext& ctx) { SetOpGeneric(ctx, 1, false, SetOp::kInter, true); }

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

std::vector<int> StoreOpKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 2, /*with_destination=*/true);
}

std::vector<int> OpKeys(const std::vector<std::string>& args) { return NumkeysKeyIndexes(args, 1); }

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
  table.Add({.name = "zrange",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrange,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set",
             .since = "1.2.0",
             .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                           "M the number of elements returned."});
  table.Add({.name = "zrangestore",
             .arity = -5,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdZrangestore,
             .group = "sorted-set",
             .summary = "Store a range of members from sorted set into another key",
             .since = "6.2.0",
             .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                           "M the number of elements stored into the destination key."});
  table.Add({.name = "zrevrange",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrevrange,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set, by index, with scores ordered "
                        "from high to low",
             .since = "1.2.0",
             .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and "
                           "M the number of elements returned."});
  constexpr const char* kByScoreComplexity =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).";
  table.Add({.name = "zrangebyscore",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrangebyscore,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set, by score",
             .since = "1.0.5",
             .complexity = kByScoreComplexity});
  table.Add({.name = "zrevrangebyscore",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrevrangebyscore,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set, by score, with scores ordered "
                        "from high to low",
             .since = "2.2.0",
             .complexity = kByScoreComplexity});
  table.Add({.name = "zrangebylex",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrangebylex,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set, by lexicographical range",
             .since = "2.8.9",
             .complexity = kByScoreComplexity});
  table.Add({.name = "zrevrangebylex",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZrevrangebylex,
             .group = "sorted-set",
             .summary = "Return a range of members in a sorted set, by lexicographical range, "
                        "ordered from higher to lower strings.",
             .since = "2.8.9",
             .complexity = kByScoreComplexity});
  constexpr const char* kRemoveComplexity =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  table.Add({.name = "zremrangebyscore",
             .arity = 4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZremrangebyscore,
             .group = "sorted-set",
             .summary = "Remove all members in a sorted set within the given scores",
             .since = "1.2.0",
             .complexity = kRemoveComplexity});
  table.Add({.name = "zremrangebyrank",
             .arity = 4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZremrangebyrank,
             .group = "sorted-set",
             .summary = "Remove all members in a sorted set within the given indexes",
             .since = "2.0.0",
             .complexity = kRemoveComplexity});
  table.Add({.name = "zremrangebylex",
             .arity = 4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZremrangebylex,
             .group = "sorted-set",
             .summary = "Remove all members in a sorted set between the given lexicographical "
                        "range",
             .since = "2.8.9",
             .complexity = kRemoveComplexity});
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
  table.Add({.name = "zunionstore",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZunionstore,
             .get_keys = StoreOpKeys,
             .group = "sorted-set",
             .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
             .since = "2.0.0",
             .complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted "
                           "sets, and M being the number of elements in the resulting sorted "
                           "set."});
  table.Add({.name = "zinterstore",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZinterstore,
             .get_keys = StoreOpKeys,
             .group = "sorted-set",
             .summary = "Intersect multiple sorted sets and store the resulting sorted set in a "
                        "new key",
             .since = "2.0.0",
             .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted "
                           "set, K being the number of input sorted sets and M being the number of "
                           "elements in the resulting sorted set."});
  table.Add({.name = "zdiffstore",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdZdiffstore,
             .get_keys = StoreOpKeys,
             .group = "sorted-set",
             .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new "
                        "key",
             .since = "6.2.0",
             .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements "
                           "in all the sets, N is the size of the first set, and K is the size of "
                           "the result set."});
  table.Add({.name = "zunion",
             .arity = -3,
             .flags = kCmdReadonly | kCmdMovableKeys,
             .handler = CmdZunion,
             .get_keys = OpKeys,
             .group = "sorted-set",
             .summary = "Add multiple sorted sets",
             .since = "6.2.0",
             .complexity = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted "
                           "sets, and M being the number of elements in the resulting sorted "
                           "set."});
  table.Add({.name = "zinter",
             .arity = -3,
             .flags = kCmdReadonly | kCmdMovableKeys,
             .handler = CmdZinter,
             .get_keys = OpKeys,
             .group = "sorted-set",
             .summary = "Intersect multiple sorted sets",
             .since = "6.2.0",
             .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted "
                           "set, K being the number of input sorted sets and M being the number of "
                           "elements in the resulting sorted set."});
  table.Add({.name = "zdiff",
             .arity = -3,
             .flags = kCmdReadonly | kCmdMovableKeys,
             .handler = CmdZdiff,
             .get_keys = OpKeys,
             .group = "sorted-set",
             .summary = "Subtract multiple sorted sets",
             .since = "6.2.0",
             .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements "
                           "in all the sets, N is the size of the first set, and K is the size of "
                           "the result set."});
  table.Add({.name = "zintercard",
             .arity = -3,
             .flags = kCmdReadonly | kCmdMovableKeys,
             .handler = CmdZintercard,
             .get_keys = OpKeys,
             .group = "sorted-set",
             .summary = "Intersect multiple sorted sets and return the cardinality of the result",
             .since = "7.0.0",
             .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being "
                           "the number of input sorted sets."});
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
}

}  // namespace drayman
