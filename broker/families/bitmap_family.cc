// Bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
//
// Bitmaps are strings: bit 0 is the most significant bit of byte 0, so GET, SETRANGE and APPEND
// see the same bytes. Replies, error texts and their order follow Redis 7.0's bitops.c as
// observed on redis-server 7.0.15: offsets are checked against proto-max-bulk-len before the key
// is looked up; BITCOUNT and BITPOS look the key up before parsing their range (a missing key
// answers 0 or -1 whatever the range says). A string that a bit command writes becomes "raw"
// (OBJECT ENCODING), as Redis unshares it before writing. Writes count one change only when a
// bit really changes or the string grows, so a no-op SETBIT is neither dirty nor propagated.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// The part of `text` before its first NUL: where Redis reads an argument as a C string.
std::string_view CString(std::string_view text) { return text.substr(0, text.find('\0')); }

// Whether the limits on what clients may ask for apply (Redis's !mustObeyClient): the AOF
// replayer, an internal client without a user, replays whatever was accepted once.
bool MustObeyClient(const CommandContext& ctx) {
  return ctx.client.user == nullptr && !ctx.client.is_script_client;
}

// A bit offset argument. With `bits` > 0 (BITFIELD) "#N" means N * bits. Offsets whose byte
// would lie past proto-max-bulk-len are refused, except when replaying the log.
bool ParseBitOffset(CommandContext& ctx, std::string_view text, int bits, uint64_t* offset) {
  const bool by_width = bits > 0 && !text.empty() && text[0] == '#';
  int64_t value = 0;
  if (!ParseInt64(by_width ? text.substr(1) : text, &value)) {
    ctx.reply.Error(errors::kBadBitOffset);
    return false;
  }
  // Redis multiplies in signed 64-bit arithmetic; a product that wraps negative is refused below.
  if (by_width)
    value = static_cast<int64_t>(static_cast<uint64_t>(value) * static_cast<uint64_t>(bits));
  if (value < 0 ||
      (!MustObeyClient(ctx) && (value >> 3) >= ctx.engine.settings().proto_max_bulk_len)) {
    ctx.reply.Error(errors::kBadBitOffset);
    return false;
  }
  *offset = static_cast<uint64_t>(value);
  return true;
}

// The bit at `offset` of `bytes` (0 past the end).
int BitAt(std::string_view bytes, uint64_t offset) {
  const uint64_t byte = offset >> 3;
  if (byte >= bytes.size()) return 0;
  return (static_cast<uint8_t>(bytes[byte]) >> (7 - (offset & 7))) & 1;
}

// Reads `bits` bits from `offset`, most significant first; bits past the end read as 0.
uint64_t ReadBits(std::string_view bytes, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int i = 0; i < bits; ++i)
    value = (value << 1) | static_cast<uint64_t>(BitAt(bytes, offset + i));
  return value;
}

// Writes the low `bits` bits of `value` at `offset`; the string already reaches that far.
void WriteBits(std::string& bytes, uint64_t offset, int bits, uint64_t value) {
  for (int i = 0; i < bits; ++i) {
    const uint64_t position = offset + static_cast<uint64_t>(i);
    const uint8_t mask = static_cast<uint8_t>(1u << (7 - (position & 7)));
    char& byte = bytes[position >> 3];
    if ((value >> (bits - 1 - i)) & 1) {
      byte = static_cast<char>(static_cast<uint8_t>(byte) | mask);
    } else {
      byte = static_cast<char>(static_cast<uint8_t>(byte) & ~mask);
    }
  }
}

// Sign-extends the low `bits` bits of `raw`.
int64_t SignExtend(uint64_t raw, int bits) {
  if (bits < 64 && (raw >> (bits - 1)) & 1) raw |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(raw);
}

// Redis's lookupStringForBitCommand: the string at args[1], created or zero-padded so that bit
// `max_bit` exists, and marked raw. *grew says whether it was created or lengthened. Null after
// WRONGTYPE.
std::string* StringForBitWrite(CommandContext& ctx, uint64_t max_bit, bool* grew) {
  const std::string& key = ctx.args[1];
  const size_t needed = static_cast<size_t>(max_bit >> 3) + 1;
  std::string* bytes = nullptr;
  if (!ctx.LookupWrite(key, &bytes)) return nullptr;
  *grew = false;
  if (bytes == nullptr) {
    bytes = &ctx.db.Add(key, Value(std::string(needed, '\0'), StringEncoding::kRaw)).value.str();
    *grew = true;
    return bytes;
  }
  ctx.db.FindNoTouch(key)->value.set_string_encoding(StringEncoding::kRaw);
  if (bytes->size() < needed) {
    bytes->resize(needed, '\0');
    *grew = true;
  }
  return bytes;
}

// Set bits in `bytes`, a word at a time (byte order does not matter to a population count).
int64_t PopCount(std::string_view bytes) {
  int64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, sizeof(word));
    // SWAR count: the build targets baseline x86-64, where std::popcount is a library call.
    word -= (word >> 1) & 0x5555555555555555ULL;
    word = (word & 0x3333333333333333ULL) + ((word >> 2) & 0x3333333333333333ULL);
    word = (word + (word >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    count += static_cast<int64_t>((word * 0x0101010101010101ULL) >> 56);
  }
  for (; i < bytes.size(); ++i) count += std::popcount(static_cast<uint8_t>(bytes[i]));
  return count;
}

// SETBIT key offset value
void CmdSetbit(CommandContext& ctx) {
  uint64_t offset = 0;
  if (!ParseBitOffset(ctx, ctx.args[2], 0, &offset)) return;
  int64_t on = 0;
  if (!ParseInt64(ctx.args[3], &on) || (on & ~int64_t{1}) != 0) {
    ctx.reply.Error(errors::kBadBitValue);
    return;
  }
  bool grew = false;
  std::string* bytes = StringForBitWrite(ctx, offset, &grew);
  if (bytes == nullptr) return;
  const int old = BitAt(*bytes, offset);
  if (grew || old != on) {
    WriteBits(*bytes, offset, 1, static_cast<uint64_t>(on));
    NotifyKeyspaceEvent(ctx, kNotifyString, "setbit", ctx.args[1]);
    ctx.AddDirty();
  }
  ctx.reply.Integer(old);
}

// GETBIT key offset
void CmdGetbit(CommandContext& ctx) {
  uint64_t offset = 0;
  if (!ParseBitOffset(ctx, ctx.args[2], 0, &offset)) return;
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  ctx.reply.Integer(value ? BitAt(value->view(), offset) : 0);
}

// Parses BITCOUNT's / BITPOS's unit word into *bit_unit; replies a syntax error otherwise.
bool ParseUnit(CommandContext& ctx, std::string_view word, bool* bit_unit) {
  if (EqualsIgnoreCase(word, "bit")) {
    *bit_unit = true;
  } else if (EqualsIgnoreCase(word, "byte")) {
    *bit_unit = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

// Redis's index normalisation for BITCOUNT/BITPOS: negative indexes count from `total`, both are
// clamped to [0, total - 1].
void ClampRange(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
}

// BITCOUNT key [start end [BYTE | BIT]]
void CmdBitcount(CommandContext& ctx) {
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  if (value == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  const std::string_view bytes = value->view();
  const size_t argc = ctx.args.size();
  const int64_t length = static_cast<int64_t>(bytes.size());
  if (argc == 2) {
    ctx.reply.Integer(PopCount(bytes));
    return;
  }
  if (argc != 4 && argc != 5) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Integer(0);
    return;
  }
  bool bit_unit = false;
  if (argc == 5 && !ParseUnit(ctx, ctx.args[4], &bit_unit)) return;
  ClampRange(bit_unit ? length * 8 : length, &start, &end);
  if (start > end) {
    ctx.reply.Integer(0);
    return;
  }
  if (!bit_unit) {
    ctx.reply.Integer(PopCount(bytes.substr(
        static_cast<size_t>(start), static_cast<size_t>(end - start + 1))));
    return;
  }
  // Whole bytes inside the range, then the bits of the partial bytes at either edge.
  int64_t count = 0;
  int64_t bit = start;
  for (; bit <= end && (bit & 7) != 0; ++bit) count += BitAt(bytes, static_cast<uint64_t>(bit));
  const int64_t whole_end = (end + 1) & ~int64_t{7};
  if (bit < whole_end) {
    count += PopCount(bytes.substr(static_cast<size_t>(bit >> 3),
                                                      static_cast<size_t>((whole_end - bit) >> 3)));
    bit = whole_end;
  }
  for (; bit <= end; ++bit) count += BitAt(bytes, static_cast<uint64_t>(bit));
  ctx.reply.Integer(count);
}

// The first bit equal to `bit` in bits [first, last] of `bytes`, or -1.
int64_t FindBit(std::string_view bytes, int bit, int64_t first, int64_t last) {
  int64_t position = first;
  const uint8_t skip = bit ? 0x00 : 0xff;
  while (position <= last) {
    if ((position & 7) == 0 && position + 7 <= last &&
        static_cast<uint8_t>(bytes[static_cast<size_t>(position >> 3)]) == skip) {
      position += 8;
      continue;
    }
    if (BitAt(bytes, static_cast<uint64_t>(position)) == bit) return position;
    ++position;
  }
  return -1;
}

// BITPOS key bit [start [end [BYTE | BIT]]]
void CmdBitpos(CommandContext& ctx) {
  int64_t bit = 0;
  if (!ParseInt64(ctx.args[2], &bit)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (bit != 0 && bit != 1) {
    ctx.reply.Error(errors::kBitposBadBit);
    return;
  }
  const Value* value = nullptr;
  if (!ctx.LookupRead(ctx.args[1], &value)) return;
  if (value == nullptr) {
    // A missing key is an endless run of zeros.
    ctx.reply.Integer(bit ? -1 : 0);
    return;
  }
  const std::string_view bytes = value->view();
  const size_t argc = ctx.args.size();
  const int64_t length = static_cast<int64_t>(bytes.size());
  int64_t start = 0;
  int64_t end = length - 1;
  bool bit_unit = false;
  bool end_given = false;
  if (argc >= 4 && argc <= 6) {
    if (!ParseInt64(ctx.args[3], &start)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (argc == 6 && !ParseUnit(ctx, ctx.args[5], &bit_unit)) return;
    if (argc >= 5) {
      if (!ParseInt64(ctx.args[4], &end)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      end_given = true;
    } else {
      end = bit_unit ? length * 8 + 7 : length - 1;
    }
    ClampRange(bit_unit ? length * 8 : length, &start, &end);
  } else if (argc != 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (start > end) {
    ctx.reply.Integer(-1);
    return;
  }
  const int64_t first = bit_unit ? start : start * 8;
  const int64_t last = bit_unit ? end : end * 8 + 7;
  const int64_t found = FindBit(bytes, static_cast<int>(bit), first, last);
  if (found >= 0 || bit == 1 || end_given) {
    ctx.reply.Integer(found);
    return;
  }
  // Looking for a clear bit with no end given: the string continues with zeros, so the answer is
  // the first bit after the range's last byte.
  ctx.reply.Integer(((last >> 3) + 1) * 8);
}

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
void CmdBitop(CommandContext& ctx) {
  enum class Op { kAnd, kOr, kXor, kNot } op;
  const std::string& name = ctx.args[1];
  if (EqualsIgnoreCase(name, "and")) {
    op = Op::kAnd;
  } else if (EqualsIgnoreCase(name, "or")) {
    op = Op::kOr;
  } else if (EqualsIgnoreCase(name, "xor")) {
    op = Op::kXor;
  } else if (EqualsIgnoreCase(name, "not")) {
    op = Op::kNot;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (op == Op::kNot && ctx.args.size() != 4) {
    ctx.reply.Error(errors::kBitopNotOneKey);
    return;
  }
  std::vector<std::string_view> sources;
  size_t longest = 0;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const Value* value = nullptr;
    if (!ctx.LookupRead(ctx.args[i], &value)) return;
    sources.push_back(value ? value->view() : std::string_view());
    longest = std::max(longest, sources.back().size());
  }
  const std::string& target = ctx.args[2];
  if (longest == 0) {
    if (ctx.db.DeleteEvenIfExpired(target)) {
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", target);
      ctx.AddDirty();
    }
    ctx.reply.Integer(0);
    return;
  }
  std::string result(longest, '\0');
  auto byte_of = [](std::string_view bytes, size_t i) -> uint8_t {
    return i < bytes.size() ? static_cast<uint8_t>(bytes[i]) : 0;
  };
  for (size_t i = 0; i < longest; ++i) {
    uint8_t out = byte_of(sources[0], i);
    if (op == Op::kNot) out = static_cast<uint8_t>(~out);
    for (size_t s = 1; s < sources.size(); ++s) {
      const uint8_t in = byte_of(sources[s], i);
      if (op == Op::kAnd) out &= in;
      if (op == Op::kOr) out |= in;
      if (op == Op::kXor) out ^= in;
    }
    result[i] = static_cast<char>(out);
  }
  ctx.db.Put(target, Value(std::move(result), StringEncoding::kRaw));
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", target);
  ctx.AddDirty();
  ctx.reply.Integer(static_cast<int64_t>(longest));
}

enum class Overflow { kWrap, kSat, kFail };

struct BitfieldOp {
  enum class Kind { kGet, kSet, kIncrby } kind;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t argument;  // SET's value or INCRBY's increment
};

// "i<1..64>" or "u<1..63>" (u64 does not fit a RESP integer). The width is read as a C string.
bool ParseBitfieldType(CommandContext& ctx, std::string_view text, bool* is_signed, int* bits) {
  int64_t width = 0;
  if (text.empty() || (text[0] != 'i' && text[0] != 'u') ||
      !ParseInt64(CString(text.substr(1)), &width) || width < 1 ||
      width > (text[0] == 'i' ? 64 : 63)) {
    ctx.reply.Error(errors::kBadBitfieldType);
    return false;
  }
  *is_signed = text[0] == 'i';
  *bits = static_cast<int>(width);
  return true;
}

// Applies an increment (0 for SET) to a field value under the overflow policy; returns false
// when the result does not fit and the policy is FAIL, otherwise *result holds the bits to store.
// The direction of an overflow (which bound SAT picks) follows Redis's checkSignedBitfieldOverflow
// to the letter, including its 64-bit wrap-around: a signed SET of a value far below the type's
// minimum (INT64_MIN .. INT64_MIN + max) counts as overflowing upwards and saturates to max.
bool ApplyOverflow(const BitfieldOp& op, uint64_t value, int64_t increment, uint64_t* result) {
  enum class Direction { kNone, kUp, kDown } direction = Direction::kNone;
  uint64_t max = 0;
  uint64_t min = 0;
  if (op.is_signed) {
    const int64_t smax =
        op.bits == 64 ? INT64_MAX : static_cast<int64_t>((uint64_t{1} << (op.bits - 1)) - 1);
    const int64_t smin = -smax - 1;
    const int64_t svalue = static_cast<int64_t>(value);
    const int64_t max_increment = static_cast<int64_t>(static_cast<uint64_t>(smax) - value);
    const int64_t min_increment = static_cast<int64_t>(static_cast<uint64_t>(smin) - value);
    if (svalue > smax || (op.bits != 64 && increment > max_increment) ||
        (svalue >= 0 && increment > 0 && increment > max_increment)) {
      direction = Direction::kUp;
    } else if (svalue < smin || (op.bits != 64 && increment < min_increment) ||
               (svalue < 0 && increment < 0 && increment < min_increment)) {
      direction = Direction::kDown;
    }
    max = static_cast<uint64_t>(smax);
    min = static_cast<uint64_t>(smin);
  } else {
    max = op.bits == 64 ? UINT64_MAX : (uint64_t{1} << op.bits) - 1;
    const int64_t max_increment = static_cast<int64_t>(max - value);
    const int64_t min_increment = static_cast<int64_t>(uint64_t{0} - value);
    if (value > max || (increment > 0 && increment > max_increment)) {
      direction = Direction::kUp;
    } else if (increment < 0 && increment < min_increment) {
      direction = Direction::kDown;
    }
  }
  // Wrapping keeps the low bits of the two's complement sum (the caller masks them).
  const uint64_t sum = value + static_cast<uint64_t>(increment);
  if (direction == Direction::kNone || op.overflow == Overflow::kWrap) {
    *result = sum;
    return true;
  }
  if (op.overflow == Overflow::kFail) return false;
  *result = direction == Direction::kUp ? max : min;
  return true;
}

// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
//     <SET encoding offset value | INCRBY encoding offset increment> ...]
// BITFIELD_RO key [GET encoding offset ...]
void BitfieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<BitfieldOp> ops;
  Overflow overflow = Overflow::kWrap;
  bool writes = false;
  uint64_t highest_written_bit = 0;
  const size_t argc = ctx.args.size();
  for (size_t j = 2; j < argc; ++j) {
    const size_t remaining = argc - j - 1;
    const std::string& word = ctx.args[j];
    BitfieldOp op{};
    if (EqualsIgnoreCase(word, "get") && remaining >= 2) {
      op.kind = BitfieldOp::Kind::kGet;
    } else if (EqualsIgnoreCase(word, "set") && remaining >= 3) {
      op.kind = BitfieldOp::Kind::kSet;
    } else if (EqualsIgnoreCase(word, "incrby") && remaining >= 3) {
      op.kind = BitfieldOp::Kind::kIncrby;
    } else if (EqualsIgnoreCase(word, "overflow") && remaining >= 1) {
      const std::string& policy = ctx.args[++j];
      if (EqualsIgnoreCase(policy, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (EqualsIgnoreCase(policy, "sat")) {
        overflow = Overflow::kSat;
      } else if (EqualsIgnoreCase(policy, "fail")) {
        overflow = Overflow::kFail;
      } else {
        ctx.reply.Error(errors::kBadOverflowType);
        return;
      }
      continue;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (!ParseBitfieldType(ctx, ctx.args[j + 1], &op.is_signed, &op.bits)) return;
    if (!ParseBitOffset(ctx, ctx.args[j + 2], op.bits, &op.offset)) return;
    if (op.kind != BitfieldOp::Kind::kGet) {
      writes = true;
      highest_written_bit = std::max(highest_written_bit, op.offset + op.bits - 1);
      if (!ParseInt64(ctx.args[j + 3], &op.argument)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.kind == BitfieldOp::Kind::kGet ? 2 : 3;
  }

  std::string* bytes = nullptr;
  bool grew = false;
  if (!writes) {
    if (!ctx.LookupRead(ctx.args[1], &bytes)) return;
  } else {
    if (read_only_command) {
      ctx.reply.Error(errors::kBitfieldRoGetOnly);
      return;
    }
    bytes = StringForBitWrite(ctx, highest_written_bit, &grew);
    if (bytes == nullptr) return;
  }

  int64_t changes = 0;
  ctx.reply.ArrayHeader(ops.size());
  for (const BitfieldOp& op : ops) {
    const uint64_t raw = bytes ? ReadBits(*bytes, op.offset, op.bits) : 0;
    // The field's value as Redis holds it: sign-extended for signed types.
    const uint64_t old_value = op.is_signed ? static_cast<uint64_t>(SignExtend(raw, op.bits)) : raw;
    if (op.kind == BitfieldOp::Kind::kGet) {
      ctx.reply.Integer(static_cast<int64_t>(old_value));
      continue;
    }
    uint64_t stored = 0;
    const bool fits = op.kind == BitfieldOp::Kind::kIncrby
                          ? ApplyOverflow(op, old_value, op.argument, &stored)
                          : ApplyOverflow(op, static_cast<uint64_t>(op.argument), 0, &stored);
    if (!fits) {
      ctx.reply.Null();
      continue;
    }
    const uint64_t mask = op.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << op.bits) - 1;
    const int64_t new_value =
        op.is_signed ? SignExtend(stored & mask, op.bits) : static_cast<int64_t>(stored & mask);
    ctx.reply.Integer(op.kind == BitfieldOp::Kind::kIncrby ? new_value
                                                           : static_cast<int64_t>(old_value));
    WriteBits(*bytes, op.offset, op.bits, stored);
    if (grew || (raw & mask) != (stored & mask)) ++changes;
  }
  if (changes > 0) {
    NotifyKeyspaceEvent(ctx, kNotifyString, "setbit", ctx.args[1]);
    ctx.AddDirty(changes);
  }
}

void CmdBitfield(CommandContext& ctx) { BitfieldGeneric(ctx, false); }
void CmdBitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, true); }

}  // namespace

void RegisterBitmapFamily(CommandTable& table) {
  table.Add({.name = "setbit",
             .arity = 4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdSetbit,
             .group = "bitmap",
             .summary = "Sets or clears the bit at offset in the string value stored at key",
             .since = "2.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "getbit",
             .arity = 3,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdGetbit,
             .group = "bitmap",
             .summary = "Returns the bit value at offset in the string value stored at key",
             .since = "2.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "bitcount",
             .arity = -2,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdBitcount,
             .group = "bitmap",
             .summary = "Count set bits in a string",
             .since = "2.6.0",
             .complexity = "O(N)"});
  table.Add({.name = "bitpos",
             .arity = -3,
             .flags = kCmdReadonly,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdBitpos,
             .group = "bitmap",
             .summary = "Find first bit set or clear in a string",
             .since = "2.8.7",
             .complexity = "O(N)"});
  table.Add({.name = "bitop",
             .arity = -4,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 2,
             .last_key = -1,
             .key_step = 1,
             .handler = CmdBitop,
             .group = "bitmap",
             .summary = "Perform bitwise operations between strings",
             .since = "2.6.0",
             .complexity = "O(N)"});
  table.Add({.name = "bitfield",
             .arity = -2,
             .flags = kCmdWrite | kCmdDenyOom,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdBitfield,
             .group = "bitmap",
             .summary = "Perform arbitrary bitfield integer operations on strings",
             .since = "3.2.0",
             .complexity = "O(1) for each subcommand specified"});
  table.Add({.name = "bitfield_ro",
             .arity = -2,
             .flags = kCmdReadonly | kCmdFast,
             .first_key = 1,
             .last_key = 1,
             .key_step = 1,
             .handler = CmdBitfieldRo,
             .group = "bitmap",
             .summary = "Perform arbitrary bitfield integer operations on strings. Read-only "
                        "variant of BITFIELD",
             .since = "6.0.0",
             .complexity = "O(1) for each subcommand specified"});
}

}  // namespace drayman
