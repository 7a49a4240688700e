#include "broker/keyspace/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <random>

#include "broker/base/errors.h"

namespace drayman::hll {

namespace {

constexpr int kQ = 64 - kPrecision;  // hash bits left for the zero-run count
constexpr uint64_t kSeed = 0xadc83b19ULL;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)
constexpr size_t kRegisterBytes = kDenseSize - kHeaderSize;

// Sparse opcodes: 00xxxxxx ZERO (1..64 zero registers), 01xxxxxx xxxxxxxx XZERO (1..16384),
// 1vvvvvxx VAL (1..4 registers of value 1..32).
constexpr int kValMaxValue = 32;
constexpr int kValMaxLength = 4;
constexpr int kZeroMaxLength = 64;
constexpr int kXZeroMaxLength = 16384;

bool IsZero(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXZero(uint8_t op) { return (op & 0xc0) == 0x40; }
bool IsVal(uint8_t op) { return (op & 0x80) != 0; }
int ZeroLength(uint8_t op) { return (op & 0x3f) + 1; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValLength(uint8_t op) { return (op & 0x3) + 1; }
uint8_t ValOp(int value, int length) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (length - 1));
}

// The byte at `i` of `bytes`, or 0 past the end (Redis reads the sds terminator there).
uint8_t ByteAt(std::string_view bytes, size_t i) {
  return i < bytes.size() ? static_cast<uint8_t>(bytes[i]) : 0;
}
int XZeroLength(std::string_view bytes, size_t i) {
  return (((ByteAt(bytes, i) & 0x3f) << 8) | ByteAt(bytes, i + 1)) + 1;
}

uint8_t GetDense(const uint8_t* registers, int index) {
  const size_t bit = static_cast<size_t>(index) * kRegisterBits;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  const unsigned b0 = registers[byte];
  const unsigned b1 = byte + 1 < kRegisterBytes ? registers[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> shift) | (b1 << (8 - shift))) & kRegisterMax);
}

void SetDense(uint8_t* registers, int index, unsigned value) {
  const size_t bit = static_cast<size_t>(index) * kRegisterBits;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  registers[byte] = static_cast<uint8_t>((registers[byte] & ~(kRegisterMax << shift)) |
                                         (value << shift));
  if (byte + 1 < kRegisterBytes) {
    registers[byte + 1] = static_cast<uint8_t>(
        (registers[byte + 1] & ~(kRegisterMax >> (8 - shift))) | (value >> (8 - shift)));
  }
}

uint8_t* Registers(std::string& value) {
  return reinterpret_cast<uint8_t*>(value.data()) + kHeaderSize;
}
const uint8_t* Registers(std::string_view value) {
  return reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
}

int DenseSet(uint8_t* registers, int index, uint8_t count) {
  if (count <= GetDense(registers, index)) return 0;
  SetDense(registers, index, count);
  return 1;
}

// Ertl's sigma and tau ("New cardinality estimation algorithms for HyperLogLog sketches"). The
// loops stop when the sum stops changing, as Redis's do; the cap only guards hostile histograms.
double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1;
  double z = x;
  for (int i = 0; i < 100000; ++i) {
    x *= x;
    const double previous = z;
    z += x * y;
    y += y;
    if (previous == z) break;
  }
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0;
  double z = 1 - x;
  for (int i = 0; i < 100000; ++i) {
    x = std::sqrt(x);
    const double previous = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
    if (previous == z) break;
  }
  return z / 3;
}

uint64_t Estimate(const int64_t (&histogram)[64]) {
  const double m = kRegisters;
  double z = m * Tau((m - static_cast<double>(histogram[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(histogram[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(histogram[0]) / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

// Walks the sparse runs of `value`: fn(first_register, length, register_value) per opcode
// (value 0 for ZERO/XZERO). Returns the number of registers covered; stops early (returning
// -1) when fn returns false.
template <typename Fn>
int64_t WalkSparse(std::string_view value, Fn&& fn) {
  int64_t index = 0;
  size_t p = kHeaderSize;
  while (p < value.size()) {
    const uint8_t op = static_cast<uint8_t>(value[p]);
    int64_t length = 0;
    int reg = 0;
    if (IsZero(op)) {
      length = ZeroLength(op);
      p += 1;
    } else if (IsXZero(op)) {
      length = XZeroLength(value, p);
      p += 2;
    } else {
      length = ValLength(op);
      reg = ValValue(op);
      p += 1;
    }
    if (!fn(index, length, reg)) return -1;
    index += length;
  }
  return index;
}

}  // namespace

uint64_t MurmurHash64A(const void* key, size_t length, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(static_cast<int64_t>(static_cast<int>(length))) * m);
  const uint8_t* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (length - (length & 7));
  while (data != end) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];  // little-endian, as Redis reads it
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  switch (length & 7) {
    case 7: h ^= static_cast<uint64_t>(data[6]) << 48; [[fallthrough]];
    case 6: h ^= static_cast<uint64_t>(data[5]) << 40; [[fallthrough]];
    case 5: h ^= static_cast<uint64_t>(data[4]) << 32; [[fallthrough]];
    case 4: h ^= static_cast<uint64_t>(data[3]) << 24; [[fallthrough]];
    case 3: h ^= static_cast<uint64_t>(data[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<uint64_t>(data[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<uint64_t>(data[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

int PatternLength(std::string_view element, int* register_index) {
  uint64_t hash = MurmurHash64A(element.data(), element.size(), kSeed);
  *register_index = static_cast<int>(hash & (kRegisters - 1));
  hash >>= kPrecision;
  hash |= uint64_t{1} << kQ;  // the run ends by bit Q at the latest
  int count = 1;
  uint64_t bit = 1;
  while ((hash & bit) == 0) {
    ++count;
    bit <<= 1;
  }
  return count;
}

bool IsValid(std::string_view value) {
  if (value.size() < kHeaderSize || value.substr(0, 4) != "HYLL") return false;
  const uint8_t encoding = static_cast<uint8_t>(value[4]);
  if (encoding > kSparse) return false;
  return encoding != kDense || value.size() == kDenseSize;
}

std::string CreateEmpty() {
  std::string value(kHeaderSize, '\0');
  std::memcpy(value.data(), "HYLL", 4);
  value[4] = static_cast<char>(kSparse);
  for (int left = kRegisters; left > 0; left -= kXZeroMaxLength) {
    const int run = std::min(left, kXZeroMaxLength) - 1;
    value.push_back(static_cast<char>(0x40 | (run >> 8)));
    value.push_back(static_cast<char>(run & 0xff));
  }
  return value;
}

uint8_t Encoding(std::string_view value) { return static_cast<uint8_t>(value[4]); }

bool CachedCardinality(std::string_view value, uint64_t* cardinality) {
  if (static_cast<uint8_t>(value[15]) & 0x80) return false;
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | static_cast<uint8_t>(value[8 + i]);
  *cardinality = card;
  return true;
}

void SetCachedCardinality(std::string& value, uint64_t cardinality) {
  for (int i = 0; i < 8; ++i) value[8 + i] = static_cast<char>((cardinality >> (8 * i)) & 0xff);
}

void InvalidateCache(std::string& value) {
  value[15] = static_cast<char>(static_cast<uint8_t>(value[15]) | 0x80);
}

bool SparseToDense(std::string& value) {
  if (Encoding(value) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), value.data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  uint8_t* registers = Registers(dense);
  const int64_t covered = WalkSparse(value, [&](int64_t first, int64_t length, int reg) {
    if (reg == 0) return true;
    if (first + length > kRegisters) return false;  // overflow: invalid
    for (int64_t i = first; i < first + length; ++i) SetDense(registers, static_cast<int>(i), reg);
    return true;
  });
  if (covered != kRegisters) return false;
  value = std::move(dense);
  return true;
}

int SetRegister(std::string& value, int index, uint8_t count, int64_t sparse_max_bytes) {
  if (Encoding(value) == kDense) return DenseSet(Registers(value), index, count);
  bool promote = count > kValMaxValue;
  if (!promote) {
    // Step 1: find the opcode covering `index`.
    size_t p = kHeaderSize;
    size_t end = value.size();
    int64_t first = 0;
    int64_t span = 0;
    size_t prev = 0;  // 0: none
    while (p < end) {
      const uint8_t op = static_cast<uint8_t>(value[p]);
      size_t op_length = 1;
      if (IsZero(op)) {
        span = ZeroLength(op);
      } else if (IsVal(op)) {
        span = ValLength(op);
      } else {
        span = XZeroLength(value, p);
        op_length = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += op_length;
      first += span;
    }
    if (span == 0 || p >= end) return -1;
    const uint8_t op = static_cast<uint8_t>(value[p]);
    const bool is_zero = IsZero(op);
    const bool is_xzero = IsXZero(op);
    const bool is_val = IsVal(op);
    // An XZERO cut off by the end of the value: Redis reads the string's NUL terminator as its
    // second byte and writes over it, keeping the length it had plus the change.
    const bool truncated = is_xzero && p + 1 >= end;
    const int64_t run = is_zero ? ZeroLength(op) : is_xzero ? XZeroLength(value, p) : ValLength(op);

    bool updated = false;
    if (is_val) {
      if (ValValue(op) >= count) return 0;
      if (run == 1) {
        value[p] = static_cast<char>(ValOp(count, 1));
        updated = true;
      }
    }
    if (!updated && is_zero && run == 1) {
      value[p] = static_cast<char>(ValOp(count, 1));
      updated = true;
    }
    if (!updated) {
      // Step 2: split the opcode into up to three (XZERO-VAL-XZERO at worst).
      uint8_t seq[5];
      int n = 0;
      const int64_t last = first + span - 1;
      auto zeros = [&](int64_t length) {
        if (length > kZeroMaxLength) {
          seq[n++] = static_cast<uint8_t>(0x40 | ((length - 1) >> 8));
          seq[n++] = static_cast<uint8_t>((length - 1) & 0xff);
        } else {
          seq[n++] = static_cast<uint8_t>(length - 1);
        }
      };
      if (is_zero || is_xzero) {
        if (index != first) zeros(index - first);
        seq[n++] = ValOp(count, 1);
        if (index != last) zeros(last - index);
      } else {
        const int current = ValValue(op);
        if (index != first) seq[n++] = ValOp(current, static_cast<int>(index - first));
        seq[n++] = ValOp(count, 1);
        if (index != last) seq[n++] = ValOp(current, static_cast<int>(last - index));
      }
      // Step 3: put the new sequence in place of the old opcode, unless that grows the value
      // past the sparse limit.
      const size_t old_length = is_xzero ? 2 : 1;
      const int64_t delta = n - static_cast<int64_t>(old_length);
      if (delta > 0 && static_cast<int64_t>(value.size()) + delta > sparse_max_bytes) {
        promote = true;
      } else {
        const size_t length = static_cast<size_t>(static_cast<int64_t>(value.size()) + delta);
        if (truncated) value.push_back('\0');
        value.replace(p, old_length, reinterpret_cast<const char*>(seq), n);
        value.resize(length);
        end = value.size();
      }
    }
    if (!promote) {
      // Step 4: merge adjacent VALs of the same value, scanning up to 5 opcodes from `prev`.
      size_t q = prev != 0 ? prev : kHeaderSize;
      int scan = 5;
      while (q < end && scan-- > 0) {
        const uint8_t at = static_cast<uint8_t>(value[q]);
        if (IsXZero(at)) {
          q += 2;
          continue;
        }
        if (IsZero(at)) {
          q += 1;
          continue;
        }
        if (q + 1 < end && IsVal(static_cast<uint8_t>(value[q + 1]))) {
          const uint8_t next = static_cast<uint8_t>(value[q + 1]);
          const int length = ValLength(at) + ValLength(next);
          if (ValValue(at) == ValValue(next) && length <= kValMaxLength) {
            value[q + 1] = static_cast<char>(ValOp(ValValue(at), length));
            value.erase(q, 1);
            --end;
            continue;
          }
        }
        ++q;
      }
      InvalidateCache(value);
      return 1;
    }
  }
  // Promotion: a value above 32, or the sparse form grew past the limit.
  if (!SparseToDense(value)) return -1;
  return DenseSet(Registers(value), index, count);
}

int Add(std::string& value, std::string_view element, int64_t sparse_max_bytes) {
  const uint8_t encoding = Encoding(value);
  if (encoding != kDense && encoding != kSparse) return -1;
  if (encoding == kDense && value.size() != kDenseSize) return -1;
  int index = 0;
  const int count = PatternLength(element, &index);
  return SetRegister(value, index, static_cast<uint8_t>(count), sparse_max_bytes);
}

bool MergeInto(uint8_t (&max)[kRegisters], std::string_view value) {
  if (Encoding(value) == kDense) {
    if (value.size() != kDenseSize) return false;
    const uint8_t* registers = Registers(value);
    for (int i = 0; i < kRegisters; ++i) max[i] = std::max(max[i], GetDense(registers, i));
    return true;
  }
  const int64_t covered = WalkSparse(value, [&](int64_t first, int64_t length, int reg) {
    if (reg == 0) return true;
    if (first + length > kRegisters) return false;
    for (int64_t i = first; i < first + length; ++i) {
      max[i] = std::max(max[i], static_cast<uint8_t>(reg));
    }
    return true;
  });
  return covered == kRegisters;
}

uint64_t Count(std::string_view value, bool* invalid) {
  int64_t histogram[64] = {0};
  if (Encoding(value) == kDense) {
    if (value.size() != kDenseSize) {
      *invalid = true;
      return 0;
    }
    const uint8_t* registers = Registers(value);
    for (int i = 0; i < kRegisters; ++i) ++histogram[GetDense(registers, i)];
  } else {
    const int64_t covered = WalkSparse(value, [&](int64_t, int64_t length, int reg) {
      histogram[reg] += length;
      return true;
    });
    if (covered != kRegisters) {
      *invalid = true;
      return 0;
    }
  }
  return Estimate(histogram);
}

uint64_t CountRegisters(const uint8_t (&registers)[kRegisters]) {
  int64_t histogram[64] = {0};
  for (uint8_t reg : registers) ++histogram[reg & 63];
  return Estimate(histogram);
}

uint8_t DenseRegister(std::string_view value, int index) {
  return GetDense(Registers(value), index);
}

std::string DecodeSparse(std::string_view value) {
  std::string decoded;
  size_t p = kHeaderSize;
  while (p < value.size()) {
    const uint8_t op = static_cast<uint8_t>(value[p]);
    if (IsZero(op)) {
      decoded += "z:" + std::to_string(ZeroLength(op)) + " ";
      p += 1;
    } else if (IsXZero(op)) {
      decoded += "Z:" + std::to_string(XZeroLength(value, p)) + " ";
      p += 2;
    } else {
      decoded += "v:" + std::to_string(ValValue(op)) + "," + std::to_string(ValLength(op)) + " ";
      p += 1;
    }
  }
  while (!decoded.empty() && decoded.back() == ' ') decoded.pop_back();
  return decoded;
}

std::string SelfTest(uint64_t seed, int64_t sparse_max_bytes) {
  std::mt19937_64 rng(seed);
  // Test 1: every register keeps its value without disturbing its neighbours.
  std::string dense(kDenseSize, '\0');
  uint8_t expected[kRegisters];
  for (int cycle = 0; cycle < 1000; ++cycle) {
    for (int i = 0; i < kRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      SetDense(Registers(dense), i, expected[i]);
    }
    for (int i = 0; i < kRegisters; ++i) {
      const uint8_t got = GetDense(Registers(dense), i);
      if (got != expected[i]) {
        return errors::HllSelftestRegister(i, expected[i], got);
      }
    }
  }
  // Test 2: the estimate stays within bounds, dense and sparse agreeing.
  std::memset(Registers(dense), 0, kRegisterBytes);
  std::memcpy(dense.data(), "HYLL", 4);
  std::string sparse = CreateEmpty();
  const double relative_error = 1.04 / std::sqrt(kRegisters);
  int64_t checkpoint = 1;
  const uint64_t salt = rng();
  for (int64_t j = 1; j <= 10000000; ++j) {
    const uint64_t element = static_cast<uint64_t>(j) ^ salt;
    const std::string_view bytes(reinterpret_cast<const char*>(&element), sizeof(element));
    int index = 0;
    const int count = PatternLength(bytes, &index);
    DenseSet(Registers(dense), index, static_cast<uint8_t>(count));
    Add(sparse, bytes, sparse_max_bytes);
    if (j != checkpoint) continue;
    if (j < sparse_max_bytes / 2 && Encoding(sparse) != kSparse) {
      return std::string(errors::kHllSelftestNotSparse);
    }
    bool invalid = false;
    const uint64_t estimate = Count(dense, &invalid);
    if (estimate != Count(sparse, &invalid)) {
      return std::string(errors::kHllSelftestDisagree);
    }
    int64_t abs_error = checkpoint - static_cast<int64_t>(estimate);
    uint64_t max_error = static_cast<uint64_t>(std::ceil(relative_error * 6 * checkpoint));
    if (j == 10) max_error = 1;
    if (abs_error < 0) abs_error = -abs_error;
    if (abs_error > static_cast<int64_t>(max_error)) {
      return errors::HllSelftestTooBigError(checkpoint, abs_error);
    }
    checkpoint *= 10;
  }
  return {};
}

}  // namespace drayman::hll
