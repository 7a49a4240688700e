// Process statistics for INFO: memory and CPU from the operating system, and Redis-style
// instantaneous rates.
//
// Contract: the memory functions read real sources (the counting allocator, or glibc's mallinfo2,
// for bytes handed out by the allocator, /proc/self/statm for the resident set, sysconf for the machine's memory); they cost a
// few microseconds and may be called from INFO and from the periodic cron. RateSampler keeps the
// last 16 per-second rates of a growing counter, sampled every 100 ms or more, as Redis's
// trackInstantaneousMetric does; Average() is what INFO reports as instantaneous_*.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace drayman {

// Bytes currently allocated (INFO used_memory, maxmemory): the counting allocator's total when it
// is linked (broker/stats/memory_accounting.h, one atomic load); otherwise glibc's mallinfo2 in-use
// bytes, or the resident set size when the allocator does not report (sanitizer builds).
uint64_t UsedMemoryBytes();
// Resident set size of the process.
uint64_t ResidentMemoryBytes();
// Physical memory of the machine.
uint64_t TotalSystemMemoryBytes();
// The allocator's own view (glibc's mallinfo2): bytes handed out, and bytes it holds from the
// kernel (its arenas and mmapped chunks, free chunks included). Walks the free lists: INFO and
// MEMORY STATS only, never per command.
struct AllocatorFigures {
  uint64_t allocated = 0;
  uint64_t active = 0;
};
AllocatorFigures GlibcAllocatorFigures();
// Transparent huge pages the process holds (AnonHugePages of /proc/self/smaps_rollup), bytes.
uint64_t AnonHugePagesBytes();
// Redis's bytesToHuman: "512B", "1.25K", "3.00M", "23.54G".
std::string BytesToHuman(uint64_t bytes);

struct CpuTimes {
  int64_t user_us = 0;
  int64_t sys_us = 0;
};
// INFO cpu's "%ld.%06ld" seconds.
std::string FormatCpuSeconds(int64_t micros);
CpuTimes ProcessCpuTimes();
CpuTimes ChildrenCpuTimes();
CpuTimes ThreadCpuTimes();  // the calling thread (the engine's loop thread)

class RateSampler {
 public:
  static constexpr int kSamples = 16;
  static constexpr int64_t kMinIntervalMs = 100;

  // Records the rate of `value` since the previous sample (ignored if called too soon).
  void Sample(int64_t now_ms, uint64_t value);
  // Mean of the recorded per-second rates.
  double Average() const;
  void Reset() { *this = RateSampler(); }

 private:
  int64_t last_ms_ = 0;
  uint64_t last_value_ = 0;
  bool started_ = false;
  std::array<double, kSamples> samples_{};
  int next_ = 0;
};

}  // namespace drayman
