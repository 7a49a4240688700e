// Lookups in the generated table and Redis's key-spec evaluation (broker/acl/redis_command_acl.h).
#include <algorithm>
#include <cstring>

#include "broker/acl/redis_command_acl.h"
#include "broker/base/ascii.h"
#include "broker/base/numbers.h"

namespace drayman::acl {

uint64_t CategoryBit(std::string_view name) {
  for (int i = 0; i < kCategoryCount; ++i) {
    if (EqualsIgnoreCase(name, kCategoryNames[i])) return uint64_t{1} << i;
  }
  return 0;
}

const RedisCommandAcl* FindRedisCommandAcl(std::string_view full_name) {
  const std::vector<RedisCommandAcl>& table = RedisCommandAclTable();
  auto it = std::lower_bound(
      table.begin(), table.end(), full_name,
      [](const RedisCommandAcl& row, std::string_view name) { return row.name < name; });
  if (it == table.end() || it->name != full_name) return nullptr;
  return &*it;
}

bool KeysFromSpecs(const std::vector<KeySpec>& specs, const std::vector<std::string>& args,
                   std::vector<KeyReference>* keys) {
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& spec : specs) {
    if (spec.flags & kKeyNotKey) continue;
    int first = 0;
    if (spec.begin == KeySpec::kIndex) {
      first = spec.begin_value;
    } else if (spec.begin == KeySpec::kKeyword) {
      const int start = spec.begin_value > 0 ? spec.begin_value : argc + spec.begin_value;
      const int end = spec.begin_value > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(args[i], spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;  // keyword absent: this spec names no key
    } else {
      return false;
    }
    int last = 0;
    int step = 1;
    if (spec.find == KeySpec::kRange) {
      step = spec.find_b;
      if (spec.find_a >= 0) {
        last = first + spec.find_a;
      } else if (spec.find_c == 0) {
        last = argc + spec.find_a;
      } else {
        last = first + ((argc - first) / spec.find_c + spec.find_a);
      }
    } else if (spec.find == KeySpec::kKeynum) {
      step = spec.find_c;
      if (spec.find_a >= argc - first) return false;
      int64_t numkeys = 0;
      if (!ParseInt64(args[first + spec.find_a], &numkeys) || numkeys < 0) return false;
      first += spec.find_b;
      last = first + static_cast<int>(numkeys) - 1;
    } else {
      return false;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += step) keys->push_back({i, spec.flags});
    if (spec.flags & kKeyIncomplete) return false;
  }
  return true;
}

}  // namespace drayman::acl
