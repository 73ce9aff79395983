// Cross-check: many generated S3 requests signed by us and by Debian's botocore
// (tests/unit/aws/botocore_sign.py); every Authorization header and presigned URL must match.
#include "Peers.h"
#include "SigV4.h"
#include "TestMain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QUrlQuery>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

QString sourceDir()
{
    return qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK));
}

struct Case {
    SigV4Request request;  // as signed for the Authorization header
    SigV4Request presign;  // host + path only
    QByteArray scheme;
    Credentials creds;
    SigV4Scope scope;
    QDateTime when;
    QByteArray body;
    int expires = 0;
    QByteArray authorization;
    QUrl presignedUrl;
};

std::pair<QByteArray, QByteArray> hdr(const QByteArray &name, const QByteArray &value)
{
    return {name, value};
}

class Gen
{
public:
    explicit Gen(quint32 seed) : m_rng(seed) {}
    int upTo(int n) { return int(m_rng.bounded(n)); }
    bool chance(int percent) { return upTo(100) < percent; }
    QByteArray pick(const QList<QByteArray> &from) { return from.at(upTo(int(from.size()))); }

    // Text made of the characters that break signers: unicode, spaces, + = ~ % & ? # and friends.
    QByteArray text(int maxLen, bool allowSlash)
    {
        static const QList<QByteArray> atoms = {
            "a", "Z", "0", "-", "_", ".", "~", " ", "+", "=", "%", "&", "?", "#", "!", "*", "'", "(", ")", ",",
            ";", ":", "@", "$", "[", "]", "\"", "<", ">", "^", "`", "{", "}", "|", "\\",
            "\xc3\xa9", "\xc3\xbc", "\xe2\x9c\x93", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "%20", "%2F", "..",
            "data", "file", "x"};
        QByteArray out;
        const int n = 1 + upTo(maxLen);
        for (int i = 0; i < n; ++i) {
            if (allowSlash && chance(12))
                out += '/';
            else
                out += pick(atoms);
        }
        return out;
    }

    QByteArray bytes(int maxLen)
    {
        QByteArray b(upTo(maxLen + 1), Qt::Uninitialized);
        for (auto &c : b)
            c = char(upTo(256));
        return b;
    }

private:
    QRandomGenerator m_rng;
};

QList<Case> generate(int count)
{
    Gen g(20261122);
    QList<Case> cases;
    const QList<QByteArray> hosts = {"examplebucket.s3.amazonaws.com", "s3.eu-west-1.amazonaws.com",
                                     "127.0.0.1:9000", "minio.local:9443", "bucket.with.dots.s3.us-west-2.amazonaws.com"};
    const QList<QByteArray> regions = {"us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "auto"};
    const QList<QByteArray> methods = {"GET", "PUT", "POST", "DELETE", "HEAD"};
    const QList<QByteArray> queryNames = {"prefix", "delimiter", "continuation-token", "list-type", "uploadId",
                                          "partNumber", "max-keys", "encoding-type", "versionId", "response-content-type"};
    for (int i = 0; i < count; ++i) {
        Case c;
        c.scheme = g.chance(50) ? "https" : "http";
        c.request.method = g.pick(methods);
        c.request.host = g.pick(hosts);
        c.request.path = '/' + (g.chance(10) ? QByteArray() : g.text(24, true));
        const int nq = g.upTo(4);
        for (int q = 0; q < nq; ++q) {
            const QByteArray name = g.chance(60) ? g.pick(queryNames) : g.text(6, false);
            if (std::any_of(c.request.query.cbegin(), c.request.query.cend(), [&](const auto &p) { return p.first == name; }))
                continue;  // botocore's presigner keeps one value per name
            c.request.query.append(std::make_pair(name, g.chance(15) ? QByteArray() : g.text(10, true)));
        }
        if (g.chance(40))
            c.request.headers.append(hdr("Content-Type", g.pick({"application/octet-stream", "text/plain; charset=utf-8",
                                                              "application/x-www-form-urlencoded"})));
        if (g.chance(30))
            c.request.headers.append(hdr("x-amz-meta-note", g.pick({"  padded   value  ", "a\tb", "plain", "x,y;z=1"})));
        if (g.chance(20))
            c.request.headers.append(hdr("Range", "bytes=" + QByteArray::number(g.upTo(1000)) + '-' + QByteArray::number(1000 + g.upTo(1000))));
        if (g.chance(20))
            c.request.headers.append(hdr("x-amz-storage-class", "STANDARD_IA"));
        if (c.request.method == "PUT" || c.request.method == "POST") {
            c.body = g.bytes(g.chance(10) ? 70000 : 300);
            if (g.chance(40))
                c.request.headers.append(hdr("Content-MD5", QByteArray::fromHex(SigV4::sha256Hex(c.body).left(32)).toBase64()));
        }
        c.request.payloadHash = SigV4::sha256Hex(c.body);
        c.creds.accessKeyId = QString::fromLatin1("AKIA" + g.bytes(12).toHex().toUpper().left(16));
        c.creds.secretAccessKey = QString::fromLatin1(g.bytes(30).toBase64());
        if (g.chance(40))
            c.creds.sessionToken = QString::fromLatin1(g.bytes(120).toBase64());  // holds + / =
        c.scope.region = QString::fromLatin1(g.pick(regions));
        c.scope.service = QStringLiteral("s3");
        c.when = QDateTime(QDate(2020 + g.upTo(8), 1 + g.upTo(12), 1 + g.upTo(28)), QTime(g.upTo(24), g.upTo(60), g.upTo(60)), Qt::UTC);
        SigV4Request headerReq = c.request;
        c.authorization = SigV4::signHeaders(headerReq, c.creds, c.scope, c.when).authorization;
        c.expires = g.chance(20) ? 1 + g.upTo(60) : (g.chance(20) ? SigV4::kMaxPresignSeconds : 1 + g.upTo(SigV4::kMaxPresignSeconds));
        c.presign.host = c.request.host;
        c.presign.path = c.request.path;
        c.presign.query = c.request.query;
        const Result<QUrl> url = SigV4::presign(c.scheme, c.presign, c.creds, c.scope, c.when, c.expires);
        if (url.ok())
            c.presignedUrl = url.value();
        cases.append(c);
    }
    return cases;
}

QByteArray wireUrl(const QByteArray &scheme, const SigV4Request &r)
{
    return scheme + "://" + r.host + SigV4::encodedTarget(r);
}

// Query pairs as sent (still encoded), sorted: botocore orders them differently.
QList<QByteArray> encodedPairs(const QByteArray &url)
{
    const qsizetype q = url.indexOf('?');
    QList<QByteArray> pairs = q < 0 ? QList<QByteArray>() : url.mid(q + 1).split('&');
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

} // namespace

class TestSigV4Botocore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesBotocore();
};

void TestSigV4Botocore::matchesBotocore()
{
    const QString python = QStringLiteral("/usr/bin/python3");
    const QString script = sourceDir() + QStringLiteral("/tests/unit/aws/botocore_sign.py");
    QVERIFY2(QFile::exists(script), qPrintable(script));
    if (!QFile::exists(python)) {
        if (skydeck::test::runningInCi())
            QFAIL("/usr/bin/python3 is missing (scripts/setup.sh installs python3-botocore)");
        QSKIP("/usr/bin/python3 is missing");
    }

    const QList<Case> cases = generate(400);
    QJsonArray input;
    for (const Case &c : cases) {
        QJsonObject o;
        o[QStringLiteral("method")] = QString::fromLatin1(c.request.method);
        o[QStringLiteral("url")] = QString::fromLatin1(wireUrl(c.scheme, c.request));
        QJsonArray headers;
        for (const auto &[n, v] : c.request.headers)
            headers.append(QJsonArray{QString::fromLatin1(n), QString::fromLatin1(v)});
        o[QStringLiteral("headers")] = headers;
        o[QStringLiteral("body_b64")] = QString::fromLatin1(c.body.toBase64());
        o[QStringLiteral("access_key")] = c.creds.accessKeyId;
        o[QStringLiteral("secret")] = c.creds.secretAccessKey;
        o[QStringLiteral("token")] = c.creds.sessionToken;
        o[QStringLiteral("region")] = c.scope.region;
        o[QStringLiteral("timestamp")] = QString::fromLatin1(SigV4::amzDate(c.when));
        o[QStringLiteral("expires")] = c.expires;
        o[QStringLiteral("presign_url")] = QString::fromLatin1(wireUrl(c.scheme, c.presign));
        input.append(o);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString inPath = dir.filePath(QStringLiteral("requests.json"));
    QFile in(inPath);
    QVERIFY(in.open(QIODevice::WriteOnly));
    in.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
    in.close();

    QProcess p;
    p.start(python, {script, inPath});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray err = p.readAllStandardError();
    if (p.exitCode() == 3) {
        if (skydeck::test::runningInCi())
            QFAIL(qPrintable(QStringLiteral("botocore missing under CI: ") + QString::fromUtf8(err)));
        QSKIP(qPrintable(QStringLiteral("botocore missing: ") + QString::fromUtf8(err)));
    }
    QVERIFY2(p.exitCode() == 0, err.constData());
    const QJsonObject out = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    const QJsonArray results = out.value(QLatin1String("results")).toArray();
    QCOMPARE(results.size(), cases.size());
    qInfo() << "botocore" << out.value(QLatin1String("botocore")).toString() << "signed" << results.size() << "requests";

    int presigned = 0;
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const Case &c = cases[i];
        const QJsonObject r = results[i].toObject();
        const QByteArray theirs = r.value(QLatin1String("authorization")).toString().toLatin1();
        QVERIFY2(c.authorization == theirs,
                 qPrintable(QStringLiteral("case %1 %2\n ours:   %3\n theirs: %4")
                                .arg(i).arg(QString::fromUtf8(wireUrl(c.scheme, c.request)), QString::fromLatin1(c.authorization),
                                            QString::fromLatin1(theirs))));
        QVERIFY(c.presignedUrl.isValid());
        const QByteArray ours = c.presignedUrl.toEncoded();
        const QByteArray theirsUrl = r.value(QLatin1String("presigned_url")).toString().toUtf8();
        QCOMPARE(ours.left(ours.indexOf('?')), theirsUrl.left(theirsUrl.indexOf('?')));
        QVERIFY2(encodedPairs(ours) == encodedPairs(theirsUrl),
                 qPrintable(QStringLiteral("case %1\n ours:   %2\n theirs: %3").arg(i).arg(QString::fromUtf8(ours), QString::fromUtf8(theirsUrl))));
        ++presigned;
    }
    QCOMPARE(presigned, 400);
}

SKYDECK_TEST_MAIN(TestSigV4Botocore)
#include "tst_sigv4_botocore.moc"
