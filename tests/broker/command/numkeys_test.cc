#include "broker/command/numkeys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace drayman {
namespace {

TEST(NumkeysKeyIndexesTest, KeysFollowNumkeys) {
  using Args = std::vector<std::string>;
  using Indexes = std::vector<int>;
  EXPECT_EQ(NumkeysKeyIndexes(Args{"sintercard", "2", "a", "b", "LIMIT", "1"}, 1), (Indexes{2, 3}));
  EXPECT_EQ(NumkeysKeyIndexes(Args{"zunionstore", "d", "2", "a", "b"}, 2, true),
            (Indexes{1, 3, 4}));
  // Malformed numkeys: no keys, the command answers the error.
  EXPECT_EQ(NumkeysKeyIndexes(Args{"sintercard", "3", "a", "b"}, 1), Indexes{});
  EXPECT_EQ(NumkeysKeyIndexes(Args{"sintercard", "0", "a"}, 1), Indexes{});
  EXPECT_EQ(NumkeysKeyIndexes(Args{"sintercard", "x", "a"}, 1), Indexes{});
  EXPECT_EQ(NumkeysKeyIndexes(Args{"zunionstore", "d"}, 2, true), Indexes{});
}

}  // namespace
}  // namespace drayman
