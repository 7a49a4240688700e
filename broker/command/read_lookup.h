// Untyped read lookups, for commands that accept a key of any type (EXISTS, TYPE, TTL, OBJECT,
// COPY, MGET, and ZUNION/ZINTER/ZDIFF, whose inputs may be sets or sorted sets).
//
// Contract: ReadLookup is Redis's lookupKeyRead: it applies lazy expiry, records the access
// (unless `touch` is false: LOOKUP_NOTOUCH, which leaves OBJECT IDLETIME alone), counts a
// keyspace hit or miss, and returns the entry or nullptr. Lookups of one expected type use
// CommandContext::LookupRead, which counts the same way and answers WRONGTYPE.
#pragma once

#include <string_view>

#include "broker/command/context.h"
#include "broker/keyspace/database.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

inline Entry* ReadLookup(CommandContext& ctx, std::string_view key, bool touch = true) {
  Entry* entry = touch ? ctx.db.Find(key) : ctx.db.FindNoTouch(key);
  if (entry) {
    ++ctx.keyspace.keyspace_hits;
  } else {
    ++ctx.keyspace.keyspace_misses;
    NotifyKeyspaceEvent(ctx, kNotifyKeyMiss, "keymiss", key);
  }
  return entry;
}

}  // namespace drayman
