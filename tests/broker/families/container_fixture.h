// ContainerTest: EngineTest plus direct looks at the keyspace, so the list, hash and set family
// tests can check existence, type and encoding without depending on EXISTS/TYPE/OBJECT from other
// families, and a small RESP reader for tests whose replies are random (SPOP, HRANDFIELD) or
// hash-ordered (HSCAN of a hashtable), which check properties instead of bytes. Expected replies
// in the transcript tests were taken from Debian's redis-server 7.0.15.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/keyspace/database.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {

// One parsed RESP value: `type` is the RESP type byte; `text` holds simple strings, errors, bulk
// strings and doubles; `integer` integers and booleans; `elements` aggregates (maps flattened).
struct RespValue {
  char type = 0;
  bool null = false;
  std::string text;
  int64_t integer = 0;
  std::vector<RespValue> elements;
};

// Parses one RESP2/RESP3 value starting at *pos and advances *pos past it.
inline RespValue ParseResp(std::string_view bytes, size_t* pos) {
  RespValue value;
  value.type = bytes[*pos];
  const size_t eol = bytes.find("\r\n", *pos);
  const std::string line(bytes.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  switch (value.type) {
    case '+':
    case '-':
    case ',':
      value.text = line;
      break;
    case ':':
      value.integer = std::stoll(line);
      break;
    case '#':
      value.integer = line == "t";
      break;
    case '_':
      value.null = true;
      break;
    case '$':
    case '=': {
      const int64_t length = std::stoll(line);
      if (length < 0) {
        value.null = true;
        break;
      }
      value.text = std::string(bytes.substr(*pos, static_cast<size_t>(length)));
      *pos += static_cast<size_t>(length) + 2;
      break;
    }
    default: {  // '*', '~', '%', '>'
      int64_t count = std::stoll(line);
      if (count < 0) {
        value.null = true;
        break;
      }
      if (value.type == '%') count *= 2;
      for (int64_t i = 0; i < count; ++i) value.elements.push_back(ParseResp(bytes, pos));
    }
  }
  return value;
}

inline RespValue ParseResp(std::string_view bytes) {
  size_t pos = 0;
  RespValue value = ParseResp(bytes, &pos);
  EXPECT_EQ(pos, bytes.size()) << "trailing bytes after one reply";
  return value;
}

// The strings of a flat aggregate of bulk strings.
inline std::vector<std::string> Strings(const RespValue& value) {
  std::vector<std::string> out;
  for (const RespValue& element : value.elements) out.push_back(element.text);
  return out;
}

class ContainerTest : public EngineTest {
 protected:
  Database& Db() { return engine_->keyspace().db(client_->db); }
  bool Exists(std::string_view key) { return Db().Find(key) != nullptr; }
  std::string TypeOf(std::string_view key) {
    Entry* entry = Db().Find(key);
    return entry ? std::string(TypeName(entry->value.type())) : "none";
  }
  std::string EncodingOf(std::string_view key) {
    Entry* entry = Db().Find(key);
    return entry ? std::string(entry->value.Encoding()) : "";
  }
};

}  // namespace drayman::testing
