// Connection family: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and CLIENT.
//
// Replies and error texts follow Debian's redis-server 7.0.15, including HELLO's habit of applying
// its options one by one (a SETNAME before a failing AUTH sticks). CLIENT SETINFO, CLIENT
// NO-TOUCH and the lib-name/lib-ver fields of CLIENT LIST are Redis 7.2 features, added because
// redis-py sends SETINFO on every connection; they follow Redis 7.2's source.
#include <algorithm>
#include <string>
#include <string_view>

#include "broker/acl/acl.h"
#include "broker/acl/acl_dispatch.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/stats/client_memory.h"

namespace drayman {

namespace {

constexpr std::string_view kDefaultUser = "default";

// Redis's ACLAuthenticateUser: on success the client runs as the user; a failure is logged
// (ACL LOG reason "auth", the object being the command's name as sent).
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  acl::User* matched = ctx.engine.acl().Authenticate(user, password);
  if (matched == nullptr) {
    ctx.client.last_command = &ctx.spec;  // the log's client-info shows cmd=auth
    LogDenial(ctx.engine, ctx.client, acl::Denial::kAuth,
              ctx.client.in_multi ? acl::LogContext::kMulti : acl::LogContext::kToplevel,
              ctx.args[0], user);
    return false;
  }
  ctx.client.user = matched;
  ctx.client.authenticated = true;
  return true;
}

// Redis's validateClientAttr: printable ASCII without spaces ('!'..'~').
bool ValidClientAttribute(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= '!' && c <= '~'; });
}

std::string_view UserName(const Client& client) {
  return client.user != nullptr ? std::string_view(client.user->name) : kDefaultUser;
}

bool IsUnixSocketClient(const Client& client) {
  return !client.addr.empty() && client.addr[0] == '/';
}

// Client type as CLIENT LIST TYPE / CLIENT KILL TYPE name it. Drayman has no replication, so a
// client is "pubsub" while subscribed and "normal" otherwise (MONITOR clients too, as in Redis).
std::string_view ClientType(const Client& client) {
  return client.pubsub.subscribed() ? "pubsub" : "normal";
}

// Redis's getClientTypeByName; an empty result means unknown.
std::string_view ClientTypeByName(std::string_view name) {
  if (EqualsIgnoreCase(name, "normal")) return "normal";
  if (EqualsIgnoreCase(name, "slave") || EqualsIgnoreCase(name, "replica")) return "replica";
  if (EqualsIgnoreCase(name, "pubsub")) return "pubsub";
  if (EqualsIgnoreCase(name, "master")) return "master";
  return {};
}

// CLIENT LIST's flags field, letters in Redis's order (catClientInfoString): O (MONITOR), P
// (subscribed), x (in MULTI), b (blocked), t/R/B (tracking, its redirect client gone, BCAST),
// d (watched key changed), c (close after reply), A
// (close asap), U (unix socket), e (no-evict), T (no-touch, Redis 7.2); "N" when none applies.
// A client held by CLIENT PAUSE is blocked (b), as Redis 7.0 lists it.
std::string ClientFlags(const Client& client) {
  std::string flags;
  if (client.pubsub.monitor) flags.push_back('O');
  if (client.pubsub.subscribed()) flags.push_back('P');
  if (client.in_multi) flags.push_back('x');
  if (client.blocked) flags.push_back('b');
  if (client.tracking.on) flags.push_back('t');
  if (client.tracking.broken_redir) flags.push_back('R');
  if (client.tracking.bcast) flags.push_back('B');
  if (client.watched_key_touched) flags.push_back('d');
  if (client.close_after_reply) flags.push_back('c');
  if (client.close_asap) flags.push_back('A');
  if (IsUnixSocketClient(client)) flags.push_back('U');
  if (client.no_evict) flags.push_back('e');
  if (client.no_touch) flags.push_back('T');
  if (flags.empty()) flags.push_back('N');
  return flags;
}

// One CLIENT LIST / CLIENT INFO line (without the trailing "\n"): Redis 7.0's fields in its order,
// plus, with `lib_fields`, Redis 7.2's lib-name and lib-ver. `ctx` is the command asking, whose own
// client shows the command being run and its arguments; null outside commands (log messages).
std::string ClientInfoLine(const CommandContext* ctx, Client& client, int64_t now_ms,
                           bool lib_fields = true) {
  const bool is_self = ctx != nullptr && &client == &ctx->client;
  // The same figures client eviction counts (broker/stats/client_memory.h).
  const ClientMemory memory = ComputeClientMemory(client, is_self ? &ctx->args : nullptr);
  const size_t argv_mem = memory.argv_mem;
  const size_t qbuf = memory.qbuf;
  const size_t qbuf_free = memory.qbuf_free;
  const std::string& output = client.output();
  const size_t omem = is_self ? 0 : output.size();
  const auto sub = static_cast<int64_t>(client.pubsub.channels.size());
  const auto psub = static_cast<int64_t>(client.pubsub.patterns.size());
  const auto ssub = static_cast<int64_t>(client.pubsub.shard_channels.size());
  const int64_t multi = client.in_multi ? static_cast<int64_t>(client.multi_queue.size()) : -1;
  const size_t multi_mem = memory.multi_mem;
  const size_t tot_mem = memory.total;
  std::string line;
  line.reserve(320);
  auto field = [&line](std::string_view name, std::string_view value) {
    if (!line.empty()) line.push_back(' ');
    line.append(name);
    line.push_back('=');
    line.append(value);
  };
  auto number = [&field](std::string_view name, int64_t value) {
    field(name, std::to_string(value));
  };
  number("id", static_cast<int64_t>(client.id()));
  field("addr", client.addr);
  field("laddr", client.laddr);
  number("fd", client.fd);
  field("name", client.name);
  number("age", (now_ms - client.created_ms) / 1000);
  number("idle", (now_ms - client.last_interaction_ms) / 1000);
  field("flags", ClientFlags(client));
  number("db", client.db);
  number("sub", sub);
  number("psub", psub);
  number("ssub", ssub);
  number("multi", multi);
  number("qbuf", static_cast<int64_t>(qbuf));
  number("qbuf-free", static_cast<int64_t>(qbuf_free));
  number("argv-mem", static_cast<int64_t>(argv_mem));
  number("multi-mem", static_cast<int64_t>(multi_mem));
  number("rbs", static_cast<int64_t>(output.capacity()));
  number("rbp", static_cast<int64_t>(output.size()));
  number("obl", 0);
  number("oll", 0);
  number("omem", static_cast<int64_t>(omem));
  number("tot-mem", static_cast<int64_t>(tot_mem));
  // Redis shows `w` while a write handler is installed, i.e. after the socket took only part of
  // a reply; here, while a write is in flight. Replies not yet handed to the socket do not count.
  field("events", client.output_in_flight > 0 ? "rw" : "r");
  field("cmd", is_self ? std::string_view(ctx->spec.full_name) : client.last_command_name());
  field("user", UserName(client));
  number("redir", client.tracking.on ? static_cast<int64_t>(client.tracking.redirect) : -1);
  number("resp", static_cast<int>(client.protocol()));
  if (lib_fields) {
    field("lib-name", client.lib_name);
    field("lib-ver", client.lib_ver);
  }
  return line;
}

// Text replies of CLIENT LIST / CLIENT INFO: bulk in RESP2, verbatim "txt" in RESP3.
void ReplyText(CommandContext& ctx, std::string_view text) { ctx.reply.Verbatim("txt", text); }

// PING [message]
void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(errors::WrongArity("ping"));
    return;
  }
  // --- pub/sub: a subscribed RESP2 client gets ["pong", message or ""] (redis-py's health
  // check relies on it) ---
  if (ctx.client.pubsub.subscribed() && ctx.client.protocol() == Protocol::kResp2) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 2 ? std::string_view(ctx.args[1]) : std::string_view());
    return;
  }
  if (ctx.args.size() == 1) {
    ctx.reply.SimpleString("PONG");
  } else {
    ctx.reply.Bulk(ctx.args[1]);
  }
}

// ECHO message
void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

// QUIT
void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.NoteCloseCause(DisconnectCause::kQuit);
  ctx.client.close_after_reply = true;
}

// RESET
void CmdReset(CommandContext& ctx) {
  // Redis's clearClientConnectionState, for the state this family owns. The name goes, the
  // library info stays (it describes the connection's client library); no-evict stays as in
  // Redis 7.0, no-touch goes as in Redis 7.2.
  Client& client = ctx.client;
  client.db = 0;
  client.reply().set_protocol(Protocol::kResp2);
  client.user = ctx.engine.acl().default_user();
  client.authenticated = !ctx.engine.acl().DefaultNeedsAuth();
  client.name.clear();
  client.no_touch = false;
  ctx.engine.DiscardTransaction(client);     // MULTI and WATCH
  ctx.engine.pubsub().RemoveClient(client);  // subscriptions and MONITOR
  ctx.engine.tracking().Disable(client);     // CLIENT TRACKING
  // CLIENT REPLY OFF ends (so +RESET is sent), and a pending SKIP; a skip of RESET itself
  // stays, as Redis clears CLIENT_REPLY_OFF and _SKIP_NEXT but not _SKIP.
  client.reply_off = false;
  client.reply_skip_next = false;
  client.UpdateReplySink();
  ctx.reply.SimpleString("RESET");
}

// Redis 7.0's clientSetNameOrReply: an empty name removes the name.
bool SetClientName(CommandContext& ctx, std::string_view name) {
  if (!ValidClientAttribute(name)) {
    ctx.reply.Error(errors::kClientNameInvalid);
    return false;
  }
  ctx.client.name.assign(name);
  return true;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CommandContext& ctx) {
  int64_t version = 0;
  if (ctx.args.size() >= 2) {
    if (!ParseInt64(ctx.args[1], &version)) {
      ctx.reply.Error(errors::kHelloProtoNotInteger);
      return;
    }
    if (version < 2 || version > 3) {
      ctx.reply.Error(errors::kNoProto);
      return;
    }
  }
  // Redis 7.0 applies each option as it reads it, so an earlier option's effect survives a later
  // option's error (7.2 validates everything first).
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const size_t more = ctx.args.size() - 1 - i;
    const std::string& option = ctx.args[i];
    if (EqualsIgnoreCase(option, "auth") && more >= 2) {
      if (!Authenticate(ctx, ctx.args[i + 1], ctx.args[i + 2])) {
        ctx.reply.Error(errors::kWrongPass);
        return;
      }
      i += 2;
    } else if (EqualsIgnoreCase(option, "setname") && more >= 1) {
      if (!SetClientName(ctx, ctx.args[i + 1])) return;
      ++i;
    } else {
      ctx.reply.Error(errors::HelloSyntaxError(option));
      return;
    }
  }
  if (!ctx.client.authenticated && ctx.engine.acl().DefaultNeedsAuth()) {
    ctx.reply.Error(errors::kHelloNoAuth);
    return;
  }
  if (version != 0) ctx.client.reply().set_protocol(static_cast<Protocol>(version));
  ReplyBuilder& reply = ctx.reply;
  // "server" is "redis" as in Redis's own reply: clients and tools read HELLO as a Redis
  // handshake; INFO's drayman_version tells Drayman apart.
  reply.MapHeader(7);
  reply.Bulk("server");
  reply.Bulk("redis");
  reply.Bulk("version");
  reply.Bulk(kRedisCompatVersion);
  reply.Bulk("proto");
  reply.Integer(static_cast<int64_t>(ctx.client.protocol()));
  reply.Bulk("id");
  reply.Integer(static_cast<int64_t>(ctx.client.id()));
  reply.Bulk("mode");
  reply.Bulk("standalone");
  reply.Bulk("role");
  reply.Bulk(ctx.engine.process_role);
  reply.Bulk("modules");
  reply.EmptyArray();
}

// AUTH [username] password
void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::string_view user = kDefaultUser;
  std::string_view password = ctx.args[1];
  if (ctx.args.size() == 2) {
    if (ctx.engine.acl().default_user()->nopass) {
      ctx.reply.Error(errors::kAuthNoPassword);
      return;
    }
  } else {
    user = ctx.args[1];
    password = ctx.args[2];
  }
  if (!Authenticate(ctx, user, password)) {
    // A failed AUTH leaves an earlier successful one in place, as in Redis.
    ctx.reply.Error(errors::kWrongPass);
    return;
  }
  ctx.reply.Ok();
}

// SELECT index
void CmdSelect(CommandContext& ctx) {
  int64_t index = 0;
  if (!ParseInt64(ctx.args[1], &index)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (index < 0 || index >= ctx.keyspace.database_count()) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db = static_cast<int>(index);
  ctx.reply.Ok();
}

// CLIENT ID
void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id())); }

// CLIENT SETNAME connection-name
void CmdClientSetname(CommandContext& ctx) {
  if (SetClientName(ctx, ctx.args[2])) ctx.reply.Ok();
}

// CLIENT GETNAME
void CmdClientGetname(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name);
  }
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
void CmdClientSetinfo(CommandContext& ctx) {
  // Redis 7.2's clientSetinfoCommand: the attribute first, then the value; errors name the
  // attribute as the client spelled it. An empty value clears the field.
  const std::string& attribute = ctx.args[2];
  const std::string& value = ctx.args[3];
  std::string* field = nullptr;
  if (EqualsIgnoreCase(attribute, "lib-name")) {
    field = &ctx.client.lib_name;
  } else if (EqualsIgnoreCase(attribute, "lib-ver")) {
    field = &ctx.client.lib_ver;
  } else {
    ctx.reply.Error(errors::UnrecognizedOption(attribute));
    return;
  }
  if (!ValidClientAttribute(value)) {
    ctx.reply.Error(errors::SetinfoInvalidValue(attribute));
    return;
  }
  *field = value;
  ctx.reply.Ok();
}

// CLIENT INFO
void CmdClientInfo(CommandContext& ctx) {
  std::string line = ClientInfoLine(&ctx, ctx.client, ctx.now_ms);
  line.push_back('\n');
  ReplyText(ctx, line);
}

// CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]
void CmdClientList(CommandContext& ctx) {
  std::string text;
  auto append = [&](Client& client) {
    text.append(ClientInfoLine(&ctx, client, ctx.now_ms));
    text.push_back('\n');
  };
  const size_t argc = ctx.args.size();
  if (argc == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    std::string_view type = ClientTypeByName(ctx.args[3]);
    if (type.empty()) {
      ctx.reply.Error(errors::UnknownClientType(ctx.args[3]));
      return;
    }
    for (const auto& [id, client] : ctx.engine.clients()) {
      if (!client->is_script_client && ClientType(*client) == type) append(*client);
    }
  } else if (argc > 3 && EqualsIgnoreCase(ctx.args[2], "id")) {
    for (size_t i = 3; i < argc; ++i) {
      int64_t id = 0;
      if (!ParseInt64(ctx.args[i], &id)) {
        ctx.reply.Error(errors::kInvalidClientId);
        return;
      }
      if (id <= 0) continue;
      Client* client = ctx.engine.FindClient(static_cast<uint64_t>(id));
      if (client != nullptr && !client->is_script_client) append(*client);
    }
  } else if (argc != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  } else {
    for (const auto& [id, client] : ctx.engine.clients()) {
      if (!client->is_script_client) append(*client);
    }
  }
  ReplyText(ctx, text);
}

// CLIENT KILL <ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] |
//   [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>]>
//   [[ID client-id] | ... ]>
void CmdClientKill(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  std::string_view addr, laddr, type;
  bool filter_addr = false, filter_laddr = false;
  uint64_t id = 0;
  const acl::User* user = nullptr;
  bool skip_me = true;
  if (argc == 3) {
    // The old form CLIENT KILL addr, which may kill the caller itself.
    addr = ctx.args[2];
    filter_addr = true;
    skip_me = false;
  } else {
    for (size_t i = 2; i < argc; i += 2) {
      const bool more = argc > i + 1;
      const std::string& option = ctx.args[i];
      if (EqualsIgnoreCase(option, "id") && more) {
        int64_t parsed = 0;
        if (!ParseInt64(ctx.args[i + 1], &parsed) || parsed < 1) {
          ctx.reply.Error(errors::kClientIdNotPositive);
          return;
        }
        id = static_cast<uint64_t>(parsed);
      } else if (EqualsIgnoreCase(option, "type") && more) {
        type = ClientTypeByName(ctx.args[i + 1]);
        if (type.empty()) {
          ctx.reply.Error(errors::UnknownClientType(ctx.args[i + 1]));
          return;
        }
      } else if (EqualsIgnoreCase(option, "addr") && more) {
        addr = ctx.args[i + 1];
        filter_addr = true;
      } else if (EqualsIgnoreCase(option, "laddr") && more) {
        laddr = ctx.args[i + 1];
        filter_laddr = true;
      } else if (EqualsIgnoreCase(option, "user") && more) {
        user = ctx.engine.acl().FindUser(ctx.args[i + 1]);
        if (user == nullptr) {
          ctx.reply.Error(errors::NoSuchUser(ctx.args[i + 1]));
          return;
        }
      } else if (EqualsIgnoreCase(option, "skipme") && more) {
        if (EqualsIgnoreCase(ctx.args[i + 1], "yes")) {
          skip_me = true;
        } else if (EqualsIgnoreCase(ctx.args[i + 1], "no")) {
          skip_me = false;
        } else {
          ctx.reply.Error(errors::kSyntax);
          return;
        }
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    }
  }
  int64_t killed = 0;
  bool close_self = false;
  std::vector<Client*> victims;
  for (const auto& [client_id, client] : ctx.engine.clients()) {
    // The scripting engine's internal client is not a connection (Redis lists no Lua client).
    if (client->is_script_client) continue;
    if (filter_addr && client->addr != addr) continue;
    if (filter_laddr && client->laddr != laddr) continue;
    if (!type.empty() && ClientType(*client) != type) continue;
    if (id != 0 && client_id != id) continue;
    if (user != nullptr && client->user != user) continue;
    if (client.get() == &ctx.client) {
      if (skip_me) continue;
      close_self = true;
    } else {
      victims.push_back(client.get());
    }
    ++killed;
  }
  for (Client* victim : victims) ctx.engine.KillClient(*victim);
  if (argc == 3) {
    if (killed == 0) {
      ctx.reply.Error(errors::kNoSuchClient);
    } else {
      ctx.reply.Ok();
    }
  } else {
    ctx.reply.Integer(killed);
  }
  // The caller gets its reply, then the connection closes.
  if (close_self) {
    ctx.client.NoteCloseCause(DisconnectCause::kClientKill);
    ctx.client.close_after_reply = true;
  }
}

// Shared by CLIENT NO-EVICT and CLIENT NO-TOUCH.
void SetOnOff(CommandContext& ctx, bool* field) {
  if (EqualsIgnoreCase(ctx.args[2], "on")) {
    *field = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "off")) {
    *field = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ctx.reply.Ok();
}

// CLIENT NO-EVICT <ON | OFF>
void CmdClientNoEvict(CommandContext& ctx) { SetOnOff(ctx, &ctx.client.no_evict); }

// CLIENT NO-TOUCH <ON | OFF>
void CmdClientNoTouch(CommandContext& ctx) { SetOnOff(ctx, &ctx.client.no_touch); }

// CLIENT PAUSE timeout [WRITE | ALL]
void CmdClientPause(CommandContext& ctx) {
  // Redis 7.0's order: the mode, then the timeout (getTimeoutFromObjectOrReply, milliseconds).
  if (ctx.args.size() > 4) {
    ctx.reply.Error(errors::SubcommandSyntaxError(ctx.args[1], "client"));
    return;
  }
  PauseType type = PauseType::kAll;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "write")) {
      type = PauseType::kWrite;
    } else if (!EqualsIgnoreCase(ctx.args[3], "all")) {
      ctx.reply.Error(errors::kPauseMode);
      return;
    }
  }
  int64_t timeout = 0;
  if (!ParseInt64(ctx.args[2], &timeout)) {
    ctx.reply.Error(errors::kTimeoutNotInteger);
    return;
  }
  if (timeout < 0) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return;
  }
  // 0 stays 0 (a pause already over); otherwise relative to now, wrapping as Redis's 64-bit sum
  // does on x86-64 (a wrapped end is in the past: no pause).
  const int64_t end_ms =
      timeout == 0 ? 0
                   : static_cast<int64_t>(static_cast<uint64_t>(timeout) +
                                          static_cast<uint64_t>(ctx.now_ms));
  ctx.engine.PauseClients(type, end_ms);
  ctx.reply.Ok();
}

// CLIENT UNPAUSE
void CmdClientUnpause(CommandContext& ctx) {
  ctx.engine.UnpauseClients();
  ctx.reply.Ok();
}

// CLIENT HELP
// CLIENT REPLY ON|OFF|SKIP
void CmdClientReply(CommandContext& ctx) {
  Client& client = ctx.client;
  const std::string& mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "on")) {
    client.reply_skip = false;
    client.reply_off = false;
    client.UpdateReplySink();
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    client.reply_off = true;
    client.UpdateReplySink();
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (!client.reply_off) client.reply_skip_next = true;
  } else {
    ctx.reply.Error(errors::kSyntax);
  }
}

void CmdClientHelp(CommandContext& ctx) {
  // Redis's help lines for the subcommands Drayman has (7.0's, with 7.2's for SETINFO, NO-TOUCH
  // and LIST ID). UNBLOCK is the blocking family's.
  ctx.reply.Help("CLIENT", {
                               "CACHING (YES|NO)",
                               "    Enable/disable tracking of the keys for next command in "
                               "OPTIN/OPTOUT modes.",
                               "GETREDIR",
                               "    Return the client ID we are redirecting to when tracking is "
                               "enabled.",
                               "GETNAME",
                               "    Return the name of the current connection.",
                               "ID",
                               "    Return the ID of the current connection.",
                               "INFO",
                               "    Return information about the current client connection.",
                               "KILL <ip:port>",
                               "    Kill connection made from <ip:port>.",
                               "KILL <option> <value> [<option> <value> [...]]",
                               "    Kill connections. Options are:",
                               "    * ADDR (<ip:port>|<unixsocket>:0)",
                               "      Kill connections made from the specified address",
                               "    * LADDR (<ip:port>|<unixsocket>:0)",
                               "      Kill connections made to specified local address",
                               "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                               "      Kill connections by type.",
                               "    * USER <username>",
                               "      Kill connections authenticated by <username>.",
                               "    * SKIPME (YES|NO)",
                               "      Skip killing current connection (default: yes).",
                               "LIST [options ...]",
                               "    Return information about client connections. Options:",
                               "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                               "      Return clients of specified type.",
                               "    * ID <id> [<id>...]",
                               "      Return clients with the specified IDs.",
                               "UNPAUSE",
                               "    Stop the current client pause, resuming traffic.",
                               "PAUSE <timeout> [WRITE|ALL]",
                               "    Suspend all, or just write, clients for <timeout> "
                               "milliseconds.",
                               "REPLY (ON|OFF|SKIP)",
                               "    Control the replies sent to the current connection.",
                               "SETNAME <name>",
                               "    Assign the name <name> to the current connection.",
                               "SETINFO <option> <value>",
                               "    Set client meta attr. Options are:",
                               "    * LIB-NAME: the client lib name.",
                               "    * LIB-VER: the client lib version.",
                               "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                               "    Unblock the specified blocked client.",
                               "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> "
                               "[...]]",
                               "         [OPTIN] [OPTOUT] [NOLOOP]",
                               "    Control server assisted client side caching.",
                               "TRACKINGINFO",
                               "    Report tracking status for the current connection.",
                               "NO-EVICT (ON|OFF)",
                               "    Protect current client connection from eviction.",
                               "NO-TOUCH (ON|OFF)",
                               "    Will not touch LRU/LFU stats when this mode is on.",
                           });
}

}  // namespace

std::string ClientInfoString(Client& client, int64_t now_ms) {
  return ClientInfoLine(nullptr, client, now_ms, /*lib_fields=*/false);
}

void RegisterConnectionFamily(CommandTable& table) {
  constexpr uint32_t kHandshake =
      kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy;
  table.Add({.name = "ping",
             .arity = -1,
             .flags = kCmdFast | kCmdPubsubContext,
             .handler = CmdPing,
             .group = "connection",
             .summary = "Ping the server",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "echo",
             .arity = 2,
             .flags = kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdEcho,
             .group = "connection",
             .summary = "Echo the given string",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "quit",
             .arity = -1,
             .flags = kHandshake | kCmdPubsubContext,
             .handler = CmdQuit,
             .group = "connection",
             .summary = "Close the connection",
             .since = "1.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "reset",
             .arity = 1,
             .flags = kHandshake | kCmdPubsubContext,
             .handler = CmdReset,
             .group = "connection",
             .summary = "Reset the connection",
             .since = "6.2.0",
             .complexity = "O(1)"});
  table.Add({.name = "hello",
             .arity = -1,
             .flags = kHandshake,
             .handler = CmdHello,
             .group = "connection",
             .summary = "Handshake with Redis",
             .since = "6.0.0",
             .complexity = "O(1)"});
  table.Add({.name = "auth",
             .arity = -2,
             .flags = kHandshake,
             .handler = CmdAuth,
             .group = "connection",
             .summary = "Authenticate to the server",
             .since = "1.0.0",
             .complexity = "O(N) where N is the number of passwords defined for the user"});
  table.Add({.name = "select",
             .arity = 2,
             .flags = kCmdLoading | kCmdStale | kCmdFast,
             .handler = CmdSelect,
             .group = "connection",
             .summary = "Change the selected database for the current connection",
             .since = "1.0.0",
             .complexity = "O(1)"});

  table.Add({.name = "client",
             .arity = -2,
             .group = "connection",
             .summary = "A container for client connection commands",
             .since = "2.4.0",
             .complexity = "Depends on subcommand."});
  constexpr uint32_t kClientFlags = kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint32_t kClientAdmin = kClientFlags | kCmdAdmin;
  table.AddSubcommand("client", {.name = "id",
                                 .arity = 2,
                                 .flags = kClientFlags,
                                 .handler = CmdClientId,
                                 .summary = "Returns the client ID for the current connection",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "setname",
                                 .arity = 3,
                                 .flags = kClientFlags,
                                 .handler = CmdClientSetname,
                                 .summary = "Set the current connection name",
                                 .since = "2.6.9",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "getname",
                                 .arity = 2,
                                 .flags = kClientFlags,
                                 .handler = CmdClientGetname,
                                 .summary = "Get the current connection name",
                                 .since = "2.6.9",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "setinfo",
                                 .arity = 4,
                                 .flags = kClientFlags,
                                 .handler = CmdClientSetinfo,
                                 .summary = "Set client or connection specific info",
                                 .since = "7.2.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client",
                      {.name = "info",
                       .arity = 2,
                       .flags = kClientFlags,
                       .handler = CmdClientInfo,
                       .summary = "Returns information about the current client connection.",
                       .since = "6.2.0",
                       .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "list",
                                 .arity = -2,
                                 .flags = kClientAdmin,
                                 .handler = CmdClientList,
                                 .summary = "Get the list of client connections",
                                 .since = "2.4.0",
                                 .complexity = "O(N) where N is the number of client connections"});
  table.AddSubcommand("client", {.name = "kill",
                                 .arity = -3,
                                 .flags = kClientAdmin,
                                 .handler = CmdClientKill,
                                 .summary = "Kill the connection of a client",
                                 .since = "2.4.0",
                                 .complexity = "O(N) where N is the number of client connections"});
  table.AddSubcommand("client", {.name = "no-evict",
                                 .arity = 3,
                                 .flags = kClientAdmin,
                                 .handler = CmdClientNoEvict,
                                 .summary = "Set client eviction mode for the current connection",
                                 .since = "7.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "no-touch",
                                 .arity = 3,
                                 .flags = kClientFlags,
                                 .handler = CmdClientNoTouch,
                                 .summary = "Controls whether commands sent by the client will "
                                            "alter the LRU/LFU of the keys they access.",
                                 .since = "7.2.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "pause",
                                 .arity = -3,
                                 .flags = kClientAdmin,
                                 .handler = CmdClientPause,
                                 .summary = "Stop processing commands from clients for some time",
                                 .since = "2.9.50",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client",
                      {.name = "unpause",
                       .arity = 2,
                       .flags = kClientAdmin,
                       .handler = CmdClientUnpause,
                       .summary = "Resume processing of clients that were paused",
                       .since = "6.2.0",
                       .complexity = "O(N) Where N is the number of paused clients"});
  table.AddSubcommand("client", {.name = "reply",
                                 .arity = 3,
                                 .flags = kClientFlags,
                                 .handler = CmdClientReply,
                                 .summary = "Instruct the server whether to reply to commands",
                                 .since = "3.2.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdClientHelp,
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
