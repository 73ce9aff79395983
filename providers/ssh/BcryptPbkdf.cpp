#include "BcryptPbkdf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace skydeck::ssh {

namespace {

#include "BlowfishPi.inc"

constexpr size_t kSha512Size = 64;
constexpr size_t kHashWords = 8;               // bcrypt_hash output: 8 words
constexpr size_t kHashSize = kHashWords * 4;   // 32 bytes

// Blowfish's state with the "expensive key schedule" steps bcrypt needs (Provos & Mazières,
// "A Future-Adaptable Password Scheme", 1999): expandState mixes a salt in while rekeying,
// expand0State is the plain Blowfish key schedule applied to the current state.
struct Blowfish {
    uint32_t s[4][256];
    uint32_t p[18];

    void init()
    {
        std::memcpy(s, kBlowfishInitS, sizeof s);
        std::memcpy(p, kBlowfishInitP, sizeof p);
    }

    uint32_t f(uint32_t x) const
    {
        return ((s[0][x >> 24] + s[1][(x >> 16) & 0xff]) ^ s[2][(x >> 8) & 0xff]) + s[3][x & 0xff];
    }

    void encipher(uint32_t &left, uint32_t &right) const
    {
        uint32_t l = left;
        uint32_t r = right;
        l ^= p[0];
        for (int i = 1; i <= 16; i += 2) {
            r ^= f(l) ^ p[i];
            l ^= f(r) ^ p[i + 1];
        }
        left = r ^ p[17];
        right = l;
    }

    // Four bytes of `data` as a big-endian word, cycling through data (Blowfish_stream2word).
    static uint32_t streamWord(const uint8_t *data, size_t length, size_t &at)
    {
        uint32_t w = 0;
        for (int i = 0; i < 4; ++i) {
            if (at >= length)
                at = 0;
            w = (w << 8) | data[at++];
        }
        return w;
    }

    void xorKey(const uint8_t *key, size_t keyLength)
    {
        size_t at = 0;
        for (uint32_t &word : p)
            word ^= streamWord(key, keyLength, at);
    }

    // Rekeys P and S by enciphering a running block, XORed with the salt stream first when a salt
    // is given (Blowfish_expandstate), else not (Blowfish_expand0state).
    void rekey(const uint8_t *salt, size_t saltLength)
    {
        size_t at = 0;
        uint32_t l = 0;
        uint32_t r = 0;
        const auto next = [&] {
            if (salt) {
                l ^= streamWord(salt, saltLength, at);
                r ^= streamWord(salt, saltLength, at);
            }
            encipher(l, r);
        };
        for (size_t i = 0; i < 18; i += 2) {
            next();
            p[i] = l;
            p[i + 1] = r;
        }
        for (auto &box : s) {
            for (size_t k = 0; k < 256; k += 2) {
                next();
                box[k] = l;
                box[k + 1] = r;
            }
        }
    }

    void expandState(const uint8_t *salt, size_t saltLength, const uint8_t *key, size_t keyLength)
    {
        xorKey(key, keyLength);
        rekey(salt, saltLength);
    }

    void expand0State(const uint8_t *key, size_t keyLength)
    {
        xorKey(key, keyLength);
        rekey(nullptr, 0);
    }
};

// bcrypt_hash: eksblowfish keyed with the hashed passphrase and salt (64 extra rounds of each),
// then "OxychromaticBlowfishSwatDynamite" enciphered 64 times; words out little-endian.
void bcryptHash(const uint8_t *sha2pass, const uint8_t *sha2salt, uint8_t *out)
{
    static const char kText[] = "OxychromaticBlowfishSwatDynamite";
    static_assert(sizeof kText - 1 == kHashSize);
    Blowfish state;
    state.init();
    state.expandState(sha2salt, kSha512Size, sha2pass, kSha512Size);
    for (int i = 0; i < 64; ++i) {
        state.expand0State(sha2salt, kSha512Size);
        state.expand0State(sha2pass, kSha512Size);
    }
    uint32_t data[kHashWords];
    size_t at = 0;
    for (uint32_t &w : data)
        w = Blowfish::streamWord(reinterpret_cast<const uint8_t *>(kText), kHashSize, at);
    for (int i = 0; i < 64; ++i) {
        for (size_t b = 0; b < kHashWords; b += 2)
            state.encipher(data[b], data[b + 1]);
    }
    for (size_t i = 0; i < kHashWords; ++i) {
        out[4 * i + 3] = uint8_t(data[i] >> 24);
        out[4 * i + 2] = uint8_t(data[i] >> 16);
        out[4 * i + 1] = uint8_t(data[i] >> 8);
        out[4 * i + 0] = uint8_t(data[i]);
    }
    OPENSSL_cleanse(data, sizeof data);
    OPENSSL_cleanse(&state, sizeof state);
}

bool sha512(const uint8_t *a, size_t aLength, const uint8_t *b, size_t bLength, uint8_t *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) == 1 && EVP_DigestUpdate(ctx, a, aLength) == 1
        && (bLength == 0 || EVP_DigestUpdate(ctx, b, bLength) == 1) && EVP_DigestFinal_ex(ctx, out, &n) == 1
        && n == kSha512Size;
    EVP_MD_CTX_free(ctx);
    return ok;
}

} // namespace

bool bcryptPbkdf(const uint8_t *passphrase, size_t passphraseLength, const uint8_t *salt, size_t saltLength,
                 uint8_t *key, size_t keyLength, unsigned rounds)
{
    if (rounds < 1 || rounds > kMaxBcryptRounds || passphraseLength == 0 || saltLength == 0 || keyLength == 0
        || keyLength > kHashSize * kHashSize || !passphrase || !salt || !key)
        return false;
    const size_t stride = (keyLength + kHashSize - 1) / kHashSize;
    const size_t amount = (keyLength + stride - 1) / stride;

    uint8_t sha2pass[kSha512Size];
    uint8_t sha2salt[kSha512Size];
    uint8_t out[kHashSize];
    uint8_t tmp[kHashSize];
    bool ok = sha512(passphrase, passphraseLength, nullptr, 0, sha2pass);
    size_t remaining = keyLength;
    for (uint32_t count = 1; ok && remaining > 0; ++count) {
        const uint8_t countBytes[4] = {uint8_t(count >> 24), uint8_t(count >> 16), uint8_t(count >> 8), uint8_t(count)};
        ok = sha512(salt, saltLength, countBytes, sizeof countBytes, sha2salt);
        if (!ok)
            break;
        bcryptHash(sha2pass, sha2salt, tmp);
        std::memcpy(out, tmp, sizeof out);
        for (unsigned r = 1; ok && r < rounds; ++r) {
            ok = sha512(tmp, sizeof tmp, nullptr, 0, sha2salt);
            bcryptHash(sha2pass, sha2salt, tmp);
            for (size_t j = 0; j < sizeof out; ++j)
                out[j] ^= tmp[j];
        }
        // Not PBKDF2's concatenation: byte i of this block goes to key[i * stride + count - 1].
        const size_t take = std::min(amount, remaining);
        size_t i = 0;
        for (; i < take; ++i) {
            const size_t dest = i * stride + (count - 1);
            if (dest >= keyLength)
                break;
            key[dest] = out[i];
        }
        remaining -= i;
    }
    OPENSSL_cleanse(sha2pass, sizeof sha2pass);
    OPENSSL_cleanse(sha2salt, sizeof sha2salt);
    OPENSSL_cleanse(out, sizeof out);
    OPENSSL_cleanse(tmp, sizeof tmp);
    if (!ok)
        OPENSSL_cleanse(key, keyLength);
    return ok;
}

} // namespace skydeck::ssh
