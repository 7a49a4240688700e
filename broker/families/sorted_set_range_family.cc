// Sorted-set range commands: ZRANGE (BYSCORE, BYLEX, REV, LIMIT), ZRANGESTORE, ZREVRANGE,
// Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX and ZREMRANGEBYRANK/BYSCORE/BYLEX, as Redis 7.0's
// t_zset.c answers them (checked against redis-server 7.0.15). Bound parsing and the range reply
// are shared with the rest of the family (sorted_set_args.h).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/families/families.h"
#include "broker/families/index_range.h"
#include "broker/families/sorted_set_args.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

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
    if (ctx.db.DeleteEvenIfExpired(dst)) {
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

}  // namespace

void RegisterSortedSetRangeCommands(CommandTable& table) {
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
}

}  // namespace drayman
