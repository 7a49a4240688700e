#include "broker/persistence/rdb_decode.h"

#include "broker/persistence/rdb_stream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "broker/keyspace/database.h"
#include "broker/persistence/rdb_blobs.h"

namespace drayman::rdb {
namespace {

// Scores inside ziplists and listpacks are text (or integers); Redis reads them with strtod.
double ParseBlobScore(std::string_view text) {
  char buf[128];
  if (text.empty() || text.size() >= sizeof(buf)) throw RdbError("Invalid sorted set score");
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  char* end = nullptr;
  const double score = std::strtod(buf, &end);
  if (end != buf + text.size()) throw RdbError("Invalid sorted set score");
  return score;
}

class ListLoader {
 public:
  ListLoader() : list_(std::make_unique<List>()) {}
  void Add(std::string_view element) { list_->PushBack(element); }
  bool Finish(Value* value) {
    if (list_->empty()) return false;
    *value = Value(std::move(list_));
    return true;
  }

 private:
  std::unique_ptr<List> list_;
};

class SetLoader {
 public:
  SetLoader() : set_(std::make_unique<Set>()) {}
  void Add(std::string_view member) {
    if (!set_->Add(member)) throw RdbError("Duplicate set members detected");
  }
  bool Finish(Value* value) {
    if (set_->empty()) return false;
    *value = Value(std::move(set_));
    return true;
  }

 private:
  std::unique_ptr<Set> set_;
};

class HashLoader {
 public:
  HashLoader() : hash_(std::make_unique<Hash>()) {}
  void Add(std::string_view field, std::string_view value) {
    if (!hash_->Set(field, value)) throw RdbError("Duplicate hash fields detected");
  }
  // Blobs alternate field, value.
  void AddElement(std::string_view element) {
    if (have_field_) {
      Add(field_, element);
    } else {
      field_.assign(element);
    }
    have_field_ = !have_field_;
  }
  bool Finish(Value* value) {
    if (have_field_) throw RdbError("Hash blob with an odd number of elements");
    if (hash_->empty()) return false;
    *value = Value(std::move(hash_));
    return true;
  }

 private:
  std::unique_ptr<Hash> hash_;
  std::string field_;
  bool have_field_ = false;
};

class ZSetLoader {
 public:
  ZSetLoader() : zset_(std::make_unique<ZSet>()) {}
  void Add(std::string_view member, double score) {
    if (std::isnan(score)) throw RdbError("Zset with NAN score detected");
    if (zset_->Find(member) != nullptr) throw RdbError("Duplicate zset fields detected");
    zset_->Insert(member, score);
  }
  void AddElement(std::string_view element) {
    if (have_member_) {
      Add(member_, ParseBlobScore(element));
    } else {
      member_.assign(element);
    }
    have_member_ = !have_member_;
  }
  bool Finish(Value* value) {
    if (have_member_) throw RdbError("Sorted set blob with an odd number of elements");
    if (zset_->empty()) return false;
    *value = Value(std::move(zset_));
    return true;
  }

 private:
  std::unique_ptr<ZSet> zset_;
  std::string member_;
  bool have_member_ = false;
};

}  // namespace

std::string RdbTypeName(uint8_t type) {
  switch (type) {
    case kTypeString:
      return "string";
    case kTypeList:
    case kTypeListZiplist:
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      return "list";
    case kTypeSet:
    case kTypeSetIntset:
    case kTypeSetListpack:
      return "set";
    case kTypeZSet:
    case kTypeZSet2:
    case kTypeZSetZiplist:
    case kTypeZSetListpack:
      return "zset";
    case kTypeHash:
    case kTypeHashZipmap:
    case kTypeHashZiplist:
    case kTypeHashListpack:
      return "hash";
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      return "stream";
    case kTypeModule:
    case kTypeModule2:
      return "module";
    default:
      return "unknown (" + std::to_string(type) + ")";
  }
}

bool RdbDecodeValue(uint8_t type, RdbReader& reader, Value* value) {
  switch (type) {
    case kTypeString:
      *value = Value(reader.ReadString());
      return true;
    case kTypeList: {
      ListLoader list;
      for (uint64_t n = reader.ReadLength(); n > 0; --n) list.Add(reader.ReadString());
      return list.Finish(value);
    }
    case kTypeListZiplist: {
      ListLoader list;
      ForEachZiplistElement(reader.ReadString(), [&](std::string_view e) { list.Add(e); });
      return list.Finish(value);
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2: {
      ListLoader list;
      for (uint64_t nodes = reader.ReadLength(); nodes > 0; --nodes) {
        uint64_t container = kQuicklistNodePacked;
        if (type == kTypeListQuicklist2) {
          container = reader.ReadLength();
          if (container != kQuicklistNodePacked && container != kQuicklistNodePlain) {
            throw RdbError("Quicklist integrity check failed: unknown node container " +
                           std::to_string(container));
          }
        }
        std::string blob = reader.ReadString();
        if (container == kQuicklistNodePlain) {
          list.Add(blob);
        } else if (type == kTypeListQuicklist2) {
          ForEachListpackElement(blob, [&](std::string_view e) { list.Add(e); });
        } else {
          ForEachZiplistElement(blob, [&](std::string_view e) { list.Add(e); });
        }
      }
      return list.Finish(value);
    }
    case kTypeSet: {
      SetLoader set;
      for (uint64_t n = reader.ReadLength(); n > 0; --n) set.Add(reader.ReadString());
      return set.Finish(value);
    }
    case kTypeSetIntset: {
      SetLoader set;
      ForEachIntsetValue(reader.ReadString(), [&](int64_t v) { set.Add(std::to_string(v)); });
      return set.Finish(value);
    }
    case kTypeSetListpack: {
      SetLoader set;
      ForEachListpackElement(reader.ReadString(), [&](std::string_view e) { set.Add(e); });
      return set.Finish(value);
    }
    case kTypeZSet:
    case kTypeZSet2: {
      ZSetLoader zset;
      for (uint64_t n = reader.ReadLength(); n > 0; --n) {
        std::string member = reader.ReadString();
        const double score =
            type == kTypeZSet2 ? reader.ReadBinaryDouble() : reader.ReadAsciiDouble();
        zset.Add(member, score);
      }
      return zset.Finish(value);
    }
    case kTypeZSetZiplist:
    case kTypeZSetListpack: {
      ZSetLoader zset;
      std::string blob = reader.ReadString();
      auto add = [&](std::string_view e) { zset.AddElement(e); };
      if (type == kTypeZSetZiplist) {
        ForEachZiplistElement(blob, add);
      } else {
        ForEachListpackElement(blob, add);
      }
      return zset.Finish(value);
    }
    case kTypeHash: {
      HashLoader hash;
      for (uint64_t n = reader.ReadLength(); n > 0; --n) {
        std::string field = reader.ReadString();
        std::string v = reader.ReadString();
        hash.Add(field, v);
      }
      return hash.Finish(value);
    }
    case kTypeHashZipmap:
    case kTypeHashZiplist:
    case kTypeHashListpack: {
      HashLoader hash;
      std::string blob = reader.ReadString();
      auto add = [&](std::string_view e) { hash.AddElement(e); };
      if (type == kTypeHashZipmap) {
        ForEachZipmapElement(blob, add);
      } else if (type == kTypeHashZiplist) {
        ForEachZiplistElement(blob, add);
      } else {
        ForEachListpackElement(blob, add);
      }
      return hash.Finish(value);
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      // An empty stream is a valid value (XADD MAXLEN 0, XGROUP CREATE MKSTREAM).
      *value = Value(RdbDecodeStream(type, reader));
      return true;
    default:
      throw RdbError("Drayman cannot load values of type " + RdbTypeName(type));
  }
}

bool RdbVerifyDumpPayload(std::string_view payload) {
  if (payload.size() < 10) return false;
  const auto* footer = reinterpret_cast<const uint8_t*>(payload.data() + payload.size() - 10);
  if (LoadU16(footer) > kRdbVersion) return false;
  return Crc64(0, payload.data(), payload.size() - 8) == LoadU64(footer + 2);
}

bool RdbDecodeDumpPayload(std::string_view payload, Value* value, std::string* error) {
  RdbReader reader(payload.substr(0, payload.size() - 10));
  try {
    const uint8_t type = reader.ReadByte();
    if (RdbDecodeValue(type, reader, value)) return true;
    *error = "empty value";
  } catch (const RdbError& e) {
    *error = e.what();
  }
  return false;
}

int RdbParse(RdbReader& reader, const RdbParseOptions& options, const RdbParseHandlers& handlers) {
  char magic[9];
  reader.ReadExact(magic, 9);
  if (std::memcmp(magic, "REDIS", 5) != 0) {
    throw RdbError("Wrong signature trying to load DB from file (not an RDB file)");
  }
  int version = 0;
  for (int i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9') throw RdbError("Wrong signature: bad RDB version");
    version = version * 10 + (magic[i] - '0');
  }
  if (version < 1 || version > kRdbVersion) {
    throw RdbError("Can't handle RDB format version " + std::to_string(version));
  }
  int db = 0;
  RdbKey pending;
  for (;;) {
    const uint8_t type = reader.ReadByte();
    switch (type) {
      case kOpExpireTimeMs:
        pending.expire_at_ms = static_cast<int64_t>(reader.ReadU64());
        continue;
      case kOpExpireTime:
        pending.expire_at_ms = int64_t{static_cast<int32_t>(reader.ReadU32())} * 1000;
        continue;
      case kOpFreq:
        pending.freq = reader.ReadByte();
        continue;
      case kOpIdle:
        pending.idle_s = static_cast<int64_t>(reader.ReadLength());
        continue;
      case kOpSelectDb: {
        const uint64_t index = reader.ReadLength();
        if (index >= static_cast<uint64_t>(options.database_count)) {
          throw RdbError("The RDB file selects database " + std::to_string(index) + " but only " +
                         std::to_string(options.database_count) + " are configured (databases)");
        }
        db = static_cast<int>(index);
        continue;
      }
      case kOpResizeDb: {
        const uint64_t keys = reader.ReadLength();
        const uint64_t expires = reader.ReadLength();
        if (handlers.on_resize_db) handlers.on_resize_db(db, keys, expires);
        continue;
      }
      case kOpAux: {
        std::string key = reader.ReadString();
        std::string value = reader.ReadString();
        if (handlers.on_aux) handlers.on_aux(key, value);
        continue;
      }
      case kOpModuleAux:
        throw RdbError(
            "The RDB file contains module auxiliary data (RDB_OPCODE_MODULE_AUX); "
            "Drayman has no modules and cannot load it");
      case kOpFunction:
      case kOpFunction2: {
        if (!options.on_function) {
          throw RdbError("The RDB file contains Redis functions (FUNCTION LOAD libraries), "
                         "which cannot be loaded here");
        }
        std::string code;
        if (type == kOpFunction) {
          // 7.0.0-rc1/rc2: name, engine, an optional description, then the code alone.
          std::string name = reader.ReadString();
          std::string engine = reader.ReadString();
          if (reader.ReadLength() != 0) reader.ReadString();
          code = "#!" + engine + " name=" + name + "\n" + reader.ReadString();
        } else {
          code = reader.ReadString();
        }
        options.on_function(code);
        continue;
      }
      case kOpEof:
        break;
      default: {
        pending.key = reader.ReadString();
        pending.db = db;
        const std::string type_name = RdbTypeName(type);
        auto where = [&] {
          return "key '" + pending.key + "' (type " + type_name + ") in DB " + std::to_string(db);
        };
        bool present = false;
        try {
          present = RdbDecodeValue(type, reader, &pending.value);
        } catch (const RdbError& e) {
          throw RdbError("Error loading " + where() + ": " + e.what());
        }
        if (present) {
          if (handlers.on_key) handlers.on_key(pending);
        } else if (handlers.on_empty_key) {
          handlers.on_empty_key(db, pending.key);
        }
        pending = RdbKey();
        continue;
      }
    }
    break;
  }
  if (version >= 5) {
    const uint64_t computed = reader.Checksum();
    const uint64_t expected = reader.ReadU64();
    if (options.verify_checksum && expected != 0 && expected != computed) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "Wrong RDB checksum expected: (%016llx) got (%016llx)",
                    static_cast<unsigned long long>(expected),
                    static_cast<unsigned long long>(computed));
      throw RdbError(buf);
    }
  }
  return version;
}

// Keys a RESIZEDB hint may reserve buckets for (8 M buckets: 64 MB of pointers).
constexpr uint64_t kMaxReservedKeys = uint64_t{1} << 23;

RdbLoadResult RdbLoadIntoKeyspace(RdbReader& reader, Keyspace& keyspace, int64_t now_ms,
                                  const RdbParseOptions& options) {
  RdbLoadResult result;
  RdbParseHandlers handlers;
  handlers.on_aux = [&](std::string_view key, std::string_view value) {
    result.aux.emplace_back(key, value);
  };
  handlers.on_resize_db = [&](int db, uint64_t keys, uint64_t /*expires*/) {
    // Redis presizes its tables the same way. The hint comes from the file: a bound keeps a wrong
    // one from reserving more than a 64 MB bucket array (the table grows past it as usual).
    keyspace.db(db).ReserveKeys(static_cast<size_t>(std::min<uint64_t>(keys, kMaxReservedKeys)));
  };
  handlers.on_key = [&](RdbKey& k) {
    Database& db = keyspace.db(k.db);
    // As Redis: an expired key is skipped before it could clash with one already loaded.
    if (k.expire_at_ms >= 0 && k.expire_at_ms < now_ms) {
      ++result.expired_skipped;
      return;
    }
    if (db.Peek(k.key) != nullptr) {
      if (!options.replace_existing_keys) {
        throw RdbError("RDB has duplicated key '" + k.key + "' in DB " + std::to_string(k.db));
      }
      db.Delete(k.key);
    }
    Entry& entry = db.AddLoaded(k.key, std::move(k.value));
    if (k.expire_at_ms >= 0) db.SetExpire(k.key, entry, k.expire_at_ms);
    if (k.idle_s >= 0) {
      entry.access_s = keyspace.access_clock() - static_cast<uint32_t>(k.idle_s);
    }
    ++result.keys_loaded;
  };
  // Redis skips containers with no elements (logging them); so do we, counting them.
  handlers.on_empty_key = [&](int, std::string_view) { ++result.empty_skipped; };
  keyspace.set_now_ms(now_ms);
  try {
    result.version = RdbParse(reader, options, handlers);
    result.ok = true;
  } catch (const RdbError& e) {
    result.error = e.what();
    keyspace.FlushAll();
  }
  return result;
}

}  // namespace drayman::rdb
