#include "broker/pubsub/keyspace_events.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "broker/command/context.h"
#include "broker/engine.h"

namespace drayman {

bool ParseKeyspaceEventClasses(std::string_view classes, int* flags) {
  static constexpr std::pair<char, int> kLetters[] = {
      {'A', kNotifyAll},     {'g', kNotifyGeneric},  {'$', kNotifyString},   {'l', kNotifyList},
      {'s', kNotifySet},     {'h', kNotifyHash},     {'z', kNotifyZset},     {'x', kNotifyExpired},
      {'e', kNotifyEvicted}, {'K', kNotifyKeyspace}, {'E', kNotifyKeyevent}, {'t', kNotifyStream},
      {'m', kNotifyKeyMiss}, {'d', kNotifyModule},   {'n', kNotifyNew},
  };
  int parsed = 0;
  for (char c : classes) {
    const auto* found = std::find_if(std::begin(kLetters), std::end(kLetters),
                                     [c](const auto& letter) { return letter.first == c; });
    if (found == std::end(kLetters)) return false;
    parsed |= found->second;
  }
  *flags = parsed;
  return true;
}

std::string FormatKeyspaceEventClasses(int flags) {
  std::string classes;
  if ((flags & kNotifyAll) == kNotifyAll) {
    classes.push_back('A');
  } else {
    // Redis's order, which is not the parse table's.
    static constexpr std::pair<int, char> kOrder[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},    {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},   {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'}, {kNotifyNew, 'n'},
    };
    for (auto [flag, letter] : kOrder) {
      if (flags & flag) classes.push_back(letter);
    }
  }
  // 'n' is outside A, so "An" reports as "A": Redis 7.0.15 drops it the same way.
  if (flags & kNotifyKeyspace) classes.push_back('K');
  if (flags & kNotifyKeyevent) classes.push_back('E');
  if (flags & kNotifyKeyMiss) classes.push_back('m');
  return classes;
}

void NotifyKeyspaceEvent(Engine& engine, int event_class, std::string_view event,
                         std::string_view key, int db) {
  const int flags = engine.settings().notify_keyspace_events;
  if (!(flags & event_class) || !(flags & (kNotifyKeyspace | kNotifyKeyevent))) return;
  // "__keyspace@" and "__keyevent@" have the same length: one buffer, prefix rewritten.
  std::string channel = "__keyspace@" + std::to_string(db) + "__:";
  const size_t prefix_size = channel.size();
  if (flags & kNotifyKeyspace) {
    channel.append(key);
    engine.pubsub().Publish(channel, event);
  }
  if (flags & kNotifyKeyevent) {
    channel.replace(5, 5, "event");
    channel.resize(prefix_size);
    channel.append(event);
    engine.pubsub().Publish(channel, key);
  }
}

void NotifyKeyspaceEvent(CommandContext& ctx, int event_class, std::string_view event,
                         std::string_view key) {
  NotifyKeyspaceEvent(ctx.engine, event_class, event, key, ctx.db.index());
}

}  // namespace drayman
