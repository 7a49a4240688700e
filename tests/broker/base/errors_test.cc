// errors.h promises every error text has one spelling, there. This test reads the engine's and
// the server's sources and fails, listing file:line, on any string literal outside the errors
// module that begins with a Redis error code: such a literal is an error text written in place.
// Only a literal's beginning counts, so log lines and comments that mention a code pass.
#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace drayman {
namespace {

namespace fs = std::filesystem;

// The codes Redis 7.0 replies with ("BUSY" covers BUSYKEY and BUSYGROUP), and the protocol error
// text. An optional '-' (the RESP error marker) may come first.
constexpr std::array<std::string_view, 20> kErrorPrefixes = {
    "ERR ",       "WRONGTYPE ", "NOSCRIPT ",    "BUSY",        "NOPERM ",
    "NOAUTH ",    "WRONGPASS ", "OOM ",         "EXECABORT ",  "LOADING ",
    "NOGROUP ",   "UNBLOCKED ", "NOPROTO ",     "READONLY ",   "MISCONF ",
    "NOTBUSY ",   "UNKILLABLE ", "INVALIDOBJ ", "TESTFAILED ", "Protocol error",
};

struct Literal {
  int line;
  std::string text;  // as written, escapes not decoded
};

// The string literals of a C++ source, skipping comments and character literals.
std::vector<Literal> StringLiterals(const std::string& source) {
  std::vector<Literal> literals;
  int line = 1;
  size_t i = 0;
  const size_t n = source.size();
  while (i < n) {
    char c = source[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == '/' && i + 1 < n && source[i + 1] == '/') {
      while (i < n && source[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && source[i + 1] == '*') {
      i += 2;
      while (i + 1 < n && !(source[i] == '*' && source[i + 1] == '/')) {
        if (source[i] == '\n') ++line;
        ++i;
      }
      i += 2;
    } else if (c == 'R' && i + 1 < n && source[i + 1] == '"' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(source[i - 1])) ||
                            source[i - 1] == '_'))) {
      // Raw string R"delim(...)delim".
      size_t open = source.find('(', i + 2);
      std::string close(1, ')');
      close.append(source, i + 2, open - i - 2);
      close.push_back('"');
      size_t end = source.find(close, open);
      int start_line = line;
      std::string text = source.substr(open + 1, end - open - 1);
      line += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      literals.push_back({start_line, text});
      i = end + close.size();
    } else if (c == '"' || c == '\'') {
      // A quote after a digit is a digit separator (1'000), not a character literal.
      if (c == '\'' && i > 0 && std::isxdigit(static_cast<unsigned char>(source[i - 1]))) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < n && source[j] != c) {
        if (source[j] == '\\') ++j;
        ++j;
      }
      if (c == '"') literals.push_back({line, source.substr(i + 1, j - i - 1)});
      i = j + 1;
    } else {
      ++i;
    }
  }
  return literals;
}

bool StartsWithErrorCode(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  return std::any_of(kErrorPrefixes.begin(), kErrorPrefixes.end(),
                     [&](std::string_view prefix) { return text.starts_with(prefix); });
}

TEST(ErrorsTest, ScannerFindsLiteralsButNotCommentsOrCharacters) {
  std::string source =
      "// \"ERR in a comment\"\n"
      "/* \"ERR in a block\" */ char q = '\"';\n"
      "auto a = \"ERR here\";\n"
      "auto b = R\"x(WRONGTYPE raw)x\"; int c = 1'000;\n"
      "auto d = \"escaped \\\" quote\";\n";
  std::vector<Literal> literals = StringLiterals(source);
  ASSERT_EQ(literals.size(), 3u);
  EXPECT_EQ(literals[0].line, 3);
  EXPECT_TRUE(StartsWithErrorCode(literals[0].text));
  EXPECT_EQ(literals[1].line, 4);
  EXPECT_TRUE(StartsWithErrorCode(literals[1].text));
  EXPECT_EQ(literals[2].text, "escaped \\\" quote");
  EXPECT_FALSE(StartsWithErrorCode(literals[2].text));
  EXPECT_TRUE(StartsWithErrorCode("-ERR max number of clients reached\\r\\n"));
  EXPECT_FALSE(StartsWithErrorCode("Redis logs ERR here"));
  EXPECT_FALSE(StartsWithErrorCode("ERR"));  // a bare code (errorstats), not a text
}

TEST(ErrorsTest, EveryErrorTextLivesInTheErrorsModule) {
  const fs::path root = DRAYMAN_SOURCE_DIR;
  std::vector<std::string> strays;
  size_t files = 0;
  for (const char* dir : {"broker", "server"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const fs::path& path = entry.path();
      if (!entry.is_regular_file()) continue;
      if (path.extension() != ".cc" && path.extension() != ".h") continue;
      std::string relative = fs::relative(path, root).generic_string();
      if (relative == "broker/base/errors.h" || relative == "broker/base/errors.cc") continue;
      ++files;
      std::ifstream in(path, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      for (const Literal& literal : StringLiterals(buffer.str())) {
        if (StartsWithErrorCode(literal.text)) {
          strays.push_back(relative + ":" + std::to_string(literal.line) + ": \"" + literal.text +
                           "\"");
        }
      }
    }
  }
  EXPECT_GT(files, 100u) << "sources not found under " << root;
  std::string listing;
  for (const std::string& stray : strays) listing += stray + "\n";
  EXPECT_TRUE(strays.empty()) << strays.size()
                              << " error texts outside broker/base/errors.{h,cc}:\n"
                              << listing;
}

}  // namespace
}  // namespace drayman
