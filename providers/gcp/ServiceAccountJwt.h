#pragma once

#include "Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace skydeck::gcp {

// The claims of a service account's OAuth 2.0 JWT bearer assertion
// (https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests).
struct JwtClaims {
    QString issuer;    // iss: the service account's client_email
    QString scope;     // space-separated scopes
    QString audience;  // aud: https://oauth2.googleapis.com/token (Google's documented value)
    QDateTime issuedAt;
    int lifetimeSeconds = 3600;  // exp = iat + this (Google accepts at most one hour)
    QString keyId;     // header kid: the key's private_key_id (optional)
};

QByteArray base64Url(const QByteArray &data);

// header.claims.signature, RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signed with the PEM private key
// (PKCS#8 "BEGIN PRIVATE KEY" as in key files, or PKCS#1). Errors name no key material.
Result<QByteArray> signJwt(const JwtClaims &claims, const QByteArray &privateKeyPem);

} // namespace skydeck::gcp
