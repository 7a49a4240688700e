// Hash family: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HEXISTS, HGETALL, HLEN, HKEYS, HVALS,
// HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN. (HSCAN NOVALUES arrived in Redis 7.4; 7.0
// answers it with a syntax error, and so do we.)
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/families/container_ops.h"
#include "broker/families/families.h"
#include "broker/families/random_sample.h"
#include "broker/families/scan.h"

namespace drayman {

namespace {

// HSET key field value [field value ...]
void CmdHset(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  Hash* hash = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &hash)) return;
  int64_t created = 0;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    if (hash->Set(ctx.args[i], ctx.args[i + 1])) ++created;
  }
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", ctx.args[1]);
  // Redis counts every pair as a change, even an identical overwrite.
  ctx.AddDirty(static_cast<int64_t>(ctx.args.size() - 2) / 2);
  ctx.reply.Integer(created);
}

// HMSET key field value [field value ...]
void CmdHmset(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  Hash* hash = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &hash)) return;
  for (size_t i = 2; i < ctx.args.size(); i += 2) hash->Set(ctx.args[i], ctx.args[i + 1]);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", ctx.args[1]);
  ctx.AddDirty(static_cast<int64_t>(ctx.args.size() - 2) / 2);
  ctx.reply.Ok();
}

// HSETNX key field value
void CmdHsetnx(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &hash)) return;
  if (hash->Find(ctx.args[2]) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  hash->Set(ctx.args[2], ctx.args[3]);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", ctx.args[1]);
  ctx.AddDirty();
  ctx.reply.Integer(1);
}

// HGET key field
void CmdHget(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  const std::string* value = hash ? hash->Find(ctx.args[2]) : nullptr;
  if (value == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(*value);
  }
}

// HMGET key field [field ...]
void CmdHmget(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const std::string* value = hash ? hash->Find(ctx.args[i]) : nullptr;
    if (value == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(*value);
    }
  }
}

// HDEL key field [field ...]
void CmdHdel(CommandContext& ctx) { RemoveMembersGeneric(ctx, &Hash::Erase, kNotifyHash, "hdel"); }

// HEXISTS key field
void CmdHexists(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  ctx.reply.Integer(hash != nullptr && hash->Find(ctx.args[2]) != nullptr ? 1 : 0);
}

// HLEN key
void CmdHlen(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  ctx.reply.Integer(hash ? static_cast<int64_t>(hash->size()) : 0);
}

// HSTRLEN key field
void CmdHstrlen(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  const std::string* value = hash ? hash->Find(ctx.args[2]) : nullptr;
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

// HGETALL key
void CmdHgetall(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  if (hash == nullptr) {
    ctx.reply.MapHeader(0);
    return;
  }
  ctx.reply.MapHeader(hash->size());
  hash->ForEach([&](std::string_view field, std::string_view value) {
    ctx.reply.Bulk(field);
    ctx.reply.Bulk(value);
  });
}

// HKEYS key
void CmdHkeys(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  ctx.reply.ArrayHeader(hash ? hash->size() : 0);
  if (hash) hash->ForEach([&](std::string_view field, std::string_view) { ctx.reply.Bulk(field); });
}

// HVALS key
void CmdHvals(CommandContext& ctx) {
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  ctx.reply.ArrayHeader(hash ? hash->size() : 0);
  if (hash) hash->ForEach([&](std::string_view, std::string_view value) { ctx.reply.Bulk(value); });
}

// HINCRBY key field increment
void CmdHincrby(CommandContext& ctx) {
  int64_t increment = 0;
  if (!ParseInt64(ctx.args[3], &increment)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Hash* hash = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &hash)) return;
  int64_t current = 0;
  if (const std::string* value = hash->Find(ctx.args[2])) {
    if (!ParseInt64(*value, &current)) {
      ctx.reply.Error(errors::kHashValueNotInteger);
      return;
    }
  }
  if (AddOverflows(current, increment)) {
    ctx.reply.Error(errors::kOverflow);
    return;
  }
  current += increment;
  hash->Set(ctx.args[2], FormatInt64(current));
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrby", ctx.args[1]);
  ctx.AddDirty();
  ctx.reply.Integer(current);
}

// HINCRBYFLOAT key field increment
void CmdHincrbyfloat(CommandContext& ctx) {
  long double increment = 0;
  if (!ParseLongDouble(ctx.args[3], &increment)) {
    ctx.reply.Error(errors::kNotFloat);
    return;
  }
  if (std::isnan(increment) || std::isinf(increment)) {
    ctx.reply.Error(errors::kIncrNanOrInfinity);
    return;
  }
  Hash* hash = nullptr;
  if (!ctx.LookupOrCreate(ctx.args[1], &hash)) return;
  long double current = 0;
  if (const std::string* value = hash->Find(ctx.args[2])) {
    if (!ParseLongDouble(*value, &current)) {
      ctx.reply.Error(errors::kHashValueNotFloat);
      return;
    }
  }
  current += increment;
  if (std::isnan(current) || std::isinf(current)) {
    ctx.reply.Error(errors::kNanOrInfinity);
    return;
  }
  std::string formatted = FormatLongDouble(current);
  hash->Set(ctx.args[2], formatted);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrbyfloat", ctx.args[1]);
  ctx.AddDirty();
  ctx.reply.Bulk(formatted);
  // The result replays exactly where the float addition might not (Redis 7.0: HSET).
  ctx.PropagateAs({"HSET", ctx.args[1], ctx.args[2], formatted});
}

void ReplyFieldAndValue(CommandContext& ctx, std::string_view field, std::string_view value,
                        bool with_values) {
  if (with_values && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(field);
  if (with_values) ctx.reply.Bulk(value);
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHrandfield(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    Hash* hash = nullptr;
    if (!ctx.LookupRead(ctx.args[1], &hash)) return;
    if (hash == nullptr) {
      ctx.reply.Null();
      return;
    }
    ctx.reply.Bulk(hash->Random(ctx.keyspace.rng()).first);
    return;
  }
  int64_t requested = 0;
  bool with_values = false;
  if (!ParseRandomCountArgs(ctx, "withvalues", &requested, &with_values)) return;
  Hash* hash = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &hash)) return;
  if (hash == nullptr || requested == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  auto& rng = ctx.keyspace.rng();
  // RESP2 flattens field/value pairs; RESP3 nests each pair in an array.
  const size_t per_entry = with_values && !ctx.reply.resp3() ? 2 : 1;
  if (requested < 0) {
    const size_t count = static_cast<size_t>(-requested);
    ctx.reply.ArrayHeader(count * per_entry);
    for (size_t i = 0; i < count; ++i) {
      auto [field, value] = hash->Random(rng);
      ReplyFieldAndValue(ctx, field, value, with_values);
    }
    return;
  }
  const size_t count = static_cast<size_t>(requested);
  const size_t size = hash->size();
  if (count >= size) {
    ctx.reply.ArrayHeader(size * per_entry);
    hash->ForEach([&](std::string_view field, std::string_view value) {
      ReplyFieldAndValue(ctx, field, value, with_values);
    });
    return;
  }
  using FieldValue = std::pair<std::string_view, std::string_view>;
  auto all = [&] {
    std::vector<FieldValue> entries;
    entries.reserve(size);
    hash->ForEach([&](std::string_view field, std::string_view value) {
      entries.emplace_back(field, value);
    });
    return entries;
  };
  ctx.reply.ArrayHeader(count * per_entry);
  for (const auto& [field, value] :
       SampleDistinct<FieldValue>(count, size, rng, all, [&] { return hash->Random(rng); })) {
    ReplyFieldAndValue(ctx, field, value, with_values);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHscan(CommandContext& ctx) {
  uint64_t cursor = 0;
  ScanOptions options;
  Hash* hash = BeginKeyScan<Hash>(ctx, &cursor, &options);
  if (hash == nullptr) return;
  // Redis counts fields and values against COUNT * 2 (and so bounds the walk at ten times that).
  std::vector<std::string> items;
  cursor = ScanWalk(cursor, static_cast<uint64_t>(options.count) * 2, items, [&](uint64_t at) {
    return hash->Scan(at, [&](std::string_view field, std::string_view value) {
      items.emplace_back(field);
      items.emplace_back(value);
    });
  });
  if (options.use_pattern) {
    size_t kept = 0;
    for (size_t i = 0; i < items.size(); i += 2) {
      if (!options.Matches(items[i])) continue;
      if (kept != i) {
        items[kept] = std::move(items[i]);
        items[kept + 1] = std::move(items[i + 1]);
      }
      kept += 2;
    }
    items.resize(kept);
  }
  ReplyScan(ctx.reply, cursor, items);
}

}  // namespace

void RegisterHashFamily(CommandTable& table) {
  table.Add({.name = "hset",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHset,
             .group = "hash",
             .summary = "Set the string value of a hash field",
             .since = "2.0.0",
             .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value "
                           "pairs when the command is called with multiple field/value pairs."});
  table.Add({.name = "hsetnx",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHsetnx,
             .group = "hash",
             .summary = "Set the value of a hash field, only if the field does not exist",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "hmset",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHmset,
             .group = "hash",
             .summary = "Set multiple hash fields to multiple values",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of fields being set."});
  table.Add({.name = "hget",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHget,
             .group = "hash",
             .summary = "Get the value of a hash field",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "hmget",
             .arity = -3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHmget,
             .group = "hash",
             .summary = "Get the values of all the given hash fields",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of fields being requested."});
  table.Add({.name = "hdel",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHdel,
             .group = "hash",
             .summary = "Delete one or more hash fields",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of fields to be removed."});
  table.Add({.name = "hexists",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHexists,
             .group = "hash",
             .summary = "Determine if a hash field exists",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "hgetall",
             .arity = 2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHgetall,
             .group = "hash",
             .summary = "Get all the fields and values in a hash",
             .since = "2.0.0",
             .complexity = "O(N) where N is the size of the hash."});
  table.Add({.name = "hlen",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHlen,
             .group = "hash",
             .summary = "Get the number of fields in a hash",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "hkeys",
             .arity = 2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHkeys,
             .group = "hash",
             .summary = "Get all the fields in a hash",
             .since = "2.0.0",
             .complexity = "O(N) where N is the size of the hash."});
  table.Add({.name = "hvals",
             .arity = 2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHvals,
             .group = "hash",
             .summary = "Get all the values in a hash",
             .since = "2.0.0",
             .complexity = "O(N) where N is the size of the hash."});
  table.Add({.name = "hincrby",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHincrby,
             .group = "hash",
             .summary = "Increment the integer value of a hash field by the given number",
             .since = "2.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "hincrbyfloat",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHincrbyfloat,
             .group = "hash",
             .summary = "Increment the float value of a hash field by the given amount",
             .since = "2.6.0",
             .complexity = "O(1)"});
  table.Add({.name = "hstrlen",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHstrlen,
             .group = "hash",
             .summary = "Get the length of the value of a hash field",
             .since = "3.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "hrandfield",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHrandfield,
             .group = "hash",
             .summary = "Get one or multiple random fields from a hash",
             .since = "6.2.0",
             .complexity = "O(N) where N is the number of fields returned"});
  table.Add({.name = "hscan",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdHscan,
             .group = "hash",
             .summary = "Incrementally iterate hash fields and associated values",
             .since = "2.8.0",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection.."});
}

}  // namespace drayman
