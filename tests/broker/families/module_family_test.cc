// MODULE as a server with no module loaded answers it (tests/python/test_connection_oracle.py
// compares the same lines with redis-server 7.0.15).
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kNotAllowed =
    "-ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.\r\n";

class ModuleFamilyTest : public EngineTest {};

TEST_F(ModuleFamilyTest, ListIsEmptyAndLoadingIsRefusedByDefault) {
  EXPECT_EQ(Run("MODULE LIST"), "*0\r\n");
  EXPECT_EQ(Run("MODULE LOAD /x.so"), kNotAllowed);
  EXPECT_EQ(Run("MODULE LOADEX /x.so"), kNotAllowed);
  EXPECT_EQ(Run("MODULE UNLOAD x"), kNotAllowed);
  EXPECT_EQ(Run("MODULE UNLOAD"), "-ERR wrong number of arguments for 'module|unload' command\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("MODULE LIST"), "+QUEUED\r\n");
  EXPECT_EQ(Run("EXEC"), "*1\r\n*0\r\n");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("MODULE LOAD x"), kNotAllowed);
  EXPECT_EQ(Run("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(ModuleFamilyTest, WhenEnabledNothingLoadsAndNothingUnloads) {
  config_.settings().compat_values["enable-module-command"] = "yes";
  EXPECT_EQ(Run("MODULE LOAD /x.so a"),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(Run("MODULE LOADEX /x.so"),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(Run("MODULE UNLOAD x"),
            "-ERR Error unloading module: no such module with that name\r\n");
  config_.settings().compat_values["enable-module-command"] = "local";  // 127.0.0.1 is local
  EXPECT_EQ(Run("MODULE UNLOAD x"),
            "-ERR Error unloading module: no such module with that name\r\n");
}

}  // namespace
}  // namespace drayman::testing
