// RDB format primitives: constants, CRC-64, LZF, length and string encodings.
//
// Contract: pure functions over byte buffers, byte-compatible with Redis 7.0's RDB files and DUMP
// payloads (format read from Redis's rdb.h/rdb.c; the code is ours). Appending functions add to
// `out` and never clear it. CRC-64 is Redis's (Jones polynomial 0xad93d23594c935a9, reflected,
// initial value 0, no final xor; crc64("123456789") == 0xe9c6d914c4b8d9ca), stored little-endian
// in the RDB trailer and the DUMP footer. LZF is Debian's liblzf (Redis bundles the same library).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace drayman::rdb {

// The version Drayman writes: what Redis 7.0 writes and the newest it loads.
inline constexpr int kRdbVersion = 10;

// Object types (the byte before a key).
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;  // scores as ASCII text
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;  // scores as binary doubles
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeSetListpack = 20;  // Redis 7.2 (RDB 11); read, never written

// Opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// Redis compresses strings longer than this (shorter ones never shrink).
inline constexpr size_t kLzfMinLength = 20;

// Every decoding failure: truncated input, corrupt encodings, unsupported types.
class RdbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

uint64_t Crc64(uint64_t crc, const void* data, size_t size);

// LZF: returns the compressed size, or 0 when `in` does not fit in `capacity` bytes.
size_t LzfCompress(const void* in, size_t in_size, void* out, size_t capacity);
// Returns false unless `in` decompresses to exactly `out_size` bytes.
bool LzfDecompress(const void* in, size_t in_size, void* out, size_t out_size);

// The canonical decimal form of an integer that Redis's string2ll accepts and ll2string gives
// back byte for byte; such strings become integer encodings in RDB strings, listpacks, intsets.
bool CanonicalInt(std::string_view text, int64_t* value);

void AppendU16(uint16_t value, std::string& out);
void AppendU32(uint32_t value, std::string& out);
void AppendU64(uint64_t value, std::string& out);
inline uint16_t LoadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t LoadU64(const uint8_t* p) {
  return uint64_t{LoadU32(p)} | (uint64_t{LoadU32(p + 4)} << 32);
}

// RDB length: 6-bit, 14-bit, 32-bit or 64-bit big-endian forms.
void AppendLength(uint64_t length, std::string& out);
// A stretch of a chunk's bytes that is the text of an RDB string whose encoding (LZF or raw, with
// its length prefix) is left to whoever writes the chunk (ChunkFinisher).
struct DeferredString {
  size_t offset;
  size_t size;
};

// Snapshot output as the engine produces it, for a writer thread to finish: `bytes` with the
// strings LZF might shrink still as plain text (their places in `deferred`, in increasing order),
// and, at the end of a file, a CRC-64 trailer to append. Finishing gives exactly the bytes the
// one-go encoder writes (AppendString with compression on, RdbWriter's checksum).
struct RdbChunk {
  std::string bytes;
  std::vector<DeferredString> deferred;
  bool crc_trailer = false;  // append the CRC-64 of the whole file so far (8 bytes LE)

  bool empty() const { return bytes.empty() && !crc_trailer; }
  void clear() {
    bytes.clear();
    deferred.clear();
    crc_trailer = false;
  }
  // Moves `other`'s bytes and deferred strings to the end of this chunk.
  void Append(RdbChunk&& other);
};

// What AppendString does with a string LZF might shrink: from a bool, compress it now (true) or
// never (false); with `deferred` set (compression on), append its text only and record its place,
// so the loop thread leaves the LZF step to the writer (the text must go to the `bytes` of the
// chunk that owns `deferred`).
struct Compression {
  Compression(bool enabled) : enabled(enabled) {}  // NOLINT: a bool is inline compression
  Compression(bool enabled, RdbChunk* chunk) : enabled(enabled), chunk(chunk) {}
  bool enabled;
  RdbChunk* chunk = nullptr;
};

// An RDB string: integer-encoded when canonical and within int32, else LZF-compressed when
// compression is on, longer than 20 bytes and at least 4 bytes shorter compressed, else raw.
// With compression deferred, a string longer than 20 bytes is recorded in the chunk instead.
void AppendString(std::string_view text, Compression compress, std::string& out);

// The text at out[offset..] was appended in place (a listpack built in the chunk): turns it into
// what AppendString(text, compress, out) appends there, deferring it the same way.
void EncodeStringInPlace(size_t offset, Compression compress, std::string& out);

// Turns chunks into a file's bytes, in order, on whichever thread writes them: encodes the
// deferred strings as AppendString(text, true) does, keeps the running CRC-64 and appends it
// where a chunk asks for the trailer (0 when `checksum` is off, as RdbWriter writes).
class ChunkFinisher {
 public:
  explicit ChunkFinisher(bool checksum = true) : checksum_(checksum) {}
  // Replaces *out with the chunk's finished bytes; the chunk is left empty (its buffers kept,
  // for reuse).
  void Finish(RdbChunk& chunk, std::string* out);
  uint64_t crc() const { return crc_; }

 private:
  bool checksum_;
  uint64_t crc_ = 0;
};
// A double as 8 little-endian IEEE-754 bytes (ZSET_2 scores).
void AppendBinaryDouble(double value, std::string& out);

}  // namespace drayman::rdb
