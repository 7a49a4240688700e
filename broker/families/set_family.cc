// Set family: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
// SINTER, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, SINTERCARD, SSCAN.
//
// Results of the set algebra are built as fresh sets (starting as intsets), so their reply order
// and encoding follow Redis 7.0: an all-integer result of up to 512 members comes back sorted.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/numkeys.h"
#include "broker/families/container_ops.h"
#include "broker/families/families.h"
#include "broker/families/random_sample.h"
#include "broker/families/scan.h"

namespace drayman {

namespace {

// SPOP with a count pops one member at a time while count * 5 < size; beyond that it keeps a
// random remainder instead (Redis's SPOP_MOVE_STRATEGY_MUL).
constexpr size_t kSpopMoveStrategyMul = 5;

void ReplyMembers(CommandContext& ctx, const Set& set) {
  ctx.reply.SetHeader(set.size());
  set.ForEach([&](std::string_view member) { ctx.reply.Bulk(member); });
}

// SADD key member [member ...]
void CmdSadd(CommandContext& ctx) {
  Set* set = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &set)) return;
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) added += set->Add(ctx.args[i]) ? 1 : 0;
  if (added > 0) NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", ctx.args[1]);
  ctx.AddDirty(added);
  ctx.reply.Integer(added);
}

// SREM key member [member ...]
void CmdSrem(CommandContext& ctx) { RemoveMembersGeneric(ctx, &Set::Remove, kNotifySet, "srem"); }

// SMEMBERS key
void CmdSmembers(CommandContext& ctx) {
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  if (set == nullptr) {
    ctx.reply.SetHeader(0);
    return;
  }
  ReplyMembers(ctx, *set);
}

// SISMEMBER key member
void CmdSismember(CommandContext& ctx) {
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  ctx.reply.Integer(set != nullptr && set->Contains(ctx.args[2]) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void CmdSmismember(CommandContext& ctx) {
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(set != nullptr && set->Contains(ctx.args[i]) ? 1 : 0);
  }
}

// SCARD key
void CmdScard(CommandContext& ctx) {
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  ctx.reply.Integer(set ? static_cast<int64_t>(set->size()) : 0);
}

// A fresh set holding `source`'s members, as Redis's SUNION of one key builds it.
std::unique_ptr<Set> Rebuilt(const Set& source) {
  auto copy = std::make_unique<Set>();
  source.ForEach([&](std::string_view member) { copy->Add(member); });
  return copy;
}

void SpopWithCount(CommandContext& ctx) {
  int64_t requested = 0;
  if (!ParseInt64(ctx.args[2], &requested) || requested < 0) {
    ctx.reply.Error(errors::kMustBePositive);
    return;
  }
  const std::string& key = ctx.args[1];
  Set* set = nullptr;
  if (!ctx.LookupWrite(key, &set)) return;
  if (set == nullptr || requested == 0) {
    ctx.reply.SetHeader(0);
    return;
  }
  const size_t count = static_cast<size_t>(requested);
  const size_t size = set->size();
  auto& rng = ctx.keyspace.rng();
  NotifyKeyspaceEvent(ctx, kNotifySet, "spop", key);
  if (count >= size) {
    // The whole set goes, replied as the union of the one key would be.
    ReplyMembers(ctx, *Rebuilt(*set));
    ctx.db.Delete(key);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    ctx.AddDirty(static_cast<int64_t>(size));
    ctx.PropagateAs({"DEL", key});  // Redis 7.0 replays popping the whole set as DEL
    return;
  }
  // Otherwise Redis 7.0 replays one SREM per popped member, in the order they were replied.
  ctx.SuppressPropagation();
  auto propagate_srem = [&](std::string_view member) {
    if (ctx.propagating()) ctx.PropagateAs({"SREM", key, member});
  };
  ctx.reply.SetHeader(count);
  if (count * kSpopMoveStrategyMul < size) {
    for (size_t i = 0; i < count; ++i) {
      std::string member = set->PopRandom(rng);
      ctx.reply.Bulk(member);
      propagate_srem(member);
    }
  } else {
    // Move the members that stay into a new set, reply with what is left, and store the new set
    // in place of the old one (which may bring an all-integer remainder back to an intset).
    // The set is replaced whole: its observer reads the new one rather than seeing members that
    // stay reported as removed.
    set->DetachObserver();
    auto remaining = std::make_unique<Set>();
    for (size_t i = count; i < size; ++i) remaining->Add(set->PopRandom(rng));
    set->ForEach([&](std::string_view member) {
      ctx.reply.Bulk(member);
      propagate_srem(member);
    });
    ctx.db.Find(key)->value = Value(std::move(remaining));
  }
  ctx.AddDirty(static_cast<int64_t>(count));
}

// SPOP key [count]
void CmdSpop(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.args.size() == 3) {
    SpopWithCount(ctx);
    return;
  }
  const std::string& key = ctx.args[1];
  Set* set = nullptr;
  if (!ctx.LookupWrite(key, &set)) return;
  if (set == nullptr) {
    ctx.reply.Null();
    return;
  }
  std::string member = set->PopRandom(ctx.keyspace.rng());
  ctx.reply.Bulk(member);
  ctx.PropagateAs({"SREM", key, member});  // the member it picked, as Redis 7.0 replays SPOP
  NotifyKeyspaceEvent(ctx, kNotifySet, "spop", key);
  if (set->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  ctx.DeleteIfEmpty(key, set);
  ctx.AddDirty();
}

void SrandmemberWithCount(CommandContext& ctx) {
  int64_t requested = 0;
  if (!ParseRandomCount(ctx, ctx.args[2], &requested)) return;
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  if (set == nullptr || requested == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  auto& rng = ctx.keyspace.rng();
  if (requested < 0) {
    // Negative count: that many independent draws, repeats allowed.
    const size_t count = static_cast<size_t>(-requested);
    ctx.reply.ArrayHeader(count);
    for (size_t i = 0; i < count; ++i) ctx.reply.Bulk(set->RandomMember(rng));
    return;
  }
  const size_t count = static_cast<size_t>(requested);
  const size_t size = set->size();
  if (count >= size) {
    ctx.reply.ArrayHeader(size);
    set->ForEach([&](std::string_view member) { ctx.reply.Bulk(member); });
    return;
  }
  ctx.reply.ArrayHeader(count);
  for (const std::string& member : SampleDistinct<std::string>(
           count, size, rng, [&] { return set->Members(); },
           [&] { return set->RandomMember(rng); })) {
    ctx.reply.Bulk(member);
  }
}

// SRANDMEMBER key [count]
void CmdSrandmember(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.args.size() == 3) {
    SrandmemberWithCount(ctx);
    return;
  }
  Set* set = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &set)) return;
  if (set == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(set->RandomMember(ctx.keyspace.rng()));
}

// SMOVE source destination member
void CmdSmove(CommandContext& ctx) {
  const std::string& src = ctx.args[1];
  const std::string& dst = ctx.args[2];
  const std::string& member = ctx.args[3];
  bool src_wrong = false;
  bool dst_wrong = false;
  Set* source = ctx.db.FindAs<Set>(src, &src_wrong);
  Set* target = ctx.db.FindAs<Set>(dst, &dst_wrong);
  // A missing source answers 0 before any type check of the destination.
  if (source == nullptr && !src_wrong) {
    ctx.reply.Integer(0);
    return;
  }
  if (src_wrong || dst_wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (source == target) {
    ctx.reply.Integer(source->Contains(member) ? 1 : 0);
    return;
  }
  if (!source->Remove(member)) {
    ctx.reply.Integer(0);
    return;
  }
  NotifyKeyspaceEvent(ctx, kNotifySet, "srem", src);
  if (source->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", src);
  ctx.DeleteIfEmpty(src, source);
  if (target == nullptr) ctx.LookupOrCreate(dst, &target);
  if (target->Add(member)) NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", dst);
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

// Looks up the sets named by args[first, first + count). Missing keys give nullptr. Replies
// WRONGTYPE and returns false if any key holds another type.
bool LookupSets(CommandContext& ctx, size_t first, size_t count, std::vector<Set*>* sets) {
  sets->clear();
  for (size_t i = first; i < first + count; ++i) {
    Set* set = nullptr;
    // Sources are read lookups even for the STORE forms (hits, misses and `keymiss`, as Redis).
    if (!ctx.LookupRead(ctx.args[i], &set)) {
      return false;
    }
    sets->push_back(set);
  }
  return true;
}

// Visits the members of the intersection of `sets`, smallest set first, until fn returns false.
// Any missing set makes the intersection empty.
template <typename Fn>
void ForEachInIntersection(std::vector<Set*> sets, Fn&& fn) {
  for (Set* set : sets) {
    if (set == nullptr) return;
  }
  std::stable_sort(sets.begin(), sets.end(),
                   [](const Set* a, const Set* b) { return a->size() < b->size(); });
  bool stopped = false;
  sets[0]->ForEach([&](std::string_view member) {
    if (stopped) return;
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !sets[j]->Contains(member)) return;
    }
    if (!fn(member)) stopped = true;
  });
}

std::unique_ptr<Set> Union(const std::vector<Set*>& sets) {
  auto result = std::make_unique<Set>();
  for (const Set* set : sets) {
    if (set != nullptr) set->ForEach([&](std::string_view member) { result->Add(member); });
  }
  return result;
}

std::unique_ptr<Set> Difference(const std::vector<Set*>& sets) {
  auto result = std::make_unique<Set>();
  if (sets[0] == nullptr) return result;
  sets[0]->ForEach([&](std::string_view member) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] == sets[0] || (sets[j] != nullptr && sets[j]->Contains(member))) return;
    }
    result->Add(member);
  });
  return result;
}

// Stores `result` at `dst` (replacing any value and its TTL), or deletes `dst` when empty.
// Keyspace events: `event` on `dst`, or "del" when an empty result removed it.
void StoreResult(CommandContext& ctx, const std::string& dst, std::unique_ptr<Set> result,
                 std::string_view event) {
  const int64_t size = static_cast<int64_t>(result->size());
  if (size > 0) {
    ctx.db.Put(dst, Value(std::move(result)));
    NotifyKeyspaceEvent(ctx, kNotifySet, event, dst);
    ctx.AddDirty();
  } else if (ctx.db.DeleteEvenIfExpired(dst)) {
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
    ctx.AddDirty();
  }
  ctx.reply.Integer(size);
}

// SINTER key [key ...]
void CmdSinter(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 1, ctx.args.size() - 1, &sets)) return;
  std::vector<std::string> members;
  ForEachInIntersection(sets, [&](std::string_view member) {
    members.emplace_back(member);
    return true;
  });
  ctx.reply.SetHeader(members.size());
  for (const std::string& member : members) ctx.reply.Bulk(member);
}

// SINTERSTORE destination key [key ...]
void CmdSinterstore(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 2, ctx.args.size() - 2, &sets)) return;
  auto result = std::make_unique<Set>();
  ForEachInIntersection(sets, [&](std::string_view member) {
    result->Add(member);
    return true;
  });
  StoreResult(ctx, ctx.args[1], std::move(result), "sinterstore");
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSintercard(CommandContext& ctx) {
  int64_t numkeys = 0;
  if (!ParseInt64(ctx.args[1], &numkeys) || numkeys < 1) {
    ctx.reply.Error(errors::kNumkeysNotPositive);
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.args.size()) - 2) {
    ctx.reply.Error(errors::kTooManyKeys);
    return;
  }
  int64_t limit = 0;  // 0: no limit
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "limit") && i + 1 < ctx.args.size()) {
      if (!ParseInt64(ctx.args[++i], &limit) || limit < 0) {
        ctx.reply.Error(errors::kLimitNegative);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 2, static_cast<size_t>(numkeys), &sets)) return;
  int64_t cardinality = 0;
  ForEachInIntersection(sets, [&](std::string_view) {
    ++cardinality;
    return limit == 0 || cardinality < limit;
  });
  ctx.reply.Integer(cardinality);
}

std::vector<int> SintercardKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 1);
}

// SUNION key [key ...]
void CmdSunion(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 1, ctx.args.size() - 1, &sets)) return;
  ReplyMembers(ctx, *Union(sets));
}

// SUNIONSTORE destination key [key ...]
void CmdSunionstore(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 2, ctx.args.size() - 2, &sets)) return;
  StoreResult(ctx, ctx.args[1], Union(sets), "sunionstore");
}

// SDIFF key [key ...]
void CmdSdiff(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 1, ctx.args.size() - 1, &sets)) return;
  ReplyMembers(ctx, *Difference(sets));
}

// SDIFFSTORE destination key [key ...]
void CmdSdiffstore(CommandContext& ctx) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, 2, ctx.args.size() - 2, &sets)) return;
  StoreResult(ctx, ctx.args[1], Difference(sets), "sdiffstore");
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSscan(CommandContext& ctx) {
  uint64_t cursor = 0;
  ScanOptions options;
  Set* set = BeginKeyScan<Set>(ctx, &cursor, &options);
  if (set == nullptr) return;
  std::vector<std::string> members;
  cursor = ScanWalk(cursor, static_cast<uint64_t>(options.count), members, [&](uint64_t at) {
    return set->Scan(at, [&](std::string_view member) { members.emplace_back(member); });
  });
  std::erase_if(members, [&](const std::string& member) { return !options.Matches(member); });
  ReplyScan(ctx.reply, cursor, members);
}

}  // namespace

void RegisterSetFamily(CommandTable& table) {
  table.Add({.name = "sadd",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSadd,
             .group = "set",
             .summary = "Add one or more members to a set",
             .since = "1.0.0",
             .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                           "command is called with multiple arguments."});
  table.Add({.name = "srem",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSrem,
             .group = "set",
             .summary = "Remove one or more members from a set",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of members to be removed."});
  table.Add({.name = "smembers",
             .arity = 2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSmembers,
             .group = "set",
             .summary = "Get all the members in a set",
             .since = "1.0.0",
             .complexity = "O(N) where N is the set cardinality."});
  table.Add({.name = "sismember",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSismember,
             .group = "set",
             .summary = "Determine if a given value is a member of a set",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "smismember",
             .arity = -3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSmismember,
             .group = "set",
             .summary = "Returns the membership associated with the given elements for a set",
             .since = "6.2.0",
             .complexity = "O(N) where N is the number of elements being checked for membership"});
  table.Add({.name = "scard",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdScard,
             .group = "set",
             .summary = "Get the number of members in a set",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "spop",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSpop,
             .group = "set",
             .summary = "Remove and return one or multiple random members from a set",
             .since = "1.0.0",
             .complexity = "Without the count argument O(1), otherwise O(N) where N is the value "
                           "of the passed count."});
  table.Add({.name = "srandmember",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSrandmember,
             .group = "set",
             .summary = "Get one or multiple random members from a set",
             .since = "1.0.0",
             .complexity = "Without the count argument O(1), otherwise O(N) where N is the "
                           "absolute value of the passed count."});
  table.Add({.name = "smove",
             .arity = 4,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdSmove,
             .group = "set",
             .summary = "Move a member from one set to another",
             .since = "1.0.0",
             .complexity = "O(1)"});
  const std::string inter_complexity =
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
      "sets.";
  const std::string union_complexity =
      "O(N) where N is the total number of elements in all given sets.";
  table.Add({.name = "sinter",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSinter,
             .group = "set",
             .summary = "Intersect multiple sets",
             .since = "1.0.0",
             .complexity = inter_complexity});
  table.Add({.name = "sunion",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSunion,
             .group = "set",
             .summary = "Add multiple sets",
             .since = "1.0.0",
             .complexity = union_complexity});
  table.Add({.name = "sdiff",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSdiff,
             .group = "set",
             .summary = "Subtract multiple sets",
             .since = "1.0.0",
             .complexity = union_complexity});
  table.Add({.name = "sinterstore",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSinterstore,
             .group = "set",
             .summary = "Intersect multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .complexity = inter_complexity});
  table.Add({.name = "sunionstore",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSunionstore,
             .group = "set",
             .summary = "Add multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .complexity = union_complexity});
  table.Add({.name = "sdiffstore",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSdiffstore,
             .group = "set",
             .summary = "Subtract multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .complexity = union_complexity});
  table.Add({.name = "sintercard",
             .arity = -3,
             .flags = kCmdReadonly | kCmdMovableKeys,
             .handler = CmdSintercard,
             .get_keys = SintercardKeys,
             .group = "set",
             .summary = "Intersect multiple sets and return the cardinality of the result",
             .since = "7.0.0",
             .complexity = inter_complexity});
  table.Add({.name = "sscan",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSscan,
             .group = "set",
             .summary = "Incrementally iterate Set elements",
             .since = "2.8.0",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection.."});
}

}  // namespace drayman
