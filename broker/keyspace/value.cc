#include "broker/keyspace/value.h"

#include <charconv>

namespace drayman {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kHash: return "hash";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
  }
  return "none";
}

Value Value::Clone() const {
  switch (type()) {
    case ValueType::kString: return Value(str());
    case ValueType::kList: return Value(list().Clone());
    case ValueType::kHash: return Value(hash().Clone());
    case ValueType::kSet: return Value(set().Clone());
    case ValueType::kZSet: return Value(zset().Clone());
  }
  return Value();
}

size_t Value::MemoryUsage() const {
  switch (type()) {
    case ValueType::kString: return sizeof(Value) + str().capacity();
    case ValueType::kList: return sizeof(Value) + list().MemoryUsage();
    case ValueType::kHash: return sizeof(Value) + hash().MemoryUsage();
    case ValueType::kSet: return sizeof(Value) + set().MemoryUsage();
    case ValueType::kZSet: return sizeof(Value) + zset().MemoryUsage();
  }
  return sizeof(Value);
}

std::string_view Value::Encoding() const {
  switch (type()) {
    case ValueType::kString: {
      // Redis's encodings for a string as SET stores it: "int" for integers that fit a long,
      // "embstr" up to 44 bytes, "raw" beyond.
      const std::string& text = str();
      int64_t parsed = 0;
      if (!text.empty() && text.size() <= 20) {
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
        bool canonical = !(text.size() > 1 && (text[0] == '0' || (text[0] == '-' && text[1] == '0')));
        if (ec == std::errc() && ptr == text.data() + text.size() && canonical) return "int";
      }
      return text.size() <= 44 ? "embstr" : "raw";
    }
    case ValueType::kList: return list().Encoding();
    case ValueType::kHash: return hash().Encoding();
    case ValueType::kSet: return set().Encoding();
    case ValueType::kZSet: return zset().Encoding();
  }
  return "unknown";
}

}  // namespace drayman
