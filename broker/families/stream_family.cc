// Stream family: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XREAD and XREADGROUP
// (blocking on broker/blocking like the list commands), and the helpers of stream_ops.h. The
// group commands (XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO) are in
// stream_group_family.cc. Behaviour, replies and error texts follow Redis 7.0.15's t_stream.c.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/blocking/blocking_command.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/families/stream_ops.h"
#include "broker/pubsub/keyspace_events.h"

namespace drayman {

namespace stream_ops {

bool ParseIdOrReply(CommandContext& ctx, std::string_view text, uint64_t missing_seq, bool strict,
                    StreamId* id) {
  if (!ParseStreamId(text, missing_seq, strict, id)) {
    ctx.reply.Error(errors::kInvalidStreamId);
    return false;
  }
  return true;
}

bool ParseIntervalIdOrReply(CommandContext& ctx, std::string_view text, uint64_t missing_seq,
                            StreamId* id, bool* exclusive) {
  *exclusive = text.size() > 1 && text[0] == '(';
  if (*exclusive) return ParseIdOrReply(ctx, text.substr(1), missing_seq, true, id);
  return ParseIdOrReply(ctx, text, missing_seq, false, id);
}

bool ParseLongLongOrReply(CommandContext& ctx, std::string_view text, int64_t* value,
                          std::string_view error) {
  if (ParseInt64(text, value)) return true;
  ctx.reply.Error(error);
  return false;
}

void ReplyId(ReplyBuilder& reply, const StreamId& id) { reply.Bulk(id.ToString()); }

void ReplyEntry(ReplyBuilder& reply, const Stream::EntryView& entry) {
  reply.ArrayHeader(2);
  ReplyId(reply, entry.id);
  reply.ArrayHeader(entry.fields_and_values.size());
  for (const std::string& part : entry.fields_and_values) reply.Bulk(part);
}

void PropagateXclaim(CommandContext& ctx, std::string_view key, std::string_view group_name,
                     const StreamGroup& group, std::string_view id_arg, const StreamNack& nack) {
  if (!ctx.propagating()) return;
  const std::string time = std::to_string(nack.delivery_time);
  const std::string count = std::to_string(nack.delivery_count);
  const std::string last_id = group.last_id.ToString();
  ctx.PropagateAs({"XCLAIM", key, group_name, nack.consumer->name, "0", id_arg, "TIME", time,
                   "RETRYCOUNT", count, "FORCE", "JUSTID", "LASTID", last_id});
}

void PropagateGroupSetId(CommandContext& ctx, std::string_view key, std::string_view group_name,
                         const StreamGroup& group) {
  if (!ctx.propagating()) return;
  const std::string last_id = group.last_id.ToString();
  const std::string entries_read = std::to_string(group.entries_read);
  ctx.PropagateAs({"XGROUP", "SETID", key, group_name, last_id, "ENTRIESREAD", entries_read});
}

void PropagateConsumerCreation(CommandContext& ctx, std::string_view key,
                               std::string_view group_name, std::string_view consumer) {
  if (!ctx.propagating()) return;
  ctx.PropagateAs({"XGROUP", "CREATECONSUMER", key, group_name, consumer});
}

StreamConsumer* LookupOrCreateConsumer(CommandContext& ctx, std::string_view key,
                                       StreamGroup& group, std::string_view name, bool* created) {
  *created = false;
  if (StreamConsumer* consumer = group.FindConsumer(name)) {
    consumer->seen_time = ctx.now_ms;
    return consumer;
  }
  *created = true;
  ctx.AddDirty();
  StreamConsumer* consumer = group.CreateConsumer(name, ctx.now_ms);
  // Redis's streamCreateConsumer notifies implicit creations (XREADGROUP, XCLAIM, XAUTOCLAIM).
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xgroup-createconsumer", key);
  return consumer;
}

size_t ReplyWithRange(CommandContext& ctx, Stream& stream, StreamId start, StreamId end,
                      size_t count, bool rev, GroupRead* group_read) {
  // The array's length is known only at the end: entries go to a side buffer first.
  std::string body;
  ReplyBuilder entries(&body, ctx.reply.protocol());
  size_t emitted = 0;
  bool propagate_last_id = false;
  StreamGroup* group = group_read ? group_read->group : nullptr;
  stream.Range(start, end, rev, [&](const Stream::EntryView& entry) {
    if (group != nullptr && entry.id > group->last_id) {
      if (group->entries_read != -1 && !stream.RangeHasTombstones(entry.id, StreamId::Max())) {
        ++group->entries_read;
      } else if (stream.entries_added() != 0) {
        group->entries_read = stream.EstimateDistanceFromFirstEverEntry(entry.id);
      }
      group->last_id = entry.id;
      if (group_read->noack) propagate_last_id = true;
    }
    ReplyEntry(entries, entry);
    if (group != nullptr && !group_read->noack) {
      StreamConsumer* consumer = group_read->consumer;
      auto [it, inserted] = group->pel.try_emplace(entry.id);
      StreamNack& nack = it->second;
      if (!inserted) nack.consumer->pel.erase(entry.id);
      nack.consumer = consumer;
      nack.delivery_time = ctx.now_ms;
      nack.delivery_count = 1;
      consumer->pel[entry.id] = &nack;
      PropagateXclaim(ctx, group_read->key, group_read->group_name, *group, entry.id.ToString(),
                      nack);
    }
    ++emitted;
    return count == 0 || emitted != count;
  });
  if (propagate_last_id) {
    PropagateGroupSetId(ctx, group_read->key, group_read->group_name, *group);
  }
  ctx.reply.ArrayHeader(emitted);
  ctx.reply.Raw(body);
  return emitted;
}

size_t ReplyWithConsumerPel(CommandContext& ctx, Stream& stream, StreamId start, size_t count,
                            StreamConsumer& consumer) {
  std::string body;
  ReplyBuilder entries(&body, ctx.reply.protocol());
  size_t emitted = 0;
  for (auto it = consumer.pel.lower_bound(start);
       it != consumer.pel.end() && (count == 0 || emitted < count); ++it) {
    bool found = false;
    stream.Range(it->first, it->first, false, [&](const Stream::EntryView& entry) {
      ReplyEntry(entries, entry);
      found = true;
      return false;
    });
    if (!found) {
      entries.ArrayHeader(2);
      ReplyId(entries, it->first);
      entries.NullArray();
    } else {
      it->second->delivery_time = ctx.now_ms;
      ++it->second->delivery_count;
    }
    ++emitted;
  }
  ctx.reply.ArrayHeader(emitted);
  ctx.reply.Raw(body);
  return emitted;
}

}  // namespace stream_ops

namespace {

using stream_ops::ParseIdOrReply;
using stream_ops::ParseIntervalIdOrReply;
using stream_ops::ParseLongLongOrReply;
using stream_ops::ReplyId;

constexpr int64_t kReadBlockedDefaultCount = 1000;

// XADD/XTRIM's shared options (streamAddTrimArgs).
struct AddTrimArgs {
  StreamId id;
  bool id_given = false;
  bool seq_given = true;
  bool no_mkstream = false;
  Stream::TrimArgs trim;
  size_t trim_arg_index = 0;  // the MAXLEN/MINID value, rewritten for approximate trims
};

// streamParseAddOrTrimArgsOrReply: returns the ID's position (XADD) or 0 after replying an error.
size_t ParseAddOrTrimArgs(CommandContext& ctx, AddTrimArgs* args, bool xadd) {
  const auto& argv = ctx.args;
  size_t i = 2;
  bool limit_given = false;
  auto& trim = args->trim;
  for (; i < argv.size(); ++i) {
    const size_t more = argv.size() - 1 - i;
    const std::string& opt = argv[i];
    if (xadd && opt == "*") {
      break;
    } else if ((EqualsIgnoreCase(opt, "maxlen") || EqualsIgnoreCase(opt, "minid")) && more) {
      const bool maxlen = EqualsIgnoreCase(opt, "maxlen");
      if (trim.strategy != Stream::TrimStrategy::kNone) {
        ctx.reply.Error(errors::kMaxlenAndMinid);
        return 0;
      }
      trim.approx = false;
      const std::string& next = argv[i + 1];
      if (more >= 2 && next == "~") {
        trim.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        if (!ParseLongLongOrReply(ctx, argv[i + 1], &trim.maxlen)) return 0;
        if (trim.maxlen < 0) {
          ctx.reply.Error(errors::kStreamMaxlenNegative);
          return 0;
        }
      } else if (!ParseIdOrReply(ctx, argv[i + 1], 0, true, &trim.minid)) {
        return 0;
      }
      ++i;
      trim.strategy = maxlen ? Stream::TrimStrategy::kMaxLen : Stream::TrimStrategy::kMinId;
      args->trim_arg_index = i;
    } else if (EqualsIgnoreCase(opt, "limit") && more) {
      if (!ParseLongLongOrReply(ctx, argv[i + 1], &trim.limit)) return 0;
      if (trim.limit < 0) {
        ctx.reply.Error(errors::kStreamLimitNegative);
        return 0;
      }
      limit_given = true;
      ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      args->no_mkstream = true;
    } else if (xadd) {
      if (!ParseStreamId(opt, 0, true, &args->id, &args->seq_given, true)) {
        ctx.reply.Error(errors::kInvalidStreamId);
        return 0;
      }
      args->id_given = true;
      break;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return 0;
    }
  }
  if (trim.limit && trim.strategy == Stream::TrimStrategy::kNone) {
    ctx.reply.Error(errors::kLimitWithoutStrategy);
    return 0;
  }
  if (!xadd && trim.strategy == Stream::TrimStrategy::kNone) {
    ctx.reply.Error(errors::kXtrimWithoutStrategy);
    return 0;
  }
  if (ctx.client.user == nullptr && !ctx.client.is_script_client) {
    trim.limit = 0;  // mustObeyClient: the AOF replayer trims exactly what was trimmed
  } else if (limit_given) {
    if (!trim.approx) {
      ctx.reply.Error(errors::kLimitWithoutApprox);
      return 0;
    }
  } else {
    trim.limit = trim.approx ? 100 * kStreamNodeMaxEntries : 0;
  }
  return i;
}

// After an approximate trim, Redis propagates "= <what remains>" instead of "~ <n>".
void RewriteApproxTrim(const Stream& stream, const AddTrimArgs& args,
                       std::vector<std::string>& argv) {
  argv[args.trim_arg_index - 1] = "=";
  if (args.trim.strategy == Stream::TrimStrategy::kMaxLen) {
    argv[args.trim_arg_index] = std::to_string(stream.length());
  } else {
    // streamGetEdgeID(s, 1, 0, ...): the first entry, deleted or not.
    StreamId first = StreamId::Max();
    if (!stream.blocks().empty()) {
      first = stream.blocks().begin()->first;  // a node's master ID is its first entry's ID
    }
    argv[args.trim_arg_index] = first.ToString();
  }
}

void PropagateArgv(CommandContext& ctx, const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  ctx.PropagateAs(std::span<const std::string_view>(views));
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void CmdXadd(CommandContext& ctx) {
  AddTrimArgs args;
  const size_t id_pos = ParseAddOrTrimArgs(ctx, &args, true);
  if (id_pos == 0) return;
  const size_t field_pos = id_pos + 1;
  const size_t fields = ctx.args.size() - std::min(field_pos, ctx.args.size());
  if (field_pos > ctx.args.size() || fields < 2 || fields % 2 == 1) {
    ctx.reply.Error(errors::WrongArity(ctx.spec.full_name));
    return;
  }
  if (args.id_given && args.seq_given && args.id.IsZero()) {
    ctx.reply.Error(errors::kXaddIdZero);
    return;
  }
  Stream* stream = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &stream)) return;
  if (stream == nullptr) {
    if (args.no_mkstream) {
      ctx.reply.Null();
      return;
    }
    Entry& entry = ctx.db.Add(ctx.args[1], Value(std::make_unique<Stream>()));
    stream = &entry.value.stream();
  }
  const StreamId last = stream->last_id();
  if (last == StreamId::Max()) {
    ctx.reply.Error(errors::kStreamExhausted);
    return;
  }
  StreamId id;
  bool ok = true;
  if (!args.id_given) {
    const auto now = static_cast<uint64_t>(ctx.now_ms);
    if (now > last.ms) {
      id = {now, 0};
    } else {
      id = last;
      id.Increment();
    }
  } else if (args.seq_given) {
    id = args.id;
  } else if (last.ms == args.id.ms) {
    if (last.seq == UINT64_MAX) {
      ok = false;
    } else {
      id = {last.ms, last.seq + 1};
    }
  } else {
    id = args.id;
  }
  if (!ok) {
    // Redis's streamAppendItem fails without setting errno EDOM here, so xaddCommand answers
    // with its other error text.
    ctx.reply.Error(errors::kStreamElementsTooLarge);
    return;
  }
  if (id <= last) {
    ctx.reply.Error(errors::kXaddIdTooSmall);
    return;
  }
  size_t total = 0;
  for (size_t i = field_pos; i < ctx.args.size(); ++i) total += ctx.args[i].size();
  if (total > UINT32_MAX) {
    ctx.reply.Error(errors::kStreamElementsTooLarge);
    return;
  }
  stream->Append(id, std::span<const std::string>(ctx.args).subspan(field_pos));
  const std::string id_text = id.ToString();
  ctx.reply.Bulk(id_text);
  ctx.AddDirty();
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xadd", ctx.args[1]);
  bool rewrite = !args.id_given || !args.seq_given;
  std::vector<std::string> argv;
  if (args.trim.strategy != Stream::TrimStrategy::kNone) {
    if (stream->Trim(args.trim) > 0) NotifyKeyspaceEvent(ctx, kNotifyStream, "xtrim", ctx.args[1]);
    if (args.trim.approx) {
      argv = ctx.args;
      RewriteApproxTrim(*stream, args, argv);
      rewrite = true;
    }
  }
  if (rewrite && ctx.propagating()) {
    if (argv.empty()) argv = ctx.args;
    argv[id_pos] = id_text;
    PropagateArgv(ctx, argv);
  }
}

// XLEN key
void CmdXlen(CommandContext& ctx) {
  Stream* stream = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &stream)) return;
  ctx.reply.Integer(stream ? static_cast<int64_t>(stream->length()) : 0);
}

// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n]
void RangeGeneric(CommandContext& ctx, bool rev) {
  const std::string& start_arg = rev ? ctx.args[3] : ctx.args[2];
  const std::string& end_arg = rev ? ctx.args[2] : ctx.args[3];
  StreamId start, end;
  bool start_ex = false, end_ex = false;
  if (!ParseIntervalIdOrReply(ctx, start_arg, 0, &start, &start_ex)) return;
  if (start_ex && !start.Increment()) {
    ctx.reply.Error(errors::kInvalidStartId);
    return;
  }
  if (!ParseIntervalIdOrReply(ctx, end_arg, UINT64_MAX, &end, &end_ex)) return;
  if (end_ex && !end.Decrement()) {
    ctx.reply.Error(errors::kInvalidEndId);
    return;
  }
  int64_t count = -1;
  for (size_t j = 4; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "COUNT") && ctx.args.size() - j - 1 >= 1) {
      if (!ParseLongLongOrReply(ctx, ctx.args[j + 1], &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Stream* stream = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &stream)) return;
  if (stream == nullptr) {
    ctx.reply.EmptyArray();
    return;
  }
  if (count == 0) {
    ctx.reply.NullArray();
    return;
  }
  stream_ops::ReplyWithRange(ctx, *stream, start, end, count == -1 ? 0 : count, rev, nullptr);
}

void CmdXrange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void CmdXrevrange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// XDEL key id [id ...]
void CmdXdel(CommandContext& ctx) {
  Stream* stream = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &stream)) return;
  if (stream == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  std::vector<StreamId> ids(ctx.args.size() - 2);
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    if (!ParseIdOrReply(ctx, ctx.args[j], 0, true, &ids[j - 2])) return;
  }
  int64_t deleted = 0;
  bool first_entry = false;
  for (const StreamId& id : ids) {
    if (!stream->Delete(id)) continue;
    if (id == stream->first_id()) first_entry = true;
    if (id > stream->max_deleted_id()) stream->set_max_deleted_id(id);
    ++deleted;
  }
  if (deleted) {
    if (stream->length() == 0) {
      stream->set_first_id({});
    } else if (first_entry) {
      stream->set_first_id(stream->EdgeId(true));
    }
    ctx.AddDirty(deleted);
    NotifyKeyspaceEvent(ctx, kNotifyStream, "xdel", ctx.args[1]);
  }
  ctx.reply.Integer(deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void CmdXtrim(CommandContext& ctx) {
  AddTrimArgs args;
  if (ParseAddOrTrimArgs(ctx, &args, false) == 0) return;
  Stream* stream = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &stream)) return;
  if (stream == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const int64_t deleted = stream->Trim(args.trim);
  if (deleted) {
    ctx.AddDirty(deleted);
    NotifyKeyspaceEvent(ctx, kNotifyStream, "xtrim", ctx.args[1]);
    if (args.trim.approx && ctx.propagating()) {
      std::vector<std::string> argv = ctx.args;
      RewriteApproxTrim(*stream, args, argv);
      PropagateArgv(ctx, argv);
    }
  }
  ctx.reply.Integer(deleted);
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
void CmdXsetid(CommandContext& ctx) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseIdOrReply(ctx, ctx.args[2], 0, true, &id)) return;
  for (size_t i = 3; i < ctx.args.size();) {
    const size_t more = ctx.args.size() - 1 - i;
    if (EqualsIgnoreCase(ctx.args[i], "ENTRIESADDED") && more) {
      if (!ParseLongLongOrReply(ctx, ctx.args[i + 1], &entries_added)) return;
      if (entries_added < 0) {
        ctx.reply.Error(errors::kEntriesAddedNegative);
        return;
      }
      i += 2;
    } else if (EqualsIgnoreCase(ctx.args[i], "MAXDELETEDID") && more) {
      if (!ParseIdOrReply(ctx, ctx.args[i + 1], 0, true, &max_deleted)) return;
      if (id < max_deleted) {
        ctx.reply.Error(errors::kXsetidBelowMaxDeleted);
        return;
      }
      i += 2;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Stream* stream = nullptr;
  if (!ctx.LookupWrite(ctx.args[1], &stream)) return;
  if (stream == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  if (stream->length() > 0) {
    if (id < stream->EdgeId(false)) {
      ctx.reply.Error(errors::kXsetidBelowTop);
      return;
    }
    if (entries_added != -1 && stream->length() > static_cast<uint64_t>(entries_added)) {
      ctx.reply.Error(errors::kXsetidEntriesAddedBelowLength);
      return;
    }
  }
  stream->set_last_id(id);
  if (entries_added != -1) stream->set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_deleted.IsZero()) stream->set_max_deleted_id(max_deleted);
  ctx.AddDirty();
  NotifyKeyspaceEvent(ctx, kNotifyStream, "xsetid", ctx.args[1]);
  ctx.reply.Ok();
}

// --- XREAD / XREADGROUP ---

// What a blocked reader waits for, shared by its serve function.
struct BlockedRead {
  std::vector<std::pair<std::string, StreamId>> ids;  // key -> entries must be greater than this
  int64_t count = 0;
  std::string group;  // empty for XREAD
  std::string consumer;
  bool noack = false;
  bool xreadgroup = false;
};

ServeResult ServeBlockedRead(const BlockedRead& read, CommandContext& ctx, std::string_view key) {
  ctx.SuppressPropagation();
  bool wrong_type = false;
  Stream* stream = ctx.db.FindAs<Stream>(key, &wrong_type);
  if (stream == nullptr || wrong_type) {
    // Redis 7.0 unblocks XREADGROUP readers of a deleted stream; XREAD readers keep waiting
    // (kWrongType: later waiters on the key still get their try).
    if (!read.xreadgroup) return ServeResult::kWrongType;
    ctx.reply.Error(errors::kStreamKeyDeleted);
    return ServeResult::kServed;
  }
  StreamId gt;
  for (const auto& [waited_key, id] : read.ids) {
    if (waited_key == key) {
      gt = id;
      break;
    }
  }
  StreamGroup* group = nullptr;
  if (read.xreadgroup) {
    group = stream->FindGroup(read.group);
    if (group == nullptr) {
      ctx.reply.Error(errors::kBlockedGroupDestroyed);
      return ServeResult::kServed;
    }
    gt = group->last_id;
  }
  if (!(stream->last_id() > gt)) return ServeResult::kWrongType;
  StreamId start = gt;
  start.Increment();
  stream_ops::GroupRead group_read;
  if (group != nullptr) {
    bool created = false;
    group_read.group = group;
    group_read.consumer =
        stream_ops::LookupOrCreateConsumer(ctx, key, *group, read.consumer, &created);
    group_read.noack = read.noack;
    group_read.key = key;
    group_read.group_name = read.group;
    if (created && read.noack) {
      stream_ops::PropagateConsumerCreation(ctx, key, read.group, read.consumer);
    }
  }
  if (ctx.reply.resp3()) {
    ctx.reply.MapHeader(1);
  } else {
    ctx.reply.ArrayHeader(1);
    ctx.reply.ArrayHeader(2);
  }
  ctx.reply.Bulk(key);
  stream_ops::ReplyWithRange(ctx, *stream, start, StreamId::Max(), read.count, false,
                             group ? &group_read : nullptr);
  return ServeResult::kServed;
}

// XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ...
// XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...
void CmdXread(CommandContext& ctx) {
  ctx.SuppressPropagation();  // preventCommandPropagation: effects propagate as XCLAIM etc.
  const auto& argv = ctx.args;
  const bool xreadgroup = argv[0].size() == 10;
  int64_t timeout = -1;
  int64_t count = 0;
  size_t streams_arg = 0, streams_count = 0;
  bool noack = false;
  const std::string* group_name = nullptr;
  const std::string* consumer_name = nullptr;
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t more = argv.size() - i - 1;
    const std::string& o = argv[i];
    if (EqualsIgnoreCase(o, "BLOCK") && more) {
      if (ctx.client.is_script_client) {
        ctx.reply.Error(errors::BlockFromScript(argv[0]));
        return;
      }
      ++i;
      if (!ParseLongLongOrReply(ctx, argv[i], &timeout, errors::kTimeoutNotInteger)) {
        return;
      }
      if (timeout < 0) {
        ctx.reply.Error(errors::kTimeoutNegative);
        return;
      }
    } else if (EqualsIgnoreCase(o, "COUNT") && more) {
      ++i;
      if (!ParseLongLongOrReply(ctx, argv[i], &count)) return;
      if (count < 0) count = 0;
    } else if (EqualsIgnoreCase(o, "STREAMS") && more) {
      streams_arg = i + 1;
      streams_count = argv.size() - streams_arg;
      if (streams_count % 2 != 0) {
        ctx.reply.Error(errors::kUnbalancedXread);
        return;
      }
      streams_count /= 2;
      break;
    } else if (EqualsIgnoreCase(o, "GROUP") && more >= 2) {
      if (!xreadgroup) {
        ctx.reply.Error(errors::kGroupOptionInXread);
        return;
      }
      group_name = &argv[i + 1];
      consumer_name = &argv[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(o, "NOACK")) {
      if (!xreadgroup) {
        ctx.reply.Error(errors::kNoackOptionInXread);
        return;
      }
      noack = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (streams_arg == 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (xreadgroup && group_name == nullptr) {
    ctx.reply.Error(errors::kXreadgroupWithoutGroup);
    return;
  }
  std::vector<StreamId> ids(streams_count);
  std::vector<StreamGroup*> groups(streams_count, nullptr);
  for (size_t i = streams_arg + streams_count; i < argv.size(); ++i) {
    const size_t index = i - streams_arg - streams_count;
    const std::string& key = argv[i - streams_count];
    Stream* stream = nullptr;
    if (!ctx.LookupRead(key, &stream)) return;
    if (group_name != nullptr) {
      StreamGroup* group = stream ? stream->FindGroup(*group_name) : nullptr;
      if (group == nullptr) {
        ctx.reply.Error(errors::NoGroupInXreadgroup(key, *group_name));
        return;
      }
      groups[index] = group;
    }
    if (argv[i] == "$") {
      if (xreadgroup) {
        ctx.reply.Error(errors::kDollarIdInXreadgroup);
        return;
      }
      ids[index] = stream ? stream->last_id() : StreamId{};
      continue;
    }
    if (argv[i] == ">") {
      if (!xreadgroup) {
        ctx.reply.Error(errors::kGreaterIdInXread);
        return;
      }
      ids[index] = StreamId::Max();
      continue;
    }
    if (!ParseIdOrReply(ctx, argv[i], 0, true, &ids[index])) return;
  }

  std::string body;
  size_t served = 0;
  {
    // Replies for the streams served now go to a side buffer: the outer length comes first.
    std::string* const out = ctx.reply.output();
    ctx.reply.set_output(&body);
    for (size_t i = 0; i < streams_count; ++i) {
      const std::string& key = argv[streams_arg + i];
      bool wrong_type = false;
      Stream* stream = ctx.db.FindAs<Stream>(key, &wrong_type);
      if (stream == nullptr) continue;
      StreamId gt = ids[i];
      bool serve = false, history = false;
      if (xreadgroup) {
        if (gt != StreamId::Max()) {
          serve = history = true;
        } else if (stream->length() > 0 && stream->EdgeId(false) > groups[i]->last_id) {
          serve = true;
          gt = groups[i]->last_id;  // ">": entries after the group's last delivered ID
        }
      } else if (stream->length() > 0 && stream->EdgeId(false) > gt) {
        serve = true;
      }
      if (!serve) continue;
      ++served;
      StreamId start = gt;
      start.Increment();
      if (!ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      if (xreadgroup) {
        StreamGroup& group = *groups[i];
        bool created = false;
        StreamConsumer* consumer =
            stream_ops::LookupOrCreateConsumer(ctx, key, group, *consumer_name, &created);
        if (created && noack) {
          stream_ops::PropagateConsumerCreation(ctx, key, *group_name, *consumer_name);
        }
        if (history) {
          stream_ops::ReplyWithConsumerPel(ctx, *stream, start, count, *consumer);
        } else {
          stream_ops::GroupRead group_read{&group, consumer, noack, key, *group_name};
          stream_ops::ReplyWithRange(ctx, *stream, start, StreamId::Max(), count, false,
                                     &group_read);
        }
        ctx.AddDirty();
      } else {
        stream_ops::ReplyWithRange(ctx, *stream, start, StreamId::Max(), count, false, nullptr);
      }
    }
    ctx.reply.set_output(out);
  }
  if (served > 0) {
    if (ctx.reply.resp3()) {
      ctx.reply.MapHeader(served);
    } else {
      ctx.reply.ArrayHeader(served);
    }
    ctx.reply.Raw(body);
    return;
  }
  if (timeout == -1 || !MayBlock(ctx.client)) {
    ctx.reply.NullArray();
    return;
  }
  auto read = std::make_shared<BlockedRead>();
  std::vector<std::string> keys;
  for (size_t i = 0; i < streams_count; ++i) {
    keys.push_back(argv[streams_arg + i]);
    read->ids.emplace_back(argv[streams_arg + i], ids[i]);
  }
  read->count = count ? count : kReadBlockedDefaultCount;
  read->xreadgroup = xreadgroup;
  if (xreadgroup) {
    read->group = *group_name;
    read->consumer = *consumer_name;
    read->noack = noack;
  }
  const int64_t deadline =
      timeout == 0 ? 0 : (timeout > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + timeout);
  ctx.engine.blocked_clients().Block(ctx.client, ctx.spec, ctx.args, keys, deadline,
                                     [read](CommandContext& serve_ctx, std::string_view key) {
                                       return ServeBlockedRead(*read, serve_ctx, key);
                                     });
}

// Redis's xreadGetKeys: the keys after STREAMS (none when the arguments are malformed).
std::vector<int> XreadKeys(const std::vector<std::string>& args) {
  int streams_pos = -1;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (EqualsIgnoreCase(arg, "block") || EqualsIgnoreCase(arg, "count")) {
      ++i;
    } else if (EqualsIgnoreCase(arg, "group")) {
      i += 2;
    } else if (EqualsIgnoreCase(arg, "noack")) {
    } else if (EqualsIgnoreCase(arg, "streams")) {
      streams_pos = static_cast<int>(i);
      break;
    } else {
      break;
    }
  }
  std::vector<int> keys;
  if (streams_pos < 0) return keys;
  const int num = static_cast<int>(args.size()) - streams_pos - 1;
  if (num == 0 || num % 2 != 0) return keys;
  for (int i = 0; i < num / 2; ++i) keys.push_back(streams_pos + 1 + i);
  return keys;
}

}  // namespace

void RegisterStreamFamily(CommandTable& table) {
  table.Add({.name = "xadd",
             .arity = -5,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXadd,
             .group = "stream",
             .summary = "Appends a new entry to a stream",
             .since = "5.0.0",
             .complexity = "O(1) when adding a new entry, O(N) when trimming where N being the "
                           "number of entries evicted."});
  table.Add({.name = "xlen",
             .arity = 2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXlen,
             .group = "stream",
             .summary = "Return the number of entries in a stream",
             .since = "5.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "xrange",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXrange,
             .group = "stream",
             .summary = "Return a range of elements in a stream, with IDs matching the specified "
                        "IDs interval",
             .since = "5.0.0",
             .complexity = "O(N) with N being the number of elements being returned. If N is "
                           "constant (e.g. always asking for the first 10 elements with COUNT), "
                           "you can consider it O(1)."});
  table.Add({.name = "xrevrange",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXrevrange,
             .group = "stream",
             .summary = "Return a range of elements in a stream, with IDs matching the specified "
                        "IDs interval, in reverse order (from greater to smaller IDs) compared to "
                        "XRANGE",
             .since = "5.0.0",
             .complexity = "O(N) with N being the number of elements returned. If N is constant "
                           "(e.g. always asking for the first 10 elements with COUNT), you can "
                           "consider it O(1)."});
  table.Add({.name = "xdel",
             .arity = -3,
             .flags = kCmdWrite | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXdel,
             .group = "stream",
             .summary = "Removes the specified entries from the stream. Returns the number of "
                        "items actually deleted, that may be different from the number of IDs "
                        "passed in case certain IDs do not exist.",
             .since = "5.0.0",
             .complexity = "O(1) for each single item to delete in the stream, regardless of the "
                           "stream size."});
  table.Add({.name = "xtrim",
             .arity = -4,
             .flags = kCmdWrite,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXtrim,
             .group = "stream",
             .summary = "Trims the stream to (approximately if '~' is passed) a certain size",
             .since = "5.0.0",
             .complexity = "O(N), with N being the number of evicted entries. Constant times are "
                           "very small however, since entries are organized in macro nodes "
                           "containing multiple entries that can be released with a single "
                           "deallocation."});
  table.Add({.name = "xsetid",
             .arity = -3,
             .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdXsetid,
             .group = "stream",
             .summary = "An internal command for replicating stream values",
             .since = "5.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "xread",
             .arity = -4,
             .flags = kCmdReadonly | kCmdBlocking | kCmdMovableKeys,
             .handler = CmdXread,
             .get_keys = XreadKeys,
             .group = "stream",
             .summary = "Return never seen elements in multiple streams, with IDs greater than "
                        "the ones reported by the caller for each stream. Can block.",
             .since = "5.0.0",
             .complexity = "For each stream mentioned: O(N) with N being the number of elements "
                           "being returned, it means that XREAD-ing with a fixed COUNT is O(1). "
                           "Note that when the BLOCK option is used, XADD will pay O(M) time in "
                           "order to serve the M clients blocked on the stream getting new data."});
  table.Add({.name = "xreadgroup",
             .arity = -7,
             .flags = kCmdWrite | kCmdBlocking | kCmdMovableKeys,
             .handler = CmdXread,
             .get_keys = XreadKeys,
             .group = "stream",
             .summary = "Return new entries from a stream using a consumer group, or access the "
                        "history of the pending entries for a given consumer. Can block.",
             .since = "5.0.0",
             .complexity = "For each stream mentioned: O(M) with M being the number of elements "
                           "returned. If M is constant (e.g. always asking for the first 10 "
                           "elements with COUNT), you can consider it O(1). On the other side "
                           "when XREADGROUP blocks, XADD will pay the O(N) time in order to serve "
                           "the N clients blocked on the stream getting new data."});
  RegisterStreamGroupCommands(table);
}

}  // namespace drayman
