#include "broker/persistence/rdb_stream.h"

#include <memory>
#include <vector>

#include "broker/persistence/rdb_format.h"

namespace drayman::rdb {

namespace {

// Redis's streamEncodeID: ms then seq, each big-endian.
void AppendRawId(const StreamId& id, std::string& out) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id.ms >> (8 * i)));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id.seq >> (8 * i)));
}

StreamId DecodeRawId(std::string_view raw) {
  StreamId id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | static_cast<unsigned char>(raw[i]);
  for (int i = 8; i < 16; ++i) id.seq = (id.seq << 8) | static_cast<unsigned char>(raw[i]);
  return id;
}

StreamId ReadRawId(RdbReader& reader) {
  char raw[16];
  reader.ReadExact(raw, sizeof(raw));
  return DecodeRawId(std::string_view(raw, sizeof(raw)));
}

void AppendBulk(std::string_view arg, std::string* out) {
  out->push_back('$');
  *out += std::to_string(arg.size());
  *out += "\r\n";
  out->append(arg);
  *out += "\r\n";
}

void AppendCommand(std::initializer_list<std::string_view> args, std::string* out) {
  out->push_back('*');
  *out += std::to_string(args.size());
  *out += "\r\n";
  for (std::string_view arg : args) AppendBulk(arg, out);
}

}  // namespace

void RdbEncodeStream(const Stream& stream, std::string& out, Compression compress) {
  AppendLength(stream.blocks().size(), out);
  for (const auto& [master, block] : stream.blocks()) {
    std::string key;
    AppendRawId(master, key);
    AppendString(key, compress, out);
    AppendString(Stream::BlockToListpack(block), compress, out);
  }
  AppendLength(stream.length(), out);
  AppendLength(stream.last_id().ms, out);
  AppendLength(stream.last_id().seq, out);
  AppendLength(stream.first_id().ms, out);
  AppendLength(stream.first_id().seq, out);
  AppendLength(stream.max_deleted_id().ms, out);
  AppendLength(stream.max_deleted_id().seq, out);
  AppendLength(stream.entries_added(), out);
  AppendLength(stream.groups().size(), out);
  for (const auto& [name, group] : stream.groups()) {
    AppendString(name, compress, out);
    AppendLength(group->last_id.ms, out);
    AppendLength(group->last_id.seq, out);
    AppendLength(static_cast<uint64_t>(group->entries_read), out);
    AppendLength(group->pel.size(), out);
    for (const auto& [id, nack] : group->pel) {
      AppendRawId(id, out);
      AppendU64(static_cast<uint64_t>(nack.delivery_time), out);
      AppendLength(nack.delivery_count, out);
    }
    AppendLength(group->consumers.size(), out);
    for (const auto& [cname, consumer] : group->consumers) {
      AppendString(cname, compress, out);
      AppendU64(static_cast<uint64_t>(consumer->seen_time), out);
      AppendLength(consumer->pel.size(), out);
      for (const auto& [id, nack] : consumer->pel) AppendRawId(id, out);
    }
  }
}

std::unique_ptr<Stream> RdbDecodeStream(uint8_t type, RdbReader& reader) {
  if (type != kTypeStreamListpacks && type != kTypeStreamListpacks2) {
    throw RdbError("Drayman cannot load values of type " + RdbTypeName(type));
  }
  auto stream = std::make_unique<Stream>();
  size_t live_total = 0;
  for (uint64_t nodes = reader.ReadLength(); nodes > 0; --nodes) {
    const std::string key = reader.ReadString();
    if (key.size() != 16) throw RdbError("Stream node key entry is not the size of a stream ID");
    const StreamId master = DecodeRawId(key);
    const std::string lp = reader.ReadString();
    Stream::Block block;
    if (!Stream::ListpackToBlock(lp, master, &block)) {
      throw RdbError("Stream listpack integrity check failed");
    }
    if (!stream->blocks().empty() && std::prev(stream->blocks().end())->first >= master) {
      throw RdbError("Stream nodes out of order or duplicated");
    }
    live_total += block.live;
    stream->AdoptBlock(master, std::move(block));
  }
  stream->set_length(reader.ReadLength());
  if (stream->length() != live_total) throw RdbError("Stream length does not match its entries");
  StreamId last{reader.ReadLength(), 0};
  last.seq = reader.ReadLength();
  stream->set_last_id(last);
  if (type == kTypeStreamListpacks2) {
    StreamId first{reader.ReadLength(), 0};
    first.seq = reader.ReadLength();
    StreamId max_deleted{reader.ReadLength(), 0};
    max_deleted.seq = reader.ReadLength();
    stream->set_first_id(first);
    stream->set_max_deleted_id(max_deleted);
    stream->set_entries_added(reader.ReadLength());
  } else {
    stream->set_first_id(stream->length() == 0 ? StreamId{} : stream->EdgeId(true));
    stream->set_entries_added(stream->length());
  }
  if (stream->length() > 0 && stream->EdgeId(false) > last) {
    throw RdbError("Stream last ID is smaller than its last entry");
  }
  // No command builds these (XSETID refuses them), and the AOF rewrite's XSETID could not
  // recreate them, so a restart would load another stream. Redis 7.0 accepts them.
  if (stream->max_deleted_id() > last) {
    throw RdbError("Stream max deleted entry ID is greater than its last ID");
  }
  if (stream->entries_added() < stream->length() ||
      stream->entries_added() > static_cast<uint64_t>(INT64_MAX)) {
    throw RdbError("Stream entries added count is smaller than its length or out of range");
  }
  for (uint64_t groups = reader.ReadLength(); groups > 0; --groups) {
    const std::string name = reader.ReadString();
    StreamId group_id{reader.ReadLength(), 0};
    group_id.seq = reader.ReadLength();
    int64_t entries_read;
    if (type == kTypeStreamListpacks2) {
      entries_read = static_cast<int64_t>(reader.ReadLength());
      // -1 is "unknown" (written as 2^64-1); XGROUP CREATE ... ENTRIESREAD refuses the rest.
      if (entries_read < -1) throw RdbError("Stream consumer group entries read out of range");
    } else {
      entries_read = stream->EstimateDistanceFromFirstEverEntry(group_id);
    }
    StreamGroup* group = stream->CreateGroup(name, group_id, entries_read);
    if (group == nullptr) throw RdbError("Duplicated consumer group name");
    for (uint64_t pending = reader.ReadLength(); pending > 0; --pending) {
      const StreamId id = ReadRawId(reader);
      StreamNack nack;
      nack.delivery_time = static_cast<int64_t>(reader.ReadU64());
      nack.delivery_count = reader.ReadLength();
      if (!group->pel.emplace(id, nack).second) {
        throw RdbError("Duplicated global PEL entry loading stream consumer group");
      }
    }
    for (uint64_t consumers = reader.ReadLength(); consumers > 0; --consumers) {
      const std::string cname = reader.ReadString();
      const auto seen = static_cast<int64_t>(reader.ReadU64());
      StreamConsumer* consumer = group->CreateConsumer(cname, seen);
      if (consumer == nullptr) throw RdbError("Duplicate stream consumer detected");
      for (uint64_t pending = reader.ReadLength(); pending > 0; --pending) {
        const StreamId id = ReadRawId(reader);
        auto it = group->pel.find(id);
        if (it == group->pel.end()) {
          throw RdbError("Consumer entry not found in group global PEL");
        }
        if (it->second.consumer != nullptr) {
          throw RdbError("Duplicated consumer PEL entry loading a stream consumer group");
        }
        it->second.consumer = consumer;
        consumer->pel.emplace(id, &it->second);
      }
    }
    for (const auto& [id, nack] : group->pel) {
      if (nack.consumer == nullptr) throw RdbError("Stream PEL NACK without a consumer");
    }
  }
  return stream;
}

void AppendStreamRewriteCommands(std::string_view key, const Stream& stream, std::string* out) {
  if (stream.length() > 0) {
    stream.Range({}, StreamId::Max(), false, [&](const Stream::EntryView& entry) {
      const std::string id = entry.id.ToString();
      out->push_back('*');
      *out += std::to_string(3 + entry.fields_and_values.size());
      *out += "\r\n";
      AppendBulk("XADD", out);
      AppendBulk(key, out);
      AppendBulk(id, out);
      for (const std::string& part : entry.fields_and_values) AppendBulk(part, out);
      return true;
    });
  } else {
    AppendCommand({"XADD", key, "MAXLEN", "0", "0-1", "x", "y"}, out);
  }
  AppendCommand(
      {"XSETID", key, stream.last_id().ToString(), "ENTRIESADDED",
       std::to_string(stream.entries_added()), "MAXDELETEDID", stream.max_deleted_id().ToString()},
      out);
  for (const auto& [name, group] : stream.groups()) {
    AppendCommand({"XGROUP", "CREATE", key, name, group->last_id.ToString(), "ENTRIESREAD",
                   std::to_string(group->entries_read)},
                  out);
    for (const auto& [cname, consumer] : group->consumers) {
      if (consumer->pel.empty()) {
        AppendCommand({"XGROUP", "CREATECONSUMER", key, name, cname}, out);
        continue;
      }
      for (const auto& [id, nack] : consumer->pel) {
        AppendCommand({"XCLAIM", key, name, cname, "0", id.ToString(), "TIME",
                       std::to_string(nack->delivery_time), "RETRYCOUNT",
                       std::to_string(nack->delivery_count), "JUSTID", "FORCE"},
                      out);
      }
    }
  }
}

}  // namespace drayman::rdb
