#include "broker/persistence/aof_replay.h"

#include <algorithm>
#include <string>

#include "broker/base/ascii.h"
#include "broker/base/errors.h"
#include "broker/command/command_table.h"
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
  const uint64_t errors_before = client_->reply().error_count();
  engine_.Execute(*client_, args);
  // An error answered to the log's own commands is Redis's "unexpected" error reply: counted in
  // INFO and logged in Redis's words, and loading goes on (propagation-error-behavior ignore,
  // the default).
  if (const uint64_t errors = client_->reply().error_count() - errors_before; errors > 0) {
    engine_.stats().unexpected_error_replies += errors;
    const std::string& output = client_->output();
    if (!output.empty() && output[0] == '-') {
      std::string text = output.substr(1, std::min<size_t>(output.find('\r') - 1, 4096));
      // Redis logs what addReplyError was given: the text after "-ERR ".
      if (text.starts_with(errors::kErrPrefix)) text.erase(0, errors::kErrPrefix.size());
      engine_.Log(LogLevel::kWarning,
                  "== CRITICAL == This server is sending an error to its AOF-loading-client: '" +
                      text + "' after processing the command '" + ToLower(args[0]) + "'");
    }
  }
  client_->output().clear();
  valid_up_to_ = end_offset;
  ++commands_replayed_;
  return true;
}

}  // namespace drayman
