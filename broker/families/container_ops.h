// Command bodies shared by the hash, set and sorted-set families.
//
// Contract: RemoveMembersGeneric is HDEL/SREM/ZREM: it removes args[2...] from the container of
// type T at args[1] with `remove` (a member function returning whether the item was present),
// stops at the first argument that leaves the container empty and then deletes the key, as Redis
// does; counts one change per removed item and replies how many were removed (0 for a missing
// key, WRONGTYPE for another type). When something was removed it fires the keyspace event
// `event` of `event_class` ("hdel", "srem", "zrem"), then "del" if the key went.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

template <typename T>
void RemoveMembersGeneric(CommandContext& ctx, bool (T::*remove)(std::string_view), int event_class,
                          std::string_view event) {
  const std::string& key = ctx.args[1];
  T* container = nullptr;
  if (!ctx.LookupWrite(key, &container)) return;
  int64_t removed = 0;
  if (container != nullptr) {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if ((container->*remove)(ctx.args[i])) ++removed;
      if (container->empty()) break;
    }
    if (removed > 0) {
      NotifyKeyspaceEvent(ctx, event_class, event, key);
      if (container->empty()) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
    }
    ctx.DeleteIfEmpty(key, container);
  }
  ctx.AddDirty(removed);
  ctx.reply.Integer(removed);
}

}  // namespace drayman
