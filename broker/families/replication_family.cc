// Replication family: WAIT, REPLICAOF, SLAVEOF and FAILOVER as a master without replicas answers
// them.
//
// Drayman has no replication (README, "Not supported yet"), so it is always a master with no
// replica. Replies and error texts follow Debian's redis-server 7.0.15 in that state: WAIT counts
// no acknowledgement (0 at once when it asks for none or runs inside EXEC, else 0 when its timeout
// ends, or never with timeout 0 until CLIENT UNBLOCK), and REPLICAOF/SLAVEOF NO ONE is a no-op
// answering OK. Pointing the server at a master is refused with Drayman's own error after Redis's
// port check, since it cannot copy a master's data. FAILOVER checks its options and then needs
// the replicas there are none of. So clients that queue these in MULTI (or call
// WAIT after writes) get Redis's answers instead of "unknown command".

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "broker/base/numbers.h"
#include "broker/blocking/blocked_clients.h"
#include "broker/blocking/blocking_command.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// WAIT numreplicas timeout
void CmdWait(CommandContext& ctx) {
  int64_t wanted = 0;
  if (!ParseInt64(ctx.args[1], &wanted)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  // Redis's getTimeoutFromObjectOrReply in milliseconds.
  int64_t timeout = 0;
  if (!ParseInt64(ctx.args[2], &timeout)) {
    ctx.reply.Error(errors::kTimeoutNotInteger);
    return;
  }
  if (timeout < 0) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return;
  }
  constexpr int64_t kAcknowledged = 0;  // no replicas
  // Redis answers at once inside MULTI/EXEC (and never blocks there).
  if (kAcknowledged >= wanted || !MayBlock(ctx.client)) {
    ctx.reply.Integer(kAcknowledged);
    return;
  }
  // A deadline past int64 wraps into the past in Redis's sum: the wait ends at the next check.
  int64_t deadline_ms = 0;
  if (timeout > 0) {
    deadline_ms = timeout > std::numeric_limits<int64_t>::max() - ctx.now_ms
                      ? 1
                      : ctx.now_ms + timeout;
  }
  ctx.engine.blocked_clients().Block(
      ctx.client, ctx.spec, ctx.args, {}, deadline_ms,
      [](CommandContext&, std::string_view) { return ServeResult::kNotReady; },
      TimeoutReply::kZero);
}

// REPLICAOF host port | NO ONE (and SLAVEOF, its old name)
void CmdReplicaof(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.args[1], "no") && EqualsIgnoreCase(ctx.args[2], "one")) {
    ctx.reply.Ok();  // already a master
    return;
  }
  int64_t port = 0;
  if (!ParseInt64(ctx.args[2], &port) || port < 0 || port > 65535) {
    ctx.reply.Error(errors::kInvalidMasterPort);
    return;
  }
  ctx.reply.Error(errors::kNoReplication);
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
void CmdFailover(CommandContext& ctx) {
  // Redis's failoverCommand with no failover running, no master and no replica: the options are
  // checked, then the missing replicas refuse it.
  if (ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "abort")) {
    ctx.reply.Error(errors::kNoFailoverInProgress);
    return;
  }
  int64_t timeout_ms = 0;
  bool force = false, to = false;
  for (size_t j = 1; j < ctx.args.size(); ++j) {
    const std::string& option = ctx.args[j];
    if (EqualsIgnoreCase(option, "timeout") && j + 1 < ctx.args.size() && timeout_ms == 0) {
      if (!ParseInt64(ctx.args[j + 1], &timeout_ms)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (timeout_ms <= 0) {
        ctx.reply.Error(errors::kFailoverTimeout);
        return;
      }
      ++j;
    } else if (EqualsIgnoreCase(option, "to") && j + 2 < ctx.args.size() && !to) {
      int64_t port = 0;
      if (!ParseInt64(ctx.args[j + 2], &port)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      to = true;
      j += 2;
    } else if (EqualsIgnoreCase(option, "force") && !force) {
      force = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  ctx.reply.Error(errors::kFailoverNeedsReplicas);
}

}  // namespace

void RegisterReplicationFamily(CommandTable& table) {
  table.Add({.name = "wait",
             .arity = 3,
             .flags = kCmdNoscript,
             .handler = CmdWait,
             .group = "generic",
             .summary = "Wait for the synchronous replication of all the write commands sent in "
                        "the context of the current connection",
             .since = "3.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "replicaof",
             .arity = 3,
             .flags = kCmdAdmin | kCmdNoscript | kCmdStale | kCmdNoAsyncLoading,
             .handler = CmdReplicaof,
             .group = "server",
             .summary = "Make the server a replica of another instance, or promote it as master.",
             .since = "5.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "failover",
             .arity = -1,
             .flags = kCmdAdmin | kCmdNoscript | kCmdStale,
             .handler = CmdFailover,
             .group = "server",
             .summary = "Start a coordinated failover between this server and one of its replicas.",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "slaveof",
             .arity = 3,
             .flags = kCmdAdmin | kCmdNoscript | kCmdStale | kCmdNoAsyncLoading,
             .handler = CmdReplicaof,
             .group = "server",
             .summary = "Make the server a replica of another instance, or promote it as master.",
             .since = "1.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
