// List family: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LREM, LTRIM,
// LINSERT, LPOS, LMOVE, RPOPLPUSH, LMPOP, and the blocking forms BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP.
//
// A blocking command parses its arguments, then hands ServeOrBlock
// (broker/blocking/blocking_command.h) a serve function that pops from one key and replies; the
// same function serves the first attempt and every later wake-up, so a waiter gets exactly what
// the command would have answered at once.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/blocking/blocking_command.h"
#include "broker/command/context.h"
#include "broker/command/numkeys.h"
#include "broker/families/families.h"
#include "broker/families/index_range.h"
#include "broker/families/list_ops.h"

namespace drayman {

namespace {

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
        ctx.reply.Error(errors::kRankZero);
        return;
      }
    } else if (EqualsIgnoreCase(option, "count") && has_value) {
      if (!ParseNonNegativeArg(ctx, ctx.args[++i], errors::kCountNegative, &count)) return;
    } else if (EqualsIgnoreCase(option, "maxlen") && has_value) {
      if (!ParseNonNegativeArg(ctx, ctx.args[++i], errors::kMaxlenNegative, &maxlen)) return;
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
    case MoveStatus::kSourceWrongType:
    case MoveStatus::kDestinationWrongType:
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

// Propagation: blocking pops replay as the non-blocking pop they performed, in Redis 7.0's form
// (checked against its AOF): BLPOP -> LPOP key, BLMPOP -> LPOP key <popped>; LMPOP likewise.
std::string_view PopCommand(bool left) { return left ? "LPOP" : "RPOP"; }

// BLMOVE at wake-up: Redis 7.0 writes the directions in lower case (its shared "left"/"right").
std::string_view EndName(bool left) { return left ? "left" : "right"; }

// The list at `key` for a serve attempt: kWrongType / kNotReady, or kServed with *out set.
ServeResult FindNonEmptyList(CommandContext& ctx, std::string_view key, List** out) {
  bool wrong_type = false;
  *out = ctx.db.FindAs<List>(key, &wrong_type);
  if (wrong_type) return ServeResult::kWrongType;
  if (*out == nullptr || (*out)->empty()) return ServeResult::kNotReady;
  return ServeResult::kServed;
}

// BLPOP / BRPOP: [key, element] from the first non-empty key.
ServeFunction PopOne(bool left) {
  return [left](CommandContext& ctx, std::string_view key) {
    List* list = nullptr;
    if (ServeResult found = FindNonEmptyList(ctx, key, &list); found != ServeResult::kServed) {
      return found;
    }
    std::string value = ListPop(*list, left);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(value);
    ctx.AddDirty();
    NotifyListPopped(ctx, key, left, list->empty());
    ctx.DeleteIfEmpty(key, list);
    ctx.PropagateAs({PopCommand(left), key});
    return ServeResult::kServed;
  };
}

// BLMOVE / BRPOPLPUSH replay as LMOVE / RPOPLPUSH. Redis 7.0 keeps BLMOVE's directions as sent
// when it moves at once, and writes its own lower-case ones for a move at wake-up.
void PropagateMove(CommandContext& ctx, std::string_view source, std::string_view destination,
                   bool from_left, bool to_left) {
  if (ctx.spec.full_name == "brpoplpush") {
    ctx.PropagateAs({"RPOPLPUSH", source, destination});
  } else if (ctx.serving_blocked) {
    ctx.PropagateAs({"LMOVE", source, destination, EndName(from_left), EndName(to_left)});
  } else {
    ctx.PropagateAs({"LMOVE", source, destination, ctx.args[3], ctx.args[4]});
  }
}

// BLMOVE / BRPOPLPUSH: LMOVE's move from the source to `destination`, replying the element. A
// source of the wrong type is not served (the waiter stays for the next push); a destination of
// the wrong type answers WRONGTYPE and moves nothing, waking or not (Redis 7.0).
ServeFunction MoveOne(std::string destination, bool from_left, bool to_left) {
  return [destination = std::move(destination), from_left, to_left](CommandContext& ctx,
                                                                    std::string_view key) {
    std::string value;
    switch (LMoveGeneric(ctx.db, key, destination, from_left, to_left, &value)) {
      case MoveStatus::kNoSource:
        return ServeResult::kNotReady;
      case MoveStatus::kSourceWrongType:
        return ServeResult::kWrongType;
      case MoveStatus::kDestinationWrongType:
        ctx.reply.Error(errors::kWrongType);
        return ServeResult::kServed;
      case MoveStatus::kMoved:
        break;
    }
    ctx.AddDirty();
    NotifyListMoved(ctx, key, destination, from_left, to_left, ctx.db.Peek(key) == nullptr);
    ctx.reply.Bulk(value);
    if (ctx.propagating()) PropagateMove(ctx, key, destination, from_left, to_left);
    return ServeResult::kServed;
  };
}

// BLMPOP: [key, [element ...]] with up to `count` elements from the first non-empty key.
ServeFunction PopMany(bool left, int64_t count) {
  return [left, count](CommandContext& ctx, std::string_view key) {
    List* list = nullptr;
    if (ServeResult found = FindNonEmptyList(ctx, key, &list); found != ServeResult::kServed) {
      return found;
    }
    const bool emptied = static_cast<size_t>(count) >= list->size();
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    const size_t popped =
        ListPopToReply(ctx.db, key, *list, left, static_cast<size_t>(count), ctx.reply);
    ctx.AddDirty(static_cast<int64_t>(popped));
    NotifyListPopped(ctx, key, left, emptied);
    if (ctx.propagating()) ctx.PropagateAs({PopCommand(left), key, std::to_string(popped)});
    return ServeResult::kServed;
  };
}

void BlockingPop(CommandContext& ctx, bool left) {
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args.back(), &deadline_ms)) return;
  std::vector<std::string> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  ServeOrBlock(ctx, keys, deadline_ms, PopOne(left));
}

// BLPOP key [key ...] timeout
void CmdBlpop(CommandContext& ctx) { BlockingPop(ctx, /*left=*/true); }

// BRPOP key [key ...] timeout
void CmdBrpop(CommandContext& ctx) { BlockingPop(ctx, /*left=*/false); }

void BlockingMove(CommandContext& ctx, bool from_left, bool to_left, std::string_view timeout) {
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, timeout, &deadline_ms)) return;
  ServeOrBlock(ctx, {ctx.args[1]}, deadline_ms, MoveOne(ctx.args[2], from_left, to_left),
               DenyReply::kNull);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void CmdBlmove(CommandContext& ctx) {
  bool from_left = false;
  bool to_left = false;
  if (!ParseListEnd(ctx.args[3], &from_left) || !ParseListEnd(ctx.args[4], &to_left)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  BlockingMove(ctx, from_left, to_left, ctx.args[5]);
}

// BRPOPLPUSH source destination timeout
void CmdBrpoplpush(CommandContext& ctx) {
  BlockingMove(ctx, /*from_left=*/false, /*to_left=*/true, ctx.args[3]);
}

// numkeys as Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) reads it; 0 when invalid.
int64_t ParseNumkeys(std::string_view text) {
  int64_t numkeys = 0;
  if (!ParseInt64(text, &numkeys) || numkeys < 1) return 0;
  return numkeys;
}

// The shared tail of LMPOP and BLMPOP from numkeys on: parses `numkeys key [key ...]
// LEFT|RIGHT [COUNT count]` starting at args[numkeys_index]; replies the error and returns false
// when the arguments are invalid.
bool ParseMultiPop(CommandContext& ctx, size_t numkeys_index, std::vector<std::string>* keys,
                   bool* left, int64_t* count) {
  const int64_t numkeys = ParseNumkeys(ctx.args[numkeys_index]);
  if (numkeys == 0) {
    ctx.reply.Error(errors::kNumkeysNotPositive);
    return false;
  }
  const size_t argc = ctx.args.size();
  const size_t first_key = numkeys_index + 1;
  if (static_cast<uint64_t>(numkeys) >= argc - first_key) {  // no room for keys and LEFT|RIGHT
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  const size_t where_index = first_key + static_cast<size_t>(numkeys);
  if (!ParseListEnd(ctx.args[where_index], left)) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  *count = -1;
  for (size_t i = where_index + 1; i < argc; ++i) {
    if (*count == -1 && EqualsIgnoreCase(ctx.args[i], "count") && i + 1 < argc) {
      ++i;
      if (!ParseInt64(ctx.args[i], count) || *count < 1) {
        ctx.reply.Error(errors::kCountNotPositive);
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  keys->assign(ctx.args.begin() + static_cast<std::ptrdiff_t>(first_key),
               ctx.args.begin() + static_cast<std::ptrdiff_t>(where_index));
  return true;
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdBlmpop(CommandContext& ctx) {
  std::vector<std::string> keys;
  bool left = true;
  int64_t count = 1;
  if (!ParseMultiPop(ctx, 2, &keys, &left, &count)) return;
  int64_t deadline_ms = 0;
  if (!ParseBlockingTimeout(ctx, ctx.args[1], &deadline_ms)) return;
  ServeOrBlock(ctx, keys, deadline_ms, PopMany(left, count));
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void CmdLmpop(CommandContext& ctx) {
  std::vector<std::string> keys;
  bool left = true;
  int64_t count = 1;
  if (!ParseMultiPop(ctx, 1, &keys, &left, &count)) return;
  ServeOrNull(ctx, keys, PopMany(left, count));
}

// LMPOP's keys: numkeys at index 1, the keys after it.
std::vector<int> LmpopKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 1);
}

// BLMPOP's keys: numkeys at index 2, the keys after it.
std::vector<int> BlmpopKeys(const std::vector<std::string>& args) {
  return NumkeysKeyIndexes(args, 2);
}

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
  if (wrong_type) return MoveStatus::kSourceWrongType;
  if (source == nullptr || source->empty()) return MoveStatus::kNoSource;
  // The destination's type is checked before anything moves.
  List* target = db.FindAs<List>(dst, &wrong_type);
  if (wrong_type) return MoveStatus::kDestinationWrongType;
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
  table.Add({.name = "blpop",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBlpop,
             .group = "list",
             .summary = "Remove and get the first element in a list, or block until one is "
                        "available",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of provided keys."});
  table.Add({.name = "brpop",
             .arity = -3,
             .flags = kCmdWrite | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = -2,
             .key_step = 1,
             .handler = CmdBrpop,
             .group = "list",
             .summary = "Remove and get the last element in a list, or block until one is "
                        "available",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of provided keys."});
  table.Add({.name = "blmove",
             .arity = 6,
             .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdBlmove,
             .group = "list",
             .summary = "Pop an element from a list, push it to another list and return it; or "
                        "block until one is available",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "brpoplpush",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom | kCmdNoscript | kCmdBlocking,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdBrpoplpush,
             .group = "list",
             .summary = "Pop an element from a list, push it to another list and return it; or "
                        "block until one is available",
             .since = "2.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "lmpop",
             .arity = -4,
             .flags = kCmdWrite | kCmdMovableKeys,
             .handler = CmdLmpop,
             .get_keys = LmpopKeys,
             .group = "list",
             .summary = "Pop elements from a list",
             .since = "7.0.0",
             .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                           "elements returned."});
  table.Add({.name = "blmpop",
             .arity = -5,
             .flags = kCmdWrite | kCmdBlocking | kCmdMovableKeys,
             .handler = CmdBlmpop,
             .get_keys = BlmpopKeys,
             .group = "list",
             .summary = "Pop elements from a list, or block until one is available",
             .since = "7.0.0",
             .complexity = "O(N+M) where N is the number of provided keys and M is the number of "
                           "elements returned."});
}

}  // namespace drayman
