#include "broker/persistence/rdb_file.h"

#include "broker/engine.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/script/function_library.h"
#include "broker/script/script_engine.h"
#include "broker/stats/process_stats.h"

namespace drayman::rdb {
namespace {
constexpr size_t kFlushBytes = 1 << 20;
}  // namespace

std::string RdbFilePath(const Engine& engine) {
  const Settings& settings = engine.settings();
  std::string dir = settings.dir.empty() ? "." : settings.dir;
  if (dir.back() != '/') dir.push_back('/');
  return dir + settings.dbfilename;
}

RdbSaveResult WriteRdb(Engine& engine, FileSink& sink) {
  RdbSaveResult result;
  const Settings& settings = engine.settings();
  RdbWriter writer({.compress = settings.rdbcompression, .checksum = settings.rdbchecksum});
  RdbAuxFields aux;
  aux.redis_ver = std::string(kRedisCompatVersion);
  aux.ctime_s = engine.clock().NowMs() / 1000;
  aux.used_mem = UsedMemoryBytes();
  aux.libraries = engine.scripts().functions().Codes();
  writer.WriteHeader(aux);
  std::string chunk;
  bool failed = false;
  auto flush = [&](bool force) {
    if (failed || (!force && writer.pending_size() < kFlushBytes)) return;
    writer.TakeOutput(&chunk);
    if (!sink.Write(chunk, &result.error)) failed = true;
  };
  Keyspace& keyspace = engine.keyspace();
  for (int d = 0; d < keyspace.database_count() && !failed; ++d) {
    Database& db = keyspace.db(d);
    if (db.size() == 0) continue;
    writer.SelectDb(d, db.size(), db.expires_count());
    db.ForEach([&](std::string_view key, const Entry& entry) {
      if (failed) return;
      writer.WriteKey(key, entry.value, entry.expire_at_ms);
      ++result.keys;
      flush(false);
    });
  }
  if (failed) return result;
  writer.Finish();
  flush(true);
  if (failed) return result;
  result.bytes = writer.total_bytes();
  result.ok = true;
  return result;
}

RdbSaveResult SaveRdbFile(Engine& engine) {
  RdbSaveResult result;
  if (engine.rdb_files == nullptr) {
    result.error = "this host keeps no files";
    return result;
  }
  const std::string path = RdbFilePath(engine);
  std::unique_ptr<FileSink> sink = engine.rdb_files->CreateAtomically(path, &result.error);
  if (sink == nullptr) return result;
  result = WriteRdb(engine, *sink);
  if (!result.ok) return result;
  if (!sink->Commit(&result.error)) {
    result.ok = false;
    return result;
  }
  EngineStats& stats = engine.stats();
  stats.dirty = 0;
  stats.last_save_time_s = engine.clock().NowMs() / 1000;
  stats.rdb_last_bgsave_ok = true;
  return result;
}

RdbLoadResult LoadRdbFile(Engine& engine, const RdbLoadOptions& load_options) {
  RdbLoadResult result;
  if (engine.rdb_files == nullptr) {
    result.ok = true;
    return result;
  }
  const std::string path = RdbFilePath(engine);
  std::unique_ptr<RdbSource> source = engine.rdb_files->OpenForRead(path, &result.error);
  if (source == nullptr) {
    if (result.error.empty() && load_options.missing_file_is_error) result.error = "no " + path;
    result.ok = result.error.empty();
    return result;
  }
  RdbReader reader(*source);
  RdbParseOptions options;
  options.verify_checksum = engine.settings().rdbchecksum;
  options.database_count = engine.keyspace().database_count();
  options.replace_existing_keys = load_options.replace_existing_keys;
  FunctionLibrary& functions = engine.scripts().functions();
  const bool replace = load_options.replace_existing_keys;
  options.on_function = [&functions, replace](const std::string& code) {
    functions.LoadFromRdb(code, replace);
  };
  result = RdbLoadIntoKeyspace(reader, engine.keyspace(), engine.clock().NowMs(), options);
  if (result.ok) {
    engine.stats().rdb_last_load_keys_loaded = result.keys_loaded;
    engine.stats().rdb_last_load_keys_expired = result.expired_skipped;
  }
  return result;
}

}  // namespace drayman::rdb
