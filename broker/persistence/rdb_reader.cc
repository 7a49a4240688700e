// RdbReader: buffered byte reading with a running CRC-64 (see rdb_decode.h).
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "broker/persistence/rdb_decode.h"

namespace drayman::rdb {
namespace {
constexpr size_t kBufferSize = 1 << 20;
}  // namespace

RdbReader::RdbReader(std::string_view data) : data_(data.data()), size_(data.size()) {}

RdbReader::RdbReader(RdbSource& source) : source_(&source), data_(nullptr) {
  buffer_.resize(kBufferSize);
  data_ = buffer_.data();
}

void RdbReader::ThrowShortRead(size_t wanted) const {
  throw RdbError("Unexpected end of RDB data at byte " + std::to_string(offset()) + " (needed " +
                 std::to_string(wanted) + " more bytes): the file is truncated");
}

uint64_t RdbReader::Checksum() {
  crc_ = Crc64(crc_, data_ + crc_pos_, pos_ - crc_pos_);
  crc_pos_ = pos_;
  return crc_;
}

size_t RdbReader::Fill(size_t size) {
  if (size_ - pos_ >= size || source_ == nullptr) return size_ - pos_;
  // Fold consumed bytes into the checksum, slide the rest to the front, refill.
  Checksum();
  const size_t remaining = size_ - pos_;
  std::memmove(buffer_.data(), buffer_.data() + pos_, remaining);
  consumed_before_ += pos_;
  pos_ = 0;
  crc_pos_ = 0;
  size_ = remaining;
  if (buffer_.size() < size) buffer_.resize(size);
  data_ = buffer_.data();
  while (size_ < buffer_.size()) {
    size_t n = source_->Read(buffer_.data() + size_, buffer_.size() - size_);
    if (n == 0) break;
    size_ += n;
    if (size_ >= size) break;
  }
  return size_ - pos_;
}

uint8_t RdbReader::ReadByte() {
  if (pos_ == size_ && Fill(1) < 1) ThrowShortRead(1);
  return static_cast<uint8_t>(data_[pos_++]);
}

void RdbReader::ReadExact(void* dst, size_t size) {
  auto* out = static_cast<char*>(dst);
  while (size > 0) {
    size_t available = size_ - pos_;
    if (available == 0) {
      available = Fill(std::min(size, kBufferSize));
      if (available == 0) ThrowShortRead(size);
    }
    const size_t n = std::min(available, size);
    std::memcpy(out, data_ + pos_, n);
    pos_ += n;
    out += n;
    size -= n;
  }
}

uint32_t RdbReader::ReadU32() {
  uint8_t b[4];
  ReadExact(b, 4);
  return LoadU32(b);
}

uint64_t RdbReader::ReadU64() {
  uint8_t b[8];
  ReadExact(b, 8);
  return LoadU64(b);
}

uint64_t RdbReader::ReadLength(bool* encoded) {
  if (encoded != nullptr) *encoded = false;
  const uint8_t first = ReadByte();
  switch (first >> 6) {
    case 0:
      return first & 0x3f;
    case 1:
      return (uint64_t{first & 0x3fu} << 8) | ReadByte();
    case 2: {
      uint8_t b[8];
      if (first == 0x80) {
        ReadExact(b, 4);
        return (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
      }
      if (first == 0x81) {
        ReadExact(b, 8);
        uint64_t value = 0;
        for (uint8_t byte : b) value = (value << 8) | byte;
        return value;
      }
      throw RdbError("Unknown length encoding " + std::to_string(first) + " at byte " +
                     std::to_string(offset() - 1));
    }
    default:
      if (encoded == nullptr) {
        throw RdbError("Unexpected string encoding where a length was expected at byte " +
                       std::to_string(offset() - 1));
      }
      *encoded = true;
      return first & 0x3f;
  }
}

std::string RdbReader::ReadString() {
  bool encoded = false;
  const uint64_t length = ReadLength(&encoded);
  if (!encoded) {
    std::string text;
    // Grow as bytes arrive rather than trusting a corrupt length with one huge allocation.
    constexpr uint64_t kStep = 64 << 20;
    while (text.size() < length) {
      const size_t old = text.size();
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(length - old, kStep));
      text.resize(old + chunk);
      ReadExact(text.data() + old, chunk);
    }
    return text;
  }
  switch (length) {
    case 0:
      return std::to_string(static_cast<int8_t>(ReadByte()));
    case 1: {
      uint8_t b[2];
      ReadExact(b, 2);
      return std::to_string(static_cast<int16_t>(LoadU16(b)));
    }
    case 2:
      return std::to_string(static_cast<int32_t>(ReadU32()));
    case 3: {
      const uint64_t compressed = ReadLength();
      const uint64_t plain = ReadLength();
      if (compressed == 0 || plain == 0 || compressed > (uint64_t{1} << 32) ||
          plain > (uint64_t{1} << 32)) {
        throw RdbError("Invalid LZF string lengths at byte " + std::to_string(offset()));
      }
      std::string in(compressed, '\0');
      ReadExact(in.data(), in.size());
      std::string out(plain, '\0');
      if (!LzfDecompress(in.data(), in.size(), out.data(), out.size())) {
        throw RdbError("Invalid LZF compressed string at byte " + std::to_string(offset()));
      }
      return out;
    }
    default:
      throw RdbError("Unknown RDB string encoding type " + std::to_string(length) + " at byte " +
                     std::to_string(offset() - 1));
  }
}

double RdbReader::ReadBinaryDouble() {
  const uint64_t bits = ReadU64();
  double value = 0;
  std::memcpy(&value, &bits, 8);
  return value;
}

double RdbReader::ReadAsciiDouble() {
  const uint8_t length = ReadByte();
  if (length == 253) return std::nan("");
  if (length == 254) return INFINITY;
  if (length == 255) return -INFINITY;
  char buf[256];
  ReadExact(buf, length);
  buf[length] = '\0';
  char* end = nullptr;
  const double value = std::strtod(buf, &end);
  if (end != buf + length) {
    throw RdbError("Invalid ASCII double at byte " + std::to_string(offset()));
  }
  return value;
}

}  // namespace drayman::rdb
