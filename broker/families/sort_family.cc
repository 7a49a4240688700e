// SORT and SORT_RO: sort a list, set or sorted set, optionally by other keys' values (BY),
// returning other keys' values (GET), or storing the result as a list (STORE, SORT only).
//
// Semantics follow Redis 7.0's sort.c as observed on redis-server 7.0.15:
// - Options are parsed first (LIMIT's numbers, then ACL-gated BY/GET), then the key is looked up.
// - "BY <pattern without *>" (e.g. "nosort") skips sorting: lists and sorted sets keep their
//   order (reversed by DESC, LIMIT applied directly); a set is sorted ALPHA anyway when the result
//   is stored or the caller is a script, so replicas and the log see a deterministic result.
// - Patterns: the first '*' is replaced by the element, "->field" after it reads a hash field,
//   "#" is the element itself. Like Redis, patterns are read as C strings (up to a NUL byte).
// - Numeric sorting parses weights with strtod (C-string rules, trailing garbage, NaN or range
//   errors fail with "One or more scores can't be converted into double"); equal weights fall
//   back to comparing the elements' bytes. ALPHA compares with strcoll in Redis; Drayman collates
//   as the C locale (bytes up to the first NUL), which is what Redis does under LC_COLLATE=C.
//   With STORE, ALPHA compares whole byte strings, as Redis does.
// - Sorting is stable. Redis uses glibc's qsort (a merge sort: stable) except for BY with LIMIT,
//   where its partial quicksort may order elements with equal ALPHA weights differently.
// - A sorted set sorted by SORT is converted to the skiplist encoding for good, as Redis does.
// - SORT ... STORE replaces the destination (dropping its TTL) with a list, or deletes it when the
//   result is empty; it counts one change per stored element and is propagated as received.
// - BY and GET with a real pattern need read access to every key (Redis's "full key access"),
//   since the keys they read depend on the data.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/acl/acl.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/pubsub/keyspace_events.h"
#include "broker/script/script_engine.h"

namespace drayman {

namespace {

// The part of `text` before its first NUL: Redis reads patterns and weights as C strings.
std::string_view CString(std::string_view text) { return text.substr(0, text.find('\0')); }

// strcoll under the C locale: unsigned bytes, up to the first NUL.
int Collate(std::string_view a, std::string_view b) { return CString(a).compare(CString(b)); }

// Binary comparison (Redis's compareStringObjects): memcmp, then the shorter first.
int CompareBytes(std::string_view a, std::string_view b) { return a.compare(b); }

// A read lookup counted in keyspace hits/misses (Redis's lookupKeyRead).
Entry* FindCounted(CommandContext& ctx, std::string_view key) {
  Entry* entry = ctx.db.Find(key);
  if (entry != nullptr) {
    ++ctx.keyspace.keyspace_hits;
  } else {
    ++ctx.keyspace.keyspace_misses;
    NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", key);
  }
  return entry;
}

// Redis's lookupKeyByPattern: the value `pattern` names for `element`, or nullopt.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  if (!pattern.empty() && pattern[0] == '#' && (pattern.size() == 1 || pattern[1] == '\0')) {
    return std::string(element);
  }
  const std::string_view c_pattern = CString(pattern);
  const size_t star = c_pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  // "->field" after the star, with at least one byte of field name.
  const size_t arrow = c_pattern.find("->", star + 1);
  const bool has_field = arrow != std::string_view::npos && arrow + 2 < c_pattern.size();
  const size_t field_length = has_field ? pattern.size() - arrow - 2 : 0;
  const size_t postfix_length = pattern.size() - (star + 1) - (has_field ? field_length + 2 : 0);
  std::string key;
  key.reserve(star + element.size() + postfix_length);
  key.append(pattern.substr(0, star));
  key.append(element);
  key.append(pattern.substr(star + 1, postfix_length));
  Entry* entry = FindCounted(ctx, key);
  if (entry == nullptr) return std::nullopt;
  if (has_field) {
    if (entry->value.type() != ValueType::kHash) return std::nullopt;
    const std::string* value = entry->value.hash().Find(pattern.substr(arrow + 2));
    if (value == nullptr) return std::nullopt;
    return *value;
  }
  if (entry->value.type() != ValueType::kString) return std::nullopt;
  return std::string(entry->value.view());
}

// A weight parsed the way SORT does (strtod over the C string; the whole of it must be used).
bool ParseWeight(const std::string& text, double* score) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  *score = std::strtod(begin, &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*score);
}

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> weight;  // ALPHA with BY: the weight's bytes, nullopt when missing
};

// Whether `user` may read any key with this command: some selector allows the command and
// every key for reading (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess).
// Inside a script the caller's user is checked, as Redis gives Lua's client the caller's user.
bool HasFullKeyAccess(CommandContext& ctx) {
  const acl::User* user = ctx.client.user;
  if (ctx.client.is_script_client && ctx.engine.scripts().caller() != nullptr) {
    user = ctx.engine.scripts().caller()->user;
  }
  if (user == nullptr) return true;
  return ctx.engine.acl().AllowsReadOfAllKeys(*user, ctx.spec, ctx.args);
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC]
//     [ALPHA] [STORE destination]
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC]
//     [ALPHA]
void SortGeneric(CommandContext& ctx, bool read_only) {
  const auto& args = ctx.args;
  bool desc = false;
  bool alpha = false;
  bool dont_sort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  const std::string* sort_by = nullptr;
  const std::string* store_key = nullptr;
  std::vector<const std::string*> get_patterns;
  std::optional<bool> full_key_access;
  auto full_access = [&] {
    if (!full_key_access) full_key_access = HasFullKeyAccess(ctx);
    return *full_key_access;
  };
  for (size_t j = 2; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    const std::string& option = args[j];
    if (EqualsIgnoreCase(option, "asc")) {
      desc = false;
    } else if (EqualsIgnoreCase(option, "desc")) {
      desc = true;
    } else if (EqualsIgnoreCase(option, "alpha")) {
      alpha = true;
    } else if (EqualsIgnoreCase(option, "limit") && left >= 2) {
      if (!ParseInt64(args[j + 1], &limit_start) || !ParseInt64(args[j + 2], &limit_count)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      j += 2;
    } else if (!read_only && EqualsIgnoreCase(option, "store") && left >= 1) {
      store_key = &args[++j];
    } else if (EqualsIgnoreCase(option, "by") && left >= 1) {
      sort_by = &args[++j];
      // A pattern without '*' names one constant key: nothing to sort by.
      if (CString(*sort_by).find('*') == std::string_view::npos) {
        dont_sort = true;
      } else if (!full_access()) {
        ctx.reply.Error(errors::kSortByDenied);
        return;
      }
    } else if (EqualsIgnoreCase(option, "get") && left >= 1) {
      if (!full_access()) {
        ctx.reply.Error(errors::kSortGetDenied);
        return;
      }
      get_patterns.push_back(&args[++j]);
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }

  Entry* entry = FindCounted(ctx, args[1]);
  const ValueType type = entry ? entry->value.type() : ValueType::kList;
  if (type != ValueType::kList && type != ValueType::kSet && type != ValueType::kZSet) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (dont_sort && type == ValueType::kSet && (store_key || ctx.client.is_script_client)) {
    // An unsorted set would come out in hash order: force a deterministic ALPHA sort.
    dont_sort = false;
    alpha = true;
    sort_by = nullptr;
  }
  if (entry != nullptr && type == ValueType::kZSet) entry->value.zset().ConvertToSkiplist();

  const int64_t length =
      entry == nullptr           ? 0
      : type == ValueType::kList ? static_cast<int64_t>(entry->value.list().size())
      : type == ValueType::kSet  ? static_cast<int64_t>(entry->value.set().size())
                                 : static_cast<int64_t>(entry->value.zset().size());
  // LIMIT, clamped to the collection as Redis does.
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), length);
  const int64_t count = std::min(std::max<int64_t>(limit_count, -1), length);
  int64_t end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  std::vector<SortItem> items;
  if (entry != nullptr) {
    if (dont_sort && type == ValueType::kList) {
      // The list's own order (reversed by DESC), only the LIMIT range.
      if (end >= start) {
        const List& list = entry->value.list();
        items.reserve(static_cast<size_t>(end - start + 1));
        auto push = [&](std::string_view value) { items.push_back({std::string(value)}); };
        if (desc) {
          list.ForRangeReverse(static_cast<size_t>(length - start - 1),
                               static_cast<size_t>(length - end - 1), push);
        } else {
          list.ForRange(static_cast<size_t>(start), static_cast<size_t>(end), push);
        }
        end -= start;
        start = 0;
      }
    } else if (type == ValueType::kList) {
      entry->value.list().ForEachWhile(false, [&](std::string_view value) {
        items.push_back({std::string(value)});
        return true;
      });
    } else if (type == ValueType::kSet) {
      entry->value.set().ForEach(
          [&](std::string_view value) { items.push_back({std::string(value)}); });
    } else if (dont_sort) {
      // The sorted set's own order (reversed by DESC), only the LIMIT range.
      const ZSet& zset = entry->value.zset();
      const int64_t wanted = end - start + 1;
      const ZSet::Node* node = nullptr;
      if (wanted > 0) {
        node = desc ? zset.AtRank(static_cast<size_t>(length - 1 - start))
                    : zset.AtRank(static_cast<size_t>(start));
      }
      for (int64_t i = 0; i < wanted && node != nullptr; ++i) {
        items.push_back({std::string(node->member())});
        node = desc ? node->prev() : node->next();
      }
      end -= start;
      start = 0;
    } else {
      for (const ZSet::Node* node = entry->value.zset().First(); node != nullptr;
           node = node->next()) {
        items.push_back({std::string(node->member())});
      }
    }
  }

  bool bad_score = false;
  if (!dont_sort) {
    for (SortItem& item : items) {
      std::optional<std::string> by_value;
      if (sort_by != nullptr) {
        by_value = LookupByPattern(ctx, *sort_by, item.element);
        if (!by_value) continue;
      }
      if (alpha) {
        if (sort_by != nullptr) item.weight = std::move(by_value);
      } else if (!ParseWeight(by_value ? *by_value : item.element, &item.score)) {
        bad_score = true;
      }
    }
    const bool by_pattern = sort_by != nullptr;
    const bool binary = store_key != nullptr;
    auto compare = [&](const SortItem& a, const SortItem& b) {
      int cmp = 0;
      if (!alpha) {
        if (a.score != b.score) {
          cmp = a.score > b.score ? 1 : -1;
        } else {
          cmp = CompareBytes(a.element, b.element);
        }
      } else if (by_pattern) {
        if (!a.weight || !b.weight) {
          cmp = a.weight.has_value() == b.weight.has_value() ? 0 : (a.weight ? 1 : -1);
        } else {
          cmp = binary ? CompareBytes(*a.weight, *b.weight) : Collate(*a.weight, *b.weight);
        }
      } else {
        cmp = binary ? CompareBytes(a.element, b.element) : Collate(a.element, b.element);
      }
      return (desc ? -cmp : cmp) < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  const int64_t rows = end - start + 1;
  const int64_t output_length =
      get_patterns.empty() ? rows : static_cast<int64_t>(get_patterns.size()) * rows;
  if (bad_score) {
    ctx.reply.Error(errors::kSortBadScore);
    return;
  }
  if (store_key == nullptr) {
    ctx.reply.ArrayHeader(static_cast<size_t>(output_length));
    for (int64_t j = start; j <= end; ++j) {
      const std::string& element = items[static_cast<size_t>(j)].element;
      if (get_patterns.empty()) ctx.reply.Bulk(element);
      for (const std::string* pattern : get_patterns) {
        std::optional<std::string> value = LookupByPattern(ctx, *pattern, element);
        if (value) {
          ctx.reply.Bulk(*value);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }
  auto result = std::make_unique<List>();
  for (int64_t j = start; j <= end; ++j) {
    const std::string& element = items[static_cast<size_t>(j)].element;
    if (get_patterns.empty()) result->PushBack(element);
    for (const std::string* pattern : get_patterns) {
      result->PushBack(LookupByPattern(ctx, *pattern, element).value_or(std::string()));
    }
  }
  if (output_length > 0) {
    ctx.db.Put(*store_key, Value(std::move(result)));
    NotifyKeyspaceEvent(ctx, kNotifyList, "sortstore", *store_key);
    ctx.AddDirty(output_length);
  } else if (ctx.db.DeleteEvenIfExpired(*store_key)) {
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", *store_key);
    ctx.AddDirty();
  }
  ctx.reply.Integer(output_length);
}

void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// Redis's sortGetKeys: the sorted key, then the destination of the last STORE, skipping the
// arguments of LIMIT, GET and BY.
std::vector<int> SortKeys(const std::vector<std::string>& args) {
  std::vector<int> keys = {1};
  int store = 0;
  const int argc = static_cast<int>(args.size());
  for (int i = 2; i < argc; ++i) {
    const std::string& word = args[static_cast<size_t>(i)];
    if (EqualsIgnoreCase(word, "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(word, "get") || EqualsIgnoreCase(word, "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(word, "store") && i + 1 < argc) {
      store = i + 1;
    }
  }
  if (store > 0) keys.push_back(store);
  return keys;
}

// SORT_RO's key: only the sorted one.
std::vector<int> SortRoKeys(const std::vector<std::string>&) { return {1}; }

}  // namespace

void RegisterSortFamily(CommandTable& table) {
  constexpr std::string_view kComplexity =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  table.Add({.name = "sort",
             .arity = -2,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSort,
             .get_keys = SortKeys,
             .group = "generic",
             .summary = "Sort the elements in a list, set or sorted set",
             .since = "1.0.0",
             .complexity = std::string(kComplexity)});
  table.Add(
      {.name = "sort_ro",
       .arity = -2,
       .flags = kCmdReadonly | kCmdMovableKeys,
       .first_key = 1,
       .last_key = 1,
       .key_step = 1,
       .handler = CmdSortRo,
       .get_keys = SortRoKeys,
       .group = "generic",
       .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
       .since = "7.0.0",
       .complexity = std::string(kComplexity)});
}

}  // namespace drayman
