// Streams in RDB files and DUMP payloads: Redis 7.0's RDB_TYPE_STREAM_LISTPACKS_2 (19), and the
// older RDB_TYPE_STREAM_LISTPACKS (15) on load; AOF rewrite commands for a stream.
//
// Contract: RdbEncodeStream writes the body Redis 7.0's rdbSaveObject writes for a stream (nodes
// as 16-byte big-endian master IDs and listpacks, length, last/first/max-deleted IDs,
// entries-added, groups with their PELs and consumers), so redis-server loads it and a DUMP is
// byte for byte Redis's. RdbDecodeStream reads types 15 and 19 (and refuses 7.2's 21), validating
// every node listpack entry by entry and every consumer PEL entry against its group's PEL;
// malformed input throws RdbError. AppendStreamRewriteCommands emits what Redis's
// rewriteStreamObject emits: XADD per entry (XADD MAXLEN 0 0-1 x y for an empty stream), XSETID
// with ENTRIESADDED and MAXDELETEDID, per group XGROUP CREATE ... ENTRIESREAD, then per consumer
// XCLAIM ... TIME RETRYCOUNT JUSTID FORCE for each pending entry or XGROUP CREATECONSUMER.
#pragma once

#include <string>
#include <string_view>

#include "broker/keyspace/stream.h"
#include "broker/persistence/rdb_decode.h"

namespace drayman::rdb {

void RdbEncodeStream(const Stream& stream, std::string& out, Compression compress);
std::unique_ptr<Stream> RdbDecodeStream(uint8_t type, RdbReader& reader);

// Appends RESP commands rebuilding `stream` at `key` (AOF rewrite).
void AppendStreamRewriteCommands(std::string_view key, const Stream& stream, std::string* out);

}  // namespace drayman::rdb
