#pragma once

// bcrypt_pbkdf, the key derivation OpenSSH uses for passphrase-protected private keys
// ("openssh-key-v1" files, kdfname "bcrypt"), as OpenBSD's bcrypt_pbkdf.c defines it: PBKDF2-like
// rounds of a bcrypt hash of the SHA-512 of the passphrase and of the salt, its output spread over
// the key non-linearly. Debian 12 offers it in no public library (libssh2 1.10 keeps its copy
// private), so it is here, checked against OpenBSD's test vectors (tst_bcryptpbkdf) and against
// keys ssh-keygen encrypted (tst_userkey).

#include <cstddef>
#include <cstdint>

namespace skydeck::ssh {

// The most rounds a key file may ask for (ssh-keygen's default is 16, -a 100 is common); each round
// costs about a millisecond per 32 bytes of key, and a file asking 2^32 would stall its worker for days.
constexpr unsigned kMaxBcryptRounds = 4096;

// Fills key[0..keyLength) from the passphrase and salt. False (nothing written) for an empty
// passphrase or salt, 0 or more than kMaxBcryptRounds rounds, or a key longer than 1024 bytes.
// Every intermediate value is cleansed before returning.
bool bcryptPbkdf(const uint8_t *passphrase, size_t passphraseLength, const uint8_t *salt, size_t saltLength,
                 uint8_t *key, size_t keyLength, unsigned rounds);

} // namespace skydeck::ssh
