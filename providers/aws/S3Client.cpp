#include "S3Client.h"

#include <algorithm>

#include "Account.h"
#include "AwsLogging.h"
#include "CredentialProvider.h"
#include "Logging.h"
#include "S3Errors.h"
#include "S3Xml.h"

#include <QLocale>
#include <QPointer>
#include <QThread>
#include <QRegularExpression>

#include <openssl/evp.h>

namespace skydeck::aws {

namespace {

QString s3Url(const QString &bucket, const QString &key = {})
{
    return QStringLiteral("s3://") + bucket + (key.isEmpty() ? QString() : QLatin1Char('/') + key);
}

void addPair(QList<std::pair<QByteArray, QByteArray>> &list, const QByteArray &name, const QByteArray &value)
{
    list.append(std::make_pair(name, value));
}

// Qt normalises "." and ".." segments out of every request path (and decodes %2E), so such a key
// would reach another object. Refuse it instead.
bool hasDotSegment(const QString &key)
{
    for (const QStringView seg : QStringView(key).split(QLatin1Char('/')))
        if (seg == QLatin1String(".") || seg == QLatin1String(".."))
            return true;
    return false;
}

Error invalid(const QString &message)
{
    return Error(Error::Category::InvalidInput, message);
}

// CopyObject and CompleteMultipartUpload answer 200 and may still fail: the error is then in the
// body. Otherwise the body holds the new ETag.
Result<PutResult> putResultFromXml(const Result<HttpResponse> &r, const QString &context,
                                   Result<QString> (*parseEtag)(const QByteArray &))
{
    if (!r.ok())
        return r.error();
    if (!r->isSuccess())
        return s3Error(r.value(), context);
    if (S3Xml::parseError(r->body, nullptr)) {
        HttpResponse failed = r.value();
        failed.status = 500;
        return s3Error(failed, context);
    }
    Result<QString> etag = parseEtag(r->body);
    if (!etag.ok()) {
        Error e = etag.error();
        return e.setContext(context);
    }
    PutResult out;
    out.etag = etag.value();
    out.versionId = QString::fromLatin1(r->header("x-amz-version-id"));
    return out;
}

// Headers the signature covers; the network stack may add others (User-Agent, Connection, ...).
bool isSignedHeader(const QByteArray &name)
{
    const QByteArray n = name.toLower();
    return n.startsWith("x-amz-") || n == "content-md5" || n == "content-type" || n == "range" || n == "if-match"
        || n == "if-none-match" || n == "content-disposition" || n == "content-encoding" || n == "cache-control";
}

QDateTime parseHttpDate(const QByteArray &value)
{
    QDateTime t = QLocale::c().toDateTime(QString::fromLatin1(value.trimmed()),
                                          QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    t.setTimeSpec(Qt::UTC);
    return t;
}

ObjectHead headFromResponse(const HttpResponse &r)
{
    ObjectHead h;
    h.size = r.header("Content-Length").toLongLong();
    h.etag = S3Xml::unquoteEtag(QString::fromLatin1(r.header("ETag")));
    h.modified = parseHttpDate(r.header("Last-Modified"));
    h.contentType = QString::fromLatin1(r.header("Content-Type"));
    h.storageClass = QString::fromLatin1(r.header("x-amz-storage-class"));
    if (h.storageClass.isEmpty())
        h.storageClass = QStringLiteral("STANDARD");
    h.versionId = QString::fromLatin1(r.header("x-amz-version-id"));
    for (const auto &[name, value] : r.headers) {
        const QByteArray n = name.toLower();
        if (n.startsWith("x-amz-meta-"))
            h.metadata.insert(QString::fromUtf8(n.mid(11)), QString::fromUtf8(value));
    }
    return h;
}

// A 400/403 that says the credentials expired (S3's ExpiredToken, TokenRefreshRequired, ...). A
// HEAD has no body to say it: S3 answers an expired session's HEAD with a bare 400, so a bodiless
// 400 to temporary credentials counts as expiry (renewed once), and so does a bodiless 403 to
// credentials at the end of their life.
bool refusedAsExpired(const HttpResponse &response, const Credentials &used)
{
    if (response.status != 400 && response.status != 403)
        return false;
    S3ErrorDocument doc;
    if (S3Xml::parseError(response.body, &doc))
        return isExpiredCredentialsCode(doc.code);
    if (!response.body.isEmpty())
        return false;
    const bool temporary = used.expires() || !used.sessionToken.isEmpty();
    if (response.status == 400)
        return temporary;
    return used.expires()
        && QDateTime::currentDateTimeUtc().msecsTo(used.expiration) < CredentialProvider::refreshMarginMs();
}

QByteArray md5Base64(const QByteArray &data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.constData(), size_t(data.size()), digest, &len, EVP_md5(), nullptr);
    return QByteArray(reinterpret_cast<const char *>(digest), int(len)).toBase64();
}

void addPutOptions(HttpHeaders &headers, const PutOptions &options)
{
    if (!options.contentType.isEmpty())
        addPair(headers, "Content-Type", options.contentType.toUtf8());
    if (!options.storageClass.isEmpty())
        addPair(headers, "x-amz-storage-class", options.storageClass.toUtf8());
    for (auto it = options.metadata.cbegin(); it != options.metadata.cend(); ++it)
        addPair(headers, "x-amz-meta-" + it.key().toLower().toUtf8(), it.value().toUtf8());
}

} // namespace

// ---- configuration ---------------------------------------------------------------------------

S3Config::Addressing S3Config::parseAddressing(const QString &style)
{
    const QString s = style.trimmed().toLower();
    if (s == QLatin1String("path"))
        return Addressing::Path;
    if (s == QLatin1String("virtual"))
        return Addressing::Virtual;
    return Addressing::Auto;
}

S3Config S3Config::fromAccount(const Account &account)
{
    S3Config c;
    const QString endpoint = account.setting(QStringLiteral("endpoint"));
    if (!endpoint.isEmpty())
        c.endpoint = QUrl(endpoint.contains(QLatin1String("://")) ? endpoint : QStringLiteral("https://") + endpoint);
    c.region = account.setting(QStringLiteral("region"), QStringLiteral("us-east-1"));
    if (c.region.isEmpty())
        c.region = QStringLiteral("us-east-1");
    c.addressing = parseAddressing(account.setting(QStringLiteral("addressingStyle")));
    const CredentialSpec spec = CredentialSpec::fromAccount(account);
    if (spec.kind == CredentialSpec::Kind::Static) {
        c.credentials.accessKeyId = spec.accessKeyId;
        c.credentials.secretAccessKey = spec.secretAccessKey;
        c.credentials.sessionToken = spec.sessionToken;
    } else {
        c.credentialSource = spec;
    }
    c.allowInsecureHttp = account.allowsInsecureHttp();
    return c;
}

// ---- the client ------------------------------------------------------------------------------

struct S3Client::Op {
    QByteArray method = "GET";
    QString bucket;
    QString key;
    QueryItems query;
    HttpHeaders headers;
    QByteArray body;
    QByteArray payloadHash;
    bool idempotent = true;
    ProgressFn uploadProgress;
    ProgressFn downloadProgress;
    std::shared_ptr<DataSink> sink;  // streamed GETs (HttpRequest::sink)
    std::function<Status(const HttpResponse &)> acceptBody;
    QString forcedRegion;  // CreateBucket signs for the new bucket's region
    QString context;       // "s3://bucket/key" for error messages
};

S3Client::S3Client(const S3Config &config, QObject *parent)
    : StorageClient(parent), m_config(config), m_http(new HttpClient(this))
{
    if (m_config.allowInsecureHttp)
        m_http->setAllowInsecureHttp(true);
    m_http->setRetryClassifier(&isRetryableS3Response);
    m_credentials = createClientCredentials(m_config.credentialSource, m_config.credentials, this);
    const QUrl &e = m_config.endpoint;
    if (!e.isEmpty()
        && (!e.isValid() || e.host().isEmpty()
            || (e.scheme() != QLatin1String("http") && e.scheme() != QLatin1String("https")))) {
        m_configError = Error(Error::Category::InvalidInput,
                              QStringLiteral("The S3 endpoint '%1' is not a usable http(s) URL")
                                  .arg(redactSecrets(e.toString())),
                              QStringLiteral("InvalidEndpoint"));
    }
}

void S3Client::rememberRegion(const QString &bucket, const QString &region)
{
    QMutexLocker lock(&m_regionLock);
    if (region.isEmpty())
        m_bucketRegion.remove(bucket);
    else
        m_bucketRegion.insert(bucket, region);
}

S3Client::~S3Client() = default;

bool S3Client::isAwsEndpoint() const
{
    if (m_config.endpoint.isEmpty())
        return true;
    const QString host = m_config.endpoint.host().toLower();
    return host.endsWith(QLatin1String(".amazonaws.com")) || host.endsWith(QLatin1String(".amazonaws.com.cn"));
}

bool S3Client::isDnsCompatible(const QString &bucket)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"));
    return re.match(bucket).hasMatch();
}

bool S3Client::usesVirtualHost(const QString &bucket) const
{
    if (bucket.isEmpty())
        return false;
    switch (m_config.addressing) {
    case S3Config::Addressing::Path:
        return false;
    case S3Config::Addressing::Virtual:
        return true;
    case S3Config::Addressing::Auto:
        break;
    }
    return isAwsEndpoint() && isDnsCompatible(bucket);
}

QString S3Client::regionFor(const QString &bucket) const
{
    QMutexLocker lock(&m_regionLock);
    return m_bucketRegion.value(bucket, m_config.region);
}

QUrl S3Client::endpointFor(const QString &region) const
{
    if (!m_config.endpoint.isEmpty())
        return m_config.endpoint;
    QUrl u;
    u.setScheme(QStringLiteral("https"));
    u.setHost(region.startsWith(QLatin1String("cn-")) ? QStringLiteral("s3.%1.amazonaws.com.cn").arg(region)
                                                       : QStringLiteral("s3.%1.amazonaws.com").arg(region));
    return u;
}

S3Target S3Client::target(const QString &bucket, const QString &key, const QueryItems &query) const
{
    return targetIn(regionFor(bucket), bucket, key, query);
}

S3Target S3Client::targetIn(const QString &region, const QString &bucket, const QString &key,
                            const QueryItems &query) const
{
    const QUrl base = endpointFor(region);
    const QByteArray scheme = base.scheme().toLatin1();
    QByteArray host = base.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';  // an IPv6 literal
    QByteArray prefix = base.path(QUrl::FullyDecoded).toUtf8();
    while (prefix.endsWith('/'))
        prefix.chop(1);
    S3Target t;
    t.query = query;
    if (usesVirtualHost(bucket)) {
        host = bucket.toUtf8() + '.' + host;
        t.path = prefix + '/' + key.toUtf8();
    } else if (bucket.isEmpty()) {
        t.path = prefix + '/';
    } else {
        t.path = prefix + '/' + bucket.toUtf8() + (key.isEmpty() ? QByteArray() : '/' + key.toUtf8());
    }
    const int defaultPort = scheme == "https" ? 443 : 80;
    t.host = host;
    if (base.port() > 0 && base.port() != defaultPort)
        t.host += ':' + QByteArray::number(base.port());
    SigV4Request r;
    r.path = t.path;
    r.query = t.query;
    t.url = QUrl::fromEncoded(scheme + "://" + t.host + SigV4::encodedTarget(r), QUrl::StrictMode);
    return t;
}

QByteArray S3Client::payloadHash(const QByteArray &body, bool haveMd5) const
{
    // Over TLS with a Content-MD5 the body is protected already; skip hashing it a second time
    // (what the AWS SDKs do for uploads).
    const bool tls = endpointFor(m_config.region).scheme() == QLatin1String("https");
    if (tls && haveMd5)
        return SigV4::kUnsignedPayload;
    return SigV4::sha256Hex(body);
}

void S3Client::send(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done)
{
    if (op->payloadHash.isEmpty())
        op->payloadHash = SigV4::sha256Hex(op->body);
    sendAttempt(op, token, std::move(done), 2, false);
}

void S3Client::sendAttempt(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done,
                           int redirectsLeft, bool credentialsRenewed)
{
    if (m_configError.isError()) {
        done(Error(m_configError).setContext(op->context));
        return;
    }
    if (hasDotSegment(op->key)) {
        done(invalid(QStringLiteral("The key of %1 has a '.' or '..' path segment, which the network layer would "
                                    "rewrite into another key; Skydeck will not send it")
                         .arg(op->context)));
        return;
    }
    if (!m_credentials) {  // anonymous requests
        sendSigned(op, token, std::move(done), redirectsLeft, credentialsRenewed, Credentials());
        return;
    }
    // The signer asks for current credentials before each request (temporary ones may be being
    // refreshed); the HTTP layer's own retries re-sign with what the provider holds then.
    m_credentials->credentials(token, [this, op, token, redirectsLeft, credentialsRenewed,
                                       done = std::move(done)](Result<Credentials> creds) mutable {
        if (!creds.ok()) {
            Error e = creds.error();
            if (e.context().isEmpty())
                e.setContext(op->context);
            return done(e);
        }
        sendSigned(op, token, std::move(done), redirectsLeft, credentialsRenewed, creds.value());
    });
}

void S3Client::sendSigned(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done,
                          int redirectsLeft, bool credentialsRenewed, const Credentials &credentials)
{
    const QString region = op->forcedRegion.isEmpty() ? regionFor(op->bucket) : op->forcedRegion;
    const S3Target t = targetIn(region, op->bucket, op->key, op->query);
    if (!t.url.isValid()) {
        done(invalid(QStringLiteral("Cannot build a request URL for %1").arg(op->context)));
        return;
    }
    HttpRequest req;
    req.method = op->method;
    req.url = t.url;
    req.headers = op->headers;
    req.body = op->body;
    req.idempotent = op->idempotent;
    if (op->uploadProgress)
        req.uploadProgress = op->uploadProgress;
    if (op->downloadProgress)
        req.downloadProgress = op->downloadProgress;
    req.sink = op->sink;
    req.acceptBody = op->acceptBody;
    // What the last attempt was signed with: a refusal as expired forgets exactly those.
    auto used = std::make_shared<Credentials>(credentials);
    if (!credentials.accessKeyId.isEmpty()) {
        QPointer<CredentialProvider> provider(m_credentials);
        req.prepare = [provider, used, region, t, hash = op->payloadHash](HttpRequest &r) {
            if (provider) {
                const Credentials now = provider->current();
                if (!now.isEmpty())
                    *used = now;
            }
            SigV4Request s;
            s.method = r.method;
            s.host = t.host;
            s.path = t.path;
            s.query = t.query;
            s.payloadHash = hash;
            for (const auto &h : r.headers)
                if (isSignedHeader(h.first))
                    s.headers.append(h);
            SigV4Scope scope;
            scope.region = region;
            scope.service = QStringLiteral("s3");
            SigV4::signHeaders(s, *used, scope, QDateTime::currentDateTimeUtc());
            for (const auto &h : s.headers) {
                const QByteArray n = h.first.toLower();
                if (n == "authorization" || n == "x-amz-date" || n == "x-amz-content-sha256" || n == "x-amz-security-token")
                    r.setHeader(h.first, h.second);
            }
        };
    }
    qCDebug(lcS3).noquote() << op->method << redactSecrets(t.url.toDisplayString()) << "region" << region;
    m_http->send(std::move(req), token, [this, op, token, done = std::move(done), redirectsLeft, region, used,
                                         credentialsRenewed](Result<HttpResponse> r) {
        if (!r.ok()) {
            Error e = r.error();
            if (e.context().isEmpty())
                e.setContext(op->context);
            done(e);
            return;
        }
        const HttpResponse &resp = r.value();
        const int st = resp.status;
        if (!resp.isSuccess() && redirectsLeft > 0 && !op->bucket.isEmpty() && op->forcedRegion.isEmpty()
            && (st == 301 || st == 307 || st == 400)) {
            const QString hint = regionHint(resp);
            if (!hint.isEmpty() && hint != region) {
                qCInfo(lcS3).noquote() << "bucket" << op->bucket << "is in" << hint << "(was signing for" << region
                                       << "); resending";
                rememberRegion(op->bucket, hint);
                sendAttempt(op, token, done, redirectsLeft - 1, credentialsRenewed);
                return;
            }
        }
        // Temporary credentials that ran out under a long transfer (or sooner than they said):
        // forget them, fetch new ones and send once more.
        if (!resp.isSuccess() && !credentialsRenewed && m_credentials && refusedAsExpired(resp, *used)) {
            qCInfo(lcS3).noquote() << op->context << ": credentials refused as expired (HTTP" << st
                                   << "); renewing them and sending again";
            m_credentials->invalidate(*used);
            sendAttempt(op, token, done, redirectsLeft, true);
            return;
        }
        done(r);
    });
}

// ---- operations ------------------------------------------------------------------------------

void S3Client::listBuckets(const CancelToken &token, Callback<QList<Bucket>> done)
{
    auto op = std::make_shared<Op>();
    op->context = QStringLiteral("listing buckets");
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        Result<QList<Bucket>> out = S3Xml::parseListBuckets(r->body);
        if (!out.ok()) {
            Error e = out.error();
            return done(e.setContext(op->context));
        }
        done(out);
    });
}

void S3Client::createBucket(const QString &bucket, const QString &region, const CancelToken &token, Callback<Done> done)
{
    if (bucket.isEmpty())
        return done(invalid(QStringLiteral("A bucket needs a name")));
    auto op = std::make_shared<Op>();
    op->method = "PUT";
    op->bucket = bucket;
    op->forcedRegion = region.isEmpty() ? m_config.region : region;
    op->body = S3Xml::createBucketRequest(op->forcedRegion);
    if (!op->body.isEmpty())
        addPair(op->headers, "Content-Type", "application/xml");
    op->context = s3Url(bucket);
    send(op, token, [this, op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        rememberRegion(op->bucket, op->forcedRegion);
        done(Done{});
    });
}

void S3Client::deleteBucket(const QString &bucket, const CancelToken &token, Callback<Done> done)
{
    if (bucket.isEmpty())
        return done(invalid(QStringLiteral("A bucket needs a name")));
    auto op = std::make_shared<Op>();
    op->method = "DELETE";
    op->bucket = bucket;
    op->context = s3Url(bucket);
    send(op, token, [this, op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        rememberRegion(op->bucket, {});
        done(Done{});
    });
}

void S3Client::listObjects(const ListRequest &request, const CancelToken &token, Callback<ListPage> done)
{
    if (request.bucket.isEmpty())
        return done(invalid(QStringLiteral("Listing needs a bucket")));
    if (request.maxKeys < 1 || request.maxKeys > 1000)
        return done(invalid(QStringLiteral("max-keys must be 1 to 1000 (got %1)").arg(request.maxKeys)));
    auto op = std::make_shared<Op>();
    op->bucket = request.bucket;
    addPair(op->query, "list-type", "2");
    addPair(op->query, "encoding-type", "url");
    addPair(op->query, "max-keys", QByteArray::number(request.maxKeys));
    if (!request.prefix.isEmpty())
        addPair(op->query, "prefix", request.prefix.toUtf8());
    if (!request.delimiter.isEmpty())
        addPair(op->query, "delimiter", request.delimiter.toUtf8());
    if (!request.continuation.isEmpty())
        addPair(op->query, "continuation-token", request.continuation.toUtf8());
    op->context = QStringLiteral("listing ") + s3Url(request.bucket, request.prefix);
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        Result<ListPage> page = S3Xml::parseListObjectsV2(r->body);
        if (!page.ok()) {
            Error e = page.error();
            return done(e.setContext(op->context));
        }
        done(page);
    });
}

void S3Client::headObject(const QString &bucket, const QString &key, const CancelToken &token, Callback<ObjectHead> done)
{
    if (bucket.isEmpty() || key.isEmpty())
        return done(invalid(QStringLiteral("HEAD needs a bucket and a key")));
    auto op = std::make_shared<Op>();
    op->method = "HEAD";
    op->bucket = bucket;
    op->key = key;
    op->context = s3Url(bucket, key);
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        done(headFromResponse(r.value()));
    });
}

void S3Client::getObject(const GetRequest &request, const ProgressFn &progress, const CancelToken &token,
                         Callback<ObjectData> done)
{
    if (request.bucket.isEmpty() || request.key.isEmpty())
        return done(invalid(QStringLiteral("GET needs a bucket and a key")));
    if (request.offset < 0 || request.length < -1)
        return done(invalid(QStringLiteral("Bad range: offset %1, length %2").arg(request.offset).arg(request.length)));
    if (request.length == 0) {
        // An empty range cannot be asked for; the caller still gets the object's metadata.
        headObject(request.bucket, request.key, token, [done](Result<ObjectHead> h) {
            if (!h.ok())
                return done(h.error());
            ObjectData d;
            d.head = h.value();
            done(d);
        });
        return;
    }
    Error invalidRequest;
    const std::shared_ptr<Op> op = getOp(request, progress, &invalidRequest);
    if (!op)
        return done(invalidRequest);
    const bool ranged = request.offset > 0 || request.length > 0;
    const qint64 offset = request.offset;
    const qint64 length = request.length;
    send(op, token, [op, ranged, offset, length, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        const HttpResponse &resp = r.value();
        if (!resp.isSuccess())
            return done(s3Error(resp, op->context));
        ObjectData d;
        d.head = headFromResponse(resp);
        bool lengthOk = false;
        const qint64 contentLength = resp.header("Content-Length").toLongLong(&lengthOk);
        if (lengthOk && contentLength != resp.body.size())
            return done(Error(Error::Category::Integrity,
                              QStringLiteral("Received %1 of %2 bytes").arg(resp.body.size()).arg(contentLength),
                              QStringLiteral("Truncated"))
                            .setRetryable(true)
                            .setContext(op->context));
        d.data = resp.body;
        if (ranged && resp.status == 200) {
            // The server ignored Range and sent the whole object: cut out what was asked for.
            d.head.size = resp.body.size();
            d.data = resp.body.mid(offset, length >= 0 ? length : -1);
        } else if (ranged) {
            // "bytes first-last/total": the part must start where it was asked to.
            const QByteArray contentRange = resp.header("Content-Range").trimmed();
            const qsizetype space = contentRange.indexOf(' ');
            const qsizetype dash = contentRange.indexOf('-');
            const qsizetype slash = contentRange.lastIndexOf('/');
            bool firstOk = false;
            bool totalOk = false;
            const qint64 first = contentRange.mid(space + 1, dash - space - 1).toLongLong(&firstOk);
            const qint64 total = contentRange.mid(slash + 1).toLongLong(&totalOk);
            if (!firstOk || first != offset || dash < 0 || slash < 0)
                return done(Error(Error::Category::Integrity,
                                  QStringLiteral("Asked for bytes from %1, the server sent '%2'")
                                      .arg(offset).arg(QString::fromLatin1(contentRange)),
                                  QStringLiteral("BadContentRange"))
                                .setContext(op->context));
            if (totalOk)
                d.head.size = total;
        }
        done(std::move(d));
    });
}

std::shared_ptr<S3Client::Op> S3Client::getOp(const GetRequest &request, const ProgressFn &progress, Error *error) const
{
    if (request.bucket.isEmpty() || request.key.isEmpty()) {
        *error = invalid(QStringLiteral("GET needs a bucket and a key"));
        return nullptr;
    }
    if (request.offset < 0 || request.length < -1) {
        *error = invalid(QStringLiteral("Bad range: offset %1, length %2").arg(request.offset).arg(request.length));
        return nullptr;
    }
    auto op = std::make_shared<Op>();
    op->bucket = request.bucket;
    op->key = request.key;
    op->context = s3Url(request.bucket, request.key);
    if (request.offset > 0 || request.length > 0) {
        QByteArray range = "bytes=" + QByteArray::number(request.offset) + '-';
        if (request.length > 0)
            range += QByteArray::number(request.offset + request.length - 1);
        addPair(op->headers, "Range", range);
    }
    if (!request.ifMatch.isEmpty())
        addPair(op->headers, "If-Match", '"' + request.ifMatch.toUtf8() + '"');
    op->downloadProgress = progress;
    return op;
}

namespace {

// Passes on bytes [skip, skip + limit) of a streamed body (limit -1: to the end): a server that
// ignores Range sends the whole object, of which only the range asked for is wanted.
class WindowSink : public DataSink
{
public:
    explicit WindowSink(std::shared_ptr<DataSink> inner) : m_inner(std::move(inner)) {}
    void setWindow(qint64 skip, qint64 limit)
    {
        m_skip = skip;
        m_limit = limit;
    }
    Status begin() override
    {
        m_pos = 0;
        return m_inner->begin();
    }
    Status write(const char *data, qint64 size) override
    {
        const qint64 from = std::clamp<qint64>(m_skip - m_pos, 0, size);
        const qint64 end = m_limit < 0 ? size : std::clamp<qint64>(m_skip + m_limit - m_pos, 0, size);
        m_pos += size;
        if (end <= from)
            return Done{};
        return m_inner->write(data + from, end - from);
    }

private:
    std::shared_ptr<DataSink> m_inner;
    qint64 m_skip = 0;
    qint64 m_limit = -1;
    qint64 m_pos = 0;
};

// A 206 must start where it was asked to ("bytes first-last/total"); answers the total size.
Result<qint64> checkContentRange(const HttpResponse &resp, qint64 offset, const QString &context)
{
    const QByteArray contentRange = resp.header("Content-Range").trimmed();
    const qsizetype space = contentRange.indexOf(' ');
    const qsizetype dash = contentRange.indexOf('-');
    const qsizetype slash = contentRange.lastIndexOf('/');
    bool firstOk = false;
    bool totalOk = false;
    const qint64 first = contentRange.mid(space + 1, dash - space - 1).toLongLong(&firstOk);
    const qint64 total = contentRange.mid(slash + 1).toLongLong(&totalOk);
    if (!firstOk || first != offset || dash < 0 || slash < 0)
        return Error(Error::Category::Integrity,
                     QStringLiteral("Asked for bytes from %1, the server sent '%2'")
                         .arg(offset).arg(QString::fromLatin1(contentRange)),
                     QStringLiteral("BadContentRange"))
            .setRetryable(true)
            .setContext(context);
    return totalOk ? total : qint64(-1);
}

} // namespace

void S3Client::getObjectInto(const GetRequest &request, std::shared_ptr<DataSink> sink, const ProgressFn &progress,
                             const CancelToken &token, Callback<ObjectHead> done)
{
    if (request.length == 0) {
        // Nothing to stream; the default asks HEAD for the metadata.
        StorageClient::getObjectInto(request, std::move(sink), progress, token, std::move(done));
        return;
    }
    Error invalidRequest;
    const std::shared_ptr<Op> op = getOp(request, progress, &invalidRequest);
    if (!op)
        return done(invalidRequest);
    const bool ranged = request.offset > 0 || request.length > 0;
    auto window = std::make_shared<WindowSink>(std::move(sink));
    op->sink = window;
    const qint64 offset = request.offset;
    const qint64 length = request.length;
    op->acceptBody = [window, ranged, offset, length, context = op->context](const HttpResponse &head) -> Status {
        if (ranged && head.status == 200) {
            window->setWindow(offset, length);  // the server ignored Range: the whole object comes
            return Done{};
        }
        window->setWindow(0, -1);
        if (ranged) {
            const Result<qint64> total = checkContentRange(head, offset, context);
            if (!total.ok())
                return total.error();
        }
        return Done{};
    };
    send(op, token, [op, ranged, offset, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        const HttpResponse &resp = r.value();
        if (!resp.isSuccess())
            return done(s3Error(resp, op->context));
        ObjectHead head = headFromResponse(resp);
        bool lengthOk = false;
        const qint64 contentLength = resp.header("Content-Length").toLongLong(&lengthOk);
        const qint64 got = std::max<qint64>(resp.streamed, 0);
        if (lengthOk && contentLength != got)
            return done(Error(Error::Category::Integrity, QStringLiteral("Received %1 of %2 bytes").arg(got).arg(contentLength),
                              QStringLiteral("Truncated"))
                            .setRetryable(true)
                            .setContext(op->context));
        if (ranged && resp.status != 200) {
            const Result<qint64> total = checkContentRange(resp, offset, op->context);
            if (!total.ok())
                return done(total.error());
            if (total.value() >= 0)
                head.size = total.value();
        }
        done(std::move(head));
    });
}

void S3Client::putObject(const QString &bucket, const QString &key, const QByteArray &data, const PutOptions &options,
                         const ProgressFn &progress, const CancelToken &token, Callback<PutResult> done)
{
    if (bucket.isEmpty() || key.isEmpty())
        return done(invalid(QStringLiteral("PUT needs a bucket and a key")));
    auto op = std::make_shared<Op>();
    op->method = "PUT";
    op->bucket = bucket;
    op->key = key;
    op->body = data;
    op->context = s3Url(bucket, key);
    addPutOptions(op->headers, options);
    if (!options.contentMd5.isEmpty())
        addPair(op->headers, "Content-MD5", options.contentMd5.toBase64());
    op->payloadHash = payloadHash(data, !options.contentMd5.isEmpty());
    op->uploadProgress = progress;
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        PutResult out;
        out.etag = S3Xml::unquoteEtag(QString::fromLatin1(r->header("ETag")));
        out.versionId = QString::fromLatin1(r->header("x-amz-version-id"));
        done(out);
    });
}

void S3Client::copyObject(const QString &srcBucket, const QString &srcKey, const QString &dstBucket,
                          const QString &dstKey, const CancelToken &token, Callback<PutResult> done)
{
    if (srcBucket.isEmpty() || srcKey.isEmpty() || dstBucket.isEmpty() || dstKey.isEmpty())
        return done(invalid(QStringLiteral("Copy needs a source and a destination bucket and key")));
    auto op = std::make_shared<Op>();
    op->method = "PUT";
    op->bucket = dstBucket;
    op->key = dstKey;
    addPair(op->headers, "x-amz-copy-source", SigV4::uriEncode('/' + srcBucket.toUtf8() + '/' + srcKey.toUtf8(), true));
    op->context = QStringLiteral("copying %1 to %2").arg(s3Url(srcBucket, srcKey), s3Url(dstBucket, dstKey));
    const QString context = op->context;
    send(op, token, [context, done = std::move(done)](Result<HttpResponse> r) {
        done(putResultFromXml(r, context, S3Xml::parseCopyObjectResult));
    });
}

void S3Client::deleteObjects(const QString &bucket, const QStringList &keys, const CancelToken &token,
                             Callback<QList<DeleteFailure>> done)
{
    if (bucket.isEmpty())
        return done(invalid(QStringLiteral("Delete needs a bucket")));
    // Keys XML cannot carry (control characters) go one DELETE each, after the batch: one such key
    // must not keep a whole folder from being deleted.
    QStringList batch;
    QStringList single;
    for (const QString &k : keys)
        (S3Xml::batchDeletable(k) ? batch : single).append(k);
    if (!single.isEmpty()) {
        auto failures = std::make_shared<QList<DeleteFailure>>();
        auto singles = [this, bucket, single, token, failures, done = std::move(done)](Result<QList<DeleteFailure>> r) mutable {
            if (!r.ok())
                return done(r.error());
            *failures += r.value();
            deleteEach(bucket, single, 0, token, failures, std::move(done));
        };
        if (batch.isEmpty())
            return singles(QList<DeleteFailure>());
        return deleteObjects(bucket, batch, token, std::move(singles));
    }
    Result<QByteArray> body = S3Xml::deleteObjectsRequest(batch);
    if (!body.ok())
        return done(body.error());
    auto op = std::make_shared<Op>();
    op->method = "POST";
    op->bucket = bucket;
    addPair(op->query, "delete", "");
    op->body = body.value();
    addPair(op->headers, "Content-Type", "application/xml");
    addPair(op->headers, "Content-MD5", md5Base64(op->body));
    op->context = QStringLiteral("deleting %1 objects in %2").arg(keys.size()).arg(s3Url(bucket));
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        Result<QList<DeleteFailure>> failures = S3Xml::parseDeleteResult(r->body);
        if (!failures.ok()) {
            Error e = failures.error();
            return done(e.setContext(op->context));
        }
        done(failures);
    });
}

void S3Client::deleteEach(const QString &bucket, const QStringList &keys, int index, const CancelToken &token,
                          std::shared_ptr<QList<DeleteFailure>> failures, Callback<QList<DeleteFailure>> done)
{
    if (index >= keys.size())
        return done(*failures);
    const QString key = keys.at(index);
    if (key.isEmpty()) {
        failures->append({key, QStringLiteral("InvalidKey"), QStringLiteral("an empty key cannot be deleted")});
        return deleteEach(bucket, keys, index + 1, token, failures, std::move(done));
    }
    auto op = std::make_shared<Op>();
    op->method = "DELETE";
    op->bucket = bucket;
    op->key = key;
    op->context = s3Url(bucket, key);
    send(op, token, [this, bucket, keys, index, token, failures, op, done = std::move(done)](Result<HttpResponse> r) mutable {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess()) {
            const Error e = s3Error(r.value(), op->context);
            if (e.category() == Error::Category::Network || e.category() == Error::Category::Auth)
                return done(e);
            failures->append({keys.at(index), e.code(), e.message()});
        }
        deleteEach(bucket, keys, index + 1, token, failures, std::move(done));
    });
}

void S3Client::createMultipartUpload(const QString &bucket, const QString &key, const PutOptions &options,
                                     const CancelToken &token, Callback<QString> uploadId)
{
    if (bucket.isEmpty() || key.isEmpty())
        return uploadId(invalid(QStringLiteral("A multipart upload needs a bucket and a key")));
    auto op = std::make_shared<Op>();
    op->method = "POST";
    op->bucket = bucket;
    op->key = key;
    addPair(op->query, "uploads", "");
    addPutOptions(op->headers, options);
    if (options.contentType.isEmpty())
        addPair(op->headers, "Content-Type", "application/octet-stream");
    op->context = s3Url(bucket, key);
    send(op, token, [op, done = std::move(uploadId)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        Result<QString> id = S3Xml::parseInitiateMultipartUpload(r->body);
        if (!id.ok()) {
            Error e = id.error();
            return done(e.setContext(op->context));
        }
        done(id);
    });
}

void S3Client::uploadPart(const QString &bucket, const QString &key, const QString &uploadId, int partNumber,
                          const QByteArray &data, const QByteArray &contentMd5, const ProgressFn &progress,
                          const CancelToken &token, Callback<UploadedPart> done)
{
    if (bucket.isEmpty() || key.isEmpty() || uploadId.isEmpty())
        return done(invalid(QStringLiteral("A part upload needs a bucket, a key and an upload id")));
    if (partNumber < 1 || partNumber > 10000)
        return done(invalid(QStringLiteral("Part numbers run from 1 to 10000 (got %1)").arg(partNumber)));
    auto op = std::make_shared<Op>();
    op->method = "PUT";
    op->bucket = bucket;
    op->key = key;
    addPair(op->query, "partNumber", QByteArray::number(partNumber));
    addPair(op->query, "uploadId", uploadId.toUtf8());
    op->body = data;
    if (!contentMd5.isEmpty())
        addPair(op->headers, "Content-MD5", contentMd5.toBase64());
    op->payloadHash = payloadHash(data, !contentMd5.isEmpty());
    op->uploadProgress = progress;
    op->context = s3Url(bucket, key) + QStringLiteral(" part %1").arg(partNumber);
    const qint64 size = data.size();
    send(op, token, [op, partNumber, size, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        UploadedPart part;
        part.number = partNumber;
        part.size = size;
        part.etag = S3Xml::unquoteEtag(QString::fromLatin1(r->header("ETag")));
        if (part.etag.isEmpty())
            return done(Error(Error::Category::Server, QStringLiteral("The part was stored but no ETag came back"))
                            .setContext(op->context));
        done(part);
    });
}

void S3Client::completeMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                       const QList<UploadedPart> &parts, const CancelToken &token,
                                       Callback<PutResult> done)
{
    if (bucket.isEmpty() || key.isEmpty() || uploadId.isEmpty())
        return done(invalid(QStringLiteral("Completing an upload needs a bucket, a key and an upload id")));
    Result<QByteArray> body = S3Xml::completeMultipartRequest(parts);
    if (!body.ok())
        return done(body.error());
    auto op = std::make_shared<Op>();
    op->method = "POST";
    op->bucket = bucket;
    op->key = key;
    addPair(op->query, "uploadId", uploadId.toUtf8());
    op->body = body.value();
    addPair(op->headers, "Content-Type", "application/xml");
    op->context = s3Url(bucket, key);
    const QString context = op->context;
    send(op, token, [this, bucket, key, token, context, done = std::move(done)](Result<HttpResponse> r) mutable {
        Result<PutResult> out = putResultFromXml(r, context, S3Xml::parseCompleteMultipartUpload);
        if (!out.ok() || !out->etag.isEmpty())
            return done(out);
        // Completed, but the answer named no ETag (some S3-compatible servers): the object's own.
        headObject(bucket, key, token, [out, done = std::move(done)](Result<ObjectHead> h) mutable {
            if (!h.ok())
                return done(h.error());
            PutResult result = out.value();
            result.etag = h->etag;
            done(result);
        });
    });
}

void S3Client::listParts(const QString &bucket, const QString &key, const QString &uploadId, const CancelToken &token,
                         Callback<QList<UploadedPart>> done)
{
    if (bucket.isEmpty() || key.isEmpty() || uploadId.isEmpty())
        return done(invalid(QStringLiteral("Listing parts needs a bucket, a key and an upload id")));
    listPartsFrom(bucket, key, uploadId, QString(), token, std::make_shared<QList<UploadedPart>>(),
                  std::make_shared<ListingGuard>(ListingGuard::Limits{11, 3}, s3Url(bucket, key)), std::move(done));
}

void S3Client::listPartsFrom(const QString &bucket, const QString &key, const QString &uploadId, const QString &marker,
                             const CancelToken &token, std::shared_ptr<QList<UploadedPart>> acc,
                             std::shared_ptr<ListingGuard> guard, Callback<QList<UploadedPart>> done)
{
    auto op = std::make_shared<Op>();
    op->bucket = bucket;
    op->key = key;
    addPair(op->query, "uploadId", uploadId.toUtf8());
    addPair(op->query, "max-parts", "1000");
    if (!marker.isEmpty())
        addPair(op->query, "part-number-marker", marker.toUtf8());
    op->context = QStringLiteral("listing the parts of ") + s3Url(bucket, key);
    send(op, token, [this, op, bucket, key, uploadId, token, acc, guard, done = std::move(done)](Result<HttpResponse> r) mutable {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        QString next;
        bool truncated = false;
        Result<QList<UploadedPart>> page = S3Xml::parseListParts(r->body, &next, &truncated);
        if (!page.ok())
            return done(Error(page.error()).setContext(op->context));
        *acc += page.value();
        // At most 10,000 parts exist: 11 pages of 1000 is more than any honest answer needs.
        if (const Status g = guard->nextPage(truncated ? next : QString(), page->size()); !g.ok())
            return done(g.error());
        if (truncated && !next.isEmpty())
            return listPartsFrom(bucket, key, uploadId, next, token, acc, guard, std::move(done));
        std::sort(acc->begin(), acc->end(), [](const UploadedPart &a, const UploadedPart &b) { return a.number < b.number; });
        done(*acc);
    });
}

void S3Client::listMultipartUploads(const QString &bucket, const QString &prefix, const QString &keyMarker,
                                    const QString &uploadIdMarker, const CancelToken &token,
                                    Callback<MultipartUploadPage> done)
{
    if (bucket.isEmpty())
        return done(invalid(QStringLiteral("Listing uploads needs a bucket")));
    auto op = std::make_shared<Op>();
    op->bucket = bucket;
    addPair(op->query, "uploads", "");
    addPair(op->query, "encoding-type", "url");
    if (!prefix.isEmpty())
        addPair(op->query, "prefix", prefix.toUtf8());
    if (!keyMarker.isEmpty())
        addPair(op->query, "key-marker", keyMarker.toUtf8());
    if (!uploadIdMarker.isEmpty())
        addPair(op->query, "upload-id-marker", uploadIdMarker.toUtf8());
    op->context = QStringLiteral("listing unfinished uploads in ") + s3Url(bucket, prefix);
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        Result<MultipartUploadPage> page = S3Xml::parseListMultipartUploads(r->body);
        if (!page.ok())
            return done(Error(page.error()).setContext(op->context));
        done(page);
    });
}

void S3Client::abortMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                    const CancelToken &token, Callback<Done> done)
{
    if (bucket.isEmpty() || key.isEmpty() || uploadId.isEmpty())
        return done(invalid(QStringLiteral("Aborting an upload needs a bucket, a key and an upload id")));
    auto op = std::make_shared<Op>();
    op->method = "DELETE";
    op->bucket = bucket;
    op->key = key;
    addPair(op->query, "uploadId", uploadId.toUtf8());
    op->context = s3Url(bucket, key);
    send(op, token, [op, done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        if (!r->isSuccess())
            return done(s3Error(r.value(), op->context));
        done(Done{});
    });
}

Result<QUrl> S3Client::presignedGetUrl(const QString &bucket, const QString &key, int expirySeconds) const
{
    return presignedGetUrlAt(bucket, key, expirySeconds, QDateTime::currentDateTimeUtc());
}

Result<QUrl> S3Client::presignedGetUrlAt(const QString &bucket, const QString &key, int expirySeconds,
                                         const QDateTime &when) const
{
    Credentials creds = m_config.credentials;
    if (m_config.credentialSource) {
        // Temporary credentials live on this client's thread; presignGetUrl() fetches them.
        if (QThread::currentThread() == thread() && m_credentials)
            creds = m_credentials->current();
        if (creds.isEmpty())
            return Error(Error::Category::Auth, QStringLiteral("No credentials fetched yet to sign the link with"),
                         QStringLiteral("NoCredentials"));
    }
    return presignWith(creds, bucket, key, expirySeconds, when);
}

void S3Client::presignGetUrl(const QString &bucket, const QString &key, int expirySeconds, const CancelToken &token,
                             Callback<QUrl> done)
{
    if (!m_credentials)
        return done(presignWith(m_config.credentials, bucket, key, expirySeconds, QDateTime::currentDateTimeUtc()));
    m_credentials->credentials(token, [this, bucket, key, expirySeconds, done = std::move(done)](Result<Credentials> c) {
        if (!c.ok())
            return done(Error(c.error()).setContext(s3Url(bucket, key)));
        // A link signed with temporary credentials stops working when they expire (AWS's rule).
        if (c->expires())
            qCInfo(lcS3).noquote() << "share link for" << s3Url(bucket, key) << "signed with credentials valid until"
                                   << c->expiration.toString(Qt::ISODate);
        done(presignWith(c.value(), bucket, key, expirySeconds, QDateTime::currentDateTimeUtc()));
    });
}

Result<QUrl> S3Client::presignWith(const Credentials &credentials, const QString &bucket, const QString &key,
                                   int expirySeconds, const QDateTime &when) const
{
    if (m_configError.isError())
        return m_configError;
    if (bucket.isEmpty() || key.isEmpty())
        return invalid(QStringLiteral("A share link needs a bucket and a key"));
    if (hasDotSegment(key))
        return invalid(QStringLiteral("A key with '.' or '..' path segments cannot be shared as a link"));
    const S3Target t = target(bucket, key);
    SigV4Request r;
    r.host = t.host;
    r.path = t.path;
    SigV4Scope scope;
    scope.region = regionFor(bucket);
    scope.service = QStringLiteral("s3");
    return SigV4::presign(t.url.scheme().toLatin1(), r, credentials, scope, when, expirySeconds);
}

} // namespace skydeck::aws
