// Blocking command helpers: what BLPOP, BLMOVE, BLMPOP (and BZPOPMIN, BZPOPMAX, BZMPOP) share.
//
// Contract: ParseBlockingTimeout turns a timeout argument (float seconds, Python reprs such as
// "0.5" or "1e+20") into an absolute deadline on the engine clock, replying Redis's error and
// returning false when it is invalid. ServeOrBlock makes the first attempt: it tries the keys in
// priority order with the command's serve function; the first key that serves answers, a key of
// the wrong type answers WRONGTYPE; when no key is ready the client blocks on all of them (see
// broker/blocking/blocked_clients.h) or, when it may not block (inside EXEC, or the Lua script
// client), gets `on_deny` at once, as Redis answers such a command. A blocking command is then:
//
//   int64_t deadline_ms;
//   if (!ParseBlockingTimeout(ctx, ctx.args.back(), &deadline_ms)) return;
//   ServeOrBlock(ctx, {ctx.args.begin() + 1, ctx.args.end() - 1}, deadline_ms,
//                [](CommandContext& ctx, std::string_view key) { ...pop, reply... });
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/blocking/blocked_clients.h"
#include "broker/command/context.h"

namespace drayman {

// Parses a timeout in seconds; *deadline_ms is 0 for "forever", else now + the timeout rounded up
// to whole milliseconds (never down to 0: a 0.0001 s timeout expires, it does not block forever).
bool ParseBlockingTimeout(CommandContext& ctx, std::string_view text, int64_t* deadline_ms);

// Whether the client may wait: not while EXEC runs its queue, never for the script client.
bool MayBlock(const Client& client);

// The reply a blocking command gives when it may not block: a null array (BLPOP, BLMPOP,
// BZPOPMIN...) or a null bulk (BLMOVE, BRPOPLPUSH), as in Redis.
enum class DenyReply { kNullArray, kNull };

void ServeOrBlock(CommandContext& ctx, const std::vector<std::string>& keys, int64_t deadline_ms,
                  ServeFunction serve, DenyReply on_deny = DenyReply::kNullArray);

// The non-blocking twin (LMPOP, ZMPOP's shape): serves from the first ready key or answers
// `on_empty` when none is.
void ServeOrNull(CommandContext& ctx, const std::vector<std::string>& keys, ServeFunction serve,
                 DenyReply on_empty = DenyReply::kNullArray);

}  // namespace drayman
