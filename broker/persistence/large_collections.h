// Large hashes, sets and sorted sets in snapshots: like long lists (large_values.h), a BGSAVE or an
// AOF rewrite encodes them over many steps, so one big kombu `unacked` hash (every delivered,
// unacknowledged Celery message) or `unacked_index` sorted set never stops the event loop for as
// long as encoding it whole would take.
//
// Contract: MakeLargeValueJob(key, value, ...) returns a SaveJob for a value IsLargeValue accepts
// (nullptr for any other value, or for a container another job already watches: encode it whole
// then). The job appends exactly what the one-go encoding of the value *as it was when the job
// was made* appends (rdb::AppendKeyRecord for SaveFormat::kRdb, AppendRewriteCommands for
// kCommands): the same header, element count, element bytes and batching, while commands go on
// changing the value (or delete it) between steps. A sorted set's elements come in the one-go
// order too (RDB: highest first, as Redis writes a skiplist; commands: lowest first), so its bytes
// are identical. A hash's or set's elements come in bucket order and then the elements that
// changed before the walk reached them: the one-go order when nothing changed; otherwise another
// order, which neither format specifies (Redis writes dict iteration order, and its loader and
// redis-check-rdb accept any order; only a duplicate or a wrong count is an error, and there is
// neither).
//
// How, without a copy and at O(1) per write (a hash or set) or O(log n) (a sorted set): the job
// watches the container (broker/keyspace/save_watch.h). It walks it by position — a hash's or
// set's buckets in order, the table pinned so entries never move (dict.h); a sorted set in score
// order from a cursor, the last element written, found again with one O(log n) search per step.
// Before a command changes an element the walk has not reached, the container tells the job,
// which keeps the element's old state (field and value, member and score) once to write it
// itself, and skips the live element whenever the walk meets it. An element created after the
// freeze (or already written and then moved by a change) ahead of the walk is skipped likewise. A
// container destroyed meanwhile (DEL, overwrite, RENAME over it, expiry, FLUSHDB, FLUSHALL) hands
// its contents to the job, which finishes from them and frees them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/keyspace/value.h"
#include "broker/persistence/large_values.h"

namespace drayman {

enum class SaveFormat { kRdb, kCommands };

std::unique_ptr<SaveJob> MakeLargeValueJob(std::string key, const Value& value,
                                           int64_t expire_at_ms, SaveFormat format, bool compress);

}  // namespace drayman
