// MemoryOverhead: where the process's memory goes, as Redis 7.0's getMemoryOverheadData splits
// it, for MEMORY STATS, MEMORY DOCTOR and INFO memory.
//
// Contract: Collect reads the engine (on its thread) and the allocator once and fills every
// figure from real sources: used memory from the counting allocator (memory_accounting.h), the
// allocator's own view from glibc's mallinfo2 (bytes handed out, bytes it holds from the kernel)
// when `walk_allocator` is set, the resident set from /proc, clients' buffers, the append-only log's pending buffer, the Lua
// states and script caches, and each database's key table and expiry index. Figures Drayman has
// no machinery for (replication backlog, replica buffers, cluster links) are 0, as Redis reports
// them with that machinery off. Derived figures (dataset, percentages, ratios, bytes per key)
// follow object.c's arithmetic, including its float precision for the percentages and ratios.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drayman {

class Engine;

struct MemoryOverhead {
  struct Db {
    int index = 0;
    uint64_t keys = 0;
    uint64_t overhead_ht_main = 0;
    uint64_t overhead_ht_expires = 0;
  };
  uint64_t peak_allocated = 0;
  uint64_t total_allocated = 0;
  uint64_t startup_allocated = 0;
  uint64_t repl_backlog = 0;
  uint64_t clients_slaves = 0;
  uint64_t clients_normal = 0;
  uint64_t cluster_links = 0;
  uint64_t aof_buffer = 0;
  uint64_t lua_caches = 0;        // EVAL's script cache (Redis's evalScriptsMemory)
  uint64_t functions_caches = 0;  // the function libraries (functionsMemoryOverhead)
  std::vector<Db> dbs;            // databases holding keys
  uint64_t overhead_total = 0;
  uint64_t total_keys = 0;
  uint64_t bytes_per_key = 0;
  uint64_t dataset = 0;
  float dataset_perc = 0;
  float peak_perc = 0;
  // The allocator and the process.
  uint64_t allocator_allocated = 0;
  uint64_t allocator_active = 0;
  uint64_t allocator_resident = 0;
  uint64_t process_rss = 0;
  float allocator_frag = 0;
  int64_t allocator_frag_bytes = 0;
  float allocator_rss = 0;
  int64_t allocator_rss_bytes = 0;
  float rss_extra = 0;
  int64_t rss_extra_bytes = 0;
  float total_frag = 0;
  int64_t total_frag_bytes = 0;
  // Lua (INFO's used_memory_vm_*, number_of_*).
  uint64_t lua_vm_eval = 0;
  uint64_t lua_vm_functions = 0;
  uint64_t cached_scripts = 0;
  uint64_t functions = 0;
  uint64_t libraries = 0;

  // mallinfo2 walks every free chunk of every arena: 10 ms on the loop with 500,000 free chunks
  // (measured after deleting half of 1,000,000 keys). So only MEMORY STATS and MEMORY DOCTOR
  // ask it (walk_allocator); INFO and /metrics, which monitoring polls, take the allocator's
  // figures as used memory (handed out) and the resident set (held), Redis's own fallbacks.
  static MemoryOverhead Collect(Engine& engine, bool walk_allocator = false);
};

// MEMORY DOCTOR's report (object.c's getMemoryDoctorReport), from the figures and the number of
// normal clients.
std::string MemoryDoctorReport(const MemoryOverhead& overhead, uint64_t clients);

}  // namespace drayman
