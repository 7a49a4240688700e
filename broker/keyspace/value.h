// Value: what a key holds. One of string, list, hash, set, sorted set, stream.
//
// Contract: the type is fixed at creation; commands check it through Database lookups and answer
// WRONGTYPE on a mismatch. Strings are stored inline, containers behind a pointer so a Value is
// small and moves cheaply.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

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
  Value() : data_(std::string()) {}
  explicit Value(std::string text, StringEncoding encoding = StringEncoding::kStored)
      : data_(std::move(text)), string_encoding_(encoding) {}
  explicit Value(std::unique_ptr<List> list) : data_(std::move(list)) {}
  explicit Value(std::unique_ptr<Hash> hash) : data_(std::move(hash)) {}
  explicit Value(std::unique_ptr<Set> set) : data_(std::move(set)) {}
  explicit Value(std::unique_ptr<ZSet> zset) : data_(std::move(zset)) {}
  explicit Value(std::unique_ptr<Stream> stream) : data_(std::move(stream)) {}

  ValueType type() const { return static_cast<ValueType>(data_.index()); }

  std::string& str() { return std::get<std::string>(data_); }
  const std::string& str() const { return std::get<std::string>(data_); }
  List& list() { return *std::get<std::unique_ptr<List>>(data_); }
  const List& list() const { return *std::get<std::unique_ptr<List>>(data_); }
  Hash& hash() { return *std::get<std::unique_ptr<Hash>>(data_); }
  const Hash& hash() const { return *std::get<std::unique_ptr<Hash>>(data_); }
  Set& set() { return *std::get<std::unique_ptr<Set>>(data_); }
  const Set& set() const { return *std::get<std::unique_ptr<Set>>(data_); }
  ZSet& zset() { return *std::get<std::unique_ptr<ZSet>>(data_); }
  const ZSet& zset() const { return *std::get<std::unique_ptr<ZSet>>(data_); }
  Stream& stream() { return *std::get<std::unique_ptr<Stream>>(data_); }
  const Stream& stream() const { return *std::get<std::unique_ptr<Stream>>(data_); }

  // Deep copy (COPY).
  Value Clone() const;
  // Bytes this value occupies, approximately (MEMORY USAGE).
  size_t MemoryUsage() const;
  // OBJECT ENCODING's answer.
  std::string_view Encoding() const;
  // OBJECT REFCOUNT's answer: Redis shares the integers 0..9999 that SET stores (2147483647).
  int64_t RefCount() const;

  StringEncoding string_encoding() const { return string_encoding_; }
  void set_string_encoding(StringEncoding encoding) { string_encoding_ = encoding; }

 private:
  std::variant<std::string, std::unique_ptr<List>, std::unique_ptr<Hash>, std::unique_ptr<Set>,
               std::unique_ptr<ZSet>, std::unique_ptr<Stream>>
      data_;
  StringEncoding string_encoding_ = StringEncoding::kStored;
};

// Type mapping for typed lookups: ValueTypeOf<List>::value == ValueType::kList.
template <typename T>
struct ValueTypeOf;
template <>
struct ValueTypeOf<std::string> {
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
