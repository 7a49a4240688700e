#include "broker/keyspace/value.h"

#include <charconv>
#include <climits>

namespace drayman {

namespace {

// Redis stores a string as "int" when string2l accepts it: canonical (no '+', no leading zeros,
// no "-0", no blanks) and within a long.
bool IsCanonicalInteger(const std::string& text, int64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && (text[0] == '0' || (text[0] == '-' && text[1] == '0'))) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Redis's embstr holds strings up to 44 bytes (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
constexpr size_t kEmbstrLimit = 44;
// Redis shares the integer objects 0..9999 (OBJ_SHARED_INTEGERS); their refcount reads INT_MAX.
constexpr int64_t kSharedIntegers = 10000;

}  // namespace

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kHash: return "hash";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

Value Value::Clone() const {
  switch (type()) {
    case ValueType::kString: {
      // Redis's dupStringObject keeps the encoding but never a shared integer.
      StringEncoding encoding = string_encoding_ == StringEncoding::kStored
                                    ? StringEncoding::kUnsharedInt
                                    : string_encoding_;
      return Value(str(), encoding);
    }
    case ValueType::kList: return Value(list().Clone());
    case ValueType::kHash: return Value(hash().Clone());
    case ValueType::kSet: return Value(set().Clone());
    case ValueType::kZSet: return Value(zset().Clone());
    case ValueType::kStream: return Value(stream().Clone());
  }
  return Value();
}

size_t Value::MemoryUsage() const {
  switch (type()) {
    case ValueType::kString: {
      // Short strings live inside the std::string (no heap block); longer ones own capacity + 1.
      const std::string& text = str();
      const char* inline_begin = reinterpret_cast<const char*>(&text);
      bool on_heap = text.data() < inline_begin || text.data() >= inline_begin + sizeof(text);
      return sizeof(Value) + (on_heap ? text.capacity() + 1 : 0);
    }
    case ValueType::kList: return sizeof(Value) + list().MemoryUsage();
    case ValueType::kHash: return sizeof(Value) + hash().MemoryUsage();
    case ValueType::kSet: return sizeof(Value) + set().MemoryUsage();
    case ValueType::kZSet: return sizeof(Value) + zset().MemoryUsage();
    case ValueType::kStream: return sizeof(Value) + stream().MemoryUsage();
  }
  return sizeof(Value);
}

std::string_view Value::Encoding() const {
  switch (type()) {
    case ValueType::kString: {
      const std::string& text = str();
      int64_t parsed = 0;
      switch (string_encoding_) {
        case StringEncoding::kRaw: return "raw";
        case StringEncoding::kNoInt: break;
        case StringEncoding::kStored:
        case StringEncoding::kUnsharedInt:
          if (IsCanonicalInteger(text, &parsed)) return "int";
          break;
      }
      return text.size() <= kEmbstrLimit ? "embstr" : "raw";
    }
    case ValueType::kList: return list().Encoding();
    case ValueType::kHash: return hash().Encoding();
    case ValueType::kSet: return set().Encoding();
    case ValueType::kZSet: return zset().Encoding();
    case ValueType::kStream: return "stream";
  }
  return "unknown";
}

int64_t Value::RefCount() const {
  int64_t parsed = 0;
  if (type() == ValueType::kString && string_encoding_ == StringEncoding::kStored &&
      IsCanonicalInteger(str(), &parsed) && parsed >= 0 && parsed < kSharedIntegers) {
    return INT_MAX;
  }
  return 1;
}

}  // namespace drayman
