#include "broker/keyspace/list.h"

#include <algorithm>

namespace drayman {

std::string List::PopFront() {
  std::string value = std::move(items_.front());
  items_.pop_front();
  return value;
}

std::string List::PopBack() {
  std::string value = std::move(items_.back());
  items_.pop_back();
  return value;
}

size_t List::Remove(std::string_view value, int64_t count) {
  size_t removed = 0;
  if (count >= 0) {
    for (auto it = items_.begin(); it != items_.end();) {
      if (*it == value && (count == 0 || removed < static_cast<size_t>(count))) {
        it = items_.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  } else {
    size_t limit = static_cast<size_t>(-count);
    for (size_t i = items_.size(); i-- > 0 && removed < limit;) {
      if (items_[i] == value) {
        items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
        ++removed;
      }
    }
  }
  return removed;
}

bool List::Insert(std::string_view pivot, std::string_view value, bool after) {
  auto it = std::find(items_.begin(), items_.end(), pivot);
  if (it == items_.end()) return false;
  if (after) ++it;
  items_.emplace(it, value);
  return true;
}

void List::Trim(size_t start, size_t stop) {
  if (start > stop || start >= items_.size()) {
    items_.clear();
    return;
  }
  stop = std::min(stop, items_.size() - 1);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(stop) + 1, items_.end());
  items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(start));
}

size_t List::MemoryUsage() const {
  size_t bytes = sizeof(List);
  for (const std::string& item : items_) bytes += sizeof(std::string) + item.capacity();
  return bytes;
}

}  // namespace drayman
