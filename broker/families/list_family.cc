// List family: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LREM, LTRIM,
// LINSERT, LPOS, LMOVE, RPOPLPUSH. The blocking pops live in the blocking family and share the
// pop/move code declared in list_ops.h.
#include <cstdint>
#include <string>
#include <vector>

#include "broker/command/context.h"
#include "broker/command/numbers.h"
#include "broker/families/families.h"
#include "broker/families/index_range.h"
#include "broker/families/list_ops.h"

namespace drayman {

namespace {

constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// getLongFromObjectOrReply: replies "value is not an integer or out of range" on failure.
bool ParseIntegerArg(CommandContext& ctx, std::string_view text, int64_t* value) {
  if (ParseInt64(text, value)) return true;
  ctx.reply.Error(errors::kNotInteger);
  return false;
}

// getPositiveLongFromObjectOrReply: an unparsable or negative value gets `error`.
bool ParseNonNegativeArg(CommandContext& ctx, std::string_view text, std::string_view error,
                         int64_t* value) {
  if (ParseInt64(text, value) && *value >= 0) return true;
  ctx.reply.Error(error);
  return false;
}

void PushGeneric(CommandContext& ctx, bool left, bool only_if_exists) {
  const std::string& key = ctx.args[1];
  List* list = nullptr;
  if (!ctx.LookupWrite(key, &list)) return;
  if (list == nullptr) {
    if (only_if_exists) {
      ctx.reply.Integer(0);
      return;
    }
    ctx.LookupOrCreate(key, &list);
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (left) {
      list->PushFront(ctx.args[i]);
    } else {
      list->PushBack(ctx.args[i]);
    }
  }
  NotifyKeyspaceEvent(ctx, kNotifyList, left ? "lpush" : "rpush", key);
  ctx.AddDirty(static_cast<int64_t>(ctx.args.size() - 2));
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

// LPUSH key element [element ...]
void CmdLpush(CommandContext& ctx) { PushGeneric(ctx, /*left=*/true, /*only_if_exists=*/false); }

// RPUSH key element [element ...]
void CmdRpush(CommandContext& ctx) { PushGeneric(ctx, /*left=*/false, /*only_if_exists=*/false); }

// LPUSHX key element [element ...]
void CmdLpushx(CommandContext& ctx) { PushGeneric(ctx, /*left=*/true, /*only_if_exists=*/true); }

// RPUSHX key element [element ...]
void CmdRpushx(CommandContext& ctx) { PushGeneric(ctx, /*left=*/false, /*only_if_exists=*/true); }

void PopGeneric(CommandContext& ctx, bool left) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 0;
  if (has_count && !ParseNonNegativeArg(ctx, ctx.args[2], errors::kMustBePositive, &count)) return;
  const std::string& key = ctx.args[1];
  List* list = nullptr;
  if (!ctx.LookupWrite(key, &list)) return;
  if (list == nullptr) {
    // With a count the reply is an array, so a missing key is a null array.
    if (has_count) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  if (!has_count) {
    std::string value = ListPop(*list, left);
    ctx.reply.Bulk(value);
    NotifyListPopped(ctx, key, left, list->empty());
    ctx.DeleteIfEmpty(key, list);
    ctx.AddDirty();
    return;
  }
  if (count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const bool emptied = static_cast<size_t>(count) >= list->size();
  ListPopToReply(ctx.db, key, *list, left, static_cast<size_t>(count), ctx.reply);
  NotifyListPopped(ctx, key, left, emptied);
  ctx.AddDirty();
}

// LPOP key [count]
void CmdLpop(CommandContext& ctx) { PopGeneric(ctx, /*left=*/true); }

// RPOP key [count]
void CmdRpop(CommandContext& ctx) { PopGeneric(ctx, /*left=*/false); }

// LLEN key
void CmdLlen(CommandContext& ctx) {
  List* list = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &list)) return;
  ctx.reply.Integer(list ? static_cast<int64_t>(list->size()) : 0);
}

// LRANGE key start stop
void CmdLrange(CommandContext& ctx) {
  int64_t start = 0;
  int64_t stop = 0;
  if (!ParseIntegerArg(ctx, ctx.args[2], &start) || !ParseIntegerArg(ctx, ctx.args[3], &stop)) {
    return;
  }
  List* list = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &list)) return;
  if (list == nullptr) {
    ctx.reply.EmptyArray();
    return;
  }
  if (!ClampIndexRange(static_cast<int64_t>(list->size()), &start, &stop)) {
    ctx.reply.EmptyArray();
    return;
  }
  ctx.reply.ArrayHeader(static_cast<size_t>(stop - start + 1));
  list->ForRange(static_cast<size_t>(start), static_cast<size_t>(stop),
                 [&](std::string_view value) { ctx.reply.Bulk(value); });
}

// LINDEX key index
void CmdLindex(CommandContext& ctx) {
  List* list = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &list)) return;
  if (list == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t index = 0;
  if (!ParseIntegerArg(ctx, ctx.args[2], &index)) return;
  const int64_t length = static_cast<int64_t>(list->size());
  if (index < 0) index += length;
  if (index < 0 || index >= length) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(list->At(static_cast<size_t>(index)));
}

// LSET key index element
void CmdLset(CommandContext& ctx) {
  List* list = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &list)) return;
  if (list == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  int64_t index = 0;
  if (!ParseIntegerArg(ctx, ctx.args[2], &index)) return;
  const int64_t length = static_cast<int64_t>(list->size());
  if (index < 0) index += length;
  if (index < 0 || index >= length) {
    ctx.reply.Error(errors::kIndexOutOfRange);
    return;
  }
  list->Set(static_cast<size_t>(index), ctx.args[3]);
  NotifyKeyspaceEvent(ctx, kNotifyList, "lset", ctx.args[1]);
  ctx.AddDirty();
  ctx.reply.Ok();
}

// LREM key count element
void CmdLrem(CommandContext& ctx) {
  int64_t count = 0;
  if (!ParseIntegerArg(ctx, ctx.args[2], &count)) return;
  const std::string& key = ctx.args[1];
  List* list = nullptr;
  if (!ctx.LookupWrite(key, &list)) return;
  if (list == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const size_t removed = list->Remove(ctx.args[3], count);
  if (removed > 0) {
    NotifyKeyspaceEvent(ctx, kNotifyList, "lrem", key);
    if (list->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    ctx.DeleteIfEmpty(key, list);
    ctx.AddDirty(static_cast<int64_t>(removed));
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// LTRIM key start stop
void CmdLtrim(CommandContext& ctx) {
  int64_t start = 0;
  int64_t stop = 0;
  if (!ParseIntegerArg(ctx, ctx.args[2], &start) || !ParseIntegerArg(ctx, ctx.args[3], &stop)) {
    return;
  }
  const std::string& key = ctx.args[1];
  List* list = nullptr;
  if (!ctx.LookupWrite(key, &list)) return;
  if (list == nullptr) {
    ctx.reply.Ok();
    return;
  }
  const int64_t length = static_cast<int64_t>(list->size());
  if (ClampIndexRange(length, &start, &stop)) {
    list->Trim(static_cast<size_t>(start), static_cast<size_t>(stop));
  } else {
    list->Clear();
  }
  const int64_t removed = length - static_cast<int64_t>(list->size());
  // Redis announces a trim even when nothing was trimmed.
  NotifyKeyspaceEvent(ctx, kNotifyList, "ltrim", key);
  if (list->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  ctx.DeleteIfEmpty(key, list);
  if (removed > 0) {
    ctx.AddDirty(removed);
  } else {
    // Redis signals the key even when nothing was trimmed, so a WATCH on it is invalidated.
    ctx.db.SignalModified(key);
  }
  ctx.reply.Ok();
}

// LINSERT key <BEFORE | AFTER> pivot element
void CmdLinsert(CommandContext& ctx) {
  bool after = false;
  if (EqualsIgnoreCase(ctx.args[2], "after")) {
    after = true;
  } else if (!EqualsIgnoreCase(ctx.args[2], "before")) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  List* list = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &list)) return;
  if (list == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (!list->Insert(ctx.args[3], ctx.args[4], after)) {
    ctx.reply.Integer(-1);
    return;
  }
  NotifyKeyspaceEvent(ctx, kNotifyList, "linsert", ctx.args[1]);
  ctx.AddDirty();
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLpos(CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT option, reply with a single index
  int64_t maxlen = 0;  // 0: no limit
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string& option = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(option, "rank") && has_value) {
      if (!ParseIntegerArg(ctx, ctx.args[++i], &rank)) return;
      if (rank == 0) {
        ctx.reply.Error(kRankZero);
        return;
      }
    } else if (EqualsIgnoreCase(option, "count") && has_value) {
      if (!ParseNonNegativeArg(ctx, ctx.args[++i], kCountNegative, &count)) return;
    } else if (EqualsIgnoreCase(option, "maxlen") && has_value) {
      if (!ParseNonNegativeArg(ctx, ctx.args[++i], kMaxlenNegative, &maxlen)) return;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  List* list = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &list)) return;
  if (list == nullptr) {
    if (count != -1) {
      ctx.reply.EmptyArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  const bool from_tail = rank < 0;
  // Redis negates the rank in a C long; RANK -9223372036854775808 stays negative there and so
  // accepts the first match. Skipping nothing reproduces that.
  const uint64_t skip = rank == INT64_MIN ? 0 : static_cast<uint64_t>(from_tail ? -rank : rank) - 1;
  const int64_t length = static_cast<int64_t>(list->size());
  std::vector<int64_t> found;
  uint64_t matches = 0;
  int64_t scanned = 0;
  list->ForEachWhile(from_tail, [&](std::string_view value) {
    if (maxlen != 0 && scanned >= maxlen) return false;
    const int64_t index = from_tail ? length - 1 - scanned : scanned;
    ++scanned;
    if (value != ctx.args[2]) return true;
    if (matches++ < skip) return true;
    found.push_back(index);
    // Without COUNT the first counted match ends the search; COUNT 0 means all matches.
    if (count == -1) return false;
    return count == 0 || static_cast<int64_t>(found.size()) < count;
  });
  if (count == -1) {
    if (found.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Integer(found[0]);
    }
    return;
  }
  ctx.reply.ArrayHeader(found.size());
  for (int64_t index : found) ctx.reply.Integer(index);
}

void MoveAndReply(CommandContext& ctx, bool from_left, bool to_left) {
  std::string moved;
  switch (LMoveGeneric(ctx.db, ctx.args[1], ctx.args[2], from_left, to_left, &moved)) {
    case MoveStatus::kMoved:
      NotifyListMoved(ctx, ctx.args[1], ctx.args[2], from_left, to_left,
                      ctx.db.Peek(ctx.args[1]) == nullptr);
      ctx.AddDirty();
      ctx.reply.Bulk(moved);
      return;
    case MoveStatus::kNoSource:
      ctx.reply.Null();
      return;
    case MoveStatus::kWrongType:
      ctx.reply.Error(errors::kWrongType);
      return;
  }
}

// LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>
void CmdLmove(CommandContext& ctx) {
  bool from_left = false;
  bool to_left = false;
  if (!ParseListEnd(ctx.args[3], &from_left) || !ParseListEnd(ctx.args[4], &to_left)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  MoveAndReply(ctx, from_left, to_left);
}

// RPOPLPUSH source destination
void CmdRpoplpush(CommandContext& ctx) { MoveAndReply(ctx, /*from_left=*/false, /*to_left=*/true); }

}  // namespace

bool ParseListEnd(std::string_view text, bool* left) {
  if (EqualsIgnoreCase(text, "left")) {
    *left = true;
    return true;
  }
  if (EqualsIgnoreCase(text, "right")) {
    *left = false;
    return true;
  }
  return false;
}

std::string ListPop(List& list, bool from_left) {
  return from_left ? list.PopFront() : list.PopBack();
}

void NotifyListPopped(CommandContext& ctx, std::string_view key, bool from_left, bool emptied) {
  NotifyKeyspaceEvent(ctx, kNotifyList, from_left ? "lpop" : "rpop", key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

void NotifyListMoved(CommandContext& ctx, std::string_view src, std::string_view dst,
                     bool from_left, bool to_left, bool source_emptied) {
  NotifyKeyspaceEvent(ctx, kNotifyList, to_left ? "lpush" : "rpush", dst);
  NotifyListPopped(ctx, src, from_left, source_emptied);
}

size_t ListPopToReply(Database& db, std::string_view key, List& list, bool from_left, size_t count,
                      ReplyBuilder& reply) {
  const size_t popped = std::min(count, list.size());
  reply.ArrayHeader(popped);
  for (size_t i = 0; i < popped; ++i) reply.Bulk(ListPop(list, from_left));
  if (list.empty()) db.Delete(key);
  return popped;
}

MoveStatus LMoveGeneric(Database& db, std::string_view src, std::string_view dst, bool from_left,
                        bool to_left, std::string* moved) {
  bool wrong_type = false;
  List* source = db.FindAs<List>(src, &wrong_type);
  if (wrong_type) return MoveStatus::kWrongType;
  if (source == nullptr) return MoveStatus::kNoSource;
  // The destination's type is checked before anything moves.
  List* target = db.FindAs<List>(dst, &wrong_type);
  if (wrong_type) return MoveStatus::kWrongType;
  // Redis signals the destination before the source (client-side caching's invalidations come
  // in that order); the source's signal follows (its deletion, or dispatch's).
  db.SignalModified(dst);
  *moved = ListPop(*source, from_left);
  if (target == nullptr) {
    Entry& entry = db.Add(dst, Value(std::make_unique<List>()));
    target = &ValueAs<List>(entry.value);
  }
  if (to_left) {
    target->PushFront(*moved);
  } else {
    target->PushBack(*moved);
  }
  // With src == dst the list is never empty here; an emptied distinct source goes.
  if (source->empty()) db.Delete(src);
  return MoveStatus::kMoved;
}

void RegisterListFamily(CommandTable& table) {
  const std::string push_complexity =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  table.Add({.name = "lpush",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLpush,
             .group = "list",
             .summary = "Prepend one or multiple elements to a list",
             .since = "1.0.0",
             .complexity = push_complexity});
  table.Add({.name = "rpush",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdRpush,
             .group = "list",
             .summary = "Append one or multiple elements to a list",
             .since = "1.0.0",
             .complexity = push_complexity});
  table.Add({.name = "lpushx",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLpushx,
             .group = "list",
             .summary = "Prepend an element to a list, only if the list exists",
             .since = "2.2.0",
             .complexity = push_complexity});
  table.Add({.name = "rpushx",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdRpushx,
             .group = "list",
             .summary = "Append an element to a list, only if the list exists",
             .since = "2.2.0",
             .complexity = push_complexity});
  table.Add({.name = "lpop",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLpop,
             .group = "list",
             .summary = "Remove and get the first elements in a list",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of elements returned"});
  table.Add({.name = "rpop",
             .arity = -2,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdRpop,
             .group = "list",
             .summary = "Remove and get the last elements in a list",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of elements returned"});
  table.Add({.name = "llen",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLlen,
             .group = "list",
             .summary = "Get the length of a list",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "lrange",
             .arity = 4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLrange,
             .group = "list",
             .summary = "Get a range of elements from a list",
             .since = "1.0.0",
             .complexity = "O(S+N) where S is the distance of start offset from HEAD for small "
                           "lists, from nearest end (HEAD or TAIL) for large lists; and N is the "
                           "number of elements in the specified range."});
  table.Add({.name = "lindex",
             .arity = 3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLindex,
             .group = "list",
             .summary = "Get an element from a list by its index",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of elements to traverse to get to the "
                           "element at index. This makes asking for the first or the last element "
                           "of the list O(1)."});
  table.Add({.name = "lset",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLset,
             .group = "list",
             .summary = "Set the value of an element in a list by its index",
             .since = "1.0.0",
             .complexity = "O(N) where N is the length of the list. Setting either the first or "
                           "the last element of the list is O(1)."});
  table.Add({.name = "lrem",
             .arity = 4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLrem,
             .group = "list",
             .summary = "Remove elements from a list",
             .since = "1.0.0",
             .complexity = "O(N+M) where N is the length of the list and M is the number of "
                           "elements removed."});
  table.Add({.name = "ltrim",
             .arity = 4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLtrim,
             .group = "list",
             .summary = "Trim a list to the specified range",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of elements to be removed by the "
                           "operation."});
  table.Add({.name = "linsert",
             .arity = 5,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLinsert,
             .group = "list",
             .summary = "Insert an element before or after another element in a list",
             .since = "2.2.0",
             .complexity = "O(N) where N is the number of elements to traverse before seeing the "
                           "value pivot. This means that inserting somewhere on the left end on "
                           "the list (head) can be considered O(1) and inserting somewhere on the "
                           "right end (tail) is O(N)."});
  table.Add({.name = "lpos",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdLpos,
             .group = "list",
             .summary = "Return the index of matching elements on a list",
             .since = "6.0.6",
             .complexity = "O(N) where N is the number of elements in the list, for the average "
                           "case. When searching for elements near the head or the tail of the "
                           "list, or when the MAXLEN option is provided, the command may run in "
                           "constant time."});
  table.Add({.name = "lmove",
             .arity = 5,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdLmove,
             .group = "list",
             .summary = "Pop an element from a list, push it to another list and return it",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "rpoplpush",
             .arity = 3,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdRpoplpush,
             .group = "list",
             .summary = "Remove the last element in a list, prepend it to another list and "
                        "return it",
             .since = "1.2.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
