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
void RdbEncodeValue(const Value& value, std::string& out, bool compress = true);

// DUMP's payload: type byte, body, RDB version (2 bytes LE), CRC-64 of all that (8 bytes LE).
std::string RdbDumpPayload(const Value& value, bool compress = true);

struct RdbWriteOptions {
  bool compress = true;  // rdbcompression
  bool checksum = true;  // rdbchecksum: without it the trailer is 8 zero bytes
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
// and, between calls, TakeOutput() whenever pending_size() is large enough to write out. The
// checksum covers every byte produced, taken or not.
class RdbWriter {
 public:
  explicit RdbWriter(RdbWriteOptions options = {}) : options_(options) {}

  void WriteHeader(const RdbAuxFields& aux);
  void WriteAux(std::string_view key, std::string_view value);
  // SELECTDB then RESIZEDB (the hint Redis writes: key count and expiring key count).
  void SelectDb(int db, uint64_t key_count, uint64_t expires_count);
  // EXPIRETIME_MS (when expire_at_ms >= 0), then type, key and value.
  void WriteKey(std::string_view key, const Value& value, int64_t expire_at_ms);
  // EOF opcode and the CRC-64 trailer. Nothing may be written after it.
  void Finish();

  size_t pending_size() const { return buffer_.size(); }
  // Moves the bytes produced since the last call into *out (replacing its contents).
  void TakeOutput(std::string* out);
  // Bytes produced so far, taken or not.
  uint64_t total_bytes() const { return taken_bytes_ + buffer_.size(); }
  // The file's bytes not taken yet; what a caller appends here (a key encoded over several steps)
  // becomes part of the file, checksummed like the rest.
  std::string& output() { return buffer_; }
  bool compress() const { return options_.compress; }

 private:
  void UpdateChecksum();

  RdbWriteOptions options_;
  std::string buffer_;
  size_t hashed_ = 0;  // bytes at the front of buffer_ already in crc_
  uint64_t crc_ = 0;
  uint64_t taken_bytes_ = 0;
};

// Listpack and intset blobs, as Redis lays them out; exposed for tests and the decoder's tests.
class ListpackBuilder {
 public:
  ListpackBuilder();
  // How many bytes Append(element) adds.
  static size_t EntryBytes(std::string_view element);
  // Integers in canonical form are stored as listpack integers, as lpAppend does.
  void Append(std::string_view element);
  void AppendInt(int64_t value);
  size_t bytes() const { return buffer_.size() + 1; }
  uint32_t count() const { return count_; }
  // The finished listpack; the builder is left empty and reusable.
  std::string Finish();

 private:
  void AppendBacklen(size_t entry_size);
  std::string buffer_;
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

class QuicklistNodeWriter {
 public:
  explicit QuicklistNodeWriter(bool compress) : compress_(compress) {}
  void Add(std::string_view element, std::string& out);
  void Finish(std::string& out);

 private:
  void FlushNode(std::string& out);
  ListpackBuilder listpack_;
  bool compress_;
};

// The pieces of a file RdbWriter writes, into any string: SELECTDB and RESIZEDB; a key's
// EXPIRETIME_MS (when expire_at_ms >= 0), type byte and name; a whole key as WriteKey writes it.
void AppendSelectDb(int db, uint64_t key_count, uint64_t expires_count, std::string& out);
void AppendKeyHeader(std::string_view key, uint8_t type, int64_t expire_at_ms, bool compress,
                     std::string& out);
void AppendKeyRecord(std::string_view key, const Value& value, int64_t expire_at_ms, bool compress,
                     std::string& out);

}  // namespace drayman::rdb
