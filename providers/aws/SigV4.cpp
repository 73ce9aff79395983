#include "SigV4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>

namespace skydeck::aws {

namespace {
bool isUnreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
}

// Trimall: strip both ends and collapse runs of spaces into one.
QByteArray trimAll(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    bool space = false;
    for (char c : value.trimmed()) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && !out.isEmpty())
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

QByteArray scopeString(const QByteArray &date8, const SigV4Scope &scope)
{
    return date8 + '/' + scope.region.toUtf8() + '/' + scope.service.toUtf8() + "/aws4_request";
}
} // namespace

QByteArray SigV4::uriEncode(const QByteArray &bytes, bool keepSlash)
{
    static const char hex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(bytes.size() * 3);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (isUnreserved(c) || (keepSlash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

QByteArray SigV4::normalizePath(const QByteArray &path)
{
    QList<QByteArray> kept;
    for (const QByteArray &seg : path.split('/')) {
        if (seg.isEmpty() || seg == ".")
            continue;
        if (seg == "..") {
            if (!kept.isEmpty())
                kept.removeLast();
            continue;
        }
        kept.append(seg);
    }
    QByteArray out = "/" + kept.join('/');
    if (path.endsWith('/') && out.size() > 1)
        out += '/';
    return out;
}

QByteArray SigV4::canonicalUri(const QByteArray &path, bool normalize)
{
    QByteArray p = path.isEmpty() ? QByteArray("/") : path;
    if (normalize)
        p = normalizePath(p);
    return uriEncode(p, true);
}

QByteArray SigV4::canonicalQuery(const QueryItems &query)
{
    QList<std::pair<QByteArray, QByteArray>> encoded;
    encoded.reserve(query.size());
    for (const auto &[k, v] : query)
        encoded.append({uriEncode(k, false), uriEncode(v, false)});
    std::sort(encoded.begin(), encoded.end());
    QByteArray out;
    for (const auto &[k, v] : encoded) {
        if (!out.isEmpty())
            out += '&';
        out += k + '=' + v;
    }
    return out;
}

QByteArray SigV4::amzDate(const QDateTime &utc)
{
    return utc.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QByteArray SigV4::sha256(const QByteArray &data)
{
    QByteArray out(SHA256_DIGEST_LENGTH, Qt::Uninitialized);
    SHA256(reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size()),
           reinterpret_cast<unsigned char *>(out.data()));
    return out;
}

QByteArray SigV4::sha256Hex(const QByteArray &data)
{
    return sha256(data).toHex();
}

QByteArray SigV4::hmacSha256(const QByteArray &key, const QByteArray &data)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.constData(), int(key.size()), reinterpret_cast<const unsigned char *>(data.constData()),
         size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()), &len);
    out.truncate(int(len));
    return out;
}

QByteArray SigV4::signingKey(const QString &secret, const QByteArray &date8, const QString &region,
                             const QString &service)
{
    const QByteArray kDate = hmacSha256("AWS4" + secret.toUtf8(), date8);
    const QByteArray kRegion = hmacSha256(kDate, region.toUtf8());
    const QByteArray kService = hmacSha256(kRegion, service.toUtf8());
    return hmacSha256(kService, "aws4_request");
}

SigV4Signed SigV4::sign(const SigV4Request &request, const Credentials &credentials, const SigV4Scope &scope,
                        const QDateTime &when)
{
    // Lower-cased names; repeated headers joined with ',' in the order given; sorted by name.
    QList<std::pair<QByteArray, QByteArray>> headers;
    headers.append({"host", trimAll(request.host)});
    for (const auto &[name, value] : request.headers) {
        const QByteArray lname = name.trimmed().toLower();
        if (lname == "authorization" || lname == "host")
            continue;
        auto it = std::find_if(headers.begin(), headers.end(), [&](const auto &h) { return h.first == lname; });
        if (it != headers.end())
            it->second += ',' + trimAll(value);
        else
            headers.append({lname, trimAll(value)});
    }
    std::stable_sort(headers.begin(), headers.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    SigV4Signed s;
    QByteArray canonicalHeaders;
    for (const auto &[name, value] : headers) {
        canonicalHeaders += name + ':' + value + '\n';
        if (!s.signedHeaders.isEmpty())
            s.signedHeaders += ';';
        s.signedHeaders += name;
    }
    const QByteArray payload = request.payloadHash.isEmpty() ? sha256Hex({}) : request.payloadHash;
    s.canonicalRequest = request.method.toUpper() + '\n' + canonicalUri(request.path, scope.normalizePath) + '\n'
        + canonicalQuery(request.query) + '\n' + canonicalHeaders + '\n' + s.signedHeaders + '\n' + payload;

    const QByteArray stamp = amzDate(when);
    const QByteArray date8 = stamp.left(8);
    s.stringToSign = "AWS4-HMAC-SHA256\n" + stamp + '\n' + scopeString(date8, scope) + '\n'
        + sha256Hex(s.canonicalRequest);
    s.signature = hmacSha256(signingKey(credentials.secretAccessKey, date8, scope.region, scope.service), s.stringToSign)
                      .toHex();
    s.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId.toUtf8() + '/'
        + scopeString(date8, scope) + ", SignedHeaders=" + s.signedHeaders + ", Signature=" + s.signature;
    return s;
}

SigV4Signed SigV4::signHeaders(SigV4Request &request, const Credentials &credentials, const SigV4Scope &scope,
                               const QDateTime &when)
{
    auto set = [&](const QByteArray &name, const QByteArray &value) {
        request.headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
        request.headers.append(std::make_pair(name, value));
    };
    request.headers.removeIf([](const auto &h) { return h.first.compare("authorization", Qt::CaseInsensitive) == 0; });
    if (request.payloadHash.isEmpty())
        request.payloadHash = sha256Hex({});
    set("x-amz-date", amzDate(when));
    if (scope.service == QLatin1String("s3"))
        set("x-amz-content-sha256", request.payloadHash);
    if (!credentials.sessionToken.isEmpty())
        set("x-amz-security-token", credentials.sessionToken.toUtf8());
    SigV4Signed s = sign(request, credentials, scope, when);
    request.headers.append({"Authorization", s.authorization});
    return s;
}

Result<QUrl> SigV4::presign(const QByteArray &scheme, const SigV4Request &request, const Credentials &credentials,
                            const SigV4Scope &scope, const QDateTime &when, int expirySeconds, SigV4Signed *details)
{
    if (expirySeconds < 1 || expirySeconds > kMaxPresignSeconds)
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("A presigned URL must expire within 1 second to 7 days (got %1 s)").arg(expirySeconds));
    if (credentials.accessKeyId.isEmpty())
        return Error(Error::Category::Auth, QStringLiteral("No access key to sign the URL with"));
    SigV4Request r = request;
    r.payloadHash = kUnsignedPayload;
    const QByteArray stamp = amzDate(when);
    SigV4Signed probe;  // signed headers first: they go into the query
    {
        QList<QByteArray> lnames;
        for (const auto &h : r.headers)
            lnames.append(h.first.trimmed().toLower());
        lnames.removeAll("host");
        lnames.removeAll("authorization");
        std::sort(lnames.begin(), lnames.end());
        lnames.erase(std::unique(lnames.begin(), lnames.end()), lnames.end());
        lnames.append("host");
        std::sort(lnames.begin(), lnames.end());
        probe.signedHeaders = lnames.join(';');
    }
    auto add = [&r](const QByteArray &k, const QByteArray &v) { r.query.append(std::make_pair(k, v)); };
    add("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    add("X-Amz-Credential", credentials.accessKeyId.toUtf8() + '/' + scopeString(stamp.left(8), scope));
    add("X-Amz-Date", stamp);
    add("X-Amz-Expires", QByteArray::number(expirySeconds));
    add("X-Amz-SignedHeaders", probe.signedHeaders);
    if (!credentials.sessionToken.isEmpty())
        add("X-Amz-Security-Token", credentials.sessionToken.toUtf8());
    SigV4Signed s = sign(r, credentials, scope, when);
    if (details)
        *details = s;
    const QByteArray url = scheme + "://" + r.host + uriEncode(r.path.isEmpty() ? QByteArray("/") : r.path, true) + '?'
        + canonicalQuery(r.query) + "&X-Amz-Signature=" + s.signature;
    QUrl out = QUrl::fromEncoded(url, QUrl::StrictMode);
    if (!out.isValid())
        return Error(Error::Category::InvalidInput, QStringLiteral("Could not build a presigned URL"));
    return out;
}

QByteArray SigV4::encodedTarget(const SigV4Request &request)
{
    QByteArray t = uriEncode(request.path.isEmpty() ? QByteArray("/") : request.path, true);
    const QByteArray q = canonicalQuery(request.query);
    if (!q.isEmpty())
        t += '?' + q;
    return t;
}

QByteArray SigV4::formBody(const QueryItems &params)
{
    // As botocore's urlencode: servers that check the signature over the form re-encoded that way
    // (moto) then see the same bytes.
    auto encode = [](const QByteArray &v) { return uriEncode(v, false).replace("%20", "+"); };
    QByteArray body;
    for (const auto &[name, value] : params) {
        if (!body.isEmpty())
            body += '&';
        body += encode(name) + '=' + encode(value);
    }
    return body;
}

void SigV4::signQueryPost(HttpRequest &r, const Credentials &creds, const QString &region, const QString &service,
                          const QDateTime &when)
{
    if (creds.accessKeyId.isEmpty())
        return;
    SigV4Request s;
    s.method = r.method;
    QByteArray host = r.url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = r.url.scheme() == QLatin1String("https") ? 443 : 80;
    if (r.url.port() > 0 && r.url.port() != defaultPort)
        host += ':' + QByteArray::number(r.url.port());
    s.host = host;
    s.path = r.url.path(QUrl::FullyDecoded).toUtf8();
    if (s.path.isEmpty())
        s.path = "/";
    s.headers.append({QByteArray("Content-Type"), r.header("Content-Type")});
    s.payloadHash = sha256Hex(r.body);
    SigV4Scope scope;
    scope.region = region;
    scope.service = service;
    scope.normalizePath = true;
    signHeaders(s, creds, scope, when);
    for (const auto &h : s.headers) {
        const QByteArray n = h.first.toLower();
        if (n == "authorization" || n == "x-amz-date" || n == "x-amz-security-token")
            r.setHeader(h.first, h.second);
    }
}

} // namespace skydeck::aws
