// HSCAN / SSCAN (and any other per-key SCAN) argument parsing and replies, with Redis 7.0's rules.
//
// Contract: the cursor is parsed first, as strtoul does (leading '+'/'-' accepted, "" is 0, a
// leading blank, trailing junk or overflow is "ERR invalid cursor"); options are parsed only once
// the key is known to exist (a missing key answers an empty scan whatever follows). COUNT must be
// an integer >= 1 (else "value is not an integer..." / syntax error); MATCH takes a glob; TYPE is
// a syntax error here. The reply is [cursor as bulk string, flat array of items] in both RESP2
// and RESP3.
#pragma once

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "broker/command/context.h"
#include "broker/command/numbers.h"
#include "broker/keyspace/glob.h"

namespace drayman {

struct ContainerScanArgs {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;

  bool Matches(std::string_view item) const { return !use_pattern || GlobMatch(pattern, item); }
};

inline bool ParseScanCursor(const std::string& text, uint64_t* cursor) {
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) return false;
  errno = 0;
  char* end = nullptr;
  // strtoul stops at an embedded NUL exactly as Redis's C-string parse does.
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *cursor = value;
  return true;
}

// Parses the options at args[first...]; replies and returns false on error.
inline bool ParseContainerScanArgs(CommandContext& ctx, size_t first, ContainerScanArgs* out) {
  for (size_t i = first; i < ctx.args.size(); i += 2) {
    const std::string& option = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(option, "count") && has_value) {
      if (!ParseInt64(ctx.args[i + 1], &out->count)) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
      if (out->count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return false;
      }
    } else if (EqualsIgnoreCase(option, "match") && has_value) {
      out->pattern = ctx.args[i + 1];
      out->use_pattern = out->pattern != "*";
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

inline void ReplyScan(ReplyBuilder& reply, uint64_t cursor, const std::vector<std::string>& items) {
  reply.ArrayHeader(2);
  reply.Bulk(std::to_string(cursor));
  reply.ArrayHeader(items.size());
  for (const std::string& item : items) reply.Bulk(item);
}

// Redis's empty scan reply for a missing key.
inline void ReplyEmptyScan(ReplyBuilder& reply) { ReplyScan(reply, 0, {}); }

}  // namespace drayman
