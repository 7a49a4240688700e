// Diagnostics family: ROLE and LOLWUT.
//
// Replies follow Debian's redis-server 7.0.15. ROLE answers as a master with no replicas and
// offset 0 (Drayman has no replication). LOLWUT answers 7.0's default (the version line): the
// VERSION 5 and 6 drawings are random art and are not offered, so they answer the same line.

#include <string>
#include <string_view>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// ROLE
void CmdRole(CommandContext& ctx) {
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(0);  // replication offset
  ctx.reply.ArrayHeader(0);  // replicas
}

// LOLWUT [VERSION version]
void CmdLolwut(CommandContext& ctx) {
  // Redis parses VERSION only when it comes first with a value; anything else is ignored.
  if (ctx.args.size() >= 3 && EqualsIgnoreCase(ctx.args[1], "version")) {
    int64_t version = 0;
    if (!ParseInt64(ctx.args[2], &version)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
  }
  ctx.reply.Verbatim("txt", "Redis ver. " + std::string(kRedisCompatVersion) + "\n");
}

}  // namespace

void RegisterDiagnosticsFamily(CommandTable& table) {
  table.Add({.name = "role",
             .arity = 1,
             .flags = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdRole,
             .group = "server",
             .summary = "Return the role of the instance in the context of replication",
             .since = "2.8.12",
             .complexity = "O(1)"});
  table.Add({.name = "lolwut",
             .arity = -1,
             .flags = kCmdReadonly | kCmdFast,
             .handler = CmdLolwut,
             .group = "server",
             .summary = "Display some computer art and the Redis version",
             .since = "5.0.0"});
}

}  // namespace drayman
