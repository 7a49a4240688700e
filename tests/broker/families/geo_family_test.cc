// GEO commands as redis-cli transcripts, checked against redis-server 7.0.15
// (tests/python/test_geo_oracle.py replays such lines on both servers, RESP2 and RESP3).
#include <string>

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

using GeoFamilyTest = EngineTest;

constexpr const char* kSicily =
    "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania";

TEST_F(GeoFamilyTest, AddIsAZaddOfGeohashScores) {
  EXPECT_EQ(Run(kSicily), ":2\r\n");
  EXPECT_EQ(Run("ZSCORE Sicily Palermo"), "$16\r\n3479099956230698\r\n");
  EXPECT_EQ(Run("GEOADD Sicily CH 13.4 38.1 Palermo"), ":1\r\n");
  EXPECT_EQ(Run("GEOADD Sicily NX XX 1 1 a"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("GEOADD Sicily 1 1 a 2"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("GEOADD Sicily 181 1 a"),
            "-ERR invalid longitude,latitude pair 181.000000,1.000000\r\n");
  EXPECT_EQ(Run("GEOADD Sicily x 1 a"), "-ERR value is not a valid float\r\n");
}

TEST_F(GeoFamilyTest, PositionsHashesDistances) {
  Run(kSicily);
  EXPECT_EQ(Run("GEOPOS Sicily Palermo nope"),
            "*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n");
  EXPECT_EQ(Run("GEOHASH Sicily Palermo nope"), "*2\r\n$11\r\nsqc8b49rny0\r\n$-1\r\n");
  EXPECT_EQ(Run("GEODIST Sicily Palermo Catania"), "$11\r\n166274.1516\r\n");
  EXPECT_EQ(Run("GEODIST Sicily Palermo Catania km"), "$8\r\n166.2742\r\n");
  EXPECT_EQ(Run("GEODIST Sicily Palermo nope"), "$-1\r\n");
  EXPECT_EQ(Run("GEODIST Sicily Palermo Catania yd"),
            "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
  Resp3();
  EXPECT_EQ(Run("GEOPOS Sicily Palermo nope"),
            "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
}

TEST_F(GeoFamilyTest, RadiusSearchAndStore) {
  Run(kSicily);
  EXPECT_EQ(Run("GEORADIUS Sicily 15 37 200 km WITHDIST ASC"),
            "*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n"
            "190.4424\r\n");
  EXPECT_EQ(Run("GEORADIUS Sicily 15 37 200 km COUNT 1 WITHHASH"),
            "*1\r\n*2\r\n$7\r\nCatania\r\n:3479447370796909\r\n");
  EXPECT_EQ(Run("GEORADIUS Sicily 15 37 200 km STORE dst"), ":2\r\n");
  EXPECT_EQ(Run("ZRANGE dst 0 -1"), "*2\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n");
  EXPECT_EQ(Run("GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST"),
            "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
            "WITHCOORD options\r\n");
  EXPECT_EQ(Run("GEORADIUS Sicily 0 0 1 km STORE dst"), ":0\r\n");
  EXPECT_EQ(Run("EXISTS dst"), ":0\r\n");
  EXPECT_EQ(Run("GEORADIUS_RO Sicily 15 37 200 km STORE dst"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("GEORADIUS Sicily 15 37 200 km ANY"),
            "-ERR the ANY argument requires COUNT argument\r\n");
  EXPECT_EQ(Run("GEORADIUSBYMEMBER Sicily nope 1 km"),
            "-ERR could not decode requested zset member\r\n");
}

TEST_F(GeoFamilyTest, SearchByBoxAndItsErrors) {
  Run(kSicily);
  EXPECT_EQ(Run("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC"),
            "*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n");
  EXPECT_EQ(Run("geosearch Sicily BYBOX 1 1 km ASC"),
            "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch\r\n");
  EXPECT_EQ(Run("GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST"),
            "-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\r\n");
  EXPECT_EQ(Run("GEOSEARCHSTORE d Sicily FROMMEMBER Palermo BYRADIUS 200 km STOREDIST"), ":2\r\n");
  EXPECT_EQ(Run("ZSCORE d Catania"), "$18\r\n166.27415156960032\r\n");
}

}  // namespace
}  // namespace drayman::testing
