// Keys family: generic key commands (DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY, MOVE...),
// expiry (EXPIRE and friends, TTL, PERSIST) and the OBJECT container (MEMORY is memory_family.cc).
//
// Behaviour, error texts and their order follow Redis 7.0's db.c, expire.c and object.c as
// observed on redis-server 7.0.15. Lookups that Redis makes with LOOKUP_NOTOUCH (TYPE, EXISTS,
// TTL, OBJECT) leave the access time OBJECT IDLETIME reports alone.
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/glob.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/command/read_lookup.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/families/scan.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace {

// OBJECT HELP, as redis-server 7.0.15 prints it (ReplyHelp adds the first line and HELP).
constexpr std::string_view kObjectHelp[] = {
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
};

// Parses a database index the way MOVE and COPY do (getIntFromObjectOrReply, then the range of
// configured databases). Replies and returns nullptr on error.
Database* ParseDatabase(CommandContext& ctx, const std::string& text) {
  int64_t index = 0;
  if (!ParseInt64(text, &index)) {
    ctx.reply.Error(errors::kNotInteger);
    return nullptr;
  }
  if (index < INT_MIN || index > INT_MAX) {
    ctx.reply.Error(errors::kIntOutOfRange);
    return nullptr;
  }
  if (index < 0 || index >= ctx.keyspace.database_count()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return nullptr;
  }
  return &ctx.keyspace.db(static_cast<int>(index));
}

// A key written into a database other than the one the dispatcher signals (MOVE, COPY ... DB).
void SignalOtherDatabase(CommandContext& ctx, Database& db, std::string_view key) {
  if (&db == &ctx.db) return;
  db.SignalModified(key);
  db.SignalReady(key);
}

void DeleteGeneric(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.db.Delete(ctx.args[i])) {
      ++deleted;
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.args[i]);
    }
  }
  ctx.AddDirty(deleted);
  ctx.reply.Integer(deleted);
}

// DEL key [key ...]
void CmdDel(CommandContext& ctx) { DeleteGeneric(ctx); }

// UNLINK key [key ...]
void CmdUnlink(CommandContext& ctx) { DeleteGeneric(ctx); }

// EXISTS key [key ...]
void CmdExists(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ReadLookup(ctx, ctx.args[i], /*touch=*/false)) ++count;
  }
  ctx.reply.Integer(count);
}

// TOUCH key [key ...]
void CmdTouch(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ReadLookup(ctx, ctx.args[i], /*touch=*/true)) ++count;
  }
  ctx.reply.Integer(count);
}

// TYPE key
void CmdType(CommandContext& ctx) {
  Entry* entry = ReadLookup(ctx, ctx.args[1], /*touch=*/false);
  ctx.reply.SimpleString(entry ? TypeName(entry->value.type()) : "none");
}

// KEYS pattern
void CmdKeys(CommandContext& ctx) {
  const std::string& pattern = ctx.args[1];
  const bool all = pattern == "*";
  std::vector<std::string_view> keys;
  // Expired keys are skipped, not deleted (the walk must not change the table).
  ctx.db.ForEach([&](std::string_view key, const Entry& entry) {
    if (!ctx.db.IsExpired(entry) && (all || GlobMatch(pattern, key))) keys.push_back(key);
  });
  ctx.reply.ArrayHeader(keys.size());
  for (std::string_view key : keys) ctx.reply.Bulk(key);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void CmdScan(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(ctx.args[1], &cursor)) {
    ctx.reply.Error(errors::kInvalidCursor);
    return;
  }
  ScanOptions options;
  if (!ParseScanOptions(ctx, 2, /*allow_type=*/true, &options)) return;
  std::vector<std::string> keys;
  cursor = ScanWalk(cursor, static_cast<uint64_t>(options.count), keys, [&](uint64_t at) {
    return ctx.db.Scan(at, [&](std::string_view key, Entry&) { keys.emplace_back(key); });
  });
  size_t kept = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!options.Matches(keys[i])) continue;
    // The lookup expires the key if it is due, as Redis's scan does.
    Entry* entry = ctx.db.FindNoTouch(keys[i]);
    if (entry == nullptr) continue;
    if (options.use_type && !EqualsIgnoreCase(options.type, TypeName(entry->value.type()))) {
      continue;
    }
    if (kept != i) keys[kept] = std::move(keys[i]);  // never self-move: it empties the string
    ++kept;
  }
  keys.resize(kept);
  ReplyScan(ctx.reply, cursor, keys);
}

// RANDOMKEY
void CmdRandomkey(CommandContext& ctx) {
  std::optional<std::string_view> key = ctx.db.RandomKey();
  if (key) {
    ctx.reply.Bulk(*key);
  } else {
    ctx.reply.Null();
  }
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  const std::string& from = ctx.args[1];
  const std::string& to = ctx.args[2];
  Entry* source = ctx.db.Find(from);
  if (source == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  if (from == to) {
    if (nx) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Ok();
    }
    return;
  }
  if (ctx.db.Find(to)) {
    if (nx) {
      ctx.reply.Integer(0);
      return;
    }
    // Redis signals the source before the destination (client-side caching's invalidations
    // come in that order); deleting the old destination would signal it first.
    ctx.db.SignalModified(from);
    ctx.db.Delete(to);
  }
  const int64_t expire_at = source->expire_at_ms;
  Value value = std::move(source->value);
  ctx.db.Delete(from);
  Entry& target = ctx.db.Add(to, std::move(value));
  if (expire_at != kNoExpiry) ctx.db.SetExpire(to, target, expire_at);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_from", from);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_to", to);
  ctx.AddDirty();
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

// RENAME key newkey
void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/false); }

// RENAMENX key newkey
void CmdRenamenx(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/true); }

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  const auto& args = ctx.args;
  Database* target = &ctx.db;
  bool replace = false;
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsIgnoreCase(args[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(args[j], "db") && j + 1 < args.size()) {
      target = ParseDatabase(ctx, args[++j]);
      if (target == nullptr) return;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  const std::string& from = args[1];
  const std::string& to = args[2];
  if (target == &ctx.db && from == to) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  Entry* source = ReadLookup(ctx, from, /*touch=*/true);
  if (source == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (target->Find(to)) {
    if (!replace) {
      ctx.reply.Integer(0);
      return;
    }
    target->Delete(to);
  }
  Entry& copy = target->Add(to, source->value.Clone());
  if (source->expire_at_ms != kNoExpiry) target->SetExpire(to, copy, source->expire_at_ms);
  SignalOtherDatabase(ctx, *target, to);
  NotifyKeyspaceEvent(ctx.engine, kNotifyGeneric, "copy_to", to, target->index());
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

// MOVE key db
void CmdMove(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  Database* target = ParseDatabase(ctx, ctx.args[2]);
  if (target == nullptr) return;
  if (target == &ctx.db) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  Entry* source = ctx.db.Find(key);
  if (source == nullptr || target->Find(key)) {
    ctx.reply.Integer(0);
    return;
  }
  const int64_t expire_at = source->expire_at_ms;
  Value value = std::move(source->value);
  ctx.db.Delete(key);
  Entry& moved = target->Add(key, std::move(value));
  if (expire_at != kNoExpiry) target->SetExpire(key, moved, expire_at);
  SignalOtherDatabase(ctx, *target, key);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "move_from", key);
  NotifyKeyspaceEvent(ctx.engine, kNotifyGeneric, "move_to", key, target->index());
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

enum ExpireFlag : unsigned { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT: `basetime_ms` is now for relative forms, 0 for absolute.
void ExpireGeneric(CommandContext& ctx, int64_t basetime_ms, bool seconds) {
  const auto& args = ctx.args;
  unsigned flags = 0;
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsIgnoreCase(args[j], "nx")) {
      flags |= kExpireNx;
    } else if (EqualsIgnoreCase(args[j], "xx")) {
      flags |= kExpireXx;
    } else if (EqualsIgnoreCase(args[j], "gt")) {
      flags |= kExpireGt;
    } else if (EqualsIgnoreCase(args[j], "lt")) {
      flags |= kExpireLt;
    } else {
      // Redis formats the option with %s: it ends at the first NUL byte.
      ctx.reply.Error(
          errors::UnsupportedOption(std::string_view(args[j]).substr(0, args[j].find('\0'))));
      return;
    }
  }
  if ((flags & kExpireNx) && (flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error(errors::kExpireNxConflict);
    return;
  }
  if ((flags & kExpireGt) && (flags & kExpireLt)) {
    ctx.reply.Error(errors::kExpireGtLtConflict);
    return;
  }
  int64_t when = 0;
  if (!ParseInt64(args[2], &when)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // Negative times are allowed (they delete the key); only overflow is an error.
  if (seconds) {
    if (when > kMax / 1000 || when < kMin / 1000) {
      ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.full_name));
      return;
    }
    when *= 1000;
  }
  if (when > kMax - basetime_ms) {
    ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.full_name));
    return;
  }
  when += basetime_ms;

  const std::string& key = args[1];
  Entry* entry = ctx.db.Find(key);
  if (entry == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const int64_t current = entry->expire_at_ms;  // kNoExpiry (-1) reads as an infinite TTL
  if (((flags & kExpireNx) && current != kNoExpiry) ||
      ((flags & kExpireXx) && current == kNoExpiry) ||
      ((flags & kExpireGt) && (current == kNoExpiry || when <= current)) ||
      ((flags & kExpireLt) && current != kNoExpiry && when >= current)) {
    ctx.reply.Integer(0);
    return;
  }
  // Propagated as Redis 7.0 rewrites it: DEL when the time is past, else PEXPIREAT with the
  // absolute time in place of the name and time (options kept as sent; PEXPIREAT stays as is).
  if (when <= ctx.now_ms) {
    ctx.db.Delete(key);
    ctx.PropagateAs({"DEL", key});
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  } else {
    ctx.db.SetExpire(key, *entry, when);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
    if (ctx.propagating() && !(basetime_ms == 0 && !seconds)) {
      const std::string when_text = std::to_string(when);
      std::vector<std::string_view> argv(args.begin(), args.end());
      argv[0] = "PEXPIREAT";
      argv[2] = when_text;
      ctx.PropagateAs(argv);
    }
  }
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

// EXPIRE key seconds [NX | XX | GT | LT]
void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, /*seconds=*/true); }

// PEXPIRE key milliseconds [NX | XX | GT | LT]
void CmdPexpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, /*seconds=*/false); }

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
void CmdExpireat(CommandContext& ctx) { ExpireGeneric(ctx, 0, /*seconds=*/true); }

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
void CmdPexpireat(CommandContext& ctx) { ExpireGeneric(ctx, 0, /*seconds=*/false); }

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without expiry.
void TtlGeneric(CommandContext& ctx, bool milliseconds, bool absolute) {
  Entry* entry = ReadLookup(ctx, ctx.args[1], /*touch=*/false);
  if (entry == nullptr) {
    ctx.reply.Integer(-2);
    return;
  }
  if (entry->expire_at_ms == kNoExpiry) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t ms = absolute ? entry->expire_at_ms : entry->expire_at_ms - ctx.now_ms;
  if (ms < 0) ms = 0;
  // Seconds round half up (a TTL of 1500 ms reads 2), without overflowing near INT64_MAX.
  ctx.reply.Integer(milliseconds ? ms : ms / 1000 + (ms % 1000 >= 500 ? 1 : 0));
}

// TTL key
void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }

// PTTL key
void CmdPttl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }

// EXPIRETIME key
void CmdExpiretime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }

// PEXPIRETIME key
void CmdPexpiretime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void CmdPersist(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  Entry* entry = ctx.db.Find(key);
  if (entry == nullptr || entry->expire_at_ms == kNoExpiry) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.db.SetExpire(key, *entry, kNoExpiry);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "persist", key);
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

// The OBJECT subcommands' lookup: no access recorded, null reply when missing.
Entry* ObjectLookup(CommandContext& ctx) {
  // Counted like ReadLookup, but no `keymiss` event (Redis's LOOKUP_NONOTIFY for OBJECT).
  Entry* entry = ctx.db.FindNoTouch(ctx.args[2]);
  ++(entry ? ctx.keyspace.keyspace_hits : ctx.keyspace.keyspace_misses);
  if (entry == nullptr) ctx.reply.Null();
  return entry;
}

// OBJECT ENCODING key
void CmdObjectEncoding(CommandContext& ctx) {
  if (Entry* entry = ObjectLookup(ctx)) ctx.reply.Bulk(entry->value.Encoding());
}

// OBJECT REFCOUNT key
void CmdObjectRefcount(CommandContext& ctx) {
  if (Entry* entry = ObjectLookup(ctx)) ctx.reply.Integer(entry->value.RefCount());
}

// OBJECT IDLETIME key
void CmdObjectIdletime(CommandContext& ctx) {
  Entry* entry = ObjectLookup(ctx);
  if (entry == nullptr) return;
  if (ctx.keyspace.lfu()) {
    ctx.reply.Error(errors::kIdletimeWithLfu);
  } else {
    ctx.reply.Integer(ctx.db.IdleSeconds(*entry));
  }
}

// OBJECT FREQ key
void CmdObjectFreq(CommandContext& ctx) {
  Entry* entry = ObjectLookup(ctx);
  if (entry == nullptr) return;
  if (ctx.keyspace.lfu()) {
    ctx.reply.Integer(ctx.db.LfuFrequency(*entry));
  } else {
    ctx.reply.Error(errors::kFreqWithoutLfu);
  }
}

// OBJECT HELP
void CmdObjectHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "OBJECT", kObjectHelp); }

}  // namespace

void RegisterKeysFamily(CommandTable& table) {
  table.Add({.name = "del",
             .arity = -2,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdDel,
             .group = "generic",
             .summary = "Delete a key",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of keys that will be removed. When a key to "
                           "remove holds a value other than a string, the individual complexity "
                           "for this key is O(M) where M is the number of elements in the list, "
                           "set, sorted set or hash. Removing a single key that holds a string "
                           "value is O(1)."});
  table.Add({.name = "unlink",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdUnlink,
             .group = "generic",
             .summary = "Delete a key asynchronously in another thread. Otherwise it is just as "
                        "DEL, but non blocking.",
             .since = "4.0.0",
             .complexity = "O(1) for each key removed regardless of its size. Then the command "
                           "does O(N) work in a different thread in order to reclaim memory, where "
                           "N is the number of allocations the deleted objects where composed "
                           "of."});
  table.Add({.name = "exists",
             .arity = -2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdExists,
             .group = "generic",
             .summary = "Determine if a key exists",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of keys to check."});
  table.Add({.name = "touch",
             .arity = -2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdTouch,
             .group = "generic",
             .summary = "Alters the last access time of a key(s). Returns the number of existing "
                        "keys specified.",
             .since = "3.2.1",
             .complexity = "O(N) where N is the number of keys that will be touched."});
  table.Add({.name = "type",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdType,
             .group = "generic",
             .summary = "Determine the type stored at key",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "keys",
             .arity = 2,
             .flags = kCmdReadonly,
             .handler = CmdKeys,
             .group = "generic",
             .summary = "Find all keys matching the given pattern",
             .since = "1.0.0",
             .complexity = "O(N) with N being the number of keys in the database, under the "
                           "assumption that the key names in the database and the given pattern "
                           "have limited length."});
  table.Add({.name = "scan",
             .arity = -2,
             .flags = kCmdReadonly,
             .handler = CmdScan,
             .group = "generic",
             .summary = "Incrementally iterate the keys space",
             .since = "2.8.0",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection."});
  table.Add({.name = "randomkey",
             .arity = 1,
             .flags = kCmdReadonly,
             .handler = CmdRandomkey,
             .group = "generic",
             .summary = "Return a random key from the keyspace",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "rename",
             .arity = 3,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdRename,
             .group = "generic",
             .summary = "Rename a key",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "renamenx",
             .arity = 3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdRenamenx,
             .group = "generic",
             .summary = "Rename a key, only if the new key does not exist",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "copy",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdCopy,
             .group = "generic",
             .summary = "Copy a key",
             .since = "6.2.0",
             .complexity = "O(N) worst case for collections, where N is the number of nested "
                           "items. O(1) for string values."});
  table.Add({.name = "move",
             .arity = 3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdMove,
             .group = "generic",
             .summary = "Move a key to another database",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "expire",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdExpire,
             .group = "generic",
             .summary = "Set a key's time to live in seconds",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "pexpire",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPexpire,
             .group = "generic",
             .summary = "Set a key's time to live in milliseconds",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "expireat",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdExpireat,
             .group = "generic",
             .summary = "Set the expiration for a key as a UNIX timestamp",
             .since = "1.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "pexpireat",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPexpireat,
             .group = "generic",
             .summary =
                 "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "ttl",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdTtl,
             .group = "generic",
             .summary = "Get the time to live for a key in seconds",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "pttl",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPttl,
             .group = "generic",
             .summary = "Get the time to live for a key in milliseconds",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "expiretime",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdExpiretime,
             .group = "generic",
             .summary = "Get the expiration Unix timestamp for a key",
             .since = "7.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "pexpiretime",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPexpiretime,
             .group = "generic",
             .summary = "Get the expiration Unix timestamp for a key in milliseconds",
             .since = "7.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "persist",
             .arity = 2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPersist,
             .group = "generic",
             .summary = "Remove the expiration from a key",
             .since = "2.2.0",
             .complexity = "O(1)"});

  table.Add({.name = "object",
             .arity = -2,
             .group = "generic",
             .summary = "A container for object introspection commands",
             .since = "2.2.3",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("object", {.name = "encoding",
                                 .arity = 3,
                                 .flags = kCmdReadonly,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdObjectEncoding,
                                 .group = "generic",
                                 .summary = "Inspect the internal encoding of a Redis object",
                                 .since = "2.2.3",
                                 .complexity = "O(1)"});
  table.AddSubcommand("object", {.name = "refcount",
                                 .arity = 3,
                                 .flags = kCmdReadonly,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdObjectRefcount,
                                 .group = "generic",
                                 .summary = "Get the number of references to the value of the key",
                                 .since = "2.2.3",
                                 .complexity = "O(1)"});
  table.AddSubcommand("object", {.name = "idletime",
                                 .arity = 3,
                                 .flags = kCmdReadonly,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdObjectIdletime,
                                 .group = "generic",
                                 .summary = "Get the time since a Redis object was last accessed",
                                 .since = "2.2.3",
                                 .complexity = "O(1)"});
  table.AddSubcommand("object", {.name = "freq",
                                 .arity = 3,
                                 .flags = kCmdReadonly,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdObjectFreq,
                                 .group = "generic",
                                 .summary = "Get the logarithmic access frequency counter of a "
                                            "Redis object",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("object", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdObjectHelp,
                                 .group = "generic",
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "6.2.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
