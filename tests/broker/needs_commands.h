// NEEDS_COMMANDS("lpush", ...): skips an EngineTest whose transcript drives commands of a family
// that is built on another branch and not registered in this build, instead of failing on
// "unknown command". Once the families are merged, every such test runs.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#define NEEDS_COMMANDS(...)                                                 \
  do {                                                                      \
    for (std::string_view needed_command_ : {__VA_ARGS__}) {                \
      if (engine_->commands().Find(needed_command_) == nullptr) {           \
        GTEST_SKIP() << "needs " << needed_command_ << " (another family)"; \
      }                                                                     \
    }                                                                       \
  } while (0)
