// List operations shared by the list commands (LPOP, RPOP, LMOVE, RPOPLPUSH, LMPOP) and the serve
// functions of their blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP), at once or when a
// waiter is served: a fix to a pop or a move is made here once.
//
// Contract: these functions change the keyspace and return results; they never reply (except
// ListPopToReply, whose job is the reply) and never signal keys. Callers that run through
// dispatch get their named keys signalled by it; code that serves a blocked client outside
// dispatch signals the source and destination itself. A list whose last element goes is deleted
// (Database::Delete signals WATCH for it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "broker/keyspace/database.h"
#include "broker/keyspace/list.h"
#include "broker/resp/reply_builder.h"

namespace drayman {

struct CommandContext;

// Parses LMOVE's LEFT / RIGHT (any case). Returns false for anything else (syntax error).
bool ParseListEnd(std::string_view text, bool* left);

// Pops one element from the head (from_left) or the tail. The list must not be empty.
std::string ListPop(List& list, bool from_left);

// Pops up to `count` (> 0) elements from one end of `list`, the value at `key`, and appends them
// as one array reply (LPOP/RPOP with a count, the inner array of LMPOP/BLMPOP); deletes `key`
// when the list empties. Returns how many were popped.
size_t ListPopToReply(Database& db, std::string_view key, List& list, bool from_left, size_t count,
                      ReplyBuilder& reply);

enum class MoveStatus {
  kMoved,                 // `*moved` holds the element
  kNoSource,              // `src` is missing: LMOVE replies null, BLMOVE blocks
  kSourceWrongType,       // `src` holds another type: LMOVE replies WRONGTYPE, BLMOVE's waiter
                          // is not served
  kDestinationWrongType,  // `dst` holds another type: WRONGTYPE, nothing moves
};

// LMOVE / RPOPLPUSH / BLMOVE core: checks that `src` is a list (or missing) and `dst` is a list
// or missing, then pops from `src`'s head (from_left) or tail and pushes onto `dst`'s head
// (to_left) or tail, creating `dst` and deleting an emptied `src`. `src == dst` rotates.
MoveStatus LMoveGeneric(Database& db, std::string_view src, std::string_view dst, bool from_left,
                        bool to_left, std::string* moved);

// Keyspace events (broker/pubsub/keyspace_events.h) in Redis 7.0's order. A pop: "lpop"/"rpop"
// on `key`, then "del" when it emptied the list.
void NotifyListPopped(CommandContext& ctx, std::string_view key, bool from_left, bool emptied);
// A move: "lpush"/"rpush" on `dst` (its "new" came from the keyspace), then the pop's events.
void NotifyListMoved(CommandContext& ctx, std::string_view src, std::string_view dst,
                     bool from_left, bool to_left, bool source_emptied);

}  // namespace drayman
