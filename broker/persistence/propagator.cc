#include "broker/persistence/propagator.h"

#include <algorithm>
#include <charconv>

namespace drayman {

namespace {

void AppendHeader(char kind, size_t count, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), count);
  out->push_back(kind);
  out->append(digits, end);
  out->append("\r\n");
}

constexpr std::string_view kMulti = "*1\r\n$5\r\nMULTI\r\n";
constexpr std::string_view kExec = "*1\r\n$4\r\nEXEC\r\n";

void AppendSelect(int db, std::string* out) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), db);
  out->append("*2\r\n$6\r\nSELECT\r\n");
  AppendHeader('$', static_cast<size_t>(end - digits), out);
  out->append(digits, end);
  out->append("\r\n");
}

}  // namespace

void Propagator::AddSink(PropagationSink* sink) {
  for (const SinkState& state : sinks_) {
    if (state.sink == sink) return;
  }
  sinks_.push_back({sink, -1});
}

void Propagator::RemoveSink(PropagationSink* sink) {
  std::erase_if(sinks_, [sink](const SinkState& state) { return state.sink == sink; });
  if (sinks_.empty()) {
    pending_.clear();
    ops_.clear();
  }
}

void Propagator::BeginOp(int db, size_t argc) {
  ops_.push_back({db, pending_.size(), 0});
  AppendHeader('*', argc, &pending_);
}

void Propagator::EndOp() { ops_.back().end = pending_.size(); }

void Propagator::AppendBulk(std::string_view arg) {
  AppendHeader('$', arg.size(), &pending_);
  pending_.append(arg);
  pending_.append("\r\n");
}

void Propagator::Add(int db, std::span<const std::string> argv) {
  BeginOp(db, argv.size());
  for (const std::string& arg : argv) AppendBulk(arg);
  EndOp();
}

void Propagator::Add(int db, std::span<const std::string_view> argv) {
  BeginOp(db, argv.size());
  for (std::string_view arg : argv) AppendBulk(arg);
  EndOp();
}

void Propagator::Flush(Wrap wrap) {
  if (ops_.empty()) return;
  const bool transaction = wrap == Wrap::kMultiExec && ops_.size() > 1;
  for (SinkState& state : sinks_) {
    // The common case (one command in the database the sink already has) needs no copy.
    if (ops_.size() == 1 && ops_.front().db == state.selected_db) {
      state.sink->Append(pending_);
      continue;
    }
    out_.clear();
    for (size_t i = 0; i < ops_.size(); ++i) {
      const Op& op = ops_[i];
      if (op.db != state.selected_db) {
        AppendSelect(op.db, &out_);
        state.selected_db = op.db;
      }
      // MULTI follows the first command's SELECT, as Redis 7.0 writes it.
      if (i == 0 && transaction) out_.append(kMulti);
      out_.append(pending_, op.begin, op.end - op.begin);
    }
    if (transaction) out_.append(kExec);
    state.sink->Append(out_);
  }
  pending_.clear();
  ops_.clear();
}

}  // namespace drayman
