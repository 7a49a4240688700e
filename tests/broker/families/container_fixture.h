// ContainerTest: EngineTest plus direct looks at the keyspace, so the list, hash and set family
// tests can check existence, type and encoding without depending on EXISTS/TYPE/OBJECT from other
// families. Expected replies in these tests were taken from Debian's redis-server 7.0.15.
#pragma once

#include <string>
#include <string_view>

#include "broker/keyspace/database.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {

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
