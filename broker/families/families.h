// Command families: each Register<Family>Family adds its rows to the command table.
//
// Contract: one file per family under broker/families/, each ending in its Register function;
// RegisterAllFamilies is the only place that lists them, so the table is complete once every
// family has registered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/command/command_table.h"

namespace drayman {

class Client;
struct CommandContext;
struct Settings;

// The CLIENT LIST line describing `client` (no trailing newline) with Redis 7.0's fields only (no
// lib-name, lib-ver), for log messages such as Redis's "Client <info> scheduled to be closed ASAP
// ..." and ACL LOG's client-info. Defined in connection_family.cc.
std::string ClientInfoString(Client& client, int64_t now_ms);

// Why a kCmdProtected command (DEBUG under enable-debug-command, MODULE LOAD/LOADEX/UNLOAD under
// enable-module-command; `full_name` as "module|load") is refused to `client`, or empty when it is
// allowed. Defined in debug_family.cc.
std::string ProtectedCommandRefusal(const Settings& settings, const Client& client,
                                    std::string_view full_name);

void RegisterConnectionFamily(CommandTable& table);
// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO: after the connection family's CLIENT.
void RegisterTrackingFamily(CommandTable& table);
void RegisterServerFamily(CommandTable& table);
void RegisterInfoFamily(CommandTable& table);
void RegisterKeysFamily(CommandTable& table);
void RegisterDumpFamily(CommandTable& table);
void RegisterBgsaveFamily(CommandTable& table);
void RegisterAofRewriteFamily(CommandTable& table);
void RegisterStringFamily(CommandTable& table);
void RegisterListFamily(CommandTable& table);
void RegisterHashFamily(CommandTable& table);
void RegisterSetFamily(CommandTable& table);
void RegisterSortedSetFamily(CommandTable& table);
// ZRANGE and its forms, ZRANGESTORE, ZREMRANGEBY* (sorted_set_range_family.cc); ZUNION, ZINTER,
// ZDIFF, their *STORE forms, ZINTERCARD (sorted_set_setop_family.cc). RegisterSortedSetFamily
// calls both.
void RegisterSortedSetRangeCommands(CommandTable& table);
void RegisterSortedSetSetOpCommands(CommandTable& table);
void RegisterBlockingFamily(CommandTable& table);
void RegisterTransactionFamily(CommandTable& table);
void RegisterPubSubFamily(CommandTable& table);
void RegisterScriptingFamily(CommandTable& table);
// SCRIPT KILL and FUNCTION KILL: stops the running script or function and replies (NOTBUSY,
// UNKILLABLE once it wrote, BUSY when the other kind runs, OK).
void ReplyScriptKill(CommandContext& ctx, bool is_eval);
// The keys of EVAL- and FCALL-like arguments: the numkeys arguments after numkeys
// (scripting_family.cc).
std::vector<int> EvalKeys(const std::vector<std::string>& args);
void RegisterFunctionFamily(CommandTable& table);
void RegisterDebugFamily(CommandTable& table);
void RegisterAclFamily(CommandTable& table);
void RegisterBitmapFamily(CommandTable& table);
void RegisterLcsFamily(CommandTable& table);
void RegisterSortFamily(CommandTable& table);
void RegisterHllFamily(CommandTable& table);
void RegisterGeoFamily(CommandTable& table);
void RegisterStreamFamily(CommandTable& table);
// ROLE, LOLWUT (diagnostics_family.cc).
void RegisterDiagnosticsFamily(CommandTable& table);
// LATENCY (latency_family.cc); MEMORY (memory_family.cc).
void RegisterLatencyFamily(CommandTable& table);
void RegisterMemoryFamily(CommandTable& table);
// WAIT, REPLICAOF, SLAVEOF, FAILOVER as a master without replicas (replication_family.cc).
void RegisterReplicationFamily(CommandTable& table);
// MODULE as a server that loads no modules (module_family.cc).
void RegisterModuleFamily(CommandTable& table);
// CLUSTER, ASKING, READONLY, READWRITE with cluster support disabled (cluster_family.cc).
void RegisterClusterFamily(CommandTable& table);
// XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO (stream_group_family.cc).
void RegisterStreamGroupCommands(CommandTable& table);

inline void RegisterAllFamilies(CommandTable& table) {
  RegisterConnectionFamily(table);
  RegisterTrackingFamily(table);
  RegisterServerFamily(table);
  RegisterDiagnosticsFamily(table);
  RegisterLatencyFamily(table);
  RegisterMemoryFamily(table);
  RegisterReplicationFamily(table);
  RegisterModuleFamily(table);
  RegisterClusterFamily(table);
  RegisterInfoFamily(table);
  RegisterKeysFamily(table);
  RegisterDumpFamily(table);
  RegisterBgsaveFamily(table);
  RegisterAofRewriteFamily(table);
  RegisterStringFamily(table);
  RegisterListFamily(table);
  RegisterHashFamily(table);
  RegisterSetFamily(table);
  RegisterSortedSetFamily(table);
  RegisterBlockingFamily(table);
  RegisterTransactionFamily(table);
  RegisterPubSubFamily(table);
  RegisterScriptingFamily(table);
  RegisterFunctionFamily(table);
  RegisterDebugFamily(table);
  RegisterAclFamily(table);
  RegisterBitmapFamily(table);
  RegisterLcsFamily(table);
  RegisterSortFamily(table);
  RegisterHllFamily(table);
  RegisterGeoFamily(table);
  RegisterStreamFamily(table);
}

}  // namespace drayman
