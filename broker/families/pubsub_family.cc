// PubSub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE,
// PUBLISH, SPUBLISH, PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB/HELP, and MONITOR.
// The registry and delivery live in broker/pubsub/pubsub.h; this file parses and replies.
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/pubsub/pubsub.h"

namespace drayman {

namespace {

// PUBSUB HELP, as redis-server 7.0.15 prints it (ReplyHelp adds the first line and HELP).
constexpr std::string_view kPubsubHelp[] = {
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
};

using Kind = PubSub::Kind;

// The count a confirmation carries: channels + patterns, or shard channels for the S forms.
int64_t ConfirmationCount(const Client& client, Kind kind) {
  return static_cast<int64_t>(kind == Kind::kShard ? client.pubsub.shard_channels.size()
                                                   : client.pubsub.count());
}

// [kind, name, count]: a push frame in RESP3, an array in RESP2; a null name for an empty
// no-argument unsubscribe.
// Written to the client's output even under CLIENT REPLY OFF/SKIP: Redis 7.0 pushes them.
void Confirm(CommandContext& ctx, std::string_view verb, const std::string_view* name, Kind kind) {
  const bool suppressed = ctx.client.reply_off || ctx.client.reply_skip;
  ReplyBuilder push(suppressed ? &ctx.client.output() : ctx.reply.output(), ctx.reply.protocol());
  push.PushHeader(3);
  push.Bulk(verb);
  if (name != nullptr) {
    push.Bulk(*name);
  } else {
    push.Null();
  }
  push.Integer(ConfirmationCount(ctx.client, kind));
}

void SubscribeGeneric(CommandContext& ctx, Kind kind, std::string_view verb) {
  PubSub& pubsub = ctx.engine.pubsub();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view name = ctx.args[i];
    pubsub.Subscribe(ctx.client, kind, name);
    Confirm(ctx, verb, &name, kind);
  }
}

void UnsubscribeGeneric(CommandContext& ctx, Kind kind, std::string_view verb) {
  PubSub& pubsub = ctx.engine.pubsub();
  if (ctx.args.size() == 1) {
    bool any = false;
    pubsub.UnsubscribeAll(ctx.client, kind, [&](std::string_view name) {
      any = true;
      Confirm(ctx, verb, &name, kind);
    });
    // Nothing subscribed: one confirmation with a null name, in and out of subscribed mode.
    if (!any) Confirm(ctx, verb, nullptr, kind);
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view name = ctx.args[i];
    pubsub.Unsubscribe(ctx.client, kind, name);
    Confirm(ctx, verb, &name, kind);
  }
}

// SUBSCRIBE channel [channel ...]
void CmdSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, Kind::kChannel, "subscribe"); }

// UNSUBSCRIBE [channel [channel ...]]
void CmdUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, Kind::kChannel, "unsubscribe"); }

// PSUBSCRIBE pattern [pattern ...]
void CmdPsubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, Kind::kPattern, "psubscribe"); }

// PUNSUBSCRIBE [pattern [pattern ...]]
void CmdPunsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Kind::kPattern, "punsubscribe");
}

// SSUBSCRIBE shardchannel [shardchannel ...]
void CmdSsubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, Kind::kShard, "ssubscribe"); }

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
void CmdSunsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, Kind::kShard, "sunsubscribe"); }

// PUBLISH channel message
void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.engine.pubsub().Publish(ctx.args[1], ctx.args[2]));
}

// SPUBLISH shardchannel message
void CmdSpublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.engine.pubsub().ShardPublish(ctx.args[1], ctx.args[2]));
}

void ChannelsGeneric(CommandContext& ctx, Kind kind) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntaxError(ctx.args[1], "pubsub"));
    return;
  }
  std::string_view pattern = ctx.args.size() == 3 ? std::string_view(ctx.args[2]) : "";
  std::vector<std::string_view> names = ctx.engine.pubsub().ActiveChannels(kind, pattern);
  ctx.reply.ArrayHeader(names.size());
  for (std::string_view name : names) ctx.reply.Bulk(name);
}

void NumsubGeneric(CommandContext& ctx, Kind kind) {
  // An array of name, count pairs in both protocols, as Redis 7.0 replies.
  ctx.reply.ArrayHeader((ctx.args.size() - 2) * 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Bulk(ctx.args[i]);
    ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().SubscriberCount(kind, ctx.args[i])));
  }
}

// PUBSUB CHANNELS [pattern]
void CmdPubsubChannels(CommandContext& ctx) { ChannelsGeneric(ctx, Kind::kChannel); }

// PUBSUB SHARDCHANNELS [pattern]
void CmdPubsubShardchannels(CommandContext& ctx) { ChannelsGeneric(ctx, Kind::kShard); }

// PUBSUB NUMSUB [channel [channel ...]]
void CmdPubsubNumsub(CommandContext& ctx) { NumsubGeneric(ctx, Kind::kChannel); }

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
void CmdPubsubShardnumsub(CommandContext& ctx) { NumsubGeneric(ctx, Kind::kShard); }

// PUBSUB NUMPAT
void CmdPubsubNumpat(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().pattern_count()));
}

// PUBSUB HELP
void CmdPubsubHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "PUBSUB", kPubsubHelp); }

// MONITOR
void CmdMonitor(CommandContext& ctx) {
  if (ctx.client.is_script_client || ctx.client.in_exec) {
    // A client that expects one reply per command cannot stream (Redis's DENY_BLOCKING, which
    // EXEC sets too).
    ctx.reply.Error(errors::kMonitorDenyBlocking);
    return;
  }
  // Already monitoring: Redis ignores the command without replying.
  if (ctx.client.pubsub.monitor) return;
  ctx.engine.pubsub().AddMonitor(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

void RegisterPubSubFamily(CommandTable& table) {
  constexpr uint32_t kSubscribeFlags =
      kCmdPubsub | kCmdNoscript | kCmdLoading | kCmdStale | kCmdPubsubContext;
  constexpr uint32_t kPublishFlags =
      kCmdPubsub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate;
  constexpr uint32_t kIntrospectionFlags = kCmdPubsub | kCmdLoading | kCmdStale;
  table.Add({.name = "subscribe",
             .arity = -2,
             .flags = kSubscribeFlags,
             .handler = CmdSubscribe,
             .group = "pubsub",
             .summary = "Listen for messages published to the given channels",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of channels to subscribe to."});
  table.Add({.name = "unsubscribe",
             .arity = -1,
             .flags = kSubscribeFlags,
             .handler = CmdUnsubscribe,
             .group = "pubsub",
             .summary = "Stop listening for messages posted to the given channels",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of clients already "
                           "subscribed to a channel."});
  table.Add({.name = "psubscribe",
             .arity = -2,
             .flags = kSubscribeFlags,
             .handler = CmdPsubscribe,
             .group = "pubsub",
             .summary = "Listen for messages published to channels matching the given patterns",
             .since = "2.0.0",
             .complexity = "O(N) where N is the number of patterns the client is already "
                           "subscribed to."});
  table.Add({.name = "punsubscribe",
             .arity = -1,
             .flags = kSubscribeFlags,
             .handler = CmdPunsubscribe,
             .group = "pubsub",
             .summary = "Stop listening for messages posted to channels matching the given "
                        "patterns",
             .since = "2.0.0",
             .complexity = "O(N+M) where N is the number of patterns the client is already "
                           "subscribed and M is the number of total patterns subscribed in the "
                           "system (by any client)."});
  table.Add({.name = "ssubscribe",
             .arity = -2,
             .flags = kSubscribeFlags,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSsubscribe,
             .group = "pubsub",
             .summary = "Listen for messages published to the given shard channels",
             .since = "7.0.0",
             .complexity = "O(N) where N is the number of shard channels to subscribe to."});
  table.Add({.name = "sunsubscribe",
             .arity = -1,
             .flags = kSubscribeFlags,
             .first_key = 1,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdSunsubscribe,
             .group = "pubsub",
             .summary = "Stop listening for messages posted to the given shard channels",
             .since = "7.0.0",
             .complexity = "O(N) where N is the number of clients already subscribed to a shard "
                           "channel."});
  table.Add({.name = "publish",
             .arity = 3,
             .flags = kPublishFlags,
             .handler = CmdPublish,
             .group = "pubsub",
             .summary = "Post a message to a channel",
             .since = "2.0.0",
             .complexity = "O(N+M) where N is the number of clients subscribed to the receiving "
                           "channel and M is the total number of subscribed patterns (by any "
                           "client)."});
  table.Add({.name = "spublish",
             .arity = 3,
             .flags = kPublishFlags,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSpublish,
             .group = "pubsub",
             .summary = "Post a message to a shard channel",
             .since = "7.0.0",
             .complexity = "O(N) where N is the number of clients subscribed to the receiving "
                           "shard channel."});
  table.Add({.name = "pubsub",
             .arity = -2,
             .group = "pubsub",
             .summary = "A container for Pub/Sub commands",
             .since = "2.8.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("pubsub", {.name = "channels",
                                 .arity = -2,
                                 .flags = kIntrospectionFlags,
                                 .handler = CmdPubsubChannels,
                                 .summary = "List active channels",
                                 .since = "2.8.0",
                                 .complexity = "O(N) where N is the number of active channels, "
                                               "and assuming constant time pattern matching "
                                               "(relatively short channels and patterns)"});
  table.AddSubcommand("pubsub", {.name = "numpat",
                                 .arity = 2,
                                 .flags = kIntrospectionFlags,
                                 .handler = CmdPubsubNumpat,
                                 .summary = "Get the count of unique patterns pattern "
                                            "subscriptions",
                                 .since = "2.8.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("pubsub", {.name = "numsub",
                                 .arity = -2,
                                 .flags = kIntrospectionFlags,
                                 .handler = CmdPubsubNumsub,
                                 .summary = "Get the count of subscribers for channels",
                                 .since = "2.8.0",
                                 .complexity = "O(N) for the NUMSUB subcommand, where N is the "
                                               "number of requested channels"});
  table.AddSubcommand("pubsub",
                      {.name = "shardchannels",
                       .arity = -2,
                       .flags = kIntrospectionFlags,
                       .handler = CmdPubsubShardchannels,
                       .summary = "List active shard channels",
                       .since = "7.0.0",
                       .complexity = "O(N) where N is the number of active shard channels, and "
                                     "assuming constant time pattern matching (relatively short "
                                     "shard channels)."});
  table.AddSubcommand("pubsub",
                      {.name = "shardnumsub",
                       .arity = -2,
                       .flags = kIntrospectionFlags,
                       .handler = CmdPubsubShardnumsub,
                       .summary = "Get the count of subscribers for shard channels",
                       .since = "7.0.0",
                       .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number "
                                     "of requested shard channels"});
  table.AddSubcommand("pubsub", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdPubsubHelp,
                                 .summary = "Show helpful text about "
                                            "the different subcommands",
                                 .since = "6.2.0",
                                 .complexity = "O(1)"});
  table.Add({.name = "monitor",
             .arity = 1,
             .flags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale,
             .handler = CmdMonitor,
             .group = "server",
             .summary = "Listen for all requests received by the server in real time",
             .since = "1.0.0",
             .complexity = ""});
}

}  // namespace drayman
