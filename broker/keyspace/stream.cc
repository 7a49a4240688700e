#include "broker/keyspace/stream.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "broker/base/numbers.h"
#include "broker/persistence/listpack.h"

namespace drayman {

namespace {

constexpr int64_t kFlagDeleted = 1;
constexpr int64_t kFlagSameFields = 2;

using listpack::Element;

Element LpAt(std::string_view lp, size_t pos) { return listpack::At(lp, pos); }

// A block's layout: where its entries start, and its master fields.
struct BlockLayout {
  int64_t master_fields = 0;
  size_t fields_start = 0;   // first master field
  size_t entries_start = 0;  // first entry's flags
};

BlockLayout LayoutOf(std::string_view body) {
  BlockLayout layout;
  Element e = LpAt(body, 0);
  layout.master_fields = e.value;
  size_t pos = e.size;
  layout.fields_start = pos;
  for (int64_t i = 0; i < layout.master_fields; ++i) pos += LpAt(body, pos).size;
  pos += LpAt(body, pos).size;  // the 0 terminator
  layout.entries_start = pos;
  return layout;
}

// One entry inside a block, decoded lazily.
struct EntryPos {
  size_t flags_pos;
  int64_t flags;
  StreamId id;
  size_t after_id;  // position after the seq delta
  size_t end;       // position after lp-count
};

// Decodes the entry whose flags are at `pos`.
EntryPos DecodeEntryAt(std::string_view body, const BlockLayout& layout, StreamId master,
                       size_t pos) {
  EntryPos entry;
  entry.flags_pos = pos;
  Element e = LpAt(body, pos);
  entry.flags = e.value;
  pos += e.size;
  e = LpAt(body, pos);
  entry.id.ms = master.ms + static_cast<uint64_t>(e.value);
  pos += e.size;
  e = LpAt(body, pos);
  entry.id.seq = master.seq + static_cast<uint64_t>(e.value);
  pos += e.size;
  entry.after_id = pos;
  int64_t to_skip;
  if (entry.flags & kFlagSameFields) {
    to_skip = layout.master_fields;
  } else {
    e = LpAt(body, pos);
    pos += e.size;
    to_skip = e.value * 2;
  }
  for (int64_t i = 0; i < to_skip; ++i) pos += LpAt(body, pos).size;
  pos += LpAt(body, pos).size;  // lp-count
  entry.end = pos;
  return entry;
}

// The flags positions of every entry of a block, in order.
std::vector<size_t> EntryStarts(std::string_view body, const BlockLayout& layout) {
  std::vector<size_t> starts;
  for (size_t pos = layout.entries_start; pos < body.size();) {
    starts.push_back(pos);
    pos = DecodeEntryAt(body, layout, {}, pos).end;
  }
  return starts;
}

void FillView(std::string_view body, const BlockLayout& layout, const EntryPos& entry,
              Stream::EntryView* view) {
  view->id = entry.id;
  auto& out = view->fields_and_values;
  out.clear();
  size_t pos = entry.after_id;
  if (entry.flags & kFlagSameFields) {
    size_t field_pos = layout.fields_start;
    for (int64_t i = 0; i < layout.master_fields; ++i) {
      Element f = LpAt(body, field_pos);
      field_pos += f.size;
      Element v = LpAt(body, pos);
      pos += v.size;
      out.push_back(f.Text());
      out.push_back(v.Text());
    }
  } else {
    Element n = LpAt(body, pos);
    pos += n.size;
    for (int64_t i = 0; i < n.value * 2; ++i) {
      Element f = LpAt(body, pos);
      pos += f.size;
      out.push_back(f.Text());
    }
  }
}

size_t HeaderBytes(const Stream::Block& block) {
  // total bytes (4) + count (2) + count and deleted elements + terminator.
  return 6 + listpack::IntBytes(block.live) + listpack::IntBytes(block.deleted) + 1;
}

}  // namespace

std::string StreamId::ToString() const {
  std::string out = std::to_string(ms);
  out.push_back('-');
  out += std::to_string(seq);
  return out;
}

bool StreamId::Increment() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) {
      ms = seq = 0;
      return false;
    }
    ++ms;
    seq = 0;
  } else {
    ++seq;
  }
  return true;
}

bool StreamId::Decrement() {
  if (seq == 0) {
    if (ms == 0) {
      ms = seq = UINT64_MAX;
      return false;
    }
    --ms;
    seq = UINT64_MAX;
  } else {
    --seq;
  }
  return true;
}

namespace {

// Redis's string2ull: string2ll for non-negative values, else strtoull.
bool ParseUll(const std::string& text, uint64_t* out) {
  int64_t ll = 0;
  if (ParseInt64(text, &ll)) {
    if (ll < 0) return false;
    *out = static_cast<uint64_t>(ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  *out = std::strtoull(text.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || text.empty() || *end != '\0') return false;
  return true;
}

}  // namespace

bool ParseStreamId(std::string_view text, uint64_t missing_seq, bool strict, StreamId* id,
                   bool* seq_given, bool allow_seq_star) {
  if (text.size() > 127) return false;
  // Redis works on a C string: bytes after a NUL are ignored.
  std::string buf(text.substr(0, text.find('\0')));
  if (strict && buf.size() == 1 && (buf[0] == '-' || buf[0] == '+')) return false;
  if (seq_given) *seq_given = true;
  if (buf == "-") {
    *id = {0, 0};
    return true;
  }
  if (buf == "+") {
    *id = StreamId::Max();
    return true;
  }
  const size_t dash = buf.find('-');
  uint64_t ms = 0, seq = missing_seq;
  if (!ParseUll(buf.substr(0, dash), &ms)) return false;
  if (dash != std::string::npos) {
    std::string rest = buf.substr(dash + 1);
    if (allow_seq_star && seq_given && rest == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!ParseUll(rest, &seq)) {
      return false;
    }
  }
  *id = {ms, seq};
  return true;
}

// --- groups ---

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) {
  auto it = consumers.find(std::string(name));
  return it == consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::CreateConsumer(std::string_view name, int64_t now_ms) {
  auto [it, inserted] = consumers.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamConsumer>();
  it->second->name = std::string(name);
  it->second->seen_time = now_ms;
  return it->second.get();
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(std::string(name));
  if (it == consumers.end()) return 0;
  const size_t pending = it->second->pel.size();
  for (const auto& [id, nack] : it->second->pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

StreamGroup* Stream::FindGroup(std::string_view name) {
  auto it = groups_.find(std::string(name));
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* Stream::CreateGroup(std::string_view name, StreamId id, int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamGroup>();
  it->second->last_id = id;
  it->second->entries_read = entries_read;
  return it->second.get();
}

// --- entries ---

void Stream::Append(StreamId id, std::span<const std::string> fv) {
  const int64_t numfields = static_cast<int64_t>(fv.size() / 2);
  size_t totelelen = 0;
  for (const auto& s : fv) totelelen += s.size();

  Block* tail = nullptr;
  StreamId master;
  if (!blocks_.empty()) {
    auto last = std::prev(blocks_.end());
    Block& block = last->second;
    const size_t lp_bytes = HeaderBytes(block) + block.body.size();
    if (lp_bytes + totelelen >= kStreamNodeMaxBytes ||
        int64_t{block.live} + block.deleted >= kStreamNodeMaxEntries) {
      block.body.shrink_to_fit();
    } else {
      tail = &block;
      master = last->first;
    }
  }
  int64_t flags = 0;
  if (tail == nullptr) {
    master = id;
    tail = &blocks_[id];
    listpack::AppendInt(numfields, tail->body);
    for (int64_t i = 0; i < numfields; ++i) listpack::AppendElement(fv[2 * i], tail->body);
    listpack::AppendInt(0, tail->body);
    flags |= kFlagSameFields;
  } else {
    const BlockLayout layout = LayoutOf(tail->body);
    if (layout.master_fields == numfields) {
      size_t pos = layout.fields_start;
      int64_t i = 0;
      for (; i < numfields; ++i) {
        Element f = LpAt(tail->body, pos);
        pos += f.size;
        if (!f.Equals(fv[2 * i])) break;
      }
      if (i == numfields) flags |= kFlagSameFields;
    }
  }
  ++tail->live;
  std::string& body = tail->body;
  listpack::AppendInt(flags, body);
  listpack::AppendInt(static_cast<int64_t>(id.ms - master.ms), body);
  listpack::AppendInt(static_cast<int64_t>(id.seq - master.seq), body);
  const bool same = flags & kFlagSameFields;
  if (!same) listpack::AppendInt(numfields, body);
  for (int64_t i = 0; i < numfields; ++i) {
    if (!same) listpack::AppendElement(fv[2 * i], body);
    listpack::AppendElement(fv[2 * i + 1], body);
  }
  listpack::AppendInt(numfields + 3 + (same ? 0 : numfields + 1), body);
  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

void Stream::Range(StreamId start, StreamId end, bool rev,
                   const std::function<bool(const EntryView&)>& fn) const {
  if (blocks_.empty() || start > end) return;
  EntryView view;
  if (!rev) {
    auto it = blocks_.upper_bound(start);
    if (it != blocks_.begin()) --it;
    for (; it != blocks_.end(); ++it) {
      if (it->first > end) return;
      const std::string_view body = it->second.body;
      const BlockLayout layout = LayoutOf(body);
      for (size_t pos = layout.entries_start; pos < body.size();) {
        EntryPos entry = DecodeEntryAt(body, layout, it->first, pos);
        pos = entry.end;
        if (entry.flags & kFlagDeleted || entry.id < start) continue;
        if (entry.id > end) return;
        FillView(body, layout, entry, &view);
        if (!fn(view)) return;
      }
    }
  } else {
    auto it = blocks_.upper_bound(end);
    while (it != blocks_.begin()) {
      --it;
      const std::string_view body = it->second.body;
      const BlockLayout layout = LayoutOf(body);
      std::vector<size_t> starts = EntryStarts(body, layout);
      for (size_t i = starts.size(); i-- > 0;) {
        EntryPos entry = DecodeEntryAt(body, layout, it->first, starts[i]);
        if (entry.flags & kFlagDeleted || entry.id > end) continue;
        if (entry.id < start) return;
        FillView(body, layout, entry, &view);
        if (!fn(view)) return;
      }
    }
  }
}

bool Stream::Contains(StreamId id) const {
  bool found = false;
  Range(id, id, false, [&](const EntryView&) {
    found = true;
    return false;
  });
  return found;
}

bool Stream::Delete(StreamId id) {
  if (blocks_.empty()) return false;
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  --it;
  Block& block = it->second;
  const BlockLayout layout = LayoutOf(block.body);
  for (size_t pos = layout.entries_start; pos < block.body.size();) {
    EntryPos entry = DecodeEntryAt(block.body, layout, it->first, pos);
    pos = entry.end;
    if (entry.id != id) {
      if (entry.id > id) return false;
      continue;
    }
    if (entry.flags & kFlagDeleted) return false;
    // Flags are 0..3: one byte, replaced in place.
    block.body[entry.flags_pos] = static_cast<char>(entry.flags | kFlagDeleted);
    if (block.live == 1) {
      blocks_.erase(it);
    } else {
      --block.live;
      ++block.deleted;
    }
    --length_;
    return true;
  }
  return false;
}

int64_t Stream::Trim(const TrimArgs& args) {
  if (args.strategy == TrimStrategy::kNone) return 0;
  int64_t deleted = 0;
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    if (args.strategy == TrimStrategy::kMaxLen && static_cast<int64_t>(length_) <= args.maxlen) {
      break;
    }
    Block& block = it->second;
    const int64_t entries = block.live;
    if (args.limit && deleted + entries > args.limit) break;
    const BlockLayout layout = LayoutOf(block.body);
    bool remove_node;
    if (args.strategy == TrimStrategy::kMaxLen) {
      remove_node = static_cast<int64_t>(length_) - entries >= args.maxlen;
    } else {
      // The node's last entry, deleted or not.
      const size_t last_end = block.body.size();
      const size_t count_pos = listpack::PrevStart(block.body, last_end);
      const int64_t lp_count = LpAt(block.body, count_pos).value;
      size_t flags_pos = count_pos;
      for (int64_t i = 0; i < lp_count; ++i) flags_pos = listpack::PrevStart(block.body, flags_pos);
      const StreamId last = DecodeEntryAt(block.body, layout, it->first, flags_pos).id;
      remove_node = last < args.minid;
    }
    if (remove_node) {
      length_ -= entries;
      deleted += entries;
      it = blocks_.erase(it);
      continue;
    }
    if (args.approx) break;
    int64_t deleted_from_block = 0;
    for (size_t pos = layout.entries_start; pos < block.body.size();) {
      EntryPos entry = DecodeEntryAt(block.body, layout, it->first, pos);
      const bool stop = args.strategy == TrimStrategy::kMaxLen
                            ? static_cast<int64_t>(length_) <= args.maxlen
                            : entry.id >= args.minid;
      if (stop) break;
      pos = entry.end;
      if (!(entry.flags & kFlagDeleted)) {
        block.body[entry.flags_pos] = static_cast<char>(entry.flags | kFlagDeleted);
        ++deleted_from_block;
        --length_;
      }
    }
    deleted += deleted_from_block;
    block.live -= static_cast<uint32_t>(deleted_from_block);
    block.deleted += static_cast<uint32_t>(deleted_from_block);
    // Redis keeps a node even when trimming left it without live entries.
    break;
  }
  if (length_ == 0) {
    first_id_ = {};
  } else if (deleted) {
    first_id_ = EdgeId(true);
  }
  return deleted;
}

StreamId Stream::EdgeId(bool first) const {
  StreamId found = first ? StreamId::Max() : StreamId{};
  Range({}, StreamId::Max(), !first, [&](const EntryView& e) {
    found = e.id;
    return false;
  });
  return found;
}

bool Stream::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

int64_t Stream::EstimateDistanceFromFirstEverEntry(StreamId id) const {
  constexpr int64_t kInvalid = -1;
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return kInvalid;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalid;
}

std::unique_ptr<Stream> Stream::Clone() const {
  auto copy = std::make_unique<Stream>();
  copy->length_ = length_;
  copy->last_id_ = last_id_;
  copy->first_id_ = first_id_;
  copy->max_deleted_id_ = max_deleted_id_;
  copy->entries_added_ = entries_added_;
  copy->blocks_ = blocks_;
  for (const auto& [name, group] : groups_) {
    StreamGroup* g = copy->CreateGroup(name, group->last_id, group->entries_read);
    for (const auto& [id, nack] : group->pel) g->pel[id] = nack;
    for (const auto& [cname, consumer] : group->consumers) {
      StreamConsumer* c = g->CreateConsumer(cname, consumer->seen_time);
      for (const auto& [id, unused] : consumer->pel) {
        StreamNack& nack = g->pel[id];
        nack.consumer = c;
        c->pel[id] = &nack;
      }
    }
  }
  return copy;
}

size_t Stream::MemoryUsage() const {
  size_t bytes = sizeof(Stream);
  for (const auto& [id, block] : blocks_) bytes += 64 + block.body.capacity();
  for (const auto& [name, group] : groups_) {
    bytes += sizeof(StreamGroup) + name.size() + 64 + group->pel.size() * 80;
    for (const auto& [cname, consumer] : group->consumers) {
      bytes += sizeof(StreamConsumer) + 2 * cname.size() + 64 + consumer->pel.size() * 56;
    }
  }
  return bytes;
}

std::string Stream::BlockToListpack(const Block& block) {
  std::string lp(6, '\0');
  listpack::AppendInt(block.live, lp);
  listpack::AppendInt(block.deleted, lp);
  lp += block.body;
  lp.push_back(static_cast<char>(0xff));
  const auto total = static_cast<uint32_t>(lp.size());
  // Element count: count + deleted + the body's elements.
  uint32_t elements = 2;
  for (size_t pos = 0; pos < block.body.size(); pos += LpAt(block.body, pos).size) ++elements;
  const uint16_t count = elements < 65535 ? static_cast<uint16_t>(elements) : 65535;
  for (int i = 0; i < 4; ++i) lp[i] = static_cast<char>(total >> (8 * i));
  lp[4] = static_cast<char>(count & 0xff);
  lp[5] = static_cast<char>(count >> 8);
  return lp;
}

bool Stream::ListpackToBlock(std::string_view lp, StreamId master, Block* block) {
  if (lp.size() < 7 || static_cast<unsigned char>(lp.back()) != 0xff) return false;
  uint32_t total = 0;
  for (int i = 0; i < 4; ++i) total |= uint32_t{static_cast<unsigned char>(lp[i])} << (8 * i);
  if (total != lp.size()) return false;
  std::string_view elements = lp.substr(6, lp.size() - 7);
  // Validate every element's bounds and backlen first.
  std::vector<Element> all;
  for (size_t pos = 0; pos < elements.size();) {
    Element e;
    if (listpack::Decode(elements, pos, &e) != listpack::DecodeStatus::kOk) return false;
    all.push_back(e);
    pos += e.size;
  }
  const uint32_t header_count =
      static_cast<unsigned char>(lp[4]) | (uint32_t{static_cast<unsigned char>(lp[5])} << 8);
  if (header_count != 65535 && header_count != all.size()) return false;
  // count, deleted, num-fields, fields..., 0, entries...
  if (all.size() < 4 || !all[0].is_int || !all[1].is_int || !all[2].is_int) return false;
  const int64_t live = all[0].value, deleted = all[1].value, master_fields = all[2].value;
  if (live < 0 || deleted < 0 || master_fields < 0 ||
      static_cast<size_t>(master_fields) + 4 > all.size()) {
    return false;
  }
  size_t i = 3 + master_fields;
  if (!all[i].is_int || all[i].value != 0) return false;
  ++i;
  int64_t seen_live = 0, seen_deleted = 0;
  StreamId previous;
  bool first = true;
  while (i < all.size()) {
    const size_t entry_start = i;
    if (i + 3 > all.size() || !all[i].is_int || !all[i + 1].is_int || !all[i + 2].is_int) {
      return false;
    }
    const int64_t flags = all[i].value;
    if (flags < 0 || flags > 3) return false;
    StreamId id{master.ms + static_cast<uint64_t>(all[i + 1].value),
                master.seq + static_cast<uint64_t>(all[i + 2].value)};
    if (!first && id <= previous) return false;
    if (first && id < master) return false;
    first = false;
    previous = id;
    i += 3;
    int64_t values;
    if (flags & kFlagSameFields) {
      values = master_fields;
    } else {
      if (i >= all.size() || !all[i].is_int || all[i].value < 0) return false;
      values = all[i].value * 2;
      ++i;
    }
    if (all.size() - i < static_cast<size_t>(values) + 1) return false;
    i += values;
    if (!all[i].is_int || all[i].value != static_cast<int64_t>(i - entry_start)) return false;
    ++i;
    if (flags & kFlagDeleted)
      ++seen_deleted;
    else
      ++seen_live;
  }
  if (seen_live != live || seen_deleted != deleted || seen_live + seen_deleted == 0) return false;
  block->live = static_cast<uint32_t>(live);
  block->deleted = static_cast<uint32_t>(deleted);
  const size_t header = all[0].size + all[1].size;
  block->body = std::string(elements.substr(header));
  return true;
}

}  // namespace drayman
