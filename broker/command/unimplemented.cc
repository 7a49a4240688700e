#include "broker/command/unimplemented.h"

#include <string_view>

#include "broker/command/command_table.h"

namespace drayman {

namespace {

// Flags from redis-server 7.0.15's COMMAND INFO (only the two that decide a refusal).
constexpr UnimplementedCommand kRows[] = {
    {"psync", -3, kCmdNoscript | kCmdNoMulti},
    {"replconf", -1, kCmdNoscript},
    {"sync", 1, kCmdNoscript | kCmdNoMulti},
};

const UnimplementedCommand* FindRow(std::string_view full_name) {
  for (const UnimplementedCommand& row : kRows) {
    if (full_name == row.full_name) return &row;
  }
  return nullptr;
}

}  // namespace

std::span<const UnimplementedCommand> UnimplementedCommands() { return kRows; }

const UnimplementedCommand* FindUnimplemented(const std::vector<std::string>& args) {
  if (args.empty()) return nullptr;
  const std::string name = ToLower(args[0]);
  if (const UnimplementedCommand* row = FindRow(name); row != nullptr) return row;
  if (args.size() < 2) return nullptr;
  return FindRow(name + "|" + ToLower(args[1]));
}

bool ArityFits(const UnimplementedCommand& command, int argc) {
  return command.arity > 0 ? argc == command.arity : argc >= -command.arity;
}

}  // namespace drayman
