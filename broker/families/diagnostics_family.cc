// Diagnostics family: ROLE and LOLWUT.
//
// Replies follow Debian's redis-server 7.0.15. ROLE answers as a master with no replicas and
// offset 0 (Drayman has no replication). LOLWUT answers 7.0's default (the version line), and
// VERSION 5 and 6 draw Redis 5's and 6's pictures (broker/families/lolwut_art.h).

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/families/lolwut_art.h"

namespace drayman {

namespace {

// ROLE
void CmdRole(CommandContext& ctx) {
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(0);  // replication offset
  ctx.reply.ArrayHeader(0);  // replicas
}

// LOLWUT's numeric arguments from args[first] on (Redis's getLongFromObjectOrReply each); false
// after replying the error.
bool ParseLolwutArguments(CommandContext& ctx, size_t first, std::initializer_list<int64_t*> out) {
  size_t index = first;
  for (int64_t* value : out) {
    if (index >= ctx.args.size()) break;
    if (!ParseInt64(ctx.args[index++], value)) {
      ctx.reply.Error(errors::kNotInteger);
      return false;
    }
  }
  return true;
}

// LOLWUT [VERSION version] [version's arguments ...]
void CmdLolwut(CommandContext& ctx) {
  // Redis parses VERSION only when it comes first with a value; VERSION 5 and 6 draw (Schotter,
  // the skyline) from the arguments after it, anything else answers the version line.
  uint64_t version = 0;
  if (ctx.args.size() >= 3 && EqualsIgnoreCase(ctx.args[1], "version")) {
    int64_t requested = 0;
    if (!ParseInt64(ctx.args[2], &requested)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    version = static_cast<unsigned int>(requested);  // Redis prints it with "%u"
  }
  // C's rand(): 31 random bits.
  std::mt19937_64& rng = ctx.keyspace.rng();
  const lolwut::RandomFn rand = [&rng] { return static_cast<int32_t>(rng() >> 33); };
  if (version == 5) {
    int64_t columns = 66, per_row = 8, per_col = 12;
    if (!ParseLolwutArguments(ctx, 3, {&columns, &per_row, &per_col})) return;
    ctx.reply.Verbatim("txt", lolwut::Schotter(columns, per_row, per_col, rand,
                                               kRedisCompatVersion));
  } else if (version == 6) {
    int64_t columns = 80, rows = 20;
    if (!ParseLolwutArguments(ctx, 3, {&columns, &rows})) return;
    ctx.reply.Verbatim("txt", lolwut::Skyline(columns, rows, rand, kRedisCompatVersion));
  } else {
    ctx.reply.Verbatim("txt", "Redis ver. " + std::string(kRedisCompatVersion) + "\n");
  }
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
