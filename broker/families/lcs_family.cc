// LCS: the longest common subsequence of two strings (Redis 7.0's t_string.c lcsCommand).
//
// The reply shapes are Redis's: the subsequence itself, its length (LEN), or with IDX a map of
// "matches" (ranges of both strings, last match first, each optionally with its length) and
// "len" (a flat array in RESP2). The dynamic-programming table costs (len(a)+1)*(len(b)+1)*4
// bytes and is refused above proto-max-bulk-len, as in Redis. Matches are walked back from the
// end of both strings preferring to drop a byte of the second string on ties, so the chosen
// subsequence and ranges are the ones redis-server prints.
#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace {

struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
};

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
void CmdLcs(CommandContext& ctx) {
  // Both keys are looked up (and counted) before either is type-checked.
  bool a_wrong = false;
  bool b_wrong = false;
  const std::string* a_value = ctx.db.FindAs<std::string>(ctx.args[1], &a_wrong);
  const bool a_found = a_value != nullptr || a_wrong;
  const std::string* b_value = ctx.db.FindAs<std::string>(ctx.args[2], &b_wrong);
  const bool b_found = b_value != nullptr || b_wrong;
  (a_found ? ctx.keyspace.keyspace_hits : ctx.keyspace.keyspace_misses)++;
  (b_found ? ctx.keyspace.keyspace_hits : ctx.keyspace.keyspace_misses)++;
  if (!a_found) NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", ctx.args[1]);
  if (!b_found) NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", ctx.args[2]);
  if (a_wrong || b_wrong) {
    ctx.reply.Error(errors::kLcsNotStrings);
    return;
  }
  bool want_len = false;
  bool want_idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    const std::string& option = ctx.args[j];
    const bool has_more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(option, "idx")) {
      want_idx = true;
    } else if (EqualsIgnoreCase(option, "len")) {
      want_len = true;
    } else if (EqualsIgnoreCase(option, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(option, "minmatchlen") && has_more) {
      if (!ParseInt64(ctx.args[++j], &min_match_len)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (min_match_len < 0) min_match_len = 0;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (want_len && want_idx) {
    ctx.reply.Error(errors::kLcsLenAndIdx);
    return;
  }
  const std::string_view a = a_value ? std::string_view(*a_value) : std::string_view();
  const std::string_view b = b_value ? std::string_view(*b_value) : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply.Error(errors::kLcsTooLong);
    return;
  }
  const size_t columns = b.size() + 1;
  const uint64_t cells = static_cast<uint64_t>(a.size() + 1) * columns;
  if (cells > UINT64_MAX / sizeof(uint32_t)) {
    ctx.reply.Error(errors::kLcsNoMemory);
    return;
  }
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.engine.settings().proto_max_bulk_len)) {
    ctx.reply.Error(errors::kLcsOverLimit);
    return;
  }
  // table[i * columns + j]: LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table;
  try {
    table.resize(cells, 0);
  } catch (const std::bad_alloc&) {
    ctx.reply.Error(errors::kLcsNoMemory);
    return;
  }
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * columns + j]; };
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t length = at(a.size(), b.size());
  if (want_len) {
    ctx.reply.Integer(length);
    return;
  }

  // Walk back from the end, collecting the subsequence and its contiguous runs.
  std::string subsequence(length, '\0');
  std::vector<LcsMatch> matches;
  uint32_t remaining = length;
  bool in_range = false;
  LcsMatch current{};
  size_t i = a.size();
  size_t j = b.size();
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      subsequence[--remaining] = a[i - 1];
      if (!in_range) {
        current = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1),
                   static_cast<uint32_t>(j - 1), static_cast<uint32_t>(j - 1)};
        in_range = true;
      } else if (current.a_start == i && current.b_start == j) {
        --current.a_start;
        --current.b_start;
      } else {
        emit = true;
      }
      if (current.a_start == 0 || current.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (in_range) emit = true;
    }
    if (emit) {
      const uint32_t match_length = current.a_end - current.a_start + 1;
      if (min_match_len == 0 || match_length >= min_match_len) matches.push_back(current);
      in_range = false;
    }
  }

  if (!want_idx) {
    ctx.reply.Bulk(subsequence);
    return;
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayHeader(matches.size());
  for (const LcsMatch& match : matches) {
    ctx.reply.ArrayHeader(with_match_len ? 3 : 2);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(match.a_start);
    ctx.reply.Integer(match.a_end);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(match.b_start);
    ctx.reply.Integer(match.b_end);
    if (with_match_len) ctx.reply.Integer(match.a_end - match.a_start + 1);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(length);
}

}  // namespace

void RegisterLcsFamily(CommandTable& table) {
  table.Add({.name = "lcs",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdLcs,
             .group = "string",
             .summary = "Find longest common substring",
             .since = "7.0.0",
             .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively"});
}

}  // namespace drayman
