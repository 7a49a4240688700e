// Sorted-set operations over several keys: ZUNION, ZINTER, ZDIFF, their *STORE forms and
// ZINTERCARD, as Redis 7.0's zunionInterDiffGenericCommand answers them (checked against
// redis-server 7.0.15). Inputs may be sorted sets or plain sets (every member scores 1).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/numkeys.h"
#include "broker/command/read_lookup.h"
#include "broker/families/families.h"
#include "broker/families/sorted_set_args.h"
#include "broker/keyspace/set.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

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
      if (ctx.db.DeleteEvenIfExpired(dst)) {
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
// Key positions of the movable-key commands.

std::vector<int> StoreOpKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 2, /*with_destination=*/true);
}

std::vector<int> OpKeys(const std::vector<std::string>& args) { return NumkeysKeyIndexes(args, 1); }

}  // namespace

void RegisterSortedSetSetOpCommands(CommandTable& table) {
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
}

}  // namespace drayman
