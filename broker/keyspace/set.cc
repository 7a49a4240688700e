#include "broker/keyspace/set.h"

#include <charconv>

#include "broker/base/numbers.h"

namespace drayman {

std::string_view Set::FormatInt(int64_t value, char* buf) {
  auto [end, ec] = std::to_chars(buf, buf + 24, value);
  return std::string_view(buf, static_cast<size_t>(end - buf));
}

Set::~Set() {
  if (observer_ != nullptr) observer_->OnDetached();
  ElementWatcher* watcher = ReleaseWatcher();
  if (watcher == nullptr) return;
  auto contents = std::make_unique<Set>();
  contents->is_intset_ = false;
  contents->dict_ = std::move(dict_);  // O(1), pin included
  watcher->Adopt(std::move(contents));
}

bool Set::Contains(std::string_view member) const {
  if (!is_intset_) return dict_.FindNode(member) != nullptr;
  int64_t value = 0;
  if (!ParseInt64(member, &value)) return false;
  return std::binary_search(ints_.begin(), ints_.end(), value);
}

bool Set::Add(std::string_view member) {
  bool added = false;
  if (is_intset_) {
    int64_t value = 0;
    if (ParseInt64(member, &value)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), value);
      if (it != ints_.end() && *it == value) return false;
      ints_.insert(it, value);
      if (ints_.size() > kMaxIntsetEntries) ConvertToHashtable();
      added = true;
    } else {
      ConvertToHashtable();
    }
  }
  if (!added) {
    BeforeChange(member, /*erasing=*/false);
    if (!dict_.Insert(member).second) return false;
  }
  if (observer_ != nullptr) observer_->OnMemberAdded(member);
  return true;
}

bool Set::Remove(std::string_view member) {
  if (is_intset_) {
    int64_t value = 0;
    if (!ParseInt64(member, &value)) return false;
    auto it = std::lower_bound(ints_.begin(), ints_.end(), value);
    if (it == ints_.end() || *it != value) return false;
    ints_.erase(it);
  } else {
    BeforeChange(member, /*erasing=*/true);
    if (!dict_.Erase(member)) return false;
  }
  if (observer_ != nullptr) observer_->OnMemberRemoved(member);
  return true;
}

void Set::ConvertToHashtable() {
  char buf[24];
  for (int64_t value : ints_) dict_.Insert(FormatInt(value, buf));
  ints_.clear();
  ints_.shrink_to_fit();
  is_intset_ = false;
}

std::vector<std::string> Set::Members() const {
  std::vector<std::string> members;
  members.reserve(size());
  ForEach([&](std::string_view member) { members.emplace_back(member); });
  return members;
}

std::unique_ptr<Set> Set::Clone() const {
  auto copy = std::make_unique<Set>();
  copy->is_intset_ = is_intset_;
  copy->ints_ = ints_;
  dict_.ForEach([&](const auto& node) { copy->dict_.Insert(node.key()); });
  return copy;
}

size_t Set::MemoryUsage() const {
  size_t bytes = sizeof(Set);
  if (is_intset_) return bytes + ints_.capacity() * sizeof(int64_t);
  bytes += dict_.OverheadBytes();
  dict_.ForEach([&](const auto& node) { bytes += node.key().size(); });
  return bytes;
}

}  // namespace drayman
