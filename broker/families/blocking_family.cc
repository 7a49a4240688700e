// Blocking family: BZPOPMIN, BZPOPMAX, BZMPOP, and CLIENT UNBLOCK. The blocking list commands
// (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) live in the list family.
//
// Each command parses its arguments, then hands ServeOrBlock (broker/blocking/blocking_command.h)
// a serve function that pops from one key and replies; the same function serves the first attempt
// and every later wake-up, so a waiter gets exactly what the command would have answered at once.
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/blocking/blocking_command.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/families/sorted_set_ops.h"
#include "broker/keyspace/zset.h"

namespace drayman {

namespace {

// Propagation: blocking pops replay as the non-blocking pop they performed, in Redis 7.0's form
// (checked against its AOF): BZPOPMIN -> ZPOPMIN key, BZMPOP -> ZPOPMIN key <popped>.
std::string_view ZPopCommand(ZSetEnd end) { return end == ZSetEnd::kMin ? "ZPOPMIN" : "ZPOPMAX"; }

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
    ctx.reply.Error(errors::SubcommandSyntaxError(ctx.args[1], "client"));
    return;
  }
  BlockedClients::UnblockReason reason = BlockedClients::UnblockReason::kTimeout;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "error")) {
      reason = BlockedClients::UnblockReason::kError;
    } else if (!EqualsIgnoreCase(ctx.args[3], "timeout")) {
      ctx.reply.Error(errors::kUnblockReason);
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
