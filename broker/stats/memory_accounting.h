// Memory accounting: the bytes the process holds from the allocator, cheap enough to read before
// every command (maxmemory) and in INFO's used_memory.
//
// Contract: a binary that links server/counting_allocator.cc (drayman-server and the C++ test
// binaries, except under sanitizers) defines the malloc family itself, wrapping glibc's; every
// allocation and free in the process (operator new, Lua, list chunks, libraries) then adds or
// subtracts its glibc chunk size (malloc_usable_size + the 8-byte chunk header) to one relaxed
// atomic counter. CountedBytes() so tracks what glibc's mallinfo2 reports as in use (uordblks +
// hblkhd), allocator rounding and headers included, for one atomic add per allocation and one
// load per read. Without the counting allocator (the Python module, which must not replace the
// interpreter's malloc; sanitizer builds) counting_active() is false and callers fall back to
// mallinfo2 (broker/stats/process_stats.h), which walks the allocator's free lists.
#pragma once

#include <cstddef>
#include <cstdint>

namespace drayman {

// Whether the counting allocator is linked into this binary.
bool counting_active();
// Bytes in use through counted allocations (0 when counting is not active).
uint64_t CountedBytes();

// Chunk bookkeeping for the counting allocator. `ptr` was returned by
// malloc/realloc; null is ignored.
void CountAllocation(void* ptr);
void CountFree(void* ptr);
// Called once by the counting allocator's first allocation.
void MarkCountingActive();

}  // namespace drayman
