// restore_fuzzer: a libFuzzer target for values that arrive as RDB bytes: RESTORE's payload and,
// through the same decoder, every key of an RDB file or an RDB-preamble AOF.
//
// Contract: the input is one serialized value as DUMP writes it before its footer (the RDB type
// byte, then the value); or, when it starts with a FUNCTION opcode, FUNCTION DUMP's libraries,
// which go to FUNCTION RESTORE (its DUMP must restore again); or, when it starts with "REDIS", a
// whole RDB file, loaded as start-up loads it (what loads must SAVE to a file that loads again
// with as many keys). For values and libraries the harness appends RDB version 10 and the CRC-64,
// so the checksum never hides the decoder from the fuzzer. It RESTOREs the payload
// as key `k` into an emptied Engine (ManualClock, one client; two engines live for the whole run
// and FLUSHALL starts each input, because building an engine costs more than the rest of an input).
// If the engine accepts it, the value must be as good as one a command built, so the harness then
// requires, and aborts (a crash for libFuzzer) otherwise:
//   - DUMP k restores again as another key (what a snapshot writes, a restart loads);
//   - the AOF rewrite's commands for k (AppendRewriteCommands) replay into a second engine
//     without one error reply (what BGREWRITEAOF writes, a restart replays);
// and it runs every read and write command of every type over k (wrong types just answer
// WRONGTYPE), then checks both round trips again on the changed value. Sanitizers catch the rest.
// tests/fuzz/make_restore_corpus.py writes the seeds. With replay_main.cc this file builds into
// restore_fuzz_replay, which ctest runs over the seeds and past crashes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "broker/client.h"
#include "broker/clock.h"
#include "broker/config/config.h"
#include "broker/engine.h"
#include "broker/keyspace/database.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/rdb_file.h"
#include "broker/persistence/rdb_format.h"
#include "tests/broker/memory_files.h"

namespace drayman {
namespace {

// Skips one RESP2 reply at the front of `in`; false when `in` holds no whole reply. Counts error
// replies (nested ones too) in *errors.
bool SkipReply(std::string_view& in, int* errors) {
  const size_t line_end = in.find("\r\n");
  if (in.empty() || line_end == std::string_view::npos) return false;
  const char kind = in[0];
  const std::string_view line = in.substr(1, line_end - 1);
  in.remove_prefix(line_end + 2);
  switch (kind) {
    case '-':
      ++*errors;
      return true;
    case '+':
    case ':':
      return true;
    case '$': {
      const long long size = std::atoll(std::string(line).c_str());
      if (size < 0) return true;
      if (in.size() < static_cast<size_t>(size) + 2) return false;
      in.remove_prefix(static_cast<size_t>(size) + 2);
      return true;
    }
    case '*': {
      const long long count = std::atoll(std::string(line).c_str());
      for (long long i = 0; i < count; ++i) {
        if (!SkipReply(in, errors)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Bytes as a C string literal would show them, so a failure prints replies and commands whole.
std::string Printable(std::string_view bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c >= 32 && c < 127 && c != '\\') {
      out += static_cast<char>(c);
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "restore_fuzzer: %s: %s\n", what, Printable(detail).c_str());
  std::abort();
}

// A RESP request. Built with appends: `"*" + std::to_string(...)` trips GCC 12's -Wrestrict.
std::string Resp(const std::string_view* args, size_t count) {
  std::string out;
  out += '*';
  out += std::to_string(count);
  out += "\r\n";
  for (size_t i = 0; i < count; ++i) {
    out += '$';
    out += std::to_string(args[i].size());
    out += "\r\n";
    out += args[i];
    out += "\r\n";
  }
  return out;
}

// One engine with one connected client, fed as the server's session feeds it.
class Node : public ClientObserver {
 public:
  Node() {
    std::string error;
    config_.Set("logfile", {"/dev/null"}, true, &error);
    engine_ = std::make_unique<Engine>(config_, clock_);
    engine_->rdb_files = &files_;
    client_ = engine_->Connect(this, "127.0.0.1:40000", "127.0.0.1:6379", 10);
  }
  ~Node() override {
    engine_->Disconnect(client_);
    engine_.reset();
  }

  // Runs the requests in `resp` and returns every reply they produced.
  std::string Send(std::string_view resp) {
    client_->output().clear();
    client_->parser().Feed(resp);
    engine_->ProcessInput(*client_);
    return client_->output();
  }
  std::string Call(std::initializer_list<std::string_view> args) {
    return Send(Resp(args.begin(), args.size()));
  }

  const Value* Find(std::string_view key) {
    Entry* entry = engine_->keyspace().db(0).Find(key);
    return entry == nullptr ? nullptr : &entry->value;
  }

  // Empties the dataset and the function libraries, then loads `file` as the RDB file.
  rdb::RdbLoadResult LoadRdb(std::string file) {
    Call({"FLUSHALL"});
    Call({"FUNCTION", "FLUSH"});
    files_.files[rdb::RdbFilePath(*engine_)] = std::move(file);
    return rdb::LoadRdbFile(*engine_);
  }
  // SAVE's file, written through the same path.
  std::string SaveRdb() {
    const rdb::RdbSaveResult saved = rdb::SaveRdbFile(*engine_);
    if (!saved.ok) Fail("SAVE failed after a successful load", saved.error);
    return files_.files[rdb::RdbFilePath(*engine_)];
  }

  void OnOutputPending(Client&) override {}
  void OnCloseRequested(Client&) override {}

 private:
  Config config_;
  ManualClock clock_;
  testing::MemoryFiles files_;
  std::unique_ptr<Engine> engine_;
  Client* client_ = nullptr;
};

// DUMP `key` on `node` must restore again, as `copy`.
void CheckDumpRoundTrip(Node& node, std::string_view key, std::string_view copy) {
  const std::string dumped = node.Call({"DUMP", key});
  std::string_view rest = dumped;
  const size_t header_end = rest.find("\r\n");
  if (rest.empty() || rest[0] != '$' || header_end == std::string_view::npos) {
    Fail("DUMP did not answer a bulk string", dumped);
  }
  const size_t size =
      std::strtoull(std::string(rest.substr(1, header_end - 1)).c_str(), nullptr, 10);
  const std::string_view payload = rest.substr(header_end + 2, size);
  const std::string restored = node.Call({"RESTORE", copy, "0", payload, "REPLACE"});
  if (restored != "+OK\r\n") Fail("a value's own DUMP does not restore", restored);
}

// The AOF rewrite's commands for `key` must replay into an empty engine without an error.
void CheckRewriteRoundTrip(Node& node, std::string_view key) {
  const Value* value = node.Find(key);
  if (value == nullptr) return;
  std::string commands;
  AppendRewriteCommands(key, *value, kNoExpiry, &commands);
  static Node& fresh = *new Node;  // lives for the whole run, like the caller's
  fresh.Call({"FLUSHALL"});
  const std::string replies = fresh.Send(commands);
  std::string_view rest = replies;
  int errors = 0;
  while (!rest.empty()) {
    if (!SkipReply(rest, &errors)) Fail("unparsable reply to the rewrite", replies);
  }
  if (errors != 0) {
    std::fprintf(stderr, "restore_fuzzer: the rewrite's commands: %s\n",
                 Printable(commands).c_str());
    Fail("the AOF rewrite of a restored value replays with errors", replies);
  }
}

// DRAYMAN_FUZZ_TRACE=1 prints RESTORE's and FUNCTION RESTORE's answers (are seeds accepted?).
const bool kTrace = std::getenv("DRAYMAN_FUZZ_TRACE") != nullptr;

// Function libraries (inputs that start with a FUNCTION opcode): what FUNCTION RESTORE accepts
// must list, and its FUNCTION DUMP must restore again into an empty library set.
void CheckFunctionRestore(Node& node, std::string_view payload) {
  node.Call({"FUNCTION", "FLUSH"});
  const std::string reply = node.Call({"FUNCTION", "RESTORE", payload});
  if (kTrace) std::fprintf(stderr, "FUNCTION RESTORE: %s", reply.c_str());
  if (reply != "+OK\r\n") return;
  node.Call({"FUNCTION", "LIST", "WITHCODE"});
  node.Call({"FUNCTION", "STATS"});
  const std::string dumped = node.Call({"FUNCTION", "DUMP"});
  const size_t header_end = dumped.find("\r\n");
  if (dumped.empty() || dumped[0] != '$' || header_end == std::string::npos) {
    Fail("FUNCTION DUMP did not answer a bulk string", dumped);
  }
  const std::string_view again = std::string_view(dumped).substr(header_end + 2);
  node.Call({"FUNCTION", "FLUSH"});
  const std::string restored =
      node.Call({"FUNCTION", "RESTORE", again.substr(0, again.size() - 2)});
  if (restored != "+OK\r\n") Fail("a library set's own FUNCTION DUMP does not restore", restored);
}

// Whole RDB files (inputs that start with "REDIS"): what loads must SAVE, and that file must load
// into another engine with the same keys; the file's own CRC is checked unless it is zero.
void CheckRdbFile(Node& node, std::string_view input) {
  static Node& other = *new Node;
  const rdb::RdbLoadResult loaded = node.LoadRdb(std::string(input));
  if (kTrace) std::fprintf(stderr, "RDB load: %s\n", loaded.ok ? "ok" : loaded.error.c_str());
  if (!loaded.ok) return;
  const rdb::RdbLoadResult again = other.LoadRdb(node.SaveRdb());
  if (!again.ok) Fail("a loaded RDB file saves to one that does not load", again.error);
  if (again.keys_loaded != loaded.keys_loaded) {
    Fail("the saved file holds another number of keys", std::to_string(again.keys_loaded));
  }
}

// Every family's commands over `k`; most answer WRONGTYPE for any one value.
constexpr std::string_view kCommands[][9] = {
    {"TYPE", "k"},
    {"OBJECT", "ENCODING", "k"},
    {"MEMORY", "USAGE", "k"},
    {"STRLEN", "k"},
    {"GETRANGE", "k", "0", "-1"},
    {"BITCOUNT", "k"},
    {"BITPOS", "k", "1"},
    {"BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i5", "3"},
    {"PFCOUNT", "k"},
    {"PFDEBUG", "GETREG", "k"},
    {"PFDEBUG", "DECODE", "k"},
    {"PFMERGE", "hll", "k"},
    {"PFADD", "k", "a", "b", "c"},
    {"PFDEBUG", "TODENSE", "k"},
    {"PFCOUNT", "k", "hll"},
    {"LRANGE", "k", "0", "-1"},
    {"LINDEX", "k", "-1"},
    {"LPOS", "k", "a", "RANK", "-1"},
    {"LINSERT", "k", "BEFORE", "a", "b"},
    {"LREM", "k", "0", "1"},
    {"RPUSH", "k", "x"},
    {"LPOP", "k"},
    {"RPOP", "k", "2"},
    {"LSET", "k", "0", "y"},
    {"HGETALL", "k"},
    {"HRANDFIELD", "k", "-5", "WITHVALUES"},
    {"HSCAN", "k", "0", "COUNT", "5"},
    {"HSET", "k", "f", "v"},
    {"HINCRBY", "k", "f2", "1"},
    {"HDEL", "k", "f", "f1"},
    {"SMEMBERS", "k"},
    {"SRANDMEMBER", "k", "-5"},
    {"SISMEMBER", "k", "1"},
    {"SINTER", "k", "k"},
    {"SADD", "k", "x", "7"},
    {"SPOP", "k"},
    {"SREM", "k", "1"},
    {"SSCAN", "k", "0"},
    {"ZRANGE", "k", "0", "-1", "WITHSCORES"},
    {"ZRANGEBYSCORE", "k", "-inf", "+inf", "LIMIT", "0", "10"},
    {"ZRANGEBYLEX", "k", "-", "+"},
    {"ZRANK", "k", "a"},
    {"ZRANDMEMBER", "k", "-5", "WITHSCORES"},
    {"ZADD", "k", "1", "x"},
    {"ZINCRBY", "k", "2", "a"},
    {"ZPOPMIN", "k"},
    {"ZREM", "k", "b"},
    {"ZUNIONSTORE", "u", "1", "k"},
    {"SORT", "k", "LIMIT", "0", "10", "ALPHA"},
    {"XLEN", "k"},
    {"XRANGE", "k", "-", "+"},
    {"XREVRANGE", "k", "+", "-", "COUNT", "3"},
    {"XINFO", "STREAM", "k", "FULL"},
    {"XINFO", "GROUPS", "k"},
    {"XINFO", "CONSUMERS", "k", "g"},
    {"XPENDING", "k", "g"},
    {"XPENDING", "k", "g", "IDLE", "0", "-", "+", "10"},
    {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", "0"},
    {"XREADGROUP", "GROUP", "g", "c2", "COUNT", "10", "STREAMS", "k", ">"},
    {"XAUTOCLAIM", "k", "g", "c3", "0", "0-0", "COUNT", "100"},
    {"XCLAIM", "k", "g", "c4", "0", "1000-0", "1001-1", "FORCE"},
    {"XACK", "k", "g", "1002-2"},
    {"XADD", "k", "*", "f", "v"},
    {"XADD", "k", "MAXLEN", "~", "3", "*", "f", "v"},
    {"XDEL", "k", "1000-0"},
    {"XTRIM", "k", "MINID", "1002"},
    {"XREAD", "STREAMS", "k", "0"},
    {"XSETID", "k", "99999999999-0"},
    {"XGROUP", "SETID", "k", "g", "0"},
    {"XGROUP", "CREATECONSUMER", "k", "h", "e"},
    {"XGROUP", "DELCONSUMER", "k", "g", "d"},
    {"APPEND", "k", "tail"},
    {"SETRANGE", "k", "3", "ab"},
    {"SETBIT", "k", "7", "1"},
    {"BITFIELD", "k", "INCRBY", "u4", "2", "9"},
    {"COPY", "k", "k3"},
    {"RENAME", "k3", "k4"},
};

void RunCommands(Node& node) {
  for (const auto& command : kCommands) {
    size_t count = 0;
    while (count < std::size(command) && !command[count].empty()) ++count;
    node.Send(Resp(command, count));
  }
}

}  // namespace
}  // namespace drayman

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drayman;
  std::string payload(reinterpret_cast<const char*>(data), size);
  payload.push_back(static_cast<char>(rdb::kRdbVersion));
  payload.push_back(0);
  const uint64_t crc = rdb::Crc64(0, payload.data(), payload.size());
  for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>(crc >> (8 * i)));

  static Node& node = *new Node;
  if (size >= 5 && std::string_view(reinterpret_cast<const char*>(data), 5) == "REDIS") {
    CheckRdbFile(node, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
  }
  node.Call({"FLUSHALL"});
  if (size > 0 && (data[0] == rdb::kOpFunction2 || data[0] == rdb::kOpFunction)) {
    CheckFunctionRestore(node, payload);
    return 0;
  }
  const std::string reply = node.Call({"RESTORE", "k", "0", payload});
  if (kTrace) std::fprintf(stderr, "RESTORE: %s", reply.c_str());
  if (reply != "+OK\r\n") return 0;
  CheckDumpRoundTrip(node, "k", "k2");
  CheckRewriteRoundTrip(node, "k");
  RunCommands(node);
  CheckDumpRoundTrip(node, "k", "k5");
  CheckRewriteRoundTrip(node, "k");
  return 0;
}
