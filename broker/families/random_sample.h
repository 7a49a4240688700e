// HRANDFIELD, SRANDMEMBER and ZRANDMEMBER with a count: the count's checks and Redis's way of
// picking distinct elements.
//
// Contract: ParseRandomCount reads a count as Redis's getRangeLongFromObjectOrReply does for the
// range [-LONG_MAX, LONG_MAX], and ParseRandomCountArgs reads "key count [<option>]" for the
// commands whose option (WITHVALUES, WITHSCORES) doubles the reply: the count first, then the
// syntax, then the doubled count's range. Both reply with Redis's error and return false on
// failure. SampleDistinct returns `count` distinct elements, in random order, of a container of
// `size` > `count` elements, the way all three commands do it in Redis 7.0 (their
// *_SUB_STRATEGY_MUL cases): a partial shuffle of every element (`all()`) when count * 3 > size,
// else draws (`random()`) until `count` distinct elements have come up. Negative counts (repeats
// allowed) and counts >= size are the callers' business: their orders differ by type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"

namespace drayman {

inline bool ParseRandomCount(CommandContext& ctx, std::string_view text, int64_t* count) {
  if (!ParseInt64(text, count)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  if (*count == INT64_MIN) {
    ctx.reply.Error(errors::kRandomCountRange);
    return false;
  }
  return true;
}

// args: name key count [<with_option>]; *with tells whether the option was given.
inline bool ParseRandomCountArgs(CommandContext& ctx, std::string_view with_option, int64_t* count,
                                 bool* with) {
  if (!ParseRandomCount(ctx, ctx.args[2], count)) return false;
  *with = ctx.args.size() == 4;
  if (ctx.args.size() > 4 || (*with && !EqualsIgnoreCase(ctx.args[3], with_option))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  // With the option the reply holds two entries per element, so the count must fit twice.
  if (*with && (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2)) {
    ctx.reply.Error(errors::kValueOutOfRange);
    return false;
  }
  return true;
}

// Redis's SRANDMEMBER_SUB_STRATEGY_MUL, HRANDFIELD_SUB_STRATEGY_MUL and
// ZRANDMEMBER_SUB_STRATEGY_MUL.
inline constexpr size_t kRandomSubStrategyMul = 3;

// `all()` returns every element as a std::vector<T>; `random()` draws one element. T must be
// hashable by absl, and equal elements must be the same element.
template <typename T, typename Rng, typename All, typename Random>
std::vector<T> SampleDistinct(size_t count, size_t size, Rng& rng, All&& all, Random&& random) {
  if (count * kRandomSubStrategyMul > size) {
    std::vector<T> elements = all();
    for (size_t i = 0; i < count; ++i) {
      std::uniform_int_distribution<size_t> pick(i, elements.size() - 1);
      std::swap(elements[i], elements[pick(rng)]);
    }
    elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(count), elements.end());
    return elements;
  }
  std::vector<T> chosen;
  chosen.reserve(count);
  absl::flat_hash_set<T> seen;
  while (chosen.size() < count) {
    T element = random();
    if (seen.insert(element).second) chosen.push_back(std::move(element));
  }
  return chosen;
}

}  // namespace drayman
