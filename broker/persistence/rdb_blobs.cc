#include "broker/persistence/rdb_blobs.h"

#include <atomic>
#include <charconv>
#include <string>
#include <vector>

#include "broker/persistence/listpack.h"
#include "broker/persistence/rdb_format.h"

namespace drayman::rdb {
namespace {

// A validated element: bytes in the blob, or an integer.
struct Element {
  const char* data = nullptr;
  size_t size = 0;
  int64_t integer = 0;
  bool is_int = false;
};

void Emit(const std::vector<Element>& elements, const ElementFn& fn) {
  char buf[24];
  for (const Element& e : elements) {
    if (e.is_int) {
      auto result = std::to_chars(buf, buf + sizeof(buf), e.integer);
      fn(std::string_view(buf, result.ptr - buf));
    } else {
      fn(std::string_view(e.data, e.size));
    }
  }
}

[[noreturn]] void Corrupt(const char* kind, const char* what) {
  throw RdbError(std::string(kind) + " integrity check failed: " + what);
}

int64_t SignExtend(uint64_t value, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  if (bits < 64 && (value & sign)) return static_cast<int64_t>(value) - (int64_t{1} << bits);
  return static_cast<int64_t>(value);
}

uint64_t LoadLe(const uint8_t* p, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t{p[i]} << (8 * i);
  return value;
}

std::atomic<uint64_t> sanitizations{0};

void CountSanitization() { sanitizations.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

uint64_t DumpPayloadSanitizations() { return sanitizations.load(std::memory_order_relaxed); }

void ResetDumpPayloadSanitizations() { sanitizations.store(0, std::memory_order_relaxed); }

void ForEachListpackElement(std::string_view blob, const ElementFn& fn) {
  CountSanitization();
  constexpr const char* kKind = "Listpack";
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const size_t size = blob.size();
  if (size < 7) Corrupt(kKind, "too short");
  if (LoadU32(p) != size) Corrupt(kKind, "header size mismatch");
  if (p[size - 1] != 0xff) Corrupt(kKind, "missing terminator");
  const uint32_t header_count = LoadU16(p + 4);
  // Elements end before the terminator.
  const std::string_view body = blob.substr(0, size - 1);
  std::vector<Element> elements;
  size_t pos = listpack::kHeaderBytes;
  while (pos < body.size()) {
    listpack::Element decoded;
    switch (listpack::Decode(body, pos, &decoded)) {
      case listpack::DecodeStatus::kOk:
        break;
      case listpack::DecodeStatus::kOutOfRange:
        Corrupt(kKind, "entry out of range");
      case listpack::DecodeStatus::kBadEncoding:
        Corrupt(kKind, "invalid entry encoding");
      case listpack::DecodeStatus::kBadBacklen:
        Corrupt(kKind, "bad entry back-length");
      case listpack::DecodeStatus::kBacklenMismatch:
        Corrupt(kKind, "entry back-length mismatch");
    }
    Element e;
    e.is_int = decoded.is_int;
    e.integer = decoded.value;
    e.data = decoded.str.data();
    e.size = decoded.str.size();
    elements.push_back(e);
    pos += decoded.size;
  }
  if (header_count != 65535 && header_count != elements.size()) {
    Corrupt(kKind, "element count mismatch");
  }
  Emit(elements, fn);
}

void ForEachZiplistElement(std::string_view blob, const ElementFn& fn) {
  CountSanitization();
  constexpr const char* kKind = "Ziplist";
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const size_t size = blob.size();
  if (size < 11) Corrupt(kKind, "too short");
  if (LoadU32(p) != size) Corrupt(kKind, "header size mismatch");
  if (p[size - 1] != 0xff) Corrupt(kKind, "missing terminator");
  const uint32_t tail = LoadU32(p + 4);
  const uint32_t header_count = LoadU16(p + 8);
  std::vector<Element> elements;
  size_t pos = 10;
  size_t previous_size = 0;
  size_t last_entry = 10;
  while (pos < size - 1) {
    const size_t start = pos;
    const size_t avail = size - 1 - pos;
    auto need = [&](size_t n) {
      if (n > avail) Corrupt(kKind, "entry out of range");
    };
    size_t prevlen_size = 1;
    size_t prevlen = p[pos];
    if (prevlen == 254) {
      need(5);
      prevlen_size = 5;
      prevlen = LoadU32(p + pos + 1);
    } else if (prevlen == 255) {
      Corrupt(kKind, "invalid prevlen");
    }
    if (prevlen != previous_size) Corrupt(kKind, "prevlen mismatch");
    need(prevlen_size + 1);
    const size_t enc_pos = pos + prevlen_size;
    const uint8_t enc = p[enc_pos];
    size_t header = 1;
    size_t data = 0;
    Element e;
    switch (enc >> 6) {
      case 0:
        data = enc & 0x3f;
        break;
      case 1:
        need(prevlen_size + 2);
        header = 2;
        data = (size_t{enc & 0x3fu} << 8) | p[enc_pos + 1];
        break;
      case 2:
        need(prevlen_size + 5);
        header = 5;
        data = (size_t{p[enc_pos + 1]} << 24) | (size_t{p[enc_pos + 2]} << 16) |
               (size_t{p[enc_pos + 3]} << 8) | p[enc_pos + 4];
        break;
      default: {
        e.is_int = true;
        int bytes = 0;
        if (enc == 0xc0) {
          bytes = 2;
        } else if (enc == 0xd0) {
          bytes = 4;
        } else if (enc == 0xe0) {
          bytes = 8;
        } else if (enc == 0xf0) {
          bytes = 3;
        } else if (enc == 0xfe) {
          bytes = 1;
        } else if (enc >= 0xf1 && enc <= 0xfd) {
          e.integer = (enc & 0x0f) - 1;
        } else {
          Corrupt(kKind, "invalid entry encoding");
        }
        if (bytes > 0) {
          need(prevlen_size + 1 + bytes);
          e.integer = SignExtend(LoadLe(p + enc_pos + 1, bytes), bytes * 8);
          data = bytes;
        }
      }
    }
    const size_t entry_size = prevlen_size + header + data;
    need(entry_size);
    if (!e.is_int) {
      e.data = blob.data() + enc_pos + header;
      e.size = data;
    }
    elements.push_back(e);
    last_entry = start;
    previous_size = entry_size;
    pos += entry_size;
  }
  if (pos != size - 1) Corrupt(kKind, "entries overrun the terminator");
  if (tail != last_entry) Corrupt(kKind, "tail offset mismatch");
  if (header_count != 65535 && header_count != elements.size()) {
    Corrupt(kKind, "element count mismatch");
  }
  Emit(elements, fn);
}

void ForEachZipmapElement(std::string_view blob, const ElementFn& fn) {
  CountSanitization();
  constexpr const char* kKind = "Zipmap";
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const size_t size = blob.size();
  if (size < 2) Corrupt(kKind, "too short");
  if (p[size - 1] != 0xff) Corrupt(kKind, "missing terminator");
  std::vector<Element> elements;
  size_t pos = 1;
  auto read_length = [&](size_t* length) {
    if (pos >= size - 1) Corrupt(kKind, "entry out of range");
    if (p[pos] < 254) {
      *length = p[pos];
      pos += 1;
    } else if (p[pos] == 254) {
      if (pos + 5 > size - 1) Corrupt(kKind, "entry out of range");
      *length = LoadU32(p + pos + 1);
      pos += 5;
    } else {
      Corrupt(kKind, "invalid length");
    }
  };
  while (pos < size - 1) {
    size_t key_length = 0;
    read_length(&key_length);
    if (key_length > size - 1 - pos) Corrupt(kKind, "entry out of range");
    elements.push_back({blob.data() + pos, key_length});
    pos += key_length;
    size_t value_length = 0;
    read_length(&value_length);
    if (pos >= size - 1) Corrupt(kKind, "entry out of range");
    const size_t free_bytes = p[pos++];
    if (value_length + free_bytes > size - 1 - pos) Corrupt(kKind, "entry out of range");
    elements.push_back({blob.data() + pos, value_length});
    pos += value_length + free_bytes;
  }
  if (pos != size - 1) Corrupt(kKind, "entries overrun the terminator");
  if (p[0] < 254 && p[0] * 2u != elements.size()) Corrupt(kKind, "element count mismatch");
  Emit(elements, fn);
}

void ForEachIntsetValue(std::string_view blob, const std::function<void(int64_t)>& fn) {
  CountSanitization();
  constexpr const char* kKind = "Intset";
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < 8) Corrupt(kKind, "too short");
  const uint32_t width = LoadU32(p);
  const uint32_t count = LoadU32(p + 4);
  if (width != 2 && width != 4 && width != 8) Corrupt(kKind, "invalid encoding");
  if (blob.size() != 8 + uint64_t{width} * count) Corrupt(kKind, "size mismatch");
  int64_t previous = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const int64_t value = SignExtend(LoadLe(p + 8 + uint64_t{i} * width, width), width * 8);
    if (i > 0 && value <= previous) Corrupt(kKind, "values not sorted and distinct");
    previous = value;
  }
  for (uint32_t i = 0; i < count; ++i) {
    fn(SignExtend(LoadLe(p + 8 + uint64_t{i} * width, width), width * 8));
  }
}

}  // namespace drayman::rdb
