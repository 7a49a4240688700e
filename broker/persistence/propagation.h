// Propagation: the stream of commands that replays the engine's effects (the append-only log
// and, later, replicas consume it).
//
// Contract: after every top-level unit of work that changed the dataset (a client's command, a
// whole EXEC or script, a blocked client served at wake-up, an active-expiry sweep, an eviction)
// the engine calls Append once per installed sink with the RESP multibulk encoding of the
// commands that replay its effects deterministically. Each batch starts with SELECT when its
// first command's database differs from the last one this sink was given (a freshly added sink
// has none, so its first batch starts with SELECT), and a batch of more than one command is
// wrapped in MULTI ... EXEC, as Redis 7.0 writes its AOF. Nothing is appended for commands that
// changed nothing. Sinks are called on the engine's thread and must not call back into it.
#pragma once

#include <string_view>

namespace drayman {

class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  virtual void Append(std::string_view resp) = 0;
};

}  // namespace drayman
