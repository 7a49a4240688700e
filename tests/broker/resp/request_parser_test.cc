// Request parser tests. Expected error texts and accept/reject decisions were checked against
// Debian's redis-server 7.0.15 over a raw socket (each input sent alone on a new connection).
#include "broker/resp/request_parser.h"

#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {
namespace {

using Commands = std::vector<std::vector<std::string>>;

struct ParseOutcome {
  Commands commands;
  std::string error;  // empty unless the parser failed
};

// Feeds `input` in the given chunk sizes (the last chunk takes the rest) and collects every
// command and the error, if any.
ParseOutcome ParseInChunks(std::string_view input, const std::vector<size_t>& chunks,
                           bool authenticated = true) {
  RequestParser parser;
  parser.set_authenticated(authenticated);
  ParseOutcome outcome;
  std::vector<std::string> args;
  size_t pos = 0;
  size_t chunk_index = 0;
  while (pos < input.size()) {
    size_t size = chunk_index < chunks.size() ? chunks[chunk_index++] : input.size() - pos;
    size = std::min(std::max<size_t>(size, 1), input.size() - pos);
    parser.Feed(input.substr(pos, size));
    pos += size;
    while (true) {
      RequestParser::Result result = parser.Next(&args);
      if (result == RequestParser::Result::kNeedMore) break;
      if (result == RequestParser::Result::kError) {
        outcome.error = parser.error();
        return outcome;
      }
      outcome.commands.push_back(args);
    }
  }
  return outcome;
}

ParseOutcome ParseWhole(std::string_view input, bool authenticated = true) {
  return ParseInChunks(input, {input.size()}, authenticated);
}

ParseOutcome ParseByteByByte(std::string_view input, bool authenticated = true) {
  return ParseInChunks(input, std::vector<size_t>(input.size(), 1), authenticated);
}

std::string Multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  }
  return out;
}

TEST(RequestParserTest, MultibulkCommand) {
  ParseOutcome outcome = ParseWhole("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n");
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.commands, (Commands{{"SET", "k", "hello"}}));
}

TEST(RequestParserTest, BinarySafeArguments) {
  std::string value("a\0b\r\nc", 6);
  ParseOutcome outcome = ParseWhole(Multibulk({"ECHO", value}));
  EXPECT_EQ(outcome.commands, (Commands{{"ECHO", value}}));
}

TEST(RequestParserTest, InlineCommands) {
  ParseOutcome outcome = ParseWhole("PING\r\n  ECHO   a  \r\nPING\n");
  EXPECT_EQ(outcome.commands, (Commands{{"PING"}, {"ECHO", "a"}, {"PING"}}));
}

TEST(RequestParserTest, InlineQuotingFollowsRedisSplitArgs) {
  EXPECT_EQ(ParseWhole("PING \"a\\x41\\n\"\r\n").commands, (Commands{{"PING", "aA\n"}}));
  EXPECT_EQ(ParseWhole("ECHO 'a\\'b'\r\n").commands, (Commands{{"ECHO", "a'b"}}));
  EXPECT_EQ(ParseWhole("ECHO \"\\q\"\r\n").commands, (Commands{{"ECHO", "q"}}));
  EXPECT_EQ(ParseWhole("ECHO \"\\xZZ\"\r\n").commands, (Commands{{"ECHO", "xZZ"}}));
  EXPECT_EQ(ParseWhole("echo \"\"\r\n").commands, (Commands{{"echo", ""}}));
  // \v separates words before a token but not inside one, as with Redis's isspace/switch mix.
  EXPECT_EQ(ParseWhole("ECHO a\x0b"
                       "b\r\n")
                .commands,
            (Commands{{"ECHO",
                       "a\x0b"
                       "b"}}));
  EXPECT_EQ(ParseWhole("ECHO \x0b a\r\n").commands, (Commands{{"ECHO", "a"}}));
  EXPECT_EQ(ParseWhole("ECHO \"a\"\tb\r\n").commands, (Commands{{"ECHO", "a", "b"}}));
}

TEST(RequestParserTest, EmptyCommandsAreSkipped) {
  EXPECT_EQ(ParseWhole("*0\r\nPING\r\n").commands, (Commands{{"PING"}}));
  EXPECT_EQ(ParseWhole("*-1\r\nPING\r\n").commands, (Commands{{"PING"}}));
  EXPECT_EQ(ParseWhole("*-5\r\nPING\r\n").commands, (Commands{{"PING"}}));
  EXPECT_EQ(ParseWhole("\r\n\r\n\nPING\r\n").commands, (Commands{{"PING"}}));
}

TEST(RequestParserTest, TwoBytesAfterABulkAreSkippedUnchecked) {
  EXPECT_EQ(ParseWhole("*1\r\n$4\r\nPINGxxPING\r\n").commands, (Commands{{"PING"}, {"PING"}}));
  EXPECT_EQ(ParseWhole("*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n").commands,
            (Commands{{"ECHO", "a\r\n"}}));
}

struct ErrorCase {
  std::string input;
  std::string error;
};

// How GoogleTest shows a case (a failure, --gtest_list_tests): the input escaped and cut to 40
// bytes, instead of the struct's raw bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << '"';
  for (unsigned char byte : std::string_view(c.input).substr(0, 40)) {
    if (byte == '\r') {
      *os << "\\r";
    } else if (byte == '\n') {
      *os << "\\n";
    } else if (byte == '"' || byte == '\\') {
      *os << '\\' << byte;
    } else if (byte < 0x20 || byte > 0x7e) {
      static constexpr char kHex[] = "0123456789abcdef";
      *os << "\\x" << kHex[byte >> 4] << kHex[byte & 0xf];
    } else {
      *os << byte;
    }
  }
  *os << '"';
  if (c.input.size() > 40) *os << "... (" << c.input.size() << " bytes)";
  *os << " -> " << c.error;
}

class RequestParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RequestParserErrorTest, WholeAndByteByByteGiveRedisText) {
  const ErrorCase& c = GetParam();
  EXPECT_EQ(ParseWhole(c.input).error, c.error) << c.input;
  EXPECT_EQ(ParseByteByByte(c.input).error, c.error) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    RedisTexts, RequestParserErrorTest,
    ::testing::Values(
        ErrorCase{"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*01\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*+1\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*-0\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*1 \r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*1\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length"},
        ErrorCase{"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$-0\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$01\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$+4\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\n$4\nPING\r\n", "ERR Protocol error: invalid bulk length"},
        ErrorCase{"*1\r\nx4\r\nPING\r\n", "ERR Protocol error: expected '$', got 'x'"},
        ErrorCase{"PING \"abc\r\n", "ERR Protocol error: unbalanced quotes in request"},
        ErrorCase{"PING 'a'b\r\n", "ERR Protocol error: unbalanced quotes in request"},
        ErrorCase{"ping \"a\"\"b\"\r\n", "ERR Protocol error: unbalanced quotes in request"},
        ErrorCase{"ECHO a\"b c\"d\r\n", "ERR Protocol error: unbalanced quotes in request"},
        ErrorCase{std::string(65537, 'A'), "ERR Protocol error: too big inline request"},
        ErrorCase{"*" + std::string(70000, '1'), "ERR Protocol error: too big mbulk count string"},
        ErrorCase{"*1\r\n$" + std::string(70000, '1'),
                  "ERR Protocol error: too big bulk count string"}));

TEST(RequestParserTest, OversizedHeaderErrorDependsOnHowItArrives) {
  // As in Redis: a header whose CR arrives with it is judged by its digits; one that trickles in
  // past 64 KiB without a CR is too big.
  const std::string input = "*" + std::string(70000, '1') + "\r\n";
  EXPECT_EQ(ParseWhole(input).error, "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseByteByByte(input).error, "ERR Protocol error: too big mbulk count string");
}

TEST(RequestParserTest, SizeLimitsAreExclusiveAt64KiB) {
  EXPECT_EQ(ParseWhole(std::string(65536, 'A')).error, "");
  EXPECT_EQ(ParseWhole("*" + std::string(65535, '1')).error, "");
  EXPECT_EQ(ParseWhole("*1\r\n$" + std::string(65535, '1')).error, "");
  // An inline line longer than 64 KiB is fine when its newline is already there.
  ParseOutcome outcome = ParseWhole("ECHO " + std::string(70000, 'a') + "\r\n");
  EXPECT_EQ(outcome.error, "");
  ASSERT_EQ(outcome.commands.size(), 1u);
  EXPECT_EQ(outcome.commands[0][1].size(), 70000u);
}

TEST(RequestParserTest, NulBeforeTheTerminatorHidesIt) {
  // Redis looks for line ends with strchr, which stops at a NUL: these never complete.
  EXPECT_TRUE(ParseWhole(std::string("PING\0a\r\n", 8)).commands.empty());
  EXPECT_TRUE(ParseWhole(std::string("*1\0\r\n", 5)).commands.empty());
  EXPECT_TRUE(ParseWhole(std::string("*1\r\n$4\0\r\nPING\r\n", 15)).commands.empty());
  EXPECT_EQ(ParseWhole(std::string("*1\r\n$4\0\r\nPING\r\n", 15)).error, "");
  // ...and a long enough wait turns into the size error.
  EXPECT_EQ(ParseWhole(std::string("PING\0", 5) + std::string(65540, 'a') + "\r\n").error,
            "ERR Protocol error: too big inline request");
  // NUL inside a bulk payload is data.
  EXPECT_EQ(ParseWhole(std::string("*1\r\n$4\r\nPI\0G\r\n", 14)).commands,
            (Commands{{std::string("PI\0G", 4)}}));
}

TEST(RequestParserTest, UnauthenticatedLimits) {
  EXPECT_EQ(ParseWhole("*11\r\n", /*authenticated=*/false).error,
            "ERR Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(ParseWhole("*10\r\n", false).error, "");
  EXPECT_EQ(ParseWhole("*2\r\n$4\r\nECHO\r\n$16385\r\n", false).error,
            "ERR Protocol error: unauthenticated bulk length");
  EXPECT_EQ(ParseWhole("*2\r\n$4\r\nECHO\r\n$16384\r\n", false).error, "");
  EXPECT_EQ(ParseWhole("*11\r\n", true).error, "");
  // Inline commands have no argument limit before AUTH.
  std::string inline_command = "ECHO";
  for (int i = 0; i < 20; ++i) inline_command += " a";
  EXPECT_EQ(ParseWhole(inline_command + "\r\n", false).commands.size(), 1u);
}

TEST(RequestParserTest, ProtoMaxBulkLen) {
  RequestParser parser;
  parser.set_max_bulk_length(1024 * 1024);
  std::vector<std::string> args;
  parser.Feed("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
  EXPECT_EQ(parser.Next(&args), RequestParser::Result::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: invalid bulk length");
  // The parser stays failed.
  parser.Feed("PING\r\n");
  EXPECT_EQ(parser.Next(&args), RequestParser::Result::kError);
}

// A mixed pipeline: multibulk, inline, empty commands, binary and large values.
std::string MixedPipeline(Commands* expected) {
  std::string input;
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    switch (i % 5) {
      case 0: {
        std::vector<std::string> args = {"SET", "key:" + std::to_string(i),
                                         std::string(rng() % 200, static_cast<char>('a' + i % 26))};
        input += Multibulk(args);
        expected->push_back(args);
        break;
      }
      case 1:
        input += "ECHO \"x y\" 'z'\r\n";
        expected->push_back({"ECHO", "x y", "z"});
        break;
      case 2:
        input += "*0\r\n\r\n";
        break;
      case 3: {
        std::string binary;
        for (int j = 0; j < 64; ++j) binary.push_back(static_cast<char>(rng() % 256));
        input += Multibulk({"ECHO", binary});
        expected->push_back({"ECHO", binary});
        break;
      }
      case 4: {
        std::vector<std::string> args = {"RPUSH", "q", std::string(40000, 'v'), ""};
        input += Multibulk(args);
        expected->push_back(args);
        break;
      }
    }
  }
  return input;
}

TEST(RequestParserTest, AnySplitGivesTheSameCommands) {
  Commands expected;
  const std::string input = MixedPipeline(&expected);
  ParseOutcome whole = ParseWhole(input);
  EXPECT_EQ(whole.error, "");
  EXPECT_EQ(whole.commands, expected);
  ParseOutcome bytes = ParseByteByByte(input);
  EXPECT_EQ(bytes.error, "");
  EXPECT_EQ(bytes.commands, expected);
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> chunks;
    for (size_t total = 0; total < input.size();) {
      size_t size = 1 + rng() % (round % 2 ? 17 : 5000);
      chunks.push_back(size);
      total += size;
    }
    ParseOutcome split = ParseInChunks(input, chunks);
    EXPECT_EQ(split.error, "") << "round " << round;
    EXPECT_EQ(split.commands, expected) << "round " << round;
  }
}

TEST(RequestParserTest, ThousandsOfPipelinedCommands) {
  std::string input;
  for (int i = 0; i < 20000; ++i) {
    input += (i % 2) ? Multibulk({"INCR", "counter"}) : std::string("PING\r\n");
  }
  ParseOutcome outcome = ParseInChunks(input, std::vector<size_t>(10000, 16 * 1024));
  EXPECT_EQ(outcome.error, "");
  ASSERT_EQ(outcome.commands.size(), 20000u);
  EXPECT_EQ(outcome.commands[0], (std::vector<std::string>{"PING"}));
  EXPECT_EQ(outcome.commands[19999], (std::vector<std::string>{"INCR", "counter"}));
}

TEST(RequestParserTest, LargeArgumentArrivingInPieces) {
  const std::string big(5 * 1024 * 1024, 'z');
  const std::string input = Multibulk({"SET", "k", big});
  RequestParser parser;
  std::vector<std::string> args;
  size_t pos = 0;
  int commands = 0;
  while (pos < input.size()) {
    // Write straight into the parser's buffer the way the server does.
    size_t available = 0;
    char* dest = parser.PrepareWrite(16 * 1024, &available);
    size_t count = std::min(available, input.size() - pos);
    std::memcpy(dest, input.data() + pos, count);
    parser.CommitWrite(count);
    pos += count;
    while (parser.Next(&args) == RequestParser::Result::kCommand) ++commands;
  }
  EXPECT_EQ(commands, 1);
  EXPECT_EQ(args[2], big);
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

// A client that announces a huge bulk and sends nothing (or little) must not make the parser
// allocate the announced size: the buffer follows the bytes that arrive.
TEST(RequestParserTest, AnnouncedHugeBulkDoesNotGrowTheBuffer) {
  constexpr size_t kChunk = 16 * 1024;
  std::vector<RequestParser> parsers(4);
  std::vector<std::string> args;
  for (RequestParser& parser : parsers) {
    parser.Feed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n");
    EXPECT_EQ(parser.Next(&args), RequestParser::Result::kNeedMore);
    size_t available = 0;
    parser.PrepareWrite(kChunk, &available);  // the server asks for room before each read
    EXPECT_LE(parser.buffer_capacity(), 64 * kChunk);
  }
  // 1 MB of the payload arrives in reads: the buffer stays within a small factor of it.
  RequestParser& parser = parsers[0];
  const std::string piece(kChunk, 'x');
  for (int i = 0; i < 64; ++i) {
    size_t available = 0;
    char* dest = parser.PrepareWrite(kChunk, &available);
    std::memcpy(dest, piece.data(), kChunk);
    parser.CommitWrite(kChunk);
    EXPECT_EQ(parser.Next(&args), RequestParser::Result::kNeedMore);
  }
  EXPECT_LE(parser.buffer_capacity(), 4u * 1024 * 1024);
}

// Growth stops at what the pending bulk needs: a 5 MB value does not leave an 8 MB buffer.
TEST(RequestParserTest, BufferGrowthStopsAtThePendingBulk) {
  const std::string big(5 * 1024 * 1024, 'z');
  const std::string input = Multibulk({"SET", "k", big});
  RequestParser parser;
  std::vector<std::string> args;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t available = 0;
    char* dest = parser.PrepareWrite(16 * 1024, &available);
    size_t count = std::min<size_t>(std::min<size_t>(available, 16 * 1024), input.size() - pos);
    std::memcpy(dest, input.data() + pos, count);
    parser.CommitWrite(count);
    pos += count;
    if (pos < input.size()) EXPECT_EQ(parser.Next(&args), RequestParser::Result::kNeedMore);
  }
  EXPECT_LE(parser.buffer_capacity(), big.size() + 64 * 1024);
  ASSERT_EQ(parser.Next(&args), RequestParser::Result::kCommand);
  EXPECT_EQ(args[2], big);
}

TEST(RequestParserTest, ErrorAfterGoodCommandsKeepsThem) {
  ParseOutcome outcome = ParseByteByByte("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$abc\r\nPING\r\n");
  EXPECT_EQ(outcome.commands, (Commands{{"PING"}, {"PING"}}));
  EXPECT_EQ(outcome.error, "ERR Protocol error: invalid bulk length");
}

// Mutated pipelines (bytes flipped, cut, duplicated) fed in random splits: the parser either
// yields commands or fails once and stays failed, and a split never changes the outcome. Run under
// the sanitizer build this also checks that no input reads out of bounds.
TEST(RequestParserTest, MutatedInputBehavesTheSameForAnySplit) {
  Commands expected;
  const std::string base = MixedPipeline(&expected).substr(0, 20000);
  std::mt19937 rng(99);
  for (int round = 0; round < 200; ++round) {
    std::string input = base;
    for (int edits = 1 + rng() % 4; edits > 0; --edits) {
      size_t at = rng() % input.size();
      switch (rng() % 3) {
        case 0:
          input[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          input.erase(at, 1 + rng() % 8);
          break;
        case 2:
          input.insert(at, input.substr(at, 1 + rng() % 16));
          break;
      }
    }
    ParseOutcome whole = ParseWhole(input);
    std::vector<size_t> chunks;
    for (size_t total = 0; total < input.size();) {
      size_t size = 1 + rng() % 64;
      chunks.push_back(size);
      total += size;
    }
    ParseOutcome split = ParseInChunks(input, chunks);
    // Header-size errors depend on how bytes arrive (as in Redis); everything else may not.
    if (whole.error.find("too big") == std::string::npos &&
        split.error.find("too big") == std::string::npos) {
      EXPECT_EQ(split.error, whole.error) << "round " << round;
      EXPECT_EQ(split.commands, whole.commands) << "round " << round;
    }
  }
}

TEST(SplitArgsTest, RedisCliQuoting) {
  std::vector<std::string> args;
  ASSERT_TRUE(SplitArgs("set \"a b\" 'c d' e", &args));
  EXPECT_EQ(args, (std::vector<std::string>{"set", "a b", "c d", "e"}));
  ASSERT_TRUE(SplitArgs("\"\\x00\\x7f\\t\\b\\a\\\\\\\"\"", &args));
  EXPECT_EQ(args, (std::vector<std::string>{std::string("\0\x7f\t\b\a\\\"", 7)}));
  ASSERT_TRUE(SplitArgs("   ", &args));
  EXPECT_TRUE(args.empty());
  EXPECT_FALSE(SplitArgs("\"unterminated", &args));
  EXPECT_FALSE(SplitArgs("'unterminated", &args));
  EXPECT_FALSE(SplitArgs("\"a\"b", &args));
  EXPECT_FALSE(SplitArgs("\"a\\\"", &args));
}

// The parser reuses the previous command's argument strings; nothing of an earlier, longer or
// wider command may show through in a later one.
TEST(RequestParserTest, ReusedArgumentsCarryNothingOver) {
  const std::string big(10000, 'b');
  const std::string long_value(100, 'v');
  const Commands commands = {{"SET", "key:with:a:long:name", long_value},
                             {"GET", "k"},
                             {"SET", "k", big},
                             {"LPUSH", "q", "a", "bb", "ccc", "dddd"},
                             {"PING"},
                             {"SET", "k", ""},
                             {"ECHO", std::string("x\0y", 3)}};
  std::string input;
  for (const auto& command : commands) input += Multibulk(command);
  EXPECT_EQ(ParseWhole(input).commands, commands);
  EXPECT_EQ(ParseByteByByte(input).commands, commands);
}

// Lengths at the edge of the one-pass reading: 18 digits are read at once, more go through the
// general path; zero, leading zeros and signs keep Redis's answers.
TEST(RequestParserTest, LengthsAtTheFastPathEdges) {
  EXPECT_EQ(ParseWhole("*1\r\n$0\r\n\r\n").commands, (Commands{{""}}));
  EXPECT_EQ(ParseWhole("*0\r\n*1\r\n$4\r\nPING\r\n").commands, (Commands{{"PING"}}));
  EXPECT_EQ(ParseWhole("*1\r\n$999999999999999999\r\n").error,
            "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$9999999999999999999\r\n").error,
            "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*999999999999999999\r\n").error,
            "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$04\r\nPING\r\n").error, "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$4x\r\nPING\r\n").error, "ERR Protocol error: invalid bulk length");
  // "$4\r" with the line end still to come waits for it.
  EXPECT_EQ(ParseInChunks("*1\r\n$4\r\nPING\r\n", {7, 1}).commands, (Commands{{"PING"}}));
}

}  // namespace
}  // namespace drayman
