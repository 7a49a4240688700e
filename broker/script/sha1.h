// SHA-1 in lowercase hex, the script cache key (EVALSHA, SCRIPT LOAD) and redis.sha1hex.
//
// Contract: Sha1Hex returns the 40-character lowercase hex digest of `data` (any bytes). It uses
// OpenSSL's libcrypto (EVP interface), a maintained public API with hardware-accelerated SHA-1.
#pragma once

#include <string>
#include <string_view>

namespace drayman {

std::string Sha1Hex(std::string_view data);

}  // namespace drayman
