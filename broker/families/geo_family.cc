// GEO family: GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH,
// GEOSEARCHSTORE (Redis 7.0's geo.c), over sorted sets whose scores are 52-bit geohashes
// (broker/keyspace/geohash.h).
//
// GEOADD is ZADD with the coordinates turned into scores: like Redis it rewrites its argument
// vector into `zadd key [options] score member ...` and runs ZADD's handler, so the events
// ("zadd"), the propagated command and the reply are ZADD's. Searches visit the centre cell and
// its neighbours in Redis's order; unsorted results keep that order, sorted ones use a stable
// sort (glibc's qsort is a merge sort) or, when COUNT cuts the list, Redis's partial quicksort
// (pqsort.c), so equal distances come out in the order redis-server prints them. Distances are
// printed with 4 decimals (Redis's fixedpoint_d2string), coordinates in Redis's human long double
// form (a RESP3 double), hashes as integers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/keyspace/geohash.h"
#include "broker/script/lib/c_conversions.h"

namespace drayman {

namespace {

struct GeoPoint {
  double lon;
  double lat;
  double dist;
  double score;
  std::string member;
};

// Parses a longitude and a latitude (extractLongLatOrReply).
bool ParseLonLat(CommandContext& ctx, size_t index, double* lon, double* lat) {
  if (!ParseDouble(ctx.args[index], lon) || !ParseDouble(ctx.args[index + 1], lat)) {
    ctx.reply.Error(errors::kNotFloat);
    return false;
  }
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    ctx.reply.Error(errors::InvalidLonLat(*lon, *lat));
    return false;
  }
  return true;
}

// The size of a unit in metres, or a negative value after replying the error.
double ParseUnit(CommandContext& ctx, std::string_view unit) {
  unit = unit.substr(0, unit.find('\0'));
  if (EqualsIgnoreCase(unit, "m")) return 1;
  if (EqualsIgnoreCase(unit, "km")) return 1000;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  ctx.reply.Error(errors::kGeoBadUnit);
  return -1;
}

bool ParseRadius(CommandContext& ctx, size_t index, geo::Shape* shape) {
  double radius = 0;
  if (!ParseDouble(ctx.args[index], &radius)) {
    ctx.reply.Error(errors::kNeedRadius);
    return false;
  }
  if (radius < 0) {
    ctx.reply.Error(errors::kNegativeRadius);
    return false;
  }
  shape->radius = radius;
  const double conversion = ParseUnit(ctx, ctx.args[index + 1]);
  if (conversion < 0) return false;
  shape->conversion = conversion;
  return true;
}

bool ParseBox(CommandContext& ctx, size_t index, geo::Shape* shape) {
  double width = 0;
  double height = 0;
  if (!ParseDouble(ctx.args[index], &width)) {
    ctx.reply.Error(errors::kNeedWidth);
    return false;
  }
  if (!ParseDouble(ctx.args[index + 1], &height)) {
    ctx.reply.Error(errors::kNeedHeight);
    return false;
  }
  if (height < 0 || width < 0) {
    ctx.reply.Error(errors::kNegativeBox);
    return false;
  }
  shape->width = width;
  shape->height = height;
  const double conversion = ParseUnit(ctx, ctx.args[index + 2]);
  if (conversion < 0) return false;
  shape->conversion = conversion;
  return true;
}

// The position of `member` in `zset`; false when it is missing.
bool MemberPosition(const ZSet& zset, std::string_view member, double* lon, double* lat) {
  const double* score = zset.Find(member);
  return score != nullptr && geo::DecodeScore(*score, lon, lat);
}

// fixedpoint_d2string(d, 4): llrint(d * 10^4) printed with four decimals.
std::string FormatDistance(double distance) {
  if (distance == 0) return "0.0000";
  const long long scaled = std::llrint(distance * 10000.0);
  unsigned long long magnitude =
      scaled < 0 ? 0ULL - static_cast<unsigned long long>(scaled) : static_cast<unsigned long long>(scaled);
  std::string digits = std::to_string(magnitude);
  if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
  std::string out = scaled < 0 ? "-" : "";
  out += digits.substr(0, digits.size() - 4);
  out += '.';
  out += digits.substr(digits.size() - 4);
  return out;
}

// addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3, "%.17Lf" trimmed.
void ReplyCoordinate(ReplyBuilder& reply, double value) {
  const std::string text = FormatLongDouble(static_cast<long double>(value));
  if (reply.resp3()) {
    reply.Raw(",");
    reply.Raw(text);
    reply.Raw("\r\n");
  } else {
    reply.Bulk(text);
  }
}

// Redis's pqsort (Bentley-McIlroy quicksort that only sorts partitions overlapping the
// [left, right] element range), so ties among the first COUNT results match redis-server.
template <typename Cmp>
void PartialSort(std::vector<GeoPoint>& a, size_t begin, size_t n, Cmp cmp, size_t left,
                 size_t right) {
  auto swap = [&](size_t i, size_t j) { std::swap(a[i], a[j]); };
  auto vecswap = [&](size_t i, size_t j, size_t count) {
    for (size_t k = 0; k < count; ++k) swap(i + k, j + k);
  };
  auto med3 = [&](size_t x, size_t y, size_t z) {
    return cmp(a[x], a[y]) < 0 ? (cmp(a[y], a[z]) < 0 ? y : (cmp(a[x], a[z]) < 0 ? z : x))
                               : (cmp(a[y], a[z]) > 0 ? y : (cmp(a[x], a[z]) < 0 ? x : z));
  };
  for (;;) {
    if (n < 7) {
      for (size_t m = begin + 1; m < begin + n; ++m) {
        for (size_t l = m; l > begin && cmp(a[l - 1], a[l]) > 0; --l) swap(l, l - 1);
      }
      return;
    }
    size_t pm = begin + n / 2;
    if (n > 7) {
      size_t pl = begin;
      size_t pn = begin + n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(begin, pm);
    // Indexes may step one below `begin` (pc) while scanning: keep them signed.
    int64_t pa = static_cast<int64_t>(begin) + 1;
    int64_t pb = pa;
    int64_t pc = static_cast<int64_t>(begin + n) - 1;
    int64_t pd = pc;
    for (;;) {
      int result = 0;
      while (pb <= pc && (result = cmp(a[pb], a[begin])) <= 0) {
        if (result == 0) swap(pa++, pb);
        ++pb;
      }
      while (pb <= pc && (result = cmp(a[pc], a[begin])) >= 0) {
        if (result == 0) swap(pc, pd--);
        --pc;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const int64_t pn = static_cast<int64_t>(begin + n);
    int64_t r = std::min(pa - static_cast<int64_t>(begin), pb - pa);
    vecswap(begin, pb - r, r);
    r = std::min(pd - pc, pn - pd - 1);
    vecswap(pb, pn - r, r);
    auto outside = [&](size_t start, size_t count) {
      const size_t last = start + count - 1;
      return (left < start && right < start) || (left > last && right > last);
    };
    if ((r = pb - pa) > 1 && !outside(begin, r)) PartialSort(a, begin, r, cmp, left, right);
    if ((r = pd - pc) > 1) {
      begin = pn - r;
      n = r;
      if (!outside(begin, n)) continue;
    }
    return;
  }
}

// Members of `zset` in [min, max) that lie in the shape, appended in score order; stops once
// `limit` (ANY) points are collected.
void PointsInRange(const ZSet& zset, double min, double max, const geo::Shape& shape,
                   std::vector<GeoPoint>& points, size_t limit) {
  const ScoreRange range{min, max, false, true};
  for (const ZSet::Node* node = zset.FirstInRange(range); node != nullptr; node = node->next()) {
    if (!range.LteMax(node->score)) break;
    double lon = 0;
    double lat = 0;
    double distance = 0;
    if (geo::DecodeScore(node->score, &lon, &lat) &&
        geo::WithinShape(shape, lon, lat, &distance)) {
      points.push_back({lon, lat, distance, node->score, std::string(node->member())});
    }
    if (!points.empty() && limit != 0 && points.size() >= limit) break;
  }
}

void SearchAreas(const ZSet& zset, const geo::SearchAreas& areas, const geo::Shape& shape,
                 std::vector<GeoPoint>& points, size_t limit) {
  size_t last_processed = 0;
  for (size_t i = 0; i < 9; ++i) {
    const geo::HashBits cell = areas.cells[i];
    if (cell.IsZero()) continue;
    // With huge radii adjacent neighbours can be the same cell: skip a repeat of the last one.
    if (last_processed != 0 && cell.bits == areas.cells[last_processed].bits &&
        cell.step == areas.cells[last_processed].step) {
      continue;
    }
    if (!points.empty() && limit != 0 && points.size() >= limit) break;
    geo::HashBits next = cell;
    next.bits++;
    PointsInRange(zset, static_cast<double>(geo::Align52Bits(cell)),
                  static_cast<double>(geo::Align52Bits(next)), shape, points, limit);
    last_processed = i;
  }
}

enum SearchFlags : int {
  kByCoords = 1 << 0,
  kByMember = 1 << 1,
  kNoStore = 1 << 2,
  kGeoSearch = 1 << 3,
  kGeoSearchStore = 1 << 4,
};

enum class Order { kNone, kAsc, kDesc };

// georadiusGeneric: GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE.
void SearchGeneric(CommandContext& ctx, size_t source_index, int flags) {
  const auto& args = ctx.args;
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(args[source_index], &zset)) return;

  size_t base = 0;
  geo::Shape shape;
  const std::string* store_key = nullptr;
  bool store_dist = false;
  if (flags & kByCoords) {
    base = 6;
    if (!ParseLonLat(ctx, 2, &shape.lon, &shape.lat)) return;
    if (!ParseRadius(ctx, 4, &shape)) return;
  } else if ((flags & kByMember) && zset == nullptr) {
    base = 5;  // parse the options anyway: the reply depends on STORE
  } else if (flags & kByMember) {
    base = 5;
    if (!MemberPosition(*zset, args[2], &shape.lon, &shape.lat)) {
      ctx.reply.Error(errors::kGeoNoMember);
      return;
    }
    if (!ParseRadius(ctx, 3, &shape)) return;
  } else {
    base = 2;
    if (flags & kGeoSearchStore) {
      base = 3;
      store_key = &args[1];
    }
  }

  bool with_dist = false, with_hash = false, with_coords = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  Order order = Order::kNone;
  bool any = false;
  int64_t count = 0;
  const size_t remaining = args.size() > base ? args.size() - base : 0;
  for (size_t i = 0; i < remaining; ++i) {
    const std::string_view arg = std::string_view(args[base + i]).substr(
        0, std::string_view(args[base + i]).find('\0'));
    const bool store_allowed = !(flags & kNoStore) && !(flags & kGeoSearch);
    if (EqualsIgnoreCase(arg, "withdist")) {
      with_dist = true;
    } else if (EqualsIgnoreCase(arg, "withhash")) {
      with_hash = true;
    } else if (EqualsIgnoreCase(arg, "withcoord")) {
      with_coords = true;
    } else if (EqualsIgnoreCase(arg, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(arg, "asc")) {
      order = Order::kAsc;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      order = Order::kDesc;
    } else if (EqualsIgnoreCase(arg, "count") && i + 1 < remaining) {
      if (!ParseInt64(args[base + i + 1], &count)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (count <= 0) {
        ctx.reply.Error(errors::kCountPositive);
        return;
      }
      ++i;
    } else if (EqualsIgnoreCase(arg, "store") && i + 1 < remaining && store_allowed) {
      store_key = &args[base + i + 1];
      store_dist = false;
      ++i;
    } else if (EqualsIgnoreCase(arg, "storedist") && i + 1 < remaining && store_allowed) {
      store_key = &args[base + i + 1];
      store_dist = true;
      ++i;
    } else if (EqualsIgnoreCase(arg, "storedist") && (flags & kGeoSearch) &&
               (flags & kGeoSearchStore)) {
      store_dist = true;
    } else if (EqualsIgnoreCase(arg, "frommember") && i + 1 < remaining && (flags & kGeoSearch) &&
               !from_lonlat) {
      if (zset != nullptr &&
          !MemberPosition(*zset, args[base + i + 1], &shape.lon, &shape.lat)) {
        ctx.reply.Error(errors::kGeoNoMember);
        return;
      }
      from_member = true;
      ++i;
    } else if (EqualsIgnoreCase(arg, "fromlonlat") && i + 2 < remaining && (flags & kGeoSearch) &&
               !from_member) {
      if (!ParseLonLat(ctx, base + i + 1, &shape.lon, &shape.lat)) return;
      from_lonlat = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "byradius") && i + 2 < remaining && (flags & kGeoSearch) &&
               !by_box) {
      if (!ParseRadius(ctx, base + i + 1, &shape)) return;
      shape.box = false;
      by_radius = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "bybox") && i + 3 < remaining && (flags & kGeoSearch) &&
               !by_radius) {
      if (!ParseBox(ctx, base + i + 1, &shape)) return;
      shape.box = true;
      by_box = true;
      i += 3;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }

  if (store_key != nullptr && (with_dist || with_hash || with_coords)) {
    ctx.reply.Error(errors::GeoStoreWithOptions((flags & kGeoSearchStore) != 0));
    return;
  }
  const std::string name(std::string_view(args[0]).substr(0, args[0].find('\0')));
  if ((flags & kGeoSearch) && !(from_member || from_lonlat)) {
    ctx.reply.Error(errors::GeoFromRequired(name));
    return;
  }
  if ((flags & kGeoSearch) && !(by_radius || by_box)) {
    ctx.reply.Error(errors::GeoByRequired(name));
    return;
  }
  if (any && count == 0) {
    ctx.reply.Error(errors::kAnyNeedsCount);
    return;
  }

  if (zset == nullptr) {
    if (store_key != nullptr) {
      if (ctx.db.DeleteEvenIfExpired(*store_key)) {
        NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", *store_key);
        ctx.AddDirty();
      }
      ctx.reply.Integer(0);
    } else {
      ctx.reply.EmptyArray();
    }
    return;
  }
  // COUNT without an order means the closest ones (not with ANY).
  if (count != 0 && order == Order::kNone && !any) order = Order::kAsc;

  const geo::SearchAreas areas = geo::AreasByShape(&shape);
  std::vector<GeoPoint> points;
  SearchAreas(*zset, areas, shape, points, any ? static_cast<size_t>(count) : 0);

  if (points.empty() && store_key == nullptr) {
    ctx.reply.EmptyArray();
    return;
  }
  const size_t total = points.size();
  const size_t returned =
      count == 0 || total < static_cast<uint64_t>(count) ? total : static_cast<size_t>(count);

  if (order != Order::kNone) {
    const bool descending = order == Order::kDesc;
    if (returned == total) {
      std::stable_sort(points.begin(), points.end(), [&](const GeoPoint& a, const GeoPoint& b) {
        return descending ? a.dist > b.dist : a.dist < b.dist;
      });
    } else {
      auto cmp = [descending](const GeoPoint& a, const GeoPoint& b) {
        const int result = a.dist > b.dist ? 1 : a.dist == b.dist ? 0 : -1;
        return descending ? -result : result;
      };
      PartialSort(points, 0, total, cmp, 0, returned - 1);
    }
  }

  if (store_key == nullptr) {
    const size_t options = (with_dist ? 1 : 0) + (with_coords ? 1 : 0) + (with_hash ? 1 : 0);
    ctx.reply.ArrayHeader(returned);
    for (size_t i = 0; i < returned; ++i) {
      const GeoPoint& point = points[i];
      if (options != 0) ctx.reply.ArrayHeader(options + 1);
      ctx.reply.Bulk(point.member);
      if (with_dist) ctx.reply.Bulk(FormatDistance(point.dist / shape.conversion));
      if (with_hash) {
        ctx.reply.Integer(static_cast<int64_t>(script::DoubleToLongBits(point.score)));
      }
      if (with_coords) {
        ctx.reply.ArrayHeader(2);
        ReplyCoordinate(ctx.reply, point.lon);
        ReplyCoordinate(ctx.reply, point.lat);
      }
    }
    return;
  }

  if (returned > 0) {
    auto result = std::make_unique<ZSet>();
    for (size_t i = 0; i < returned; ++i) {
      const GeoPoint& point = points[i];
      const double score = store_dist ? point.dist / shape.conversion : point.score;
      if (result->Find(point.member) == nullptr) result->Insert(point.member, score);
    }
    result->ResetEncoding();
    ctx.db.Put(*store_key, Value(std::move(result)));
    NotifyKeyspaceEvent(ctx, kNotifyZset,
                        (flags & kGeoSearch) ? "geosearchstore" : "georadiusstore", *store_key);
    ctx.AddDirty(static_cast<int64_t>(returned));
  } else if (ctx.db.DeleteEvenIfExpired(*store_key)) {
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", *store_key);
    ctx.AddDirty();
  }
  ctx.reply.Integer(static_cast<int64_t>(returned));
}

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
void CmdGeoadd(CommandContext& ctx) {
  auto& args = ctx.args;
  bool nx = false, xx = false;
  size_t first = 2;
  for (; first < args.size(); ++first) {
    const std::string_view option = std::string_view(args[first]).substr(0, args[first].find('\0'));
    if (EqualsIgnoreCase(option, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(option, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(option, "ch")) {
      break;
    }
  }
  if ((args.size() - first) % 3 != 0 || (xx && nx)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  const size_t elements = (args.size() - first) / 3;
  std::vector<std::string> zadd_args;
  zadd_args.reserve(first + elements * 2);
  zadd_args.emplace_back("zadd");
  for (size_t i = 1; i < first; ++i) zadd_args.push_back(args[i]);
  for (size_t i = 0; i < elements; ++i) {
    double lon = 0;
    double lat = 0;
    if (!ParseLonLat(ctx, first + i * 3, &lon, &lat)) return;
    geo::HashBits hash;
    geo::EncodeWgs84(lon, lat, geo::kStepMax, &hash);
    zadd_args.push_back(std::to_string(geo::Align52Bits(hash)));
    zadd_args.push_back(args[first + i * 3 + 2]);
  }
  // Redis replaces the command's arguments and runs ZADD: what is propagated is that ZADD.
  args = std::move(zadd_args);
  ctx.engine.commands().Find("zadd")->handler(ctx);
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void CmdGeodist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.args.size() == 5) {
    to_meters = ParseUnit(ctx, ctx.args[4]);
    if (to_meters < 0) return;
  } else if (ctx.args.size() > 5) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  double lon1 = 0, lat1 = 0, lon2 = 0, lat2 = 0;
  if (zset == nullptr || zset->Find(ctx.args[2]) == nullptr ||
      zset->Find(ctx.args[3]) == nullptr || !MemberPosition(*zset, ctx.args[2], &lon1, &lat1) ||
      !MemberPosition(*zset, ctx.args[3], &lon2, &lat2)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(FormatDistance(geo::Distance(lon1, lat1, lon2, lat2) / to_meters));
}

// GEOHASH key [member [member ...]]
void CmdGeohash(CommandContext& ctx) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    const double* score = zset != nullptr ? zset->Find(ctx.args[j]) : nullptr;
    if (score == nullptr) {
      ctx.reply.Null();
      continue;
    }
    char text[11];
    geo::StandardGeohash(*score, text);
    ctx.reply.Bulk(std::string_view(text, 11));
  }
}

// GEOPOS key [member [member ...]]
void CmdGeopos(CommandContext& ctx) {
  ZSet* zset = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &zset)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    double lon = 0;
    double lat = 0;
    if (zset == nullptr || !MemberPosition(*zset, ctx.args[j], &lon, &lat)) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ReplyCoordinate(ctx.reply, lon);
    ReplyCoordinate(ctx.reply, lat);
  }
}

// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]
void CmdGeoradius(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords); }
// GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC|DESC]
void CmdGeoradiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords | kNoStore); }
// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [...] [STORE key] [STOREDIST key]
void CmdGeoradiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember); }
// GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [...]
void CmdGeoradiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember | kNoStore); }
// GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude
//   BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]]
//   [WITHCOORD] [WITHDIST] [WITHHASH]
void CmdGeosearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kGeoSearch); }
// GEOSEARCHSTORE destination source FROMMEMBER ...|FROMLONLAT ... BYRADIUS ...|BYBOX ...
//   [ASC|DESC] [COUNT count [ANY]] [STOREDIST]
void CmdGeosearchstore(CommandContext& ctx) {
  SearchGeneric(ctx, 2, kGeoSearch | kGeoSearchStore);
}

// georadiusGetKeys: the source, and the last STORE/STOREDIST destination.
std::vector<int> GeoradiusKeys(const std::vector<std::string>& args) {
  int stored = -1;
  for (size_t i = 5; i < args.size(); ++i) {
    const std::string_view arg = std::string_view(args[i]).substr(0, args[i].find('\0'));
    if ((EqualsIgnoreCase(arg, "store") || EqualsIgnoreCase(arg, "storedist")) &&
        i + 1 < args.size()) {
      stored = static_cast<int>(i + 1);
      ++i;
    }
  }
  if (stored < 0) return {1};
  return {1, stored};
}

constexpr const char* kSearchComplexity =
    "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
    "delimited by center and radius and M is the number of items inside the index.";
constexpr const char* kGeosearchComplexity =
    "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around "
    "the shape provided as the filter and M is the number of items inside the shape";

}  // namespace

void RegisterGeoFamily(CommandTable& table) {
  table.Add({.name = "geoadd",
             .arity = -5,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeoadd,
             .group = "geo",
             .summary = "Add one or more geospatial items in the geospatial index represented "
                        "using a sorted set",
             .since = "3.2.0",
             .complexity = "O(log(N)) for each item added, where N is the number of elements in "
                           "the sorted set."});
  table.Add({.name = "geodist",
             .arity = -4,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeodist,
             .group = "geo",
             .summary = "Returns the distance between two members of a geospatial index",
             .since = "3.2.0",
             .complexity = "O(log(N))"});
  table.Add({.name = "geohash",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeohash,
             .group = "geo",
             .summary = "Returns members of a geospatial index as standard geohash strings",
             .since = "3.2.0",
             .complexity = "O(log(N)) for each member requested, where N is the number of "
                           "elements in the sorted set."});
  table.Add({.name = "geopos",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeopos,
             .group = "geo",
             .summary = "Returns longitude and latitude of members of a geospatial index",
             .since = "3.2.0",
             .complexity = "O(N) where N is the number of members requested."});
  table.Add({.name = "georadius",
             .arity = -6,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeoradius,
             .get_keys = GeoradiusKeys,
             .group = "geo",
             .summary = "Query a sorted set representing a geospatial index to fetch members "
                        "matching a given maximum distance from a point",
             .since = "3.2.0",
             .complexity = kSearchComplexity});
  table.Add({.name = "georadius_ro",
             .arity = -6,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeoradiusRo,
             .group = "geo",
             .summary = "A read-only variant for GEORADIUS",
             .since = "3.2.10",
             .complexity = kSearchComplexity});
  table.Add({.name = "georadiusbymember",
             .arity = -5,
             .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeoradiusByMember,
             .get_keys = GeoradiusKeys,
             .group = "geo",
             .summary = "Query a sorted set representing a geospatial index to fetch members "
                        "matching a given maximum distance from a member",
             .since = "3.2.0",
             .complexity = kSearchComplexity});
  table.Add({.name = "georadiusbymember_ro",
             .arity = -5,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeoradiusByMemberRo,
             .group = "geo",
             .summary = "A read-only variant for GEORADIUSBYMEMBER",
             .since = "3.2.10",
             .complexity = kSearchComplexity});
  table.Add({.name = "geosearch",
             .arity = -7,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGeosearch,
             .group = "geo",
             .summary = "Query a sorted set representing a geospatial index to fetch members "
                        "inside an area of a box or a circle.",
             .since = "6.2.0",
             .complexity = kGeosearchComplexity});
  table.Add({.name = "geosearchstore",
             .arity = -8,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 2,
             .key_step = 1,
             .handler = CmdGeosearchstore,
             .group = "geo",
             .summary = "Query a sorted set representing a geospatial index to fetch members "
                        "inside an area of a box or a circle, and store the result in another "
                        "key.",
             .since = "6.2.0",
             .complexity = kGeosearchComplexity});
}

}  // namespace drayman
