// DUMP, RESTORE and SAVE: the RDB format at the command level (broker/persistence/).
#include <string>

#include "broker/base/errors.h"
#include "broker/base/numbers.h"
#include "broker/command/command_table.h"
#include "broker/command/context.h"
#include "broker/command/read_lookup.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/keyspace/lfu.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/persistence/rdb_file.h"

namespace drayman {
namespace {

// DUMP key
void CmdDump(CommandContext& ctx) {
  Entry* entry = ReadLookup(ctx, ctx.args[1]);
  if (entry == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(rdb::RdbDumpPayload(entry->value, ctx.engine.settings().rdbcompression));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void CmdRestore(CommandContext& ctx) {
  const auto& args = ctx.args;
  bool replace = false;
  bool absttl = false;
  int64_t idle = -1;
  int64_t freq = -1;
  for (size_t j = 4; j < args.size(); ++j) {
    const bool has_argument = j + 1 < args.size();
    if (EqualsIgnoreCase(args[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(args[j], "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(args[j], "idletime") && has_argument && freq == -1) {
      if (!ParseInt64(args[j + 1], &idle)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (idle < 0) {
        ctx.reply.Error(errors::kBadIdle);
        return;
      }
      ++j;
    } else if (EqualsIgnoreCase(args[j], "freq") && has_argument && idle == -1) {
      if (!ParseInt64(args[j + 1], &freq)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (freq < 0 || freq > 255) {
        ctx.reply.Error(errors::kBadFreq);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  const std::string& key = args[1];
  if (!replace && ctx.db.Find(key) != nullptr) {
    ctx.reply.Error(errors::kBusyKey);
    return;
  }
  int64_t ttl = 0;
  if (!ParseInt64(args[2], &ttl)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (ttl < 0) {
    ctx.reply.Error(errors::kBadTtl);
    return;
  }
  if (!rdb::RdbVerifyDumpPayload(args[3])) {
    ctx.reply.Error(errors::kBadDumpPayload);
    return;
  }
  Value value;
  std::string error;
  if (!rdb::RdbDecodeDumpPayload(args[3], &value, &error)) {
    ctx.reply.Error(errors::kBadDataFormat);
    return;
  }
  const bool deleted = replace && ctx.db.Delete(key);
  if (ttl > 0 && !absttl) ttl += ctx.now_ms;
  if (ttl > 0 && ttl <= ctx.now_ms) {
    // Already expired: the key is not created (an old one it replaces is gone).
    if (deleted) {
      ctx.AddDirty();
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    }
    ctx.reply.Ok();
    return;
  }
  Entry& entry = ctx.db.Add(key, std::move(value));
  if (ttl > 0) ctx.db.SetExpire(key, entry, ttl);
  // As Redis's objectSetLRUOrLFU: FREQ counts under an LFU policy, IDLETIME under any other.
  if (ctx.keyspace.lfu()) {
    if (freq >= 0) {
      entry.access_s = lfu::Pack(lfu::MinutesClock(ctx.now_ms), static_cast<uint8_t>(freq));
    }
  } else if (idle >= 0) {
    entry.access_s = ctx.keyspace.access_clock() - static_cast<uint32_t>(idle);
  }
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "restore", key);
  ctx.AddDirty();
  ctx.reply.Ok();
}

// SAVE
void CmdSave(CommandContext& ctx) {
  if (ctx.engine.background_save() != nullptr) {
    ctx.reply.Error(errors::kBgsaveInProgress);
    return;
  }
  ++ctx.engine.stats().rdb_saves;
  rdb::RdbSaveResult result = rdb::SaveRdbFile(ctx.engine);
  if (result.ok) {
    ctx.reply.Ok();
  } else {
    ctx.engine.stats().rdb_last_bgsave_ok = false;
    ctx.reply.Error(errors::kBareErr);
  }
}

}  // namespace

void RegisterDumpFamily(CommandTable& table) {
  table.Add({.name = "dump",
             .arity = 2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdDump,
             .group = "generic",
             .summary = "Return a serialized version of the value stored at the specified key.",
             .since = "2.6.0",
             .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N "
                           "is the number of Redis objects composing the value and M their "
                           "average size. For small string values the time complexity is thus "
                           "O(1)+O(1*M) where M is small, so simply O(1)."});
  table.Add({.name = "restore",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdRestore,
             .group = "generic",
             .summary = "Create a key using the provided serialized value, previously obtained "
                        "using DUMP.",
             .since = "2.6.0",
             .complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the "
                           "serialized value, where N is the number of Redis objects composing "
                           "the value and M their average size. For small string values the time "
                           "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). "
                           "However for sorted set values the complexity is O(N*M*log(N)) "
                           "because inserting values into sorted sets is O(log(N))."});
  // Cluster migration's RESTORE (sent by MIGRATE to a node importing the slot): RESTORE itself
  // without a cluster, as in Redis.
  table.Add({.name = "restore-asking",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdAsking,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdRestore,
             .group = "server",
             .summary = "An internal command for migrating keys in a cluster",
             .since = "3.0.0",
             .complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the "
                           "serialized value, where N is the number of Redis objects composing "
                           "the value and M their average size. For small string values the time "
                           "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). "
                           "However for sorted set values the complexity is O(N*M*log(N)) "
                           "because inserting values into sorted sets is O(log(N))."});
  table.Add({.name = "save",
             .arity = 1,
             .flags = kCmdAdmin | kCmdNoscript | kCmdNoMulti | kCmdNoAsyncLoading,
             .handler = CmdSave,
             .group = "server",
             .summary = "Synchronously save the dataset to disk",
             .since = "1.0.0",
             .complexity = "O(N) where N is the total number of keys in all databases"});
}

}  // namespace drayman
