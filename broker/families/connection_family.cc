// Connection family: PING, ECHO, QUIT, SELECT.
#include "broker/command/context.h"
#include "broker/command/numbers.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// PING [message]
void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(errors::WrongArity("ping"));
    return;
  }
  // --- pub/sub: a subscribed RESP2 client gets ["pong", message or ""] (redis-py's health
  // check relies on it) ---
  if (ctx.client.pubsub.subscribed() && ctx.client.protocol() == Protocol::kResp2) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 2 ? std::string_view(ctx.args[1]) : std::string_view());
    return;
  }
  if (ctx.args.size() == 1) {
    ctx.reply.SimpleString("PONG");
  } else {
    ctx.reply.Bulk(ctx.args[1]);
  }
}

// ECHO message
void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

// QUIT
void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

// SELECT index
void CmdSelect(CommandContext& ctx) {
  int64_t index = 0;
  if (!ParseInt64(ctx.args[1], &index)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (index < 0 || index >= ctx.keyspace.database_count()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db = static_cast<int>(index);
  ctx.reply.Ok();
}

}  // namespace

void RegisterConnectionFamily(CommandTable& table) {
  table.Add({.name = "ping", .arity = -1, .flags = kCmdFast | kCmdPubsubContext, .handler = CmdPing,
             .group = "connection", .summary = "Ping the server", .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "echo", .arity = 2, .flags = kCmdFast, .handler = CmdEcho,
             .group = "connection", .summary = "Echo the given string", .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "quit", .arity = -1,
             .flags = kCmdAllowBusy | kCmdNoAuth | kCmdLoading | kCmdStale | kCmdFast |
                      kCmdNoscript | kCmdPubsubContext,
             .handler = CmdQuit, .group = "connection", .summary = "Close the connection",
             .since = "1.0.0", .complexity = "O(1)"});
  table.Add({.name = "select", .arity = 2, .flags = kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdSelect, .group = "connection",
             .summary = "Change the selected database for the current connection",
             .since = "1.0.0", .complexity = "O(1)"});
}

}  // namespace drayman
