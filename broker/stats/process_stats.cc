#include "broker/stats/process_stats.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "broker/stats/memory_accounting.h"

namespace drayman {

uint64_t UsedMemoryBytes() {
  if (counting_active()) return CountedBytes();
  struct mallinfo2 info = mallinfo2();
  const uint64_t allocated =
      static_cast<uint64_t>(info.uordblks) + static_cast<uint64_t>(info.hblkhd);
  // Under a sanitizer (or another allocator replacing glibc's) mallinfo2 knows nothing; the
  // resident set is then the best real figure.
  return allocated != 0 ? allocated : ResidentMemoryBytes();
}

AllocatorFigures GlibcAllocatorFigures() {
  struct mallinfo2 info = mallinfo2();
  AllocatorFigures figures;
  figures.allocated = static_cast<uint64_t>(info.uordblks) + static_cast<uint64_t>(info.hblkhd);
  figures.active = static_cast<uint64_t>(info.arena) + static_cast<uint64_t>(info.hblkhd);
  return figures;
}

uint64_t AnonHugePagesBytes() {
  std::FILE* file = std::fopen("/proc/self/smaps_rollup", "r");
  if (file == nullptr) return 0;
  char line[256];
  uint64_t bytes = 0;
  while (std::fgets(line, sizeof(line), file) != nullptr) {
    unsigned long long kilobytes = 0;
    if (std::sscanf(line, "AnonHugePages: %llu kB", &kilobytes) == 1) {
      bytes = static_cast<uint64_t>(kilobytes) * 1024;
      break;
    }
  }
  std::fclose(file);
  return bytes;
}

uint64_t ResidentMemoryBytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int read = std::fscanf(file, "%llu %llu", &size, &resident);
  std::fclose(file);
  if (read != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t TotalSystemMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
}

std::string BytesToHuman(uint64_t bytes) {
  char text[64];
  const double value = static_cast<double>(bytes);
  if (bytes < 1024) {
    std::snprintf(text, sizeof(text), "%lluB", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024ULL * 1024) {
    std::snprintf(text, sizeof(text), "%.2fK", value / 1024);
  } else if (bytes < 1024ULL * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fM", value / (1024.0 * 1024));
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fG", value / (1024.0 * 1024 * 1024));
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fT", value / (1024.0 * 1024 * 1024 * 1024));
  } else {
    std::snprintf(text, sizeof(text), "%.2fP", value / (1024.0 * 1024 * 1024 * 1024 * 1024));
  }
  return text;
}

namespace {

CpuTimes Usage(int who) {
  struct rusage usage {};
  CpuTimes times;
  if (getrusage(who, &usage) != 0) return times;
  times.user_us = static_cast<int64_t>(usage.ru_utime.tv_sec) * 1000000 + usage.ru_utime.tv_usec;
  times.sys_us = static_cast<int64_t>(usage.ru_stime.tv_sec) * 1000000 + usage.ru_stime.tv_usec;
  return times;
}

}  // namespace

std::string FormatCpuSeconds(int64_t micros) {
  char text[48];
  std::snprintf(text, sizeof(text), "%lld.%06lld", static_cast<long long>(micros / 1000000),
                static_cast<long long>(micros % 1000000));
  return text;
}

CpuTimes ProcessCpuTimes() { return Usage(RUSAGE_SELF); }
CpuTimes ChildrenCpuTimes() { return Usage(RUSAGE_CHILDREN); }
CpuTimes ThreadCpuTimes() { return Usage(RUSAGE_THREAD); }

void RateSampler::Sample(int64_t now_ms, uint64_t value) {
  if (!started_) {
    started_ = true;
    last_ms_ = now_ms;
    last_value_ = value;
    return;
  }
  const int64_t elapsed_ms = now_ms - last_ms_;
  if (elapsed_ms < kMinIntervalMs) return;
  const uint64_t delta = value >= last_value_ ? value - last_value_ : 0;
  samples_[next_] = static_cast<double>(delta) * 1000.0 / static_cast<double>(elapsed_ms);
  next_ = (next_ + 1) % kSamples;
  last_ms_ = now_ms;
  last_value_ = value;
}

double RateSampler::Average() const {
  double sum = 0;
  for (double sample : samples_) sum += sample;
  return sum / kSamples;
}

}  // namespace drayman
