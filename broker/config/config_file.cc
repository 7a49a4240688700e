// The config file: redis.conf's lines (include, user and every parameter), redis-server's
// command line (a file, then --name value options), and CONFIG REWRITE (the file rewritten in
// place with the current values, through a temporary file and a rename).
#include "broker/config/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "broker/base/ascii.h"
#include "broker/base/errors.h"
#include "broker/config/compat_parameters.h"
#include "broker/resp/request_parser.h"

namespace drayman {

namespace {

constexpr std::string_view kBadDirective = "Bad directive or wrong number of arguments";
constexpr std::string_view kUnbalancedQuotes = "Unbalanced quotes in configuration line";

// Redis's sdstrim(line, " \t\r\n").
std::string_view Trim(std::string_view line) {
  constexpr std::string_view kBlanks = " \t\r\n";
  size_t first = line.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  size_t last = line.find_last_not_of(kBlanks);
  return line.substr(first, last - first + 1);
}

std::string QuoteIfNeeded(const std::string& value) {
  bool plain = !value.empty();
  for (unsigned char c : value) {
    if (!std::isgraph(c) || c == '"' || c == '\'' || c == '\\') plain = false;
  }
  if (plain) return value;
  std::string quoted = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      quoted.append("\\n");
    } else if (c == '\r') {
      quoted.append("\\r");
    } else if (c == '\t') {
      quoted.append("\\t");
    } else if (!std::isprint(c)) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      quoted.append(hex);
    } else {
      quoted.push_back(static_cast<char>(c));
    }
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

bool Config::LoadText(std::string_view text, std::string* error) {
  return LoadLines(text, INT_MAX, error);
}

bool Config::LoadLines(std::string_view text, int first_option_line, std::string* error) {
  int line_number = 0;
  std::vector<std::string> words;
  auto report = [&](std::string_view line, std::string_view reason) {
    // Redis says "at line N" for a command-line option too, though no file has that line;
    // Drayman names the option instead.
    const std::string where =
        line_number >= first_option_line
            ? "Reading the command line, at option --" + std::string(line.substr(0, line.find(' ')))
            : "Reading the configuration file, at line " + std::to_string(line_number);
    *error = where + "\n>>> '" + std::string(line) + "'\n" + std::string(reason);
    return false;
  };
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (!SplitArgs(line, &words)) return report(line, kUnbalancedQuotes);
    if (words.empty()) continue;
    // ACL: `user <name> <rule> ...` may repeat; the engine applies them (broker/acl/).
    if (EqualsIgnoreCase(words[0], "user") && words.size() >= 2) {
      settings_.acl_users.emplace_back(words.begin() + 1, words.end());
      continue;
    }
    Parameter* parameter = FindParameter(words[0]);
    if (parameter == nullptr) {
      std::string reason;
      switch (ClassifyDirective(words, &reason)) {
        case DirectiveAction::kIgnore:
          continue;
        case DirectiveAction::kRefuse:
          return report(line, reason);
        case DirectiveAction::kInclude: {
          if (!LoadIncluded(words[1], error)) return false;  // reported with the included file's lines
          continue;
        }
        case DirectiveAction::kUnknown:
          return report(line, kBadDirective);
      }
    }
    std::vector<std::string> values(words.begin() + 1, words.end());
    if (parameter->single_value && values.size() != 1) {
      return report(line, errors::kWrongNumberOfArgs);
    }
    std::string detail;
    if (!parameter->set(values, &detail)) return report(line, detail);
  }
  return true;
}

bool Config::LoadIncluded(const std::string& path, std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::stringstream content;
  content << file.rdbuf();
  return LoadText(content.str(), error);
}

bool Config::LoadFile(const std::string& path, std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::stringstream content;
  content << file.rdbuf();
  std::error_code ignored;
  std::filesystem::path absolute = std::filesystem::absolute(path, ignored);
  config_file_ = absolute.empty() ? path : absolute.lexically_normal().string();
  return LoadText(content.str(), error);
}

bool Config::ParseCommandLine(int argc, const char* const* argv, std::string* error) {
  int index = 1;
  std::string text;
  if (index < argc && std::string_view(argv[index]).substr(0, 2) != "--") {
    std::ifstream file(argv[index]);
    if (!file) {
      *error = "Fatal error, can't open config file '" + std::string(argv[index]) +
               "': " + std::strerror(errno);
      return false;
    }
    std::stringstream content;
    content << file.rdbuf();
    text = content.str();
    std::error_code ignored;
    std::filesystem::path absolute = std::filesystem::absolute(argv[index], ignored);
    config_file_ = absolute.empty() ? argv[index] : absolute.lexically_normal().string();
    ++index;
  }
  // Like redis-server: the options follow the file's text after a newline, one line per
  // `--name`, each value quoted so spaces and empty strings survive the split. Error line numbers
  // count the same way.
  const int first_option_line = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 2;
  text.push_back('\n');
  bool first_option = true;
  for (; index < argc; ++index) {
    std::string_view word = argv[index];
    if (word.substr(0, 2) == "--" && word.size() > 2) {
      if (!first_option) text.push_back('\n');
      first_option = false;
      text.append(word.substr(2));
    } else {
      text.append(" \"");
      for (char c : word) {
        if (c == '"' || c == '\\') text.push_back('\\');
        text.push_back(c);
      }
      text.push_back('"');
    }
  }
  return LoadLines(text, first_option_line, error);
}

bool Config::Rewrite(std::string* error) const {
  if (config_file_.empty()) {
    *error = errors::kNoConfigFile;
    return false;
  }
  std::vector<std::string> lines;
  {
    std::ifstream file(config_file_);
    std::string line;
    while (std::getline(file, line)) lines.push_back(line);
  }
  const Config defaults;
  auto current_line = [](const Parameter& parameter) {
    std::string value = parameter.get();
    if (parameter.name == "bind") return parameter.name + " " + value;  // several words
    return parameter.name + " " + QuoteIfNeeded(value);
  };
  std::set<std::string> written;
  std::vector<std::string> output;
  std::vector<std::string> words;
  for (const std::string& line : lines) {
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || !SplitArgs(trimmed, &words) || words.empty()) {
      output.push_back(line);
      continue;
    }
    const Parameter* parameter = FindParameter(words[0]);
    if (parameter == nullptr) {
      output.push_back(line);
      continue;
    }
    // The first line of a parameter carries its current value; repeated lines are dropped.
    if (written.insert(parameter->name).second) output.push_back(current_line(*parameter));
  }
  bool header = false;
  for (const Parameter& parameter : parameters_) {
    if (written.count(parameter.name)) continue;
    const Parameter* fallback = defaults.FindParameter(parameter.name);
    if (fallback != nullptr && fallback->get() == parameter.get()) continue;
    if (!header) {
      output.push_back("# Generated by CONFIG REWRITE");
      header = true;
    }
    output.push_back(current_line(parameter));
  }
  // Write a temporary file next to the original and rename it over, so a crash never leaves a
  // half-written config.
  const std::string temporary = config_file_ + ".tmp-rewrite";
  {
    std::ofstream file(temporary, std::ios::trunc);
    if (!file) {
      *error = errors::RewritingConfig(std::strerror(errno));
      return false;
    }
    for (const std::string& line : output) file << line << '\n';
    file.flush();
    if (!file) {
      *error = errors::RewritingConfig(std::strerror(errno));
      return false;
    }
  }
  if (std::rename(temporary.c_str(), config_file_.c_str()) != 0) {
    *error = errors::RewritingConfig(std::strerror(errno));
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace drayman
