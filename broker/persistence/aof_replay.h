// AofReplayer: runs the commands of an append-only log through the engine, as Redis 7.0 loads
// its AOF.
//
// Contract: one replayer per log load; it owns a client of its own (authenticated, exempt from
// LOADING while the engine is loading) and disconnects it when destroyed. Replay runs one
// command, MULTI/EXEC included (queued commands run at EXEC, as they did when logged); replies
// are discarded, errors included, as Redis's AOF client discards them. A command the table does
// not know refuses the log. valid_offset() is where the log may be cut if what follows is torn:
// the end of the last command replayed, or the start of a MULTI the log has not closed yet (a
// transaction is all or nothing). Nothing is propagated while replaying: the host installs no
// sink until loading is over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drayman {

class Client;
class Engine;

class AofReplayer {
 public:
  explicit AofReplayer(Engine& engine);
  ~AofReplayer();
  AofReplayer(const AofReplayer&) = delete;
  AofReplayer& operator=(const AofReplayer&) = delete;

  // Runs `args`, whose record ends at `end_offset` of the current file. False with a message
  // ("Unknown command 'X' reading the append only file") when the command is not known.
  bool Replay(std::vector<std::string>& args, uint64_t end_offset, std::string* error);
  // Starts the next file of the manifest: offsets count from its start. `start_offset` is where
  // its commands begin (after an RDB preamble: a file cut there keeps the preamble).
  void StartFile(uint64_t start_offset = 0);

  bool in_multi() const;
  // Where the current file may be cut so that only whole commands and transactions remain.
  uint64_t valid_offset() const { return in_multi() ? valid_before_multi_ : valid_up_to_; }
  // The file ended inside MULTI: forget the queued commands, as Redis does.
  void DiscardOpenTransaction();
  uint64_t commands_replayed() const { return commands_replayed_; }
  const Client& client() const { return *client_; }

 private:
  Engine& engine_;
  Client* client_;
  uint64_t valid_up_to_ = 0;
  uint64_t valid_before_multi_ = 0;
  uint64_t commands_replayed_ = 0;
};

}  // namespace drayman
