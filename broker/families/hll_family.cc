// HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST (Redis 7.0's hyperloglog.c).
//
// Values are strings in Redis's representation (broker/keyspace/hyperloglog.h), so GET, DUMP
// and RESTORE carry them between Drayman and redis-server. As in Redis, PFCOUNT of one key
// stores the cardinality it computed in the value's header: that is a write (WATCH sees it, it
// is propagated and counted as a change) although the command is flagged read-only, and its
// lookup saves the key ahead of a running snapshot like a write lookup. A command that writes a
// HyperLogLog leaves the string "raw" (Redis unshares it first).
#include <cstring>
#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/keyspace/hyperloglog.h"

namespace drayman {

namespace {

int64_t SparseMaxBytes(const CommandContext& ctx) {
  return ctx.engine.settings().hll_sparse_max_bytes;
}

// The part of `text` before its first NUL (Redis prints the subcommand as a C string).
std::string_view CString(std::string_view text) { return text.substr(0, text.find('\0')); }

void MarkRaw(CommandContext& ctx, std::string_view key) {
  if (Entry* entry = ctx.db.FindNoTouch(key)) entry->value.set_string_encoding(StringEncoding::kRaw);
}

// PFADD key [element [element ...]]
void CmdPfadd(CommandContext& ctx) {
  const std::string& key = ctx.args[1];
  std::string* value = nullptr;
  if (!ctx.LookupWrite(key, &value)) return;
  int64_t updated = 0;
  if (value == nullptr) {
    value = &ctx.db.Add(key, Value(hll::CreateEmpty(), StringEncoding::kRaw)).value.str();
    ++updated;
  } else {
    if (!hll::IsValid(*value)) {
      ctx.reply.Error(errors::kNotHll);
      return;
    }
    MarkRaw(ctx, key);
  }
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    const int result = hll::Add(*value, ctx.args[j], SparseMaxBytes(ctx));
    if (result < 0) {
      ctx.reply.Error(errors::kCorruptedHll);
      return;
    }
    updated += result;
  }
  if (updated > 0) {
    NotifyKeyspaceEvent(ctx, kNotifyString, "pfadd", key);
    ctx.AddDirty(updated);
    hll::InvalidateCache(*value);
  }
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// PFCOUNT key [key ...]
void CmdPfcount(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    // The cardinality of the union; nothing is cached.
    uint8_t max[hll::kRegisters] = {0};
    for (size_t j = 1; j < ctx.args.size(); ++j) {
      std::string* value = nullptr;
      if (!ctx.LookupRead(ctx.args[j], &value)) return;
      if (value == nullptr) continue;
      if (!hll::IsValid(*value)) {
        ctx.reply.Error(errors::kNotHll);
        return;
      }
      if (!hll::MergeInto(max, *value)) {
        ctx.reply.Error(errors::kCorruptedHll);
        return;
      }
    }
    ctx.reply.Integer(static_cast<int64_t>(hll::CountRegisters(max)));
    return;
  }
  const std::string& key = ctx.args[1];
  // The cache may be written: look up as a write would, so a running snapshot saves the key first.
  const bool read_only = ctx.keyspace.read_only_command();
  ctx.keyspace.set_read_only_command(false);
  std::string* value = nullptr;
  const bool ok = ctx.LookupRead(key, &value);
  ctx.keyspace.set_read_only_command(read_only);
  if (!ok) return;
  if (value == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (!hll::IsValid(*value)) {
    ctx.reply.Error(errors::kNotHll);
    return;
  }
  MarkRaw(ctx, key);
  uint64_t cardinality = 0;
  if (!hll::CachedCardinality(*value, &cardinality)) {
    bool invalid = false;
    cardinality = hll::Count(*value, &invalid);
    if (invalid) {
      ctx.reply.Error(errors::kCorruptedHll);
      return;
    }
    hll::SetCachedCardinality(*value, cardinality);
    // Redis counts and propagates the cache update, and it invalidates WATCH.
    ctx.db.SignalModified(key);
    ctx.AddDirty();
    ctx.ForcePropagation();
  }
  ctx.reply.Integer(static_cast<int64_t>(cardinality));
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
void CmdPfmerge(CommandContext& ctx) {
  uint8_t max[hll::kRegisters] = {0};
  bool use_dense = false;
  // The destination is a source too (args[1]), which also checks its type.
  for (size_t j = 1; j < ctx.args.size(); ++j) {
    std::string* value = nullptr;
    if (!ctx.LookupRead(ctx.args[j], &value)) return;
    if (value == nullptr) continue;
    if (!hll::IsValid(*value)) {
      ctx.reply.Error(errors::kNotHll);
      return;
    }
    if (hll::Encoding(*value) == hll::kDense) use_dense = true;
    if (!hll::MergeInto(max, *value)) {
      ctx.reply.Error(errors::kCorruptedHll);
      return;
    }
  }
  const std::string& key = ctx.args[1];
  std::string* target = nullptr;
  if (!ctx.LookupWrite(key, &target)) return;
  if (target == nullptr) {
    target = &ctx.db.Add(key, Value(hll::CreateEmpty(), StringEncoding::kRaw)).value.str();
  } else {
    MarkRaw(ctx, key);
  }
  if (use_dense && !hll::SparseToDense(*target)) {
    ctx.reply.Error(errors::kCorruptedHll);
    return;
  }
  for (int j = 0; j < hll::kRegisters; ++j) {
    if (max[j] != 0) hll::SetRegister(*target, j, max[j], SparseMaxBytes(ctx));
  }
  hll::InvalidateCache(*target);
  // Redis announces a merge as a PFADD (a mass add of elements).
  NotifyKeyspaceEvent(ctx, kNotifyString, "pfadd", key);
  ctx.AddDirty();
  ctx.reply.Ok();
}

// PFDEBUG <GETREG|DECODE|ENCODING|TODENSE> key
void CmdPfdebug(CommandContext& ctx) {
  const std::string& subcommand = ctx.args[1];
  const std::string& key = ctx.args[2];
  std::string* value = nullptr;
  if (!ctx.LookupWrite(key, &value)) return;
  if (value == nullptr) {
    ctx.reply.Error(errors::kPfdebugNoKey);
    return;
  }
  if (!hll::IsValid(*value)) {
    ctx.reply.Error(errors::kNotHll);
    return;
  }
  MarkRaw(ctx, key);
  if (EqualsIgnoreCase(subcommand, "getreg")) {
    if (hll::Encoding(*value) == hll::kSparse) {
      if (!hll::SparseToDense(*value)) {
        ctx.reply.Error(errors::kCorruptedHll);
        return;
      }
      ctx.AddDirty();  // propagate the encoding change, as Redis does
    }
    ctx.reply.ArrayHeader(hll::kRegisters);
    for (int j = 0; j < hll::kRegisters; ++j) ctx.reply.Integer(hll::DenseRegister(*value, j));
  } else if (EqualsIgnoreCase(subcommand, "decode")) {
    if (hll::Encoding(*value) != hll::kSparse) {
      ctx.reply.Error(errors::kPfdebugNotSparse);
      return;
    }
    ctx.reply.Bulk(hll::DecodeSparse(*value));
  } else if (EqualsIgnoreCase(subcommand, "encoding")) {
    ctx.reply.SimpleString(hll::Encoding(*value) == hll::kDense ? "dense" : "sparse");
  } else if (EqualsIgnoreCase(subcommand, "todense")) {
    bool converted = false;
    if (hll::Encoding(*value) == hll::kSparse) {
      if (!hll::SparseToDense(*value)) {
        ctx.reply.Error(errors::kCorruptedHll);
        return;
      }
      converted = true;
      ctx.AddDirty();
    }
    ctx.reply.Integer(converted ? 1 : 0);
  } else {
    ctx.reply.Error(errors::UnknownPfdebugSubcommand(CString(subcommand)));
  }
}

// PFSELFTEST
void CmdPfselftest(CommandContext& ctx) {
  const std::string failure =
      hll::SelfTest(static_cast<uint64_t>(ctx.now_ms), SparseMaxBytes(ctx));
  if (failure.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(errors::Err(failure));
  }
}

}  // namespace

void RegisterHllFamily(CommandTable& table) {
  table.Add({.name = "pfadd",
             .arity = -2,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdPfadd,
             .group = "hyperloglog",
             .summary = "Adds the specified elements to the specified HyperLogLog.",
             .since = "2.8.9",
             .complexity = "O(1) to add every element."});
  table.Add({.name = "pfcount",
             .arity = -2,
             .flags = kCmdReadonly | kCmdMayReplicate,  // it may write the cached cardinality
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdPfcount,
             .group = "hyperloglog",
             .summary = "Return the approximated cardinality of the set(s) observed by the "
                        "HyperLogLog at key(s).",
             .since = "2.8.9",
             .complexity = "O(1) with a very small average constant time when called with a "
                           "single key. O(N) with N being the number of keys, and much bigger "
                           "constant times, when called with multiple keys."});
  table.Add({.name = "pfmerge",
             .arity = -2,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdPfmerge,
             .group = "hyperloglog",
             .summary = "Merge N different HyperLogLogs into a single one.",
             .since = "2.8.9",
             .complexity = "O(N) to merge N HyperLogLogs, but with high constant times."});
  table.Add({.name = "pfdebug",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdAdmin,
             .first_key = 2,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdPfdebug,
             .group = "hyperloglog",
             .summary = "Internal commands for debugging HyperLogLog values",
             .since = "2.8.9",
             .complexity = "N/A"});
  table.Add({.name = "pfselftest",
             .arity = 1,
             .flags = kCmdAdmin,
             .handler = CmdPfselftest,
             .group = "hyperloglog",
             .summary = "An internal command for testing HyperLogLog values",
             .since = "2.8.9",
             .complexity = "N/A"});
}

}  // namespace drayman
