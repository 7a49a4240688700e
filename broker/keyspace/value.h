// Value: what a key holds. One of string, list, hash, set, sorted set, stream.
//
// Contract: the type is fixed at creation; commands check it through Database lookups and answer
// WRONGTYPE on a mismatch. A Value is 16 bytes: a string of up to 14 bytes is stored inside it,
// a longer one in one exactly sized block, and a string changed in place (str()) in an owned
// std::string; containers sit behind a pointer. So a small key's value costs no allocation and
// a Celery result one block of its own size. Moving a Value leaves an empty string behind.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "broker/keyspace/hash.h"
#include "broker/keyspace/list.h"
#include "broker/keyspace/set.h"
#include "broker/keyspace/stream.h"
#include "broker/keyspace/zset.h"

namespace drayman {

enum class ValueType : uint8_t { kString = 0, kList = 1, kHash = 2, kSet = 3, kZSet = 4, kStream = 5 };

// The name TYPE answers with ("string", "list", ...).
std::string_view TypeName(ValueType type);

// How a string value was made. Redis's OBJECT ENCODING / OBJECT REFCOUNT depend on it, not only
// on the bytes: SET stores "1" as a shared "int", APPEND leaves "raw", INCRBYFLOAT never makes
// "int", COPY never shares. Code that changes a string in place marks it kRaw.
enum class StringEncoding : uint8_t {
  kStored = 0,       // as SET stores an argument: "int" if canonical, else "embstr"/"raw" by length
  kRaw = 1,          // grown in place (APPEND to an existing key, SETRANGE): always "raw"
  kNoInt = 2,        // made from text (INCRBYFLOAT): "embstr" up to 44 bytes, else "raw"
  kUnsharedInt = 3,  // a copied value (COPY): like kStored, but an "int" is never shared
};

class Value {
 public:
  Value() noexcept { SetInline({}, StringEncoding::kStored); }
  // A string value; the bytes are copied (inline up to kInlineCapacity, else one exact block).
  explicit Value(std::string_view text, StringEncoding encoding = StringEncoding::kStored);
  explicit Value(std::unique_ptr<List> list) { SetOwned(Kind::kList, list.release()); }
  explicit Value(std::unique_ptr<Hash> hash) { SetOwned(Kind::kHash, hash.release()); }
  explicit Value(std::unique_ptr<Set> set) { SetOwned(Kind::kSet, set.release()); }
  explicit Value(std::unique_ptr<ZSet> zset) { SetOwned(Kind::kZSet, zset.release()); }
  explicit Value(std::unique_ptr<Stream> stream) { SetOwned(Kind::kStream, stream.release()); }
  Value(Value&& other) noexcept { TakeFrom(other); }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Release();
      TakeFrom(other);
    }
    return *this;
  }
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  ~Value() { Release(); }

  ValueType type() const {
    const Kind k = kind();
    return k <= Kind::kString ? ValueType::kString
                              : static_cast<ValueType>(static_cast<uint8_t>(k) - 2);
  }

  // A string's bytes, however they are stored (readers: GET, persistence, digests).
  std::string_view view() const {
    switch (kind()) {
      case Kind::kInline: return {bytes_, inline_size_};
      case Kind::kBlob: return {static_cast<const char*>(pointer()), blob_size()};
      default: return *static_cast<const std::string*>(pointer());
    }
  }
  // A string for changing in place (APPEND, SETRANGE, bit and HLL writes): the first call turns
  // the compact forms into an owned std::string, which later calls return (Redis likewise turns
  // an embstr into a raw string when it is modified). Readers use view().
  std::string& str() {
    if (kind() != Kind::kString) PromoteToString();
    return *static_cast<std::string*>(pointer());
  }
  List& list() { return *static_cast<List*>(pointer()); }
  const List& list() const { return *static_cast<const List*>(pointer()); }
  Hash& hash() { return *static_cast<Hash*>(pointer()); }
  const Hash& hash() const { return *static_cast<const Hash*>(pointer()); }
  Set& set() { return *static_cast<Set*>(pointer()); }
  const Set& set() const { return *static_cast<const Set*>(pointer()); }
  ZSet& zset() { return *static_cast<ZSet*>(pointer()); }
  const ZSet& zset() const { return *static_cast<const ZSet*>(pointer()); }
  Stream& stream() { return *static_cast<Stream*>(pointer()); }
  const Stream& stream() const { return *static_cast<const Stream*>(pointer()); }

  // Deep copy (COPY).
  Value Clone() const;
  // Bytes this value occupies, approximately (MEMORY USAGE).
  size_t MemoryUsage() const;
  // OBJECT ENCODING's answer.
  std::string_view Encoding() const;
  // OBJECT REFCOUNT's answer: Redis shares the integers 0..9999 that SET stores (2147483647).
  int64_t RefCount() const;

  StringEncoding string_encoding() const {
    return static_cast<StringEncoding>(meta_ >> kEncodingShift);
  }
  void set_string_encoding(StringEncoding encoding) {
    meta_ = static_cast<uint8_t>((meta_ & kKindMask) |
                                 (static_cast<uint8_t>(encoding) << kEncodingShift));
  }

  // Strings up to this many bytes are stored inside the Value itself.
  static constexpr size_t kInlineCapacity = 14;

 private:
  // How the 16 bytes are used. kInline: the string's bytes in bytes_, its length in
  // inline_size_. kBlob: a malloc'd block of exactly the string's bytes (made once, never
  // resized), pointer in bytes_[0..7], length in bytes_[8..11]. kString: an owned std::string
  // (a string changed in place). The rest: an owned container.
  enum class Kind : uint8_t { kInline, kBlob, kString, kList, kHash, kSet, kZSet, kStream };
  static constexpr uint8_t kKindMask = 0x7;
  static constexpr int kEncodingShift = 3;

  Kind kind() const { return static_cast<Kind>(meta_ & kKindMask); }
  void* pointer() const {
    void* ptr;
    std::memcpy(&ptr, bytes_, sizeof(ptr));
    return ptr;
  }
  uint32_t blob_size() const {
    uint32_t size;
    std::memcpy(&size, bytes_ + sizeof(void*), sizeof(size));
    return size;
  }
  void SetMeta(Kind kind, StringEncoding encoding) {
    meta_ = static_cast<uint8_t>(static_cast<uint8_t>(kind) |
                                 (static_cast<uint8_t>(encoding) << kEncodingShift));
  }
  void SetInline(std::string_view text, StringEncoding encoding) {
    if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
    inline_size_ = static_cast<uint8_t>(text.size());
    SetMeta(Kind::kInline, encoding);
  }
  void SetOwned(Kind kind, void* ptr) {
    std::memcpy(bytes_, &ptr, sizeof(ptr));
    inline_size_ = 0;
    SetMeta(kind, StringEncoding::kStored);
  }
  void TakeFrom(Value& other) {
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    inline_size_ = other.inline_size_;
    meta_ = other.meta_;
    other.SetInline({}, StringEncoding::kStored);
  }
  void PromoteToString();
  void Release();

  alignas(8) char bytes_[kInlineCapacity];
  uint8_t inline_size_;
  uint8_t meta_;  // Kind in the low 3 bits, StringEncoding above
};
static_assert(sizeof(Value) == 16, "a Value is 16 bytes: the key table's nodes are sized for it");

// Type mapping for typed lookups: ValueTypeOf<List>::value == ValueType::kList.
template <typename T>
struct ValueTypeOf;
template <>
struct ValueTypeOf<std::string> {
  static constexpr ValueType value = ValueType::kString;
};
// Read-only string lookups (FindAs<const Value>, LookupRead(key, &const_value)): the value as
// stored, read through view(), never turned into a std::string.
template <>
struct ValueTypeOf<const Value> {
  static constexpr ValueType value = ValueType::kString;
};
template <>
struct ValueTypeOf<List> {
  static constexpr ValueType value = ValueType::kList;
};
template <>
struct ValueTypeOf<Hash> {
  static constexpr ValueType value = ValueType::kHash;
};
template <>
struct ValueTypeOf<Set> {
  static constexpr ValueType value = ValueType::kSet;
};
template <>
struct ValueTypeOf<ZSet> {
  static constexpr ValueType value = ValueType::kZSet;
};

template <>
struct ValueTypeOf<Stream> {
  static constexpr ValueType value = ValueType::kStream;
};

template <typename T>
T& ValueAs(Value& value);
template <>
inline std::string& ValueAs<std::string>(Value& value) { return value.str(); }
template <>
inline const Value& ValueAs<const Value>(Value& value) { return value; }
template <>
inline List& ValueAs<List>(Value& value) { return value.list(); }
template <>
inline Hash& ValueAs<Hash>(Value& value) { return value.hash(); }
template <>
inline Set& ValueAs<Set>(Value& value) { return value.set(); }
template <>
inline ZSet& ValueAs<ZSet>(Value& value) { return value.zset(); }
template <>
inline Stream& ValueAs<Stream>(Value& value) { return value.stream(); }

}  // namespace drayman
