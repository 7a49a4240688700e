// HyperLogLog values in Redis 7.0's exact representation (hyperloglog.c), kept in plain strings.
//
// Contract: a HyperLogLog is a string value: a 16-byte header ("HYLL", encoding byte, 3 unused
// bytes, the cached cardinality as 8 little-endian bytes whose top bit marks it stale) followed
// by 16384 6-bit registers, either dense (12288 packed bytes) or sparse (ZERO/XZERO/VAL run
// opcodes). Elements are hashed with MurmurHash64A and Redis's seed, sparse values are edited
// in place exactly as Redis edits them (splits, merges of adjacent VALs, promotion to dense
// above `sparse_max_bytes` or for a register above 32), so the same PFADD sequence gives the
// same bytes as redis-server and values move between the two through DUMP/RESTORE.
// Every function here accepts any bytes: a corrupted or hostile value is reported (false/-1)
// and never read or written out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drayman::hll {

inline constexpr int kPrecision = 14;
inline constexpr int kRegisters = 1 << kPrecision;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr int kRegisterMax = (1 << kRegisterBits) - 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kRegisterBits + 7) / 8;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;

// Redis's MurmurHash64A (little-endian reads), as PFADD hashes elements with seed 0xadc83b19.
uint64_t MurmurHash64A(const void* key, size_t length, uint64_t seed);
// The register an element falls in and the length of its 000..1 pattern (1..51).
int PatternLength(std::string_view element, int* register_index);

// isHLLObjectOrReply's test: header present, magic, a known encoding, dense size exact.
bool IsValid(std::string_view value);
// A fresh empty value: sparse, the cardinality cache valid at 0.
std::string CreateEmpty();

uint8_t Encoding(std::string_view value);
// The cached cardinality, when the cache is valid.
bool CachedCardinality(std::string_view value, uint64_t* cardinality);
void SetCachedCardinality(std::string& value, uint64_t cardinality);
void InvalidateCache(std::string& value);

// Adds an element: 1 if a register changed, 0 if not, -1 if the value is corrupted.
int Add(std::string& value, std::string_view element, int64_t sparse_max_bytes);
// Raises register `index` to `count` if lower (hllSparseSet / hllDenseSet); same results.
int SetRegister(std::string& value, int index, uint8_t count, int64_t sparse_max_bytes);
// Converts a sparse value to dense (no-op when dense); false when the sparse runs are invalid.
bool SparseToDense(std::string& value);
// max[i] = max(max[i], register i) over a valid value; false when its sparse runs are invalid.
bool MergeInto(uint8_t (&max)[kRegisters], std::string_view value);
// The estimated cardinality; *invalid set when sparse runs do not cover exactly 16384 registers.
uint64_t Count(std::string_view value, bool* invalid);
// The estimate of a plain array of 16384 byte registers (PFCOUNT of several keys).
uint64_t CountRegisters(const uint8_t (&registers)[kRegisters]);
// Register `index` of a dense value.
uint8_t DenseRegister(std::string_view value, int index);
// PFDEBUG DECODE's text for a sparse value ("Z:8436 v:1,1 ...").
std::string DecodeSparse(std::string_view value);
// PFSELFTEST: register access and the estimate's error bounds; empty on success, else the error.
std::string SelfTest(uint64_t seed, int64_t sparse_max_bytes);

}  // namespace drayman::hll
