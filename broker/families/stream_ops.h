// What the stream command files share (stream_family.cc: entries, XREAD/XREADGROUP;
// stream_group_family.cc: groups, PELs, XINFO): ID parsing with Redis's replies, entry replies,
// the group-aware range reply (streamReplyWithRange) and the propagation of its effects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "broker/keyspace/stream.h"

namespace drayman::stream_ops {

// streamParseIDOrReply / streamParseStrictIDOrReply.
bool ParseIdOrReply(CommandContext& ctx, std::string_view text, uint64_t missing_seq, bool strict,
                    StreamId* id);
// streamParseIntervalIDOrReply: "(" marks an exclusive bound (then parsed strictly).
bool ParseIntervalIdOrReply(CommandContext& ctx, std::string_view text, uint64_t missing_seq,
                            StreamId* id, bool* exclusive);
// getLongLongFromObjectOrReply: `error` (a whole text from errors.h) replaces the default one.
bool ParseLongLongOrReply(CommandContext& ctx, std::string_view text, int64_t* value,
                          std::string_view error = errors::kNotInteger);

void ReplyId(ReplyBuilder& reply, const StreamId& id);
// [id, [field, value, ...]]
void ReplyEntry(ReplyBuilder& reply, const Stream::EntryView& entry);

// A consumer group read (XREADGROUP, served at once or when blocked).
struct GroupRead {
  StreamGroup* group = nullptr;
  StreamConsumer* consumer = nullptr;
  bool noack = false;
  std::string_view key;
  std::string_view group_name;
};

// Redis's streamReplyWithRange: entries start..end (count 0 = all) as an array; with a group,
// advances its last ID and entries-read, adds the entries to the PELs (unless NOACK) and
// propagates XCLAIM per delivered entry (and XGROUP SETID for NOACK reads).
size_t ReplyWithRange(CommandContext& ctx, Stream& stream, StreamId start, StreamId end,
                      size_t count, bool rev, GroupRead* group_read);
// The history of one consumer (XREADGROUP with an ID): PEL entries from `start`.
size_t ReplyWithConsumerPel(CommandContext& ctx, Stream& stream, StreamId start, size_t count,
                            StreamConsumer& consumer);

// streamLookupConsumer (refreshing seen-time) or streamCreateConsumer (dirty); sets *created.
StreamConsumer* LookupOrCreateConsumer(CommandContext& ctx, std::string_view key,
                                       StreamGroup& group, std::string_view name, bool* created);

void PropagateXclaim(CommandContext& ctx, std::string_view key, std::string_view group_name,
                     const StreamGroup& group, std::string_view id_arg, const StreamNack& nack);
void PropagateGroupSetId(CommandContext& ctx, std::string_view key, std::string_view group_name,
                         const StreamGroup& group);
void PropagateConsumerCreation(CommandContext& ctx, std::string_view key,
                               std::string_view group_name, std::string_view consumer);

}  // namespace drayman::stream_ops
