#include "broker/persistence/listpack.h"

#include <charconv>

#include "broker/persistence/rdb_format.h"

namespace drayman::listpack {

namespace {

// Bytes of the encoding and data of an integer element.
size_t IntEncodingBytes(int64_t v) {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= INT16_MIN && v <= INT16_MAX) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  return 9;
}

size_t StringEncodingBytes(size_t n) { return (n < 64 ? 1 : n < 4096 ? 2 : 5) + n; }

void AppendBacklen(size_t entry_size, std::string& out) {
  const int n = static_cast<int>(BacklenSize(entry_size));
  for (int i = n - 1; i >= 0; --i) {
    const auto group = static_cast<char>((entry_size >> (7 * i)) & 127);
    out.push_back(static_cast<char>(group | (i == n - 1 ? 0 : 0x80)));
  }
}

int64_t SignExtend(uint64_t value, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  if (bits < 64 && (value & sign)) return static_cast<int64_t>(value) - (int64_t{1} << bits);
  return static_cast<int64_t>(value);
}

uint64_t LoadLe(const unsigned char* p, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t{p[i]} << (8 * i);
  return value;
}

}  // namespace

size_t BacklenSize(size_t entry_size) {
  if (entry_size <= 127) return 1;
  if (entry_size < 16383) return 2;
  if (entry_size < 2097151) return 3;
  if (entry_size < 268435455) return 4;
  return 5;
}

size_t IntBytes(int64_t value) {
  const size_t encoded = IntEncodingBytes(value);
  return encoded + BacklenSize(encoded);
}

size_t ElementBytes(std::string_view element) {
  int64_t value = 0;
  const size_t encoded = rdb::CanonicalInt(element, &value) ? IntEncodingBytes(value)
                                                            : StringEncodingBytes(element.size());
  return encoded + BacklenSize(encoded);
}

void AppendInt(int64_t v, std::string& out) {
  const size_t start = out.size();
  auto put = [&](uint64_t bits, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
  };
  if (v >= 0 && v <= 127) {
    out.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t u = v < 0 ? (uint64_t{1} << 13) + v : v;
    out.push_back(static_cast<char>(0xc0 | (u >> 8)));
    out.push_back(static_cast<char>(u & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    out.push_back(static_cast<char>(0xf1));
    put(static_cast<uint64_t>(v), 2);
  } else if (v >= -8388608 && v <= 8388607) {
    out.push_back(static_cast<char>(0xf2));
    put(static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out.push_back(static_cast<char>(0xf3));
    put(static_cast<uint64_t>(v), 4);
  } else {
    out.push_back(static_cast<char>(0xf4));
    put(static_cast<uint64_t>(v), 8);
  }
  AppendBacklen(out.size() - start, out);
}

void AppendElement(std::string_view element, std::string& out) {
  int64_t value = 0;
  if (rdb::CanonicalInt(element, &value)) {
    AppendInt(value, out);
    return;
  }
  const size_t start = out.size();
  const size_t n = element.size();
  if (n < 64) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n < 4096) {
    out.push_back(static_cast<char>(0xe0 | (n >> 8)));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(0xf0));
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(n >> (8 * i)));
  }
  out.append(element);
  AppendBacklen(out.size() - start, out);
}

std::string Element::Text() const {
  if (!is_int) return std::string(str);
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

bool Element::Equals(std::string_view text) const {
  if (!is_int) return str == text;
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string_view(buf, result.ptr - buf) == text;
}

namespace {

// Decode's body; `check_backlen` false skips reading the back-length (bytes already checked).
DecodeStatus DecodeAt(std::string_view bytes, size_t pos, Element* e, bool check_backlen) {
  if (pos >= bytes.size()) return DecodeStatus::kOutOfRange;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + pos;
  const size_t avail = bytes.size() - pos;
  const unsigned char b = p[0];
  size_t header = 1;
  size_t data = 0;
  e->is_int = true;
  e->str = {};
  if ((b & 0x80) == 0) {
    e->value = b & 0x7f;
  } else if ((b & 0xc0) == 0x80) {
    e->is_int = false;
    data = b & 0x3f;
  } else if ((b & 0xe0) == 0xc0) {
    if (avail < 2) return DecodeStatus::kOutOfRange;
    header = 2;
    e->value = SignExtend((uint64_t{b & 0x1fu} << 8) | p[1], 13);
  } else if ((b & 0xf0) == 0xe0) {
    if (avail < 2) return DecodeStatus::kOutOfRange;
    header = 2;
    e->is_int = false;
    data = (size_t{b & 0x0fu} << 8) | p[1];
  } else if (b == 0xf0) {
    if (avail < 5) return DecodeStatus::kOutOfRange;
    header = 5;
    e->is_int = false;
    data = LoadLe(p + 1, 4);
  } else if (b >= 0xf1 && b <= 0xf4) {
    static constexpr int kBytes[] = {2, 3, 4, 8};
    const int width = kBytes[b - 0xf1];
    if (avail < size_t(1 + width)) return DecodeStatus::kOutOfRange;
    header = 1 + width;
    e->value = SignExtend(LoadLe(p + 1, width), width * 8);
  } else {
    return DecodeStatus::kBadEncoding;
  }
  const size_t entry_size = header + data;
  const size_t backlen = BacklenSize(entry_size);
  if (entry_size + backlen > avail) return DecodeStatus::kOutOfRange;
  if (check_backlen) {
    size_t decoded = 0;
    const unsigned char* back = p + entry_size;
    for (size_t i = 0; i < backlen; ++i) {
      if ((back[i] & 0x80) != (i == 0 ? 0 : 0x80)) return DecodeStatus::kBadBacklen;
      decoded = (decoded << 7) | (back[i] & 0x7f);
    }
    if (decoded != entry_size) return DecodeStatus::kBacklenMismatch;
  }
  if (!e->is_int) e->str = bytes.substr(pos + header, data);
  e->size = entry_size + backlen;
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus Decode(std::string_view bytes, size_t pos, Element* e) {
  return DecodeAt(bytes, pos, e, true);
}

Element At(std::string_view bytes, size_t pos) {
  Element e;
  DecodeAt(bytes, pos, &e, false);
  return e;
}

size_t PrevStart(std::string_view bytes, size_t end) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = end - 1;
  uint64_t value = 0;
  int shift = 0;
  while (true) {
    value |= uint64_t{p[i] & 127u} << shift;
    if (!(p[i] & 128) || i == 0 || shift > 28) break;
    shift += 7;
    --i;
  }
  return end - BacklenSize(value) - value;
}

}  // namespace drayman::listpack
