// Error texts, byte-identical to Redis 7 (checked against Debian's redis-server 7.0.15).
//
// Contract: every error text, and every detail another text wraps (CONFIG SET's, Lua's), is here
// once. Texts carry their code ("ERR ", "WRONGTYPE "...); ReplyBuilder::Error adds '-'.
#pragma once

#include <cstdint>
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
// Redis's shared.err: a failure it reports without details (BGSAVE, DEBUG RELOAD, SAVE).
inline constexpr std::string_view kBareErr = "ERR";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
// Dispatch's refusals: LOADING (start-up and DEBUG RELOAD), MULTI, MONITOR, ACL, CLIENT UNBLOCK.
inline constexpr std::string_view kLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kNotInTransaction =
    "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kMonitorKeyspace = "ERR Replica can't interact with the keyspace";
inline constexpr std::string_view kNopermKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kNopermChannel =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
inline constexpr std::string_view kNoPermission = "ERR no permission";
inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

// --- Texts shared by several families ---
inline constexpr std::string_view kNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kTooManyKeys =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";

// --- ACL ---
inline constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
inline constexpr std::string_view kAclSaveFailed =
    "ERR There was an error trying to save the ACLs. Please check the server logs for more "
    "information";
inline constexpr std::string_view kGenpassRange =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline constexpr std::string_view kDefaultNotRemovable = "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kUsernameInvalid =
    "ERR Usernames can't contain spaces or null characters";

// --- BGREWRITEAOF ---
inline constexpr std::string_view kRewriteInProgress =
    "ERR Background append only file rewriting already in progress";
inline constexpr std::string_view kRewriteFailed =
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
    "information.";

// --- SAVE, BGSAVE ---
inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kAnotherChildActive =
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
    "order to schedule a BGSAVE whenever possible.";
inline constexpr std::string_view kMisconfRdbError =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is configured "
    "to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error "
    "option). Please check the Redis logs for details about the RDB error.";

// --- Bitmaps ---
inline constexpr std::string_view kBadBitOffset =
    "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBadBitValue = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kBitposBadBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitopNotOneKey =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kBadBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";
inline constexpr std::string_view kBadOverflowType = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldRoGetOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";

// --- CLIENT UNBLOCK ---
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";

// --- Connection (HELLO, CLIENT) ---
inline constexpr std::string_view kClientNameInvalid =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kHelloProtoNotInteger =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
    "<user> <pass> option can be used to authenticate the client and select the RESP protocol "
    "version at the same time";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";

// --- DEBUG ---
inline constexpr std::string_view kReloadOptions =
    "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
inline constexpr std::string_view kReloadFailed = "ERR Error trying to load the RDB dump";

// --- DUMP, RESTORE ---
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kBadDumpPayload =
    "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kBadTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kBadIdle = "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kBadFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";

// --- GEO ---
inline constexpr std::string_view kGeoBadUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr std::string_view kNeedRadius = "ERR need numeric radius";
inline constexpr std::string_view kNegativeRadius = "ERR radius cannot be negative";
inline constexpr std::string_view kNeedWidth = "ERR need numeric width";
inline constexpr std::string_view kNeedHeight = "ERR need numeric height";
inline constexpr std::string_view kNegativeBox = "ERR height or width cannot be negative";
inline constexpr std::string_view kGeoNoMember = "ERR could not decode requested zset member";
inline constexpr std::string_view kCountPositive = "ERR COUNT must be > 0";
inline constexpr std::string_view kAnyNeedsCount = "ERR the ANY argument requires COUNT argument";

// --- Hashes ---
inline constexpr std::string_view kHashValueNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashValueNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kIncrNanOrInfinity = "ERR value is NaN or Infinity";

// --- HyperLogLog ---
inline constexpr std::string_view kNotHll =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kCorruptedHll = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kPfdebugNoKey = "ERR The specified key does not exist";
inline constexpr std::string_view kPfdebugNotSparse = "ERR HLL encoding is not sparse";

// --- Keys (EXPIRE, OBJECT) ---
inline constexpr std::string_view kExpireNxConflict =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtLtConflict =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kIntOutOfRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kFreqWithoutLfu =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kIdletimeWithLfu =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";

// --- LCS ---
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsOverLimit =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr std::string_view kLcsNoMemory =
    "ERR Insufficient memory, failed allocating transient memory for LCS";

// --- Lists ---
inline constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// --- MODULE ---
inline constexpr std::string_view kModuleLoadFailed =
    "ERR Error loading the extension. Please check the server logs.";
inline constexpr std::string_view kNoSuchModule =
    "ERR Error unloading module: no such module with that name";

// --- Pub/sub, MONITOR ---
inline constexpr std::string_view kMonitorDenyBlocking =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";

// --- Random members (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) ---
inline constexpr std::string_view kRandomCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

// --- Replication ---
inline constexpr std::string_view kInvalidMasterPort = "ERR Invalid master port";
inline constexpr std::string_view kNoReplication =
    "ERR REPLICAOF <host> <port> is not supported: Drayman has no replication, so this server "
    "stays a master (REPLICAOF NO ONE is accepted)";

// --- Scripting ---
inline constexpr std::string_view kNegativeKeys = "ERR Number of keys can't be negative";
inline constexpr std::string_view kScriptFlushOption =
    "ERR SCRIPT FLUSH only support SYNC|ASYNC option";

// --- Server (SHUTDOWN, SWAPDB, COMMAND, SLOWLOG) ---
inline constexpr std::string_view kShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
inline constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
inline constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kNoKeyArguments = "ERR The command has no key arguments";
inline constexpr std::string_view kInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kInvalidArguments = "ERR Invalid arguments specified for command";
inline constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";
inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";

// --- SORT ---
inline constexpr std::string_view kSortBadScore =
    "ERR One or more scores can't be converted into double";
inline constexpr std::string_view kSortByDenied =
    "ERR BY option of SORT denied due to insufficient ACL permissions.";
inline constexpr std::string_view kSortGetDenied =
    "ERR GET option of SORT denied due to insufficient ACL permissions.";

// --- Sorted sets ---
inline constexpr std::string_view kNotANumber = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kXxAndNx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kIncrSinglePair =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kLimitNeedsByScoreOrLex =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kWithScoresByLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";

// --- Streams ---
inline constexpr std::string_view kInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kMaxlenAndMinid =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
inline constexpr std::string_view kStreamMaxlenNegative = "ERR The MAXLEN argument must be >= 0.";
inline constexpr std::string_view kStreamLimitNegative = "ERR The LIMIT argument must be >= 0.";
inline constexpr std::string_view kLimitWithoutStrategy =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
inline constexpr std::string_view kXtrimWithoutStrategy =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
inline constexpr std::string_view kLimitWithoutApprox =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr std::string_view kXaddIdZero =
    "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr std::string_view kStreamExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr std::string_view kStreamElementsTooLarge =
    "ERR Elements are too large to be stored";
inline constexpr std::string_view kXaddIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr std::string_view kInvalidStartId = "ERR invalid start ID for the interval";
inline constexpr std::string_view kInvalidEndId = "ERR invalid end ID for the interval";
inline constexpr std::string_view kEntriesAddedNegative = "ERR entries_added must be positive";
inline constexpr std::string_view kXsetidBelowMaxDeleted =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr std::string_view kXsetidBelowTop =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr std::string_view kXsetidEntriesAddedBelowLength =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline constexpr std::string_view kStreamKeyDeleted = "UNBLOCKED the stream key no longer exists";
inline constexpr std::string_view kBlockedGroupDestroyed =
    "NOGROUP the consumer group this client was blocked on no longer exists";
inline constexpr std::string_view kUnbalancedXread =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
inline constexpr std::string_view kGroupOptionInXread =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kNoackOptionInXread =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXreadgroupWithoutGroup =
    "ERR Missing GROUP option for XREADGROUP";
inline constexpr std::string_view kDollarIdInXreadgroup =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr std::string_view kGreaterIdInXread =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> "
    "option.";
inline constexpr std::string_view kEntriesReadRange =
    "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr std::string_view kXgroupNeedsKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
    "the MKSTREAM option to create an empty stream automatically.";
inline constexpr std::string_view kBusyGroup = "BUSYGROUP Consumer Group name already exists";
inline constexpr std::string_view kXclaimMinIdle = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr std::string_view kXclaimIdle = "ERR Invalid IDLE option argument for XCLAIM";
inline constexpr std::string_view kXclaimTime = "ERR Invalid TIME option argument for XCLAIM";
inline constexpr std::string_view kXclaimRetrycount =
    "ERR Invalid RETRYCOUNT option argument for XCLAIM";
inline constexpr std::string_view kXautoclaimMinIdle =
    "ERR Invalid min-idle-time argument for XAUTOCLAIM";

// --- Strings ---
inline constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";

// --- Transactions ---
inline constexpr std::string_view kNestedMulti = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kWatchInsideMulti = "ERR WATCH inside MULTI is not allowed";

// --- Functions ---
inline constexpr std::string_view kFunctionCodeMissing = "ERR Function code is missing";
inline constexpr std::string_view kLibraryNotFound = "ERR Library not found";
inline constexpr std::string_view kFunctionFlushOption =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
inline constexpr std::string_view kLibraryNameMissing = "ERR library name argument was not given";
inline constexpr std::string_view kRestorePolicy =
    "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
inline constexpr std::string_view kFunctionNotFound = "ERR Function not found";
inline constexpr std::string_view kBadNumberOfKeys = "ERR Bad number of keys provided";
inline constexpr std::string_view kWriteFunctionInRo =
    "ERR Can not execute a script with write flag using *_ro command.";
inline constexpr std::string_view kFunctionOom =
    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";

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

// The generic code with its space: added to, or cut from, a message composed elsewhere.
inline constexpr std::string_view kErrPrefix = "ERR ";

// --- Connections and protocol (broker/resp/, server/) ---
// A connection over maxclients, written raw before a client exists (server/server.cc).
inline constexpr std::string_view kMaxClientsReply = "-ERR max number of clients reached\r\n";
// The admin HTTP API's 503 body while a script runs (Drayman's own, after Redis's BUSY).
inline constexpr std::string_view kHttpBusy = "BUSY Redis is busy running a script.\n";

// --- CONFIG (broker/config/) ---
inline constexpr std::string_view kNoConfigFile = "ERR The server is running without a config file";
// Details without a code: CONFIG SET wraps them in ConfigSetFailed, the config file loader in
// its report (a script's redis.sha1hex raises the first one too).
inline constexpr std::string_view kWrongNumberOfArgs = "wrong number of arguments";
inline constexpr std::string_view kConfigNotYesNo = "argument must be 'yes' or 'no'";
inline constexpr std::string_view kConfigNotInteger = "argument couldn't be parsed into an integer";
inline constexpr std::string_view kConfigNotMemory = "argument must be a memory value";
inline constexpr std::string_view kConfigNotMemoryOrPercent =
    "argument must be a memory or percent value";
inline constexpr std::string_view kConfigImmutable = "can't set immutable config";
inline constexpr std::string_view kConfigProtected = "can't set protected config";
inline constexpr std::string_view kConfigDuplicate = "duplicate parameter";
inline constexpr std::string_view kBufferLimitArgs =
    "Wrong number of arguments in buffer limit configuration.";
inline constexpr std::string_view kBufferLimitClass =
    "Invalid client class specified in buffer limit configuration.";
inline constexpr std::string_view kBufferLimitValues =
    "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
inline constexpr std::string_view kTooManyBindAddresses = "Too many bind addresses specified.";
// Drayman's own: http-bind (the admin HTTP API) given no address.
inline constexpr std::string_view kHttpBindNeedsAddress = "http-bind needs an address";
inline constexpr std::string_view kInvalidSaveParameters = "Invalid save parameters";
inline constexpr std::string_view kOomScoreAdjValues =
    "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
// kInvalidMasterPort without its code: replicaof's detail.
inline constexpr std::string_view kConfigInvalidMasterPort = "Invalid master port";
inline constexpr std::string_view kPercentilesInvalid =
    "Invalid latency-tracking-info-percentiles parameters";
inline constexpr std::string_view kPercentilesRange =
    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
inline constexpr std::string_view kShutdownSaveAndNosave =
    "shutdown options SAVE and NOSAVE can't be used simultaneously";
inline constexpr std::string_view kBadKeyspaceEventClass =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

// --- ACL rules and files (broker/acl/): details without a code, wrapped by AclSetuserModifier,
// Err or the ACL file loader ---
inline constexpr std::string_view kAclUnknownCommand = "Unknown command or category name in ACL";
inline constexpr std::string_view kAclSyntaxError = "Syntax error";
inline constexpr std::string_view kAclPatternAfterAllKeys =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
inline constexpr std::string_view kAclPatternAfterAllChannels =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
inline constexpr std::string_view kAclNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
inline constexpr std::string_view kAclBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
inline constexpr std::string_view kAclFirstArgOfSubcommand =
    "Allowing first-arg of a subcommand is not supported";
inline constexpr std::string_view kAclFileSpaces = "Spaces not allowed in ACL usernames";
inline constexpr std::string_view kAclFileAndConfigUsers =
    "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path "
    "is invalid. This setup is very likely to lead to configuration errors and security holes, "
    "please define either an ACL file or declare users directly in your redis.conf, but not both.";
inline constexpr std::string_view kAclFileNotApplied =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
// A script's redis.call refused by the caller's ACL (Redis's scriptVerifyACL).
inline constexpr std::string_view kScriptAclCommand =
    "The user executing the script can't run this command or subcommand";
inline constexpr std::string_view kScriptAclKey =
    "The user executing the script can't access at least one of the keys mentioned in the "
    "command arguments";
inline constexpr std::string_view kScriptAclChannel =
    "The user executing the script can't publish to the channel mentioned in the command";
inline constexpr std::string_view kScriptAclOther =
    "The user executing the script lacking the permissions for the command";

// --- PFSELFTEST (broker/keyspace/hyperloglog.cc) ---
inline constexpr std::string_view kHllSelftestNotSparse = "TESTFAILED sparse encoding not used";
inline constexpr std::string_view kHllSelftestDisagree = "TESTFAILED dense/sparse disagree";

// --- Scripts: EVAL, the script cache, busy scripts (broker/script/) ---
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kInvalidShebang = "ERR Invalid script shebang";
inline constexpr std::string_view kInvalidShebangEngine = "ERR Invalid engine in script shebang";
// An error table without its err field (7.0 crashes on error({}); later versions reply this).
inline constexpr std::string_view kScriptUnknownError = "ERR unknown error";
inline constexpr std::string_view kLuaStackLimit = "ERR reached lua stack limit";
// Raised inside scripts by the redis.* API, without a code: the error table gets "ERR "
// (Redis's luaPushError).
inline constexpr std::string_view kScriptUnknownCommand =
    "Unknown Redis command called from script";
inline constexpr std::string_view kScriptWrongArity =
    "Wrong number of args calling Redis command from script";
inline constexpr std::string_view kScriptNoscriptCommand =
    "This Redis command is not allowed from script";
inline constexpr std::string_view kScriptWriteFromReadOnly =
    "Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kScriptNoArguments =
    "Please specify at least one argument for this redis lib call";
inline constexpr std::string_view kScriptBadArgumentType =
    "Lua redis lib command arguments must be strings or integers";
inline constexpr std::string_view kScriptOutsideScript =
    "redis.call/pcall can only be called inside a script invocation";
inline constexpr std::string_view kScriptRecursiveCall =
    "luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug "
    "hooks?";
inline constexpr std::string_view kScriptKilled = "Script killed by user with SCRIPT KILL...";
inline constexpr std::string_view kScriptWrongArgsOrType = "wrong number or type of arguments";
// Drayman's own: the engine's reply to redis.call could not be parsed back (never expected).
inline constexpr std::string_view kScriptReplyUnreadable = "the command's reply could not be read";
inline constexpr std::string_view kLogNeedsTwoArgs = "redis.log() requires two arguments or more.";
inline constexpr std::string_view kLogLevelNotNumber =
    "First argument must be a number (log level).";
inline constexpr std::string_view kLogLevelInvalid = "Invalid debug level.";
inline constexpr std::string_view kSetrespOutsideScript =
    "redis.setresp can only be called inside a script invocation";
inline constexpr std::string_view kSetrespOneArgument = "redis.setresp() requires one argument.";
inline constexpr std::string_view kSetrespVersion = "RESP version must be 2 or 3.";
inline constexpr std::string_view kSetReplOutsideScript =
    "redis.set_repl can only be called inside a script invocation";
// Redis's text says two though the call takes one.
inline constexpr std::string_view kSetReplOneArgument = "redis.set_repl() requires two arguments.";
inline constexpr std::string_view kSetReplFlags =
    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
inline constexpr std::string_view kAclCheckCmdOutsideScript =
    "redis.acl_check_cmd can only be called inside a script invocation";
inline constexpr std::string_view kAclCheckCmdInvalid =
    "Invalid command passed to redis.acl_check_cmd()";
// The sandbox's protected tables (Redis's script_lua.c).
inline constexpr std::string_view kReadonlyTable = "Attempt to modify a readonly table";
inline constexpr std::string_view kProtectedTableArgs =
    "Wrong number of arguments to luaProtectedTableError";
inline constexpr std::string_view kProtectedTableName =
    "Second argument to luaProtectedTableError must be a string or number";

// --- Functions: FUNCTION LOAD / RESTORE (broker/script/function_library.cc) ---
inline constexpr std::string_view kMissingLibraryMetadata = "ERR Missing library metadata";
inline constexpr std::string_view kInvalidLibraryMetadata = "ERR Invalid library metadata";
inline constexpr std::string_view kLibraryNameTwice =
    "ERR Invalid metadata value, name argument was given multiple times";
inline constexpr std::string_view kLibraryNameNotGiven = "ERR Library name was not given";
inline constexpr std::string_view kNoFunctionsRegistered = "ERR No functions registered";
inline constexpr std::string_view kRestoreNotAFunction = "ERR given type is not a function";
inline constexpr std::string_view kBadLibraryPayload = "ERR Failed loading library payload";
// Without a code: FUNCTION LOAD adds "ERR ", redis.register_function raises it as is.
inline constexpr std::string_view kBadLibraryName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";
// Raised inside FUNCTION LOAD's Lua code by redis.register_function, without a code.
inline constexpr std::string_view kFunctionLoadTimeout = "FUNCTION LOAD timeout";
inline constexpr std::string_view kRegisterOutsideLoad =
    "redis.register_function can only be called on FUNCTION LOAD command";
inline constexpr std::string_view kRegisterWrongArgs =
    "wrong number of arguments to redis.register_function";
inline constexpr std::string_view kRegisterNameNotString =
    "first argument to redis.register_function must be a string";
inline constexpr std::string_view kRegisterCallbackNotFunction =
    "second argument to redis.register_function must be a function";
inline constexpr std::string_view kRegisterSingleArgNotTable =
    "calling redis.register_function with a single argument is only applicable to Lua table "
    "(representing named arguments).";
inline constexpr std::string_view kRegisterKeyNotString =
    "named argument key given to redis.register_function is not a string";
inline constexpr std::string_view kRegisterFunctionNameNotString =
    "function_name argument given to redis.register_function must be a string";
inline constexpr std::string_view kRegisterDescriptionNotString =
    "description argument given to redis.register_function must be a string";
inline constexpr std::string_view kRegisterCallbackArgNotFunction =
    "callback argument given to redis.register_function must be a function";
inline constexpr std::string_view kRegisterFlagsNotTable =
    "flags argument to redis.register_function must be a table representing function flags";
inline constexpr std::string_view kRegisterUnknownFlag = "unknown flag given";
inline constexpr std::string_view kRegisterUnknownArgument =
    "unknown argument given to redis.register_function";
inline constexpr std::string_view kRegisterNoName =
    "redis.register_function must get a function name argument";
inline constexpr std::string_view kRegisterNoCallback =
    "redis.register_function must get a callback argument";
inline constexpr std::string_view kRegisterFunctionTwice = "Function already exists in the library";

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

// Redis's rejectCommand for EXEC: "EXECABORT Transaction discarded because of: <reason>", the
// reason without its "ERR " prefix (removed here).
std::string ExecAbortBecause(std::string_view error);
// "NOPERM this user has no permissions to run the 'get' command"
std::string NopermCommand(std::string_view full_name);
// EXEC after the user's ACL changed: "NOPERM ACLs rules changed between ... reason: <reason>".
std::string NopermAclChangedInMulti(std::string_view reason);
// A RESP2 subscribed client's refused command.
std::string NotInSubscribedContext(std::string_view full_name);

// --- Texts with arguments, by family. Each takes the parts as the caller has cut them (Redis's
// %s stops at a NUL byte, %.128s at 128 bytes: noted where the caller does that). ---

// "ERR <message>": a message composed by another module (ACL rule errors, HLL and stream
// parsing failures), given Redis's generic code.
std::string Err(std::string_view message);
// ACL CAT <category> (category cut to 128 bytes here), ACL GETUSER / DRYRUN.
std::string AclUnknownCategory(std::string_view category);
std::string AclUserNotFound(std::string_view user);
std::string AclCommandNotFound(std::string_view command);
// Writes refused after a failed AOF write (Redis's writeCommandsGetDiskErrorMessage).
std::string MisconfAofWrite(std::string_view reason);
// HELLO, CLIENT SETINFO, CLIENT LIST/KILL.
std::string HelloSyntaxError(std::string_view option);
std::string UnrecognizedOption(std::string_view option);
std::string SetinfoInvalidValue(std::string_view attribute);
std::string UnknownClientType(std::string_view type);
std::string NoSuchUser(std::string_view user);
// DEBUG / MODULE refused by enable-debug-command / enable-module-command.
std::string ProtectedCommandNotAllowed(std::string_view command, std::string_view option);
// FUNCTION LOAD / FUNCTION LIST.
std::string UnknownFunctionOption(std::string_view option);
std::string UnknownArgument(std::string_view argument);
// GEO: the coordinates as Redis prints them with %f; the STORE conflict; GEOSEARCH's
// FROM*/BY* requirements (the command name cut at its first NUL by the caller).
std::string InvalidLonLat(double lon, double lat);
std::string GeoStoreWithOptions(bool geosearchstore);
std::string GeoFromRequired(std::string_view command);
std::string GeoByRequired(std::string_view command);
// PFDEBUG <subcommand> (cut at its first NUL by the caller).
std::string UnknownPfdebugSubcommand(std::string_view subcommand);
// EXPIRE family options (cut at the first NUL by the caller).
std::string UnsupportedOption(std::string_view option);
// LATENCY HISTORY / GRAPH of an event without samples.
std::string NoLatencySamples(std::string_view event);
// "ERR at least 1 input key is needed for 'zunionstore' command"
std::string AtLeastOneKey(std::string_view full_name);
// Streams: XREAD/XREADGROUP BLOCK from a script (the name as sent), missing groups, XCLAIM.
std::string BlockFromScript(std::string_view command);
std::string NoGroupForKey(std::string_view key, std::string_view group);
std::string NoGroupInXreadgroup(std::string_view key, std::string_view group);
std::string NoSuchConsumerGroup(std::string_view group, std::string_view key);
std::string UnrecognizedXclaimOption(std::string_view option);

// "ERR Protocol error: invalid bulk length" (the parser names what failed).
std::string ProtocolError(std::string_view what);
// ACL SETUSER's rule failures (broker/acl/acl.cc).
std::string AclUnmatchedParenthesis(std::string_view selector);
std::string AclSetuserModifier(std::string_view rule, std::string_view error);
// CONFIG SET (broker/config/): an unknown name; a value its parameter refused, with the detail.
std::string ConfigSetUnknown(std::string_view name);
std::string ConfigSetFailed(std::string_view name, std::string_view detail);
// CONFIG REWRITE's file errors, with strerror's text.
std::string RewritingConfig(std::string_view reason);
// CONFIG SET details: "argument must be between 1 and 10 inclusive"; "argument(s) must be one
// of the following: a, b" (the choices joined by the caller); appendfilename-style names.
std::string ConfigRange(int64_t min, int64_t max);
// A percentage over the parameter's bound (maxmemory-clients "101%").
std::string ConfigPercentMax(int64_t max);
std::string ConfigChoices(std::string_view joined);
std::string ConfigEmptyName(std::string_view parameter);
std::string ConfigNotBaseName(std::string_view parameter, std::string_view what);
std::string CantOpenLogFile(std::string_view reason);
// ACL file loading (ACL LOAD, start-up).
std::string AclFileUnmatchedParenthesis(std::string_view selector);
std::string AclFileRule(std::string_view rule, std::string_view user, std::string_view error);
std::string AclFileOpen(std::string_view path, std::string_view reason);
// ACL file lines' problems, each ending in ". " (or, for the selector, without it, as Redis's),
// `where` being "file:line"; the whole report ends with kAclFileNotApplied.
std::string AclFileNoUserKeyword(std::string_view where);
std::string AclFileBadUsername(std::string_view where, std::string_view user);
std::string AclFileDuplicateUser(std::string_view user, int64_t line);
std::string AclFileUnmatchedSelector(std::string_view where);
std::string AclFileOperation(std::string_view where, std::string_view rule,
                             std::string_view error);
// PFSELFTEST's failures.
std::string HllSelftestRegister(int index, int expected, int got);
std::string HllSelftestTooBigError(int64_t cardinality, int64_t error);
// Script shebangs: "#!<engine>" other than lua, an option other than flags=, an unknown flag.
std::string UnexpectedShebangEngine(std::string_view engine);
std::string UnknownShebangOption(std::string_view option);
std::string UnexpectedShebangFlag(std::string_view flag);
// A script reading a global nobody defined (raised with the script's line in front).
std::string NonexistentGlobal(std::string_view name);
// Lua's compile error after Redis's prefix.
std::string CompilingScript(std::string_view lua_error);
// A script error the error handler could not dress (out of memory): the message cut to 100
// bytes, with Redis's trailing newline.
std::string RunningScript(std::string_view sha, std::string_view message);
// FUNCTION LOAD / RESTORE.
std::string InvalidMetadataValue(std::string_view value);
std::string EngineNotFound(std::string_view engine);
std::string CompilingFunction(std::string_view lua_error);
std::string RegisteringFunctions(std::string_view message);
// "ERR Library 'lib' already exists" (LOAD), "ERR Library lib already exists" (RESTORE APPEND).
std::string LibraryExists(std::string_view library);
std::string RestoreLibraryExists(std::string_view library);
std::string FunctionExists(std::string_view function);

// --- Client-side caching: CLIENT TRACKING and CLIENT CACHING (broker/tracking/) ---
inline constexpr std::string_view kTrackingSingleRedirect =
    "ERR A client can only redirect to a single other client";
inline constexpr std::string_view kTrackingNoSuchRedirect =
    "ERR The client ID you want redirect to does not exist";
inline constexpr std::string_view kTrackingPrefixNeedsBcast =
    "ERR PREFIX option requires BCAST mode to be enabled";
inline constexpr std::string_view kTrackingBcastSwitch =
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kTrackingOptBcast =
    "ERR OPTIN and OPTOUT are not compatible with BCAST";
inline constexpr std::string_view kTrackingOptinAndOptout =
    "ERR You can't specify both OPTIN mode and OPTOUT mode";
inline constexpr std::string_view kTrackingOptSwitch =
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kCachingNotTracking =
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
    "OPTOUT mode enabled";
inline constexpr std::string_view kCachingYesNotOptin =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
inline constexpr std::string_view kCachingNoNotOptout =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
// "ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not
// overlap."
inline std::string TrackingPrefixOverlapsExisting(std::string_view prefix,
                                                  std::string_view existing) {
  return "ERR Prefix '" + std::string(prefix) + "' overlaps with an existing prefix '" +
         std::string(existing) + "'. Prefixes for a single client must not overlap.";
}
// "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must
// not overlap."
inline std::string TrackingPrefixOverlapsProvided(std::string_view prefix,
                                                  std::string_view other) {
  return "ERR Prefix '" + std::string(prefix) + "' overlaps with another provided prefix '" +
         std::string(other) + "'. Prefixes for a single client must not overlap.";
}

}  // namespace drayman::errors
