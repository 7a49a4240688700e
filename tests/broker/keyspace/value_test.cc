#include "broker/keyspace/value.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

namespace drayman {
namespace {

TEST(ValueTest, StringsOfEveryLengthReadBackTheirBytes) {
  // Inline (up to 14 bytes), exact blocks beyond, binary bytes included.
  for (size_t size : {0, 1, 13, 14, 15, 20, 44, 45, 200, 100000}) {
    std::string text(size, 'x');
    if (size > 2) text[size / 2] = '\0';
    Value value(text);
    EXPECT_EQ(value.type(), ValueType::kString);
    EXPECT_EQ(value.view(), text) << size;
    EXPECT_EQ(value.string_encoding(), StringEncoding::kStored);
  }
  EXPECT_EQ(Value().view(), "");
  EXPECT_EQ(Value().type(), ValueType::kString);
}

TEST(ValueTest, MemoryUsageCountsNoBlockForShortStringsAndAnExactOneForLongerOnes) {
  EXPECT_EQ(sizeof(Value), 16u);
  EXPECT_EQ(Value(std::string(14, 'a')).MemoryUsage(), sizeof(Value));
  EXPECT_EQ(Value(std::string(20, 'a')).MemoryUsage(), sizeof(Value) + 20);
  EXPECT_EQ(Value(std::string(200, 'a')).MemoryUsage(), sizeof(Value) + 200);
}

TEST(ValueTest, StrTurnsACompactStringIntoAnOwnedOneKeepingItsEncoding) {
  for (size_t size : {3, 30}) {
    Value value(std::string(size, 'b'), StringEncoding::kNoInt);
    std::string& text = value.str();
    EXPECT_EQ(text, std::string(size, 'b'));
    text.append("tail");
    EXPECT_EQ(value.view(), std::string(size, 'b') + "tail");
    // The same string on later calls.
    EXPECT_EQ(&value.str(), &text);
    EXPECT_EQ(value.string_encoding(), StringEncoding::kNoInt);
    value.set_string_encoding(StringEncoding::kRaw);
    EXPECT_EQ(value.string_encoding(), StringEncoding::kRaw);
    EXPECT_EQ(value.type(), ValueType::kString);
    EXPECT_EQ(value.view(), std::string(size, 'b') + "tail");
  }
}

TEST(ValueTest, EncodingAndRefcountDependOnTheBytesAndHowTheyWereMade) {
  EXPECT_EQ(Value("12345").Encoding(), "int");
  EXPECT_EQ(Value("12345").RefCount(), 1);
  EXPECT_EQ(Value("9999").RefCount(), 2147483647);
  EXPECT_EQ(Value("012").Encoding(), "embstr");
  EXPECT_EQ(Value(std::string(44, 'e')).Encoding(), "embstr");
  EXPECT_EQ(Value(std::string(45, 'e')).Encoding(), "raw");
  EXPECT_EQ(Value("12", StringEncoding::kRaw).Encoding(), "raw");
  EXPECT_EQ(Value("12", StringEncoding::kNoInt).Encoding(), "embstr");
  Value changed("abc");
  changed.str() += "d";
  EXPECT_EQ(changed.Encoding(), "embstr");  // only the encoding mark makes it raw
}

TEST(ValueTest, MovesLeaveAnEmptyStringAndTransferOwnership) {
  Value long_string(std::string(100, 'l'));
  Value moved(std::move(long_string));
  EXPECT_EQ(moved.view(), std::string(100, 'l'));
  EXPECT_EQ(long_string.view(), "");  // NOLINT(bugprone-use-after-move): the contract

  Value list(std::make_unique<List>());
  list.list().PushBack("x");
  Value target("short");
  target = std::move(list);
  EXPECT_EQ(target.type(), ValueType::kList);
  EXPECT_EQ(target.list().size(), 1u);
  EXPECT_EQ(list.type(), ValueType::kString);  // NOLINT(bugprone-use-after-move)

  target = Value(std::string(50, 'n'), StringEncoding::kRaw);
  EXPECT_EQ(target.view(), std::string(50, 'n'));
  EXPECT_EQ(target.string_encoding(), StringEncoding::kRaw);
}

TEST(ValueTest, ContainersKeepTheirType) {
  EXPECT_EQ(Value(std::make_unique<Hash>()).type(), ValueType::kHash);
  EXPECT_EQ(Value(std::make_unique<Set>()).type(), ValueType::kSet);
  EXPECT_EQ(Value(std::make_unique<ZSet>()).type(), ValueType::kZSet);
  EXPECT_EQ(Value(std::make_unique<Stream>()).type(), ValueType::kStream);
  EXPECT_EQ(Value(std::make_unique<List>()).type(), ValueType::kList);
}

TEST(ValueTest, CloneCopiesTheBytesAndNeverSharesAnInteger) {
  Value original("42");
  Value copy = original.Clone();
  EXPECT_EQ(copy.view(), "42");
  EXPECT_EQ(copy.string_encoding(), StringEncoding::kUnsharedInt);
  EXPECT_EQ(copy.RefCount(), 1);
  Value long_original(std::string(300, 'c'), StringEncoding::kRaw);
  Value long_copy = long_original.Clone();
  EXPECT_EQ(long_copy.view(), long_original.view());
  EXPECT_NE(long_copy.view().data(), long_original.view().data());
  EXPECT_EQ(long_copy.string_encoding(), StringEncoding::kRaw);
}

}  // namespace
}  // namespace drayman
