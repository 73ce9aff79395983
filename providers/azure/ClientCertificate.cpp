#include "ClientCertificate.h"

#include "SmallFile.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

namespace skydeck::azure {

namespace {

struct BioFree {
    void operator()(BIO *b) const { BIO_free(b); }
};
struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};

// OpenSSL's passphrase callback: the given password, or none (never the terminal prompt).
int passwordCallback(char *buf, int size, int /*rwflag*/, void *userdata)
{
    const auto *password = static_cast<const QByteArray *>(userdata);
    if (!password || password->isEmpty() || password->size() > size)
        return 0;
    std::memcpy(buf, password->constData(), size_t(password->size()));
    return int(password->size());
}

QByteArray b64url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Error certError(const QString &message)
{
    return Error(Error::Category::Auth, QStringLiteral("Azure sign-in: ") + message, QStringLiteral("InvalidCertificate"));
}

} // namespace

struct ClientCertificate::Key {
    EVP_PKEY *pkey = nullptr;
    ~Key() { EVP_PKEY_free(pkey); }
};

ClientCertificate::~ClientCertificate() = default;

Result<std::shared_ptr<const ClientCertificate>> ClientCertificate::load(const QString &pemPath, const QByteArray &password)
{
    const std::optional<QByteArray> pem = readSmallFile(pemPath, 1 << 20);
    if (!pem)
        return certError(QStringLiteral("the certificate file %1 (AZURE_CLIENT_CERTIFICATE_PATH) cannot be read").arg(pemPath));
    // PEM_read_bio_* skip blocks of other kinds, so the key and the certificate may come in any order.
    std::unique_ptr<BIO, BioFree> keyBio(BIO_new_mem_buf(pem->constData(), int(pem->size())));
    QByteArray pw = password;
    std::shared_ptr<ClientCertificate> c(new ClientCertificate);
    c->m_key = std::make_unique<Key>();
    c->m_key->pkey = PEM_read_bio_PrivateKey(keyBio.get(), nullptr, passwordCallback, &pw);
    if (!c->m_key->pkey)
        return certError(password.isEmpty()
                             ? QStringLiteral("no private key in %1 (an encrypted one needs AZURE_CLIENT_CERTIFICATE_PASSWORD)").arg(pemPath)
                             : QStringLiteral("no private key in %1, or AZURE_CLIENT_CERTIFICATE_PASSWORD does not open it").arg(pemPath));
    if (EVP_PKEY_get_base_id(c->m_key->pkey) != EVP_PKEY_RSA)
        return certError(QStringLiteral("the key in %1 is not an RSA key").arg(pemPath));
    std::unique_ptr<BIO, BioFree> certBio(BIO_new_mem_buf(pem->constData(), int(pem->size())));
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return certError(QStringLiteral("no certificate in %1 (it needs the private key and the certificate)").arg(pemPath));
    if (X509_check_private_key(cert.get(), c->m_key->pkey) != 1)
        return certError(QStringLiteral("the private key in %1 is not the certificate's").arg(pemPath));
    unsigned char *der = nullptr;
    const int derLen = i2d_X509(cert.get(), &der);
    if (derLen <= 0)
        return certError(QStringLiteral("the certificate in %1 cannot be encoded").arg(pemPath));
    const QByteArray derBytes(reinterpret_cast<const char *>(der), derLen);
    OPENSSL_free(der);
    c->m_sha1 = QCryptographicHash::hash(derBytes, QCryptographicHash::Sha1);
    c->m_sha256 = QCryptographicHash::hash(derBytes, QCryptographicHash::Sha256);
    return std::shared_ptr<const ClientCertificate>(std::move(c));
}

Result<QByteArray> ClientCertificate::assertion(const QString &clientId, const QString &audience, const QDateTime &now) const
{
    QJsonObject header;
    header.insert(QStringLiteral("alg"), QStringLiteral("RS256"));
    header.insert(QStringLiteral("typ"), QStringLiteral("JWT"));
    header.insert(QStringLiteral("x5t"), QString::fromLatin1(b64url(m_sha1)));
    header.insert(QStringLiteral("x5t#S256"), QString::fromLatin1(b64url(m_sha256)));
    const qint64 t = now.toSecsSinceEpoch();
    QJsonObject claims;
    claims.insert(QStringLiteral("aud"), audience);
    claims.insert(QStringLiteral("iss"), clientId);
    claims.insert(QStringLiteral("sub"), clientId);
    claims.insert(QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    claims.insert(QStringLiteral("nbf"), t);
    claims.insert(QStringLiteral("iat"), t);
    claims.insert(QStringLiteral("exp"), t + 600);
    const QByteArray input = b64url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + b64url(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key->pkey) != 1
        || EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(input.constData()),
                          size_t(input.size())) != 1)
        return certError(QStringLiteral("signing the client assertion failed"));
    QByteArray sig(qsizetype(len), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len,
                       reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size())) != 1)
        return certError(QStringLiteral("signing the client assertion failed"));
    sig.resize(qsizetype(len));
    return QByteArray(input + '.' + b64url(sig));
}

} // namespace skydeck::azure
