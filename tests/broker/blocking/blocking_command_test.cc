// ParseBlockingTimeout: whole seconds take a path without strtold; every form must give the
// deadline (or error) Redis 7.0.15 gives. The command-level transcripts are in
// tests/broker/families/blocking_family_test.cc.
#include "broker/blocking/blocking_command.h"

#include <cstdint>
#include <string>
#include <vector>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

class BlockingCommandTest : public EngineTest {
 protected:
  // The deadline ParseBlockingTimeout gives `text`, or -1 with the error it replied in *error.
  int64_t Deadline(const std::string& text, std::string* error = nullptr) {
    std::vector<std::string> args = {"BLPOP", "k", text};
    const CommandSpec& spec = *engine_->commands().Find("blpop");
    ReplyBuilder& reply = client_->reply();
    client_->output().clear();
    CommandContext ctx{*engine_, *client_, args, reply, spec, engine_->keyspace().db(0),
                       engine_->keyspace(), clock_.NowMs()};
    int64_t deadline = 0;
    if (!ParseBlockingTimeout(ctx, text, &deadline)) {
      if (error != nullptr) *error = client_->output();
      return -1;
    }
    return deadline;
  }
};

TEST_F(BlockingCommandTest, WholeSecondsGiveTheSameDeadlinesAsTheFloatPath) {
  const int64_t now = clock_.NowMs();
  EXPECT_EQ(Deadline("0"), 0);
  EXPECT_EQ(Deadline("000"), 0);
  EXPECT_EQ(Deadline("1"), now + 1000);
  EXPECT_EQ(Deadline("007"), now + 7000);
  EXPECT_EQ(Deadline("30"), now + 30000);
  // 15 digits: the whole-seconds path; 16 digits: the float path, with the same result.
  EXPECT_EQ(Deadline("999999999999999"), now + 999999999999999000);
  EXPECT_EQ(Deadline("0000000000000001"), now + 1000);
  // Checked against redis-server 7.0.15: milliseconds beyond int64 are "negative" there.
  std::string error;
  EXPECT_EQ(Deadline("9999999999999999", &error), -1);
  EXPECT_EQ(error, "-ERR timeout is negative\r\n");
  // Not whole seconds: the float path.
  EXPECT_EQ(Deadline("1.5"), now + 1500);
  EXPECT_EQ(Deadline("+1"), now + 1000);
  EXPECT_EQ(Deadline("-0"), 0);
  EXPECT_EQ(Deadline("1e3"), now + 1000000);
  EXPECT_EQ(Deadline("1 ", &error), -1);
  EXPECT_EQ(error, "-ERR timeout is not a float or out of range\r\n");
}

}  // namespace
}  // namespace drayman::testing
