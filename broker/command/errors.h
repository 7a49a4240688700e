// Error texts, byte-identical to Redis 7 (checked against Debian's redis-server 7.0.15).
//
// Contract: every error a handler sends comes from here or is built by a helper here, so a text
// has one spelling. Texts carry their code ("ERR ", "WRONGTYPE "...); ReplyBuilder::Error adds '-'.
#pragma once

#include <string>
#include <string_view>

namespace drayman::errors {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
// A denyoom command while over maxmemory with nothing left to evict.
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
// SCRIPT KILL / FUNCTION KILL (ReplyScriptKill in broker/families/scripting_family.cc).
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";

// CLUSTER (every subcommand), ASKING, READONLY and READWRITE with cluster-enabled no, which is
// the only mode Drayman has (broker/families/cluster_family.cc).
inline constexpr std::string_view kClusterDisabled =
    "ERR This instance has cluster support disabled";
// FAILOVER as a master without replicas answers it (broker/families/replication_family.cc).
inline constexpr std::string_view kNoFailoverInProgress = "ERR No failover in progress.";
inline constexpr std::string_view kFailoverTimeout =
    "ERR FAILOVER timeout must be greater than 0";
inline constexpr std::string_view kFailoverNeedsReplicas =
    "ERR FAILOVER requires connected replicas.";
// SCRIPT DEBUG (broker/families/scripting_family.cc): Redis's texts, then Drayman's own refusal
// of the Lua debugger it does not have.
inline constexpr std::string_view kScriptDebugPipeline =
    "ERR SCRIPT DEBUG must be called outside a pipeline";
inline constexpr std::string_view kScriptDebugMode = "ERR Use SCRIPT DEBUG YES/SYNC/NO";
inline constexpr std::string_view kScriptDebugUnsupported =
    "ERR SCRIPT DEBUG YES/SYNC is not supported: Drayman has no Lua debugger (SCRIPT DEBUG NO is "
    "accepted)";

// "ERR wrong number of arguments for 'get' command" (full name, e.g. 'config|get').
std::string WrongArity(std::string_view full_name);
// "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
std::string UnknownCommand(std::string_view name, const std::string* args, size_t arg_count);
// "ERR unknown subcommand 'foo'. Try CLIENT HELP."
std::string UnknownSubcommand(std::string_view subcommand, std::string_view container);
// Redis's addReplySubcommandSyntaxError:
// "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."
std::string SubcommandSyntaxError(std::string_view subcommand, std::string_view container);
// "ERR invalid expire time in 'set' command"
std::string InvalidExpireTime(std::string_view command);

}  // namespace drayman::errors
