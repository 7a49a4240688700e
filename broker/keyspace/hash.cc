#include "broker/keyspace/hash.h"

namespace drayman {

const std::string* Hash::Find(std::string_view field) const {
  if (large_) return dict_.Find(field);
  for (const auto& entry : small_) {
    if (entry.first == field) return &entry.second;
  }
  return nullptr;
}

Hash::~Hash() {
  ElementWatcher* watcher = ReleaseWatcher();
  if (watcher == nullptr) return;
  auto contents = std::make_unique<Hash>();
  contents->large_ = true;
  contents->dict_ = std::move(dict_);  // O(1), pin included
  watcher->Adopt(std::move(contents));
}

std::string* Hash::FindMutable(std::string_view field) {
  if (large_) BeforeChange(field, /*erasing=*/false);
  return const_cast<std::string*>(static_cast<const Hash*>(this)->Find(field));
}

bool Hash::Set(std::string_view field, std::string_view value) {
  if (!large_) {
    for (auto& entry : small_) {
      if (entry.first == field) {
        entry.second.assign(value);
        if (value.size() > kMaxSmallValue) ConvertToLarge();
        return false;
      }
    }
    if (small_.size() < kMaxSmallEntries && field.size() <= kMaxSmallValue &&
        value.size() <= kMaxSmallValue) {
      small_.emplace_back(field, value);
      return true;
    }
    ConvertToLarge();
  }
  BeforeChange(field, /*erasing=*/false);
  auto [node, inserted] = dict_.Insert(field);
  node->value.assign(value);
  return inserted;
}

bool Hash::Erase(std::string_view field) {
  if (large_) {
    BeforeChange(field, /*erasing=*/true);
    return dict_.Erase(field);
  }
  for (auto it = small_.begin(); it != small_.end(); ++it) {
    if (it->first == field) {
      small_.erase(it);
      return true;
    }
  }
  return false;
}

void Hash::ConvertToLarge() {
  for (auto& [field, value] : small_) dict_.Insert(field).first->value = std::move(value);
  small_.clear();
  small_.shrink_to_fit();
  large_ = true;
}

std::unique_ptr<Hash> Hash::Clone() const {
  auto copy = std::make_unique<Hash>();
  copy->large_ = large_;
  copy->small_ = small_;
  dict_.ForEach([&](const auto& node) { copy->dict_.Insert(node.key()).first->value = node.value; });
  return copy;
}

size_t Hash::MemoryUsage() const {
  size_t bytes = sizeof(Hash);
  if (large_) {
    bytes += dict_.OverheadBytes();
    dict_.ForEach([&](const auto& node) { bytes += node.key().size() + node.value.capacity(); });
  } else {
    bytes += small_.capacity() * sizeof(small_[0]);
    for (const auto& [field, value] : small_) bytes += field.capacity() + value.capacity();
  }
  return bytes;
}

}  // namespace drayman
