// Key positions of movable-key commands that count their keys ("numkeys key [key ...]"):
// SINTERCARD, ZUNION/ZINTER/ZDIFF/ZINTERCARD, ZMPOP and their *STORE and blocking forms.
//
// Contract: NumkeysKeyIndexes is the body of such a command's get_keys function. numkeys sits
// at `numkeys_index` and the keys follow it; `with_destination` adds args[1] first (the *STORE
// forms). A numkeys that is not an integer >= 1, or larger than the arguments that follow it,
// yields no keys (the command itself then answers the error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/base/numbers.h"

namespace drayman {

inline std::vector<int> NumkeysKeyIndexes(const std::vector<std::string>& args,
                                          size_t numkeys_index, bool with_destination = false) {
  std::vector<int> keys;
  int64_t numkeys = 0;
  if (numkeys_index >= args.size() || !ParseInt64(args[numkeys_index], &numkeys) || numkeys < 1 ||
      static_cast<uint64_t>(numkeys) > args.size() - numkeys_index - 1) {
    return keys;
  }
  if (with_destination) keys.push_back(1);
  for (int64_t i = 0; i < numkeys; ++i) keys.push_back(static_cast<int>(numkeys_index + 1 + i));
  return keys;
}

}  // namespace drayman
