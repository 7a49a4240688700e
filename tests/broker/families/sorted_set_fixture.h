// SortedSetTest: the fixture of the sorted-set family tests (sorted_set_family_test.cc,
// sorted_set_range_family_test.cc, sorted_set_setop_family_test.cc): EngineTest plus direct looks
// at database 0 (existence, encoding) and helpers that store a string or a plain set without
// going through other families' commands, and the error replies the tests compare against
// (Debian's redis-server 7.0.15). One class for every file, so GoogleTest sees one fixture.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "broker/keyspace/database.h"
#include "broker/keyspace/set.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {

constexpr const char* kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr const char* kSyntax = "-ERR syntax error\r\n";
constexpr const char* kNotInteger = "-ERR value is not an integer or out of range\r\n";
constexpr const char* kNotFloat = "-ERR value is not a valid float\r\n";
constexpr const char* kMinMaxNotFloat = "-ERR min or max is not a float\r\n";
constexpr const char* kMinMaxNotLex = "-ERR min or max not valid string range item\r\n";

class SortedSetTest : public EngineTest {
 protected:
  Database& db() { return engine_->keyspace().db(0); }
  void PutString(const std::string& key) { db().Put(key, Value(std::string("v"))); }
  void PutSet(const std::string& key, const std::vector<std::string>& members) {
    auto set = std::make_unique<Set>();
    for (const auto& member : members) set->Add(member);
    db().Put(key, Value(std::move(set)));
  }
  bool Exists(const std::string& key) { return db().Find(key) != nullptr; }
  std::string Encoding(const std::string& key) {
    return std::string(db().Find(key)->value.Encoding());
  }
};

}  // namespace drayman::testing
