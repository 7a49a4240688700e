// Latency family: LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR, HISTOGRAM and HELP.
//
// Replies follow Debian's redis-server 7.0.15. The event history is the engine's LatencyMonitor
// (broker/observability/latency_monitor.h), fed by dispatch (command, fast-command), Cron
// (expire-cycle), the evictor (eviction-cycle, eviction-del) and the server's append-only log
// (Engine::AddLatencySample). HISTOGRAM reads each command's LatencyHistogram
// (broker/stats/latency_histogram.h). Events and commands come out in Drayman's order (events
// as they first appeared, commands by name); Redis walks hash tables, so its order is arbitrary.

#include <string>
#include <string_view>
#include <vector>

#include "broker/command/context.h"
#include "broker/command/help_reply.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/stats/process_stats.h"

namespace drayman {

namespace {

constexpr std::string_view kLatencyHelp[] = {
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the "
    "specified command names.",
    "    If no commands are specified then all histograms are replied.",
};

int64_t NowSeconds(const CommandContext& ctx) { return ctx.engine.clock().NowUs() / 1'000'000; }

// LATENCY LATEST
void CmdLatencyLatest(CommandContext& ctx) {
  const LatencyMonitor& monitor = ctx.engine.latency_monitor();
  ctx.reply.ArrayHeader(monitor.size());
  for (const auto& [event, series] : monitor.series()) {
    const LatencyMonitor::Sample& latest = series->Latest();
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(event);
    ctx.reply.Integer(latest.time_s);
    ctx.reply.Integer(latest.latency_ms);
    ctx.reply.Integer(series->max_ms);
  }
}

// LATENCY HISTORY event
void CmdLatencyHistory(CommandContext& ctx) {
  const LatencyMonitor::Series* series = ctx.engine.latency_monitor().Find(ctx.args[2]);
  if (series == nullptr) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  const std::vector<LatencyMonitor::Sample> samples = series->Chronological();
  ctx.reply.ArrayHeader(samples.size());
  for (const LatencyMonitor::Sample& sample : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(sample.time_s);
    ctx.reply.Integer(sample.latency_ms);
  }
}

// LATENCY GRAPH event
void CmdLatencyGraph(CommandContext& ctx) {
  const std::string& event = ctx.args[2];
  const LatencyMonitor::Series* series = ctx.engine.latency_monitor().Find(event);
  if (series == nullptr) {
    ctx.reply.Error(errors::NoLatencySamples(event));
    return;
  }
  ctx.reply.Verbatim("txt", LatencyMonitor::Graph(event, *series, NowSeconds(ctx)));
}

// LATENCY DOCTOR
void CmdLatencyDoctor(CommandContext& ctx) {
  const Settings& settings = ctx.engine.settings();
  const LatencyMonitor::DoctorFacts facts{
      .threshold_ms = settings.latency_monitor_threshold,
      .slowlog_log_slower_than_us = settings.slowlog_log_slower_than,
      .hz = settings.hz,
      .appendfsync_always = settings.appendfsync == "always",
      .anon_huge_pages = AnonHugePagesBytes() > 0,
  };
  ctx.reply.Verbatim("txt", ctx.engine.latency_monitor().Doctor(facts, NowSeconds(ctx)));
}

// LATENCY RESET [event [event ...]]
void CmdLatencyReset(CommandContext& ctx) {
  LatencyMonitor& monitor = ctx.engine.latency_monitor();
  if (ctx.args.size() == 2) {
    ctx.reply.Integer(monitor.ResetAll());
    return;
  }
  int resets = 0;
  for (size_t j = 2; j < ctx.args.size(); ++j) resets += monitor.Reset(ctx.args[j]);
  ctx.reply.Integer(resets);
}

// One command's entry: {calls, histogram_usec: {usec: cumulative count, ...}} (fillCommandCDF).
void ReplyHistogram(ReplyBuilder& reply, const CommandSpec& spec) {
  const LatencyHistogram& histogram = *spec.stats.latency;
  reply.Bulk(spec.full_name);
  reply.MapHeader(2);
  reply.Bulk("calls");
  reply.Integer(static_cast<int64_t>(histogram.total_count()));
  reply.Bulk("histogram_usec");
  const auto buckets = histogram.CumulativeBuckets();
  reply.MapHeader(buckets.size());
  for (const auto& [usec, count] : buckets) {
    reply.Integer(usec);
    reply.Integer(static_cast<int64_t>(count));
  }
}

// Redis's lookupCommandBySds: "name" or "container|sub", case-insensitive.
const CommandSpec* LookupByFullName(const CommandTable& table, std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  const CommandSpec* container = table.Find(name.substr(0, bar));
  return container == nullptr ? nullptr : table.FindSubcommand(*container, sub);
}

// LATENCY HISTOGRAM [command [command ...]]
void CmdLatencyHistogram(CommandContext& ctx) {
  const CommandTable& table = ctx.engine.commands();
  std::vector<const CommandSpec*> chosen;
  auto add_with_subcommands = [&](const CommandSpec& spec) {
    if (spec.stats.latency) chosen.push_back(&spec);
    for (const auto& [name, sub] : spec.subcommands) {
      if (sub->stats.latency) chosen.push_back(sub.get());
    }
  };
  if (ctx.args.size() == 2) {
    for (const CommandSpec* spec : table.All()) add_with_subcommands(*spec);
  } else {
    for (size_t j = 2; j < ctx.args.size(); ++j) {
      // Unknown names are skipped; a name given twice is answered twice, as in Redis.
      if (const CommandSpec* spec = LookupByFullName(table, ctx.args[j])) {
        add_with_subcommands(*spec);
      }
    }
  }
  ctx.reply.MapHeader(chosen.size());
  for (const CommandSpec* spec : chosen) ReplyHistogram(ctx.reply, *spec);
}

// LATENCY HELP
void CmdLatencyHelp(CommandContext& ctx) { ReplyHelp(ctx.reply, "LATENCY", kLatencyHelp); }

}  // namespace

void RegisterLatencyFamily(CommandTable& table) {
  table.Add({.name = "latency",
             .arity = -2,
             .group = "server",
             .summary = "A container for latency diagnostics commands",
             .since = "2.8.13",
             .complexity = "Depends on subcommand."});
  constexpr uint32_t kFlags = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;
  table.AddSubcommand("latency", {.name = "latest",
                                  .arity = 2,
                                  .flags = kFlags,
                                  .handler = CmdLatencyLatest,
                                  .group = "server",
                                  .summary = "Return the latest latency samples for all events.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand("latency", {.name = "history",
                                  .arity = 3,
                                  .flags = kFlags,
                                  .handler = CmdLatencyHistory,
                                  .group = "server",
                                  .summary = "Return timestamp-latency samples for the event.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand("latency", {.name = "reset",
                                  .arity = -2,
                                  .flags = kFlags,
                                  .handler = CmdLatencyReset,
                                  .group = "server",
                                  .summary = "Reset latency data for one or more events.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand("latency", {.name = "graph",
                                  .arity = 3,
                                  .flags = kFlags,
                                  .handler = CmdLatencyGraph,
                                  .group = "server",
                                  .summary = "Return a latency graph for the event.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand("latency", {.name = "doctor",
                                  .arity = 2,
                                  .flags = kFlags,
                                  .handler = CmdLatencyDoctor,
                                  .group = "server",
                                  .summary = "Return a human readable latency analysis report.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
  table.AddSubcommand("latency", {.name = "histogram",
                                  .arity = -2,
                                  .flags = kFlags,
                                  .handler = CmdLatencyHistogram,
                                  .group = "server",
                                  .summary = "Return the cumulative distribution of latencies of a "
                                             "subset of commands or all.",
                                  .since = "7.0.0",
                                  .complexity = "O(N) where N is the number of commands with "
                                                "latency information being retrieved."});
  table.AddSubcommand("latency", {.name = "help",
                                  .arity = 2,
                                  .flags = kCmdLoading | kCmdStale,
                                  .handler = CmdLatencyHelp,
                                  .group = "server",
                                  .summary = "Show helpful text about the different subcommands.",
                                  .since = "2.8.13",
                                  .complexity = "O(1)"});
}

}  // namespace drayman
