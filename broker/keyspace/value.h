// Value: what a key holds. One of string, list, hash, set, sorted set.
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
#include "broker/keyspace/zset.h"

namespace drayman {

enum class ValueType : uint8_t { kString = 0, kList = 1, kHash = 2, kSet = 3, kZSet = 4 };

// The name TYPE answers with ("string", "list", ...).
std::string_view TypeName(ValueType type);

class Value {
 public:
  Value() : data_(std::string()) {}
  explicit Value(std::string text) : data_(std::move(text)) {}
  explicit Value(std::unique_ptr<List> list) : data_(std::move(list)) {}
  explicit Value(std::unique_ptr<Hash> hash) : data_(std::move(hash)) {}
  explicit Value(std::unique_ptr<Set> set) : data_(std::move(set)) {}
  explicit Value(std::unique_ptr<ZSet> zset) : data_(std::move(zset)) {}

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

  // Deep copy (COPY).
  Value Clone() const;
  // Bytes this value occupies, approximately (MEMORY USAGE).
  size_t MemoryUsage() const;
  // OBJECT ENCODING's answer.
  std::string_view Encoding() const;

 private:
  std::variant<std::string, std::unique_ptr<List>, std::unique_ptr<Hash>, std::unique_ptr<Set>,
               std::unique_ptr<ZSet>>
      data_;
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

}  // namespace drayman
