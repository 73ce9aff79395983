// What the S3 client puts on the wire, checked against a scripted loopback server: the request
// as received must carry a valid signature for exactly what was sent (s3rver never checks), and
// redirects, retries and odd answers must be handled.
#include "Account.h"
#include "FakeS3Server.h"
#include "S3Client.h"
#include "SigV4.h"
#include "TestMain.h"

#include <QCryptographicHash>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

const QByteArray kEmptyList = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";

FakeResponse answer(int status, const QByteArray &body = {}, QList<std::pair<QByteArray, QByteArray>> headers = {})
{
    FakeResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    return r;
}

std::pair<QByteArray, QByteArray> hdr(const QByteArray &k, const QByteArray &v)
{
    return {k, v};
}

// Re-derives the signature from the request exactly as the server received it.
QString verifySignature(const FakeRequest &r, const Credentials &creds)
{
    const QByteArray auth = r.header("Authorization");
    if (!auth.startsWith("AWS4-HMAC-SHA256 "))
        return QStringLiteral("no SigV4 Authorization header");
    const qsizetype credAt = auth.indexOf("Credential=") + 11;
    const QList<QByteArray> scope = auth.mid(credAt, auth.indexOf(',', credAt) - credAt).split('/');
    const qsizetype shAt = auth.indexOf("SignedHeaders=") + 14;
    const QList<QByteArray> signedNames = auth.mid(shAt, auth.indexOf(',', shAt) - shAt).split(';');

    SigV4Request s;
    s.method = r.method;
    const qsizetype q = r.target.indexOf('?');
    const QByteArray wirePath = q < 0 ? r.target : r.target.left(q);
    s.path = QByteArray::fromPercentEncoding(wirePath);
    if (SigV4::uriEncode(s.path, true) != wirePath)
        return QStringLiteral("the path on the wire is not in canonical form: ") + QString::fromLatin1(wirePath);
    if (q >= 0) {
        const QByteArray wireQuery = r.target.mid(q + 1);
        for (const QByteArray &pair : wireQuery.split('&')) {
            const qsizetype eq = pair.indexOf('=');
            s.query.append({QByteArray::fromPercentEncoding(pair.left(eq)), QByteArray::fromPercentEncoding(pair.mid(eq + 1))});
        }
        QList<QByteArray> sent = wireQuery.split('&');
        std::sort(sent.begin(), sent.end());
        if (sent.join('&') != SigV4::canonicalQuery(s.query))
            return QStringLiteral("the query on the wire is not in canonical form: ") + QString::fromLatin1(wireQuery);
    }
    for (const QByteArray &name : signedNames) {
        if (name == "host") {
            s.host = r.header("Host");
            continue;
        }
        bool found = false;
        for (const auto &[k, v] : r.headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0) {
                s.headers.append({k, v});
                found = true;
            }
        }
        if (!found)
            return QStringLiteral("signed header not sent: ") + QString::fromLatin1(name);
    }
    s.payloadHash = r.header("x-amz-content-sha256");
    if (s.payloadHash != SigV4::kUnsignedPayload && s.payloadHash != SigV4::sha256Hex(r.body))
        return QStringLiteral("x-amz-content-sha256 does not match the body");
    SigV4Scope sc;
    sc.region = QString::fromLatin1(scope.value(2));
    sc.service = QString::fromLatin1(scope.value(3));
    QDateTime when = QDateTime::fromString(QString::fromLatin1(r.header("x-amz-date")), QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    when.setTimeSpec(Qt::UTC);
    const QByteArray expected = SigV4::sign(s, creds, sc, when).authorization;
    if (expected != auth)
        return QStringLiteral("signature mismatch\n sent:     %1\n expected: %2").arg(QString::fromLatin1(auth), QString::fromLatin1(expected));
    return {};
}

template <typename T>
struct Outcome {
    bool done = false;
    Result<T> result;
    Callback<T> callback()
    {
        return [this](Result<T> r) {
            QVERIFY2(!done, "callback called twice");
            result = std::move(r);
            done = true;
        };
    }
};

} // namespace

class TestS3Wire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void signedOnTheWire_data();
    void signedOnTheWire();
    void dotSegmentsRefused();
    void putHeaders();
    void regionRedirects_data();
    void regionRedirects();
    void retriesRequestTimeout();
    void abortMultipart();
    void preconditionFailed();
    void badAnswers();
    void completeWithErrorBody();
    void deleteObjectsBody();
    void completeWithoutEtagAsksHead();
    void copySourceHeader();
    void createBucketInRegion();
    void addressing();
    void cancelInFlight();
    void unusableEndpoint();
    void rangeIgnoredOrWrong();

private:
    S3Client *client(const QString &endpoint = {}, const QString &region = QStringLiteral("us-east-1"));

    std::unique_ptr<FakeS3Server> m_server;
    Credentials m_creds{QStringLiteral("AKIDWIRETEST"), QStringLiteral("wire/secret+key="), QStringLiteral("session/token+=")};
    QList<S3Client *> m_clients;
};

void TestS3Wire::init()
{
    m_server = std::make_unique<FakeS3Server>();
}

void TestS3Wire::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_server.reset();
}

S3Client *TestS3Wire::client(const QString &endpoint, const QString &region)
{
    S3Config c;
    c.endpoint = QUrl(endpoint.isEmpty() ? m_server->endpoint() : endpoint);
    c.region = region;
    c.credentials = m_creds;
    auto *cl = new S3Client(c);
    RetryPolicy fast;
    fast.baseDelayMs = 5;
    cl->http()->setRetryPolicy(fast);
    m_clients.append(cl);
    return cl;
}

void TestS3Wire::signedOnTheWire_data()
{
    QTest::addColumn<QString>("key");
    QString everyAscii;
    for (int c = 0x20; c < 0x7f; ++c)
        everyAscii += QChar(c);
    QTest::newRow("plain") << QStringLiteral("dir/file.txt");
    QTest::newRow("every printable ascii") << everyAscii;
    QTest::newRow("unicode") << QStringLiteral("ü/日本/✓ 😀.bin");
    QTest::newRow("slashes") << QStringLiteral("/a//b/.../c./.d/");
    QTest::newRow("percent sequences") << QStringLiteral("%2F%20%zz%");
}

void TestS3Wire::signedOnTheWire()
{
    QFETCH(QString, key);
    S3Client *c = client();
    m_server->queue(answer(200, "data"));
    Outcome<ObjectData> get;
    GetRequest g;
    g.bucket = QStringLiteral("bucket");
    g.key = key;
    g.offset = 10;
    g.length = 20;
    g.ifMatch = QStringLiteral("abc");
    c->getObject(g, {}, {}, get.callback());
    QTRY_VERIFY(get.done);
    QCOMPARE(m_server->requests.size(), 1);
    const FakeRequest &r = m_server->requests.first();
    QCOMPARE(r.target, "/bucket/" + SigV4::uriEncode(key.toUtf8(), true));
    QCOMPARE(r.header("Range"), QByteArray("bytes=10-29"));
    QCOMPARE(r.header("If-Match"), QByteArray("\"abc\""));
    QCOMPARE(r.header("x-amz-security-token"), m_creds.sessionToken.toUtf8());
    const QString problem = verifySignature(r, m_creds);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // A listing whose prefix and continuation token hold the same characters.
    m_server->queue(answer(200, kEmptyList));
    Outcome<ListPage> list;
    ListRequest l;
    l.bucket = QStringLiteral("bucket");
    l.prefix = key;
    l.continuation = QStringLiteral("tok/+=en");
    c->listObjects(l, {}, list.callback());
    QTRY_VERIFY(list.done);
    QVERIFY2(list.result.ok(), qPrintable(list.result.error().toString()));
    const QString listProblem = verifySignature(m_server->requests.last(), m_creds);
    QVERIFY2(listProblem.isEmpty(), qPrintable(listProblem));
    QVERIFY(m_server->requests.last().target.contains("list-type=2"));
    QVERIFY(m_server->requests.last().target.contains("encoding-type=url"));
    QVERIFY(m_server->requests.last().target.contains("continuation-token=tok%2F%2B%3Den"));
}

void TestS3Wire::dotSegmentsRefused()
{
    // Qt rewrites "a/../b" to "b" on the wire: such keys must be refused, never sent elsewhere.
    S3Client *c = client();
    for (const QString &key : {QStringLiteral("a/../b"), QStringLiteral("./x"), QStringLiteral("x/."), QStringLiteral("..")}) {
        Outcome<ObjectData> get;
        GetRequest g;
        g.bucket = QStringLiteral("b");
        g.key = key;
        c->getObject(g, {}, {}, get.callback());
        QTRY_VERIFY(get.done);
        QCOMPARE(get.result.error().category(), Error::Category::InvalidInput);
        Outcome<PutResult> put;
        c->putObject(QStringLiteral("b"), key, "x", {}, {}, {}, put.callback());
        QTRY_VERIFY(put.done);
        QCOMPARE(put.result.error().category(), Error::Category::InvalidInput);
    }
    QCOMPARE(m_server->requests.size(), 0);
    // Batch delete names keys in its body, so it can still remove them.
    m_server->queue(answer(200, "<DeleteResult><Deleted><Key>a/../b</Key></Deleted></DeleteResult>"));
    Outcome<QList<DeleteFailure>> del;
    c->deleteObjects(QStringLiteral("b"), {QStringLiteral("a/../b")}, {}, del.callback());
    QTRY_VERIFY(del.done);
    QVERIFY(del.result.ok());
}

void TestS3Wire::putHeaders()
{
    S3Client *c = client();
    m_server->queue(answer(200, {}, {hdr("ETag", "\"5d41402abc4b2a76b9719d911017c592\""), hdr("x-amz-version-id", "v1")}));
    Outcome<PutResult> put;
    PutOptions o;
    o.contentType = QStringLiteral("text/plain");
    o.storageClass = QStringLiteral("GLACIER_IR");
    o.contentMd5 = QCryptographicHash::hash("hello", QCryptographicHash::Md5);
    o.metadata.insert(QStringLiteral("Owner"), QStringLiteral("me"));
    c->putObject(QStringLiteral("bucket"), QStringLiteral("k"), "hello", o, {}, {}, put.callback());
    QTRY_VERIFY(put.done);
    QVERIFY(put.result.ok());
    QCOMPARE(put.result.value().etag, QStringLiteral("5d41402abc4b2a76b9719d911017c592"));
    QCOMPARE(put.result.value().versionId, QStringLiteral("v1"));
    const FakeRequest &r = m_server->requests.first();
    QCOMPARE(r.method, QByteArray("PUT"));
    QCOMPARE(r.body, QByteArray("hello"));
    QCOMPARE(r.header("Content-MD5"), o.contentMd5.toBase64());
    QCOMPARE(r.header("x-amz-storage-class"), QByteArray("GLACIER_IR"));
    QCOMPARE(r.header("x-amz-meta-owner"), QByteArray("me"));
    QCOMPARE(r.header("Content-Type"), QByteArray("text/plain"));
    QCOMPARE(r.header("x-amz-content-sha256"), SigV4::sha256Hex("hello"));  // http: the body is signed
    const QString problem = verifySignature(r, m_creds);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestS3Wire::regionRedirects_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("regionHeader");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("301 PermanentRedirect") << 301 << QByteArray("eu-west-1")
                                           << QByteArray("<Error><Code>PermanentRedirect</Code><Message>m</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint></Error>");
    QTest::newRow("307 TemporaryRedirect") << 307 << QByteArray("eu-west-1")
                                           << QByteArray("<Error><Code>TemporaryRedirect</Code><Message>m</Message></Error>");
    QTest::newRow("400 AuthorizationHeaderMalformed") << 400 << QByteArray()
                                                      << QByteArray("<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>");
}

void TestS3Wire::regionRedirects()
{
    QFETCH(int, status);
    QFETCH(QByteArray, regionHeader);
    QFETCH(QByteArray, body);
    S3Client *c = client();
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!regionHeader.isEmpty())
        headers.append(hdr("x-amz-bucket-region", regionHeader));
    m_server->queue(answer(status, body, headers));
    m_server->queue(answer(200, kEmptyList));
    Outcome<ListPage> list;
    ListRequest l;
    l.bucket = QStringLiteral("moved");
    c->listObjects(l, {}, list.callback());
    QTRY_VERIFY(list.done);
    QVERIFY2(list.result.ok(), qPrintable(list.result.error().toString()));
    QCOMPARE(m_server->requests.size(), 2);
    QVERIFY(m_server->requests[0].header("Authorization").contains("/us-east-1/s3/aws4_request"));
    QVERIFY(m_server->requests[1].header("Authorization").contains("/eu-west-1/s3/aws4_request"));
    QVERIFY(verifySignature(m_server->requests[1], m_creds).isEmpty());
    QCOMPARE(c->regionFor(QStringLiteral("moved")), QStringLiteral("eu-west-1"));
    QCOMPARE(c->regionFor(QStringLiteral("other")), QStringLiteral("us-east-1"));

    // The region is remembered: the next request goes straight there.
    Outcome<ObjectHead> head;
    c->headObject(QStringLiteral("moved"), QStringLiteral("k"), {}, head.callback());
    QTRY_VERIFY(head.done);
    QCOMPARE(m_server->requests.size(), 3);
    QVERIFY(m_server->requests[2].header("Authorization").contains("/eu-west-1/s3/aws4_request"));
}

void TestS3Wire::retriesRequestTimeout()
{
    S3Client *c = client();
    m_server->queue(answer(400, "<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message></Error>"));
    m_server->queue(answer(200, kEmptyList));
    Outcome<ListPage> list;
    ListRequest l;
    l.bucket = QStringLiteral("b");
    c->listObjects(l, {}, list.callback());
    QTRY_VERIFY(list.done);
    QVERIFY2(list.result.ok(), qPrintable(list.result.error().toString()));
    QCOMPARE(m_server->requests.size(), 2);
    QVERIFY(verifySignature(m_server->requests[1], m_creds).isEmpty());

    // A 400 that is not retryable ends at once with its error.
    m_server->queue(answer(400, "<Error><Code>InvalidArgument</Code><Message>bad</Message></Error>"));
    Outcome<ListPage> bad;
    c->listObjects(l, {}, bad.callback());
    QTRY_VERIFY(bad.done);
    QCOMPARE(m_server->requests.size(), 3);
    QCOMPARE(bad.result.error().category(), Error::Category::InvalidInput);
}

void TestS3Wire::abortMultipart()
{
    S3Client *c = client();
    m_server->queue(answer(204));
    Outcome<Done> abort;
    c->abortMultipartUpload(QStringLiteral("b"), QStringLiteral("k"), QStringLiteral("up/id+="), {}, abort.callback());
    QTRY_VERIFY(abort.done);
    QVERIFY(abort.result.ok());
    QCOMPARE(m_server->requests[0].method, QByteArray("DELETE"));
    QCOMPARE(m_server->requests[0].target, QByteArray("/b/k?uploadId=up%2Fid%2B%3D"));
    QVERIFY(verifySignature(m_server->requests[0], m_creds).isEmpty());
    m_server->queue(answer(404, "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>"));
    Outcome<Done> again;
    c->abortMultipartUpload(QStringLiteral("b"), QStringLiteral("k"), QStringLiteral("up/id+="), {}, again.callback());
    QTRY_VERIFY(again.done);
    QCOMPARE(again.result.error().category(), Error::Category::NotFound);
}

void TestS3Wire::preconditionFailed()
{
    S3Client *c = client();
    m_server->queue(answer(412, "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>"));
    Outcome<ObjectData> get;
    GetRequest g;
    g.bucket = QStringLiteral("b");
    g.key = QStringLiteral("k");
    g.ifMatch = QStringLiteral("old");
    c->getObject(g, {}, {}, get.callback());
    QTRY_VERIFY(get.done);
    QCOMPARE(get.result.error().category(), Error::Category::Conflict);
    // HEAD errors carry no body: mapped by status.
    m_server->queue(answer(403));
    Outcome<ObjectHead> head;
    c->headObject(QStringLiteral("b"), QStringLiteral("k"), {}, head.callback());
    QTRY_VERIFY(head.done);
    QCOMPARE(head.result.error().category(), Error::Category::Permission);
}

void TestS3Wire::badAnswers()
{
    S3Client *c = client();
    ListRequest l;
    l.bucket = QStringLiteral("b");
    for (const QByteArray &body : {QByteArray("<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key>"),
                                   QByteArray("not xml at all"), QByteArray()}) {
        m_server->queue(answer(200, body));
        Outcome<ListPage> list;
        c->listObjects(l, {}, list.callback());
        QTRY_VERIFY(list.done);
        QVERIFY(!list.result.ok());
        QCOMPARE(list.result.error().category(), Error::Category::Server);
        QVERIFY(list.result.error().toString().contains(QLatin1String("listing s3://b")));
    }
    // A 500 is retried (HttpClient), then reported.
    for (int i = 0; i < 6; ++i)
        m_server->queue(answer(500, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"));
    Outcome<ListPage> failing;
    c->listObjects(l, {}, failing.callback());
    QTRY_VERIFY_WITH_TIMEOUT(failing.done, 15000);
    QCOMPARE(failing.result.error().category(), Error::Category::Server);
    QCOMPARE(failing.result.error().code(), QStringLiteral("InternalError"));
    // Bad input never reaches the network.
    const qsizetype before = m_server->requests.size();
    Outcome<ListPage> invalid;
    ListRequest noBucket;
    c->listObjects(noBucket, {}, invalid.callback());
    QVERIFY(invalid.done);
    QCOMPARE(invalid.result.error().category(), Error::Category::InvalidInput);
    QCOMPARE(m_server->requests.size(), before);
}

void TestS3Wire::completeWithErrorBody()
{
    S3Client *c = client();
    m_server->queue(answer(200, "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"));
    Outcome<PutResult> done;
    c->completeMultipartUpload(QStringLiteral("b"), QStringLiteral("k"), QStringLiteral("id"),
                               {UploadedPart{1, QStringLiteral("e1"), 5}}, {}, done.callback());
    QTRY_VERIFY(done.done);
    QVERIFY(!done.result.ok());
    QCOMPARE(done.result.error().code(), QStringLiteral("InternalError"));
    const FakeRequest &r = m_server->requests.first();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.target, QByteArray("/b/k?uploadId=id"));
    QVERIFY(r.body.contains("<PartNumber>1</PartNumber>"));
}

// A completion whose answer names no ETag (some S3-compatible servers): the object's own, by HEAD.
void TestS3Wire::completeWithoutEtagAsksHead()
{
    S3Client *c = client();
    m_server->queue(answer(200, "<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key></CompleteMultipartUploadResult>"));
    m_server->queue(answer(200, QByteArray(), {{"ETag", "\"3858f62230ac3c915f300c664312c11f-2\""}}));
    Outcome<PutResult> done;
    c->completeMultipartUpload(QStringLiteral("b"), QStringLiteral("k"), QStringLiteral("id"),
                               {UploadedPart{1, QStringLiteral("e1"), 5}, UploadedPart{2, QStringLiteral("e2"), 5}}, {},
                               done.callback());
    QTRY_VERIFY(done.done);
    QVERIFY2(done.result.ok(), qPrintable(done.result.error().toString()));
    QCOMPARE(done.result->etag, QStringLiteral("3858f62230ac3c915f300c664312c11f-2"));
    QCOMPARE(m_server->requests.size(), 2);
    QCOMPARE(m_server->requests.at(1).method, QByteArray("HEAD"));
}

void TestS3Wire::deleteObjectsBody()
{
    S3Client *c = client();
    m_server->queue(answer(200, "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b&amp;c</Key><Code>AccessDenied</Code>"
                                "<Message>Access Denied</Message></Error></DeleteResult>"));
    Outcome<QList<DeleteFailure>> del;
    c->deleteObjects(QStringLiteral("b"), {QStringLiteral("a"), QStringLiteral("b&c")}, {}, del.callback());
    QTRY_VERIFY(del.done);
    QVERIFY(del.result.ok());
    QCOMPARE(del.result.value().size(), 1);
    QCOMPARE(del.result.value().first().key, QStringLiteral("b&c"));
    const FakeRequest &r = m_server->requests.first();
    QCOMPARE(r.target, QByteArray("/b?delete="));
    QCOMPARE(r.header("Content-MD5"), QCryptographicHash::hash(r.body, QCryptographicHash::Md5).toBase64());
    QVERIFY(r.body.contains("<Key>b&amp;c</Key>"));
    QVERIFY(verifySignature(r, m_creds).isEmpty());
}

void TestS3Wire::copySourceHeader()
{
    S3Client *c = client();
    m_server->queue(answer(200, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>"));
    Outcome<PutResult> copy;
    c->copyObject(QStringLiteral("src"), QStringLiteral("a+b c&d/ü"), QStringLiteral("dst"), QStringLiteral("x"), {}, copy.callback());
    QTRY_VERIFY(copy.done);
    QVERIFY(copy.result.ok());
    QCOMPARE(copy.result.value().etag, QStringLiteral("e"));
    QCOMPARE(m_server->requests.first().header("x-amz-copy-source"), QByteArray("/src/a%2Bb%20c%26d/%C3%BC"));
    QVERIFY(verifySignature(m_server->requests.first(), m_creds).isEmpty());
}

void TestS3Wire::createBucketInRegion()
{
    S3Client *c = client();
    Outcome<Done> made;
    c->createBucket(QStringLiteral("newb"), QStringLiteral("ap-southeast-2"), {}, made.callback());
    QTRY_VERIFY(made.done);
    QVERIFY(made.result.ok());
    const FakeRequest &r = m_server->requests.first();
    QVERIFY(r.body.contains("<LocationConstraint>ap-southeast-2</LocationConstraint>"));
    QVERIFY(r.header("Authorization").contains("/ap-southeast-2/s3/aws4_request"));
    QVERIFY(verifySignature(r, m_creds).isEmpty());
    QCOMPARE(c->regionFor(QStringLiteral("newb")), QStringLiteral("ap-southeast-2"));
    Outcome<Done> east;
    c->createBucket(QStringLiteral("eastb"), QStringLiteral("us-east-1"), {}, east.callback());
    QTRY_VERIFY(east.done);
    QVERIFY(m_server->requests.last().body.isEmpty());
    m_server->queue(answer(409, "<Error><Code>BucketAlreadyOwnedByYou</Code><Message>yours</Message></Error>"));
    Outcome<Done> dup;
    c->createBucket(QStringLiteral("eastb"), {}, {}, dup.callback());
    QTRY_VERIFY(dup.done);
    QCOMPARE(dup.result.error().category(), Error::Category::Conflict);
}

void TestS3Wire::addressing()
{
    S3Config aws;
    aws.region = QStringLiteral("eu-west-1");
    S3Client awsClient(aws);
    QVERIFY(awsClient.isAwsEndpoint());
    S3Target t = awsClient.target(QStringLiteral("my-bucket"), QStringLiteral("a b/c"));
    QCOMPARE(t.url.toEncoded(), QByteArray("https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c"));
    QCOMPARE(t.path, QByteArray("/a b/c"));
    t = awsClient.target(QStringLiteral("my.dotted.bucket"), QStringLiteral("k"));
    QCOMPARE(t.url.toEncoded(), QByteArray("https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k"));
    t = awsClient.target(QStringLiteral("Upper_Case"), QStringLiteral("k"));
    QCOMPARE(t.url.host(), QStringLiteral("s3.eu-west-1.amazonaws.com"));
    t = awsClient.target({}, {});
    QCOMPARE(t.url.toEncoded(), QByteArray("https://s3.eu-west-1.amazonaws.com/"));

    S3Config custom;
    custom.endpoint = QUrl(QStringLiteral("http://minio.local:9000"));
    S3Client customClient(custom);
    QVERIFY(!customClient.isAwsEndpoint());
    t = customClient.target(QStringLiteral("bucket"), QStringLiteral("k"), {{"uploads", ""}});
    QCOMPARE(t.url.toEncoded(), QByteArray("http://minio.local:9000/bucket/k?uploads="));
    QCOMPARE(t.host, QByteArray("minio.local:9000"));
    custom.addressing = S3Config::Addressing::Virtual;
    S3Client forced(custom);
    QCOMPARE(forced.target(QStringLiteral("bucket"), QStringLiteral("k")).url.toEncoded(), QByteArray("http://bucket.minio.local:9000/k"));
    S3Config v6;
    v6.endpoint = QUrl(QStringLiteral("http://[::1]:9000"));
    S3Client v6Client(v6);
    t = v6Client.target(QStringLiteral("bucket"), QStringLiteral("k"));
    QCOMPARE(t.url.toEncoded(), QByteArray("http://[::1]:9000/bucket/k"));
    QCOMPARE(t.host, QByteArray("[::1]:9000"));
    aws.addressing = S3Config::Addressing::Path;
    S3Client pathClient(aws);
    QCOMPARE(pathClient.target(QStringLiteral("my-bucket"), QStringLiteral("k")).url.toEncoded(),
             QByteArray("https://s3.eu-west-1.amazonaws.com/my-bucket/k"));

    // Presigned URLs follow the same addressing and sign for the bucket's region.
    aws.addressing = S3Config::Addressing::Auto;
    aws.credentials = m_creds;
    S3Client signer(aws);
    const Result<QUrl> url = signer.presignedGetUrlAt(QStringLiteral("my-bucket"), QStringLiteral("a b"), 3600,
                                                      QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5), Qt::UTC));
    QVERIFY(url.ok());
    QVERIFY(url.value().toEncoded().startsWith("https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b?X-Amz-Algorithm=AWS4-HMAC-SHA256"));
    QVERIFY(url.value().toEncoded().contains("%2Feu-west-1%2Fs3%2Faws4_request"));
}

void TestS3Wire::cancelInFlight()
{
    S3Client *c = client();
    m_server->hold = true;
    CancelToken token;
    Outcome<ObjectData> get;
    GetRequest g;
    g.bucket = QStringLiteral("b");
    g.key = QStringLiteral("slow");
    c->getObject(g, {}, token, get.callback());
    QTRY_COMPARE(m_server->requests.size(), 1);
    QVERIFY(!get.done);
    token.cancel();
    QTRY_VERIFY(get.done);
    QCOMPARE(get.result.error().category(), Error::Category::Cancelled);
    // An already-cancelled token never reaches the network.
    Outcome<ListPage> list;
    ListRequest l;
    l.bucket = QStringLiteral("b");
    c->listObjects(l, token, list.callback());
    QTRY_VERIFY(list.done);
    QCOMPARE(list.result.error().category(), Error::Category::Cancelled);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestS3Wire::unusableEndpoint()
{
    // A broken endpoint setting must never fall back to AWS with the user's keys.
    for (const QString &endpoint : {QStringLiteral("https://not a host/"), QStringLiteral("ftp://files.example.com"),
                                    QStringLiteral("http://")}) {
        Account a;
        a.settings.insert(QStringLiteral("endpoint"), endpoint);
        a.settings.insert(QStringLiteral("accessKeyId"), QStringLiteral("AK"));
        a.secrets.insert(QStringLiteral("secretAccessKey"), QStringLiteral("SK"));
        S3Client c(S3Config::fromAccount(a));
        QVERIFY2(c.configError().isError(), qPrintable(endpoint));
        QCOMPARE(c.configError().category(), Error::Category::InvalidInput);
        Outcome<QList<Bucket>> list;
        c.listBuckets({}, list.callback());
        QTRY_VERIFY(list.done);
        QCOMPARE(list.result.error().category(), Error::Category::InvalidInput);
        QVERIFY(!c.presignedGetUrl(QStringLiteral("b"), QStringLiteral("k"), 60).ok());
    }
}

void TestS3Wire::rangeIgnoredOrWrong()
{
    S3Client *c = client();
    GetRequest g;
    g.bucket = QStringLiteral("b");
    g.key = QStringLiteral("k");
    g.offset = 3;
    g.length = 4;
    // A server that ignores Range answers 200 with everything: only the asked bytes come back.
    m_server->queue(answer(200, "0123456789"));
    Outcome<ObjectData> whole;
    c->getObject(g, {}, {}, whole.callback());
    QTRY_VERIFY(whole.done);
    QVERIFY(whole.result.ok());
    QCOMPARE(whole.result.value().data, QByteArray("3456"));
    QCOMPARE(whole.result.value().head.size, 10);
    // 206 for the right range.
    m_server->queue(answer(206, "3456", {hdr("Content-Range", "bytes 3-6/10")}));
    Outcome<ObjectData> part;
    c->getObject(g, {}, {}, part.callback());
    QTRY_VERIFY(part.done);
    QVERIFY(part.result.ok());
    QCOMPARE(part.result.value().data, QByteArray("3456"));
    QCOMPARE(part.result.value().head.size, 10);
    // 206 for another range is never taken for the one asked.
    m_server->queue(answer(206, "0123", {hdr("Content-Range", "bytes 0-3/10")}));
    Outcome<ObjectData> wrong;
    c->getObject(g, {}, {}, wrong.callback());
    QTRY_VERIFY(wrong.done);
    QCOMPARE(wrong.result.error().category(), Error::Category::Integrity);
}

SKYDECK_TEST_MAIN(TestS3Wire)
#include "tst_s3_wire.moc"
