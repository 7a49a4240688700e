#include "broker/persistence/aof_replay.h"

#include "broker/base/ascii.h"
#include "broker/engine.h"

namespace drayman {

AofReplayer::AofReplayer(Engine& engine) : engine_(engine) {
  client_ = engine_.Connect(nullptr, "?:0", "?:0", -1);
  client_->authenticated = true;
  client_->user = nullptr;  // like Redis's AOF client: no ACL user, so no ACL check
  client_->parser().set_authenticated(true);
  client_->name = "aof-loader";
}

AofReplayer::~AofReplayer() { engine_.Disconnect(client_); }

bool AofReplayer::in_multi() const { return client_->in_multi; }

void AofReplayer::StartFile(uint64_t start_offset) {
  DiscardOpenTransaction();
  valid_up_to_ = valid_before_multi_ = start_offset;
}

void AofReplayer::DiscardOpenTransaction() {
  if (client_->in_multi) engine_.DiscardTransaction(*client_);
}

bool AofReplayer::Replay(std::vector<std::string>& args, uint64_t end_offset, std::string* error) {
  if (engine_.commands().Find(args[0]) == nullptr) {
    *error = "Unknown command '" + args[0] + "' reading the append only file";
    return false;
  }
  const bool starts_multi = !client_->in_multi && EqualsIgnoreCase(args[0], "multi");
  if (starts_multi) valid_before_multi_ = valid_up_to_;
  engine_.Execute(*client_, args);
  client_->output().clear();
  valid_up_to_ = end_offset;
  ++commands_replayed_;
  return true;
}

}  // namespace drayman
