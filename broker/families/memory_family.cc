// Memory family: MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP.
//
// Replies follow Debian's redis-server 7.0.15 in shape and text. The figures are Drayman's own,
// from broker/stats/memory_overhead.h (the counting allocator, glibc's mallinfo2, /proc, the
// clients, Lua and each database's tables), under Redis's field names and order. Drayman runs on
// glibc's malloc, so MALLOC-STATS gives Redis's answer for a build without jemalloc, and PURGE
// hands free heap pages back to the kernel with malloc_trim (jemalloc's arena purge in Redis).

#include <malloc.h>

#include <string>
#include <string_view>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/stats/memory_overhead.h"

namespace drayman {

namespace {

constexpr std::string_view kMallocStatsUnsupported =
    "Stats not supported for the current allocator";

// MEMORY HELP, as redis-server 7.0.15 prints it (ReplyHelp adds the first line and HELP).
constexpr std::string_view kMemoryHelp[] = {
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
};

// MEMORY USAGE key [SAMPLES count]
void CmdMemoryUsage(CommandContext& ctx) {
  const auto& args = ctx.args;
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsIgnoreCase(args[j], "samples") && j + 1 < args.size()) {
      // Sizes here are exact, so the sample count only needs validating.
      int64_t samples = 0;
      if (!ParseInt64(args[++j], &samples)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (samples < 0) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  // Like Redis, a plain table lookup: no expiry check, no access recorded.
  const std::string& key = args[2];
  const Entry* entry = ctx.db.Peek(key);
  if (entry == nullptr) {
    ctx.reply.Null();
    return;
  }
  // The table node (chain link, entry, the key's bytes), the value's heap bytes, and the expiry
  // index slot when the key has a deadline.
  size_t bytes = ScanDict<Entry>::NodeBytes(key.size()) + entry->value.MemoryUsage() - sizeof(Value);
  if (entry->expire_at_ms != kNoExpiry) bytes += Database::kExpirySlotBytes;
  ctx.reply.Integer(static_cast<int64_t>(bytes));
}

// MEMORY MALLOC-STATS
void CmdMemoryMallocStats(CommandContext& ctx) {
  // Redis's answer when built without jemalloc; Drayman uses the C library's allocator.
  ctx.reply.Bulk(kMallocStatsUnsupported);
}

// MEMORY PURGE
void CmdMemoryPurge(CommandContext& ctx) {
  // glibc's counterpart of jemalloc's arena purge: return free heap pages to the system.
  malloc_trim(0);
  ctx.reply.Ok();
}

// MEMORY STATS
void CmdMemoryStats(CommandContext& ctx) {
  const MemoryOverhead mh = MemoryOverhead::Collect(ctx.engine, /*walk_allocator=*/true);
  ReplyBuilder& reply = ctx.reply;
  auto integer = [&](std::string_view name, int64_t value) {
    reply.Bulk(name);
    reply.Integer(value);
  };
  auto real = [&](std::string_view name, float value) {
    reply.Bulk(name);
    reply.Double(value);
  };
  auto bytes = [](uint64_t value) { return static_cast<int64_t>(value); };
  reply.MapHeader(27 + mh.dbs.size());
  integer("peak.allocated", bytes(mh.peak_allocated));
  integer("total.allocated", bytes(mh.total_allocated));
  integer("startup.allocated", bytes(mh.startup_allocated));
  integer("replication.backlog", bytes(mh.repl_backlog));
  integer("clients.slaves", bytes(mh.clients_slaves));
  integer("clients.normal", bytes(mh.clients_normal));
  integer("cluster.links", bytes(mh.cluster_links));
  integer("aof.buffer", bytes(mh.aof_buffer));
  integer("lua.caches", bytes(mh.lua_caches));
  integer("functions.caches", bytes(mh.functions_caches));
  for (const MemoryOverhead::Db& db : mh.dbs) {
    reply.Bulk("db." + std::to_string(db.index));
    reply.MapHeader(3);
    integer("overhead.hashtable.main", bytes(db.overhead_ht_main));
    integer("overhead.hashtable.expires", bytes(db.overhead_ht_expires));
    integer("overhead.hashtable.slot-to-keys", 0);  // no cluster
  }
  integer("overhead.total", bytes(mh.overhead_total));
  integer("keys.count", bytes(mh.total_keys));
  integer("keys.bytes-per-key", bytes(mh.bytes_per_key));
  integer("dataset.bytes", bytes(mh.dataset));
  real("dataset.percentage", mh.dataset_perc);
  real("peak.percentage", mh.peak_perc);
  integer("allocator.allocated", bytes(mh.allocator_allocated));
  integer("allocator.active", bytes(mh.allocator_active));
  integer("allocator.resident", bytes(mh.allocator_resident));
  real("allocator-fragmentation.ratio", mh.allocator_frag);
  integer("allocator-fragmentation.bytes", mh.allocator_frag_bytes);
  real("allocator-rss.ratio", mh.allocator_rss);
  integer("allocator-rss.bytes", mh.allocator_rss_bytes);
  real("rss-overhead.ratio", mh.rss_extra);
  integer("rss-overhead.bytes", mh.rss_extra_bytes);
  // The total RSS overhead, fragmentation included (Redis keeps the name for compatibility).
  real("fragmentation", mh.total_frag);
  integer("fragmentation.bytes", mh.total_frag_bytes);
}

// MEMORY DOCTOR
void CmdMemoryDoctor(CommandContext& ctx) {
  uint64_t clients = 0;
  for (const auto& [id, client] : ctx.engine.clients()) {
    if (!client->is_script_client) ++clients;
  }
  ctx.reply.Verbatim("txt", MemoryDoctorReport(MemoryOverhead::Collect(ctx.engine, /*walk_allocator=*/true), clients));
}

// MEMORY HELP
void CmdMemoryHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "MEMORY", kMemoryHelp); }

}  // namespace

void RegisterMemoryFamily(CommandTable& table) {
  table.Add({.name = "memory",
             .arity = -2,
             .group = "server",
             .summary = "A container for memory diagnostics commands",
             .since = "4.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("memory", {.name = "usage",
                                 .arity = -3,
                                 .flags = kCmdReadonly,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdMemoryUsage,
                                 .group = "server",
                                 .summary = "Estimate the memory usage of a key",
                                 .since = "4.0.0",
                                 .complexity = "O(N) where N is the number of samples."});
  table.AddSubcommand("memory", {.name = "stats",
                                 .arity = 2,
                                 .handler = CmdMemoryStats,
                                 .group = "server",
                                 .summary = "Show memory usage details",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("memory", {.name = "doctor",
                                 .arity = 2,
                                 .handler = CmdMemoryDoctor,
                                 .group = "server",
                                 .summary = "Outputs memory problems report",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("memory",
                      {.name = "malloc-stats",
                       .arity = 2,
                       .handler = CmdMemoryMallocStats,
                       .group = "server",
                       .summary = "Show allocator internal stats",
                       .since = "4.0.0",
                       .complexity = "Depends on how much memory is allocated, could be slow"});
  table.AddSubcommand("memory",
                      {.name = "purge",
                       .arity = 2,
                       .handler = CmdMemoryPurge,
                       .group = "server",
                       .summary = "Ask the allocator to release memory",
                       .since = "4.0.0",
                       .complexity = "Depends on how much memory is allocated, could be slow"});
  table.AddSubcommand("memory", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdMemoryHelp,
                                 .group = "server",
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
