// ServerInfo: the figures INFO reports, collected once as typed values, for every reader.
//
// Contract: Collect() reads the engine (on its thread) and hands the chosen sections, in Redis's
// order, to an InfoSink: each field as a typed InfoValue (an integer, a "%.2f" figure, a status,
// text, ...) from which both the text INFO prints and the number /metrics reads are made, in one
// place (InfoValue::AppendText, InfoValue::Number); composite fields (cmdstat_*, errorstat_*, dbN)
// as their name=value parts. INFO writes the text straight from the values (CollectText); /metrics
// (broker/stats/redis_metrics.h) keeps only the numbers it exports, without formatting any text;
// the ServerInfo object keeps every field with its text and number for readers that look fields
// up by name. So the three always agree. Field names, order and formats are Redis 7.0.15's (see
// broker/families/info_family.cc). Adding a field is one line in its section's function
// (server_info.cc); exporting it is one row in redis_metrics.cc's kFieldMetrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

class Engine;

// One field's value as a section produces it; its kind says how INFO prints it.
struct InfoValue {
  enum class Kind : uint8_t {
    kInt,         // integer: "-12"
    kUint,        // unsigned: "12"
    kFixed2,      // "%.2f" of `real`, then `text` as a suffix ("%"); the number is `real`
    kFixed3,      // "%.3f" of `real`
    kStatus,      // "ok" (integer 1, the number 1) or "err" (0)
    kText,        // `text` as is; a number when the whole text reads as one
    kHumanBytes,  // Redis's bytesToHuman of `unsigned_integer` ("1.50M"); not a number
    kCpuMicros,   // seconds with six decimals of `integer` microseconds ("1.500000")
  };
  Kind kind = Kind::kInt;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double real = 0;
  std::string_view text;

  // The number /metrics reads (kText: only when its whole text is a number); false if none.
  bool Number(double* out) const;
  // Appends the text INFO prints.
  void AppendText(std::string& out) const;
};

// A part of a composite field: "calls" -> 3.
struct InfoPart {
  std::string_view key;
  InfoValue value;
};

// Where Collect() hands the fields. Names and texts are views valid during the call; the name of
// a cmdstat_/errorstat_ composite is engine-owned (a command's full name, an error code) and
// stays valid until the engine changes.
class InfoSink {
 public:
  virtual ~InfoSink() = default;
  // A section begins (also when it will have no fields: INFO prints its header).
  virtual void Section(std::string_view name, std::string_view title) = 0;
  virtual void Field(std::string_view name, const InfoValue& value) = 0;
  // `prefix` + `name` ("cmdstat_" "get"), and its parts in order.
  virtual void Composite(std::string_view prefix, std::string_view name, const InfoPart* parts,
                         size_t count) = 0;
};

// A set of sections: bit i is Sections()[i].
using InfoSectionSet = uint32_t;

struct InfoField {
  std::string_view static_name;  // literal names; dynamic ones (cmdstat_get) are in owned_name
  std::string owned_name;
  std::string text;  // exactly as INFO prints it
  double number = 0;
  bool numeric = false;
  std::vector<std::pair<std::string, double>> parts;  // composite fields: calls=..,usec=..

  std::string_view name() const { return owned_name.empty() ? static_name : owned_name; }
  // The part `key` of a composite field (0 when absent).
  double Part(std::string_view key) const;
};

struct InfoSectionData {
  std::string_view name;   // lower case, as INFO's arguments name it: "server"
  std::string_view title;  // as its header prints it: "Server"
  std::vector<InfoField> fields;
  const InfoField* Find(std::string_view field) const;
};

class ServerInfo {
 public:
  // Section names in Redis's order, and whether INFO without arguments shows each.
  static const std::vector<std::pair<std::string_view, bool>>& Sections();
  static std::set<std::string> DefaultSections();
  static std::set<std::string> AllSections();
  // The set of the named sections (lower-case names; unknown names select nothing).
  static InfoSectionSet SectionSet(const std::set<std::string>& names);
  static InfoSectionSet SectionSet(std::initializer_list<std::string_view> names);

  // Hands the `wanted` sections to `sink`. `now_ms` is the engine clock's time the figures are
  // taken at (a command's own "now" for INFO).
  static void Collect(Engine& engine, int64_t now_ms, InfoSectionSet wanted, InfoSink& sink);
  // INFO's text of the `wanted` sections, written as the fields are collected.
  static std::string CollectText(Engine& engine, int64_t now_ms, InfoSectionSet wanted);
  // Every field of the `wanted` sections kept, for lookups by name.
  static ServerInfo Collect(Engine& engine, int64_t now_ms, const std::set<std::string>& wanted);

  const std::vector<InfoSectionData>& sections() const { return sections_; }
  const InfoSectionData* section(std::string_view name) const;
  const InfoField* Find(std::string_view section, std::string_view field) const;
  // INFO's text: "# Title\r\nname:value\r\n..." with a blank line between sections.
  std::string Text() const;

 private:
  class Recorder;  // the InfoSink that fills sections_
  std::vector<InfoSectionData> sections_;
};

}  // namespace drayman
