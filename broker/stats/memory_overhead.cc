#include "broker/stats/memory_overhead.h"

#include <algorithm>

#include "broker/engine.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/process_stats.h"

namespace drayman {

namespace {

// Redis divides floats: (float)a / b.
float Ratio(uint64_t numerator, uint64_t denominator) {
  return static_cast<float>(numerator) / static_cast<float>(denominator);
}

int64_t Difference(uint64_t a, uint64_t b) {
  return static_cast<int64_t>(a) - static_cast<int64_t>(b);
}

}  // namespace

MemoryOverhead MemoryOverhead::Collect(Engine& engine, bool walk_allocator) {
  MemoryOverhead mh;
  EngineStats& stats = engine.stats();
  const uint64_t used = UsedMemoryBytes();
  stats.used_memory_peak = std::max(stats.used_memory_peak, used);
  mh.total_allocated = used;
  mh.startup_allocated = stats.used_memory_startup;
  mh.peak_allocated = stats.used_memory_peak;

  // The allocator's view, with Redis's fallbacks for figures an allocator does not give.
  const AllocatorFigures allocator = walk_allocator ? GlibcAllocatorFigures() : AllocatorFigures{};
  mh.process_rss = ResidentMemoryBytes();
  mh.allocator_allocated = allocator.allocated ? allocator.allocated : used;
  mh.allocator_active = allocator.active ? allocator.active : mh.process_rss;
  // glibc cannot tell which of its pages are resident; no more than the process's can be.
  mh.allocator_resident = std::min(mh.allocator_active, mh.process_rss);
  if (mh.allocator_resident == 0) mh.allocator_resident = mh.process_rss;
  mh.total_frag = Ratio(mh.process_rss, used);
  mh.total_frag_bytes = Difference(mh.process_rss, used);
  mh.allocator_frag = Ratio(mh.allocator_active, mh.allocator_allocated);
  mh.allocator_frag_bytes = Difference(mh.allocator_active, mh.allocator_allocated);
  mh.allocator_rss = Ratio(mh.allocator_resident, mh.allocator_active);
  mh.allocator_rss_bytes = Difference(mh.allocator_resident, mh.allocator_active);
  mh.rss_extra = Ratio(mh.process_rss, mh.allocator_resident);
  mh.rss_extra_bytes = Difference(mh.process_rss, mh.allocator_resident);

  uint64_t total = mh.startup_allocated;
  for (const auto& [id, client] : engine.clients()) {
    if (client->is_script_client) continue;
    mh.clients_normal += sizeof(Client) + client->output().capacity() +
                         client->parser().buffered_bytes() + client->output_in_flight;
  }
  total += mh.clients_normal;
  const PersistenceStatus& persistence = engine.persistence();
  if (persistence.aof_enabled) mh.aof_buffer = persistence.aof_buffer_length;
  total += mh.aof_buffer;

  ScriptEngine& scripts = engine.scripts();
  const FunctionLibrary& functions = scripts.functions();
  mh.cached_scripts = scripts.cached_scripts();
  mh.lua_caches = static_cast<uint64_t>(std::max<int64_t>(scripts.scripts_memory_bytes(), 0));
  mh.functions = functions.function_count();
  mh.libraries = functions.libraries().size();
  // The libraries' code plus their index entries (a map node per library and per function).
  mh.functions_caches = sizeof(FunctionLibrary) +
                        static_cast<uint64_t>(std::max<int64_t>(functions.code_bytes(), 0)) +
                        (mh.functions + mh.libraries) * 64;
  mh.lua_vm_eval = static_cast<uint64_t>(std::max<int64_t>(scripts.lua_memory_bytes(), 0));
  mh.lua_vm_functions =
      static_cast<uint64_t>(std::max<int64_t>(scripts.function_lua_memory_bytes(), 0));
  total += mh.lua_caches + mh.functions_caches;

  Keyspace& keyspace = engine.keyspace();
  for (int i = 0; i < keyspace.database_count(); ++i) {
    const Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    Db entry{.index = i,
             .keys = db.size(),
             .overhead_ht_main = db.KeyTableOverheadBytes(),
             .overhead_ht_expires = db.ExpiresOverheadBytes()};
    mh.total_keys += entry.keys;
    total += entry.overhead_ht_main + entry.overhead_ht_expires;
    mh.dbs.push_back(entry);
  }

  mh.overhead_total = total;
  mh.dataset = used > total ? used - total : 0;
  mh.peak_perc = static_cast<float>(used) * 100 / static_cast<float>(mh.peak_allocated);
  const uint64_t net_usage = used > mh.startup_allocated ? used - mh.startup_allocated : 1;
  mh.dataset_perc = static_cast<float>(mh.dataset) * 100 / static_cast<float>(net_usage);
  mh.bytes_per_key = mh.total_keys ? net_usage / mh.total_keys : 0;
  return mh;
}

std::string MemoryDoctorReport(const MemoryOverhead& mh, uint64_t clients) {
  bool empty = false, big_peak = false, high_frag = false, high_alloc_frag = false;
  bool high_alloc_rss = false, high_proc_rss = false, big_client_buf = false;
  bool many_scripts = false;
  int reports = 0;
  constexpr int64_t kTenMegabytes = 10 << 20;
  if (mh.total_allocated < 1024 * 1024 * 5) {
    empty = true;
    ++reports;
  } else {
    if (Ratio(mh.peak_allocated, mh.total_allocated) > 1.5) {
      big_peak = true;
      ++reports;
    }
    if (mh.total_frag > 1.4 && mh.total_frag_bytes > kTenMegabytes) {
      high_frag = true;
      ++reports;
    }
    if (mh.allocator_frag > 1.1 && mh.allocator_frag_bytes > kTenMegabytes) {
      high_alloc_frag = true;
      ++reports;
    }
    if (mh.allocator_rss > 1.1 && mh.allocator_rss_bytes > kTenMegabytes) {
      high_alloc_rss = true;
      ++reports;
    }
    if (mh.rss_extra > 1.1 && mh.rss_extra_bytes > kTenMegabytes) {
      high_proc_rss = true;
      ++reports;
    }
    if (clients > 0 && mh.clients_normal / clients > 1024 * 200) {
      big_client_buf = true;
      ++reports;
    }
    if (mh.cached_scripts > 1000) {
      many_scripts = true;
      ++reports;
    }
  }
  if (reports == 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, so "
         "you can expect to see a big fragmentation ratio, however this is actually harmless and "
         "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
         "currently bigger than expected, the memory will be used as soon as you fill the Redis "
         "instance with more data. If the memory peak was only occasional and you want to try to "
         "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
         "to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    // ZMALLOC_LIB of a build without jemalloc.
    s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
         "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
         "than the sum of the logical allocations Redis performed). This problem is usually due "
         "either to a large peak memory (check if there is a peak memory entry above in the "
         "report) or may result from a workload that causes the allocator to fragment memory a "
         "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
         "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
         "currently used allocator is \"libc\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external fragmentation "
         "greater than 1.1. This problem is usually due either to a large peak memory (check if "
         "there is a peak memory entry above in the report) or may result from a workload that "
         "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
         "config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
         "the sum what the allocator actually holds). This problem is usually due to a large peak "
         "memory (check if there is a peak memory entry above in the report), you can try the "
         "MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles "
         "on the Redis instance output buffer, or clients sending commands with large replies or "
         "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
         "command in order to investigate the issue if it causes problems in your instance, or "
         "to understand better why certain clients are using a big amount of memory.\n\n";
  }
  if (many_scripts) {
    s += " * Many scripts: There seem to be many cached scripts in this instance (more than "
         "1000). This may be because scripts are generated and `EVAL`ed, instead of being "
         "parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT "
         "FLUSH` is called periodically, the scripts' caches may end up consuming most of your "
         "memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

}  // namespace drayman
