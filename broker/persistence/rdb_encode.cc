#include "broker/persistence/rdb_encode.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <vector>

#include "broker/persistence/listpack.h"
#include "broker/persistence/rdb_stream.h"

namespace drayman::rdb {
namespace {

// Redis's default list-max-listpack-size -2: quicklist nodes of at most 8 KB.
constexpr size_t kListNodeBytes = 8192;
// Redis 7.0 stores list elements of 1 GB and more (packed_threshold) as plain nodes.
constexpr size_t kPlainNodeThreshold = size_t{1} << 30;

// Redis's rule for appending to a node (quicklist.c _quicklistNodeAllowInsert with fill -2): the
// node's bytes plus the element plus an 8-byte estimate must stay within 8 KB. Following it makes
// a list built by RPUSH serialise byte for byte as Redis does.
bool NodeIsFull(size_t listpack_bytes, uint32_t count, size_t element_size) {
  return count > 0 && (listpack_bytes + element_size + 8 > kListNodeBytes || count >= 65535);
}

// What Redis's double2ll accepts: integral values within +-LLONG_MAX/2, stored as integers.
bool ScoreAsInteger(double score, int64_t* out) {
  if (!(score >= static_cast<double>(-INT64_MAX / 2) &&
        score <= static_cast<double>(INT64_MAX / 2)))
    return false;
  auto integer = static_cast<int64_t>(score);
  if (static_cast<double>(integer) != score) return false;
  *out = integer;
  return true;
}

void AppendScore(ListpackBuilder& lp, double score) {
  int64_t integer = 0;
  if (ScoreAsInteger(score, &integer)) {
    lp.AppendInt(integer);
    return;
  }
  if (std::isinf(score)) {
    lp.Append(score > 0 ? "inf" : "-inf");
    return;
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  lp.Append(std::string_view(buf, n));
}

void EncodeList(const List& list, std::string& out, Compression compress) {
  QuicklistNodeCounter counter;
  list.ForEachWhile(false, [&](std::string_view element) {
    counter.Add(element);
    return true;
  });
  AppendLength(counter.Finish(), out);
  QuicklistNodeWriter writer;
  list.ForEachWhile(false, [&](std::string_view element) {
    writer.Add(element, compress, out);
    return true;
  });
  writer.Finish(compress, out);
}

void EncodeSet(const Set& set, std::string& out, Compression compress) {
  if (set.Encoding() == "intset") {
    std::vector<int64_t> values;
    values.reserve(set.size());
    set.ForEach([&](std::string_view member) {
      int64_t value = 0;
      CanonicalInt(member, &value);
      values.push_back(value);
    });
    AppendString(BuildIntset(values.data(), values.size()), compress, out);
    return;
  }
  AppendLength(set.size(), out);
  set.ForEach([&](std::string_view member) { AppendString(member, compress, out); });
}

void EncodeHash(const Hash& hash, std::string& out, Compression compress) {
  if (hash.Encoding() == "listpack") {
    ListpackBuilder lp;
    hash.ForEach([&](std::string_view field, std::string_view value) {
      lp.Append(field);
      lp.Append(value);
    });
    AppendString(lp.Finish(), compress, out);
    return;
  }
  AppendLength(hash.size(), out);
  hash.ForEach([&](std::string_view field, std::string_view value) {
    AppendString(field, compress, out);
    AppendString(value, compress, out);
  });
}

void EncodeZSet(const ZSet& zset, std::string& out, Compression compress) {
  if (zset.listpack()) {
    ListpackBuilder lp;
    for (const ZSet::Node* node = zset.First(); node != nullptr; node = node->next()) {
      lp.Append(node->member());
      AppendScore(lp, node->score);
    }
    AppendString(lp.Finish(), compress, out);
    return;
  }
  AppendLength(zset.size(), out);
  for (const ZSet::Node* node = zset.Last(); node != nullptr; node = node->prev()) {
    AppendString(node->member(), compress, out);
    AppendBinaryDouble(node->score, out);
  }
}

}  // namespace

ListpackBuilder::ListpackBuilder() { buffer_.assign(6, '\0'); }

size_t ListpackBuilder::EntryBytes(std::string_view element) {
  return listpack::ElementBytes(element);
}

void QuicklistNodeCounter::Add(std::string_view element) {
  if (element.size() >= kPlainNodeThreshold) {
    if (count_ > 0) ++nodes_;
    ++nodes_;
    listpack_bytes_ = 7;
    count_ = 0;
    return;
  }
  if (NodeIsFull(listpack_bytes_, count_, element.size())) {
    ++nodes_;
    listpack_bytes_ = 7;
    count_ = 0;
  }
  listpack_bytes_ += ListpackBuilder::EntryBytes(element);
  ++count_;
}

uint64_t QuicklistNodeCounter::Finish() const { return nodes_ + (count_ > 0 ? 1 : 0); }

void QuicklistNodeWriter::Add(std::string_view element, Compression compress, std::string& out) {
  if (element.size() >= kPlainNodeThreshold) {
    if (listpack_.count() > 0) FlushNode(compress, out);
    AppendLength(kQuicklistNodePlain, out);
    AppendString(element, compress, out);
    return;
  }
  if (NodeIsFull(listpack_.bytes(), listpack_.count(), element.size())) FlushNode(compress, out);
  if (listpack_.count() == 0 && compress.chunk != nullptr && compress.enabled) {
    AppendLength(kQuicklistNodePacked, out);
    listpack_.BuildIn(&out);
  }
  listpack_.Append(element);
}

bool QuicklistNodeWriter::ClosesNode(std::string_view element) const {
  return listpack_.count() > 0 && (element.size() >= kPlainNodeThreshold ||
                                   NodeIsFull(listpack_.bytes(), listpack_.count(),
                                              element.size()));
}

void QuicklistNodeWriter::Finish(Compression compress, std::string& out) {
  if (listpack_.count() > 0) FlushNode(compress, out);
}

void QuicklistNodeWriter::FlushNode(Compression compress, std::string& out) {
  const std::string_view node = listpack_.Seal();
  if (listpack_.in_place()) {
    // Built at the end of `out`, after its node container: AppendString's encoding in place.
    EncodeStringInPlace(listpack_.offset(), compress, out);
  } else {
    AppendLength(kQuicklistNodePacked, out);
    AppendString(node, compress, out);
  }
  listpack_.Reset();
}

void ListpackBuilder::BuildIn(std::string* out) {
  assert(count_ == 0);
  buf_ = out;
  base_ = out->size();
  out->append(6, '\0');
}

void ListpackBuilder::AppendInt(int64_t v) {
  listpack::AppendInt(v, *buf_);
  ++count_;
}

void ListpackBuilder::Append(std::string_view element) {
  listpack::AppendElement(element, *buf_);
  ++count_;
}

std::string_view ListpackBuilder::Seal() {
  std::string& b = *buf_;
  b.push_back(static_cast<char>(0xff));
  const auto total = static_cast<uint32_t>(b.size() - base_);
  const uint16_t count = count_ < 65535 ? static_cast<uint16_t>(count_) : 65535;
  char* header = b.data() + base_;
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>(total >> (8 * i));
  header[4] = static_cast<char>(count & 0xff);
  header[5] = static_cast<char>(count >> 8);
  return std::string_view(b).substr(base_);
}

void ListpackBuilder::Reset() {
  buf_ = &buffer_;
  base_ = 0;
  buffer_.resize(6);
  count_ = 0;
}

std::string ListpackBuilder::Finish() {
  const std::string_view sealed = Seal();
  std::string result = in_place() ? std::string(sealed) : std::move(buffer_);
  Reset();
  buffer_.assign(6, '\0');
  return result;
}

std::string BuildIntset(const int64_t* values, size_t count) {
  uint32_t width = 2;
  for (size_t i = 0; i < count; ++i) {
    if (values[i] < INT32_MIN || values[i] > INT32_MAX) {
      width = 8;
      break;
    }
    if (values[i] < INT16_MIN || values[i] > INT16_MAX) width = 4;
  }
  std::string blob;
  blob.reserve(8 + width * count);
  AppendU32(width, blob);
  AppendU32(static_cast<uint32_t>(count), blob);
  for (size_t i = 0; i < count; ++i) {
    auto bits = static_cast<uint64_t>(values[i]);
    for (uint32_t b = 0; b < width; ++b) blob.push_back(static_cast<char>(bits >> (8 * b)));
  }
  return blob;
}

uint8_t RdbValueType(const Value& value) {
  switch (value.type()) {
    case ValueType::kString:
      return kTypeString;
    case ValueType::kList:
      return kTypeListQuicklist2;
    case ValueType::kSet:
      return value.set().Encoding() == "intset" ? kTypeSetIntset : kTypeSet;
    case ValueType::kHash:
      return value.hash().Encoding() == "listpack" ? kTypeHashListpack : kTypeHash;
    case ValueType::kZSet:
      return value.zset().listpack() ? kTypeZSetListpack : kTypeZSet2;
    case ValueType::kStream:
      return kTypeStreamListpacks2;
  }
  return kTypeString;
}

void RdbEncodeValue(const Value& value, std::string& out, Compression compress) {
  switch (value.type()) {
    case ValueType::kString:
      AppendString(value.view(), compress, out);
      break;
    case ValueType::kList:
      EncodeList(value.list(), out, compress);
      break;
    case ValueType::kSet:
      EncodeSet(value.set(), out, compress);
      break;
    case ValueType::kHash:
      EncodeHash(value.hash(), out, compress);
      break;
    case ValueType::kZSet:
      EncodeZSet(value.zset(), out, compress);
      break;
    case ValueType::kStream:
      RdbEncodeStream(value.stream(), out, compress);
      break;
  }
}

std::string RdbDumpPayload(const Value& value, bool compress) {
  std::string payload;
  payload.push_back(static_cast<char>(RdbValueType(value)));
  RdbEncodeValue(value, payload, compress);
  AppendU16(static_cast<uint16_t>(kRdbVersion), payload);
  AppendU64(Crc64(0, payload.data(), payload.size()), payload);
  return payload;
}

void RdbWriter::WriteHeader(const RdbAuxFields& aux) {
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kRdbVersion);
  buffer_.bytes.append(magic, 9);
  WriteAux("redis-ver", aux.redis_ver);
  WriteAux("redis-bits", "64");
  WriteAux("ctime", std::to_string(aux.ctime_s));
  WriteAux("used-mem", std::to_string(aux.used_mem));
  WriteAux("aof-base", aux.aof_base ? "1" : "0");
  for (const std::string& code : aux.libraries) {
    buffer_.bytes.push_back(static_cast<char>(kOpFunction2));
    AppendString(code, compression(), buffer_.bytes);
  }
}

void RdbWriter::WriteAux(std::string_view key, std::string_view value) {
  buffer_.bytes.push_back(static_cast<char>(kOpAux));
  AppendString(key, compression(), buffer_.bytes);
  AppendString(value, compression(), buffer_.bytes);
}

void AppendSelectDb(int db, uint64_t key_count, uint64_t expires_count, std::string& out) {
  out.push_back(static_cast<char>(kOpSelectDb));
  AppendLength(static_cast<uint64_t>(db), out);
  out.push_back(static_cast<char>(kOpResizeDb));
  AppendLength(key_count, out);
  AppendLength(expires_count, out);
}

void AppendKeyHeader(std::string_view key, uint8_t type, int64_t expire_at_ms,
                     Compression compress, std::string& out) {
  if (expire_at_ms >= 0) {
    out.push_back(static_cast<char>(kOpExpireTimeMs));
    AppendU64(static_cast<uint64_t>(expire_at_ms), out);
  }
  out.push_back(static_cast<char>(type));
  AppendString(key, compress, out);
}

void AppendKeyRecord(std::string_view key, const Value& value, int64_t expire_at_ms,
                     Compression compress, std::string& out) {
  AppendKeyHeader(key, RdbValueType(value), expire_at_ms, compress, out);
  RdbEncodeValue(value, out, compress);
}

void RdbWriter::SelectDb(int db, uint64_t key_count, uint64_t expires_count) {
  AppendSelectDb(db, key_count, expires_count, buffer_.bytes);
}

void RdbWriter::WriteKey(std::string_view key, const Value& value, int64_t expire_at_ms) {
  AppendKeyRecord(key, value, expire_at_ms, compression(), buffer_.bytes);
}

void RdbWriter::Finish() {
  buffer_.bytes.push_back(static_cast<char>(kOpEof));
  if (options_.checksum) {
    buffer_.crc_trailer = true;  // the finisher appends the CRC of everything before
  } else {
    AppendU64(0, buffer_.bytes);
  }
}

void RdbWriter::TakeChunk(RdbChunk* out, std::string next) {
  taken_bytes_ += buffer_.bytes.size() + (buffer_.crc_trailer ? 8 : 0);
  std::swap(*out, buffer_);
  buffer_.clear();
  buffer_.bytes = std::move(next);
  buffer_.bytes.clear();
}

void RdbWriter::TakeOutput(std::string* out) {
  taken_bytes_ += buffer_.bytes.size() + (buffer_.crc_trailer ? 8 : 0);
  finisher_.Finish(buffer_, out);
}

}  // namespace drayman::rdb
