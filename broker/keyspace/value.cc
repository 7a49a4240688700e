#include "broker/keyspace/value.h"

#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace drayman {

namespace {

// Redis stores a string as "int" when string2l accepts it: canonical (no '+', no leading zeros,
// no "-0", no blanks) and within a long.
bool IsCanonicalInteger(std::string_view text, int64_t* value) {
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

Value::Value(std::string_view text, StringEncoding encoding) {
  if (text.size() <= kInlineCapacity) {
    SetInline(text, encoding);
  } else if (text.size() <= UINT32_MAX) {
    void* block = std::malloc(text.size());
    if (block == nullptr) throw std::bad_alloc();
    std::memcpy(block, text.data(), text.size());
    std::memcpy(bytes_, &block, sizeof(block));
    const uint32_t size = static_cast<uint32_t>(text.size());
    std::memcpy(bytes_ + sizeof(void*), &size, sizeof(size));
    inline_size_ = 0;
    SetMeta(Kind::kBlob, encoding);
  } else {
    SetOwned(Kind::kString, new std::string(text));
    set_string_encoding(encoding);
  }
}

void Value::PromoteToString() {
  auto* text = new std::string(view());
  const StringEncoding encoding = string_encoding();
  Release();
  SetOwned(Kind::kString, text);
  set_string_encoding(encoding);
}

void Value::Release() {
  switch (kind()) {
    case Kind::kInline: break;
    case Kind::kBlob: std::free(pointer()); break;
    case Kind::kString: delete static_cast<std::string*>(pointer()); break;
    case Kind::kList: delete static_cast<List*>(pointer()); break;
    case Kind::kHash: delete static_cast<Hash*>(pointer()); break;
    case Kind::kSet: delete static_cast<Set*>(pointer()); break;
    case Kind::kZSet: delete static_cast<ZSet*>(pointer()); break;
    case Kind::kStream: delete static_cast<Stream*>(pointer()); break;
  }
}

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
      StringEncoding encoding = string_encoding() == StringEncoding::kStored
                                    ? StringEncoding::kUnsharedInt
                                    : string_encoding();
      return Value(view(), encoding);
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
    case ValueType::kString:
      switch (kind()) {
        case Kind::kInline: return sizeof(Value);
        case Kind::kBlob: return sizeof(Value) + blob_size();
        default: {
          // An owned std::string: the object, and its heap bytes when it does not fit inline.
          const auto& text = *static_cast<const std::string*>(pointer());
          const char* inline_begin = reinterpret_cast<const char*>(&text);
          bool on_heap = text.data() < inline_begin || text.data() >= inline_begin + sizeof(text);
          return sizeof(Value) + sizeof(std::string) + (on_heap ? text.capacity() + 1 : 0);
        }
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
      const std::string_view text = view();
      int64_t parsed = 0;
      switch (string_encoding()) {
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
  if (type() == ValueType::kString && string_encoding() == StringEncoding::kStored &&
      IsCanonicalInteger(view(), &parsed) && parsed >= 0 && parsed < kSharedIntegers) {
    return INT_MAX;
  }
  return 1;
}

}  // namespace drayman
