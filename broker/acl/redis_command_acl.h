// Redis 7.0's ACL facts about every command: categories and key specs, generated from
// redis-server (tools/gen_acl_table.py writes redis_command_acl.cc; never edit that file).
//
// Contract: RedisCommandAclTable() holds one row per Redis command or subcommand, sorted by full
// name ("config|get"). Category bits follow acl.c's ACLCommandCategories order (kCategoryNames).
// Key specs are COMMAND INFO's: where the search for keys begins (an index, or after a keyword)
// and how keys are found from there (a range, or a count argument), with Redis's flags (RO, RW,
// OW, RM, access, update, insert, delete...). KeysFromSpecs evaluates them as Redis's
// getKeysUsingKeySpecs does, so the ACL knows each key's position and whether it is read or
// written without any family file describing it again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drayman::acl {

enum KeySpecFlag : uint32_t {
  kKeyRO = 1u << 0,
  kKeyRW = 1u << 1,
  kKeyOW = 1u << 2,
  kKeyRM = 1u << 3,
  kKeyAccess = 1u << 4,
  kKeyUpdate = 1u << 5,
  kKeyInsert = 1u << 6,
  kKeyDelete = 1u << 7,
  kKeyNotKey = 1u << 8,
  kKeyIncomplete = 1u << 9,
  kKeyVariableFlags = 1u << 10,
};

struct KeySpec {
  enum Begin { kUnknownBegin, kIndex, kKeyword };
  enum Find { kUnknownFind, kRange, kKeynum };
  uint32_t flags = 0;
  Begin begin = kUnknownBegin;
  int begin_value = 0;  // index, or keyword's startfrom (negative: from the end)
  const char* keyword = nullptr;
  Find find = kUnknownFind;
  int find_a = 0;  // range: lastkey; keynum: keynumidx
  int find_b = 0;  // range: keystep; keynum: firstkey
  int find_c = 0;  // range: limit;   keynum: keystep
  const char* notes = nullptr;  // COMMAND INFO's notes, when Redis gives the spec some
};

struct RedisCommandAcl {
  const char* name;  // full name, lowercase
  uint64_t categories;
  std::vector<KeySpec> key_specs;
  std::vector<const char*> tips;  // COMMAND INFO's tips ("nondeterministic_output", ...)
};

// Category names in bit order (acl.c's ACLCommandCategories).
inline constexpr std::string_view kCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
inline constexpr int kCategoryCount = sizeof(kCategoryNames) / sizeof(kCategoryNames[0]);

// The bit of a category name (case-insensitive), 0 when unknown.
uint64_t CategoryBit(std::string_view name);

extern const char kRedisTableVersion[];
const std::vector<RedisCommandAcl>& RedisCommandAclTable();
// The row of a full command name, or null (a command Redis 7.0 does not have).
const RedisCommandAcl* FindRedisCommandAcl(std::string_view full_name);

// A key argument found by a key spec: its index in args and the spec's flags.
struct KeyReference {
  int index;
  uint32_t flags;
};
// Redis's getKeysUsingKeySpecs over `args` (args[0] is the command name): appends the keys and
// returns true, or returns false where Redis falls back to the command's own getkeys function (an
// unknown or incomplete spec, a key count out of range).
bool KeysFromSpecs(const std::vector<KeySpec>& specs, const std::vector<std::string>& args,
                   std::vector<KeyReference>* keys);

}  // namespace drayman::acl
