#include "broker/persistence/aof_format.h"

#include <cctype>
#include <cstdio>

#include "broker/base/ascii.h"
#include "broker/resp/repr.h"
#include "broker/resp/request_parser.h"

namespace drayman::aof {

namespace {

constexpr size_t kManifestMaxLine = 1024;  // Redis's MANIFEST_MAX_LINE

std::string FileName(std::string_view appendfilename, int64_t seq, std::string_view kind,
                     std::string_view format) {
  std::string name(appendfilename);
  name += "." + std::to_string(seq);
  name += kind;
  name += format;
  return name;
}

// sdsneedsrepr: anything a split on blanks or quotes would not read back as one word.
bool NeedsQuoting(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' || c == '\b' ||
        byte >= 0x80 || !std::isprint(byte) || std::isspace(byte)) {
      return true;
    }
  }
  return false;
}

// atoll: leading blanks, an optional sign, digits; anything else ends the number.
int64_t LeadingInteger(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  int64_t value = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

std::string_view TrimBlanks(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

void AppendFileLine(std::string* out, const FileInfo& info) {
  *out += "file ";
  *out += NeedsQuoting(info.name) ? Repr(info.name) : info.name;
  *out += " seq " + std::to_string(info.seq) + " type ";
  out->push_back(static_cast<char>(info.type));
  out->push_back('\n');
}

}  // namespace

std::string BaseFileName(std::string_view appendfilename, int64_t seq, bool rdb) {
  return FileName(appendfilename, seq, ".base", rdb ? ".rdb" : ".aof");
}

std::string IncrFileName(std::string_view appendfilename, int64_t seq) {
  return FileName(appendfilename, seq, ".incr", ".aof");
}

std::string ManifestFileName(std::string_view appendfilename) {
  return std::string(appendfilename) + ".manifest";
}

std::string TempManifestFileName(std::string_view appendfilename) {
  return "temp-" + ManifestFileName(appendfilename);
}

bool IsRdbFileName(std::string_view name) {
  return name.size() >= 4 && name.substr(name.size() - 4) == ".rdb";
}

const FileInfo& Manifest::AddIncr(std::string_view appendfilename) {
  ++incr_seq;
  incr.push_back({IncrFileName(appendfilename, incr_seq), incr_seq, FileType::kIncr});
  return incr.back();
}

const FileInfo& Manifest::NewBase(std::string_view appendfilename, bool rdb) {
  if (base) {
    base->type = FileType::kHistory;
    history.insert(history.begin(), *base);
  }
  ++base_seq;
  base = FileInfo{BaseFileName(appendfilename, base_seq, rdb), base_seq, FileType::kBase};
  return *base;
}

std::string FormatManifest(const Manifest& manifest) {
  std::string out;
  if (manifest.base) AppendFileLine(&out, *manifest.base);
  for (const FileInfo& info : manifest.history) AppendFileLine(&out, info);
  for (const FileInfo& info : manifest.incr) AppendFileLine(&out, info);
  return out;
}

std::string ManifestError::Describe() const {
  if (line == 0) return reason;
  return "Reading the manifest file, at line " + std::to_string(line) + "\n>>> '" + line_text +
         "'\n" + reason;
}

bool ParseManifest(std::string_view text, Manifest* manifest, ManifestError* error) {
  *manifest = Manifest();
  int line_number = 0;
  int64_t max_incr_seq = 0;
  auto fail = [&](std::string reason, std::string_view line = {}) {
    error->reason = std::move(reason);
    error->line = line.empty() ? 0 : line_number;
    error->line_text = std::string(line);
    return false;
  };
  size_t position = 0;
  std::vector<std::string> words;
  while (true) {
    // fgets(buf, 1025): up to 1024 bytes, ending at the first newline.
    if (position >= text.size()) {
      if (line_number == 0) return fail("Found an empty AOF manifest");
      break;
    }
    const size_t newline = text.find('\n', position);
    size_t length =
        newline == std::string_view::npos ? text.size() - position : newline - position + 1;
    if (length > kManifestMaxLine) length = kManifestMaxLine;
    const std::string_view chunk = text.substr(position, length);
    position += length;
    ++line_number;
    if (chunk[0] == '#') continue;
    if (chunk.back() != '\n') return fail("The AOF manifest file contains too long line");
    const std::string_view line = TrimBlanks(chunk);
    if (line.empty()) {
      // Redis prints the (empty) line here; there is nothing to show but the number.
      error->reason = "Invalid AOF manifest file format";
      error->line = line_number;
      error->line_text.clear();
      return false;
    }
    if (!SplitArgs(line, &words) || words.size() < 6 || words.size() % 2 != 0) {
      return fail("Invalid AOF manifest file format", line);
    }
    FileInfo info;
    info.seq = 0;
    char type = 0;
    for (size_t i = 0; i < words.size(); i += 2) {
      if (EqualsIgnoreCase(words[i], "file")) {
        info.name = words[i + 1];
        if (info.name.find_first_of("/\\") != std::string::npos) {
          return fail("File can't be a path, just a filename", line);
        }
      } else if (EqualsIgnoreCase(words[i], "seq")) {
        info.seq = LeadingInteger(words[i + 1]);
      } else if (EqualsIgnoreCase(words[i], "type")) {
        type = words[i + 1].empty() ? 0 : words[i + 1][0];
      }
    }
    if (info.name.empty() || info.seq == 0 || type == 0) {
      return fail("Invalid AOF manifest file format", line);
    }
    if (type == 'b') {
      if (manifest->base) return fail("Found duplicate base file information", line);
      info.type = FileType::kBase;
      manifest->base = info;
      manifest->base_seq = info.seq;
    } else if (type == 'h') {
      info.type = FileType::kHistory;
      manifest->history.push_back(info);
    } else if (type == 'i') {
      if (info.seq <= max_incr_seq) return fail("Found a non-monotonic sequence number", line);
      info.type = FileType::kIncr;
      manifest->incr.push_back(info);
      manifest->incr_seq = max_incr_seq = info.seq;
    } else {
      return fail("Unknown AOF file type", line);
    }
  }
  return true;
}

void AppendCommand(std::string* out, const std::vector<std::string_view>& args) {
  out->push_back('*');
  *out += std::to_string(args.size());
  *out += "\r\n";
  for (std::string_view arg : args) {
    out->push_back('$');
    *out += std::to_string(arg.size());
    *out += "\r\n";
    out->append(arg);
    *out += "\r\n";
  }
}

std::string EncodeCommand(const std::vector<std::string_view>& args) {
  std::string out;
  AppendCommand(&out, args);
  return out;
}

// --- AofRecordParser ---

void AofRecordParser::Feed(std::string_view bytes) {
  // Drop what was consumed before growing, so a long file is read in bounded memory.
  if (position_ > 0 && position_ * 2 >= buffer_.size()) {
    buffer_.erase(0, position_);
    position_ = 0;
  }
  buffer_.append(bytes);
}

AofRecordParser::Result AofRecordParser::Damaged(size_t at, std::string reason) {
  error_offset_ = consumed_ + (at - position_);
  error_ = std::move(reason);
  return Result::kDamaged;
}

AofRecordParser::Result AofRecordParser::ReadNumberLine(size_t* at, char prefix, int64_t max,
                                                        int64_t* value) {
  size_t i = *at;
  if (i >= buffer_.size()) return Result::kNeedMore;
  if (buffer_[i] != prefix) {
    return Damaged(i, std::string("expected '") + prefix + "'");
  }
  ++i;
  int64_t number = 0;
  const size_t digits_start = i;
  while (i < buffer_.size() && std::isdigit(static_cast<unsigned char>(buffer_[i]))) {
    number = number * 10 + (buffer_[i] - '0');
    if (number > max) return Damaged(i, "number out of range");
    ++i;
  }
  if (i >= buffer_.size()) return Result::kNeedMore;
  if (i == digits_start) return Damaged(i, "expected a digit");
  if (buffer_[i] != '\r') return Damaged(i, "expected CR");
  if (++i >= buffer_.size()) return Result::kNeedMore;
  if (buffer_[i] != '\n') return Damaged(i, "expected LF");
  *at = i + 1;
  *value = number;
  return Result::kCommand;
}

AofRecordParser::Result AofRecordParser::Next(std::vector<std::string>* args) {
  // Annotations first: whole lines starting with '#'.
  while (position_ < buffer_.size() && buffer_[position_] == '#') {
    const size_t newline = buffer_.find('\n', position_);
    if (newline == std::string::npos) {
      if (buffer_.size() - position_ > kMaxAnnotationLength) {
        return Damaged(position_, "annotation line too long");
      }
      return Result::kNeedMore;
    }
    consumed_ += newline + 1 - position_;
    position_ = newline + 1;
  }
  if (position_ >= buffer_.size()) return Result::kNeedMore;
  size_t at = position_;
  int64_t argc = 0;
  Result result = ReadNumberLine(&at, '*', kMaxArgs, &argc);
  if (result != Result::kCommand) return result;
  if (argc < 1) return Damaged(position_ + 1, "a command needs at least one argument");
  args->clear();
  for (int64_t j = 0; j < argc; ++j) {
    int64_t length = 0;
    result = ReadNumberLine(&at, '$', kMaxBulkLength, &length);
    if (result != Result::kCommand) return result;
    const auto size = static_cast<size_t>(length);
    if (buffer_.size() - at < size + 2) {
      // The payload is opaque, but whatever of its terminator is present must be CRLF.
      if (buffer_.size() - at == size + 1 && buffer_[at + size] != '\r') {
        return Damaged(at + size, "expected CR after a bulk");
      }
      return Result::kNeedMore;
    }
    if (buffer_[at + size] != '\r') return Damaged(at + size, "expected CR after a bulk");
    if (buffer_[at + size + 1] != '\n') return Damaged(at + size + 1, "expected LF after a bulk");
    args->emplace_back(buffer_, at, size);
    at += size + 2;
  }
  consumed_ += at - position_;
  position_ = at;
  return Result::kCommand;
}

}  // namespace drayman::aof
