// Stream consumer-group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER,
// HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO (STREAM [FULL], GROUPS, CONSUMERS, HELP),
// as Redis 7.0.15's t_stream.c answers them. XCLAIM/XAUTOCLAIM propagate as XCLAIM ... FORCE
// JUSTID LASTID per claimed (or dropped) entry, never as received.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/families/families.h"
#include "broker/families/stream_ops.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace {

using stream_ops::ParseIdOrReply;
using stream_ops::ParseIntervalIdOrReply;
using stream_ops::ParseLongLongOrReply;
using stream_ops::ReplyId;

// XGROUP <subcommand> ... (one handler for every subcommand, as Redis's xgroupCommand).
void CmdXgroup(CommandContext& ctx) {
  const auto& argv = ctx.args;
  const std::string& opt = argv[1];
  Stream* stream = nullptr;
  StreamGroup* group = nullptr;
  bool mkstream = false;
  int64_t entries_read = -1;
  const bool create = EqualsIgnoreCase(opt, "CREATE");
  const bool setid = EqualsIgnoreCase(opt, "SETID");
  if (argv.size() >= 4) {
    for (size_t i = 5; i < argv.size();) {
      if (create && EqualsIgnoreCase(argv[i], "MKSTREAM")) {
        mkstream = true;
        ++i;
      } else if ((create || setid) && EqualsIgnoreCase(argv[i], "ENTRIESREAD") &&
                 i + 1 < argv.size()) {
        if (!ParseLongLongOrReply(ctx, argv[i + 1], &entries_read)) return;
        if (entries_read < 0 && entries_read != -1) {
          ctx.reply.Error(errors::kEntriesReadRange);
          return;
        }
        i += 2;
      } else {
        ctx.reply.Error(errors::SubcommandSyntaxError(opt, "XGROUP"));
        return;
      }
    }
    if (!ctx.LookupWrite(argv[2], &stream)) return;
  }
  if (argv.size() >= 4 && !mkstream) {
    if (stream == nullptr) {
      ctx.reply.Error(errors::kXgroupNeedsKey);
      return;
    }
    group = stream->FindGroup(argv[3]);
    if (group == nullptr && (setid || EqualsIgnoreCase(opt, "CREATECONSUMER") ||
                             EqualsIgnoreCase(opt, "DELCONSUMER"))) {
      ctx.reply.Error(errors::NoSuchConsumerGroup(argv[3], argv[2]));
      return;
    }
  }
  if (argv.size() == 2 && EqualsIgnoreCase(opt, "HELP")) {
    ctx.reply.Help(
        "XGROUP",
        {"CREATE <key> <groupname> <id|$> [option]",
         "    Create a new consumer group. Options are:", "    * MKSTREAM",
         "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
         "      Set the group's entries_read counter (internal use).",
         "CREATECONSUMER <key> <groupname> <consumer>",
         "    Create a new consumer in the specified group.",
         "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
         "DESTROY <key> <groupname>", "    Remove the specified group.",
         "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
         "    Set the current group ID and entries_read counter."});
  } else if (create && argv.size() >= 5 && argv.size() <= 8) {
    StreamId id;
    if (argv[4] == "$") {
      id = stream ? stream->last_id() : StreamId{};
    } else if (!ParseIdOrReply(ctx, argv[4], 0, true, &id)) {
      return;
    }
    if (stream == nullptr) {
      Entry& entry = ctx.db.Add(argv[2], Value(std::make_unique<Stream>()));
      stream = &entry.value.stream();
      ctx.AddDirty();  // Redis signals the new key modified; dirty covers it here
    }
    if (stream->CreateGroup(argv[3], id, entries_read) != nullptr) {
      ctx.reply.Ok();
      ctx.AddDirty();
      NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-create", argv[2]);
    } else {
      ctx.reply.Error(errors::kBusyGroup);
    }
  } else if (setid && (argv.size() == 5 || argv.size() == 7)) {
    StreamId id;
    if (argv[4] == "$") {
      id = stream->last_id();
    } else if (!ParseIdOrReply(ctx, argv[4], 0, false, &id)) {
      return;
    }
    group->last_id = id;
    group->entries_read = entries_read;
    ctx.reply.Ok();
    ctx.AddDirty();
    NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-setid", argv[2]);
  } else if (EqualsIgnoreCase(opt, "DESTROY") && argv.size() == 4) {
    if (group != nullptr) {
      stream->groups().erase(argv[3]);
      ctx.reply.Integer(1);
      ctx.AddDirty();  // also wakes XREADGROUP readers of the group (NOGROUP)
      NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-destroy", argv[2]);
    } else {
      ctx.reply.Integer(0);
    }
  } else if (EqualsIgnoreCase(opt, "CREATECONSUMER") && argv.size() == 5) {
    const bool created = group->CreateConsumer(argv[4], ctx.now_ms) != nullptr;
    if (created) {
      ctx.AddDirty();
      NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-createconsumer", argv[2]);
    }
    ctx.reply.Integer(created ? 1 : 0);
  } else if (EqualsIgnoreCase(opt, "DELCONSUMER") && argv.size() == 5) {
    int64_t pending = 0;
    if (group->FindConsumer(argv[4]) != nullptr) {
      pending = static_cast<int64_t>(group->DeleteConsumer(argv[4]));
      ctx.AddDirty();
      NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-delconsumer", argv[2]);
    }
    ctx.reply.Integer(pending);
  } else {
    ctx.reply.Error(errors::SubcommandSyntaxError(opt, "XGROUP"));
  }
}

// XACK key group id [id ...]
void CmdXack(CommandContext& ctx) {
  Stream* stream = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &stream)) return;
  StreamGroup* group = stream ? stream->FindGroup(ctx.args[2]) : nullptr;
  if (group == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  std::vector<StreamId> ids(ctx.args.size() - 3);
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    if (!ParseIdOrReply(ctx, ctx.args[j], 0, true, &ids[j - 3])) return;
  }
  int64_t acknowledged = 0;
  for (const StreamId& id : ids) {
    auto it = group->pel.find(id);
    if (it == group->pel.end()) continue;
    it->second.consumer->pel.erase(id);
    group->pel.erase(it);
    ++acknowledged;
  }
  ctx.AddDirty(acknowledged);
  ctx.reply.Integer(acknowledged);
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
void CmdXpending(CommandContext& ctx) {
  const auto& argv = ctx.args;
  const bool just_info = argv.size() == 3;
  StreamId start, end;
  int64_t count = 0, min_idle = 0;
  const std::string* consumer_name = nullptr;
  if (argv.size() != 3 && (argv.size() < 6 || argv.size() > 9)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (argv.size() >= 6) {
    size_t start_index = 3;
    if (EqualsIgnoreCase(argv[3], "IDLE")) {
      if (!ParseLongLongOrReply(ctx, argv[4], &min_idle)) return;
      if (argv.size() < 8) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
      start_index += 2;
    }
    if (!ParseLongLongOrReply(ctx, argv[start_index + 2], &count)) return;
    if (count < 0) count = 0;
    bool start_ex = false, end_ex = false;
    if (!ParseIntervalIdOrReply(ctx, argv[start_index], 0, &start, &start_ex)) return;
    if (start_ex && !start.Increment()) {
      ctx.reply.Error(errors::kInvalidStartId);
      return;
    }
    if (!ParseIntervalIdOrReply(ctx, argv[start_index + 1], UINT64_MAX, &end, &end_ex)) return;
    if (end_ex && !end.Decrement()) {
      ctx.reply.Error(errors::kInvalidEndId);
      return;
    }
    if (start_index + 3 < argv.size()) consumer_name = &argv[start_index + 3];
  }
  Stream* stream = nullptr;
  if (!ctx.LookupRead(argv[1], &stream)) return;
  StreamGroup* group = stream ? stream->FindGroup(argv[2]) : nullptr;
  if (group == nullptr) {
    ctx.reply.Error(errors::NoGroupForKey(argv[1], argv[2]));
    return;
  }
  if (just_info) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Integer(static_cast<int64_t>(group->pel.size()));
    if (group->pel.empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ReplyId(ctx.reply, group->pel.begin()->first);
    ReplyId(ctx.reply, group->pel.rbegin()->first);
    size_t with_pending = 0;
    for (const auto& [name, consumer] : group->consumers) with_pending += !consumer->pel.empty();
    ctx.reply.ArrayHeader(with_pending);
    for (const auto& [name, consumer] : group->consumers) {
      if (consumer->pel.empty()) continue;
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(name);
      ctx.reply.Bulk(std::to_string(consumer->pel.size()));
    }
    return;
  }
  StreamConsumer* consumer = nullptr;
  if (consumer_name != nullptr) {
    consumer = group->FindConsumer(*consumer_name);
    if (consumer == nullptr) {
      ctx.reply.EmptyArray();
      return;
    }
  }
  std::string body;
  ReplyBuilder rows(&body, ctx.reply.protocol());
  size_t emitted = 0;
  auto emit = [&](const StreamId& id, const StreamNack& nack) {
    if (id > end || count == 0) return false;
    if (min_idle && ctx.now_ms - nack.delivery_time < min_idle) return true;
    ++emitted;
    --count;
    rows.ArrayHeader(4);
    ReplyId(rows, id);
    rows.Bulk(nack.consumer->name);
    rows.Integer(std::max<int64_t>(0, ctx.now_ms - nack.delivery_time));
    rows.Integer(static_cast<int64_t>(nack.delivery_count));
    return true;
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pel.lower_bound(start); it != consumer->pel.end(); ++it) {
      if (!emit(it->first, *it->second)) break;
    }
  } else {
    for (auto it = group->pel.lower_bound(start); it != group->pel.end(); ++it) {
      if (!emit(it->first, it->second)) break;
    }
  }
  ctx.reply.ArrayHeader(emitted);
  ctx.reply.Raw(body);
}

// Moves a pending entry to `consumer` (removing it from its previous owner's PEL).
void ChangeOwner(StreamGroup& group, const StreamId& id, StreamNack& nack,
                 StreamConsumer* consumer) {
  (void)group;
  if (nack.consumer == consumer) return;
  if (nack.consumer != nullptr) nack.consumer->pel.erase(id);
  nack.consumer = consumer;
  consumer->pel[id] = &nack;
}

// Replies with one entry read from the stream (it exists: callers checked).
void ReplyOneEntry(ReplyBuilder& reply, const Stream& stream, const StreamId& id) {
  stream.Range(id, id, false, [&](const Stream::EntryView& entry) {
    stream_ops::ReplyEntry(reply, entry);
    return false;
  });
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n]
//        [FORCE] [JUSTID] [LASTID id]
void CmdXclaim(CommandContext& ctx) {
  ctx.SuppressPropagation();
  const auto& argv = ctx.args;
  Stream* stream = nullptr;
  if (!ctx.LookupRead(argv[1], &stream)) return;
  StreamGroup* group = stream ? stream->FindGroup(argv[2]) : nullptr;
  if (group == nullptr) {
    ctx.reply.Error(errors::NoGroupForKey(argv[1], argv[2]));
    return;
  }
  int64_t min_idle = 0;
  if (!ParseLongLongOrReply(ctx, argv[4], &min_idle, errors::kXclaimMinIdle)) {
    return;
  }
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < argv.size(); ++j) {
    StreamId id;
    if (!ParseStreamId(argv[j], 0, true, &id)) break;
    ids.push_back(id);
  }
  const size_t last_id_arg = j - 1;
  const int64_t now = ctx.now_ms;
  int64_t retry_count = -1, delivery_time = -1;
  bool force = false, justid = false, propagate_last_id = false;
  StreamId last_id;
  for (; j < argv.size(); ++j) {
    const size_t more = argv.size() - 1 - j;
    const std::string& opt = argv[j];
    if (EqualsIgnoreCase(opt, "FORCE")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "IDLE") && more) {
      ++j;
      if (!ParseLongLongOrReply(ctx, argv[j], &delivery_time, errors::kXclaimIdle)) {
        return;
      }
      delivery_time = now - delivery_time;
    } else if (EqualsIgnoreCase(opt, "TIME") && more) {
      ++j;
      if (!ParseLongLongOrReply(ctx, argv[j], &delivery_time, errors::kXclaimTime)) {
        return;
      }
    } else if (EqualsIgnoreCase(opt, "RETRYCOUNT") && more) {
      ++j;
      if (!ParseLongLongOrReply(ctx, argv[j], &retry_count, errors::kXclaimRetrycount)) {
        return;
      }
    } else if (EqualsIgnoreCase(opt, "LASTID") && more) {
      ++j;
      if (!ParseIdOrReply(ctx, argv[j], 0, true, &last_id)) return;
    } else {
      ctx.reply.Error(errors::UnrecognizedXclaimOption(opt));
      return;
    }
  }
  if (last_id > group->last_id) {
    group->last_id = last_id;
    propagate_last_id = true;
  }
  if (delivery_time != -1) {
    if (delivery_time < 0 || delivery_time > now) delivery_time = now;
  } else {
    delivery_time = now;
  }
  StreamConsumer* consumer = nullptr;
  std::string body;
  ReplyBuilder rows(&body, ctx.reply.protocol());
  size_t emitted = 0;
  for (size_t k = 5; k <= last_id_arg; ++k) {
    const StreamId id = ids[k - 5];
    auto it = group->pel.find(id);
    if (!stream->Contains(id)) {
      if (it != group->pel.end()) {
        stream_ops::PropagateXclaim(ctx, argv[1], argv[2], *group, argv[k], it->second);
        propagate_last_id = false;
        ctx.AddDirty();
        it->second.consumer->pel.erase(id);
        group->pel.erase(it);
      }
      continue;
    }
    if (force && it == group->pel.end()) {
      it = group->pel.try_emplace(id).first;
      it->second.delivery_time = now;
      it->second.delivery_count = 1;
      it->second.consumer = nullptr;
    }
    if (it == group->pel.end()) continue;
    StreamNack& nack = it->second;
    if (nack.consumer != nullptr && min_idle && now - nack.delivery_time < min_idle) continue;
    if (consumer == nullptr) {
      bool created = false;
      consumer = stream_ops::LookupOrCreateConsumer(ctx, argv[1], *group, argv[3], &created);
    }
    const bool moving = nack.consumer != consumer;
    if (moving && nack.consumer != nullptr) nack.consumer->pel.erase(id);
    nack.delivery_time = delivery_time;
    if (retry_count >= 0) {
      nack.delivery_count = static_cast<uint64_t>(retry_count);
    } else if (!justid) {
      ++nack.delivery_count;
    }
    if (moving) {
      consumer->pel[id] = &nack;
      nack.consumer = consumer;
    }
    if (justid) {
      ReplyId(rows, id);
    } else {
      ReplyOneEntry(rows, *stream, id);
    }
    ++emitted;
    stream_ops::PropagateXclaim(ctx, argv[1], argv[2], *group, argv[k], nack);
    propagate_last_id = false;
    ctx.AddDirty();
  }
  if (propagate_last_id) {
    stream_ops::PropagateGroupSetId(ctx, argv[1], argv[2], *group);
    ctx.AddDirty();
  }
  ctx.reply.ArrayHeader(emitted);
  ctx.reply.Raw(body);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void CmdXautoclaim(CommandContext& ctx) {
  ctx.SuppressPropagation();
  const auto& argv = ctx.args;
  int64_t min_idle = 0;
  if (!ParseLongLongOrReply(ctx, argv[4], &min_idle, errors::kXautoclaimMinIdle)) {
    return;
  }
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  bool start_ex = false;
  if (!ParseIntervalIdOrReply(ctx, argv[5], 0, &start, &start_ex)) return;
  if (start_ex && !start.Increment()) {
    ctx.reply.Error(errors::kInvalidStartId);
    return;
  }
  int64_t count = 100;
  bool justid = false;
  constexpr int64_t kAttemptsFactor = 10;
  for (size_t j = 6; j < argv.size(); ++j) {
    const size_t more = argv.size() - 1 - j;
    if (EqualsIgnoreCase(argv[j], "COUNT") && more) {
      const int64_t max_count = INT64_MAX / 16;  // LONG_MAX / max(sizeof(streamID), 10)
      int64_t value = 0;
      if (!ParseInt64(argv[j + 1], &value) || value < 1 || value > max_count) {
        ctx.reply.Error(errors::kCountPositive);
        return;
      }
      count = value;
      ++j;
    } else if (EqualsIgnoreCase(argv[j], "JUSTID")) {
      justid = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Stream* stream = nullptr;
  if (!ctx.LookupRead(argv[1], &stream)) return;
  StreamGroup* group = stream ? stream->FindGroup(argv[2]) : nullptr;
  if (group == nullptr) {
    ctx.reply.Error(errors::NoGroupForKey(argv[1], argv[2]));
    return;
  }
  StreamConsumer* consumer = nullptr;
  int64_t attempts = count * kAttemptsFactor;
  std::string body;
  ReplyBuilder rows(&body, ctx.reply.protocol());
  size_t emitted = 0;
  std::vector<StreamId> deleted_ids;
  const int64_t now = ctx.now_ms;
  auto it = group->pel.lower_bound(start);
  while (attempts-- && count && it != group->pel.end()) {
    const StreamId id = it->first;
    StreamNack& nack = it->second;
    if (!stream->Contains(id)) {
      stream_ops::PropagateXclaim(ctx, argv[1], argv[2], *group, id.ToString(), nack);
      ctx.AddDirty();
      nack.consumer->pel.erase(id);
      it = group->pel.erase(it);
      deleted_ids.push_back(id);
      --count;
      continue;
    }
    if (min_idle && now - nack.delivery_time < min_idle) {
      ++it;
      continue;
    }
    if (consumer == nullptr) {
      bool created = false;
      consumer = stream_ops::LookupOrCreateConsumer(ctx, argv[1], *group, argv[3], &created);
    }
    const bool moving = nack.consumer != consumer;
    if (moving && nack.consumer != nullptr) nack.consumer->pel.erase(id);
    nack.delivery_time = now;
    if (!justid) ++nack.delivery_count;
    if (moving) {
      consumer->pel[id] = &nack;
      nack.consumer = consumer;
    }
    if (justid) {
      ReplyId(rows, id);
    } else {
      ReplyOneEntry(rows, *stream, id);
    }
    ++emitted;
    --count;
    stream_ops::PropagateXclaim(ctx, argv[1], argv[2], *group, id.ToString(), nack);
    ctx.AddDirty();
    ++it;
  }
  // Redis steps its iterator once more: the next cursor is the entry after the last examined.
  const StreamId next = it == group->pel.end() ? StreamId{} : it->first;
  ctx.reply.ArrayHeader(3);
  ReplyId(ctx.reply, next);
  ctx.reply.ArrayHeader(emitted);
  ctx.reply.Raw(body);
  ctx.reply.ArrayHeader(deleted_ids.size());
  for (const StreamId& id : deleted_ids) ReplyId(ctx.reply, id);
}

// The number of nodes Redis's rax holds for these 16-byte keys (XINFO's radix-tree-nodes): a
// path-compressed trie, one node per compressed run or branch plus one per key.
int64_t RaxNodes(const std::vector<std::string>& keys, size_t lo, size_t hi, size_t depth) {
  if (hi - lo == 1) return depth == 16 ? 1 : 2;
  size_t common = 0;
  while (depth + common < 16 && keys[lo][depth + common] == keys[hi - 1][depth + common]) {
    ++common;
  }
  if (common > 0) return 1 + RaxNodes(keys, lo, hi, depth + common);
  int64_t nodes = 1;
  for (size_t i = lo; i < hi;) {
    size_t k = i;
    while (k < hi && keys[k][depth] == keys[i][depth]) ++k;
    nodes += RaxNodes(keys, i, k, depth + 1);
    i = k;
  }
  return nodes;
}

int64_t RaxNodeCount(const Stream& stream) {
  std::vector<std::string> keys;
  for (const auto& [id, block] : stream.blocks()) {
    std::string key;
    for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>(id.ms >> (8 * i)));
    for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>(id.seq >> (8 * i)));
    keys.push_back(std::move(key));
  }
  if (keys.empty()) return 1;
  return RaxNodes(keys, 0, keys.size(), 0);
}

// streamReplyWithCGLag
void ReplyLag(ReplyBuilder& reply, const Stream& stream, const StreamGroup& group) {
  if (stream.entries_added() == 0) {
    reply.Integer(0);
    return;
  }
  if (group.entries_read != -1 && !stream.RangeHasTombstones(group.last_id, StreamId::Max())) {
    reply.Integer(static_cast<int64_t>(stream.entries_added()) - group.entries_read);
    return;
  }
  const int64_t entries_read = stream.EstimateDistanceFromFirstEverEntry(group.last_id);
  if (entries_read != -1) {
    reply.Integer(static_cast<int64_t>(stream.entries_added()) - entries_read);
  } else {
    reply.Null();
  }
}

void ReplyEntriesRead(ReplyBuilder& reply, const StreamGroup& group) {
  if (group.entries_read != -1) {
    reply.Integer(group.entries_read);
  } else {
    reply.Null();
  }
}

void ReplyStreamInfo(CommandContext& ctx, Stream& stream) {
  const auto& argv = ctx.args;
  bool full = false;
  int64_t count = 10;
  const size_t optc = argv.size() - 3;
  if (optc != 0) {
    full = true;
    if ((optc != 1 && optc != 3) || !EqualsIgnoreCase(argv[3], "full")) {
      ctx.reply.Error(errors::SubcommandSyntaxError(argv[1], "XINFO"));
      return;
    }
    if (optc == 3) {
      if (!EqualsIgnoreCase(argv[4], "count")) {
        ctx.reply.Error(errors::SubcommandSyntaxError(argv[1], "XINFO"));
        return;
      }
      if (!ParseLongLongOrReply(ctx, argv[5], &count)) return;
      if (count < 0) count = 10;
    }
  }
  ReplyBuilder& reply = ctx.reply;
  reply.MapHeader(full ? 9 : 10);
  reply.Bulk("length");
  reply.Integer(static_cast<int64_t>(stream.length()));
  reply.Bulk("radix-tree-keys");
  reply.Integer(static_cast<int64_t>(stream.blocks().size()));
  reply.Bulk("radix-tree-nodes");
  reply.Integer(RaxNodeCount(stream));
  reply.Bulk("last-generated-id");
  ReplyId(reply, stream.last_id());
  reply.Bulk("max-deleted-entry-id");
  ReplyId(reply, stream.max_deleted_id());
  reply.Bulk("entries-added");
  reply.Integer(static_cast<int64_t>(stream.entries_added()));
  reply.Bulk("recorded-first-entry-id");
  ReplyId(reply, stream.first_id());
  if (!full) {
    reply.Bulk("groups");
    reply.Integer(static_cast<int64_t>(stream.groups().size()));
    for (bool rev : {false, true}) {
      reply.Bulk(rev ? "last-entry" : "first-entry");
      bool emitted = false;
      stream.Range({}, StreamId::Max(), rev, [&](const Stream::EntryView& entry) {
        stream_ops::ReplyEntry(reply, entry);
        emitted = true;
        return false;
      });
      if (!emitted) reply.Null();
    }
    return;
  }
  reply.Bulk("entries");
  stream_ops::ReplyWithRange(ctx, stream, {}, StreamId::Max(), static_cast<size_t>(count), false,
                             nullptr);
  reply.Bulk("groups");
  reply.ArrayHeader(stream.groups().size());
  for (const auto& [name, group] : stream.groups()) {
    reply.MapHeader(7);
    reply.Bulk("name");
    reply.Bulk(name);
    reply.Bulk("last-delivered-id");
    ReplyId(reply, group->last_id);
    reply.Bulk("entries-read");
    ReplyEntriesRead(reply, *group);
    reply.Bulk("lag");
    ReplyLag(reply, stream, *group);
    reply.Bulk("pel-count");
    reply.Integer(static_cast<int64_t>(group->pel.size()));
    reply.Bulk("pending");
    const size_t pel_rows =
        count ? std::min<size_t>(group->pel.size(), static_cast<size_t>(count)) : group->pel.size();
    reply.ArrayHeader(pel_rows);
    size_t n = 0;
    for (const auto& [id, nack] : group->pel) {
      if (n++ == pel_rows) break;
      reply.ArrayHeader(4);
      ReplyId(reply, id);
      reply.Bulk(nack.consumer->name);
      reply.Integer(nack.delivery_time);
      reply.Integer(static_cast<int64_t>(nack.delivery_count));
    }
    reply.Bulk("consumers");
    reply.ArrayHeader(group->consumers.size());
    for (const auto& [cname, consumer] : group->consumers) {
      reply.MapHeader(4);
      reply.Bulk("name");
      reply.Bulk(cname);
      reply.Bulk("seen-time");
      reply.Integer(consumer->seen_time);
      reply.Bulk("pel-count");
      reply.Integer(static_cast<int64_t>(consumer->pel.size()));
      reply.Bulk("pending");
      const size_t rows = count ? std::min<size_t>(consumer->pel.size(), static_cast<size_t>(count))
                                : consumer->pel.size();
      reply.ArrayHeader(rows);
      size_t m = 0;
      for (const auto& [id, nack] : consumer->pel) {
        if (m++ == rows) break;
        reply.ArrayHeader(3);
        ReplyId(reply, id);
        reply.Integer(nack->delivery_time);
        reply.Integer(static_cast<int64_t>(nack->delivery_count));
      }
    }
  }
}

// XINFO <subcommand> key ...
void CmdXinfo(CommandContext& ctx) {
  const auto& argv = ctx.args;
  if (EqualsIgnoreCase(argv[1], "HELP")) {
    if (argv.size() != 2) {
      ctx.reply.Error(errors::SubcommandSyntaxError(argv[1], "XINFO"));
      return;
    }
    ctx.reply.Help(
        "XINFO", {"CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.",
                  "GROUPS <key>", "    Show the stream consumer groups.",
                  "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream."});
    return;
  }
  if (argv.size() < 3) {
    ctx.reply.Error(errors::SubcommandSyntaxError(argv[1], "XINFO"));
    return;
  }
  Stream* stream = nullptr;
  if (!ctx.LookupRead(argv[2], &stream)) return;
  if (stream == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  const std::string& opt = argv[1];
  if (EqualsIgnoreCase(opt, "CONSUMERS") && argv.size() == 4) {
    StreamGroup* group = stream->FindGroup(argv[3]);
    if (group == nullptr) {
      ctx.reply.Error(errors::NoSuchConsumerGroup(argv[3], argv[2]));
      return;
    }
    ctx.reply.ArrayHeader(group->consumers.size());
    for (const auto& [name, consumer] : group->consumers) {
      ctx.reply.MapHeader(3);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(name);
      ctx.reply.Bulk("pending");
      ctx.reply.Integer(static_cast<int64_t>(consumer->pel.size()));
      ctx.reply.Bulk("idle");
      ctx.reply.Integer(std::max<int64_t>(0, ctx.now_ms - consumer->seen_time));
    }
  } else if (EqualsIgnoreCase(opt, "GROUPS") && argv.size() == 3) {
    ctx.reply.ArrayHeader(stream->groups().size());
    for (const auto& [name, group] : stream->groups()) {
      ctx.reply.MapHeader(6);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(name);
      ctx.reply.Bulk("consumers");
      ctx.reply.Integer(static_cast<int64_t>(group->consumers.size()));
      ctx.reply.Bulk("pending");
      ctx.reply.Integer(static_cast<int64_t>(group->pel.size()));
      ctx.reply.Bulk("last-delivered-id");
      ReplyId(ctx.reply, group->last_id);
      ctx.reply.Bulk("entries-read");
      ReplyEntriesRead(ctx.reply, *group);
      ctx.reply.Bulk("lag");
      ReplyLag(ctx.reply, *stream, *group);
    }
  } else if (EqualsIgnoreCase(opt, "STREAM")) {
    ReplyStreamInfo(ctx, *stream);
  } else {
    ctx.reply.Error(errors::SubcommandSyntaxError(opt, "XINFO"));
  }
}

}  // namespace

void RegisterStreamGroupCommands(CommandTable& table) {
  table.Add({.name = "xgroup",
             .arity = -2,
             .group = "stream",
             .summary = "A container for consumer groups commands",
             .since = "5.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("xgroup", {.name = "create",
                                 .arity = -5,
                                 .flags = kCmdWrite | kCmdDenyOom,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Create a consumer group.",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("xgroup", {.name = "createconsumer",
                                 .arity = 5,
                                 .flags = kCmdWrite | kCmdDenyOom,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Create a consumer in a consumer group.",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("xgroup", {.name = "delconsumer",
                                 .arity = 5,
                                 .flags = kCmdWrite,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Delete a consumer from a consumer group.",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("xgroup", {.name = "destroy",
                                 .arity = 4,
                                 .flags = kCmdWrite,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Destroy a consumer group.",
                                 .since = "5.0.0",
                                 .complexity = "O(N) where N is the number of entries in the "
                                               "group's pending entries list (PEL)."});
  table.AddSubcommand("xgroup", {.name = "setid",
                                 .arity = -5,
                                 .flags = kCmdWrite,
                                 .first_key = 2,
                                 .last_key = 2,
                                 .key_step = 1,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Set a consumer group to an arbitrary last delivered "
                                            "ID value.",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("xgroup", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdXgroup,
                                 .group = "stream",
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.Add({.name = "xinfo",
             .arity = -2,
             .group = "stream",
             .summary = "A container for stream introspection commands",
             .since = "5.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("xinfo", {.name = "consumers",
                                .arity = 4,
                                .flags = kCmdReadonly,
                                .first_key = 2,
                                .last_key = 2,
                                .key_step = 1,
                                .handler = CmdXinfo,
                                .group = "stream",
                                .summary = "List the consumers in a consumer group",
                                .since = "5.0.0",
                                .complexity = "O(1)"});
  table.AddSubcommand("xinfo", {.name = "groups",
                                .arity = 3,
                                .flags = kCmdReadonly,
                                .first_key = 2,
                                .last_key = 2,
                                .key_step = 1,
                                .handler = CmdXinfo,
                                .group = "stream",
                                .summary = "List the consumer groups of a stream",
                                .since = "5.0.0",
                                .complexity = "O(1)"});
  table.AddSubcommand("xinfo", {.name = "stream",
                                .arity = -3,
                                .flags = kCmdReadonly,
                                .first_key = 2,
                                .last_key = 2,
                                .key_step = 1,
                                .handler = CmdXinfo,
                                .group = "stream",
                                .summary = "Get information about a stream",
                                .since = "5.0.0",
                                .complexity = "O(1)"});
  table.AddSubcommand("xinfo", {.name = "help",
                                .arity = 2,
                                .flags = kCmdLoading | kCmdStale,
                                .handler = CmdXinfo,
                                .group = "stream",
                                .summary = "Show helpful text about the different subcommands",
                                .since = "5.0.0",
                                .complexity = "O(1)"});
  table.Add({.name = "xack",
             .arity = -4,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXack,
             .group = "stream",
             .summary = "Marks a pending message as correctly processed, effectively removing it "
                        "from the pending entries list of the consumer group. Return value of the "
                        "command is the number of messages successfully acknowledged, that is, "
                        "the IDs we were actually able to resolve in the PEL.",
             .since = "5.0.0",
             .complexity = "O(1) for each message ID processed."});
  table.Add({.name = "xpending",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXpending,
             .group = "stream",
             .summary = "Return information and entries from a stream consumer group pending "
                        "entries list, that are messages fetched but never acknowledged.",
             .since = "5.0.0",
             .complexity = "O(N) with N being the number of elements returned, so asking for a "
                           "small fixed number of entries per call is O(1). O(M), where M is the "
                           "total number of entries scanned when used with the IDLE filter. When "
                           "the command returns just the summary and the list of consumers is "
                           "small, it runs in O(1) time; otherwise, an additional O(N) time for "
                           "iterating every consumer."});
  table.Add({.name = "xclaim",
             .arity = -6,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXclaim,
             .group = "stream",
             .summary = "Changes (or acquires) ownership of a message in a consumer group, as if "
                        "the message was delivered to the specified consumer.",
             .since = "5.0.0",
             .complexity = "O(log N) with N being the number of messages in the PEL of the "
                           "consumer group."});
  table.Add({.name = "xautoclaim",
             .arity = -6,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXautoclaim,
             .group = "stream",
             .summary = "Changes (or acquires) ownership of messages in a consumer group, as if "
                        "the messages were delivered to the specified consumer.",
             .since = "6.2.0",
             .complexity = "O(1) if COUNT is small."});
}

}  // namespace drayman
