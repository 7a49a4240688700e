// HandlerMemory: a per-connection slot for the one asynchronous operation a session keeps
// pending at a time (its read), so the operation is not allocated for every request.
//
// Contract: one operation at a time uses the slot; an operation that does not fit, or arrives
// while the slot is taken, falls back to operator new. Bind it with
// `asio::bind_allocator(HandlerAllocator<char>(&memory), handler)`. The memory must outlive the
// operation: the session owns it and the handler holds the session (Asio frees the operation
// before it invokes or destroys the moved-out handler).
#pragma once

#include <cstddef>
#include <new>

namespace drayman {

class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* Allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof(storage_)) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);
  }

  void Deallocate(void* pointer) {
    if (pointer == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[512];
  bool in_use_ = false;
};

template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;

  explicit HandlerAllocator(HandlerMemory* memory) noexcept : memory_(memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory()) {}

  T* allocate(std::size_t n) const { return static_cast<T*>(memory_->Allocate(sizeof(T) * n)); }
  void deallocate(T* pointer, std::size_t) const { memory_->Deallocate(pointer); }

  HandlerMemory* memory() const noexcept { return memory_; }
  template <typename U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory();
  }

 private:
  HandlerMemory* memory_;
};

}  // namespace drayman
