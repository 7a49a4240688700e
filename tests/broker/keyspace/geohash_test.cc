// Geohash math against values redis-server 7.0.15 prints (GEOADD scores, GEOPOS, GEODIST,
// GEOHASH), and the search cells Redis visits.
#include "broker/keyspace/geohash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace drayman::geo {
namespace {

uint64_t Score(double lon, double lat) {
  HashBits hash;
  EXPECT_TRUE(EncodeWgs84(lon, lat, kStepMax, &hash));
  return Align52Bits(hash);
}

std::string Human(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17f", value);
  std::string out(text);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

TEST(GeohashTest, EncodesAsRedisScores) {
  EXPECT_EQ(Score(13.361389, 38.115556), 3479099956230698u);
  EXPECT_EQ(Score(15.087269, 37.502669), 3479447370796909u);
  // The upper corner carries into bit 52, as in Redis.
  EXPECT_EQ(Score(180, 85.05112878), 13510798882111488u);
  HashBits hash;
  EXPECT_FALSE(EncodeWgs84(180.1, 0, kStepMax, &hash));
  EXPECT_FALSE(EncodeWgs84(0, 85.06, kStepMax, &hash));
}

TEST(GeohashTest, DecodesToTheCellCentre) {
  double lon = 0, lat = 0;
  ASSERT_TRUE(DecodeScore(3479099956230698.0, &lon, &lat));
  EXPECT_EQ(Human(lon), "13.36138933897018433");
  EXPECT_EQ(Human(lat), "38.11555639549629859");
  ASSERT_TRUE(DecodeScore(13510798882111488.0, &lon, &lat));
  EXPECT_EQ(Human(lon), "180");
  EXPECT_EQ(Human(lat), "85.0511287799999991");
}

TEST(GeohashTest, DistanceAndStandardHash) {
  double lon1 = 0, lat1 = 0, lon2 = 0, lat2 = 0;
  DecodeScore(3479099956230698.0, &lon1, &lat1);
  DecodeScore(3479447370796909.0, &lon2, &lat2);
  char text[12] = {0};
  std::snprintf(text, sizeof(text), "%.4f", Distance(lon1, lat1, lon2, lat2));
  EXPECT_STREQ(text, "166274.1516");
  char hash[11];
  StandardGeohash(3479099956230698.0, hash);
  EXPECT_EQ(std::string(hash, 11), "sqc8b49rny0");
  StandardGeohash(3479447370796909.0, hash);
  EXPECT_EQ(std::string(hash, 11), "sqdtr74hyu0");
  EXPECT_EQ(LatitudeDistance(0, 1), Distance(5, 0, 5, 1));  // same meridian: the short form
}

TEST(GeohashTest, StepsShrinkWithTheRadiusAndNearThePoles) {
  EXPECT_EQ(EstimateStepsByRadius(0, 0), 26);
  EXPECT_EQ(EstimateStepsByRadius(1, 0), 24);
  EXPECT_EQ(EstimateStepsByRadius(200000, 0), 6);
  EXPECT_EQ(EstimateStepsByRadius(200000, 70), 5);
  EXPECT_EQ(EstimateStepsByRadius(200000, -85), 4);
  EXPECT_EQ(EstimateStepsByRadius(1e9, 0), 1);
}

TEST(GeohashTest, SearchAreasCoverTheShape) {
  Shape shape;
  shape.lon = 15;
  shape.lat = 37;
  shape.radius = 200;
  shape.conversion = 1000;
  const SearchAreas areas = AreasByShape(&shape);
  EXPECT_LT(shape.bounds[0], 15);
  EXPECT_GT(shape.bounds[2], 15);
  EXPECT_NEAR(shape.bounds[3] - shape.bounds[1], 2 * 200000 / 6372797.560856 * 180 / M_PI, 1e-9);
  // Every point within the radius falls in one of the cells searched.
  for (double dlon = -2.2; dlon <= 2.2; dlon += 0.05) {
    for (double dlat = -1.8; dlat <= 1.8; dlat += 0.05) {
      double distance = 0;
      if (!WithinShape(shape, 15 + dlon, 37 + dlat, &distance)) continue;
      const uint64_t score = Score(15 + dlon, 37 + dlat);
      bool covered = false;
      for (const HashBits& cell : areas.cells) {
        if (cell.IsZero()) continue;
        HashBits next = cell;
        ++next.bits;
        covered |= score >= Align52Bits(cell) && score < Align52Bits(next);
      }
      EXPECT_TRUE(covered) << dlon << "," << dlat;
    }
  }
}

TEST(GeohashTest, BoxTestsLatitudeThenLongitude) {
  Shape box;
  box.box = true;
  box.lon = 0;
  box.lat = 0;
  box.width = 200;
  box.height = 100;
  box.conversion = 1000;
  double distance = 0;
  EXPECT_TRUE(WithinShape(box, 0.8, 0.4, &distance));
  EXPECT_FALSE(WithinShape(box, 0.8, 0.5, &distance));
  EXPECT_FALSE(WithinShape(box, 0.95, 0.1, &distance));
}

}  // namespace
}  // namespace drayman::geo
