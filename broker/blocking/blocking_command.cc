#include "broker/blocking/blocking_command.h"

#include <cmath>
#include <limits>

#include "broker/base/numbers.h"
#include "broker/engine.h"

namespace drayman {

namespace {

// Whole seconds of up to 15 digits (what clients send: 0, 1, 5): the milliseconds the long double
// path gives for them, exactly, without strtold. False for anything else.
bool ParseWholeSeconds(std::string_view text, int64_t* timeout_ms) {
  if (text.empty() || text.size() > 15) return false;
  int64_t seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    seconds = seconds * 10 + (c - '0');
  }
  *timeout_ms = seconds * 1000;
  return true;
}

}  // namespace

bool ParseBlockingTimeout(CommandContext& ctx, std::string_view text, int64_t* deadline_ms) {
  int64_t timeout_ms = 0;
  if (!ParseWholeSeconds(text, &timeout_ms)) {
    long double seconds = 0;
    if (!ParseLongDouble(text, &seconds)) {
      ctx.reply.Error(errors::kTimeoutNotFloat);
      return false;
    }
    // Redis 7.0 rounds up to whole milliseconds (a tiny positive timeout must not become 0,
    // which means forever) and converts with a plain cast: values beyond int64, infinity
    // included, come out negative, so it answers "timeout is negative" for them (7.2 says
    // "timeout is out of range"). Debian's 7.0.15 is the oracle here.
    const long double ms = std::ceil(seconds * 1000.0L);
    if (!(ms < 9223372036854775808.0L) || ms < 0) {
      ctx.reply.Error(errors::kTimeoutNegative);
      return false;
    }
    timeout_ms = static_cast<int64_t>(ms);
  }
  if (timeout_ms == 0) {
    *deadline_ms = 0;
  } else if (timeout_ms > std::numeric_limits<int64_t>::max() - ctx.now_ms) {
    *deadline_ms = std::numeric_limits<int64_t>::max();  // past any real clock: never fires
  } else {
    *deadline_ms = ctx.now_ms + timeout_ms;
  }
  return true;
}

bool MayBlock(const Client& client) { return !client.in_exec && !client.is_script_client; }

namespace {

// Tries the keys in priority order; true when one served or the reply is WRONGTYPE.
bool TryServe(CommandContext& ctx, const std::vector<std::string>& keys, ServeFunction& serve) {
  for (const std::string& key : keys) {
    ServeResult result = serve(ctx, key);
    if (result == ServeResult::kServed) return true;
    if (result == ServeResult::kWrongType) {
      ctx.reply.Error(errors::kWrongType);
      return true;
    }
  }
  return false;
}

void Deny(CommandContext& ctx, DenyReply on_deny) {
  if (on_deny == DenyReply::kNull) {
    ctx.reply.Null();
  } else {
    ctx.reply.NullArray();
  }
}

}  // namespace

void ServeOrBlock(CommandContext& ctx, const std::vector<std::string>& keys, int64_t deadline_ms,
                  ServeFunction serve, DenyReply on_deny) {
  if (TryServe(ctx, keys, serve)) return;
  if (!MayBlock(ctx.client)) {
    Deny(ctx, on_deny);
    return;
  }
  ctx.engine.blocked_clients().Block(ctx.client, ctx.spec, ctx.args, keys, deadline_ms,
                                     std::move(serve));
}

void ServeOrNull(CommandContext& ctx, const std::vector<std::string>& keys, ServeFunction serve,
                 DenyReply on_empty) {
  if (!TryServe(ctx, keys, serve)) Deny(ctx, on_empty);
}

}  // namespace drayman
