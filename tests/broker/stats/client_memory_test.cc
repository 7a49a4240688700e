// ComputeClientMemory: the figures CLIENT LIST shows and client eviction adds up are the same.
#include "broker/stats/client_memory.h"

#include <regex>
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

std::string Field(const std::string& line, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(line, match, std::regex("(?:^| )" + name + "=(\\S*)"))) return "?";
  return match[1];
}

class ClientMemoryTest : public EngineTest {};

TEST_F(ClientMemoryTest, ClientListShowsTheSameFigures) {
  Client* other = NewClient();
  Feed("MULTI\r\n", other);
  Feed("SET k " + std::string(1000, 'v') + "\r\n", other);
  Feed("*2\r\n$3\r\nGET\r\n$100\r\n" + std::string(40, 'x'), other);  // unfinished
  const ClientMemory memory = ComputeClientMemory(*other, nullptr);
  EXPECT_EQ(memory.multi_mem, 1004u);  // SET, k, the value
  EXPECT_EQ(memory.argv_mem, 0u);
  EXPECT_GE(memory.qbuf, 40u);
  const std::string list = Run("CLIENT LIST ID " + std::to_string(other->id()));
  EXPECT_EQ(Field(list, "tot-mem"), std::to_string(memory.total)) << list;
  EXPECT_EQ(Field(list, "multi-mem"), "1004");
  EXPECT_EQ(Field(list, "qbuf"), std::to_string(memory.qbuf));
  // EXEC ends the queue and its count.
  Feed(std::string(60, 'x') + "\r\nEXEC\r\n", other);
  EXPECT_EQ(other->multi_mem, 0u);
  EXPECT_EQ(ComputeClientMemory(*other, nullptr).multi_mem, 0u);
}

TEST_F(ClientMemoryTest, RunningArgumentsOutputAndSubscriptionsCount) {
  Client* client = NewClient();
  const size_t base = ComputeClientMemory(*client, nullptr).total;
  const std::vector<std::string> args = {"SET", "key", std::string(500, 'v')};
  EXPECT_EQ(ComputeClientMemory(*client, &args).argv_mem, 506u);
  EXPECT_EQ(ComputeClientMemory(*client, &args).total, base + 506);
  client->output_in_flight = 1000;  // handed to the socket, not written yet
  EXPECT_EQ(ComputeClientMemory(*client, nullptr).total, base + 1000);
  client->output_in_flight = 0;
  Feed("SUBSCRIBE a b c\r\n", client);
  client->output().clear();
  client->output().shrink_to_fit();
  EXPECT_GT(ComputeClientMemory(*client, nullptr).total, base);
  Feed("WATCH x\r\n", client);  // refused in subscribed context: no change in watched keys
  EXPECT_TRUE(client->watched_keys.empty());
}

}  // namespace
}  // namespace drayman::testing
