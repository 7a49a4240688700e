// Command table: one declarative row per command, the single source of truth for dispatch.
//
// Contract: a row holds the lowercase name, Redis's arity convention (positive = exact, negative =
// minimum, the name counted), flags, key positions (first, last, step; last -1 = up to the end),
// the handler and the documentation fields COMMAND DOCS reports. Container commands (CLIENT,
// CONFIG, COMMAND, OBJECT, ...) hold subcommand rows, looked up by their second argument, whose
// full names are "container|sub". COMMAND, COMMAND INFO/DOCS/COUNT/GETKEYS are generated from
// these rows. Each family registers its rows with Register<Family>Family(CommandTable&).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "broker/base/ascii.h"
#include "broker/stats/latency_histogram.h"

namespace drayman {

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);
// For commands whose keys move with their arguments (EVAL numkeys, BLMPOP, ZUNIONSTORE...):
// returns the indexes of the key arguments in `args` (args[0] is the name), or an empty list
// when the arguments are malformed.
using KeysFunction = std::vector<int> (*)(const std::vector<std::string>& args);

enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoscript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdSkipSlowlog = 1u << 10,
  kCmdFast = 1u << 11,
  kCmdNoAuth = 1u << 12,
  kCmdMayReplicate = 1u << 13,
  kCmdNoMulti = 1u << 14,
  kCmdMovableKeys = 1u << 15,
  kCmdAllowBusy = 1u << 16,
  kCmdNoMandatoryKeys = 1u << 17,
  // Allowed in the RESP2 subscribed context.
  kCmdPubsubContext = 1u << 18,
  kCmdSentinel = 1u << 19,
  // Refused unless enable-debug-command allows it (DEBUG). COMMAND INFO hides it, as Redis does.
  kCmdProtected = 1u << 20,
  // Refused while a replica loads its master's data asynchronously (Redis's no_async_loading);
  // Drayman never loads that way, so the flag only shows in COMMAND INFO, as Redis reports it.
  kCmdNoAsyncLoading = 1u << 21,
  // Accepted for slots being imported after ASKING (RESTORE-ASKING); shown in COMMAND INFO only,
  // since Drayman has no cluster.
  kCmdAsking = 1u << 22,
};

// Names COMMAND INFO reports for the flags above, in Redis's order.
std::vector<std::string_view> CommandFlagNames(uint32_t flags);

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
  // Allocated on the first call recorded while latency-tracking is on, as Redis allocates it.
  std::unique_ptr<LatencyHistogram> latency;
};

struct CommandSpec {
  std::string name;  // lowercase, e.g. "get" or, for a subcommand, "get" under "config"
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  CommandHandler handler = nullptr;
  KeysFunction get_keys = nullptr;  // set for kCmdMovableKeys commands
  std::string group;                // COMMAND DOCS group: "string", "generic", "server", ...
  std::string summary;              // COMMAND DOCS summary
  std::string since;                // Redis version that introduced it
  std::string complexity;           // COMMAND DOCS complexity

  // Filled by the table.
  std::string full_name;  // "get", "config|get"
  const CommandSpec* parent = nullptr;
  std::map<std::string, std::unique_ptr<CommandSpec>> subcommands;  // ordered for COMMAND output
  mutable CommandStats stats;
  // Dispatch's cache of which named keys a write signals as modified (engine.cc's
  // KeySignalRule; -1 until the first write of this command).
  mutable int8_t key_signal_rule = -1;

  bool is_container() const { return !subcommands.empty(); }
  // ACL categories as COMMAND INFO reports them ("@write", "@string", ...).
  std::vector<std::string> AclCategories() const;
  // Key arguments of `args` (args[0] is the command name) by first/last/step.
  std::vector<int> KeyPositions(int argc) const;
  // Key arguments of this invocation: get_keys when set, else first/last/step.
  std::vector<int> KeyIndexes(const std::vector<std::string>& args) const;
  // Calls fn(index) for each key argument of this invocation, as KeyIndexes lists them, without
  // building a vector unless the command's keys are movable (get_keys).
  template <typename Fn>
  void ForEachKeyIndex(const std::vector<std::string>& args, Fn&& fn) const {
    if (get_keys != nullptr) {
      for (int index : get_keys(args)) fn(index);
      return;
    }
    if (first_key <= 0 || key_step <= 0) return;
    const int argc = static_cast<int>(args.size());
    const int last = last_key >= 0 ? last_key : argc + last_key;
    for (int i = first_key; i <= last && i < argc; i += key_step) fn(i);
  }
};

class CommandTable {
 public:
  CommandTable() = default;
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // Adds a top-level command; returns it so subcommands can be attached. A name registered twice
  // is a programming error: throws std::logic_error, so the server fails at start-up.
  CommandSpec& Add(CommandSpec spec);
  // Adds a subcommand row under the registered `container`. Throws std::logic_error when the
  // container is not registered or already has a row of that name.
  CommandSpec& AddSubcommand(std::string_view container, CommandSpec spec);

  // Case-insensitive lookup of a top-level command; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Case-insensitive lookup of "container subcommand"; nullptr if unknown.
  const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view name) const;

  size_t size() const { return commands_.size(); }
  // Every top-level command, ordered by name. Kept sorted between Adds (INFO commandstats and
  // every /metrics scrape walk it; sorting 240 names each time was a sixth of a scrape).
  const std::vector<const CommandSpec*>& All() const;
  // Every command followed by its subcommands, each level ordered by name: INFO commandstats'
  // and latencystats' order.
  const std::vector<const CommandSpec*>& AllWithSubcommands() const;

 private:
  void SortIfChanged() const;

  absl::flat_hash_map<std::string, std::unique_ptr<CommandSpec>> commands_;
  // The ordered views, rebuilt on first use after Add/AddSubcommand.
  mutable std::vector<const CommandSpec*> sorted_;
  mutable std::vector<const CommandSpec*> sorted_with_subcommands_;
  mutable bool sorted_stale_ = true;
};

}  // namespace drayman
