// Cluster family: CLUSTER, ASKING, READONLY and READWRITE as a server with cluster-enabled no.
//
// Drayman has no cluster mode (README, "Not supported"), so it answers these as Debian's
// redis-server 7.0.15 does with `cluster-enabled no`, the default: every CLUSTER subcommand
// (HELP included, since Redis checks the mode first) and ASKING/READONLY/READWRITE refuse with
// "This instance has cluster support disabled", after dispatch's arity and unknown-subcommand
// checks. Rows carry Redis's arity, flags and documentation, so COMMAND and ACL categories list
// them as Redis does, and cluster-aware clients probing the mode get Redis's answer.

#include <cstdint>

#include "broker/base/errors.h"
#include "broker/command/context.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// CLUSTER <subcommand> ..., ASKING, READONLY, READWRITE
void CmdClusterDisabled(CommandContext& ctx) { ctx.reply.Error(errors::kClusterDisabled); }

struct ClusterSubcommand {
  const char* name;
  int arity;
  uint32_t flags;
  const char* summary;
  const char* since;
  const char* complexity;
};

// Redis 7.0.15's CLUSTER_Subcommands (commands.c), in its order.
constexpr ClusterSubcommand kSubcommands[] = {
    {"addslots", -3, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Assign new hash slots to receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments"},
    {"addslotsrange", -4, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Assign new hash slots to receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments."},
    {"bumpepoch", 2, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Advance the cluster config epoch", "3.0.0",
     "O(1)"},
    {"count-failure-reports", 3, kCmdAdmin | kCmdStale,
     "Return the number of failure reports active for a given node", "3.0.0",
     "O(N) where N is the number of failure reports"},
    {"countkeysinslot", 3, kCmdStale,
     "Return the number of local keys in the specified hash slot", "3.0.0",
     "O(1)"},
    {"delslots", -3, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Set hash slots as unbound in receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments"},
    {"delslotsrange", -4, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Set hash slots as unbound in receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments."},
    {"failover", -2, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Forces a replica to perform a manual failover of its master.", "3.0.0",
     "O(1)"},
    {"flushslots", 2, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Delete a node's own slots information", "3.0.0",
     "O(1)"},
    {"forget", 3, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Remove a node from the nodes table", "3.0.0",
     "O(1)"},
    {"getkeysinslot", 4, kCmdStale,
     "Return local key names in the specified hash slot", "3.0.0",
     "O(log(N)) where N is the number of requested keys"},
    {"help", 2, kCmdLoading | kCmdStale,
     "Show helpful text about the different subcommands", "5.0.0",
     "O(1)"},
    {"info", 2, kCmdStale,
     "Provides info about Redis Cluster node state", "3.0.0",
     "O(1)"},
    {"keyslot", 3, kCmdStale,
     "Returns the hash slot of the specified key", "3.0.0",
     "O(N) where N is the number of bytes in the key"},
    {"links", 2, kCmdStale,
     "Returns a list of all TCP links to and from peer nodes in cluster", "7.0.0",
     "O(N) where N is the total number of Cluster nodes"},
    {"meet", -4, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Force a node cluster to handshake with another node", "3.0.0",
     "O(1)"},
    {"myid", 2, kCmdStale,
     "Return the node id", "3.0.0",
     "O(1)"},
    {"nodes", 2, kCmdStale,
     "Get Cluster config for the node", "3.0.0",
     "O(N) where N is the total number of Cluster nodes"},
    {"replicas", 3, kCmdAdmin | kCmdStale,
     "List replica nodes of the specified master node", "5.0.0",
     "O(1)"},
    {"replicate", 3, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Reconfigure a node as a replica of the specified master node", "3.0.0",
     "O(1)"},
    {"reset", -2, kCmdAdmin | kCmdStale | kCmdNoscript,
     "Reset a Redis Cluster node", "3.0.0",
     "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a "
     "side effect."},
    {"saveconfig", 2, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Forces the node to save cluster state on disk", "3.0.0",
     "O(1)"},
    {"set-config-epoch", 3, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Set the configuration epoch in a new node", "3.0.0",
     "O(1)"},
    {"setslot", -4, kCmdNoAsyncLoading | kCmdAdmin | kCmdStale,
     "Bind a hash slot to a specific node", "3.0.0",
     "O(1)"},
    {"shards", 2, kCmdStale,
     "Get array of cluster slots to node mappings", "7.0.0",
     "O(N) where N is the total number of cluster nodes"},
    {"slaves", 3, kCmdAdmin | kCmdStale,
     "List replica nodes of the specified master node", "3.0.0",
     "O(1)"},
    {"slots", 2, kCmdStale,
     "Get array of Cluster slot to node mappings", "3.0.0",
     "O(N) where N is the total number of Cluster nodes"},
};

}  // namespace

void RegisterClusterFamily(CommandTable& table) {
  table.Add({.name = "cluster",
             .arity = -2,
             .group = "cluster",
             .summary = "A container for cluster commands",
             .since = "3.0.0",
             .complexity = "Depends on subcommand."});
  for (const ClusterSubcommand& row : kSubcommands) {
    table.AddSubcommand("cluster", {.name = row.name,
                                    .arity = row.arity,
                                    .flags = row.flags,
                                    .handler = CmdClusterDisabled,
                                    .group = "cluster",
                                    .summary = row.summary,
                                    .since = row.since,
                                    .complexity = row.complexity});
  }
  table.Add({.name = "asking",
             .arity = 1,
             .flags = kCmdFast,
             .handler = CmdClusterDisabled,
             .group = "cluster",
             .summary = "Sent by cluster clients after an -ASK redirect",
             .since = "3.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "readonly",
             .arity = 1,
             .flags = kCmdFast | kCmdLoading | kCmdStale,
             .handler = CmdClusterDisabled,
             .group = "cluster",
             .summary = "Enables read queries for a connection to a cluster replica node",
             .since = "3.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "readwrite",
             .arity = 1,
             .flags = kCmdFast | kCmdLoading | kCmdStale,
             .handler = CmdClusterDisabled,
             .group = "cluster",
             .summary = "Disables read queries for a connection to a cluster replica node",
             .since = "3.0.0",
             .complexity = "O(1)"});
}

}  // namespace drayman
