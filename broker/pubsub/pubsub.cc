#include "broker/pubsub/pubsub.h"

#include <algorithm>
#include <charconv>

#include "broker/acl/acl.h"
#include "broker/base/errors.h"
#include "broker/base/glob.h"
#include "broker/base/numbers.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/pubsub/output_limits.h"
#include "broker/resp/repr.h"

namespace drayman {

namespace {


using NameSet = absl::flat_hash_set<std::string_view>;

// Debian's Abseil has its own string_view; its string hash takes only that one.
absl::string_view Key(std::string_view name) { return absl::string_view(name.data(), name.size()); }

NameSet& ClientSet(Client& client, PubSub::Kind kind) {
  switch (kind) {
    case PubSub::Kind::kChannel:
      return client.pubsub.channels;
    case PubSub::Kind::kPattern:
      return client.pubsub.patterns;
    case PubSub::Kind::kShard:
      break;
  }
  return client.pubsub.shard_channels;
}

void AppendNumber(std::string& out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void AppendBulk(std::string& out, std::string_view value) {
  out.push_back('$');
  AppendNumber(out, static_cast<int64_t>(value.size()));
  out.append("\r\n");
  out.append(value);
  out.append("\r\n");
}

// One pub/sub frame as a RESP2 array: [kind, fields...].
std::string EncodeFrame(std::string_view kind, std::initializer_list<std::string_view> fields) {
  size_t size = 32 + kind.size();
  for (std::string_view field : fields) size += field.size() + 16;
  std::string frame;
  frame.reserve(size);
  frame.push_back('*');
  AppendNumber(frame, static_cast<int64_t>(fields.size() + 1));
  frame.append("\r\n");
  AppendBulk(frame, kind);
  for (std::string_view field : fields) AppendBulk(frame, field);
  return frame;
}

// Which arguments Redis's handlers replace with "(redacted)": AUTH's when its syntax is valid
// (2 or 3 words), HELLO's AUTH pairs up to the first option error (after a valid version).
std::vector<bool> RedactedArgs(const std::vector<std::string>& args) {
  std::vector<bool> redacted(args.size(), false);
  if (args.empty()) return redacted;
  if (EqualsIgnoreCase(args[0], "auth")) {
    if (args.size() <= 3) std::fill(redacted.begin() + 1, redacted.end(), true);
  } else if (EqualsIgnoreCase(args[0], "hello") && args.size() >= 2) {
    int64_t version = 0;
    if (!ParseInt64(args[1], &version) || version < 2 || version > 3) return redacted;
    for (size_t j = 2; j < args.size(); ++j) {
      const size_t more = args.size() - 1 - j;
      if (EqualsIgnoreCase(args[j], "auth") && more >= 2) {
        redacted[j + 1] = redacted[j + 2] = true;
        j += 2;
      } else if (EqualsIgnoreCase(args[j], "setname") && more >= 1) {
        ++j;
      } else {
        break;
      }
    }
  }
  return redacted;
}

template <typename Map>
void ShrinkIfEmpty(Map& map) {
  if constexpr (requires { map.rehash(0); }) {
    if (map.empty()) map.rehash(0);  // give back the bucket array of a mass unsubscribe
  }
}

}  // namespace

template <typename Map>
bool PubSub::AddTo(Map& map, Client& client, NameSet& mine, std::string_view name) {
  if (mine.contains(name)) return false;
  auto [it, inserted] = map.try_emplace(std::string(name));
  it->second.push_back(&client);
  mine.insert(std::string_view(it->first));
  return true;
}

template <typename Map>
void PubSub::RemoveFrom(Map& map, Client& client, NameSet& mine, std::string_view name,
                        absl::FunctionRef<void(std::string_view)> on_removed) {
  // `name` may be a view of the map's key: erase the node only after the callback.
  mine.erase(name);
  auto it = map.find(Key(name));
  if (it != map.end()) {
    Subscribers& subscribers = it->second;
    subscribers.erase(std::find(subscribers.begin(), subscribers.end(), &client));
  }
  on_removed(name);
  if (it != map.end() && it->second.empty()) map.erase(it);
}

template <typename Map>
void PubSub::RemoveAllFrom(Map& map, Client& client, NameSet& mine,
                           absl::FunctionRef<void(std::string_view)> on_removed) {
  std::vector<std::string_view> names(mine.begin(), mine.end());
  for (std::string_view name : names) RemoveFrom(map, client, mine, name, on_removed);
  NameSet().swap(mine);  // release the table of a large subscription set
  ShrinkIfEmpty(map);
}

bool PubSub::Subscribe(Client& client, Kind kind, std::string_view name) {
  NameSet& mine = ClientSet(client, kind);
  switch (kind) {
    case Kind::kChannel:
      return AddTo(channels_, client, mine, name);
    case Kind::kPattern:
      return AddTo(patterns_, client, mine, name);
    case Kind::kShard:
      break;
  }
  return AddTo(shard_channels_, client, mine, name);
}

bool PubSub::Unsubscribe(Client& client, Kind kind, std::string_view name) {
  NameSet& mine = ClientSet(client, kind);
  if (!mine.contains(name)) return false;
  auto ignore = [](std::string_view) {};
  switch (kind) {
    case Kind::kChannel:
      RemoveFrom(channels_, client, mine, name, ignore);
      break;
    case Kind::kPattern:
      RemoveFrom(patterns_, client, mine, name, ignore);
      break;
    case Kind::kShard:
      RemoveFrom(shard_channels_, client, mine, name, ignore);
      break;
  }
  return true;
}

void PubSub::UnsubscribeAll(Client& client, Kind kind,
                            absl::FunctionRef<void(std::string_view)> on_removed) {
  NameSet& mine = ClientSet(client, kind);
  switch (kind) {
    case Kind::kChannel:
      RemoveAllFrom(channels_, client, mine, on_removed);
      break;
    case Kind::kPattern:
      RemoveAllFrom(patterns_, client, mine, on_removed);
      break;
    case Kind::kShard:
      RemoveAllFrom(shard_channels_, client, mine, on_removed);
      break;
  }
}

void PubSub::RemoveClient(Client& client) {
  auto ignore = [](std::string_view) {};
  if (client.pubsub.subscribed()) {
    RemoveAllFrom(channels_, client, client.pubsub.channels, ignore);
    RemoveAllFrom(patterns_, client, client.pubsub.patterns, ignore);
    RemoveAllFrom(shard_channels_, client, client.pubsub.shard_channels, ignore);
  }
  RemoveMonitor(client);
}

void PubSub::Deliver(Client& target, std::string_view frame, bool push) {
  if (target.close_asap || target.close_after_reply) return;
  std::string& out = target.output();
  const size_t at = out.size();
  out.append(frame);
  if (push && target.protocol() == Protocol::kResp3) out[at] = '>';
  if (EnforceOutputLimits(target)) return;
  engine_.client_eviction().Update(target);  // evicted, if need be, when the publisher's input ends
  if (target.observer() != nullptr) target.observer()->OnOutputPending(target);
}

int64_t PubSub::Publish(std::string_view channel, std::string_view message) {
  int64_t receivers = 0;
  if (auto it = channels_.find(Key(channel)); it != channels_.end()) {
    const std::string frame = EncodeFrame("message", {channel, message});
    for (Client* subscriber : it->second) {
      Deliver(*subscriber, frame, /*push=*/true);
      ++receivers;
    }
  }
  for (const auto& [pattern, subscribers] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    const std::string frame = EncodeFrame("pmessage", {pattern, channel, message});
    for (Client* subscriber : subscribers) {
      Deliver(*subscriber, frame, /*push=*/true);
      ++receivers;
    }
  }
  ++messages_published_;
  if (receivers == 0) ++messages_unreceived_;
  return receivers;
}

int64_t PubSub::ShardPublish(std::string_view channel, std::string_view message) {
  ++messages_published_;
  auto it = shard_channels_.find(Key(channel));
  if (it == shard_channels_.end()) {
    ++messages_unreceived_;
    return 0;
  }
  const std::string frame = EncodeFrame("smessage", {channel, message});
  int64_t receivers = 0;
  for (Client* subscriber : it->second) {
    Deliver(*subscriber, frame, /*push=*/true);
    ++receivers;
  }
  if (receivers == 0) ++messages_unreceived_;
  return receivers;
}

std::vector<std::string_view> PubSub::ActiveChannels(Kind kind, std::string_view pattern) const {
  const ChannelMap& map = kind == Kind::kShard ? shard_channels_ : channels_;
  std::vector<std::string_view> names;
  for (const auto& [name, subscribers] : map) {
    if (pattern.empty() || GlobMatch(pattern, name)) names.push_back(name);
  }
  return names;
}

size_t PubSub::SubscriberCount(Kind kind, std::string_view channel) const {
  const ChannelMap& map = kind == Kind::kShard ? shard_channels_ : channels_;
  auto it = map.find(Key(channel));
  return it == map.end() ? 0 : it->second.size();
}

void PubSub::AddMonitor(Client& client) {
  if (client.pubsub.monitor) return;
  client.pubsub.monitor = true;
  monitors_.push_back(&client);
}

void PubSub::RemoveMonitor(Client& client) {
  if (!client.pubsub.monitor) return;
  client.pubsub.monitor = false;
  monitors_.erase(std::find(monitors_.begin(), monitors_.end(), &client));
}

std::string PubSub::FormatMonitorArgs(const std::vector<std::string>& args) {
  const std::vector<bool> redacted = RedactedArgs(args);
  std::string text;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) text.push_back(' ');
    AppendRepr(text, redacted[i] ? std::string_view("(redacted)") : std::string_view(args[i]));
  }
  return text;
}

void PubSub::FeedMonitors(Client& source, std::string_view formatted_args) {
  if (monitors_.empty()) return;
  const int64_t now_us = engine_.clock().NowUs();
  std::string line = "+";
  AppendNumber(line, now_us / 1000000);
  line.push_back('.');
  const std::string micros = std::to_string(now_us % 1000000);
  line.append(6 - micros.size(), '0');
  line.append(micros);
  line.append(" [");
  AppendNumber(line, source.db);
  line.push_back(' ');
  if (source.is_script_client) {
    line.append("lua");
  } else if (!source.addr.empty() && source.addr[0] == '/') {
    line.append("unix:");
    line.append(engine_.settings().unixsocket);
  } else {
    line.append(source.addr);
  }
  line.append("] ");
  line.append(formatted_args);
  line.append("\r\n");
  // A monitor can be killed (output limits) but not removed while we iterate: removal happens in
  // Engine::Disconnect, which the transport runs later.
  for (Client* monitor : monitors_) Deliver(*monitor, line, /*push=*/false);
}

std::string PubSub::Refusal(const Client& client, const CommandSpec& spec) {
  if (client.pubsub.subscribed() && client.protocol() == Protocol::kResp2 &&
      !(spec.flags & kCmdPubsubContext)) {
    return errors::NotInSubscribedContext(spec.full_name);
  }
  if (client.pubsub.monitor && (spec.flags & (kCmdWrite | kCmdReadonly | kCmdMayReplicate))) {
    return std::string(errors::kMonitorKeyspace);
  }
  return {};
}

bool PubSub::EnforceOutputLimits(Client& client) {
  if (client.close_asap) return true;
  if (!OutputLimitReached(client, engine_.settings(), engine_.clock().NowMs(),
                          engine_.acl().DefaultNeedsAuth())) {
    return false;
  }
  ++output_limit_disconnections_;
  engine_.Log(LogLevel::kWarning,
              "Client " + ClientInfoString(client, engine_.clock().NowMs()) +
                  " scheduled to be closed ASAP for overcoming of output buffer limits.");
  std::string().swap(client.output());  // the client is going away: free its backlog now
  engine_.KillClient(client, DisconnectCause::kOutputBufferLimit);
  return true;
}

}  // namespace drayman
