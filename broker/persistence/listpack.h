// Listpack elements: the one copy of Redis's listpack.c element encoding Drayman has.
//
// Contract: AppendInt/AppendElement write one element exactly as lpAppendInteger/lpAppend do
// (an element whose text is a canonical integer, string2ll's form, is stored as an integer in the
// narrowest encoding), followed by its back-length as lpEncodeBacklen writes it (most
// significant 7-bit group first with the high bit clear, every later byte with 0x80; Redis's size
// thresholds, so an element of 16383 bytes takes a 3-byte back-length). ElementBytes/IntBytes
// say how many bytes those calls add. Decode reads the element at a position of a byte range
// (the range ends where elements may no longer be: before a listpack's 0xFF terminator),
// checking every bound and the back-length, so it is safe on bytes from a file; At and PrevStart
// are for bytes Drayman wrote or Decode has already checked. Users: stream nodes
// (keyspace/stream.cc), RDB listpack blobs (rdb_encode's ListpackBuilder, rdb_blobs' reader).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drayman::listpack {

// total bytes (uint32) + element count (uint16)
inline constexpr size_t kHeaderBytes = 6;
inline constexpr unsigned char kTerminator = 0xff;

// Bytes of an element's back-length for an element of `entry_size` bytes (encoding + data).
size_t BacklenSize(size_t entry_size);
size_t IntBytes(int64_t value);
size_t ElementBytes(std::string_view element);

void AppendInt(int64_t value, std::string& out);
void AppendElement(std::string_view element, std::string& out);

// One element: an integer or a view of its string bytes; `size` is the whole element (encoding,
// data and back-length), so the next element starts `size` bytes later.
struct Element {
  bool is_int = false;
  int64_t value = 0;
  std::string_view str;
  size_t size = 0;
  // The element as text (integers in decimal).
  std::string Text() const;
  bool Equals(std::string_view text) const;
};

enum class DecodeStatus { kOk, kOutOfRange, kBadEncoding, kBadBacklen, kBacklenMismatch };

DecodeStatus Decode(std::string_view bytes, size_t pos, Element* element);
// Decode for checked bytes.
Element At(std::string_view bytes, size_t pos);
// The start of the element whose last byte is at end - 1 (its back-length read backwards).
size_t PrevStart(std::string_view bytes, size_t end);

}  // namespace drayman::listpack
