#include "broker/observability/queue_report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "broker/engine.h"
#include "broker/observability/queue_history.h"
#include "broker/observability/queue_tracker.h"
#include "broker/stats/process_stats.h"
#include "broker/stats/prometheus.h"
#include "broker/stats/server_info.h"

namespace drayman {

namespace {

using nlohmann::json;

// A key past its deadline that nothing has touched since: Redis deletes it on the next access, so
// for LLEN and HLEN it is already gone. (Peek alone would still see it.)
bool ExpiredKey(const Database& database, std::string_view key) {
  if (database.expires_count() == 0) return false;
  const Entry* entry = database.Peek(key);
  return entry != nullptr && database.IsExpired(*entry);
}

double AgeSeconds(int64_t now_ms, int64_t then_ms) {
  return then_ms < 0 ? 0.0 : static_cast<double>(std::max<int64_t>(now_ms - then_ms, 0)) / 1000.0;
}

// JSON strings must be UTF-8; queue names and payloads are arbitrary bytes.
std::string Printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string Base64Decode(std::string_view text, bool* ok) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  *ok = true;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) {
      *ok = false;
      return {};
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

// Appends to `key` (the cache key so far: database and hash) what identifies one delivery: its tag,
// then a fingerprint of its value (size and the hash of its last 256 bytes, where kombu's
// `[message, exchange, routing_key]` keeps what decides the queue), so a tag reused for another
// delivery is parsed again instead of keeping the old queue.
void AppendDeliveryKey(std::string& key, std::string_view tag, std::string_view value) {
  key += tag;
  const std::string_view tail = value.substr(value.size() - std::min<size_t>(value.size(), 256));
  const uint64_t fingerprint[2] = {value.size(), std::hash<std::string_view>{}(tail)};
  key.append(reinterpret_cast<const char*>(fingerprint), sizeof(fingerprint));
}

// Attributes every unacked delivery of `db` to its queue: fn(prefix, queue, tag, hash value, age).
template <typename Fn>
void ForEachUnacked(Engine& engine, int db, Fn&& fn) {
  QueueTracker& tracker = engine.queue_tracker();
  Database& database = engine.keyspace().db(db);
  const int64_t now_ms = engine.clock().NowMs();
  for (const std::string& prefix : tracker.KombuPrefixes(db)) {
    const std::string hash_key = prefix + "unacked";
    const Entry* hash = database.Peek(hash_key);
    if (hash == nullptr || hash->value.type() != ValueType::kHash || database.IsExpired(*hash)) {
      continue;
    }
    const Entry* index = database.Peek(prefix + "unacked_index");
    const ZSet* scores =
        index != nullptr && index->value.type() == ValueType::kZSet && !database.IsExpired(*index)
            ? &index->value.zset()
            : nullptr;
    auto& cache = tracker.delivery_queue_cache;
    std::string cache_key = std::to_string(db) + '\0' + hash_key + '\0';
    const size_t base = cache_key.size();
    hash->value.hash().ForEach([&](std::string_view tag, std::string_view value) {
      cache_key.resize(base);
      AppendDeliveryKey(cache_key, tag, value);
      auto it = cache.find(cache_key);
      if (it == cache.end()) {
        std::string queue;
        json parsed = json::parse(value, nullptr, false);
        if (parsed.is_array() && parsed.size() >= 3 && parsed[1].is_string() &&
            parsed[2].is_string()) {
          queue = tracker.QueueForDelivery(db, prefix, parsed[1].get<std::string>(),
                                           parsed[2].get<std::string>());
        }
        it = cache.emplace(cache_key, std::move(queue)).first;
      }
      double age = -1;
      if (scores != nullptr) {
        if (const double* score = scores->Find(tag)) {
          age = std::max(0.0, static_cast<double>(now_ms) / 1000.0 - *score);
        }
      }
      fn(prefix, it->second, tag, value, age);
    });
  }
}

// Unacked counts of `db` by queue key (kombu's key prefix + queue name).
absl::flat_hash_map<std::string, size_t> UnackedCounts(Engine& engine, int db) {
  absl::flat_hash_map<std::string, size_t> counts;
  std::string key;
  ForEachUnacked(engine, db,
                 [&](const std::string& prefix, const std::string& queue, std::string_view,
                     std::string_view, double) {
                   key = prefix;
                   key += queue;
                   ++counts[key];
                 });
  return counts;
}

void PruneDeliveryCache(Engine& engine, size_t live) {
  auto& cache = engine.queue_tracker().delivery_queue_cache;
  if (cache.size() <= 2 * live + 256) return;
  absl::flat_hash_set<std::string> seen;
  for (int db = 0; db < engine.keyspace().database_count(); ++db) {
    ForEachUnacked(engine, db,
                   [&](const std::string& prefix, const std::string&, std::string_view tag,
                       std::string_view value, double) {
                     std::string key = std::to_string(db) + '\0' + prefix + "unacked" + '\0';
                     AppendDeliveryKey(key, tag, value);
                     seen.insert(std::move(key));
                   });
  }
  for (auto it = cache.begin(); it != cache.end();) {
    if (seen.contains(it->first)) {
      ++it;
    } else {
      cache.erase(it++);
    }
  }
}

json FiguresJson(const QueueFigures& figures) {
  json ready_by_priority = json::object();
  for (const auto& [priority, ready] : figures.ready_by_priority) {
    ready_by_priority[std::to_string(priority)] = ready;
  }
  return {{"db", figures.db},
          {"name", Printable(figures.name)},
          {"ready", figures.ready},
          {"ready_by_priority", ready_by_priority},
          {"unacked", figures.unacked},
          {"consumers", figures.consumers},
          {"oldest_message_age_seconds", figures.oldest_age_seconds},
          {"published", figures.published},
          {"delivered", figures.delivered}};
}

// /api/server's fields, each with the INFO field (and section) it reads and its JSON type.
enum class ApiType : uint8_t { kText, kInteger, kBool };
struct ApiField {
  std::string_view section;
  std::string_view info;        // INFO's field name
  std::string_view api_name;    // /api/server's name for it
  ApiType type;
  bool in_persistence = false;  // under "persistence"
};
constexpr ApiField kApiServerFields[] = {
    {"server", "drayman_version", "drayman_version", ApiType::kText},
    {"server", "redis_version", "redis_version", ApiType::kText},
    {"server", "uptime_in_seconds", "uptime_seconds", ApiType::kInteger},
    {"clients", "connected_clients", "connected_clients", ApiType::kInteger},
    {"clients", "blocked_clients", "blocked_clients", ApiType::kInteger},
    {"memory", "used_memory", "used_memory", ApiType::kInteger},
    {"memory", "used_memory_peak", "used_memory_peak", ApiType::kInteger},
    {"memory", "maxmemory", "maxmemory", ApiType::kInteger},
    {"stats", "total_commands_processed", "total_commands_processed", ApiType::kInteger},
    {"stats", "instantaneous_ops_per_sec", "instantaneous_ops_per_sec", ApiType::kInteger},
    {"persistence", "loading", "loading", ApiType::kBool, true},
    {"persistence", "aof_enabled", "aof_enabled", ApiType::kBool, true},
    {"persistence", "aof_last_write_status", "aof_last_write_ok", ApiType::kBool, true},
    {"persistence", "aof_current_size", "aof_current_size", ApiType::kInteger, true},
    {"persistence", "rdb_changes_since_last_save", "changes_since_last_save", ApiType::kInteger,
     true},
    {"persistence", "rdb_last_save_time", "last_save_time", ApiType::kInteger, true},
    {"persistence", "rdb_bgsave_in_progress", "bgsave_in_progress", ApiType::kBool, true},
    {"persistence", "rdb_last_bgsave_status", "last_bgsave_ok", ApiType::kBool, true},
};

// /api/server's figures, taken from INFO's own collection (broker/stats/server_info.h) as
// /metrics takes its, so the three agree (blocked_clients counts the clients CLIENT PAUSE holds,
// connected_clients leaves out the scripting client, as INFO's do). Each JSON field names the
// INFO field it reads; the document starts with every field present, so a field INFO leaves out
// (aof_current_size while the AOF is off) reads 0.
class ServerJsonSink final : public InfoSink {
 public:
  ServerJsonSink() {
    document = {{"drayman_version", ""},
                {"redis_version", ""},
                {"uptime_seconds", 0},
                {"time_ms", 0},
                {"connected_clients", 0},
                {"blocked_clients", 0},
                {"used_memory", 0},
                {"used_memory_peak", 0},
                {"maxmemory", 0},
                {"total_commands_processed", 0},
                {"instantaneous_ops_per_sec", 0},
                {"keyspace", json::array()},
                {"persistence",
                 {{"loading", false},
                  {"aof_enabled", false},
                  {"aof_last_write_ok", false},
                  {"aof_current_size", 0},
                  {"changes_since_last_save", 0},
                  {"last_save_time", 0},
                  {"bgsave_in_progress", false},
                  {"last_bgsave_ok", false}}}};
  }

  void Section(std::string_view name, std::string_view) override { section_ = name; }

  void Field(std::string_view name, const InfoValue& value) override {
    for (const ApiField& target : kApiServerFields) {
      if (target.info != name || target.section != section_) continue;
      json& slot = target.in_persistence ? document["persistence"][std::string(target.api_name)]
                                         : document[std::string(target.api_name)];
      double number = 0;
      switch (target.type) {
        case ApiType::kText:
          slot = std::string(value.text);
          break;
        case ApiType::kBool:
          slot = value.Number(&number) && number != 0;
          break;
        case ApiType::kInteger:
          if (value.kind == InfoValue::Kind::kUint) {
            slot = value.unsigned_integer;
          } else if (value.kind == InfoValue::Kind::kInt) {
            slot = value.integer;
          } else {
            slot = value.Number(&number) ? static_cast<int64_t>(number) : 0;
          }
          break;
      }
      return;
    }
  }

  void Composite(std::string_view prefix, std::string_view name, const InfoPart* parts,
                 size_t count) override {
    if (section_ != "keyspace" || prefix != "db") return;
    json row = {{"db", std::atoi(std::string(name).c_str())}, {"keys", 0}, {"expires", 0}};
    for (size_t i = 0; i < count; ++i) {
      if (parts[i].key == "keys" || parts[i].key == "expires") {
        row[std::string(parts[i].key)] = parts[i].value.integer;
      }
    }
    document["keyspace"].push_back(std::move(row));
  }

  json document;

 private:
  std::string_view section_;
};

}  // namespace

namespace {

// What one report knows of a queue beyond the tracker's own counters. Self-contained (the label
// text and counters copied in), so writing the six per-queue families reads one array.
struct QueueRow {
  const TrackedQueue* queue = nullptr;
  std::string_view labels;  // TrackedQueue::metric_labels
  size_t ready = 0;
  size_t unacked = 0;
  size_t consumers = 0;
  int64_t oldest_age_ms = 0;  // 0 when nothing is queued
  uint64_t published = 0;
  uint64_t delivered = 0;
};

// Calls fn(priority, ready, list) for each list the report shows, in priority order: priority 0
// always (ready 0 and list nullptr when it does not exist), the others while they exist.
template <typename Fn>
void ForEachReportedList(const TrackedQueue& queue, const Database& database, Fn&& fn) {
  constexpr const TrackedList* kNone = nullptr;
  bool first = true;
  for (const auto& [priority, list] : queue.lists) {
    if (first && priority != 0) fn(0, size_t{0}, kNone);  // priorities are never negative
    first = false;
    if (list->list() == nullptr || ExpiredKey(database, list->key())) {
      if (priority == 0) fn(0, size_t{0}, kNone);
      continue;
    }
    fn(priority, list->ready(), list.get());
  }
  if (first) fn(0, size_t{0}, kNone);
}

// One pass over the tracked queues, in the tracker's order: (db, key prefix, name).
std::vector<QueueRow> CollectRows(Engine& engine) {
  QueueTracker& tracker = engine.queue_tracker();
  std::vector<QueueRow> rows;
  if (tracker.empty()) return rows;
  const int64_t now_ms = engine.clock().NowMs();
  const std::vector<const TrackedQueue*> queues = tracker.Queues();
  rows.reserve(queues.size());
  for (const TrackedQueue* queue : queues) {
    queue->report_row = static_cast<uint32_t>(rows.size());
    QueueRow& row = rows.emplace_back();
    row.queue = queue;
    row.labels = queue->metric_labels;
    row.published = queue->published;
    row.delivered = queue->delivered;
    int64_t oldest = -1;
    ForEachReportedList(*queue, engine.keyspace().db(queue->db),
                        [&](int, size_t ready, const TrackedList* list) {
                          if (list == nullptr) return;
                          row.ready += ready;
                          const int64_t pushed = list->oldest_push_ms();
                          if (pushed >= 0 && (oldest < 0 || pushed < oldest)) oldest = pushed;
                        });
    row.oldest_age_ms = oldest < 0 ? 0 : std::max<int64_t>(now_ms - oldest, 0);
  }
  // Consumers: distinct clients blocked on any list of the queue.
  absl::flat_hash_set<std::pair<const TrackedQueue*, uint64_t>> consumers;
  engine.blocked_clients().ForEachWaitedKey(
      [&](const Client& client, int db, std::string_view key) {
        const TrackedQueue* queue = tracker.QueueOfKey(db, key);
        if (queue != nullptr && consumers.emplace(queue, client.id()).second) {
          ++rows[queue->report_row].consumers;
        }
      });
  // Unacked deliveries, per database that has binding tables.
  size_t live = 0;
  for (int db = 0; db < engine.keyspace().database_count(); ++db) {
    if (tracker.Bindings(db).empty()) continue;
    for (const auto& [queue_key, count] : UnackedCounts(engine, db)) {
      live += count;
      // One hash lookup (FindQueue would walk every queue of the database).
      if (const TrackedQueue* queue = tracker.QueueOfKey(db, queue_key)) {
        rows[queue->report_row].unacked += count;
      }
    }
  }
  PruneDeliveryCache(engine, live);
  return rows;
}

// Sample lines are composed in a stack buffer appended to the text a few kilobytes at a time (an
// append per sample, or a write straight into a zero-filled resize, cost more per byte).
class SampleBuffer {
 public:
  explicit SampleBuffer(std::string& out) : out_(out) {}
  ~SampleBuffer() { Flush(); }
  // The cursor, with room for `bytes` after it; nullptr when a line that long cannot fit.
  char* Room(size_t bytes) {
    if (static_cast<size_t>(end_ - cursor_) < bytes) {
      Flush();
      if (bytes > sizeof(buffer_)) return nullptr;
    }
    return cursor_;
  }
  void Commit(char* cursor) { cursor_ = cursor; }
  void Flush() {
    out_.append(buffer_, static_cast<size_t>(cursor_ - buffer_));
    cursor_ = buffer_;
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
  char buffer_[2048];  // under glibc's rep-movsb threshold, where a copy is cheapest per byte
  char* cursor_ = buffer_;
  char* const end_ = buffer_ + sizeof(buffer_);
};

template <size_t N>
char* PutLiteral(char* at, const char (&text)[N]) {
  std::memcpy(at, text, N - 1);  // a constant size: a few moves, no call
  return at + N - 1;
}

char* PutText(char* at, std::string_view text) {
  if (!text.empty()) std::memcpy(at, text.data(), text.size());  // an empty view may have no data
  return at + text.size();
}

// One sample `<open><labels><more>} <value>\n`, where `open` is the metric name and '{'.
// `write_value(char*)` writes at most 32 bytes and returns the end.
template <size_t N, typename WriteValue>
void PutSample(SampleBuffer& buffer, const char (&open)[N], std::string_view labels,
               std::string_view more, WriteValue&& write_value) {
  char* at = buffer.Room(N + labels.size() + more.size() + 36);
  if (at != nullptr) {
    at = PutLiteral(at, open);
    at = PutText(at, labels);
    at = PutText(at, more);
    *at++ = '}';
    *at++ = ' ';
    at = write_value(at);
    *at++ = '\n';
    buffer.Commit(at);
    return;
  }
  std::string& out = buffer.out();  // a very long queue name: the buffer was flushed
  out.append(open, N - 1);
  out.append(labels);
  out.append(more);
  out.append("} ");
  char number[32];
  out.append(number, write_value(number));
  out.push_back('\n');
}

}  // namespace

std::vector<QueueFigures> CollectQueueFigures(Engine& engine) {
  const std::vector<QueueRow> rows = CollectRows(engine);
  std::vector<QueueFigures> result;
  result.reserve(rows.size());
  for (const QueueRow& row : rows) {
    QueueFigures& figures = result.emplace_back();
    figures.queue = row.queue;
    figures.db = row.queue->db;
    figures.name = row.queue->name;
    ForEachReportedList(*row.queue, engine.keyspace().db(row.queue->db),
                        [&](int priority, size_t ready, const TrackedList*) {
                          figures.ready_by_priority.emplace_back(priority, ready);
                        });
    figures.ready = row.ready;
    figures.unacked = row.unacked;
    figures.consumers = row.consumers;
    figures.oldest_age_ms = row.oldest_age_ms;
    figures.oldest_age_seconds = static_cast<double>(row.oldest_age_ms) / 1000.0;
    figures.published = row.published;
    figures.delivered = row.delivered;
  }
  return result;
}

void WriteQueueMetrics(Engine& engine, PrometheusWriter& writer) {
  const std::vector<QueueRow> rows = CollectRows(engine);
  using Type = PrometheusWriter::Type;
  // Each queue's label text was built when it was declared (TrackedQueue::metric_labels) and
  // numbers are written with to_chars (ages from integer milliseconds): a sample costs two short
  // copies, a number and no allocation.
  std::string& out = writer.text();
  size_t label_bytes = 0;
  for (const QueueRow& row : rows) label_bytes += row.labels.size();
  out.reserve(out.size() + 7 * (label_bytes + rows.size() * 48) + 2048);
  auto each = [&](std::string_view name, Type type, std::string_view help, const auto& open,
                  auto value_of) {
    writer.Family(name, type, help);
    SampleBuffer buffer(out);
    for (const QueueRow& row : rows) {
      PutSample(buffer, open, row.labels, {},
                [&](char* at) { return WritePrometheusCount(at, value_of(row)); });
    }
  };
  writer.Family("drayman_queue_messages_ready", Type::kGauge,
                "Messages waiting in a kombu queue's lists (LLEN), per priority.");
  {
    SampleBuffer buffer(out);
    char priority_label[48] = ",priority=\"";
    constexpr size_t kPriorityAt = sizeof(",priority=\"") - 1;
    for (const QueueRow& row : rows) {
      ForEachReportedList(
          *row.queue, engine.keyspace().db(row.queue->db),
          [&](int priority, size_t ready, const TrackedList*) {
            char* end = WritePrometheusCount(priority_label + kPriorityAt,
                                             static_cast<uint64_t>(priority));
            *end++ = '"';
            PutSample(buffer, "drayman_queue_messages_ready{", row.labels,
                      std::string_view(priority_label, static_cast<size_t>(end - priority_label)),
                      [&](char* at) { return WritePrometheusCount(at, ready); });
          });
    }
  }
  each("drayman_queue_messages_unacked", Type::kGauge,
       "Messages delivered and not yet acknowledged (entries of kombu's unacked hash).",
       "drayman_queue_messages_unacked{", [](const QueueRow& row) { return row.unacked; });
  each("drayman_queue_consumers", Type::kGauge,
       "Clients blocked on the queue's lists (BRPOP and the like).", "drayman_queue_consumers{",
       [](const QueueRow& row) { return row.consumers; });
  writer.Family("drayman_queue_oldest_message_age_seconds", Type::kGauge,
                "Seconds since the oldest queued message was pushed, by the server's clock.");
  {
    SampleBuffer buffer(out);
    for (const QueueRow& row : rows) {
      PutSample(buffer, "drayman_queue_oldest_message_age_seconds{", row.labels, {},
                [&](char* at) { return WritePrometheusMillisAsSeconds(at, row.oldest_age_ms); });
    }
  }
  each("drayman_queue_published_total", Type::kCounter, "Messages pushed onto the queue.",
       "drayman_queue_published_total{", [](const QueueRow& row) { return row.published; });
  each("drayman_queue_delivered_total", Type::kCounter, "Messages popped from the queue.",
       "drayman_queue_delivered_total{", [](const QueueRow& row) { return row.delivered; });
}

json DecodeKombuMessage(std::string_view payload, double push_age_seconds) {
  json out = {{"size", payload.size()}};
  if (push_age_seconds >= 0) out["age_seconds"] = push_age_seconds;
  json message = json::parse(payload, nullptr, false);
  if (!message.is_object()) {
    out["raw"] = Printable(payload.substr(0, 200));
    return out;
  }
  const json headers = message.value("headers", json::object());
  const json properties = message.value("properties", json::object());
  json body;
  if (message.contains("body") && message["body"].is_string()) {
    std::string text = message["body"].get<std::string>();
    if (properties.value("body_encoding", "") == "base64") {
      bool ok = false;
      std::string decoded = Base64Decode(text, &ok);
      if (ok) text = std::move(decoded);
    }
    if (message.value("content-type", "") == "application/json") {
      body = json::parse(text, nullptr, false);
    }
    if (body.is_discarded() || body.is_null()) out["body"] = Printable(text.substr(0, 200));
  }
  // Protocol 2 keeps task metadata in the headers; protocol 1 in the body.
  const json& meta = headers.is_object() && headers.contains("task")
                         ? headers
                         : (body.is_object() ? body : headers);
  auto copy = [&](const char* from, const char* to) {
    if (meta.is_object() && meta.contains(from)) out[to] = meta[from];
  };
  copy("task", "task");
  copy("id", "id");
  copy("eta", "eta");
  copy("retries", "retries");
  copy("expires", "expires");
  if (body.is_array() && body.size() >= 2) {
    out["args"] = body[0].dump().substr(0, 200);
    out["kwargs"] = body[1].dump().substr(0, 200);
  } else if (body.is_object()) {
    if (body.contains("args")) out["args"] = body["args"].dump().substr(0, 200);
    if (body.contains("kwargs")) out["kwargs"] = body["kwargs"].dump().substr(0, 200);
  }
  if (properties.is_object()) {
    if (properties.contains("priority")) out["priority"] = properties["priority"];
    if (properties.contains("delivery_tag")) out["delivery_tag"] = properties["delivery_tag"];
  }
  out["content_type"] = message.value("content-type", "");
  return out;
}

json ServerJson(Engine& engine) {
  const int64_t now_ms = engine.clock().NowMs();
  static const InfoSectionSet kSections = ServerInfo::SectionSet(
      {"server", "clients", "memory", "persistence", "stats", "keyspace"});
  ServerJsonSink sink;
  ServerInfo::Collect(engine, now_ms, kSections, sink);
  // The engine clock of /api/history's samples: the dashboard's chart ends at this time.
  sink.document["time_ms"] = now_ms;
  return std::move(sink.document);
}

json ClientsJson(Engine& engine) {
  const int64_t now_ms = engine.clock().NowMs();
  json clients = json::array();
  for (const auto& [id, client] : engine.clients()) {
    if (client->is_script_client) continue;
    clients.push_back({{"id", id},
                       {"addr", client->addr},
                       {"name", Printable(client->name)},
                       {"lib_name", Printable(client->lib_name)},
                       {"db", client->db},
                       {"age_seconds", (now_ms - client->created_ms) / 1000},
                       {"idle_seconds", (now_ms - client->last_interaction_ms) / 1000},
                       {"last_command", client->last_command_name()},
                       {"blocked", client->blocked},
                       {"output_bytes", client->output().size()}});
  }
  // Which keys each blocked client waits on.
  std::map<uint64_t, json> waits;
  engine.blocked_clients().ForEachWaitedKey([&](const Client& client, int, std::string_view key) {
    waits[client.id()].push_back(Printable(key));
  });
  for (json& client : clients) {
    auto it = waits.find(client["id"].get<uint64_t>());
    if (it != waits.end()) client["blocked_on"] = it->second;
  }
  return {{"clients", clients}};
}

json QueuesJson(Engine& engine) {
  const std::vector<QueueFigures> figures = CollectQueueFigures(engine);
  const QueueHistory& history = engine.queue_history();
  const int64_t now_ms = engine.clock().NowMs();
  json queues = json::array();
  uint64_t ready = 0, unacked = 0, consumers = 0;
  for (const QueueFigures& q : figures) {
    json item = FiguresJson(q);
    // Rates over the span since the oldest sample of the last minute (or the only one); null
    // until a sample at least half a second old exists (no rate is known yet, which is not 0).
    json publish_rate = nullptr, deliver_rate = nullptr;
    auto it = history.queues().find({q.db, q.name});
    if (it != history.queues().end() && !it->second.empty()) {
      const QueueSample* base = nullptr;
      for (const QueueSample& sample : it->second) {
        if (now_ms - sample.time_ms <= 60'000) {
          base = &sample;
          break;
        }
      }
      if (base == nullptr) base = &it->second.back();
      const double seconds = static_cast<double>(now_ms - base->time_ms) / 1000.0;
      if (seconds > 0.5) {
        publish_rate = static_cast<double>(q.published - base->published) / seconds;
        deliver_rate = static_cast<double>(q.delivered - base->delivered) / seconds;
      }
    }
    item["publish_rate"] = publish_rate;
    item["deliver_rate"] = deliver_rate;
    ready += q.ready;
    unacked += q.unacked;
    consumers += q.consumers;
    queues.push_back(std::move(item));
  }
  return {{"queues", queues},
          {"totals", {{"ready", ready}, {"unacked", unacked}, {"consumers", consumers}}}};
}

json QueueDetailJson(Engine& engine, int db, std::string_view name, size_t count) {
  QueueTracker& tracker = engine.queue_tracker();
  const TrackedQueue* queue = tracker.FindQueue(db, name);
  if (queue == nullptr) return nullptr;
  json out;
  for (const QueueFigures& q : CollectQueueFigures(engine)) {
    if (q.db == db && q.name == name) out = FiguresJson(q);
  }
  const int64_t now_ms = engine.clock().NowMs();
  // kombu LPUSHes and BRPOPs: the head (next delivered) is the right end, lowest priority
  // number first, as kombu's BRPOP lists the keys.
  json head = json::array();
  json tail = json::array();
  for (const auto& [priority, tracked] : queue->lists) {
    const List* list = tracked->list();
    if (list == nullptr || list->empty()) continue;
    const auto& stamps = tracked->push_ms();
    const size_t size = list->size();
    for (size_t i = 0; i < std::min(count, size) && head.size() < count; ++i) {
      const size_t at = size - 1 - i;
      json message = DecodeKombuMessage(list->At(at),
                                        at < stamps.size() ? AgeSeconds(now_ms, stamps[at]) : -1);
      message["list_priority"] = priority;
      head.push_back(std::move(message));
    }
  }
  for (auto it = queue->lists.rbegin(); it != queue->lists.rend(); ++it) {
    const List* list = it->second->list();
    if (list == nullptr || list->empty()) continue;
    const auto& stamps = it->second->push_ms();
    for (size_t i = 0; i < std::min(count, list->size()) && tail.size() < count; ++i) {
      json message =
          DecodeKombuMessage(list->At(i), i < stamps.size() ? AgeSeconds(now_ms, stamps[i]) : -1);
      message["list_priority"] = it->first;
      tail.push_back(std::move(message));
    }
  }
  out["head"] = std::move(head);
  out["tail"] = std::move(tail);
  json unacked = json::array();
  ForEachUnacked(engine, db,
                 [&](const std::string&, const std::string& owner, std::string_view tag,
                     std::string_view value, double age) {
                   if (owner != name || unacked.size() >= 1000) return;
                   json entry = {{"delivery_tag", Printable(tag)}};
                   if (age >= 0) entry["age_seconds"] = age;
                   json parsed = json::parse(value, nullptr, false);
                   if (parsed.is_array() && !parsed.empty() && parsed[0].is_object()) {
                     entry["message"] = DecodeKombuMessage(parsed[0].dump(), -1);
                   }
                   unacked.push_back(std::move(entry));
                 });
  std::sort(unacked.begin(), unacked.end(), [](const json& a, const json& b) {
    return a.value("age_seconds", 0.0) > b.value("age_seconds", 0.0);
  });
  out["unacked_deliveries"] = std::move(unacked);
  return out;
}

json ChannelsJson(Engine& engine) {
  QueueTracker& tracker = engine.queue_tracker();
  const double now_s = static_cast<double>(engine.clock().NowMs()) / 1000.0;
  json groups = json::array();
  json totals = {{"channel_keys", 0}};
  size_t channel_keys = 0;
  for (int db = 0; db < engine.keyspace().database_count(); ++db) {
    channel_keys += tracker.ChannelKeyCount(db);
    Database& database = engine.keyspace().db(db);
    for (const std::string& key : tracker.ChannelGroupKeys(db)) {
      const Entry* entry = database.Peek(key);
      if (entry == nullptr || entry->value.type() != ValueType::kZSet) continue;
      json members = json::array();
      for (const auto* node = entry->value.zset().First(); node != nullptr; node = node->next()) {
        const std::string_view channel = node->member();
        // channels_redis keys a process-local channel ("name!suffix") by "name!".
        const size_t bang = channel.find('!');
        std::string channel_key(kChannelsPrefix);
        channel_key += bang == std::string_view::npos ? channel : channel.substr(0, bang + 1);
        const Entry* backlog = database.Peek(channel_key);
        json member = {{"channel", Printable(channel)},
                       {"joined_seconds_ago", std::max(0.0, now_s - node->score)}};
        if (backlog != nullptr && backlog->value.type() == ValueType::kZSet) {
          const ZSet& zset = backlog->value.zset();
          member["backlog"] = zset.size();
          if (zset.First() != nullptr) {
            member["oldest_message_age_seconds"] = std::max(0.0, now_s - zset.First()->score);
          }
        } else {
          member["backlog"] = 0;
        }
        members.push_back(std::move(member));
        if (members.size() >= 1000) break;
      }
      groups.push_back(
          {{"db", db},
           {"group", Printable(std::string_view(key).substr(kChannelsGroupPrefix.size()))},
           {"size", entry->value.zset().size()},
           {"members", std::move(members)}});
    }
  }
  totals["channel_keys"] = channel_keys;
  return {{"groups", groups}, {"totals", totals}};
}

json HistoryJson(Engine& engine) {
  const QueueHistory& history = engine.queue_history();
  json server = json::array();
  for (const ServerSample& s : history.server()) {
    server.push_back({s.time_ms, s.connected_clients, s.blocked_clients, s.used_memory,
                      s.commands_processed, s.ready, s.unacked, s.consumers, s.published,
                      s.delivered});
  }
  json queues = json::array();
  for (const auto& [key, samples] : history.queues()) {
    json rows = json::array();
    for (const QueueSample& s : samples) {
      rows.push_back({s.time_ms, s.ready, s.unacked, s.consumers, s.published, s.delivered});
    }
    queues.push_back({{"db", key.first}, {"name", Printable(key.second)}, {"samples", rows}});
  }
  return {{"interval_ms", QueueHistory::kIntervalMs},
          {"server_columns",
           {"time_ms", "connected_clients", "blocked_clients", "used_memory", "commands_processed",
            "ready", "unacked", "consumers", "published", "delivered"}},
          {"queue_columns", {"time_ms", "ready", "unacked", "consumers", "published", "delivered"}},
          {"server", server},
          {"queues", queues}};
}

}  // namespace drayman
