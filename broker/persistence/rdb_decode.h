// RDB reading: values, whole files and DUMP payloads.
//
// Contract: pure (bytes come from an RdbSource the host provides; no file descriptors here).
// Reads what Redis 7.0 writes and what older versions wrote (RDB versions 1 to 10): strings (raw,
// integer, LZF); lists (quicklist 2 of listpack or plain nodes, quicklist of ziplists, ziplist,
// linked list); sets (intset, listpack, hash table); hashes (listpack, ziplist, zipmap, hash
// table); sorted sets (listpack, ziplist, skiplist with binary or ASCII scores); expiry in ms and
// s; SELECTDB, RESIZEDB, AUX, IDLE, FREQ. Every malformed, truncated or unsupported input raises
// RdbError with a message that says what and where (streams, modules, module AUX data and
// functions are refused, naming the key and type); nothing is skipped silently. Embedded blobs
// (listpacks, ziplists, zipmaps, intsets) are validated entry by entry before use. Duplicate
// members or fields and NaN scores are errors, as in Redis.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/keyspace/value.h"
#include "broker/persistence/rdb_format.h"

namespace drayman {
class Keyspace;
}

namespace drayman::rdb {

// Where the reader gets bytes. Read returns fewer than `size` bytes only at the end of input.
class RdbSource {
 public:
  virtual ~RdbSource() = default;
  virtual size_t Read(char* dst, size_t size) = 0;
};

// Buffered reading with a running CRC-64 of every byte consumed.
class RdbReader {
 public:
  // Reads a buffer in place (DUMP payloads, tests).
  explicit RdbReader(std::string_view data);
  // Reads from a source through an internal buffer (files).
  explicit RdbReader(RdbSource& source);

  uint8_t ReadByte();
  void ReadExact(void* dst, size_t size);
  // An RDB length. With `encoded`, a special string encoding (0xC0..0xC3) sets *encoded and
  // returns the encoding number instead of failing.
  uint64_t ReadLength(bool* encoded = nullptr);
  std::string ReadString();
  double ReadBinaryDouble();
  // RDB version < 8 ZSET scores: a length byte then text (253 NaN, 254 +inf, 255 -inf).
  double ReadAsciiDouble();
  uint32_t ReadU32();
  uint64_t ReadU64();
  // Bytes consumed so far.
  uint64_t offset() const { return consumed_before_ + pos_; }
  // CRC-64 of every byte consumed so far.
  uint64_t Checksum();

 private:
  [[noreturn]] void ThrowShortRead(size_t wanted) const;
  // Makes at least `size` bytes available at pos_ when the input has them; returns how many are.
  size_t Fill(size_t size);

  RdbSource* source_ = nullptr;
  std::string buffer_;  // owned bytes when reading a source
  const char* data_;    // current window: buffer_.data() or the caller's buffer
  size_t size_ = 0;     // bytes in the window
  size_t pos_ = 0;      // next byte in the window
  size_t crc_pos_ = 0;  // window bytes before this are already in crc_
  uint64_t crc_ = 0;
  uint64_t consumed_before_ = 0;  // bytes of earlier windows
};

// Decodes the body of a value whose type byte was `type`. Returns false for a container that
// decodes to no elements (Redis refuses such keys); throws RdbError otherwise.
bool RdbDecodeValue(uint8_t type, RdbReader& reader, Value* value);
// "string", "list", ..., "stream", "module", or "unknown (N)": the name error messages use.
std::string RdbTypeName(uint8_t type);

// DUMP payload checks, as RESTORE makes them: at least 10 bytes, RDB version <= 10, CRC-64.
bool RdbVerifyDumpPayload(std::string_view payload);
// Decodes a verified payload; false (with *error) on a bad or empty value.
bool RdbDecodeDumpPayload(std::string_view payload, Value* value, std::string* error);

// One key as a file holds it.
struct RdbKey {
  int db = 0;
  std::string key;
  Value value;
  int64_t expire_at_ms = -1;  // -1: no expiry
  int64_t idle_s = -1;        // from an IDLE opcode, else -1
  int freq = -1;              // from a FREQ opcode, else -1
};

struct RdbParseHandlers {
  std::function<void(std::string_view key, std::string_view value)> on_aux;
  std::function<void(int db, uint64_t keys, uint64_t expires)> on_resize_db;
  std::function<void(RdbKey& key)> on_key;  // may throw RdbError (duplicates...)
  // A container that decoded to no elements (Redis skips those keys).
  std::function<void(int db, std::string_view key)> on_empty_key;
};

struct RdbParseOptions {
  bool verify_checksum = true;  // rdbchecksum: a nonzero trailer must match
  int database_count = 16;      // SELECTDB beyond this is an error
  // RdbLoadIntoKeyspace only: a key already in memory is replaced by the file's (DEBUG RELOAD
  // MERGE, Redis's RDBFLAGS_ALLOW_DUP) instead of failing the load.
  bool replace_existing_keys = false;
  // A function library's code (RDB_OPCODE_FUNCTION2, or the 7.0 release candidates' FUNCTION
  // rewritten to it). Unset: a file with functions is refused. May throw RdbError.
  std::function<void(const std::string& code)> on_function;
};

// Parses a whole file: header, opcodes, keys, EOF and trailer. Returns the RDB version.
int RdbParse(RdbReader& reader, const RdbParseOptions& options, const RdbParseHandlers& handlers);

struct RdbLoadResult {
  bool ok = false;
  std::string error;
  int version = 0;
  uint64_t keys_loaded = 0;
  uint64_t expired_skipped = 0;  // keys whose deadline had passed (as a Redis master skips them)
  uint64_t empty_skipped = 0;    // containers with no elements
  std::vector<std::pair<std::string, std::string>> aux;
};

// Loads a file into `keyspace`, which should be empty. On failure the keyspace is emptied, so a
// half-loaded dataset never survives, and result.error says why.
RdbLoadResult RdbLoadIntoKeyspace(RdbReader& reader, Keyspace& keyspace, int64_t now_ms,
                                  const RdbParseOptions& options);

}  // namespace drayman::rdb
