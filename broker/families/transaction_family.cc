// Transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// Queueing happens in dispatch (Engine::Execute): while Client::in_multi every command except
// these (and QUIT, RESET) is checked (unknown, arity, auth...) and queued with +QUEUED, and a
// rejection sets Client::multi_aborted. EXEC runs the queue through the normal Execute path, so
// each queued command behaves exactly as if sent alone (replies, errors, WATCH signals, PUBLISH);
// clients blocked on keys it pushed to are served once EXEC as a whole is done.
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// MULTI
void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error(errors::kNestedMulti);
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.Ok();
}

// EXEC
void CmdExec(CommandContext& ctx) {
  Client& client = ctx.client;
  if (!client.in_multi) {
    ctx.reply.Error(errors::kExecWithoutMulti);
    return;
  }
  if (client.multi_aborted) {
    ctx.engine.DiscardTransaction(client);
    ctx.reply.Error(errors::kExecAbort);
    return;
  }
  // A watched key that expired since WATCH counts as changed (Redis 7): the lookup deletes it,
  // which reports the change.
  for (const auto& [db, key] : client.watched_keys) ctx.keyspace.db(db).Find(key);
  if (client.watched_key_touched) {
    ctx.engine.DiscardTransaction(client);
    ctx.reply.NullArray();
    return;
  }
  std::vector<std::vector<std::string>> queue;
  queue.swap(client.multi_queue);
  ctx.engine.DiscardTransaction(client);  // ends MULTI and unwatches before running the queue
  client.in_exec = true;
  ctx.reply.ArrayHeader(queue.size());
  for (std::vector<std::string>& args : queue) ctx.engine.Execute(client, args);
  client.in_exec = false;
}

// DISCARD
void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.Error(errors::kDiscardWithoutMulti);
    return;
  }
  ctx.engine.DiscardTransaction(ctx.client);
  ctx.reply.Ok();
}

// WATCH key [key ...]
void CmdWatch(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error(errors::kWatchInsideMulti);
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    // Expire the key now if it is due: a key already expired when watched is not "changed" later.
    ctx.db.Find(ctx.args[i]);
    ctx.engine.watched_keys().Watch(ctx.client, ctx.client.db, ctx.args[i]);
  }
  ctx.reply.Ok();
}

// UNWATCH
void CmdUnwatch(CommandContext& ctx) {
  ctx.engine.watched_keys().UnwatchAll(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandTable& table) {
  constexpr uint32_t kControlFlags =
      kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  table.Add({.name = "multi",
             .arity = 1,
             .flags = kControlFlags,
             .handler = CmdMulti,
             .group = "transactions",
             .summary = "Mark the start of a transaction block",
             .since = "1.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "exec",
             .arity = 1,
             .flags = kCmdNoscript | kCmdLoading | kCmdStale | kCmdSkipSlowlog,
             .handler = CmdExec,
             .group = "transactions",
             .summary = "Execute all commands issued after MULTI",
             .since = "1.2.0",
             .complexity = "Depends on commands in the transaction"});
  table.Add({.name = "discard",
             .arity = 1,
             .flags = kControlFlags,
             .handler = CmdDiscard,
             .group = "transactions",
             .summary = "Discard all commands issued after MULTI",
             .since = "2.0.0",
             .complexity = "O(N), when N is the number of queued commands"});
  table.Add({.name = "watch",
             .arity = -2,
             .flags = kControlFlags,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdWatch,
             .group = "transactions",
             .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
             .since = "2.2.0",
             .complexity = "O(1) for every key."});
  table.Add({.name = "unwatch",
             .arity = 1,
             .flags = kControlFlags,
             .handler = CmdUnwatch,
             .group = "transactions",
             .summary = "Forget about all watched keys",
             .since = "2.2.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
