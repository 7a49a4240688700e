// RDB writing: values, whole files (RdbWriter) and DUMP payloads.
//
// Contract: pure (no I/O). Output loads into Redis 7.0 (RDB version 10) and passes
// redis-check-rdb. Each value is written in the encoding Redis 7.0 would pick for it: strings as
// RDB strings (integer-encoded when canonical and within int32, LZF when `compress` and longer
// than 20 bytes); lists as quicklist 2 of listpack nodes of at most 8 KB (Redis's default
// list-max-listpack-size -2); sets as an intset while Drayman keeps them as one, else as a plain
// set; hashes and sorted sets as a listpack while small (OBJECT ENCODING "listpack"), else as a
// hash table / skiplist (ZSET_2, binary doubles, highest score first as Redis writes them).
//
// The encoder only reads the Value; it keeps no pointer to it after returning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

#include "broker/keyspace/value.h"
#include "broker/persistence/rdb_format.h"

namespace drayman::rdb {

// The RDB object type byte RdbEncodeValue writes the value as.
uint8_t RdbValueType(const Value& value);
// Appends the value's RDB body (without the type byte) to `out`.
void RdbEncodeValue(const Value& value, std::string& out, Compression compress = true);

// DUMP's payload: type byte, body, RDB version (2 bytes LE), CRC-64 of all that (8 bytes LE).
std::string RdbDumpPayload(const Value& value, bool compress = true);

struct RdbWriteOptions {
  bool compress = true;  // rdbcompression
  bool checksum = true;  // rdbchecksum: without it the trailer is 8 zero bytes
  // Leave LZF and the CRC-64 to whoever writes the chunks (TakeChunk, ChunkFinisher): BGSAVE and
  // the AOF rewrite hand them to a writer thread, so the loop thread does neither.
  bool defer = false;
};

// The AUX fields Redis writes at the top of every file.
struct RdbAuxFields {
  std::string redis_ver = "7.0.15";
  int64_t ctime_s = 0;    // time of the save, Unix seconds
  uint64_t used_mem = 0;  // INFO's used_memory
  bool aof_base = false;  // true when the RDB is an AOF base/preamble
  // Function libraries' code, written after the AUX fields as RDB_OPCODE_FUNCTION2 records
  // (before any key, where Redis 7.0 writes them).
  std::vector<std::string> libraries;
};

// Writes a whole RDB file into an in-memory buffer that the caller drains as it goes:
//   RdbWriter w(options);
//   w.WriteHeader(aux);
//   for each non-empty database: w.SelectDb(db, keys, expires); then w.WriteKey(...) per key
//   w.Finish();
// and, between calls, TakeOutput() (the finished bytes) or, with options.defer, TakeChunk() (for a
// ChunkFinisher elsewhere) whenever pending_size() is large enough to write out. The checksum
// covers every byte produced, taken or not.
class RdbWriter {
 public:
  explicit RdbWriter(RdbWriteOptions options = {})
      : options_(options), finisher_(options.checksum) {}

  void WriteHeader(const RdbAuxFields& aux);
  void WriteAux(std::string_view key, std::string_view value);
  // SELECTDB then RESIZEDB (the hint Redis writes: key count and expiring key count).
  void SelectDb(int db, uint64_t key_count, uint64_t expires_count);
  // EXPIRETIME_MS (when expire_at_ms >= 0), then type, key and value.
  void WriteKey(std::string_view key, const Value& value, int64_t expire_at_ms);
  // EOF opcode and the CRC-64 trailer. Nothing may be written after it.
  void Finish();

  // Bytes produced and not taken yet (before compression when deferred).
  size_t pending_size() const { return buffer_.bytes.size(); }
  // Moves the finished bytes produced since the last call into *out (replacing its contents).
  void TakeOutput(std::string* out);
  // Moves the chunk produced since the last call into *out (replacing it); the next chunk is
  // written into `next` (cleared; a recycled buffer with room for a chunk takes no reallocation).
  void TakeChunk(RdbChunk* out, std::string next = std::string());
  // Bytes produced so far, taken or not (before compression when deferred).
  uint64_t total_bytes() const {
    return taken_bytes_ + buffer_.bytes.size() + (buffer_.crc_trailer ? 8 : 0);
  }
  // The file's bytes not taken yet; what a caller appends to output().bytes with compression()
  // (a key encoded over several steps) becomes part of the file, checksummed like the rest.
  RdbChunk& output() { return buffer_; }
  Compression compression() {
    return options_.defer ? Compression(options_.compress, &buffer_) : options_.compress;
  }
  bool compress() const { return options_.compress; }

 private:
  RdbWriteOptions options_;
  RdbChunk buffer_;
  ChunkFinisher finisher_;  // !options_.defer
  uint64_t taken_bytes_ = 0;
};

// Listpack and intset blobs, as Redis lays them out (elements by listpack.h); exposed for tests
// and the decoder's tests.
class ListpackBuilder {
 public:
  ListpackBuilder();
  ListpackBuilder(const ListpackBuilder&) = delete;  // may point into a caller's string
  ListpackBuilder& operator=(const ListpackBuilder&) = delete;
  // How many bytes Append(element) adds.
  static size_t EntryBytes(std::string_view element);
  // Integers in canonical form are stored as listpack integers, as lpAppend does.
  void Append(std::string_view element);
  void AppendInt(int64_t value);
  size_t bytes() const { return buf_->size() - base_ + 1; }
  uint32_t count() const { return count_; }
  // The finished listpack; the builder is left empty and reusable.
  std::string Finish();
  // The finished listpack in place, valid until Reset (which keeps the buffer's capacity, so a
  // builder reused node after node allocates once).
  std::string_view Seal();
  void Reset();
  // Builds the next listpack at the end of *out instead of its own buffer (no copy to make
  // afterwards); only while empty. Seal leaves it there, at offset(); Reset goes back to the
  // builder's own buffer. `out` must not change other than through the builder meanwhile.
  void BuildIn(std::string* out);
  size_t offset() const { return base_; }
  bool in_place() const { return buf_ != &buffer_; }

 private:
  std::string buffer_;
  std::string* buf_ = &buffer_;  // buffer_, or the caller's string from BuildIn
  size_t base_ = 0;              // where the listpack starts in *buf_
  uint32_t count_ = 0;
};

// An intset blob of sorted, distinct values in the narrowest width that holds them all.
std::string BuildIntset(const int64_t* sorted_values, size_t count);

// A list's RDB body (RDB_TYPE_LIST_QUICKLIST_2) is its node count, then the nodes: the encoder
// walks the elements twice, counting nodes with the first and writing them with the second.
// Both apply the same node rule, so a long list can also be encoded over many steps.
class QuicklistNodeCounter {
 public:
  void Add(std::string_view element);
  uint64_t Finish() const;

 private:
  size_t listpack_bytes_ = 7;  // an empty listpack's header and terminator
  uint32_t count_ = 0;
  uint64_t nodes_ = 0;
};

// With compression deferred into a chunk, a node's listpack is built in the chunk's bytes (no
// copy): between Add calls, `out` must then only grow through the writer, and a caller that takes
// the chunk between calls first ends the node with EndNodeBefore (large_values.h's job does).
class QuicklistNodeWriter {
 public:
  void Add(std::string_view element, Compression compress, std::string& out);
  void Finish(Compression compress, std::string& out);
  // Whether adding `element` would first close the current node (false while none is open).
  bool ClosesNode(std::string_view element) const;
  bool node_open() const { return listpack_.count() > 0; }
  // Writes the open node out now, as the Add of the element that does not fit would.
  void CloseNode(Compression compress, std::string& out) { FlushNode(compress, out); }

 private:
  void FlushNode(Compression compress, std::string& out);
  ListpackBuilder listpack_;
};

// The pieces of a file RdbWriter writes, into any string: SELECTDB and RESIZEDB; a key's
// EXPIRETIME_MS (when expire_at_ms >= 0), type byte and name; a whole key as WriteKey writes it.
void AppendSelectDb(int db, uint64_t key_count, uint64_t expires_count, std::string& out);
void AppendKeyHeader(std::string_view key, uint8_t type, int64_t expire_at_ms,
                     Compression compress, std::string& out);
void AppendKeyRecord(std::string_view key, const Value& value, int64_t expire_at_ms,
                     Compression compress, std::string& out);

}  // namespace drayman::rdb
