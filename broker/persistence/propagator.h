// Propagator: the engine's side of the propagation stream (see propagation.h for the contract
// sinks rely on).
//
// Contract: the engine owns one Propagator. While a unit of work runs, each command that replays
// part of its effects is recorded with Add (RESP-encoded at once, with the database it ran in);
// Flush ends the unit and hands the batch to every sink, adding SELECT per sink where the
// database changes and MULTI/EXEC around a batch of more than one command, as Redis 7.0 writes
// its AOF. With no sink installed the engine never calls Add (handlers test
// CommandContext::propagating() before building a rewrite), so the hot path costs one pointer
// test and no allocation. An active-expiry sweep flushes with Wrap::kNone: Redis 7.0 writes each
// expired key's DEL on its own, never inside a transaction, so a sweep's batch is its DELs back
// to back.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/persistence/propagation.h"

namespace drayman {

class Propagator {
 public:
  // A sink added again after removal starts with no database selected.
  void AddSink(PropagationSink* sink);
  void RemoveSink(PropagationSink* sink);
  bool active() const { return !sinks_.empty(); }
  bool pending() const { return !ops_.empty(); }

  // Records one command of the current unit of work, run in database `db`.
  void Add(int db, std::span<const std::string> argv);
  void Add(int db, std::span<const std::string_view> argv);
  void Add(int db, std::initializer_list<std::string_view> argv) {
    Add(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }

  enum class Wrap { kMultiExec, kNone };
  // Ends the current unit: appends its commands to every sink, then forgets them.
  void Flush(Wrap wrap = Wrap::kMultiExec);

 private:
  struct Op {
    int db;
    size_t begin;  // byte range in pending_
    size_t end;
  };
  struct SinkState {
    PropagationSink* sink;
    int selected_db;  // -1: none yet
  };
  void BeginOp(int db, size_t argc);
  void EndOp();
  void AppendBulk(std::string_view arg);

  std::vector<SinkState> sinks_;
  std::string pending_;  // the unit's commands, encoded back to back
  std::vector<Op> ops_;
  std::string out_;  // one sink's batch (reused across flushes)
};

}  // namespace drayman
