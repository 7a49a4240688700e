// Client pause: CLIENT PAUSE / CLIENT UNPAUSE, Redis 7.0's postponed clients.
//
// Contract: a pause has a type (WRITE or ALL) and an end on the engine clock (ms). Pausing again
// never weakens it: the stronger type and the later end win (Redis's pause event for the
// CLIENT PAUSE purpose, the only one Drayman has), so a pause whose time is already over
// (CLIENT PAUSE 0) can still make a running WRITE pause ALL. A pause is over once its end is
// before "now" (Redis compares end < now), or at UNPAUSE.
//
// While a pause is on, dispatch holds a client's command before it runs or MULTI queues it (every
// command under ALL; under WRITE those that may replicate: writes, PUBLISH/SPUBLISH, PFCOUNT,
// EVAL/EVALSHA/FCALL unless the script declares no-writes, EXEC of a queue holding one) and calls
// Hold(): the client then runs nothing, its pipelined input waiting in its parser as a blocked
// client's does, and counts as blocked (INFO blocked_clients, CLIENT LIST flag b), as in Redis.
// When the pause ends, TakeHeld() hands back the held clients in the order they were held; each
// runs its held command again from the top of dispatch (it may be refused, queued, or held
// again), then its pipeline. The dataset stays still meanwhile (broker/keyspace/database.h's
// expiry pause): expired keys read as missing without being deleted, the active sweep and
// eviction wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace drayman {

// Ordered by strength: a stronger pause replaces a weaker one, never the reverse.
enum class PauseType { kOff = 0, kWrite = 1, kAll = 2 };

class ClientPause {
 public:
  PauseType type() const { return type_; }
  bool active() const { return type_ != PauseType::kOff; }
  // The end of the pause on the engine clock (ms); meaningful while active.
  int64_t end_ms() const { return end_ms_; }

  // CLIENT PAUSE: the stronger type and the later end of this pause and the running one.
  void Pause(PauseType type, int64_t end_ms);
  // Ends the pause if its end is before `now_ms`. Returns whether clients are still paused.
  bool EndIfDue(int64_t now_ms);
  // CLIENT UNPAUSE.
  void Unpause();

  // Whether a command is held now: any command under ALL, one that may replicate under WRITE.
  bool Holds(bool may_replicate) const {
    return type_ == PauseType::kAll || (type_ == PauseType::kWrite && may_replicate);
  }

  // Records a held client (its id), after those held before it.
  void Hold(uint64_t client_id) { held_.push_back(client_id); }
  // Forgets a held client that disconnected.
  void Forget(uint64_t client_id);
  // Once the pause is over: the held clients in the order they were held, forgotten here.
  std::vector<uint64_t> TakeHeld();
  size_t held_count() const { return held_.size(); }

 private:
  PauseType type_ = PauseType::kOff;
  int64_t end_ms_ = 0;
  std::vector<uint64_t> held_;  // a handful at most: linear removal is fine
};

}  // namespace drayman
