// Deferred compression (rdb_format.h RdbChunk, Compression, ChunkFinisher): the engine leaves LZF
// and the CRC-64 to whoever writes the chunks; finishing them must give exactly the bytes the
// one-go encoder writes, for every value type and encoding, around Redis's 20-byte threshold and
// its "at least 4 bytes shorter" rule, for incompressible data, and for whole files split into
// chunks anywhere.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "broker/keyspace/value.h"
#include "broker/persistence/rdb_encode.h"
#include "broker/persistence/rdb_format.h"

namespace drayman::rdb {
namespace {

std::string Random(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Finished(RdbChunk chunk) {
  std::string out;
  ChunkFinisher finisher;
  finisher.Finish(chunk, &out);
  return out;
}

// The value's body through the deferred path, finished, against the one-go encoder.
void ExpectSameBody(const Value& value, const std::string& what) {
  for (bool compress : {true, false}) {
    std::string whole;
    RdbEncodeValue(value, whole, compress);
    RdbChunk chunk;
    RdbEncodeValue(value, chunk.bytes, Compression(compress, &chunk));
    if (!compress) EXPECT_TRUE(chunk.deferred.empty()) << what;
    EXPECT_EQ(Finished(std::move(chunk)), whole) << what << ", compress " << compress;
  }
}

TEST(RdbDeferredTest, StringsAroundTheThresholds) {
  std::mt19937_64 rng(11);
  std::vector<std::string> texts = {"", "0", "-1", "12345", "2147483648", "123456789012"};
  for (size_t n = 15; n <= 40; ++n) {
    texts.push_back(std::string(n, 'a'));  // compressible once past 20 bytes
    texts.push_back(Random(rng, n));       // never shrinks
  }
  // Just around "saves at least 4 bytes": a few repeated bytes in otherwise random text.
  for (size_t repeat = 0; repeat < 16; ++repeat) {
    texts.push_back(Random(rng, 24) + std::string(repeat, 'z'));
  }
  texts.push_back(Random(rng, 100000));                          // incompressible, large
  texts.push_back(std::string(1 << 20, 'q'));                    // compressible, large
  texts.push_back(Random(rng, 5000) + std::string(5000, 'r'));  // half and half
  for (const std::string& text : texts) {
    ExpectSameBody(Value(std::string(text)), "string of " + std::to_string(text.size()));
    // And as AppendString's own callers use it (keys, aux fields).
    std::string whole;
    AppendString(text, true, whole);
    RdbChunk chunk;
    AppendString(text, Compression(true, &chunk), chunk.bytes);
    EXPECT_EQ(chunk.deferred.size(), text.size() > kLzfMinLength ? 1u : 0u) << text.size();
    EXPECT_EQ(Finished(std::move(chunk)), whole) << text.size();
  }
}

TEST(RdbDeferredTest, EveryContainerEncoding) {
  std::mt19937_64 rng(12);
  for (size_t n : {1u, 10u, 200u, 3000u}) {
    auto list = std::make_unique<List>();  // quicklist nodes: one, then many 8 KB nodes
    auto random_list = std::make_unique<List>();
    auto mixed_list = std::make_unique<List>();  // integers, and elements past one 8 KB node
    auto hash = std::make_unique<Hash>();
    auto set = std::make_unique<Set>();
    auto intset = std::make_unique<Set>();
    auto zset = std::make_unique<ZSet>();
    for (size_t i = 0; i < n; ++i) {
      list->PushBack("message-" + std::to_string(i) + std::string(i % 50, 'x'));
      random_list->PushBack(Random(rng, 1 + i % 300));
      mixed_list->PushBack(i % 3 == 0 ? std::to_string(i * 1000003)
                                      : std::string(i * 37 % 9000, 'e'));
      hash->Set("field-" + std::to_string(i), std::string(i % 70, 'v'));
      set->Add("member-" + std::to_string(i) + std::string(i % 30, 'm'));
      intset->Add(std::to_string(i * 7919));
      zset->Insert("member-" + std::to_string(i) + std::string(i % 25, 'z'),
                   static_cast<double>(i) / 3);
    }
    const std::string size = " of " + std::to_string(n);
    ExpectSameBody(Value(std::move(list)), "list" + size);
    ExpectSameBody(Value(std::move(random_list)), "incompressible list" + size);
    ExpectSameBody(Value(std::move(mixed_list)), "mixed list" + size);
    const Value hash_value(std::move(hash));
    ExpectSameBody(hash_value, "hash " + std::string(hash_value.hash().Encoding()) + size);
    const Value set_value(std::move(set));
    ExpectSameBody(set_value, "set " + std::string(set_value.set().Encoding()) + size);
    const Value intset_value(std::move(intset));
    ExpectSameBody(intset_value, "set " + std::string(intset_value.set().Encoding()) + size);
    const Value zset_value(std::move(zset));
    ExpectSameBody(zset_value, std::string("zset ") + (zset_value.zset().listpack() ? "lp" : "sl") +
                                   size);
  }
  auto stream = std::make_unique<Stream>();
  for (uint64_t i = 1; i <= 500; ++i) {
    const std::vector<std::string> fv = {"task", "payload-" + std::string(i % 40, 'p')};
    stream->Append(StreamId{i, 0}, fv);
  }
  ExpectSameBody(Value(std::move(stream)), "stream");
}

// A whole file through RdbWriter with defer on, taken in chunks of every size and finished by one
// finisher (as a sink's thread does), against the same file written inline.
TEST(RdbDeferredTest, WholeFilesSplitAnywhere) {
  std::mt19937_64 rng(13);
  std::vector<std::pair<std::string, Value>> keys;
  for (int i = 0; i < 40; ++i) {
    keys.emplace_back("key-" + std::to_string(i) + std::string(i % 30, 'k'),
                      Value(i % 3 == 0 ? Random(rng, i * 10) : std::string(i * 10, 'w')));
  }
  auto list = std::make_unique<List>();
  for (int i = 0; i < 2000; ++i) list->PushBack(std::string(100 + i % 900, 'l'));
  keys.emplace_back("queue", Value(std::move(list)));
  for (bool compress : {true, false}) {
    for (bool checksum : {true, false}) {
      auto write = [&](bool defer, size_t take_every, std::string* file) {
        RdbWriter writer({.compress = compress, .checksum = checksum, .defer = defer});
        ChunkFinisher finisher;
        std::string bytes;
        std::string spare;
        auto take = [&] {
          if (defer) {
            RdbChunk chunk;
            writer.TakeChunk(&chunk, std::move(spare));
            finisher.Finish(chunk, &bytes);
            spare = std::move(chunk.bytes);  // recycled, as ThreadedFileSink::SpareBuffer does
          } else {
            writer.TakeOutput(&bytes);
          }
          *file += bytes;
        };
        RdbAuxFields aux;
        aux.ctime_s = 1700000000;
        writer.WriteHeader(aux);
        writer.SelectDb(0, keys.size(), 0);
        for (size_t i = 0; i < keys.size(); ++i) {
          writer.WriteKey(keys[i].first, keys[i].second, i % 5 == 0 ? 1700000000123 : -1);
          if (i % take_every == 0) take();
        }
        writer.Finish();
        take();
        EXPECT_EQ(writer.total_bytes() >= file->size(), true);
      };
      std::string inline_file;
      write(false, 7, &inline_file);
      if (checksum) {
        // The trailer is the CRC-64 of everything before it, as Redis computes it.
        const std::string body = inline_file.substr(0, inline_file.size() - 8);
        std::string crc;
        AppendU64(Crc64(0, body.data(), body.size()), crc);
        EXPECT_EQ(inline_file.substr(inline_file.size() - 8), crc);
      }
      for (size_t take_every : {1u, 3u, 1000u}) {
        std::string deferred_file;
        write(true, take_every, &deferred_file);
        EXPECT_EQ(deferred_file, inline_file)
            << "compress " << compress << ", checksum " << checksum << ", every " << take_every;
      }
    }
  }
}

TEST(RdbDeferredTest, AppendShiftsDeferredOffsets) {
  RdbChunk a{"head", {}, false};
  RdbChunk b{"xx" + std::string(30, 'c'), {{2, 30}}, false};
  a.Append(std::move(b));
  ASSERT_EQ(a.deferred.size(), 1u);
  EXPECT_EQ(a.deferred[0].offset, 6u);
  EXPECT_TRUE(b.bytes.empty() && b.deferred.empty());
  std::string expected = "headxx";
  AppendString(std::string(30, 'c'), true, expected);
  EXPECT_EQ(Finished(std::move(a)), expected);
}

}  // namespace
}  // namespace drayman::rdb
