// Info family: INFO and its sections.
//
// INFO reports what Drayman really has (memory from the allocator and /proc, CPU from getrusage,
// counters from the engine) under Redis's field names, so redis-cli --stat and clients that parse
// INFO work; fields for machinery Drayman lacks (replication) report the idle values Redis reports
// when that machinery is off. Section order and field names follow Debian's redis-server 7.0.15.
// The fields themselves are collected by broker/stats/server_info.h, which /metrics and /api read
// too; this file only chooses the sections and prints the text.

#include <set>
#include <string>

#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/stats/server_info.h"

namespace drayman {

namespace {

// INFO [section [section ...]]
void CmdInfo(CommandContext& ctx) {
  std::set<std::string> wanted;
  auto add_default = [&] {
    const std::set<std::string> sections = ServerInfo::DefaultSections();
    wanted.insert(sections.begin(), sections.end());
  };
  if (ctx.args.size() == 1) add_default();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string name = ToLower(ctx.args[i]);
    if (name == "default") {
      add_default();
    } else if (name == "all" || name == "everything") {
      const std::set<std::string> sections = ServerInfo::AllSections();
      wanted.insert(sections.begin(), sections.end());
    } else if (name == "module_list") {
      wanted.insert("modules");
    } else {
      wanted.insert(name);  // unknown names select nothing, as in Redis
    }
  }
  // A verbatim string in RESP3 (redis-py strips its "txt:" prefix), a bulk string in RESP2.
  ctx.reply.Verbatim(
      "txt", ServerInfo::CollectText(ctx.engine, ctx.now_ms, ServerInfo::SectionSet(wanted)));
}

}  // namespace

void RegisterInfoFamily(CommandTable& table) {
  table.Add({.name = "info",
             .arity = -1,
             .flags = kCmdLoading | kCmdStale,
             .handler = CmdInfo,
             .group = "server",
             .summary = "Get information and statistics about the server",
             .since = "1.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
