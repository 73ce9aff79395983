// Signature V4 against AWS's published test-suite vectors (tests/unit/aws/sigv4-vectors, see its
// README for the sources).
#include "SigV4.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

QString vectorsDir()
{
    return qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK))
        + QStringLiteral("/tests/unit/aws/sigv4-vectors");
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

struct ParsedRequest {
    SigV4Request request;
    QByteArray body;
    QByteArray authorization;  // from a signed request, else empty
};

// "METHOD target HTTP/1.1\nName:value\n...\n\nbody". The suite's targets are not percent-encoded:
// the signer encodes them.
ParsedRequest parseRequest(const QByteArray &text, const QStringList &unsignedHeaders)
{
    ParsedRequest p;
    const qsizetype split = text.indexOf("\n\n");
    const QByteArray head = split >= 0 ? text.left(split) : text;
    p.body = split >= 0 ? text.mid(split + 2) : QByteArray();
    const QList<QByteArray> lines = head.split('\n');
    const QByteArray requestLine = lines.value(0);
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = requestLine.lastIndexOf(' ');
    p.request.method = requestLine.left(sp1);
    const QByteArray target = requestLine.mid(sp1 + 1, sp2 - sp1 - 1);
    const qsizetype q = target.indexOf('?');
    p.request.path = q >= 0 ? target.left(q) : target;
    if (q >= 0) {
        for (const QByteArray &pair : target.mid(q + 1).split('&')) {
            if (pair.isEmpty())
                continue;
            const qsizetype eq = pair.indexOf('=');
            p.request.query.append({eq >= 0 ? pair.left(eq) : pair, eq >= 0 ? pair.mid(eq + 1) : QByteArray()});
        }
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = lines[i].left(colon);
        const QByteArray value = lines[i].mid(colon + 1);
        if (name.compare("host", Qt::CaseInsensitive) == 0)
            p.request.host = value;
        else if (name.compare("authorization", Qt::CaseInsensitive) == 0)
            p.authorization = value;
        else if (!unsignedHeaders.contains(QString::fromLatin1(name.toLower())))
            p.request.headers.append({name, value});
    }
    return p;
}

QDateTime parseStamp(const QString &s)
{
    QDateTime t = QDateTime::fromString(s, QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    t.setTimeSpec(Qt::UTC);
    return t;
}

QByteArray firstWithSuffix(const QDir &dir, const QString &suffix)
{
    const QStringList names = dir.entryList({QStringLiteral("*") + suffix}, QDir::Files);
    return names.isEmpty() ? QByteArray() : readFile(dir.filePath(names.first()));
}

} // namespace

class TestSigV4 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void suite_data();
    void suite();
    void s3GetObjectExample();
    void s3PresignedExample();
    void presignLimits();
    void uriEncoding();
    void normalizePath();
    void signHeadersAddsS3Headers();
};

void TestSigV4::suite_data()
{
    QTest::addColumn<QString>("dir");
    const QDir root(vectorsDir());
    QVERIFY2(root.exists(), qPrintable(root.path()));
    int n = 0;
    for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (name.startsWith(QLatin1String("s3-")))
            continue;  // S3 documentation examples have their own tests
        QTest::newRow(qPrintable(name)) << root.filePath(name);
        ++n;
    }
    QVERIFY(n >= 15);
}

void TestSigV4::suite()
{
    QFETCH(QString, dir);
    const QDir d(dir);
    const QJsonObject ctx = QJsonDocument::fromJson(readFile(d.filePath(QStringLiteral("context.json")))).object();
    QVERIFY(!ctx.isEmpty());
    QStringList unsignedHeaders;
    for (const auto &v : ctx.value(QLatin1String("unsigned_headers")).toArray())
        unsignedHeaders << v.toString();

    QByteArray requestText = readFile(d.filePath(QStringLiteral("header-signed-request.txt")));
    if (requestText.isEmpty())
        requestText = readFile(d.filePath(QStringLiteral("request.txt")));
    QVERIFY(!requestText.isEmpty());
    ParsedRequest p = parseRequest(requestText, unsignedHeaders);
    const bool signBody = ctx.value(QLatin1String("sign_body")).toBool(true);
    p.request.payloadHash = SigV4::sha256Hex(signBody ? p.body : QByteArray());

    Credentials creds;
    creds.accessKeyId = ctx.value(QLatin1String("access_key")).toString();
    creds.secretAccessKey = ctx.value(QLatin1String("secret")).toString();
    SigV4Scope scope;
    scope.region = ctx.value(QLatin1String("region")).toString();
    scope.service = ctx.value(QLatin1String("service")).toString();
    scope.normalizePath = ctx.value(QLatin1String("normalize")).toBool();
    const QDateTime when = parseStamp(ctx.value(QLatin1String("timestamp")).toString());
    QVERIFY(when.isValid());

    const SigV4Signed s = SigV4::sign(p.request, creds, scope, when);

    int checked = 0;
    QByteArray creq = readFile(d.filePath(QStringLiteral("header-canonical-request.txt")));
    if (creq.isEmpty())
        creq = firstWithSuffix(d, QStringLiteral(".creq"));
    if (!creq.isEmpty()) {
        QCOMPARE(s.canonicalRequest, creq);
        ++checked;
    }
    QByteArray sts = readFile(d.filePath(QStringLiteral("header-string-to-sign.txt")));
    if (sts.isEmpty())
        sts = firstWithSuffix(d, QStringLiteral(".sts"));
    if (!sts.isEmpty()) {
        QCOMPARE(s.stringToSign, sts);
        ++checked;
    }
    QByteArray authz = p.authorization;
    if (authz.isEmpty())
        authz = firstWithSuffix(d, QStringLiteral(".authz"));
    if (!authz.isEmpty()) {
        QCOMPARE(s.authorization, authz);
        ++checked;
    }
    QVERIFY2(checked > 0, "a vector with nothing to compare");
}

void TestSigV4::s3GetObjectExample()
{
    const QDir d(vectorsDir() + QStringLiteral("/s3-get-object"));
    ParsedRequest p = parseRequest(readFile(d.filePath(QStringLiteral("request.txt"))), {});
    p.request.payloadHash = SigV4::sha256Hex({});
    Credentials creds{QStringLiteral("AKIAIOSFODNN7EXAMPLE"), QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), {}};
    const SigV4Signed s = SigV4::sign(p.request, creds, SigV4Scope{}, parseStamp(QStringLiteral("20130524T000000Z")));
    // The documentation prints the header without spaces after the commas.
    QByteArray expected = readFile(d.filePath(QStringLiteral("expected.authz")));
    QVERIFY(!expected.isEmpty());
    QCOMPARE(QByteArray(s.authorization).replace(", ", ","), expected);
}

void TestSigV4::s3PresignedExample()
{
    const QDir d(vectorsDir() + QStringLiteral("/s3-presigned-get"));
    SigV4Request r;
    r.host = "examplebucket.s3.amazonaws.com";
    r.path = "/test.txt";
    Credentials creds{QStringLiteral("AKIAIOSFODNN7EXAMPLE"), QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), {}};
    const Result<QUrl> url = SigV4::presign("https", r, creds, SigV4Scope{}, parseStamp(QStringLiteral("20130524T000000Z")), 86400);
    QVERIFY(url.ok());
    QCOMPARE(url.value().toEncoded(), readFile(d.filePath(QStringLiteral("expected-url.txt"))));
}

void TestSigV4::presignLimits()
{
    SigV4Request r;
    r.host = "example.com";
    Credentials creds{QStringLiteral("AK"), QStringLiteral("SK"), QStringLiteral("TOKEN/+=")};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QCOMPARE(SigV4::presign("https", r, creds, {}, now, 0).error().category(), Error::Category::InvalidInput);
    QCOMPARE(SigV4::presign("https", r, creds, {}, now, 7 * 24 * 3600 + 1).error().category(), Error::Category::InvalidInput);
    QVERIFY(SigV4::presign("https", r, creds, {}, now, 1).ok());
    const Result<QUrl> week = SigV4::presign("https", r, creds, {}, now, 7 * 24 * 3600);
    QVERIFY(week.ok());
    const QUrlQuery q(week.value());
    QCOMPARE(q.queryItemValue(QStringLiteral("X-Amz-Expires")), QStringLiteral("604800"));
    QCOMPARE(q.queryItemValue(QStringLiteral("X-Amz-Security-Token"), QUrl::FullyDecoded), QStringLiteral("TOKEN/+="));
    QCOMPARE(q.queryItemValue(QStringLiteral("X-Amz-SignedHeaders")), QStringLiteral("host"));
    QCOMPARE(q.queryItemValue(QStringLiteral("X-Amz-Signature")).size(), 64);
}

void TestSigV4::uriEncoding()
{
    QCOMPARE(SigV4::uriEncode("a b+c=d~e%f/g", false), QByteArray("a%20b%2Bc%3Dd~e%25f%2Fg"));
    QCOMPARE(SigV4::uriEncode("a b/c", true), QByteArray("a%20b/c"));
    QCOMPARE(SigV4::uriEncode("\xe1\x88\xb4", false), QByteArray("%E1%88%B4"));
    QCOMPARE(SigV4::canonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"list-type", "2"}, {"empty", ""}}),
             QByteArray("a=y&a=z&b=2&empty=&list-type=2"));
}

void TestSigV4::normalizePath()
{
    QCOMPARE(SigV4::normalizePath("/a/./b/../c//d/"), QByteArray("/a/c/d/"));
    QCOMPARE(SigV4::normalizePath("/.."), QByteArray("/"));
    QCOMPARE(SigV4::canonicalUri("/a/../b c", false), QByteArray("/a/../b%20c"));
    QCOMPARE(SigV4::canonicalUri("/a/../b c", true), QByteArray("/b%20c"));
}

void TestSigV4::signHeadersAddsS3Headers()
{
    SigV4Request r;
    r.method = "PUT";
    r.host = "bucket.s3.amazonaws.com";
    r.path = "/k";
    r.payloadHash = SigV4::sha256Hex("hello");
    Credentials creds{QStringLiteral("AK"), QStringLiteral("SK"), QStringLiteral("tok")};
    const SigV4Signed s = SigV4::signHeaders(r, creds, {}, parseStamp(QStringLiteral("20240101T000000Z")));
    QCOMPARE(s.signedHeaders, QByteArray("host;x-amz-content-sha256;x-amz-date;x-amz-security-token"));
    auto header = [&](const QByteArray &n) {
        for (const auto &h : r.headers)
            if (h.first.compare(n, Qt::CaseInsensitive) == 0)
                return h.second;
        return QByteArray();
    };
    QCOMPARE(header("x-amz-content-sha256"), SigV4::sha256Hex("hello"));
    QCOMPARE(header("x-amz-date"), QByteArray("20240101T000000Z"));
    QCOMPARE(header("x-amz-security-token"), QByteArray("tok"));
    QCOMPARE(header("authorization"), s.authorization);
    // Signing again (a retry) replaces, never duplicates.
    SigV4::signHeaders(r, creds, {}, parseStamp(QStringLiteral("20240101T000001Z")));
    int auths = 0;
    for (const auto &h : r.headers)
        auths += h.first.compare("authorization", Qt::CaseInsensitive) == 0;
    QCOMPARE(auths, 1);
}

SKYDECK_TEST_MAIN(TestSigV4)
#include "tst_sigv4.moc"
