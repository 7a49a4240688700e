#include "broker/persistence/rdb_format.h"

#include <lzf.h>

#include <array>
#include <cassert>
#include <cstring>
#include <limits>

#include "broker/base/numbers.h"

namespace drayman::rdb {
namespace {

// Slice-by-8 tables for the reflected Jones polynomial: eight bytes per step.
struct Crc64Tables {
  std::array<std::array<uint64_t, 256>, 8> t{};
  Crc64Tables() {
    constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;  // 0xad93d23594c935a9 reflected
    for (uint64_t n = 0; n < 256; ++n) {
      uint64_t crc = n;
      for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
      t[0][n] = crc;
    }
    for (int k = 1; k < 8; ++k) {
      for (int n = 0; n < 256; ++n) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
    }
  }
};

const Crc64Tables& Tables() {
  static const Crc64Tables tables;
  return tables;
}

}  // namespace

uint64_t Crc64(uint64_t crc, const void* data, size_t size) {
  const auto& t = Tables().t;
  const auto* p = static_cast<const uint8_t*>(data);
  while (size >= 8) {
    crc ^= LoadU64(p);
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^
          t[4][(crc >> 24) & 0xff] ^ t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
          t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

size_t LzfCompress(const void* in, size_t in_size, void* out, size_t capacity) {
  constexpr size_t kMax = std::numeric_limits<unsigned int>::max();
  if (in_size > kMax || capacity == 0) return 0;
  if (capacity > kMax) capacity = kMax;
  return lzf_compress(in, static_cast<unsigned int>(in_size), out,
                      static_cast<unsigned int>(capacity));
}

bool LzfDecompress(const void* in, size_t in_size, void* out, size_t out_size) {
  constexpr size_t kMax = std::numeric_limits<unsigned int>::max();
  if (in_size > kMax || out_size > kMax) return false;
  if (out_size == 0) return false;
  return lzf_decompress(in, static_cast<unsigned int>(in_size), out,
                        static_cast<unsigned int>(out_size)) == out_size;
}

bool CanonicalInt(std::string_view text, int64_t* value) {
  // ParseInt64 is string2ll: it already refuses "+1", "01", "-0", blanks and overflow, so what it
  // accepts prints back identically.
  return !text.empty() && text.size() <= 20 && ParseInt64(text, value);
}

void AppendU16(uint16_t value, std::string& out) {
  char b[2] = {static_cast<char>(value), static_cast<char>(value >> 8)};
  out.append(b, 2);
}

void AppendU32(uint32_t value, std::string& out) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(value >> (8 * i));
  out.append(b, 4);
}

void AppendU64(uint64_t value, std::string& out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(value >> (8 * i));
  out.append(b, 8);
}

void AppendLength(uint64_t length, std::string& out) {
  if (length < (1 << 6)) {
    out.push_back(static_cast<char>(length));
  } else if (length < (1 << 14)) {
    out.push_back(static_cast<char>(0x40 | (length >> 8)));
    out.push_back(static_cast<char>(length & 0xff));
  } else if (length <= 0xffffffffULL) {
    out.push_back(static_cast<char>(0x80));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(length >> shift));
  } else {
    out.push_back(static_cast<char>(0x81));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(length >> shift));
  }
}

void AppendString(std::string_view text, Compression compress, std::string& out) {
  int64_t value = 0;
  if (text.size() <= 11 && CanonicalInt(text, &value)) {
    if (value >= INT8_MIN && value <= INT8_MAX) {
      out.push_back(static_cast<char>(0xc0));
      out.push_back(static_cast<char>(value));
      return;
    }
    if (value >= INT16_MIN && value <= INT16_MAX) {
      out.push_back(static_cast<char>(0xc1));
      AppendU16(static_cast<uint16_t>(value), out);
      return;
    }
    if (value >= INT32_MIN && value <= INT32_MAX) {
      out.push_back(static_cast<char>(0xc2));
      AppendU32(static_cast<uint32_t>(value), out);
      return;
    }
  }
  if (compress.enabled && text.size() > kLzfMinLength) {
    if (compress.chunk != nullptr) {
      assert(&out == &compress.chunk->bytes);
      // The writer thread decides between LZF and raw (ChunkFinisher, through this function).
      compress.chunk->deferred.push_back(DeferredString{out.size(), text.size()});
      out.append(text);
      return;
    }
    // Keep the compressed form only if it saves at least 4 bytes, as Redis does.
    thread_local std::string scratch;
    const size_t capacity = text.size() - 4;
    if (scratch.size() < capacity) scratch.resize(capacity);
    size_t compressed = LzfCompress(text.data(), text.size(), scratch.data(), capacity);
    if (compressed > 0) {
      out.push_back(static_cast<char>(0xc3));
      AppendLength(compressed, out);
      AppendLength(text.size(), out);
      out.append(scratch.data(), compressed);
      if (scratch.size() > (1 << 20)) std::string().swap(scratch);
      return;
    }
  }
  AppendLength(text.size(), out);
  out.append(text);
}

void EncodeStringInPlace(size_t offset, Compression compress, std::string& out) {
  const size_t size = out.size() - offset;
  if (compress.chunk != nullptr && compress.enabled && size > kLzfMinLength) {
    // What AppendString records for such a string (never an integer: those have <= 11 bytes).
    assert(&out == &compress.chunk->bytes);
    compress.chunk->deferred.push_back(DeferredString{offset, size});
    return;
  }
  const std::string text = out.substr(offset);
  out.resize(offset);
  AppendString(text, compress, out);
}

void RdbChunk::Append(RdbChunk&& other) {
  const size_t base = bytes.size();
  for (const DeferredString& s : other.deferred) deferred.push_back({base + s.offset, s.size});
  bytes += other.bytes;
  crc_trailer = crc_trailer || other.crc_trailer;
  other.clear();
}

void ChunkFinisher::Finish(RdbChunk& chunk, std::string* out) {
  if (chunk.deferred.empty()) {
    out->swap(chunk.bytes);
  } else {
    out->clear();
    out->reserve(chunk.bytes.size() + 16);
    const std::string_view bytes = chunk.bytes;
    size_t at = 0;
    for (const DeferredString& s : chunk.deferred) {
      out->append(bytes.substr(at, s.offset - at));
      AppendString(bytes.substr(s.offset, s.size), true, *out);
      at = s.offset + s.size;
    }
    out->append(bytes.substr(at));
  }
  if (checksum_) crc_ = Crc64(crc_, out->data(), out->size());
  if (chunk.crc_trailer) AppendU64(checksum_ ? crc_ : 0, *out);
  chunk.clear();
}

void AppendBinaryDouble(double value, std::string& out) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, 8);
  AppendU64(bits, out);
}

}  // namespace drayman::rdb
