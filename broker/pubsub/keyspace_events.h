// Keyspace notifications: Redis's `notify-keyspace-events`, published through PubSub.
//
// Contract: a command (or expiry, or the evictor) that changes a key calls NotifyKeyspaceEvent
// once per event, with the event's class and Redis 7.0's event name, at the point where Redis
// fires it (after the change; `del` after the command's own event when a container empties;
// `new` from the keyspace when a key is created, before the command's event). When the class is
// enabled it publishes `__keyspace@<db>__:<key>` with the event name as message (if K is set),
// then `__keyevent@<db>__:<event>` with the key as message (if E is set), as Redis's notify.c
// does. With notifications off (the default, flags 0) the call is one load and one test: no
// allocation, no formatting. Events fire inside MULTI/EXEC and scripts as the commands run, and
// from blocked clients served at wake-up. Keys and names are binary safe.
//
// Adding events for a new family is one line per event (the stream commands do it so), e.g.
//   NotifyKeyspaceEvent(ctx, kNotifyStream, "xadd", key);
// and nothing else: kNotifyStream ('t') is already parsed, formatted and part of 'A'.
//
// Class flags are Redis's bit values (server.h), so 'A' and CONFIG GET's canonical string are
// computed exactly as keyspaceEventsStringToFlags/keyspaceEventsFlagsToString do.
#pragma once

#include <string>
#include <string_view>

namespace drayman {

class Engine;
struct CommandContext;

enum KeyspaceEventClass : int {
  kNotifyKeyspace = 1 << 0,  // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1 << 1,  // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1 << 2,   // g: del, expire, rename_*, ...
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not part of A)
  kNotifyModule = 1 << 13,   // d (no modules here: accepted, never fired)
  kNotifyNew = 1 << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Parses a class string ("KEA", "Ex", ""); false on a character that is no class.
bool ParseKeyspaceEventClasses(std::string_view classes, int* flags);
// The canonical string CONFIG GET reports ("AKE" for "KEA", "gxKE" for "Egx").
std::string FormatKeyspaceEventClasses(int flags);

// Publishes `event` for `key` in database `db` if `event_class` is enabled.
void NotifyKeyspaceEvent(Engine& engine, int event_class, std::string_view event,
                         std::string_view key, int db);
// The same for a command: the key is in the command's database.
void NotifyKeyspaceEvent(CommandContext& ctx, int event_class, std::string_view event,
                         std::string_view key);

}  // namespace drayman
