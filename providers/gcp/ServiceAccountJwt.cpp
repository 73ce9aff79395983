#include "ServiceAccountJwt.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace skydeck::gcp {

namespace {

struct BioFree {
    void operator()(BIO *b) const { BIO_free(b); }
};
struct PkeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};

Error signError(const QString &what)
{
    ERR_clear_error();  // leave no stale error on this thread's OpenSSL queue
    return Error(Error::Category::Auth, QStringLiteral("cannot sign the service-account assertion: ") + what,
                 QStringLiteral("BadPrivateKey"));
}

} // namespace

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> signJwt(const JwtClaims &claims, const QByteArray &privateKeyPem)
{
    QJsonObject header{{QStringLiteral("alg"), QStringLiteral("RS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!claims.keyId.isEmpty())
        header.insert(QStringLiteral("kid"), claims.keyId);
    const qint64 iat = claims.issuedAt.toSecsSinceEpoch();
    const QJsonObject payload{{QStringLiteral("iss"), claims.issuer},
                              {QStringLiteral("scope"), claims.scope},
                              {QStringLiteral("aud"), claims.audience},
                              {QStringLiteral("iat"), iat},
                              {QStringLiteral("exp"), iat + claims.lifetimeSeconds}};
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact));

    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(privateKeyPem.constData(), int(privateKeyPem.size())));
    if (!bio)
        return signError(QStringLiteral("out of memory"));
    // A null passphrase callback with an empty passphrase: an encrypted key fails instead of prompting.
    std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char *>("")));
    if (!key)
        return signError(QStringLiteral("the private key is not a readable PEM key"));
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
        return signError(QStringLiteral("the private key is not an RSA key (RS256 needs one)"));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1
        || EVP_DigestSign(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char *>(signingInput.constData()), size_t(signingInput.size())) != 1)
        return signError(QStringLiteral("OpenSSL refused the key"));
    QByteArray sig(qsizetype(len), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                       reinterpret_cast<const unsigned char *>(signingInput.constData()), size_t(signingInput.size())) != 1)
        return signError(QStringLiteral("signing failed"));
    sig.resize(qsizetype(len));
    return QByteArray(signingInput + '.' + base64Url(sig));
}

} // namespace skydeck::gcp
