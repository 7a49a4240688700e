#include "broker/stats/memory_accounting.h"

#include <malloc.h>

#include <atomic>

namespace drayman {

namespace {

// glibc's chunk header that malloc_usable_size does not include (SIZE_SZ).
constexpr uint64_t kChunkHeaderBytes = sizeof(size_t);

// Signed: a free of memory allocated before counting started must not wrap the total.
std::atomic<int64_t> counted_bytes{0};
std::atomic<bool> active{false};

}  // namespace

bool counting_active() { return active.load(std::memory_order_relaxed); }

uint64_t CountedBytes() {
  const int64_t bytes = counted_bytes.load(std::memory_order_relaxed);
  return bytes > 0 ? static_cast<uint64_t>(bytes) : 0;
}

void CountAllocation(void* ptr) {
  if (ptr == nullptr) return;
  counted_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(ptr) + kChunkHeaderBytes),
                          std::memory_order_relaxed);
}

void CountFree(void* ptr) {
  if (ptr == nullptr) return;
  counted_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(ptr) + kChunkHeaderBytes),
                          std::memory_order_relaxed);
}

void MarkCountingActive() { active.store(true, std::memory_order_relaxed); }

}  // namespace drayman
