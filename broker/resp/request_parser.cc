#include "broker/resp/request_parser.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>

#include "broker/base/errors.h"

namespace drayman {

namespace {

constexpr int64_t kUnauthenticatedMaxArgs = 10;
constexpr int64_t kUnauthenticatedMaxBulk = 16384;

bool IsBlank(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a decimal integer the way Redis's string2ll does: optional '-', digits, no blanks,
// no leading '+', no leading zeros except "0" itself ("-0" and "01" are rejected).
bool ParseLength(std::string_view text, int64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  if (text.size() > 1 && text[0] == '-' && text[1] == '0') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The common `*3\r\n` / `$5\r\n` line read in one pass: up to 18 digits without a leading zero
// (no overflow, and no NUL can hide among them), then '\r' with room for the byte after it.
// False sends the line to the general path (memchr, ParseLength, the error texts).
bool FastLength(const char* start, size_t available, int64_t* value, size_t* line_size) {
  constexpr size_t kMaxDigits = 18;
  const size_t limit = std::min(available, kMaxDigits + 3);  // type byte, digits, "\r\n"
  if (limit < 4 || start[1] < '1' || start[1] > '9') {
    // "0" itself is a valid length (an empty bulk string or command).
    if (limit >= 4 && start[1] == '0' && start[2] == '\r') {
      *value = 0;
      *line_size = 4;
      return true;
    }
    return false;
  }
  int64_t result = start[1] - '0';
  size_t i = 2;
  for (; i < limit && start[i] >= '0' && start[i] <= '9'; ++i) {
    if (i > kMaxDigits) return false;  // a 19th digit could overflow: the general path judges it
    result = result * 10 + (start[i] - '0');
  }
  if (i + 1 >= limit || start[i] != '\r' || i - 1 > kMaxDigits) return false;
  *value = result;
  *line_size = i + 2;
  return true;
}

// Redis finds line ends with strchr on its NUL-terminated query buffer, so a NUL byte before the
// terminator hides it: the line stays incomplete (and eventually hits the size limits). The
// terminator is searched with memchr first and only the bytes before it are checked for a NUL,
// which keeps the search linear on pipelined input.
const char* FindTerminator(const char* start, size_t available, char terminator) {
  const char* found = static_cast<const char*>(std::memchr(start, terminator, available));
  if (found == nullptr) return nullptr;
  if (std::memchr(start, '\0', static_cast<size_t>(found - start)) != nullptr) return nullptr;
  return found;
}

}  // namespace

bool SplitArgs(std::string_view line, std::vector<std::string>* args) {
  args->clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsBlank(line[i])) ++i;
    if (i >= n) return true;
    std::string current;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          current.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          ++i;
          char c = line[i];
          switch (c) {
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'b':
              c = '\b';
              break;
            case 'a':
              c = '\a';
              break;
            default:
              break;
          }
          current.push_back(c);
        } else if (line[i] == '"') {
          // The closing quote must be followed by a blank or the end of the line.
          if (i + 1 < n && !IsBlank(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else if (in_single) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          current.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsBlank(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current.push_back(line[i]);
            break;
        }
      }
      if (i < n) ++i;
    }
    args->push_back(std::move(current));
  }
}

char* RequestParser::PrepareWrite(size_t min_size, size_t* available) {
  Compact();
  if (buffer_.size() - write_end_ < min_size) {
    // Grow geometrically with the bytes that actually arrive, never to a size announced but not
    // sent: a `$<huge>` header alone must not make the buffer (zero-filled, so resident) huge.
    // While a bulk is pending, growth stops at what that bulk needs.
    size_t target = std::max(write_end_ + min_size, buffer_.size() * 2);
    if (bulk_length_ >= 0) {
      const size_t bulk_end = read_pos_ + static_cast<size_t>(bulk_length_) + 2;
      target = std::min(target, std::max(write_end_ + min_size, bulk_end));
    }
    // A fresh string of exactly `target` bytes: resize() would round the capacity up to twice
    // the old one, overshooting the bulk.
    std::string grown(target, '\0');
    std::memcpy(grown.data(), buffer_.data(), write_end_);
    buffer_.swap(grown);
  }
  *available = buffer_.size() - write_end_;
  return buffer_.data() + write_end_;
}

void RequestParser::CommitWrite(size_t count) { write_end_ += count; }

void RequestParser::Feed(std::string_view bytes) {
  size_t available = 0;
  char* dest = PrepareWrite(bytes.size(), &available);
  std::memcpy(dest, bytes.data(), bytes.size());
  CommitWrite(bytes.size());
}

void RequestParser::Compact() {
  if (read_pos_ == 0) return;
  // Move unread bytes to the front once the consumed prefix dominates, keeping appends cheap.
  if (read_pos_ == write_end_) {
    read_pos_ = write_end_ = 0;
    return;
  }
  if (read_pos_ >= (write_end_ - read_pos_)) {
    std::memmove(buffer_.data(), buffer_.data() + read_pos_, write_end_ - read_pos_);
    write_end_ -= read_pos_;
    read_pos_ = 0;
  }
}

RequestParser::Result RequestParser::Fail(std::string_view what) {
  failed_ = true;
  error_ = errors::ProtocolError(what);
  return Result::kError;
}

RequestParser::Result RequestParser::Next(std::vector<std::string>* args) {
  if (failed_) return Result::kError;
  while (read_pos_ < write_end_) {
    Result result;
    if (args_expected_ > 0 || buffer_[read_pos_] == '*') {
      result = ParseMultibulk(args);
    } else {
      result = ParseInline(args);
    }
    if (result != Result::kCommand) return result;
    if (!args->empty()) return result;
    // An empty command (blank line, *0, *-1): keep going.
  }
  if (read_pos_ == write_end_) read_pos_ = write_end_ = 0;
  return Result::kNeedMore;
}

RequestParser::Result RequestParser::ParseInline(std::vector<std::string>* args) {
  const char* start = buffer_.data() + read_pos_;
  size_t available = write_end_ - read_pos_;
  const char* newline = FindTerminator(start, available, '\n');
  if (newline == nullptr) {
    if (available > kMaxInlineSize) return Fail("too big inline request");
    return Result::kNeedMore;
  }
  size_t line_length = static_cast<size_t>(newline - start);
  std::string_view line(start, line_length);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!SplitArgs(line, args)) return Fail("unbalanced quotes in request");
  read_pos_ += line_length + 1;
  return Result::kCommand;
}

RequestParser::Result RequestParser::ParseMultibulk(std::vector<std::string>* args) {
  if (args_expected_ == 0) {
    // The `*<count>\r\n` header.
    const char* start = buffer_.data() + read_pos_;
    size_t available = write_end_ - read_pos_;
    int64_t count = 0;
    size_t line_size = 0;
    if (!FastLength(start, available, &count, &line_size)) {
      const char* cr = FindTerminator(start, available, '\r');
      if (cr == nullptr || static_cast<size_t>(cr - start) + 2 > available) {
        if (cr == nullptr && available > kMaxInlineSize) return Fail("too big mbulk count string");
        return Result::kNeedMore;
      }
      std::string_view digits(start + 1, static_cast<size_t>(cr - start - 1));
      if (!ParseLength(digits, &count)) return Fail("invalid multibulk length");
      line_size = static_cast<size_t>(cr - start) + 2;
    }
    if (count > INT_MAX) return Fail("invalid multibulk length");
    if (!authenticated_ && count > kUnauthenticatedMaxArgs) {
      return Fail("unauthenticated multibulk length");
    }
    read_pos_ += line_size;
    if (count <= 0) {
      args->clear();
      return Result::kCommand;  // empty command, skipped by the caller
    }
    // pending_ holds the previous command's strings: they are assigned over, keeping their
    // heap buffers, so arguments longer than the inline size are not allocated per command.
    pending_.reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
    args_expected_ = count;
    args_read_ = 0;
    bulk_length_ = -1;
  }
  while (args_read_ < args_expected_) {
    if (bulk_length_ < 0) {
      if (read_pos_ >= write_end_) return Result::kNeedMore;
      const char* start = buffer_.data() + read_pos_;
      size_t available = write_end_ - read_pos_;
      int64_t length = 0;
      size_t line_size = 0;
      if (start[0] != '$' || !FastLength(start, available, &length, &line_size)) {
        const char* cr = FindTerminator(start, available, '\r');
        if (cr == nullptr || static_cast<size_t>(cr - start) + 2 > available) {
          if (cr == nullptr && available > kMaxInlineSize) {
            return Fail("too big bulk count string");
          }
          return Result::kNeedMore;
        }
        if (start[0] != '$') {
          std::string what = "expected '$', got '";
          what.push_back(start[0]);
          what.push_back('\'');
          return Fail(what);
        }
        std::string_view digits(start + 1, static_cast<size_t>(cr - start - 1));
        if (!ParseLength(digits, &length)) return Fail("invalid bulk length");
        line_size = static_cast<size_t>(cr - start) + 2;
      }
      if (length < 0 || length > max_bulk_length_) return Fail("invalid bulk length");
      if (!authenticated_ && length > kUnauthenticatedMaxBulk) {
        return Fail("unauthenticated bulk length");
      }
      read_pos_ += line_size;
      bulk_length_ = length;
    }
    // Payload plus the two bytes after it (Redis skips them without checking).
    size_t needed = static_cast<size_t>(bulk_length_) + 2;
    // The buffer grows as the payload arrives (PrepareWrite), not here.
    if (write_end_ - read_pos_ < needed) return Result::kNeedMore;
    const char* payload = buffer_.data() + read_pos_;
    const size_t payload_size = static_cast<size_t>(bulk_length_);
    // A string that held a large argument is replaced, not reused, so one big SET does not pin
    // its buffer for the life of the connection.
    constexpr size_t kReuseCapacity = 4096;
    if (static_cast<size_t>(args_read_) < pending_.size() &&
        pending_[static_cast<size_t>(args_read_)].capacity() <= kReuseCapacity) {
      pending_[static_cast<size_t>(args_read_)].assign(payload, payload_size);
    } else if (static_cast<size_t>(args_read_) < pending_.size()) {
      pending_[static_cast<size_t>(args_read_)] = std::string(payload, payload_size);
    } else {
      pending_.emplace_back(payload, payload_size);
    }
    read_pos_ += needed;
    bulk_length_ = -1;
    ++args_read_;
  }
  pending_.resize(static_cast<size_t>(args_expected_));
  args_expected_ = 0;
  args->swap(pending_);
  return Result::kCommand;
}

}  // namespace drayman
