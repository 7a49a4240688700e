// Protected mode's decision (server/protected_mode.h): which peers are refused, and Drayman's
// start-up warning. The refusal on real connections is compared with redis-server in
// tests/python/test_protected_mode.py.
#include "server/protected_mode.h"

#include <gtest/gtest.h>

#include "broker/acl/acl.h"
#include "broker/clock.h"
#include "broker/engine.h"

namespace drayman {
namespace {

class ProtectedModeTest : public ::testing::Test {
 protected:
  Config config_;
  ManualClock clock_;
  Engine engine_{config_, clock_};
};

TEST_F(ProtectedModeTest, OnlyExactLoopbackAddressesAndUnixSocketsAreLocal) {
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "127.0.0.1", false));
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "::1", false));
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "::ffff:127.0.0.1", false));
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "", true));
  // Redis compares the address text: the rest of 127/8 is not "local".
  EXPECT_TRUE(ProtectedModeRefuses(engine_, "127.0.0.2", false));
  EXPECT_TRUE(ProtectedModeRefuses(engine_, "10.1.2.3", false));
  EXPECT_TRUE(ProtectedModeRefuses(engine_, "fe80::1", false));
}

TEST_F(ProtectedModeTest, APasswordOrProtectedModeNoLetsEveryoneConnect) {
  engine_.acl().SetDefaultPassword("secret");  // as requirepass does
  EXPECT_FALSE(DefaultUserHasNoPassword(engine_));
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "10.1.2.3", false));
  engine_.acl().SetDefaultPassword("");
  config_.settings().protected_mode = false;
  EXPECT_FALSE(ProtectedModeRefuses(engine_, "10.1.2.3", false));
}

TEST_F(ProtectedModeTest, DeniedTextIsOneRespErrorLine) {
  EXPECT_EQ(kProtectedModeDenied.substr(0, 42), "-DENIED Redis is running in protected mode");
  EXPECT_EQ(kProtectedModeDenied.find("\r\n"), kProtectedModeDenied.size() - 2);
}

TEST_F(ProtectedModeTest, WarningOnlyForPublicAddressesWithoutPassword) {
  EXPECT_EQ(PublicBindWarning(engine_, {"127.0.0.1", "-::1", "127.0.0.5"}), "");
  const std::string protected_warning = PublicBindWarning(engine_, {"127.0.0.1", "0.0.0.0"});
  EXPECT_NE(protected_warning.find("listening on 0.0.0.0 "), std::string::npos);
  EXPECT_NE(protected_warning.find("protected mode is on"), std::string::npos);
  config_.settings().protected_mode = false;
  EXPECT_NE(PublicBindWarning(engine_, {"::"}).find("protected-mode no"), std::string::npos);
  engine_.acl().SetDefaultPassword("secret");  // as requirepass does
  EXPECT_EQ(PublicBindWarning(engine_, {"::"}), "");
}

}  // namespace
}  // namespace drayman
