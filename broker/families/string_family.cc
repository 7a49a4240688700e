// String family: GET, SET and its variants, counters, ranges, multi-key MGET/MSET.
//
// Options, error texts and their order follow Redis 7.0's t_string.c as observed on redis-server
// 7.0.15: SET and GETEX validate their options before touching the key, then the expire time
// (SET before its GET lookup, GETEX after it). OBJECT ENCODING of a string depends on how it was
// made (see StringEncoding in value.h), so each writer stores the encoding Redis would.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/read_lookup.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace {

// SET / GETEX options (Redis's OBJ_* flags).
enum StringFlag : unsigned {
  kFlagNx = 1u << 0,
  kFlagXx = 1u << 1,
  kFlagGet = 1u << 2,
  kFlagKeepTtl = 1u << 3,
  kFlagPersist = 1u << 4,
  kFlagEx = 1u << 5,
  kFlagPx = 1u << 6,
  kFlagExat = 1u << 7,
  kFlagPxat = 1u << 8,
};
constexpr unsigned kAnyExpire = kFlagEx | kFlagPx | kFlagExat | kFlagPxat;

enum class OptionsFor { kSet, kGetex };

// Parses SET's (from args[3]) or GETEX's (from args[2]) options. Each option is refused (syntax
// error) when it conflicts with one already seen; repeating the same option is allowed, and the
// last expire value wins. On error replies and returns false.
bool ParseStringOptions(CommandContext& ctx, OptionsFor kind, unsigned* flags,
                        const std::string** expire) {
  const bool set = kind == OptionsFor::kSet;
  const auto& args = ctx.args;
  for (size_t j = set ? 3 : 2; j < args.size(); ++j) {
    const std::string& opt = args[j];
    const bool has_next = j + 1 < args.size();
    auto expire_option = [&](unsigned flag) {
      if ((*flags & (kAnyExpire & ~flag)) || (*flags & (kFlagKeepTtl | kFlagPersist)) ||
          !has_next) {
        return false;
      }
      *flags |= flag;
      *expire = &args[++j];
      return true;
    };
    if (set && EqualsIgnoreCase(opt, "nx") && !(*flags & kFlagXx)) {
      *flags |= kFlagNx;
    } else if (set && EqualsIgnoreCase(opt, "xx") && !(*flags & kFlagNx)) {
      *flags |= kFlagXx;
    } else if (set && EqualsIgnoreCase(opt, "get")) {
      *flags |= kFlagGet;
    } else if (set && EqualsIgnoreCase(opt, "keepttl") && !(*flags & kAnyExpire)) {
      *flags |= kFlagKeepTtl;
    } else if (!set && EqualsIgnoreCase(opt, "persist") && !(*flags & kAnyExpire)) {
      *flags |= kFlagPersist;
    } else if (EqualsIgnoreCase(opt, "ex") && expire_option(kFlagEx)) {
    } else if (EqualsIgnoreCase(opt, "px") && expire_option(kFlagPx)) {
    } else if (EqualsIgnoreCase(opt, "exat") && expire_option(kFlagExat)) {
    } else if (EqualsIgnoreCase(opt, "pxat") && expire_option(kFlagPxat)) {
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Turns an EX/PX/EXAT/PXAT argument into an absolute deadline in ms. Redis refuses values <= 0,
// seconds that overflow when scaled, and relative times whose sum with now wraps negative.
bool ExpireDeadline(CommandContext& ctx, const std::string& text, unsigned flags, int64_t* at_ms) {
  int64_t value = 0;
  if (!ParseInt64(text, &value)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  const bool seconds = flags & (kFlagEx | kFlagExat);
  if (value <= 0 || (seconds && value > std::numeric_limits<int64_t>::max() / 1000)) {
    ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.full_name));
    return false;
  }
  if (seconds) value *= 1000;
  if (flags & (kFlagEx | kFlagPx)) {
    // Redis adds with C's wrapping arithmetic and then refuses a non-positive result.
    value = static_cast<int64_t>(static_cast<uint64_t>(value) + static_cast<uint64_t>(ctx.now_ms));
  }
  if (value <= 0) {
    ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.full_name));
    return false;
  }
  *at_ms = value;
  return true;
}

// Replies the string at `key` (null when missing). Returns false after WRONGTYPE.
bool ReplyGet(CommandContext& ctx, std::string_view key) {
  const Value* value = nullptr;
  if (!ctx.LookupRead(key, &value)) return false;
  if (value) {
    ctx.reply.Bulk(value->view());
  } else {
    ctx.reply.Null();
  }
  return true;
}

// Propagation of SET and its variants, as Redis 7.0 rewrites them: any expiry becomes
// `SET key value PXAT <ms>` (other options dropped), otherwise GET is removed and the rest kept.
void PropagateSet(CommandContext& ctx, unsigned flags, std::string_view key, std::string_view value,
                  const int64_t* at_ms) {
  if (at_ms != nullptr) {
    const std::string when = std::to_string(*at_ms);
    ctx.PropagateAs({"SET", key, value, "PXAT", when});
  } else if (flags & kFlagGet) {
    std::vector<std::string_view> argv;
    for (size_t j = 0; j < ctx.args.size(); ++j) {
      if (j >= 3 && EqualsIgnoreCase(ctx.args[j], "get")) continue;
      argv.push_back(ctx.args[j]);
    }
    ctx.PropagateAs(argv);
  }
}

// The shared body of SET, SETNX, SETEX and PSETEX. `ok_reply`/`abort_reply` are raw RESP bytes,
// empty for SET's defaults (+OK / null).
void SetGeneric(CommandContext& ctx, unsigned flags, const std::string& key,
                const std::string& value, const std::string* expire, std::string_view ok_reply,
                std::string_view abort_reply) {
  int64_t at_ms = 0;
  if (expire && !ExpireDeadline(ctx, *expire, flags, &at_ms)) return;
  if ((flags & kFlagGet) && !ReplyGet(ctx, key)) return;
  Entry* existing = ctx.db.Find(key);
  if (((flags & kFlagNx) && existing) || ((flags & kFlagXx) && !existing)) {
    if (!(flags & kFlagGet)) {
      if (abort_reply.empty()) {
        ctx.reply.Null();
      } else {
        ctx.reply.Raw(abort_reply);
      }
    }
    return;
  }
  Entry* entry = nullptr;
  if ((flags & kFlagKeepTtl) && existing) {
    existing->value = Value(value);
    entry = existing;
  } else {
    entry = &ctx.db.Put(key, Value(value));
  }
  // A deadline already past is stored as is, like Redis 7.0: the key is gone at the next lookup.
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", key);
  if (expire) {
    ctx.db.SetExpire(key, *entry, at_ms);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
  }
  ctx.AddDirty();
  if (ctx.propagating()) PropagateSet(ctx, flags, key, value, expire ? &at_ms : nullptr);
  if (flags & kFlagGet) return;
  if (ok_reply.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Raw(ok_reply);
  }
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | KEEPTTL]
void CmdSet(CommandContext& ctx) {
  unsigned flags = 0;
  const std::string* expire = nullptr;
  if (!ParseStringOptions(ctx, OptionsFor::kSet, &flags, &expire)) return;
  SetGeneric(ctx, flags, ctx.args[1], ctx.args[2], expire, {}, {});
}

// SETNX key value
void CmdSetnx(CommandContext& ctx) {
  SetGeneric(ctx, kFlagNx, ctx.args[1], ctx.args[2], nullptr, ":1\r\n", ":0\r\n");
}

// SETEX key seconds value
void CmdSetex(CommandContext& ctx) {
  SetGeneric(ctx, kFlagEx, ctx.args[1], ctx.args[3], &ctx.args[2], {}, {});
}

// PSETEX key milliseconds value
void CmdPsetex(CommandContext& ctx) {
  SetGeneric(ctx, kFlagPx, ctx.args[1], ctx.args[3], &ctx.args[2], {}, {});
}

// GET key
void CmdGet(CommandContext& ctx) { ReplyGet(ctx, ctx.args[1]); }

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | PERSIST]
void CmdGetex(CommandContext& ctx) {
  unsigned flags = 0;
  const std::string* expire = nullptr;
  if (!ParseStringOptions(ctx, OptionsFor::kGetex, &flags, &expire)) return;
  const std::string& key = ctx.args[1];
  const Value* value = nullptr;
  if (!ctx.LookupRead(key, &value)) return;
  if (value == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t at_ms = 0;
  if (expire && !ExpireDeadline(ctx, *expire, flags, &at_ms)) return;
  ctx.reply.Bulk(value->view());
  // Propagated as Redis 7.0 rewrites GETEX: DEL, PEXPIREAT with the absolute time, or PERSIST.
  if ((flags & (kFlagExat | kFlagPxat)) && at_ms <= ctx.now_ms) {
    // An absolute time already past deletes the key (Redis's checkAlreadyExpired).
    ctx.db.Delete(key);
    ctx.AddDirty();
    ctx.PropagateAs({"DEL", key});
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  } else if (expire) {
    ctx.db.SetExpire(key, *ctx.db.FindNoTouch(key), at_ms);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
    ctx.AddDirty();
    if (ctx.propagating()) {
      const std::string when = std::to_string(at_ms);
      ctx.PropagateAs({"PEXPIREAT", key, when});
    }
  } else if (flags & kFlagPersist) {
    Entry* entry = ctx.db.FindNoTouch(key);
    if (entry->expire_at_ms != kNoExpiry) {
      ctx.db.SetExpire(key, *entry, kNoExpiry);
      ctx.AddDirty();
      ctx.PropagateAs({"PERSIST", key});
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "persist", key);
    }
  }
}

// GETDEL key
void CmdGetdel(CommandContext& ctx) {
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  if (value == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(value->view());
  ctx.db.Delete(ctx.args[1]);
  ctx.AddDirty();
  ctx.PropagateAs({"DEL", ctx.args[1]});  // as Redis 7.0 rewrites GETDEL
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.args[1]);
}

// GETSET key value
void CmdGetset(CommandContext& ctx) {
  if (!ReplyGet(ctx, ctx.args[1])) return;
  ctx.db.Put(ctx.args[1], Value(ctx.args[2]));
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", ctx.args[1]);
  ctx.AddDirty();
  ctx.PropagateAs({"SET", ctx.args[1], ctx.args[2]});  // as Redis 7.0 rewrites GETSET
}

// MGET key [key ...]
void CmdMget(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    Entry* entry = ReadLookup(ctx, ctx.args[i]);
    if (entry && entry->value.type() == ValueType::kString) {
      ctx.reply.Bulk(entry->value.view());
    } else {
      ctx.reply.Null();
    }
  }
}

// MSET key value [key value ...]
void CmdMset(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    ctx.db.Put(ctx.args[i], Value(ctx.args[i + 1]));
    NotifyKeyspaceEvent(ctx, kNotifyString, "set", ctx.args[i]);
  }
  ctx.AddDirty(static_cast<int64_t>(ctx.args.size() / 2));
  ctx.reply.Ok();
}

// MSETNX key value [key value ...]
void CmdMsetnx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.db.Find(ctx.args[i])) {
      ctx.reply.Integer(0);
      return;
    }
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    ctx.db.Put(ctx.args[i], Value(ctx.args[i + 1]));
    NotifyKeyspaceEvent(ctx, kNotifyString, "set", ctx.args[i]);
  }
  ctx.AddDirty(static_cast<int64_t>(ctx.args.size() / 2));
  ctx.reply.Integer(1);
}

// Stores `text` at `key` keeping its expiry (Redis's dbOverwrite), or creates the key.
// A new compact Value, not an in-place change: a counter stays inline.
void OverwriteString(CommandContext& ctx, const Value* current, const std::string& key,
                     std::string text, StringEncoding encoding) {
  if (current) {
    ctx.db.FindNoTouch(key)->value = Value(text, encoding);
  } else {
    ctx.db.Add(key, Value(std::move(text), encoding));
  }
}

void IncrDecr(CommandContext& ctx, int64_t increment) {
  const std::string& key = ctx.args[1];
  const Value* current = nullptr;
  if (!ctx.LookupWrite(key, &current)) return;
  int64_t value = 0;
  if (current && !ParseInt64(current->view(), &value)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (AddOverflows(value, increment)) {
    ctx.reply.Error(errors::kOverflow);
    return;
  }
  value += increment;
  OverwriteString(ctx, current, key, FormatInt64(value), StringEncoding::kStored);
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrby", key);
  ctx.AddDirty();
  ctx.reply.Integer(value);
}

// INCR key
void CmdIncr(CommandContext& ctx) { IncrDecr(ctx, 1); }

// DECR key
void CmdDecr(CommandContext& ctx) { IncrDecr(ctx, -1); }

// INCRBY key increment
void CmdIncrby(CommandContext& ctx) {
  int64_t increment = 0;
  if (!ParseInt64(ctx.args[2], &increment)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  IncrDecr(ctx, increment);
}

// DECRBY key decrement
void CmdDecrby(CommandContext& ctx) {
  int64_t decrement = 0;
  if (!ParseInt64(ctx.args[2], &decrement)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (decrement == std::numeric_limits<int64_t>::min()) {
    ctx.reply.Error(errors::kDecrementOverflow);
    return;
  }
  IncrDecr(ctx, -decrement);
}

// INCRBYFLOAT key increment
void CmdIncrbyfloat(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  const Value* current = nullptr;
  if (!ctx.LookupWrite(key, &current)) return;
  long double value = 0;
  long double increment = 0;
  if ((current && !ParseLongDouble(current->view(), &value)) ||
      !ParseLongDouble(ctx.args[2], &increment)) {
    ctx.reply.Error(errors::kNotFloat);
    return;
  }
  value += increment;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.Error(errors::kNanOrInfinity);
    return;
  }
  std::string text = FormatLongDouble(value);
  ctx.reply.Bulk(text);
  // The result, not the increment, replays exactly (Redis 7.0: SET key value KEEPTTL).
  ctx.PropagateAs({"SET", key, text, "KEEPTTL"});
  OverwriteString(ctx, current, key, std::move(text), StringEncoding::kNoInt);
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrbyfloat", key);
  ctx.AddDirty();
}

// Redis's checkStringLength: would a string of `size` + `growth` bytes exceed
// proto-max-bulk-len? Replies the error when it would.
bool CheckStringLength(CommandContext& ctx, uint64_t size, uint64_t growth) {
  const uint64_t limit = static_cast<uint64_t>(ctx.engine.settings().proto_max_bulk_len);
  if (size > limit || growth > limit - size) {
    ctx.reply.Error(errors::kStringTooLong);
    return false;
  }
  return true;
}

// APPEND key value
void CmdAppend(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  const std::string& suffix = ctx.args[2];
  std::string* current = nullptr;
  if (!ctx.LookupWrite(key, &current)) return;
  size_t length = 0;
  if (current == nullptr) {
    length = ctx.db.Add(key, Value(suffix)).value.view().size();
  } else {
    if (!CheckStringLength(ctx, current->size(), suffix.size())) return;
    current->append(suffix);
    ctx.db.FindNoTouch(key)->value.set_string_encoding(StringEncoding::kRaw);
    length = current->size();
  }
  NotifyKeyspaceEvent(ctx, kNotifyString, "append", key);
  ctx.AddDirty();
  ctx.reply.Integer(static_cast<int64_t>(length));
}

// STRLEN key
void CmdStrlen(CommandContext& ctx) {
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  ctx.reply.Integer(value ? static_cast<int64_t>(value->view().size()) : 0);
}

// GETRANGE key start end
void CmdGetrange(CommandContext& ctx) {
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  if (value == nullptr) {
    ctx.reply.Bulk("");
    return;
  }
  const std::string_view text = value->view();
  const int64_t length = static_cast<int64_t>(text.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (length == 0 || start > end) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

// SETRANGE key offset value
void CmdSetrange(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  const std::string& patch = ctx.args[3];
  int64_t offset = 0;
  if (!ParseInt64(ctx.args[2], &offset)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (offset < 0) {
    ctx.reply.Error(errors::kOffsetOutOfRange);
    return;
  }
  std::string* current = nullptr;
  if (!ctx.LookupWrite(key, &current)) return;
  if (patch.empty()) {
    // Setting nothing changes nothing, not even the encoding, and never creates the key.
    ctx.reply.Integer(current ? static_cast<int64_t>(current->size()) : 0);
    return;
  }
  if (!CheckStringLength(ctx, static_cast<uint64_t>(offset), patch.size())) return;
  if (current == nullptr) {
    current = &ctx.db.Add(key, Value(std::string(), StringEncoding::kRaw)).value.str();
  } else {
    ctx.db.FindNoTouch(key)->value.set_string_encoding(StringEncoding::kRaw);
  }
  const size_t needed = static_cast<size_t>(offset) + patch.size();
  if (current->size() < needed) current->resize(needed, '\0');
  current->replace(static_cast<size_t>(offset), patch.size(), patch);
  NotifyKeyspaceEvent(ctx, kNotifyString, "setrange", key);
  ctx.AddDirty();
  ctx.reply.Integer(static_cast<int64_t>(current->size()));
}

}  // namespace

void RegisterStringFamily(CommandTable& table) {
  constexpr std::string_view kRangeComplexity =
      "O(N) where N is the length of the returned string. The complexity is ultimately determined "
      "by the returned length, but because creating a substring from an existing string is very "
      "cheap, it can be considered O(1) for small strings.";
  table.Add({.name = "get",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGet,
             .group = "string",
             .summary = "Get the value of a key",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "set",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSet,
             .group = "string",
             .summary = "Set the string value of a key",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "setnx",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSetnx,
             .group = "string",
             .summary = "Set the value of a key, only if the key does not exist",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "setex",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSetex,
             .group = "string",
             .summary = "Set the value and expiration of a key",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "psetex",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPsetex,
             .group = "string",
             .summary = "Set the value and expiration in milliseconds of a key",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "getex",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetex,
             .group = "string",
             .summary = "Get the value of a key and optionally set its expiration",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "getdel",
             .arity = 2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetdel,
             .group = "string",
             .summary = "Get the value of a key and delete the key",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "getset",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetset,
             .group = "string",
             .summary = "Set the string value of a key and return its old value",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "mget",
             .arity = -2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdMget,
             .group = "string",
             .summary = "Get the values of all the given keys",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of keys to retrieve."});
  table.Add({.name = "mset",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 2,
             .handler = CmdMset,
             .group = "string",
             .summary = "Set multiple keys to multiple values",
             .since = "1.0.1",
             .complexity = "O(N) where N is the number of keys to set."});
  table.Add({.name = "msetnx",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 2,
             .handler = CmdMsetnx,
             .group = "string",
             .summary = "Set multiple keys to multiple values, only if none of the keys exist",
             .since = "1.0.1",
             .complexity = "O(N) where N is the number of keys to set."});
  table.Add({.name = "incr",
             .arity = 2,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdIncr,
             .group = "string",
             .summary = "Increment the integer value of a key by one",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "decr",
             .arity = 2,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdDecr,
             .group = "string",
             .summary = "Decrement the integer value of a key by one",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "incrby",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdIncrby,
             .group = "string",
             .summary = "Increment the integer value of a key by the given amount",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "decrby",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdDecrby,
             .group = "string",
             .summary = "Decrement the integer value of a key by the given number",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "incrbyfloat",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdIncrbyfloat,
             .group = "string",
             .summary = "Increment the float value of a key by the given amount",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "append",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdAppend,
             .group = "string",
             .summary = "Append a value to a key",
             .since = "2.0.0",
             .complexity = "O(1). The amortized time complexity is O(1) assuming the appended "
                           "value is small and the already present value is of any size, since the "
                           "dynamic string library used by Redis will double the free space "
                           "available on every reallocation."});
  table.Add({.name = "strlen",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdStrlen,
             .group = "string",
             .summary = "Get the length of the value stored in a key",
             .since = "2.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "getrange",
             .arity = 4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetrange,
             .group = "string",
             .summary = "Get a substring of the string stored at a key",
             .since = "2.4.0",
             .complexity = std::string(kRangeComplexity)});
  table.Add({.name = "substr",
             .arity = 4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetrange,
             .group = "string",
             .summary = "Get a substring of the string stored at a key",
             .since = "1.0.0",
             .complexity = std::string(kRangeComplexity)});
  table.Add({.name = "setrange",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSetrange,
             .group = "string",
             .summary = "Overwrite part of a string at key starting at the specified offset",
             .since = "2.2.0",
             .complexity = "O(1), not counting the time taken to copy the new string in place. "
                           "Usually, this string is very small so the amortized complexity is "
                           "O(1). Otherwise, complexity is O(M) with M being the length of the "
                           "value argument."});
}

}  // namespace drayman
