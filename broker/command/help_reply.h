// Subcommand HELP replies (OBJECT HELP, MEMORY HELP, PUBSUB HELP, ...), built as Redis's
// addReplyHelp builds them.
//
// Contract: ReplyHelp answers an array of simple strings in both protocols: first
// "<COMMAND> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", then `lines` (the
// command's own text, without that first line and without the HELP entry), then "HELP" and
// "    Prints this help.". `command` is the container's name in upper case.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "broker/resp/reply_builder.h"

namespace drayman {

inline void ReplyHelp(ReplyBuilder& reply, std::string_view command,
                      std::span<const std::string_view> lines) {
  reply.ArrayHeader(lines.size() + 3);
  std::string first(command);
  first.append(" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  reply.SimpleString(first);
  for (std::string_view line : lines) reply.SimpleString(line);
  reply.SimpleString("HELP");
  reply.SimpleString("    Prints this help.");
}

}  // namespace drayman
