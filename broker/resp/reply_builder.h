// Reply builder: serialises replies for one connection in RESP2 or RESP3.
//
// Contract: every method appends exactly one RESP value (or an aggregate header whose elements the
// caller appends next) to the output string it was given. The protocol can change between replies
// (HELLO); RESP3-only types degrade to their RESP2 equivalents the way Redis degrades them: maps
// and sets become flat arrays, doubles become bulk strings, booleans become integers, nulls become
// $-1 (or *-1 for null arrays), push frames become arrays, verbatim strings become bulk strings.
// Error texts are passed whole, including their code ("ERR ...", "WRONGTYPE ..."): the builder
// only adds the leading '-' and the CRLF, and counts errors by code for INFO errorstats.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace drayman {

enum class Protocol : int { kResp2 = 2, kResp3 = 3 };

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out, Protocol protocol = Protocol::kResp2)
      : out_(out), protocol_(protocol) {}

  Protocol protocol() const { return protocol_; }
  bool resp3() const { return protocol_ == Protocol::kResp3; }
  void set_protocol(Protocol protocol) { protocol_ = protocol; }
  std::string* output() { return out_; }
  void set_output(std::string* out) { out_ = out; }

  void SimpleString(std::string_view text);
  void Ok() { out_->append("+OK\r\n"); }
  // `text` starts with the error code, e.g. "ERR syntax error". CR/LF inside become spaces.
  void Error(std::string_view text);
  void Integer(int64_t value);
  void Bulk(std::string_view value);
  void Null();       // missing value: $-1 or _
  void NullArray();  // missing aggregate (timeouts, aborted EXEC): *-1 or _
  void ArrayHeader(size_t count);
  void MapHeader(size_t pairs);   // RESP2: array of 2*pairs
  void SetHeader(size_t count);   // RESP2: array
  void PushHeader(size_t count);  // RESP2: array
  void Double(double value);      // RESP2: bulk string in Redis's shortest form
  void Bool(bool value);          // RESP2: :1 / :0
  // `format` is three letters ("txt"). RESP2: plain bulk string.
  void Verbatim(std::string_view format, std::string_view text);
  void EmptyArray() { ArrayHeader(0); }
  // Redis's addReplyHelp: status lines "<COMMAND> <subcommand> [<arg> [value] [opt] ...].
  // Subcommands are:", then `lines`, then "HELP" / "    Prints this help.". `command` is the
  // container's name in upper case.
  void Help(std::string_view command, std::initializer_list<std::string_view> lines);
  // Appends pre-encoded RESP bytes (for replies encoded once and shared).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // Errors emitted since construction; the dispatcher reads these for INFO errorstats.
  uint64_t error_count() const { return error_count_; }
  std::string_view last_error_code() const { return last_error_code_; }

 private:
  void AggregateHeader(char type, size_t count);

  std::string* out_;
  Protocol protocol_;
  uint64_t error_count_ = 0;
  std::string last_error_code_;
};

// Formats a double the way Redis 7.2 replies with scores (d2string): integers up to 2^62 without
// exponent ("3", "-0"), "inf", "-inf", "nan"; otherwise the shortest digits that read back as the
// same double, laid out like fpconv_dtoa ("0.1", "1724003600.567823", "1.7240036005678232e+9",
// "1e-7"). Redis 7.2 uses Grisu2, which in rare cases emits one digit more than the shortest;
// we always emit the shortest, so those rare replies differ in text but not in value.
std::string FormatDouble(double value);

}  // namespace drayman
