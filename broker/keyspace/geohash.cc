#include "broker/keyspace/geohash.h"

#include <cmath>

#include "broker/script/lib/c_conversions.h"

namespace drayman::geo {

namespace {

constexpr double kDegToRadFactor = M_PI / 180.0;
constexpr double kEarthRadiusMeters = 6372797.560856;
constexpr double kMercatorMax = 20037726.37;

double DegRad(double angle) { return angle * kDegToRadFactor; }
double RadDeg(double angle) { return angle / kDegToRadFactor; }

uint64_t Interleave64(uint32_t xlo, uint32_t ylo) {
  static constexpr uint64_t kB[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                    0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                    0x0000FFFF0000FFFFULL};
  static constexpr unsigned kS[] = {1, 2, 4, 8, 16};
  uint64_t x = xlo;
  uint64_t y = ylo;
  for (int i = 4; i >= 0; --i) {
    x = (x | (x << kS[i])) & kB[i];
    y = (y | (y << kS[i])) & kB[i];
  }
  return x | (y << 1);
}

uint64_t Deinterleave64(uint64_t interleaved) {
  static constexpr uint64_t kB[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                    0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                    0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL};
  static constexpr unsigned kS[] = {0, 1, 2, 4, 8, 16};
  uint64_t x = interleaved;
  uint64_t y = interleaved >> 1;
  for (int i = 0; i < 6; ++i) {
    x = (x | (x >> kS[i])) & kB[i];
    y = (y | (y >> kS[i])) & kB[i];
  }
  return x | (y << 32);
}

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};

bool RangeIsZero(Range range) { return range.max == 0 && range.min == 0; }

void MoveX(HashBits* hash, int d) {
  if (d == 0) return;
  uint64_t x = hash->bits & 0xaaaaaaaaaaaaaaaaULL;
  const uint64_t y = hash->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0x5555555555555555ULL >> (64 - hash->step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - hash->step * 2));
  hash->bits = x | y;
}

void MoveY(HashBits* hash, int d) {
  if (d == 0) return;
  const uint64_t x = hash->bits & 0xaaaaaaaaaaaaaaaaULL;
  uint64_t y = hash->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - hash->step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ULL >> (64 - hash->step * 2));
  hash->bits = x | y;
}

HashBits Moved(HashBits hash, int dx, int dy) {
  MoveX(&hash, dx);
  MoveY(&hash, dy);
  return hash;
}

// geohashBoundingBox: the box's edges are bent, so the wider of its top and bottom is used.
void BoundingBox(Shape* shape) {
  const double lon = shape->lon;
  const double lat = shape->lat;
  const double height = shape->conversion * (shape->box ? shape->height / 2 : shape->radius);
  const double width = shape->conversion * (shape->box ? shape->width / 2 : shape->radius);
  const double lat_delta = RadDeg(height / kEarthRadiusMeters);
  const double lon_delta_top = RadDeg(width / kEarthRadiusMeters / std::cos(DegRad(lat + lat_delta)));
  const double lon_delta_bottom =
      RadDeg(width / kEarthRadiusMeters / std::cos(DegRad(lat - lat_delta)));
  const bool southern = lat < 0;
  shape->bounds[0] = southern ? lon - lon_delta_bottom : lon - lon_delta_top;
  shape->bounds[2] = southern ? lon + lon_delta_bottom : lon + lon_delta_top;
  shape->bounds[1] = lat - lat_delta;
  shape->bounds[3] = lat + lat_delta;
}

}  // namespace

bool Encode(Range lon_range, Range lat_range, double lon, double lat, uint8_t step,
            HashBits* hash) {
  if (step > 32 || step == 0 || RangeIsZero(lat_range) || RangeIsZero(lon_range)) return false;
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  hash->bits = 0;
  hash->step = step;
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  hash->bits = Interleave64(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset));
  return true;
}

bool EncodeWgs84(double lon, double lat, uint8_t step, HashBits* hash) {
  return Encode(kLonRange, kLatRange, lon, lat, step, hash);
}

bool Decode(Range lon_range, Range lat_range, HashBits hash, Area* area) {
  if (hash.IsZero() || RangeIsZero(lat_range) || RangeIsZero(lon_range)) return false;
  area->hash = hash;
  const uint8_t step = hash.step;
  const uint64_t separated = Deinterleave64(hash.bits);  // [LAT][LONG]
  const double lat_scale = lat_range.max - lat_range.min;
  const double lon_scale = lon_range.max - lon_range.min;
  const uint32_t ilato = static_cast<uint32_t>(separated);
  const uint32_t ilono = static_cast<uint32_t>(separated >> 32);
  const double cells = static_cast<double>(1ULL << step);
  area->latitude.min = lat_range.min + (ilato * 1.0 / cells) * lat_scale;
  area->latitude.max = lat_range.min + ((ilato + 1) * 1.0 / cells) * lat_scale;
  area->longitude.min = lon_range.min + (ilono * 1.0 / cells) * lon_scale;
  area->longitude.max = lon_range.min + ((ilono + 1) * 1.0 / cells) * lon_scale;
  return true;
}

void AreaCentre(const Area& area, double* lon, double* lat) {
  double x = (area.longitude.min + area.longitude.max) / 2;
  if (x > kLonMax) x = kLonMax;
  if (x < kLonMin) x = kLonMin;
  double y = (area.latitude.min + area.latitude.max) / 2;
  if (y > kLatMax) y = kLatMax;
  if (y < kLatMin) y = kLatMin;
  *lon = x;
  *lat = y;
}

bool DecodeScore(double score, double* lon, double* lat) {
  const HashBits hash{script::DoubleToUnsignedLongBits(score), kStepMax};
  Area area;
  if (!Decode(kLonRange, kLatRange, hash, &area)) return false;
  AreaCentre(area, lon, lat);
  return true;
}

uint64_t Align52Bits(HashBits hash) { return hash.bits << (52 - hash.step * 2); }

void StandardGeohash(double score, char out[11]) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon = 0;
  double lat = 0;
  DecodeScore(score, &lon, &lat);
  HashBits hash;
  Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, 26, &hash);
  for (int i = 0; i < 11; ++i) {
    // 52 bits make 10 characters; the 11th is 0, as Redis prints it.
    const uint64_t index = i == 10 ? 0 : (hash.bits >> (52 - (i + 1) * 5)) & 0x1f;
    out[i] = kAlphabet[index];
  }
}

double LatitudeDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(DegRad(lat2) - DegRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = DegRad(lon1);
  const double lon2r = DegRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatitudeDistance(lat1, lat2);
  const double lat1r = DegRad(lat1);
  const double lat2r = DegRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

bool WithinShape(const Shape& shape, double lon, double lat, double* distance) {
  if (!shape.box) {
    *distance = Distance(shape.lon, shape.lat, lon, lat);
    return *distance <= shape.radius * shape.conversion;
  }
  const double width = shape.width * shape.conversion;
  const double height = shape.height * shape.conversion;
  if (LatitudeDistance(lat, shape.lat) > height / 2) return false;
  if (Distance(lon, lat, shape.lon, lat) > width / 2) return false;
  *distance = Distance(shape.lon, shape.lat, lon, lat);
  return true;
}

uint8_t EstimateStepsByRadius(double range_meters, double lat) {
  if (range_meters == 0) return 26;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is included in most of the base cases
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return static_cast<uint8_t>(step);
}

SearchAreas AreasByShape(Shape* shape) {
  BoundingBox(shape);
  const double min_lon = shape->bounds[0];
  const double min_lat = shape->bounds[1];
  const double max_lon = shape->bounds[2];
  const double max_lat = shape->bounds[3];
  double radius_meters =
      shape->box ? std::sqrt((shape->width / 2) * (shape->width / 2) +
                             (shape->height / 2) * (shape->height / 2))
                 : shape->radius;
  radius_meters *= shape->conversion;
  int steps = EstimateStepsByRadius(radius_meters, shape->lat);

  HashBits hash;
  Area area;
  auto compute = [&] {
    Encode(kLonRange, kLatRange, shape->lon, shape->lat, static_cast<uint8_t>(steps), &hash);
    Decode(kLonRange, kLatRange, hash, &area);
  };
  compute();
  // A neighbour too close to the search area's edge means the step is not small enough.
  {
    Area north, south, east, west;
    Decode(kLonRange, kLatRange, Moved(hash, 0, 1), &north);
    Decode(kLonRange, kLatRange, Moved(hash, 0, -1), &south);
    Decode(kLonRange, kLatRange, Moved(hash, 1, 0), &east);
    Decode(kLonRange, kLatRange, Moved(hash, -1, 0), &west);
    const bool decrease = north.latitude.max < max_lat || south.latitude.min > min_lat ||
                          east.longitude.max < max_lon || west.longitude.min > min_lon;
    if (steps > 1 && decrease) {
      steps--;
      compute();
    }
  }
  SearchAreas areas;
  HashBits* cells = areas.cells;
  cells[0] = hash;
  cells[1] = Moved(hash, 0, 1);    // north
  cells[2] = Moved(hash, 0, -1);   // south
  cells[3] = Moved(hash, 1, 0);    // east
  cells[4] = Moved(hash, -1, 0);   // west
  cells[5] = Moved(hash, 1, 1);    // north east
  cells[6] = Moved(hash, -1, 1);   // north west
  cells[7] = Moved(hash, 1, -1);   // south east
  cells[8] = Moved(hash, -1, -1);  // south west
  // Drop the neighbours the search area does not reach.
  if (steps >= 2) {
    if (area.latitude.min < min_lat) cells[2] = cells[8] = cells[7] = HashBits{};
    if (area.latitude.max > max_lat) cells[1] = cells[5] = cells[6] = HashBits{};
    if (area.longitude.min < min_lon) cells[4] = cells[8] = cells[6] = HashBits{};
    if (area.longitude.max > max_lon) cells[3] = cells[7] = cells[5] = HashBits{};
  }
  return areas;
}

}  // namespace drayman::geo
