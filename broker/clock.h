// Clock: the only source of time for the engine.
//
// Contract: NowUs() is Unix time in microseconds (EXPIREAT and TIME need wall time). Production
// uses SystemClock; tests use ManualClock and advance it explicitly, so no test sleeps.
#pragma once

#include <chrono>
#include <cstdint>

namespace drayman {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUs() const = 0;
  int64_t NowMs() const { return NowUs() / 1000; }
};

class SystemClock : public Clock {
 public:
  int64_t NowUs() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_us_(start_ms * 1000) {}
  int64_t NowUs() const override { return now_us_; }
  void AdvanceMs(int64_t ms) { now_us_ += ms * 1000; }
  void AdvanceUs(int64_t us) { now_us_ += us; }
  void SetMs(int64_t ms) { now_us_ = ms * 1000; }

 private:
  int64_t now_us_;
};

}  // namespace drayman
