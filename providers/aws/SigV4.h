#pragma once

#include "HttpClient.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

namespace skydeck::aws {

struct Credentials {
    QString accessKeyId;
    QString secretAccessKey;
    QString sessionToken;  // empty unless temporary credentials
    QDateTime expiration;  // UTC; invalid: they do not expire (static keys)

    bool isEmpty() const { return accessKeyId.isEmpty(); }
    bool expires() const { return expiration.isValid(); }
    // The same key pair and session (what a server refused is what we hold).
    bool sameAs(const Credentials &o) const
    {
        return accessKeyId == o.accessKeyId && sessionToken == o.sessionToken && secretAccessKey == o.secretAccessKey;
    }
};

using QueryItems = QList<std::pair<QByteArray, QByteArray>>;  // decoded UTF-8 name/value pairs

// A request as the signer sees it. path and query are *decoded* (the signer encodes them once,
// the way they go on the wire); headers exclude Host, which comes from `host`.
struct SigV4Request {
    QByteArray method = "GET";
    QByteArray host;          // Host header value, with ":port" when not the scheme's default
    QByteArray path = "/";    // decoded path, e.g. "/bucket/my key.txt"
    QueryItems query;
    HttpHeaders headers;      // signed as given (names lower-cased, values trimmed)
    QByteArray payloadHash;   // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Scope {
    QString region = QStringLiteral("us-east-1");
    QString service = QStringLiteral("s3");
    // S3 signs the path exactly as sent; every other service normalises it (".", "..", "//").
    bool normalizePath = false;
};

struct SigV4Signed {
    QByteArray canonicalRequest;
    QByteArray stringToSign;
    QByteArray signedHeaders;   // "host;x-amz-date"
    QByteArray signature;       // hex
    QByteArray authorization;   // full Authorization header value
};

// AWS Signature Version 4 (HMAC-SHA256 through OpenSSL).
class SigV4
{
public:
    static constexpr const char *kUnsignedPayload = "UNSIGNED-PAYLOAD";
    static constexpr int kMaxPresignSeconds = 7 * 24 * 3600;

    // RFC 3986 percent-encoding as SigV4 wants it: every byte except A-Z a-z 0-9 - . _ ~ (and '/'
    // when keepSlash) becomes %XX with upper-case hex.
    static QByteArray uriEncode(const QByteArray &bytes, bool keepSlash);
    static QByteArray normalizePath(const QByteArray &path);
    static QByteArray canonicalUri(const QByteArray &path, bool normalize);
    static QByteArray canonicalQuery(const QueryItems &query);
    // "20150830T123600Z"
    static QByteArray amzDate(const QDateTime &utc);

    static QByteArray sha256(const QByteArray &data);  // raw 32 bytes
    static QByteArray sha256Hex(const QByteArray &data);
    static QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
    static QByteArray signingKey(const QString &secret, const QByteArray &date8, const QString &region,
                                 const QString &service);

    // Signs for an Authorization header. The caller's headers must already hold X-Amz-Date (or
    // Date) and, for S3, x-amz-content-sha256 and x-amz-security-token: use signHeaders() to have
    // them added.
    static SigV4Signed sign(const SigV4Request &request, const Credentials &credentials, const SigV4Scope &scope,
                            const QDateTime &when);

    // Adds x-amz-date, x-amz-content-sha256 (S3 only), x-amz-security-token (when a session token is
    // set) and Authorization to request.headers and signs them.
    static SigV4Signed signHeaders(SigV4Request &request, const Credentials &credentials, const SigV4Scope &scope,
                                   const QDateTime &when);

    // Presigned URL: X-Amz-Algorithm/Credential/Date/Expires/SignedHeaders(/Security-Token) added to
    // the query, payload "UNSIGNED-PAYLOAD", X-Amz-Signature appended. expirySeconds: 1..7 days.
    static Result<QUrl> presign(const QByteArray &scheme, const SigV4Request &request, const Credentials &credentials,
                                const SigV4Scope &scope, const QDateTime &when, int expirySeconds,
                                SigV4Signed *details = nullptr);

    // The encoded wire form "path?query" for the request (what sign() covers).
    static QByteArray encodedTarget(const SigV4Request &request);

    // A Query API form (EC2, STS): "Action=...&Version=..." with names and values RFC 3986-encoded
    // (a space as '+'), in the given order, as the AWS SDKs send it.
    static QByteArray formBody(const QueryItems &params);
    // Signs a Query API POST (its URL's host and path, its body and Content-Type) for region and
    // service at `when`: sets Authorization, X-Amz-Date and, for temporary credentials,
    // X-Amz-Security-Token. Nothing happens without an access key.
    static void signQueryPost(HttpRequest &request, const Credentials &credentials, const QString &region,
                              const QString &service, const QDateTime &when);
};

} // namespace skydeck::aws
