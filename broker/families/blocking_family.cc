// Blocking family: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (and its non-blocking twin LMPOP),
// BZPOPMIN, BZPOPMAX, BZMPOP, and CLIENT UNBLOCK.
//
// Each command parses its arguments, then hands ServeOrBlock (broker/blocking/blocking_command.h)
// a serve function that pops from one key and replies; the same function serves the first attempt
// and every later wake-up, so a waiter gets exactly what the command would have answered at once.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/blocking/blocking_command.h"
#include "broker/command/context.h"
#include "broker/command/numbers.h"
#include "broker/command/numkeys.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/families/list_ops.h"
#include "broker/families/sorted_set_ops.h"
#include "broker/keyspace/list.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
constexpr std::string_view kUnblockReason = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";

enum class End { kLeft, kRight };

bool ParseEnd(std::string_view text, End* end) {
  if (EqualsIgnoreCase(text, "left")) {
    *end = End::kLeft;
  } else if (EqualsIgnoreCase(text, "right")) {
    *end = End::kRight;
  } else {
    return false;
  }
  return true;
}

std::string Pop(List& list, End end) {
  return end == End::kLeft ? list.PopFront() : list.PopBack();
}

// Propagation: blocking pops replay as the non-blocking pop they performed, in Redis 7.0's form
// (checked against its AOF): BLPOP -> LPOP key, BLMPOP -> LPOP key <popped>, BZPOPMIN ->
// ZPOPMIN key, BZMPOP -> ZPOPMIN key <popped>; LMPOP and ZMPOP likewise.
std::string_view PopCommand(End end) { return end == End::kLeft ? "LPOP" : "RPOP"; }
std::string_view ZPopCommand(ZSetEnd end) { return end == ZSetEnd::kMin ? "ZPOPMIN" : "ZPOPMAX"; }

// BLMOVE at wake-up: Redis 7.0 writes the directions in lower case (its shared "left"/"right").
std::string_view EndName(End end) { return end == End::kLeft ? "left" : "right"; }

// The list at `key` for a serve attempt: kWrongType / kNotReady, or kServed with *out set.
ServeResult FindNonEmptyList(CommandContext& ctx, std::string_view key, List** out) {
  bool wrong_type = false;
  *out = ctx.db.FindAs<List>(key, &wrong_type);
  if (wrong_type) return ServeResult::kWrongType;
  if (*out == nullptr || (*out)->empty()) return ServeResult::kNotReady;
  return ServeResult::kServed;
}

// BLPOP / BRPOP: [key, element] from the first non-empty key.
ServeFunction PopOne(End end) {
  return [end](CommandContext& ctx, std::string_view key) {
    List* list = nullptr;
    if (ServeResult found = FindNonEmptyList(ctx, key, &list); found != ServeResult::kServed) {
      return found;
    }
    std::string value = Pop(*list, end);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(value);
    ctx.AddDirty();
    NotifyListPopped(ctx, key, end == End::kLeft, list->empty());
    ctx.DeleteIfEmpty(key, list);
    ctx.PropagateAs({PopCommand(end), key});
    return ServeResult::kServed;
  };
}

// BLMOVE / BRPOPLPUSH replay as LMOVE / RPOPLPUSH. Redis 7.0 keeps BLMOVE's directions as sent
// when it moves at once, and writes its own lower-case ones for a move at wake-up.
void PropagateMove(CommandContext& ctx, std::string_view source, std::string_view destination,
                   End from, End to) {
  if (ctx.spec.full_name == "brpoplpush") {
    ctx.PropagateAs({"RPOPLPUSH", source, destination});
  } else if (ctx.serving_blocked) {
    ctx.PropagateAs({"LMOVE", source, destination, EndName(from), EndName(to)});
  } else {
    ctx.PropagateAs({"LMOVE", source, destination, ctx.args[3], ctx.args[4]});
  }
}

// BLMOVE / BRPOPLPUSH: pops from the source, pushes to `destination`, replies the element. A
// destination of the wrong type answers WRONGTYPE and moves nothing, waking or not (Redis 7.0).
ServeFunction MoveOne(std::string destination, End from, End to) {
  return [destination = std::move(destination), from, to](CommandContext& ctx,
                                                          std::string_view key) {
    List* source = nullptr;
    if (ServeResult found = FindNonEmptyList(ctx, key, &source); found != ServeResult::kServed) {
      return found;
    }
    List* target = nullptr;
    if (!ctx.LookupWrite(destination, &target)) return ServeResult::kServed;  // WRONGTYPE sent
    std::string value = Pop(*source, from);
    if (target == nullptr) {
      Entry& entry = ctx.db.Add(destination, Value(std::make_unique<List>()));
      target = &ValueAs<List>(entry.value);
    }
    if (to == End::kLeft) {
      target->PushFront(value);
    } else {
      target->PushBack(value);
    }
    ctx.AddDirty();
    NotifyListMoved(ctx, key, destination, from == End::kLeft, to == End::kLeft, source->empty());
    ctx.DeleteIfEmpty(key, source);  // a rotation (source == destination) keeps it non-empty
    ctx.reply.Bulk(value);
    if (ctx.propagating()) PropagateMove(ctx, key, destination, from, to);
    return ServeResult::kServed;
  };
}

// BLMPOP: [key, [element ...]] with up to `count` elements from the first non-empty key.
ServeFunction PopMany(End end, int64_t count) {
  return [end, count](CommandContext& ctx, std::string_view key) {
    List* list = nullptr;
    if (ServeResult found = FindNonEmptyList(ctx, key, &list); found != ServeResult::kServed) {
      return found;
    }
    const size_t popped = std::min(list->size(), static_cast<size_t>(count));
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayHeader(popped);
    for (size_t i = 0; i < popped; ++i) ctx.reply.Bulk(Pop(*list, end));
    ctx.AddDirty(static_cast<int64_t>(popped));
    NotifyListPopped(ctx, key, end == End::kLeft, list->empty());
    ctx.DeleteIfEmpty(key, list);
    if (ctx.propagating()) ctx.PropagateAs({PopCommand(end), key, std::to_string(popped)});
    return ServeResult::kServed;
  };
}

void BlockingPop(CommandContext& ctx, End end) {
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args.back(), &deadline_ms)) return;
  std::vector<std::string> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  ServeOrBlock(ctx, keys, deadline_ms, PopOne(end));
}

// BLPOP key [key ...] timeout
void CmdBlpop(CommandContext& ctx) { BlockingPop(ctx, End::kLeft); }

// BRPOP key [key ...] timeout
void CmdBrpop(CommandContext& ctx) { BlockingPop(ctx, End::kRight); }

void BlockingMove(CommandContext& ctx, End from, End to, std::string_view timeout) {
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, timeout, &deadline_ms)) return;
  ServeOrBlock(ctx, {ctx.args[1]}, deadline_ms, MoveOne(ctx.args[2], from, to), DenyReply::kNull);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBlmove(CommandContext& ctx) {
  End from = End::kLeft;
  End to = End::kLeft;
  if (!ParseEnd(ctx.args[3], &from) || !ParseEnd(ctx.args[4], &to)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  BlockingMove(ctx, from, to, ctx.args[5]);
}

// BRPOPLPUSH source destination timeout
void CmdBrpoplpush(CommandContext& ctx) { BlockingMove(ctx, End::kRight, End::kLeft, ctx.args[3]); }

// numkeys as Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) reads it; 0 when invalid.
int64_t ParseNumkeys(std::string_view text) {
  int64_t numkeys = 0;
  if (!ParseInt64(text, &numkeys) || numkeys < 1) return 0;
  return numkeys;
}

// The shared tail of LMPOP and BLMPOP from numkeys on: parses `numkeys key [key ...]
// LEFT|RIGHT [COUNT count]` starting at args[numkeys_index]; replies the error and returns false
// when the arguments are invalid.
bool ParseMultiPop(CommandContext& ctx, size_t numkeys_index, std::vector<std::string>* keys,
                   End* end, int64_t* count) {
  const int64_t numkeys = ParseNumkeys(ctx.args[numkeys_index]);
  if (numkeys == 0) {
    ctx.reply.Error(kNumkeysNotPositive);
    return false;
  }
  const size_t argc = ctx.args.size();
  const size_t first_key = numkeys_index + 1;
  if (static_cast<uint64_t>(numkeys) >= argc - first_key) {  // no room for keys and LEFT|RIGHT
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  const size_t where_index = first_key + static_cast<size_t>(numkeys);
  if (!ParseEnd(ctx.args[where_index], end)) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  *count = -1;
  for (size_t i = where_index + 1; i < argc; ++i) {
    if (*count == -1 && EqualsIgnoreCase(ctx.args[i], "count") && i + 1 < argc) {
      ++i;
      if (!ParseInt64(ctx.args[i], count) || *count < 1) {
        ctx.reply.Error(kCountNotPositive);
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  keys->assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(first_key),
               ctx.args.begin() + static_cast<std::ptrdiff_t>(where_index));
  return true;
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdBlmpop(CommandContext& ctx) {
  std::vector<std::string> keys;
  End end = End::kLeft;
  int64_t count = 1;
  if (!ParseMultiPop(ctx, 2, &keys, &end, &count)) return;
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args[1], &deadline_ms)) return;
  ServeOrBlock(ctx, keys, deadline_ms, PopMany(end, count));
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdLmpop(CommandContext& ctx) {
  std::vector<std::string> keys;
  End end = End::kLeft;
  int64_t count = 1;
  if (!ParseMultiPop(ctx, 1, &keys, &end, &count)) return;
  ServeOrNull(ctx, keys, PopMany(end, count));
}

// LMPOP's keys: numkeys at index 1, the keys after it.
std::vector<int> LmpopKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 1);
}

// BLMPOP's keys: numkeys at index 2, the keys after it.
std::vector<int> BlmpopKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 2);
}

// BZPOPMIN / BZPOPMAX: [key, member, score] from the first non-empty sorted set.
ServeFunction ZPopOne(ZSetEnd end) {
  return [end](CommandContext& ctx, std::string_view key) {
    bool wrong_type = false;
    ZSet* zset = ctx.db.FindAs<ZSet>(key, &wrong_type);
    if (wrong_type) return ServeResult::kWrongType;
    if (zset == nullptr || zset->empty()) return ServeResult::kNotReady;
    std::vector<ScoredMember> popped = PopFromKey(ctx.db, key, *zset, end, 1);
    NotifyZSetPopped(ctx, key, end);
    ReplyKeyMemberScore(ctx.reply, key, popped.front());
    ctx.AddDirty();
    ctx.PropagateAs({ZPopCommand(end), key});
    return ServeResult::kServed;
  };
}

// BZMPOP: [key, [[member, score] ...]] with up to `count` elements.
ServeFunction ZPopMany(ZSetEnd end, size_t count) {
  return [end, count](CommandContext& ctx, std::string_view key) {
    bool wrong_type = false;
    ZSet* zset = ctx.db.FindAs<ZSet>(key, &wrong_type);
    if (wrong_type) return ServeResult::kWrongType;
    if (zset == nullptr || zset->empty()) return ServeResult::kNotReady;
    std::vector<ScoredMember> popped = PopFromKey(ctx.db, key, *zset, end, count);
    NotifyZSetPopped(ctx, key, end);
    ReplyKeyWithPairs(ctx.reply, key, popped);
    ctx.AddDirty(static_cast<int64_t>(popped.size()));
    if (ctx.propagating()) ctx.PropagateAs({ZPopCommand(end), key, std::to_string(popped.size())});
    return ServeResult::kServed;
  };
}

void BlockingZPop(CommandContext& ctx, ZSetEnd end) {
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args.back(), &deadline_ms)) return;
  std::vector<std::string> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  ServeOrBlock(ctx, keys, deadline_ms, ZPopOne(end));
}

// BZPOPMIN key [key ...] timeout
void CmdBzpopmin(CommandContext& ctx) { BlockingZPop(ctx, ZSetEnd::kMin); }

// BZPOPMAX key [key ...] timeout
void CmdBzpopmax(CommandContext& ctx) { BlockingZPop(ctx, ZSetEnd::kMax); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void CmdBzmpop(CommandContext& ctx) {
  ZmpopArgs parsed;
  std::string error;
  if (!ParseZmpopArgs(ctx.args, 2, &parsed, &error)) {
    ctx.reply.Error(error);
    return;
  }
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args[1], &deadline_ms)) return;
  const auto first = ctx.args.begin() + static_cast<std::ptrdiff_t>(parsed.first_key);
  std::vector<std::string> keys(first, first + static_cast<std::ptrdiff_t>(parsed.numkeys));
  ServeOrBlock(ctx, keys, deadline_ms, ZPopMany(parsed.end, parsed.count));
}

std::vector<int> BzmpopKeys(const std::vector<std::string>& args) {
  return ZmpopKeyIndexes(args, 2);
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
void CmdClientUnblock(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + ctx.args[1] +
                    "'. Try CLIENT HELP.");
    return;
  }
  BlockedClients::UnblockReason reason = BlockedClients::UnblockReason::kTimeout;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "error")) {
      reason = BlockedClients::UnblockReason::kError;
    } else if (!EqualsIgnoreCase(ctx.args[3], "timeout")) {
      ctx.reply.Error(kUnblockReason);
      return;
    }
  }
  int64_t id = 0;
  if (!ParseInt64(ctx.args[2], &id)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Client* target = id > 0 ? ctx.engine.FindClient(static_cast<uint64_t>(id)) : nullptr;
  bool unblocked = target != nullptr && ctx.engine.blocked_clients().Unblock(*target, reason);
  ctx.reply.Integer(unblocked ? 1 : 0);
}

}  // namespace

void RegisterBlockingFamily(CommandTable& table) {
  table.Add({.name = "blpop",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBlpop,
             .group = "list",
             .summary = "Remove and get the first element in a list, or block until one is "
                        "available",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of provided keys."});
  table.Add({.name = "brpop",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBrpop,
             .group = "list",
             .summary = "Remove and get the last element in a list, or block until one is "
                        "available",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of provided keys."});
  table.Add({.name = "blmove",
             .arity = 6,
             .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdBlmove,
             .group = "list",
             .summary = "Pop an element from a list, push it to another list and return it; or "
                        "block until one is available",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "brpoplpush",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdBrpoplpush,
             .group = "list",
             .summary = "Pop an element from a list, push it to another list and return it; or "
                        "block until one is available",
             .since = "2.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "lmpop",
             .arity = -4,
             .flags = kCmdWrite | kCmdMovableKeys,
             .handler = CmdLmpop,
             .get_keys = LmpopKeys,
             .group = "list",
             .summary = "Pop elements from a list",
             .since = "7.0.0",
             .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                           "elements returned."});
  table.Add({.name = "blmpop",
             .arity = -5,
             .flags = kCmdWrite | kCmdBlocking | kCmdMovableKeys,
             .handler = CmdBlmpop,
             .get_keys = BlmpopKeys,
             .group = "list",
             .summary = "Pop elements from a list, or block until one is available",
             .since = "7.0.0",
             .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                           "elements returned."});

  table.Add({.name = "bzpopmin",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking | kCmdFast,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBzpopmin,
             .group = "sorted-set",
             .summary = "Remove and return the member with the lowest score from one or more "
                        "sorted sets, or block until one is available",
             .since = "5.0.0",
             .complexity = "O(log(N)) with N being the number of elements in the sorted set."});
  table.Add({.name = "bzpopmax",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking | kCmdFast,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBzpopmax,
             .group = "sorted-set",
             .summary = "Remove and return the member with the highest score from one or more "
                        "sorted sets, or block until one is available",
             .since = "5.0.0",
             .complexity = "O(log(N)) with N being the number of elements in the sorted set."});
  table.Add({.name = "bzmpop",
             .arity = -5,
             .flags = kCmdWrite | kCmdBlocking | kCmdMovableKeys,
             .handler = CmdBzmpop,
             .get_keys = BzmpopKeys,
             .group = "sorted-set",
             .summary = "Remove and return members with scores in a sorted set or block until "
                        "one is available",
             .since = "7.0.0",
             .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being "
                           "the number of elements in the sorted set, and M being the number of "
                           "elements popped."});

  // CLIENT is the connection family's container (RegisterAllFamilies registers it first).
  table.AddSubcommand("client",
                      {.name = "unblock",
                       .arity = -3,
                       .flags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale,
                       .handler = CmdClientUnblock,
                       .summary = "Unblock a client blocked in a blocking command from a different "
                                  "connection",
                       .since = "5.0.0",
                       .complexity = "O(log N) where N is the number of client connections"});
}

}  // namespace drayman
