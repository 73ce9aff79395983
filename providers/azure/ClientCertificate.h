#pragma once

#include "Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <memory>

namespace skydeck::azure {

// A service principal's certificate and private key from one PEM file, as azure-identity's
// CertificateCredential and `az login --service-principal -p` read AZURE_CLIENT_CERTIFICATE_PATH (the
// key, PKCS#8 or PKCS#1, encrypted with `password` or not, and the certificate, in either order). It
// signs client assertions as the identity platform's "certificate credentials" page describes: header
// alg RS256, typ JWT, x5t (base64url SHA-1 thumbprint of the DER certificate, as MSAL sends it) and
// x5t#S256 (SHA-256); claims aud (the token endpoint), iss = sub = the client id, jti, nbf, iat, exp
// (10 minutes). RSA keys only. Errors name the file, never key material.
class ClientCertificate
{
public:
    static Result<std::shared_ptr<const ClientCertificate>> load(const QString &pemPath, const QByteArray &password);
    ~ClientCertificate();
    ClientCertificate(const ClientCertificate &) = delete;
    ClientCertificate &operator=(const ClientCertificate &) = delete;

    QByteArray sha1Thumbprint() const { return m_sha1; }      // raw digest of the DER certificate
    QByteArray sha256Thumbprint() const { return m_sha256; }
    Result<QByteArray> assertion(const QString &clientId, const QString &audience, const QDateTime &now) const;

private:
    ClientCertificate() = default;
    struct Key;
    std::unique_ptr<Key> m_key;
    QByteArray m_sha1, m_sha256;
};

} // namespace skydeck::azure
