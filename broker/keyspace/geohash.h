// Geohash math for the GEO commands, computing exactly what Redis 7.0's geohash.c and
// geohash_helper.c compute.
//
// Contract: a position is stored as a sorted-set score, the 52-bit interleaving (latitude bits
// even, longitude bits odd) of its longitude in [-180, 180] and latitude in [-85.05112878,
// 85.05112878] at 26 bits each. Decoding returns the centre of the cell. Distances use Redis's
// haversine with its earth radius; a search covers the centre cell and its 8 neighbours at the
// step Redis picks for the radius, dropping the neighbours Redis drops, so the same members are
// visited in the same order. Every floating-point expression keeps Redis's operation order:
// replies are compared byte for byte with redis-server's.
#pragma once

#include <cstdint>

namespace drayman::geo {

inline constexpr int kStepMax = 26;  // 26 * 2 = 52 bits
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;

struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool IsZero() const { return bits == 0 && step == 0; }
};

struct Range {
  double min = 0;
  double max = 0;
};

struct Area {
  HashBits hash;
  Range longitude;
  Range latitude;
};

// The search shape: a circle (radius) or an axis-aligned box (width, height), in the unit whose
// size in metres is `conversion`, centred on (lon, lat).
struct Shape {
  bool box = false;
  double lon = 0;
  double lat = 0;
  double conversion = 1;
  double radius = 0;
  double width = 0;
  double height = 0;
  double bounds[4] = {0, 0, 0, 0};  // min lon, min lat, max lon, max lat
};

// The centre cell and its neighbours, in Redis's search order (centre, N, S, E, W, NE, NW, SE,
// SW); a zero HashBits is a neighbour Redis skips.
struct SearchAreas {
  HashBits cells[9];
};

// geohashEncode: false when a coordinate lies outside the ranges.
bool Encode(Range lon_range, Range lat_range, double lon, double lat, uint8_t step,
            HashBits* hash);
// WGS84 ranges (the GEO ones: latitude limited to +-85.05112878).
bool EncodeWgs84(double lon, double lat, uint8_t step, HashBits* hash);
bool Decode(Range lon_range, Range lat_range, HashBits hash, Area* area);
// The centre of a cell, clamped to the GEO ranges.
void AreaCentre(const Area& area, double* lon, double* lat);
// decodeGeohash: a sorted-set score (as C converts it to an integer) to a position.
bool DecodeScore(double score, double* lon, double* lat);
uint64_t Align52Bits(HashBits hash);
// The 11-character standard geohash (latitude range -90..90) of a score, as GEOHASH prints it.
void StandardGeohash(double score, char out[11]);

double Distance(double lon1, double lat1, double lon2, double lat2);
double LatitudeDistance(double lat1, double lat2);
// Whether (lon, lat) lies in the shape; *distance from the centre in metres when it does.
bool WithinShape(const Shape& shape, double lon, double lat, double* distance);
uint8_t EstimateStepsByRadius(double range_meters, double lat);
// Fills shape->bounds and returns the cells to search.
SearchAreas AreasByShape(Shape* shape);

}  // namespace drayman::geo
