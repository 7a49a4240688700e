// ServerInfo: the figures INFO reports, collected once as typed fields, for every reader.
//
// Contract: Collect() reads the engine (on its thread) and returns the chosen sections in Redis's
// order, each field with its name, the text INFO prints for it and, when the field is a figure,
// its number; composite fields (cmdstat_*, errorstat_*, dbN) also carry their name=value parts as
// numbers. INFO prints Text(); /metrics (broker/stats/redis_metrics.h) and /api read the same
// fields, so the three always agree: each field's text and number are made from one value in one
// place. Field names, order and formats are Redis 7.0.15's (see broker/families/info_family.cc).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

class Engine;

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

  // Collects the `wanted` sections (lower-case names; unknown names select nothing). `now_ms` is
  // the engine clock's time the figures are taken at (a command's own "now" for INFO).
  static ServerInfo Collect(Engine& engine, int64_t now_ms, const std::set<std::string>& wanted);

  const std::vector<InfoSectionData>& sections() const { return sections_; }
  const InfoSectionData* section(std::string_view name) const;
  const InfoField* Find(std::string_view section, std::string_view field) const;
  // INFO's text: "# Title\r\nname:value\r\n..." with a blank line between sections.
  std::string Text() const;

 private:
  std::vector<InfoSectionData> sections_;
};

}  // namespace drayman
