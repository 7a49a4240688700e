// engine_fuzzer: a libFuzzer target that drives a whole Engine from the fuzz input.
//
// Contract: LLVMFuzzerTestOneInput builds a fresh Engine (ManualClock, four client slots, all
// connected) and interprets the input as a small program of operations, so protocol bytes, time,
// Cron, blocking timeouts, disconnects and output draining are all chosen by the input. Each
// operation is one byte `op`: kind = op % 8, slot = (op / 8) % 4, then its operands:
//   0 FEED       len byte, then len+1 bytes fed to the slot's client, then ProcessInput
//   1 ADVANCE    one byte b: the clock moves (b & 63) << (5 * (b >> 6)) ms (0 .. ~34 min)
//   2 CRON       Engine::Cron
//   3 TIMEOUT    the clock jumps to the nearest blocked client's deadline, then
//                TimeOutBlockedClients (what the server's blocking timer does)
//   4 TOGGLE     disconnects the slot's client, or connects a new one in an empty slot
//   5 DRAIN      the transport wrote the slot's output (a close_after_reply client closes)
//   6 STALL      the transport took the output but has not written it (output_in_flight)
//   7 LINE       bytes up to and including the next '\n' fed to the client, then ProcessInput
// tests/fuzz/make_corpus.py writes seeds in this format. The same file builds with gcc and
// replay_main.cc into engine_fuzz_replay, which ctest runs over the seeds and past crashes.
//
// Bounded by construction, so no input can hang: busy-reply-threshold is pinned to 1..100 ms
// (CONFIG SET outside that range is refused) and, while a script runs, every clock read costs
// 10 ms, so a looping script turns busy after a few hundred thousand Lua instructions. From then
// on the script's hook lets the harness run the next operations of the program (other clients
// get BUSY, SCRIPT KILL works, as in the server) and, after a few rounds or at the end of the
// input, aborts the script. proto-max-bulk-len is pinned to 1mb so one command cannot build a
// 512 MB string. Logs go to /dev/null.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/client.h"
#include "broker/clock.h"
#include "broker/config/config.h"
#include "broker/engine.h"
#include "broker/script/script_engine.h"

namespace drayman {
namespace {

constexpr int kSlots = 4;
constexpr int64_t kScriptClockStepUs = 10'000;
// Beyond this the harness behaves like a transport that wrote the bytes (memory stays bounded).
constexpr size_t kAutoDrainBytes = 32 << 20;
// Hook calls a busy script may serve before the harness aborts it.
constexpr int kBusyRounds = 4;
// Operations run per busy-hook call.
constexpr int kOpsPerBusyRound = 8;

// A ManualClock that also advances while a script runs, so busy-reply-threshold is reached by
// Lua work alone (the script's hook reads the clock every 100000 instructions).
class FuzzClock : public ManualClock {
 public:
  int64_t NowUs() const override {
    if (engine_ != nullptr && engine_->scripts().running()) {
      script_elapsed_us_ += kScriptClockStepUs;
    }
    return ManualClock::NowUs() + script_elapsed_us_;
  }
  void set_engine(Engine* engine) { engine_ = engine; }

 private:
  Engine* engine_ = nullptr;
  mutable int64_t script_elapsed_us_ = 0;
};

class Harness : public ClientObserver {
 public:
  Harness(const uint8_t* data, size_t size) : data_(data), size_(size) {
    std::string error;
    config_.Set("logfile", {"/dev/null"}, true, &error);
    config_.Set("busy-reply-threshold", {"10"}, true, &error);
    config_.Set("proto-max-bulk-len", {"1mb"}, true, &error);
    config_.SetApplyHook("busy-reply-threshold", [this](std::string* error) {
      const int64_t ms = config_.settings().busy_reply_threshold_ms;
      if (ms >= 1 && ms <= 100) return true;
      *error = "the fuzz harness keeps busy-reply-threshold within 1..100";
      return false;
    });
    config_.SetApplyHook("proto-max-bulk-len", [this](std::string* error) {
      if (config_.settings().proto_max_bulk_len <= 1024 * 1024) return true;
      *error = "the fuzz harness keeps proto-max-bulk-len at most 1mb";
      return false;
    });
    engine_ = std::make_unique<Engine>(config_, clock_);
    clock_.set_engine(engine_.get());
    engine_->serve_while_busy = [this] { ServeWhileBusy(); };
    for (int i = 0; i < kSlots; ++i) Connect(i);
  }

  ~Harness() {
    for (int i = 0; i < kSlots; ++i) {
      if (slots_[i] != nullptr) engine_->Disconnect(slots_[i]);
    }
    clock_.set_engine(nullptr);
    engine_.reset();
  }

  void Run() {
    while (pos_ < size_) {
      busy_rounds_ = 0;  // no script runs between top-level operations
      Step();
    }
  }

  // ClientObserver. The transport closes later, never inside the engine's call.
  void OnOutputPending(Client& client) override { AutoDrain(client); }
  void OnCloseRequested(Client& client) override { client.close_asap = true; }

 private:
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  std::string_view Take(size_t count) {
    count = std::min(count, size_ - pos_);
    std::string_view bytes(reinterpret_cast<const char*>(data_ + pos_), count);
    pos_ += count;
    return bytes;
  }

  std::string_view TakeLine() {
    size_t end = pos_;
    while (end < size_ && data_[end] != '\n') ++end;
    return Take(end - pos_ + (end < size_ ? 1 : 0));
  }

  void Step() {
    const uint8_t op = Byte();
    const int slot = (op / 8) % kSlots;
    switch (op % 8) {
      case 0: {
        const size_t count = size_t{Byte()} + 1;
        Feed(slot, Take(count));
        break;
      }
      case 1: {
        const uint8_t b = Byte();
        clock_.AdvanceMs(int64_t{b & 63} << (5 * (b >> 6)));
        break;
      }
      case 2:
        engine_->Cron();
        break;
      case 3: {
        const int64_t deadline = engine_->NextBlockingDeadline();
        if (deadline > clock_.NowMs()) clock_.AdvanceMs(deadline - clock_.NowMs());
        engine_->TimeOutBlockedClients();
        break;
      }
      case 4:
        if (slots_[slot] != nullptr) {
          Close(slot);
        } else {
          Connect(slot);
        }
        break;
      case 5:
        if (Client* client = slots_[slot]) {
          client->output().clear();
          client->output_in_flight = 0;
          if (client->close_after_reply) Close(slot);
        }
        break;
      case 6:
        if (Client* client = slots_[slot]) {
          client->output_in_flight += client->output().size();
          client->output().clear();
        }
        break;
      case 7:
        Feed(slot, TakeLine());
        break;
    }
    CloseRequested();
  }

  void Connect(int slot) {
    slots_[slot] = engine_->Connect(this, "127.0.0.1:" + std::to_string(40000 + slot),
                                    "127.0.0.1:6379", 10 + slot);
  }

  void Close(int slot) {
    Client* client = slots_[slot];
    slots_[slot] = nullptr;
    engine_->Disconnect(client);
  }

  // What the server's session does on a read.
  void Feed(int slot, std::string_view bytes) {
    Client* client = slots_[slot];
    if (client == nullptr || client->close_after_reply || client->close_asap) return;
    client->parser().Feed(bytes);
    engine_->stats().total_net_input_bytes += bytes.size();
    if (static_cast<int64_t>(client->parser().buffered_bytes()) >
        engine_->settings().client_query_buffer_limit) {
      Close(slot);
      return;
    }
    engine_->ProcessInput(*client);
    // The slot may have been closed meanwhile (a busy script ran further operations).
    if (slots_[slot] != client) return;
    if (trace_) {
      std::fprintf(stderr, "[%d] %.*s\n", slot, static_cast<int>(client->output().size()),
                   client->output().data());
    }
    AutoDrain(*client);
  }

  void AutoDrain(Client& client) {
    if (client.output().size() > kAutoDrainBytes) std::string().swap(client.output());
  }

  void CloseRequested() {
    for (int i = 0; i < kSlots; ++i) {
      if (slots_[i] != nullptr && slots_[i]->close_asap) Close(i);
    }
  }

  // The script's hook, past busy-reply-threshold: serve the next operations, then stop it.
  void ServeWhileBusy() {
    if (serving_while_busy_) return;
    if (trace_) std::fprintf(stderr, "[busy] round %d\n", busy_rounds_);
    serving_while_busy_ = true;
    for (int i = 0; i < kOpsPerBusyRound && pos_ < size_; ++i) Step();
    serving_while_busy_ = false;
    if (++busy_rounds_ >= kBusyRounds || pos_ >= size_) {
      busy_rounds_ = 0;
      engine_->scripts().Abort();
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  Config config_;
  FuzzClock clock_;
  std::unique_ptr<Engine> engine_;
  Client* slots_[kSlots] = {};
  // DRAYMAN_FUZZ_TRACE=1 prints each client's output after its input (to write seeds).
  const bool trace_ = std::getenv("DRAYMAN_FUZZ_TRACE") != nullptr;
  bool serving_while_busy_ = false;
  int busy_rounds_ = 0;
};

}  // namespace
}  // namespace drayman

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  drayman::Harness harness(data, size);
  harness.Run();
  return 0;
}
