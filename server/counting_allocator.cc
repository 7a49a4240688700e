// The counting allocator (broker/stats/memory_accounting.h): this executable's malloc family
// wraps glibc's own (__libc_malloc & co., exported for exactly this kind of interposition) and
// adds every chunk's size to the process counter. Because the executable defines malloc, every
// allocation in the process goes through it: operator new (libstdc++ calls malloc), Lua, the
// list chunks, Boost.Asio, OpenSSL, glibc itself. Linked into executables only (drayman-server,
// test binaries), never into a shared object, and not under sanitizers, which replace malloc.
#include <errno.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "broker/stats/memory_accounting.h"

extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* ptr);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace {

// Allocations made before this runs are counted too; the flag only tells readers to trust the
// counter.
const bool kMarkedActive = (drayman::MarkCountingActive(), true);

void* Counted(void* ptr) {
  drayman::CountAllocation(ptr);
  return ptr;
}

}  // namespace

extern "C" {

void* malloc(size_t size) { return Counted(__libc_malloc(size)); }

void free(void* ptr) {
  drayman::CountFree(ptr);
  __libc_free(ptr);
}

void* calloc(size_t count, size_t size) { return Counted(__libc_calloc(count, size)); }

void* realloc(void* ptr, size_t size) {
  if (ptr == nullptr) return malloc(size);
  if (size == 0) {
    free(ptr);
    return nullptr;
  }
  drayman::CountFree(ptr);
  void* moved = __libc_realloc(ptr, size);
  // A failed realloc keeps the old block, which is still allocated.
  drayman::CountAllocation(moved != nullptr ? moved : ptr);
  return moved;
}

void* memalign(size_t alignment, size_t size) { return Counted(__libc_memalign(alignment, size)); }

void* aligned_alloc(size_t alignment, size_t size) {
  return Counted(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* ptr = __libc_memalign(alignment, size);
  if (ptr == nullptr) return ENOMEM;
  *out = Counted(ptr);
  return 0;
}

void* valloc(size_t size) { return Counted(__libc_valloc(size)); }

void* pvalloc(size_t size) { return Counted(__libc_pvalloc(size)); }

}  // extern "C"
