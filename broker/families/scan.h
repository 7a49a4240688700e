// SCAN, HSCAN, SSCAN and ZSCAN: the argument rules, walk and reply they share, after Redis 7.0's
// scanGenericCommand.
//
// Contract: the cursor is parsed first (ParseScanCursor: "ERR invalid cursor"). The per-key forms
// then look the key up, answering WRONGTYPE or, for a missing key, an empty scan whatever options
// follow, and only then parse the options (BeginKeyScan). Options come in pairs, the last of each
// kind wins: COUNT must be an integer >= 1 ("value is not an integer..." / syntax error), MATCH
// takes a glob ("*" filters nothing), TYPE is SCAN's alone (a syntax error elsewhere). ScanWalk
// visits one bucket per step until it has collected the wanted number of items, the cursor is
// back to 0, or ten steps per wanted item have gone by (so a sparse table cannot stall a call);
// MATCH and TYPE filter what the walk collected and never make it go further. The reply is
// [cursor as a bulk string, flat array of items] in both RESP2 and RESP3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/glob.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"

namespace drayman {

struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type;  // SCAN's TYPE
  bool use_type = false;

  bool Matches(std::string_view item) const { return !use_pattern || GlobMatch(pattern, item); }
};

// Parses the options at args[first...]; TYPE only when `allow_type`. Replies and returns false on
// error.
inline bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out) {
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
    } else if (allow_type && EqualsIgnoreCase(option, "type") && has_value) {
      out->type = ctx.args[i + 1];
      out->use_type = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Visits buckets from `cursor`: step(cursor) appends a bucket's items to `items` and returns the
// next cursor. Stops once `wanted` items are collected, when the cursor is back to 0, or after
// 10 * `wanted` further steps. Returns the cursor to reply.
template <typename Item, typename Step>
uint64_t ScanWalk(uint64_t cursor, uint64_t wanted, const std::vector<Item>& items, Step&& step) {
  uint64_t budget = wanted > UINT64_MAX / 10 ? UINT64_MAX : wanted * 10;
  do {
    cursor = step(cursor);
  } while (cursor != 0 && budget-- > 0 && items.size() < wanted);
  return cursor;
}

// The reply's frame: [cursor, array of `items` items]; the caller writes the items.
inline void ReplyScanHeader(ReplyBuilder& reply, uint64_t cursor, size_t items) {
  reply.ArrayHeader(2);
  reply.Bulk(std::to_string(cursor));
  reply.ArrayHeader(items);
}

inline void ReplyScan(ReplyBuilder& reply, uint64_t cursor, const std::vector<std::string>& items) {
  ReplyScanHeader(reply, cursor, items.size());
  for (const std::string& item : items) reply.Bulk(item);
}

// HSCAN/SSCAN/ZSCAN key cursor [MATCH pattern] [COUNT count]: parses the cursor, looks up the T at
// args[1] and parses the options, in Redis's order. Returns the container, or nullptr once it has
// replied (an error, or the empty scan of a missing key).
template <typename T>
T* BeginKeyScan(CommandContext& ctx, uint64_t* cursor, ScanOptions* options) {
  if (!ParseScanCursor(ctx.args[2], cursor)) {
    ctx.reply.Error(errors::kInvalidCursor);
    return nullptr;
  }
  T* container = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &container)) return nullptr;
  if (container == nullptr) {
    ReplyScan(ctx.reply, 0, {});
    return nullptr;
  }
  if (!ParseScanOptions(ctx, 3, /*allow_type=*/false, options)) return nullptr;
  return container;
}

}  // namespace drayman
