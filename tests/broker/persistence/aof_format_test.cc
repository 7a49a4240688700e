#include "broker/persistence/aof_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace drayman::aof {
namespace {

using Result = AofRecordParser::Result;

TEST(AofNamesTest, FollowRedisNaming) {
  EXPECT_EQ(BaseFileName("appendonly.aof", 1, false), "appendonly.aof.1.base.aof");
  EXPECT_EQ(BaseFileName("appendonly.aof", 12, true), "appendonly.aof.12.base.rdb");
  EXPECT_EQ(IncrFileName("x.aof", 3), "x.aof.3.incr.aof");
  EXPECT_EQ(ManifestFileName("appendonly.aof"), "appendonly.aof.manifest");
  EXPECT_EQ(TempManifestFileName("appendonly.aof"), "temp-appendonly.aof.manifest");
  EXPECT_TRUE(IsRdbFileName("appendonly.aof.1.base.rdb"));
  EXPECT_FALSE(IsRdbFileName("appendonly.aof.1.base.aof"));
}

TEST(ManifestTest, FormatsAsRedisWritesIt) {
  Manifest manifest;
  manifest.NewBase("appendonly.aof", false);
  manifest.AddIncr("appendonly.aof");
  // Byte for byte what redis-server 7.0.15 writes on a fresh start with aof-use-rdb-preamble no.
  EXPECT_EQ(FormatManifest(manifest),
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  manifest.NewBase("appendonly.aof", true);
  manifest.AddIncr("appendonly.aof");
  EXPECT_EQ(FormatManifest(manifest),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.1.base.aof seq 1 type h\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
}

TEST(ManifestTest, QuotesNamesThatNeedIt) {
  Manifest manifest;
  manifest.AddIncr("my log \"x\"\n\x01");
  const std::string text = FormatManifest(manifest);
  EXPECT_EQ(text, "file \"my log \\\"x\\\"\\n\\x01.1.incr.aof\" seq 1 type i\n");
  Manifest parsed;
  ManifestError error;
  ASSERT_TRUE(ParseManifest(text, &parsed, &error)) << error.Describe();
  ASSERT_EQ(parsed.incr.size(), 1u);
  EXPECT_EQ(parsed.incr[0].name, "my log \"x\"\n\x01.1.incr.aof");
}

TEST(ManifestTest, RoundTripsAndKeepsSequences) {
  const std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n"
      "file appendonly.aof.5.incr.aof seq 5 type i\n";
  Manifest manifest;
  ManifestError error;
  ASSERT_TRUE(ParseManifest(text, &manifest, &error)) << error.Describe();
  EXPECT_EQ(FormatManifest(manifest), text);
  EXPECT_EQ(manifest.base_seq, 2);
  EXPECT_EQ(manifest.incr_seq, 5);
  EXPECT_EQ(manifest.AddIncr("appendonly.aof").name, "appendonly.aof.6.incr.aof");
}

TEST(ManifestTest, AcceptsCommentsKeyOrderCaseAndUnknownKeys) {
  Manifest manifest;
  ManifestError error;
  ASSERT_TRUE(
      ParseManifest("# written by hand\n"
                    "TYPE i SEQ 7 FILE a.7.incr.aof future x\n",
                    &manifest, &error))
      << error.Describe();
  ASSERT_EQ(manifest.incr.size(), 1u);
  EXPECT_EQ(manifest.incr[0], (FileInfo{"a.7.incr.aof", 7, FileType::kIncr}));
  // Only comments: a manifest listing nothing (Redis then has no AOF to load).
  ASSERT_TRUE(ParseManifest("# nothing\n", &manifest, &error));
  EXPECT_TRUE(manifest.empty());
}

// Each refusal with Redis 7.0's reason and line number.
TEST(ManifestTest, RefusesWhatRedisRefuses) {
  struct Case {
    std::string text;
    std::string reason;
    int line;
  };
  const std::vector<Case> cases = {
      {"", "Found an empty AOF manifest", 0},
      {"file a seq 1 type i", "The AOF manifest file contains too long line", 0},
      {"file " + std::string(1100, 'a') + " seq 1 type i\n",
       "The AOF manifest file contains too long line", 0},
      {"\n", "Invalid AOF manifest file format", 1},
      {"file a seq 1\n", "Invalid AOF manifest file format", 1},
      {"file a seq 1 type\n", "Invalid AOF manifest file format", 1},
      {"file \"a seq 1 type i\n", "Invalid AOF manifest file format", 1},
      {"file a seq 0 type i\n", "Invalid AOF manifest file format", 1},
      {"file a seq 1 type \"\"\n", "Invalid AOF manifest file format", 1},
      {"file dir/a seq 1 type i\n", "File can't be a path, just a filename", 1},
      {"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information", 2},
      {"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number", 2},
      {"file a seq 1 type x\n", "Unknown AOF file type", 1},
  };
  for (const Case& c : cases) {
    Manifest manifest;
    ManifestError error;
    EXPECT_FALSE(ParseManifest(c.text, &manifest, &error)) << c.text;
    EXPECT_EQ(error.reason, c.reason) << c.text;
    EXPECT_EQ(error.line, c.line) << c.text;
  }
  ManifestError error;
  Manifest manifest;
  ParseManifest("file a seq 1 type x  \n", &manifest, &error);
  EXPECT_EQ(
      error.Describe(),
      "Reading the manifest file, at line 1\n>>> 'file a seq 1 type x'\nUnknown AOF file type");
}

// --- Records ---

std::string SampleLog() {
  std::string log;
  AppendCommand(&log, {"SELECT", "0"});
  AppendCommand(&log, {"rpush", "q", "a", "b"});
  log += "#TS:1700000000\r\n";
  AppendCommand(&log, {"SET", "k y", std::string_view("v\r\n\0x", 5)});
  AppendCommand(&log, {"hset", "h", "", "x"});
  return log;
}

std::vector<std::vector<std::string>> SampleCommands() {
  return {{"SELECT", "0"},
          {"rpush", "q", "a", "b"},
          {"SET", "k y", std::string("v\r\n\0x", 5)},
          {"hset", "h", "", "x"}};
}

// Parses everything; returns the commands, the last result and the parser.
Result ParseAll(AofRecordParser& parser, std::vector<std::vector<std::string>>* commands) {
  std::vector<std::string> args;
  Result result;
  while ((result = parser.Next(&args)) == Result::kCommand) commands->push_back(args);
  return result;
}

TEST(AofRecordParserTest, ReadsCommandsAndSkipsAnnotations) {
  AofRecordParser parser;
  const std::string log = SampleLog();
  parser.Feed(log);
  std::vector<std::vector<std::string>> commands;
  EXPECT_EQ(ParseAll(parser, &commands), Result::kNeedMore);
  EXPECT_EQ(commands, SampleCommands());
  EXPECT_EQ(parser.offset(), log.size());
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(AofRecordParserTest, ReadsTheSameFedOneByteAtATime) {
  AofRecordParser parser;
  std::vector<std::vector<std::string>> commands;
  for (char c : SampleLog()) {
    parser.Feed(std::string_view(&c, 1));
    EXPECT_EQ(ParseAll(parser, &commands), Result::kNeedMore);
  }
  EXPECT_EQ(commands, SampleCommands());
}

// A torn write: the log cut at every byte of its last record is "incomplete", never damaged,
// and everything before that record is read back.
TEST(AofRecordParserTest, CutAtEveryByteOfTheLastRecordIsTruncated) {
  const std::string log = SampleLog();
  std::string head;
  const auto commands = SampleCommands();
  for (size_t i = 0; i + 1 < commands.size(); ++i) {
    std::vector<std::string_view> views(commands[i].begin(), commands[i].end());
    AppendCommand(&head, views);
    if (i == 1) head += "#TS:1700000000\r\n";
  }
  ASSERT_EQ(log.substr(0, head.size()), head);
  for (size_t cut = head.size(); cut < log.size(); ++cut) {
    AofRecordParser parser;
    parser.Feed(std::string_view(log).substr(0, cut));
    std::vector<std::vector<std::string>> commands;
    ASSERT_EQ(ParseAll(parser, &commands), Result::kNeedMore) << "cut at " << cut;
    EXPECT_EQ(commands.size(), SampleCommands().size() - 1) << "cut at " << cut;
    EXPECT_EQ(parser.offset(), head.size()) << "cut at " << cut;
    EXPECT_EQ(parser.buffered(), cut - head.size()) << "cut at " << cut;
  }
}

// One flipped byte in the framing of a record in the middle is damage, reported at the flipped
// byte's offset, and the commands before it are read. (A byte flipped inside a payload changes
// the value: the format has no checksum to notice it, in Redis either.)
TEST(AofRecordParserTest, FlippedFramingByteInTheMiddleIsDamageAtItsOffset) {
  const std::string log = SampleLog();
  std::string before;
  AppendCommand(&before, {"SELECT", "0"});
  std::string middle;
  AppendCommand(&middle, {"rpush", "q", "a", "b"});
  ASSERT_EQ(log.substr(before.size(), middle.size()), middle);
  // Framing bytes of the middle record: everything but the payloads.
  std::vector<size_t> framing;
  // "*4\r\n$5\r\nrpush\r\n$1\r\nq\r\n$1\r\na\r\n$1\r\nb\r\n": payload offsets are known.
  const std::vector<std::pair<size_t, size_t>> payloads = {{8, 5}, {19, 1}, {26, 1}, {33, 1}};
  for (size_t i = 0; i < middle.size(); ++i) {
    bool in_payload = false;
    for (auto [start, length] : payloads) in_payload |= i >= start && i < start + length;
    if (!in_payload) framing.push_back(i);
  }
  ASSERT_EQ(framing.size(), middle.size() - 8);
  for (size_t i : framing) {
    for (unsigned char flip : {0x01, 0x20, 0x80}) {
      std::string damaged = log;
      const size_t at = before.size() + i;
      damaged[at] = static_cast<char>(damaged[at] ^ flip);
      AofRecordParser parser;
      parser.Feed(damaged);
      std::vector<std::vector<std::string>> commands;
      const Result result = ParseAll(parser, &commands);
      // A flipped length digit may make a record that still parses up to a later byte; it never
      // reads as a clean or a torn log.
      ASSERT_EQ(result, Result::kDamaged) << "flip " << int(flip) << " at " << at;
      EXPECT_GE(parser.error_offset(), at) << "flip at " << at;
      EXPECT_EQ(commands.front(), SampleCommands().front());
      if (parser.error_offset() == at) {
        EXPECT_EQ(parser.offset(), before.size()) << "flip at " << at;
      }
    }
  }
}

TEST(AofRecordParserTest, RefusesBadFraming) {
  for (std::string bad :
       {"X", "*0\r\n", "*-1\r\n", "*1\n", "*1\r\r", "*1\r\n$1\r\nab\r\n", "*1\r\n$x\r\n",
        "*1\r\n$1\r\na\n\n", "*99999999999\r\n", "*1\r\n$999999999999\r\n"}) {
    AofRecordParser parser;
    parser.Feed(bad);
    std::vector<std::string> args;
    EXPECT_EQ(parser.Next(&args), Result::kDamaged) << bad;
  }
}

}  // namespace
}  // namespace drayman::aof
