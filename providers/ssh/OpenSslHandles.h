#pragma once

// RAII for the OpenSSL objects the SSH code uses (keys, contexts, numbers), and SecretBytes, a
// buffer for private key material that is cleansed (OPENSSL_cleanse) when it goes away.

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>
#include <memory>
#include <vector>

namespace skydeck::ssh {

struct EvpPkeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct EvpPkeyCtxFree {
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
struct EvpMdCtxFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
struct EvpCipherCtxFree {
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
struct BnClearFree {  // numbers may be private (d, p, q): cleared before they are freed
    void operator()(BIGNUM *b) const { BN_clear_free(b); }
};
struct BnCtxFree {
    void operator()(BN_CTX *c) const { BN_CTX_free(c); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD *b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {  // OSSL_PARAM_BLD_to_param gives secure memory for private numbers: cleared on free
    void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG *s) const { ECDSA_SIG_free(s); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using BignumPtr = std::unique_ptr<BIGNUM, BnClearFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

// Bytes that may hold a secret (a key file's text, a decrypted private section, a derived key):
// move-only, cleansed on destruction and before every resize that could leave a copy behind.
class SecretBytes
{
public:
    SecretBytes() = default;
    explicit SecretBytes(size_t size) : m_bytes(size, 0) {}
    SecretBytes(const void *data, size_t size)
        : m_bytes(static_cast<const uint8_t *>(data), static_cast<const uint8_t *>(data) + size)
    {
    }
    ~SecretBytes() { clear(); }
    SecretBytes(SecretBytes &&o) noexcept : m_bytes(std::move(o.m_bytes)) { o.m_bytes.clear(); }
    SecretBytes &operator=(SecretBytes &&o) noexcept
    {
        if (this != &o) {
            clear();
            m_bytes = std::move(o.m_bytes);
            o.m_bytes.clear();
        }
        return *this;
    }
    SecretBytes(const SecretBytes &) = delete;
    SecretBytes &operator=(const SecretBytes &) = delete;

    uint8_t *data() { return m_bytes.data(); }
    const uint8_t *data() const { return m_bytes.data(); }
    size_t size() const { return m_bytes.size(); }
    bool empty() const { return m_bytes.empty(); }
    QByteArrayView view() const { return QByteArrayView(m_bytes.data(), qsizetype(m_bytes.size())); }
    // Shrinks (never grows) the buffer in place; the bytes cut off are cleansed.
    void truncate(size_t size)
    {
        if (size >= m_bytes.size())
            return;
        OPENSSL_cleanse(m_bytes.data() + size, m_bytes.size() - size);
        m_bytes.resize(size);
    }
    void clear()
    {
        if (!m_bytes.empty())
            OPENSSL_cleanse(m_bytes.data(), m_bytes.size());
        m_bytes.clear();
    }

private:
    std::vector<uint8_t> m_bytes;
};

// Cleanses a QByteArray that held a secret (a passphrase as UTF-8), in place.
inline void cleanse(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        OPENSSL_cleanse(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

} // namespace skydeck::ssh
