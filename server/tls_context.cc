#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "broker/command/command_table.h"

namespace drayman {

namespace {

enum TlsProtocol : int {
  kTlsV1 = 1 << 0,
  kTlsV1_1 = 1 << 1,
  kTlsV1_2 = 1 << 2,
  kTlsV1_3 = 1 << 3,
};
constexpr int kDefaultProtocols = kTlsV1_2 | kTlsV1_3;

// tls-protocols: words split on single spaces (as Redis's sdssplitlen), case-insensitive;
// -1 with Redis's log line when a word is not a protocol.
int ParseProtocols(const std::string& text, std::string* error) {
  if (text.empty()) return kDefaultProtocols;
  int protocols = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t space = text.find(' ', start);
    if (space == std::string::npos) space = text.size();
    const std::string_view word(text.data() + start, space - start);
    if (EqualsIgnoreCase(word, "tlsv1")) {
      protocols |= kTlsV1;
    } else if (EqualsIgnoreCase(word, "tlsv1.1")) {
      protocols |= kTlsV1_1;
    } else if (EqualsIgnoreCase(word, "tlsv1.2")) {
      protocols |= kTlsV1_2;
    } else if (EqualsIgnoreCase(word, "tlsv1.3")) {
      protocols |= kTlsV1_3;
    } else {
      *error =
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
          "and 'TLSv1.3'.";
      return -1;
    }
    start = space + 1;
  }
  return protocols;
}

// OpenSSL asks for the key's pass phrase through this; `userdata` is the pass phrase or null.
int PassPhraseCallback(char* buffer, int size, int /*rwflag*/, void* userdata) {
  if (userdata == nullptr) return -1;
  const auto* pass = static_cast<const std::string*>(userdata);
  if (pass->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buffer, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPointer = std::unique_ptr<SSL_CTX, CtxDeleter>;

// What server and client contexts share (Redis's createSSLContext).
CtxPointer CreateBaseContext(const Settings& settings, int protocols, bool client,
                             std::string* error) {
  const std::string& cert_file = client ? settings.tls_client_cert_file : settings.tls_cert_file;
  const std::string& key_file = client ? settings.tls_client_key_file : settings.tls_key_file;
  const std::string& key_pass =
      client ? settings.tls_client_key_file_pass : settings.tls_key_file_pass;
  CtxPointer ctx(SSL_CTX_new(client ? TLS_client_method() : TLS_server_method()));
  if (!ctx) {
    *error = "Failed to create an OpenSSL context: " + TakeOpenSslError();
    return nullptr;
  }
  SSL_CTX* raw = ctx.get();
  SSL_CTX_set_options(raw, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION |
                               SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS);
  if (!(protocols & kTlsV1)) SSL_CTX_set_options(raw, SSL_OP_NO_TLSv1);
  if (!(protocols & kTlsV1_1)) SSL_CTX_set_options(raw, SSL_OP_NO_TLSv1_1);
  if (!(protocols & kTlsV1_2)) SSL_CTX_set_options(raw, SSL_OP_NO_TLSv1_2);
  if (!(protocols & kTlsV1_3)) SSL_CTX_set_options(raw, SSL_OP_NO_TLSv1_3);
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  // The pass phrase is only needed while the key loads; the callback data is dropped after.
  SSL_CTX_set_default_passwd_cb(raw, PassPhraseCallback);
  SSL_CTX_set_default_passwd_cb_userdata(
      raw, key_pass.empty() ? nullptr : const_cast<std::string*>(&key_pass));
  ERR_clear_error();
  bool loaded = false;
  if (SSL_CTX_use_certificate_chain_file(raw, cert_file.c_str()) <= 0) {
    *error = "Failed to load certificate: " + cert_file + ": " + TakeOpenSslError();
  } else if (SSL_CTX_use_PrivateKey_file(raw, key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
    *error = "Failed to load private key: " + key_file + ": " + TakeOpenSslError();
  } else {
    loaded = true;
  }
  SSL_CTX_set_default_passwd_cb_userdata(raw, nullptr);
  if (!loaded) return nullptr;

  const std::string& ca_file = settings.tls_ca_cert_file;
  const std::string& ca_dir = settings.tls_ca_cert_dir;
  if ((!ca_file.empty() || !ca_dir.empty()) &&
      SSL_CTX_load_verify_locations(raw, ca_file.empty() ? nullptr : ca_file.c_str(),
                                    ca_dir.empty() ? nullptr : ca_dir.c_str()) <= 0) {
    *error = "Failed to configure CA certificate(s) file/directory: " + TakeOpenSslError();
    return nullptr;
  }
  if (!settings.tls_ciphers.empty() &&
      !SSL_CTX_set_cipher_list(raw, settings.tls_ciphers.c_str())) {
    ERR_clear_error();
    *error = "Failed to configure ciphers: " + settings.tls_ciphers;
    return nullptr;
  }
  if (!settings.tls_ciphersuites.empty() &&
      !SSL_CTX_set_ciphersuites(raw, settings.tls_ciphersuites.c_str())) {
    ERR_clear_error();
    *error = "Failed to configure ciphersuites: " + settings.tls_ciphersuites;
    return nullptr;
  }
  return ctx;
}

// tls-dh-params-file: PEM DH parameters; without one OpenSSL picks them (SSL_CTX_set_dh_auto).
bool ConfigureDhParams(SSL_CTX* ctx, const std::string& path, std::string* error) {
  if (path.empty()) {
    SSL_CTX_set_dh_auto(ctx, 1);
    return true;
  }
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    *error = "Failed to load " + path + ": " + std::strerror(errno);
    return false;
  }
  BIO* bio = BIO_new_fp(file, BIO_CLOSE);
  EVP_PKEY* params = bio ? PEM_read_bio_Parameters(bio, nullptr) : nullptr;
  if (bio) {
    BIO_free(bio);
  } else {
    std::fclose(file);
  }
  if (params == nullptr) {
    ERR_clear_error();
    *error = path + ": failed to read DH params.";
    return false;
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) <= 0) {  // takes ownership only on success
    *error = "Failed to load DH params file: " + path + ": " + TakeOpenSslError();
    EVP_PKEY_free(params);
    return false;
  }
  return true;
}

}  // namespace

std::string TakeOpenSslError(const std::string& fallback) {
  const unsigned long code = ERR_get_error();  // the first (oldest) error, as Redis reports
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

std::string TlsErrorText(const boost::system::error_code& error) {
  if (error.category() != boost::asio::error::get_ssl_category()) return error.message();
  char text[256];
  ERR_error_string_n(static_cast<unsigned long>(error.value()), text, sizeof(text));
  return text;
}

bool TlsNeeded(const Settings& settings) {
  return settings.tls_port != 0 || settings.tls_replication || settings.tls_cluster;
}

std::shared_ptr<TlsContext> BuildTlsContext(const Settings& settings, std::string* error) {
  if (settings.tls_cert_file.empty()) {
    *error = "No tls-cert-file configured!";
    return nullptr;
  }
  if (settings.tls_key_file.empty()) {
    *error = "No tls-key-file configured!";
    return nullptr;
  }
  if ((settings.tls_auth_clients != "no" || settings.tls_cluster || settings.tls_replication) &&
      settings.tls_ca_cert_file.empty() && settings.tls_ca_cert_dir.empty()) {
    *error =
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
        "tls-replication or tls-auth-clients are enabled!";
    return nullptr;
  }
  const int protocols = ParseProtocols(settings.tls_protocols, error);
  if (protocols == -1) return nullptr;

  CtxPointer ctx = CreateBaseContext(settings, protocols, /*client=*/false, error);
  if (!ctx) return nullptr;
  SSL_CTX* raw = ctx.get();
  if (settings.tls_session_caching) {
    static constexpr unsigned char kSessionIdContext[] = {'r', 'e', 'd', 'i', 's'};
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(raw, settings.tls_session_cache_size);
    SSL_CTX_set_timeout(raw, settings.tls_session_cache_timeout);
    SSL_CTX_set_session_id_context(raw, kSessionIdContext, sizeof(kSessionIdContext));
  } else {
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
  }
  // OpenSSL 3 refuses client-initiated renegotiation by default (Redis sets
  // SSL_OP_NO_CLIENT_RENEGOTIATION where it exists).
  SSL_CTX_set_options(raw, SSL_OP_SINGLE_DH_USE);
  if (settings.tls_prefer_server_ciphers) {
    SSL_CTX_set_options(raw, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (!ConfigureDhParams(raw, settings.tls_dh_params_file, error)) return nullptr;
  // Redis builds a client context when both client files are set; Drayman has no use for one
  // but refuses the same bad files.
  if (!settings.tls_client_cert_file.empty() && !settings.tls_client_key_file.empty() &&
      !CreateBaseContext(settings, protocols, /*client=*/true, error)) {
    return nullptr;
  }
  return std::make_shared<TlsContext>(ctx.release());
}

int TlsVerifyMode(const std::string& tls_auth_clients) {
  if (tls_auth_clients == "no") return SSL_VERIFY_NONE;
  if (tls_auth_clients == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

}  // namespace drayman
