#include "broker/command/command_table.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "broker/acl/redis_command_acl.h"

namespace drayman {

std::vector<std::string_view> CommandFlagNames(uint32_t flags) {
  // may_replicate is not shown, as Redis hides it on purpose.
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kCmdWrite, "write"},
      {kCmdReadonly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubsub, "pubsub"},
      {kCmdNoscript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdAsking, "asking"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoAsyncLoading, "no_async_loading"},
      {kCmdNoMulti, "no_multi"},
      {kCmdMovableKeys, "movablekeys"},
      {kCmdAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) names.push_back(name);
  }
  return names;
}

std::vector<std::string> CommandSpec::AclCategories() const {
  // Redis 7.0's own categories, generated from redis-server (broker/acl/redis_command_acl.h).
  if (const acl::RedisCommandAcl* row = acl::FindRedisCommandAcl(full_name)) {
    std::vector<std::string> names;
    for (int i = 0; i < acl::kCategoryCount; ++i) {
      if (row->categories & (uint64_t{1} << i)) {
        names.push_back("@" + std::string(acl::kCategoryNames[i]));
      }
    }
    return names;
  }
  // Commands Redis 7.0 lacks (7.2 additions): derived from the family and flags.
  // In Redis's category order (acl.c): keyspace read write <data type> pubsub admin fast|slow
  // blocking dangerous connection transaction scripting.
  std::vector<std::string> categories;
  const std::string& family = parent ? parent->group : group;
  if (family == "generic") categories.push_back("@keyspace");
  if (flags & kCmdReadonly) categories.push_back("@read");
  if (flags & kCmdWrite) categories.push_back("@write");
  if (family == "sorted-set") {
    categories.push_back("@sortedset");
  } else if (family == "string" || family == "list" || family == "hash" || family == "set" ||
             family == "pubsub") {
    categories.push_back("@" + family);
  }
  if (flags & kCmdAdmin) categories.push_back("@admin");
  categories.push_back((flags & kCmdFast) ? "@fast" : "@slow");
  if (flags & kCmdBlocking) categories.push_back("@blocking");
  if (flags & kCmdAdmin) categories.push_back("@dangerous");
  if (family == "connection") categories.push_back("@connection");
  if (family == "transactions") categories.push_back("@transaction");
  if (family == "scripting") categories.push_back("@scripting");
  return categories;
}

std::vector<int> CommandSpec::KeyPositions(int argc) const {
  std::vector<int> positions;
  if (first_key <= 0 || key_step <= 0) return positions;
  int last = last_key >= 0 ? last_key : argc + last_key;
  for (int i = first_key; i <= last && i < argc; i += key_step) positions.push_back(i);
  return positions;
}

std::vector<int> CommandSpec::KeyIndexes(const std::vector<std::string>& args) const {
  if (get_keys != nullptr) return get_keys(args);
  return KeyPositions(static_cast<int>(args.size()));
}

CommandSpec& CommandTable::Add(CommandSpec spec) {
  spec.name = ToLower(spec.name);
  spec.full_name = spec.name;
  auto [it, inserted] = commands_.try_emplace(spec.name);
  // A second row for a name would silently replace the first, depending on registration order.
  if (!inserted) throw std::logic_error("command '" + spec.name + "' is registered twice");
  it->second = std::make_unique<CommandSpec>(std::move(spec));
  sorted_stale_ = true;
  return *it->second;
}

CommandSpec& CommandTable::AddSubcommand(std::string_view container, CommandSpec spec) {
  auto parent_it = commands_.find(ToLower(container));
  if (parent_it == commands_.end()) {
    throw std::logic_error("subcommand '" + ToLower(spec.name) + "' added to '" +
                           ToLower(container) + "', which is not registered (yet)");
  }
  CommandSpec& parent = *parent_it->second;
  spec.name = ToLower(spec.name);
  spec.full_name = parent.name + "|" + spec.name;
  spec.parent = &parent;
  if (spec.group.empty()) spec.group = parent.group;
  auto [it, inserted] = parent.subcommands.try_emplace(spec.name);
  if (!inserted) throw std::logic_error("command '" + spec.full_name + "' is registered twice");
  it->second = std::make_unique<CommandSpec>(std::move(spec));
  sorted_stale_ = true;
  return *it->second;
}

namespace {

// ASCII lowercase, eight bytes at a time (a command name is looked up on every command): bytes
// 'A'..'Z' get 0x20 added, every other byte, including non-ASCII ones, is left alone.
void LowerAscii(const char* in, size_t size, char* out) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, in + i, 8);
    const uint64_t low7 = word & ~kHighBits;
    const uint64_t above_z = low7 + 0x2525252525252525ULL;     // high bit set when > 'Z'
    const uint64_t at_least_a = low7 + 0x3f3f3f3f3f3f3f3fULL;  // high bit set when >= 'A'
    const uint64_t upper = (at_least_a ^ above_z) & ~word & kHighBits;
    word |= upper >> 2;
    std::memcpy(out + i, &word, 8);
  }
  for (; i < size; ++i) {
    const char c = in[i];
    out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
}

}  // namespace

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (name.size() > 64) return nullptr;
  char lowered[64];
  LowerAscii(name.data(), name.size(), lowered);
  auto it = commands_.find(absl::string_view(lowered, name.size()));
  return it == commands_.end() ? nullptr : it->second.get();
}

const CommandSpec* CommandTable::FindSubcommand(const CommandSpec& container,
                                                std::string_view name) const {
  auto it = container.subcommands.find(ToLower(name));
  return it == container.subcommands.end() ? nullptr : it->second.get();
}

void CommandTable::SortIfChanged() const {
  if (!sorted_stale_) return;
  sorted_.clear();
  sorted_.reserve(commands_.size());
  for (const auto& [name, spec] : commands_) sorted_.push_back(spec.get());
  std::sort(sorted_.begin(), sorted_.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  sorted_with_subcommands_.clear();
  for (const CommandSpec* spec : sorted_) {
    sorted_with_subcommands_.push_back(spec);
    for (const auto& [name, sub] : spec->subcommands) sorted_with_subcommands_.push_back(sub.get());
  }
  sorted_stale_ = false;
}

const std::vector<const CommandSpec*>& CommandTable::All() const {
  SortIfChanged();
  return sorted_;
}

const std::vector<const CommandSpec*>& CommandTable::AllWithSubcommands() const {
  SortIfChanged();
  return sorted_with_subcommands_;
}

}  // namespace drayman
