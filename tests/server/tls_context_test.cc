// BuildTlsContext (server/tls_context.h): what a context is built from and Redis's error lines
// when it cannot be. Handshakes, reloads and client certificates on real connections are compared
// with redis-server in tests/python/test_tls.py.
#include "server/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace drayman {
namespace {

// A self-signed certificate with its key (and the key again, encrypted with "sesame"), written
// once per test binary under the test temporary directory.
class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ =
        new std::string(::testing::TempDir() + "drayman_tls_context_" + std::to_string(getpid()));
    std::filesystem::create_directories(*directory_);
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    FILE* file = std::fopen(Path("cert.pem").c_str(), "w");
    PEM_write_X509(file, cert);
    std::fclose(file);
    file = std::fopen(Path("key.pem").c_str(), "w");
    PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(file);
    file = std::fopen(Path("locked.pem").c_str(), "w");
    static char pass[] = "sesame";
    PEM_write_PrivateKey(file, key, EVP_aes_128_cbc(), nullptr, 0, nullptr, pass);
    std::fclose(file);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*directory_);
    delete directory_;
  }
  static std::string Path(const std::string& file) { return *directory_ + "/" + file; }

  // Valid settings: certificate, key, CA (the certificate itself) and a TLS port.
  Settings Valid() const {
    Settings settings;
    settings.tls_port = 6380;
    settings.tls_cert_file = Path("cert.pem");
    settings.tls_key_file = Path("key.pem");
    settings.tls_ca_cert_file = Path("cert.pem");
    return settings;
  }
  std::string ErrorFor(const Settings& settings) {
    std::string error;
    EXPECT_EQ(BuildTlsContext(settings, &error), nullptr);
    return error;
  }

  static std::string* directory_;
};
std::string* TlsContextTest::directory_ = nullptr;

TEST_F(TlsContextTest, BuildsFromValidSettingsWithRedisSessionCache) {
  std::string error;
  auto context = BuildTlsContext(Valid(), &error);
  ASSERT_NE(context, nullptr) << error;
  SSL_CTX* ctx = context->native_handle();
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
  EXPECT_EQ(SSL_CTX_sess_get_cache_size(ctx), 20 * 1024);
  EXPECT_EQ(SSL_CTX_get_timeout(ctx), 300);
  // Default protocols: TLSv1.2 and TLSv1.3 only.
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_TLSv1_1, 0u);
  EXPECT_EQ(SSL_CTX_get_options(ctx) & SSL_OP_NO_TLSv1_2, 0u);
  EXPECT_EQ(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);

  Settings settings = Valid();
  settings.tls_session_caching = false;
  settings.tls_prefer_server_ciphers = true;
  settings.tls_protocols = "tlsv1.3";
  context = BuildTlsContext(settings, &error);
  ASSERT_NE(context, nullptr) << error;
  ctx = context->native_handle();
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_TLSv1_2, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
}

TEST_F(TlsContextTest, MissingFilesGiveRedisLines) {
  Settings settings = Valid();
  settings.tls_cert_file.clear();
  EXPECT_EQ(ErrorFor(settings), "No tls-cert-file configured!");
  settings = Valid();
  settings.tls_key_file.clear();
  EXPECT_EQ(ErrorFor(settings), "No tls-key-file configured!");
  settings = Valid();
  settings.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(ErrorFor(settings),
            "Failed to load certificate: /nonexistent/cert.pem: error:80000002:system "
            "library::No such file or directory");
  settings = Valid();
  settings.tls_ca_cert_file.clear();
  EXPECT_EQ(ErrorFor(settings),
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!");
  settings.tls_auth_clients = "no";  // no client certificates to verify: no CA needed
  std::string error;
  EXPECT_NE(BuildTlsContext(settings, &error), nullptr) << error;
}

TEST_F(TlsContextTest, ProtocolsCiphersAndCiphersuites) {
  Settings settings = Valid();
  settings.tls_protocols = "TLSv1.2  TLSv1.3";  // an empty word between two spaces, as Redis
  EXPECT_EQ(ErrorFor(settings),
            "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
            "and 'TLSv1.3'.");
  settings = Valid();
  settings.tls_ciphers = "NOPE";
  EXPECT_EQ(ErrorFor(settings), "Failed to configure ciphers: NOPE");
  settings = Valid();
  settings.tls_ciphersuites = "NOPE";
  EXPECT_EQ(ErrorFor(settings), "Failed to configure ciphersuites: NOPE");
}

TEST_F(TlsContextTest, KeyPassPhrase) {
  Settings settings = Valid();
  settings.tls_key_file = Path("locked.pem");
  settings.tls_key_file_pass = "sesame";
  std::string error;
  EXPECT_NE(BuildTlsContext(settings, &error), nullptr) << error;
  settings.tls_key_file_pass = "wrong";
  EXPECT_EQ(ErrorFor(settings).rfind("Failed to load private key: " + Path("locked.pem") + ": ", 0),
            0u);
  settings.tls_key_file_pass.clear();
  EXPECT_EQ(ErrorFor(settings).rfind("Failed to load private key: ", 0), 0u);
}

TEST_F(TlsContextTest, AuthClientsModesAndWhenTlsIsNeeded) {
  EXPECT_EQ(TlsVerifyMode("no"), SSL_VERIFY_NONE);
  EXPECT_EQ(TlsVerifyMode("optional"), SSL_VERIFY_PEER);
  EXPECT_EQ(TlsVerifyMode("yes"), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  Settings settings;
  EXPECT_FALSE(TlsNeeded(settings));
  settings.tls_replication = true;
  EXPECT_TRUE(TlsNeeded(settings));
  settings = Settings();
  settings.tls_port = 6380;
  EXPECT_TRUE(TlsNeeded(settings));
}

}  // namespace
}  // namespace drayman
