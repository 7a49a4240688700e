// LOLWUT's drawings (tests/python/test_command_surface_oracle.py compares them with
// redis-server 7.0.15 wherever Redis draws without random numbers).
#include "broker/families/lolwut_art.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace drayman::lolwut {
namespace {

constexpr std::string_view kVersion = "7.0.15";

RandomFn NoDraws() {
  return [] {
    ADD_FAILURE() << "drew a random number";
    return int32_t{0};
  };
}

TEST(LolwutArtTest, SmallestSchotterIsOneCornerOfASquare) {
  // A 2x2 canvas: the square's corners fall on (0,0), (2,0), (0,2), (2,2); three of the four
  // pixels are on its edges (braille dots 1, 2 and 4: U+280B).
  EXPECT_EQ(Schotter(1, 1, 1, NoDraws(), kVersion),
            "\xE2\xA0\x8B\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n");
}

TEST(LolwutArtTest, TwoRowsOfSquaresNeedNoRandomNumbers) {
  const std::string text = Schotter(66, 8, 2, NoDraws(), kVersion);
  // 132x36 pixels: 9 lines of 66 braille characters.
  const size_t caption = text.find("\nGeorg Nees");
  ASSERT_NE(caption, std::string::npos);
  EXPECT_EQ(caption, 9 * (66 * 3 + 1));
}

TEST(LolwutArtTest, ParametersAreClampedAsRedisClampsThem) {
  EXPECT_EQ(Schotter(0, 0, 0, NoDraws(), kVersion), Schotter(1, 1, 1, NoDraws(), kVersion));
  // A 1x1 skyline: one cell of sky (the blocks' draws are still made).
  std::mt19937 rng(1);
  const RandomFn rand = [&rng] { return static_cast<int32_t>(rng() >> 1); };
  EXPECT_EQ(Skyline(-3, 0, rand, kVersion).rfind("\x1b[0;97;107m \x1b[0m\nDedicated", 0), 0u);
}

TEST(LolwutArtTest, OneRowSkylineIsAllSky) {
  // Every block is lower than one pixel: the random draws change nothing.
  std::mt19937 rng(7);
  const RandomFn rand = [&rng] { return static_cast<int32_t>(rng() >> 1); };
  std::string expected;
  for (int i = 0; i < 3; ++i) expected += "\x1b[0;97;107m \x1b[0m";
  expected +=
      "\nDedicated to the 8 bit game developers of past and present.\n"
      "Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15\n";
  EXPECT_EQ(Skyline(3, 1, rand, kVersion), expected);
}

TEST(LolwutArtTest, RandomDrawingsFollowTheirDraws) {
  std::mt19937 first(42), second(42);
  const RandomFn a = [&first] { return static_cast<int32_t>(first() >> 1); };
  const RandomFn b = [&second] { return static_cast<int32_t>(second() >> 1); };
  EXPECT_EQ(Skyline(80, 20, a, kVersion), Skyline(80, 20, b, kVersion));
  EXPECT_EQ(Schotter(66, 8, 12, a, kVersion), Schotter(66, 8, 12, b, kVersion));
  // The top row of the default skyline is always sky: no block reaches it.
  const std::string sky = Skyline(80, 20, a, kVersion);
  std::string top;
  for (int i = 0; i < 80; ++i) top += "\x1b[0;97;107m \x1b[0m";
  EXPECT_EQ(sky.substr(0, top.size() + 1), top + "\n");
}

}  // namespace
}  // namespace drayman::lolwut
