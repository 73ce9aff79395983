// Interop with Debian's awscli on the same s3rver, both ways: what Skydeck writes the AWS CLI reads
// byte for byte, and what the AWS CLI writes (single and multipart) Skydeck reads and lists.
#include "Peers.h"
#include "ProviderWorker.h"
#include "S3Client.h"
#include "TestMain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;
using namespace skydeck::aws;

class TestS3AwsCliInterop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void skydeckWritesAwsReads();
    void awsWritesSkydeckReads();
    void awsMultipartSkydeckReads();
    void listingsAgree();

private:
    template <typename T, typename F>
    Result<T> call(F f)
    {
        S3Client *c = m_client;
        return waitFor(m_worker->run<T>([c, f](const CancelToken &t, Callback<T> done) { f(c, t, std::move(done)); }));
    }
    QByteArray aws(const QStringList &args, bool *ok);
    QByteArray randomBytes(qsizetype n);
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QString m_endpoint;
    QString m_bucket;
    QTemporaryDir m_dir;
    std::unique_ptr<ProviderWorker> m_worker;
    S3Client *m_client = nullptr;
};

QByteArray TestS3AwsCliInterop::aws(const QStringList &args, bool *ok)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), skydeck::test::s3PeerValue("ACCESS_KEY"));
    env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), skydeck::test::s3PeerValue("SECRET_KEY"));
    env.insert(QStringLiteral("AWS_DEFAULT_REGION"), QStringLiteral("us-east-1"));
    env.insert(QStringLiteral("AWS_CONFIG_FILE"), path(QStringLiteral("aws-config")));
    env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), path(QStringLiteral("no-credentials")));
    env.remove(QStringLiteral("AWS_PROFILE"));
    env.insert(QStringLiteral("HOME"), m_dir.path());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("/usr/bin/aws"), QStringList{QStringLiteral("--endpoint-url"), m_endpoint} + args);
    const bool finished = p.waitForFinished(120000);
    *ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!*ok)
        qWarning().noquote() << "aws" << args.join(QLatin1Char(' ')) << "failed:" << p.readAllStandardError();
    return p.readAllStandardOutput();
}

QByteArray TestS3AwsCliInterop::randomBytes(qsizetype n)
{
    QByteArray b(n, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(b.data()), n / 4);
    for (qsizetype i = n - n % 4; i < n; ++i)
        b[i] = char(i);
    return b;
}

void TestS3AwsCliInterop::initTestCase()
{
    SKYDECK_REQUIRE_S3_PEER(m_endpoint);
    if (!QFile::exists(QStringLiteral("/usr/bin/aws"))) {
        if (skydeck::test::runningInCi())
            QFAIL("/usr/bin/aws is missing under CI (scripts/setup.sh installs awscli)");
        QSKIP("/usr/bin/aws is missing");
    }
    QVERIFY(m_dir.isValid());
    QFile cfg(path(QStringLiteral("aws-config")));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write("[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  multipart_threshold = 8MB\n  multipart_chunksize = 5MB\n");
    cfg.close();

    m_worker = std::make_unique<ProviderWorker>(QStringLiteral("s3-awscli-test"));
    S3Config c;
    c.endpoint = QUrl(m_endpoint);
    c.credentials.accessKeyId = skydeck::test::s3PeerValue("ACCESS_KEY");
    c.credentials.secretAccessKey = skydeck::test::s3PeerValue("SECRET_KEY");
    QObject *ctx = m_worker->context();
    m_client = m_worker->create<S3Client>([c, ctx] { return new S3Client(c, ctx); });
    m_bucket = QStringLiteral("skydeck-cli-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    const Status made = call<Done>([b = m_bucket](S3Client *cl, const CancelToken &t, Callback<Done> d) { cl->createBucket(b, {}, t, d); });
    QVERIFY2(made.ok(), qPrintable(made.error().toString()));
}

void TestS3AwsCliInterop::cleanupTestCase()
{
    m_worker.reset();
}

void TestS3AwsCliInterop::skydeckWritesAwsReads()
{
    const QList<std::pair<QString, QByteArray>> objects = {
        {QStringLiteral("empty"), QByteArray()},
        {QStringLiteral("one byte"), QByteArray("1")},
        {QStringLiteral("dir/ünï cödé ✓.bin"), randomBytes(70000)},
    };
    for (const auto &[key, data] : objects) {
        const Result<PutResult> put = call<PutResult>([&, k = key, d = data](S3Client *c, const CancelToken &t, Callback<PutResult> done) {
            c->putObject(m_bucket, k, d, {}, {}, t, done);
        });
        QVERIFY2(put.ok(), qPrintable(put.error().toString()));
        bool ok = false;
        const QString out = path(QStringLiteral("from-skydeck.bin"));
        aws({QStringLiteral("s3api"), QStringLiteral("get-object"), QStringLiteral("--bucket"), m_bucket, QStringLiteral("--key"), key, out}, &ok);
        QVERIFY(ok);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(f.readAll() == data, qPrintable(key));
    }
}

void TestS3AwsCliInterop::awsWritesSkydeckReads()
{
    const QByteArray data = randomBytes(5 * 1024 * 1024 - 1);
    QFile f(path(QStringLiteral("upload.bin")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
    f.close();
    const QString key = QStringLiteral("from aws/file + ü.bin");
    bool ok = false;
    aws({QStringLiteral("s3"), QStringLiteral("cp"), f.fileName(), QStringLiteral("s3://%1/%2").arg(m_bucket, key)}, &ok);
    QVERIFY(ok);
    const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> done) {
        GetRequest g;
        g.bucket = m_bucket;
        g.key = key;
        c->getObject(g, {}, t, done);
    });
    QVERIFY2(get.ok(), qPrintable(get.error().toString()));
    QVERIFY(get.value().data == data);
}

void TestS3AwsCliInterop::awsMultipartSkydeckReads()
{
    const QByteArray data = randomBytes(12 * 1024 * 1024 + 17);  // over the 8 MB threshold: 3 parts
    QFile f(path(QStringLiteral("multipart.bin")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
    f.close();
    const QString key = QStringLiteral("multi/aws part.bin");
    bool ok = false;
    aws({QStringLiteral("s3"), QStringLiteral("cp"), f.fileName(), QStringLiteral("s3://%1/%2").arg(m_bucket, key)}, &ok);
    QVERIFY(ok);
    const Result<ObjectHead> head = call<ObjectHead>([&](S3Client *c, const CancelToken &t, Callback<ObjectHead> done) {
        c->headObject(m_bucket, key, t, done);
    });
    QVERIFY2(head.ok(), qPrintable(head.error().toString()));
    QCOMPARE(head.value().size, data.size());
    // Read it back in ranges, as the transfer engine does.
    QByteArray back;
    const qint64 chunk = 5 * 1024 * 1024;
    for (qint64 off = 0; off < data.size(); off += chunk) {
        const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> done) {
            GetRequest g;
            g.bucket = m_bucket;
            g.key = key;
            g.offset = off;
            g.length = std::min<qint64>(chunk, data.size() - off);
            c->getObject(g, {}, t, done);
        });
        QVERIFY2(get.ok(), qPrintable(get.error().toString()));
        back += get.value().data;
    }
    QVERIFY(back == data);
}

void TestS3AwsCliInterop::listingsAgree()
{
    bool ok = false;
    const QByteArray json = aws({QStringLiteral("s3api"), QStringLiteral("list-objects-v2"), QStringLiteral("--bucket"), m_bucket,
                                 QStringLiteral("--output"), QStringLiteral("json")}, &ok);
    QVERIFY(ok);
    QStringList theirs;
    for (const QJsonValue &v : QJsonDocument::fromJson(json).object().value(QLatin1String("Contents")).toArray())
        theirs << v.toObject().value(QLatin1String("Key")).toString();
    QStringList ours;
    const Result<ListPage> page = call<ListPage>([&](S3Client *c, const CancelToken &t, Callback<ListPage> done) {
        ListRequest l;
        l.bucket = m_bucket;
        l.delimiter.clear();
        c->listObjects(l, t, done);
    });
    QVERIFY(page.ok());
    for (const ObjectEntry &e : page.value().entries)
        ours << e.key;
    QVERIFY(ours.size() >= 5);
    QCOMPARE(ours, theirs);
}

SKYDECK_TEST_MAIN(TestS3AwsCliInterop)
#include "tst_s3_awscli_interop.moc"
