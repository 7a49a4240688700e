#include "broker/stats/process_stats.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <mutex>

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

namespace {

// /proc/self/statm, opened once and read again from offset 0 (the kernel regenerates it): one
// pread per INFO or /metrics scrape instead of fopen, fscanf and fclose (four system calls and a
// 4 KB stdio buffer). A forked child closes the parent's (its /proc/self was the parent).
std::atomic<int> statm_fd{-1};

void ForgetStatmInChild() {
  const int fd = statm_fd.exchange(-1);
  if (fd >= 0) close(fd);
}

int StatmFd() {
  int fd = statm_fd.load(std::memory_order_acquire);
  if (fd >= 0) return fd;
  static std::once_flag at_fork;
  std::call_once(at_fork, [] { pthread_atfork(nullptr, nullptr, ForgetStatmInChild); });
  const int opened = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (opened < 0) return -1;
  if (statm_fd.compare_exchange_strong(fd, opened)) return opened;
  close(opened);  // another thread opened it first
  return fd;
}

}  // namespace

uint64_t ResidentMemoryBytes() {
  const int fd = StatmFd();
  if (fd < 0) return 0;
  char text[256];
  const ssize_t length = pread(fd, text, sizeof(text), 0);
  if (length <= 0) return 0;
  // "size resident shared ...", in pages: the second number.
  const char* at = text;
  const char* const end = text + length;
  uint64_t numbers[2] = {0, 0};
  for (uint64_t& number : numbers) {
    while (at < end && *at == ' ') ++at;
    const auto [ptr, error] = std::from_chars(at, end, number);
    if (error != std::errc()) return 0;
    at = ptr;
  }
  static const uint64_t page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return numbers[1] * page_size;
}

uint64_t TotalSystemMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
}

std::string BytesToHuman(uint64_t bytes) {
  // "%lluB", else "%.2f" and the unit (std::to_chars with a precision prints what printf does).
  char text[64];
  char* const end = text + sizeof(text);
  if (bytes < 1024) {
    char* at = std::to_chars(text, end, bytes).ptr;
    *at++ = 'B';
    return std::string(text, at);
  }
  const double value = static_cast<double>(bytes);
  double scaled;
  char unit;
  if (bytes < 1024ULL * 1024) {
    scaled = value / 1024;
    unit = 'K';
  } else if (bytes < 1024ULL * 1024 * 1024) {
    scaled = value / (1024.0 * 1024);
    unit = 'M';
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024) {
    scaled = value / (1024.0 * 1024 * 1024);
    unit = 'G';
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024 * 1024) {
    scaled = value / (1024.0 * 1024 * 1024 * 1024);
    unit = 'T';
  } else {
    scaled = value / (1024.0 * 1024 * 1024 * 1024 * 1024);
    unit = 'P';
  }
  char* at = std::to_chars(text, end - 1, scaled, std::chars_format::fixed, 2).ptr;
  *at++ = unit;
  return std::string(text, at);
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
