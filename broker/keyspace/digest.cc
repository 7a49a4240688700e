#include "broker/keyspace/digest.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace drayman {
namespace {

Digest Sha1(std::string_view bytes) {
  Digest out;
  unsigned int length = 0;
  // EVP_Digest fails only when OpenSSL cannot allocate; there is no sensible reply then.
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &length, EVP_sha1(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

// Order-independent: digest ^= SHA1(bytes).
void XorBytes(Digest& digest, std::string_view bytes) {
  const Digest hash = Sha1(bytes);
  for (size_t i = 0; i < digest.size(); ++i) digest[i] ^= hash[i];
}

void XorDigest(Digest& digest, const Digest& other) {
  XorBytes(digest, std::string_view(reinterpret_cast<const char*>(other.data()), other.size()));
}

// Order-dependent: digest = SHA1(digest ^ SHA1(bytes)).
void MixBytes(Digest& digest, std::string_view bytes) {
  XorBytes(digest, bytes);
  digest = Sha1(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

void MixBigEndian32(Digest& digest, uint32_t number) {
  const char bytes[4] = {static_cast<char>(number >> 24), static_cast<char>(number >> 16),
                         static_cast<char>(number >> 8), static_cast<char>(number)};
  MixBytes(digest, std::string_view(bytes, sizeof(bytes)));
}

// Redis's OBJ_* type numbers, which differ from ValueType's order.
uint32_t RedisTypeNumber(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return 0;
    case ValueType::kList:
      return 1;
    case ValueType::kSet:
      return 2;
    case ValueType::kZSet:
      return 3;
    case ValueType::kHash:
      return 4;
    case ValueType::kStream:
      return 6;
  }
  return 0;
}

// A field and its value (or a member and its score) in a fresh digest, XOR-ed into `digest`.
void XorPair(Digest& digest, std::string_view first, std::string_view second) {
  Digest pair{};
  MixBytes(pair, first);
  MixBytes(pair, second);
  XorDigest(digest, pair);
}

// Redis's xorObjectDigest: mixes the value's type and contents into `digest`.
void AddValue(Digest& digest, const Entry& entry) {
  const Value& value = entry.value;
  MixBigEndian32(digest, RedisTypeNumber(value.type()));
  switch (value.type()) {
    case ValueType::kString:
      MixBytes(digest, value.view());
      break;
    case ValueType::kList:
      value.list().ForEachWhile(false, [&](std::string_view element) {
        MixBytes(digest, element);
        return true;
      });
      break;
    case ValueType::kSet:
      value.set().ForEach([&](std::string_view member) { XorBytes(digest, member); });
      break;
    case ValueType::kZSet:
      for (const ZSet::Node* node = value.zset().First(); node != nullptr; node = node->next()) {
        char score[32];
        const int length = std::snprintf(score, sizeof(score), "%.17g", node->score);
        XorPair(digest, node->member(), std::string_view(score, length));
      }
      break;
    case ValueType::kHash:
      value.hash().ForEach(
          [&](std::string_view field, std::string_view text) { XorPair(digest, field, text); });
      break;
    case ValueType::kStream:
      // Redis mixes each entry's "ms.seq" then its fields and values; groups are not included.
      value.stream().Range({}, StreamId::Max(), false, [&](const Stream::EntryView& e) {
        MixBytes(digest, std::to_string(e.id.ms) + "." + std::to_string(e.id.seq));
        for (const std::string& part : e.fields_and_values) MixBytes(digest, part);
        return true;
      });
      break;
  }
  if (entry.expire_at_ms != kNoExpiry) XorBytes(digest, "!!expire!!");
}

}  // namespace

Digest ValueDigest(const Entry& entry) {
  Digest digest{};
  AddValue(digest, entry);
  return digest;
}

Digest DatasetDigest(Keyspace& keyspace) {
  Digest final_digest{};
  for (int index = 0; index < keyspace.database_count(); ++index) {
    const Database& db = keyspace.db(index);
    if (db.size() == 0) continue;
    MixBigEndian32(final_digest, static_cast<uint32_t>(index));
    db.ForEach([&](std::string_view key, const Entry& entry) {
      Digest key_digest{};
      MixBytes(key_digest, key);
      AddValue(key_digest, entry);
      XorDigest(final_digest, key_digest);
    });
  }
  return final_digest;
}

std::string DigestHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * digest.size(), '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace drayman
