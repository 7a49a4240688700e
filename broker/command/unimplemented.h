// Redis 7.0 commands Drayman does not implement whose refusal still depends on Redis's flags.
//
// Contract: FindUnimplemented(args) returns the row of a Redis command (or subcommand) that is
// not in Drayman's command table but that Redis refuses by its flags before running it: inside
// MULTI (`no_multi`: "Command not allowed inside a transaction") or from a script (`noscript`:
// "This Redis command is not allowed from script"), after its arity check. Dispatch and the
// script engine consult it only when the table has no row, so a client sees Redis's texts where
// Redis would never have run the command anyway; anywhere else such a command stays unknown.
// The rows are replication commands (README, "Not supported"); a command
// that gets implemented must leave this list (a test checks the two never overlap).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace drayman {

struct UnimplementedCommand {
  const char* full_name;  // "sync", "module|load"
  int arity;              // Redis's, name counted (a subcommand's counts the container too)
  uint32_t flags;         // CommandFlag bits: kCmdNoscript, kCmdNoMulti
};

// Every row, ordered by name.
std::span<const UnimplementedCommand> UnimplementedCommands();

// The row for `args` (args[0] the name, args[1] a subcommand of a listed container), or null.
const UnimplementedCommand* FindUnimplemented(const std::vector<std::string>& args);

// Whether `argc` arguments (name included) fit the row's arity.
bool ArityFits(const UnimplementedCommand& command, int argc);

}  // namespace drayman
