// The service-account JWT assertion: RS256 signatures checked by the openssl command line (an
// independent verifier), the header and claims Google documents, and refused keys.
#include "ServiceAccountJwt.h"

#include "TestMain.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace skydeck;

namespace {

bool runOpenssl(const QStringList &args, QByteArray *out = nullptr)
{
    QProcess p;
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(60000))
        return false;
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
}

QByteArray b64urlDecode(const QByteArray &s)
{
    return QByteArray::fromBase64(s, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

class TestGcpJwt : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

    // True when openssl verifies `signature` over `input` with the public key.
    bool verifies(const QByteArray &input, const QByteArray &signature)
    {
        writeAll(path("in.bin"), input);
        writeAll(path("sig.bin"), signature);
        return runOpenssl({QStringLiteral("dgst"), QStringLiteral("-sha256"), QStringLiteral("-verify"), path("pub.pem"),
                           QStringLiteral("-signature"), path("sig.bin"), path("in.bin")});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(runOpenssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"), QStringLiteral("-pkeyopt"),
                            QStringLiteral("rsa_keygen_bits:2048"), QStringLiteral("-out"), path("key.pem")}));
        QVERIFY(runOpenssl({QStringLiteral("pkey"), QStringLiteral("-in"), path("key.pem"), QStringLiteral("-pubout"),
                            QStringLiteral("-out"), path("pub.pem")}));
        QVERIFY(runOpenssl({QStringLiteral("rsa"), QStringLiteral("-in"), path("key.pem"), QStringLiteral("-traditional"),
                            QStringLiteral("-out"), path("key-pkcs1.pem")}));
        QVERIFY(runOpenssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("ED25519"),
                            QStringLiteral("-out"), path("ed.pem")}));
        QVERIFY(readAll(path("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(readAll(path("key-pkcs1.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    }

    void signsWhatGoogleDocuments()
    {
        gcp::JwtClaims c;
        c.issuer = QStringLiteral("bot@proj.iam.gserviceaccount.com");
        c.scope = QStringLiteral("https://www.googleapis.com/auth/cloud-platform");
        c.audience = QStringLiteral("https://oauth2.googleapis.com/token");
        c.issuedAt = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        c.keyId = QStringLiteral("kid-1");
        const Result<QByteArray> jwt = gcp::signJwt(c, readAll(path("key.pem")));
        QVERIFY2(jwt.ok(), qPrintable(jwt.error().toString()));
        const QList<QByteArray> parts = jwt.value().split('.');
        QCOMPARE(parts.size(), 3);
        for (const QByteArray &p : parts)
            QVERIFY2(!p.contains('=') && !p.contains('+') && !p.contains('/'), p.constData());  // base64url, unpadded

        const QJsonObject header = QJsonDocument::fromJson(b64urlDecode(parts[0])).object();
        QCOMPARE(header.value(QLatin1String("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(header.value(QLatin1String("typ")).toString(), QStringLiteral("JWT"));
        QCOMPARE(header.value(QLatin1String("kid")).toString(), QStringLiteral("kid-1"));
        const QJsonObject claims = QJsonDocument::fromJson(b64urlDecode(parts[1])).object();
        QCOMPARE(claims.value(QLatin1String("iss")).toString(), c.issuer);
        QCOMPARE(claims.value(QLatin1String("scope")).toString(), c.scope);
        QCOMPARE(claims.value(QLatin1String("aud")).toString(), c.audience);
        QCOMPARE(claims.value(QLatin1String("iat")).toInteger(), 1700000000);
        QCOMPARE(claims.value(QLatin1String("exp")).toInteger(), 1700003600);

        const QByteArray input = parts[0] + '.' + parts[1];
        const QByteArray sig = b64urlDecode(parts[2]);
        QCOMPARE(sig.size(), 256);  // RSA-2048
        QVERIFY(verifies(input, sig));
        // The verifier does fail: a changed claim or a changed signature is refused.
        QByteArray tampered = input;
        tampered[tampered.size() - 2] = tampered.at(tampered.size() - 2) == 'A' ? 'B' : 'A';
        QVERIFY(!verifies(tampered, sig));
        QByteArray badSig = sig;
        badSig[10] = char(badSig.at(10) ^ 0x01);
        QVERIFY(!verifies(input, badSig));
    }

    void pkcs1KeysSignToo()
    {
        gcp::JwtClaims c;
        c.issuer = QStringLiteral("a@b");
        c.scope = QStringLiteral("s");
        c.audience = QStringLiteral("https://oauth2.googleapis.com/token");
        c.issuedAt = QDateTime::currentDateTimeUtc();
        const Result<QByteArray> jwt = gcp::signJwt(c, readAll(path("key-pkcs1.pem")));
        QVERIFY(jwt.ok());
        const QList<QByteArray> parts = jwt.value().split('.');
        QVERIFY(verifies(parts[0] + '.' + parts[1], b64urlDecode(parts[2])));
        // No kid without a key id.
        QVERIFY(!QJsonDocument::fromJson(b64urlDecode(parts[0])).object().contains(QLatin1String("kid")));
    }

    void refusedKeys()
    {
        gcp::JwtClaims c;
        c.issuedAt = QDateTime::currentDateTimeUtc();
        const Result<QByteArray> ed = gcp::signJwt(c, readAll(path("ed.pem")));
        QVERIFY(!ed.ok());
        QCOMPARE(ed.error().code(), QStringLiteral("BadPrivateKey"));
        QVERIFY(ed.error().message().contains(QLatin1String("RSA")));
        const Result<QByteArray> junk = gcp::signJwt(c, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        QVERIFY(!junk.ok());
        QVERIFY(!junk.error().message().contains(QLatin1String("not a key")));  // no key material in messages
        QVERIFY(!gcp::signJwt(c, QByteArray()).ok());
    }
};

SKYDECK_TEST_MAIN(TestGcpJwt)
#include "tst_gcp_jwt.moc"
