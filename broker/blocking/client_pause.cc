#include "broker/blocking/client_pause.h"

#include <algorithm>

namespace drayman {

void ClientPause::Pause(PauseType type, int64_t end_ms) {
  if (type_ == PauseType::kOff) {
    type_ = type;
    end_ms_ = end_ms;
    return;
  }
  type_ = std::max(type_, type);
  end_ms_ = std::max(end_ms_, end_ms);
}

bool ClientPause::EndIfDue(int64_t now_ms) {
  if (type_ != PauseType::kOff && end_ms_ < now_ms) Unpause();
  return active();
}

void ClientPause::Unpause() {
  type_ = PauseType::kOff;
  end_ms_ = 0;
}

void ClientPause::Forget(uint64_t client_id) {
  auto it = std::find(held_.begin(), held_.end(), client_id);
  if (it != held_.end()) held_.erase(it);
}

std::vector<uint64_t> ClientPause::TakeHeld() {
  std::vector<uint64_t> held;
  held.swap(held_);
  return held;
}

}  // namespace drayman
