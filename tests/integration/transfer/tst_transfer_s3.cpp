// TransferEngine + the real S3Client against s3rver: byte-identical round trips (0 B, 1 B,
// 5 MiB - 1, 64 MiB multipart), a folder tree, interop both ways with Debian's awscli, and a
// fault-injecting proxy (resets and 503 SlowDown) in front of s3rver.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TestMain.h"
#include "TransferEngine.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace skydeck;

namespace {

const QString kAccount = QStringLiteral("sandbox:s3");
const QString kProxied = QStringLiteral("sandbox:s3-faulty");

QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

bool writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QRandomGenerator gen(seed);
    QByteArray chunk;
    for (qint64 done = 0; done < size;) {
        const qint64 n = std::min<qint64>(size - done, 1 << 20);
        chunk.resize((n + 3) / 4 * 4);
        gen.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        if (f.write(chunk.constData(), n) != n)
            return false;
        done += n;
    }
    return true;
}

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

} // namespace

class TestTransferS3 : public QObject
{
    Q_OBJECT
    QString m_endpoint;
    QString m_bucket;
    AccountRegistry *m_registry = nullptr;
    TransferEngine *m_engine = nullptr;
    QTemporaryDir m_tmp;

    void addAccount(const QString &id, const QString &endpoint)
    {
        Account a;
        a.id = id;
        a.provider = QStringLiteral("aws");
        a.sandbox = true;
        a.settings.insert(QStringLiteral("endpoint"), endpoint);
        a.settings.insert(QStringLiteral("region"), QStringLiteral("us-east-1"));
        a.settings.insert(QStringLiteral("addressingStyle"), QStringLiteral("path"));
        a.settings.insert(QStringLiteral("accessKeyId"), skydeck::test::s3PeerValue("ACCESS_KEY"));
        a.secrets.insert(QStringLiteral("secretAccessKey"), skydeck::test::s3PeerValue("SECRET_KEY"));
        m_registry->addAccount(a);
    }

    bool runUntilIdle(int ms = 120000)
    {
        QSignalSpy idle(m_engine, &TransferEngine::idle);
        return m_engine->isIdle() || idle.wait(ms);
    }

    TransferStatus transfer(TransferKind kind, const QString &key, const QString &path, const QString &account = kAccount)
    {
        TransferSpec s;
        s.kind = kind;
        s.accountId = account;
        s.bucket = m_bucket;
        s.key = key;
        s.localPath = path;
        const quint64 id = m_engine->enqueue(s);
        if (!runUntilIdle())
            return {};
        return m_engine->status(id);
    }

    QProcessEnvironment awsEnv() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), skydeck::test::s3PeerValue("ACCESS_KEY"));
        env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), skydeck::test::s3PeerValue("SECRET_KEY"));
        env.insert(QStringLiteral("AWS_DEFAULT_REGION"), QStringLiteral("us-east-1"));
        env.insert(QStringLiteral("AWS_CONFIG_FILE"), m_tmp.filePath(QStringLiteral("aws-config")));
        env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), m_tmp.filePath(QStringLiteral("aws-credentials")));
        env.remove(QStringLiteral("AWS_CA_BUNDLE"));
        env.remove(QStringLiteral("AWS_PROFILE"));
        return env;
    }

    // Runs `aws s3 ...`; returns an error text, empty on success.
    QString aws(const QStringList &args)
    {
        QProcess p;
        p.setProcessEnvironment(awsEnv());
        p.start(QStringLiteral("/usr/bin/aws"), QStringList{QStringLiteral("--endpoint-url"), m_endpoint} + args);
        if (!p.waitForFinished(120000))
            return QStringLiteral("aws timed out");
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            return QStringLiteral("aws %1 failed: %2").arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAllStandardError()));
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_S3_PEER(m_endpoint);
        QVERIFY(m_tmp.isValid());
        aws::registerProviders();
        m_registry = new AccountRegistry(this);
        addAccount(kAccount, m_endpoint);
        m_engine = new TransferEngine(m_registry, this);
        m_bucket = QStringLiteral("xfer-%1").arg(QRandomGenerator::global()->bounded(1u << 30));
        StorageClient *client = m_registry->storage(kAccount);
        QVERIFY(client);
        const QString bucket = m_bucket;
        const Status made = waitFor(m_registry->worker(kAccount)->run<Done>(
            [client, bucket](const CancelToken &t, Callback<Done> done) { client->createBucket(bucket, QString(), t, done); }));
        QVERIFY2(made.ok(), qPrintable(made.error().toString()));
    }

    void roundTrip_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("parts");
        QTest::newRow("0 bytes") << qint64(0) << 1;
        QTest::newRow("1 byte") << qint64(1) << 1;
        QTest::newRow("5 MiB - 1") << qint64(5 * 1024 * 1024 - 1) << 1;
        QTest::newRow("64 MiB multipart") << qint64(64 * 1024 * 1024) << 8;
    }
    void roundTrip()
    {
        QFETCH(qint64, size);
        QFETCH(int, parts);
        const QString name = QStringLiteral("rt-%1").arg(size);
        const QString in = m_tmp.filePath(name + QStringLiteral(".in"));
        const QString out = m_tmp.filePath(name + QStringLiteral(".out"));
        QVERIFY(writeRandom(in, size, quint32(size + 7)));

        QElapsedTimer clock;
        clock.start();
        const TransferStatus up = transfer(TransferKind::Upload, QStringLiteral("rt/") + name, in);
        const qint64 upMs = clock.restart();
        QVERIFY2(up.state == TransferState::Done, qPrintable(up.error.toString()));
        QCOMPARE(up.partsTotal, parts);
        QCOMPARE(up.bytesDone, size);

        const TransferStatus down = transfer(TransferKind::Download, QStringLiteral("rt/") + name, out);
        const qint64 downMs = clock.elapsed();
        QVERIFY2(down.state == TransferState::Done, qPrintable(down.error.toString()));
        QCOMPARE(down.partsTotal, size == 0 ? 0 : parts);
        QCOMPARE(QFileInfo(out).size(), size);
        QCOMPARE(sha256(out), sha256(in));
        QVERIFY(!QFile::exists(out + QStringLiteral(".part")));
        if (size >= 64 * 1024 * 1024)
            qInfo("64 MiB against s3rver: upload %lld ms (%.1f MiB/s), download %lld ms (%.1f MiB/s)", upMs,
                  64.0 * 1000 / std::max<qint64>(upMs, 1), downMs, 64.0 * 1000 / std::max<qint64>(downMs, 1));
    }

    void folderTreeRoundTrips()
    {
        const QString src = m_tmp.filePath(QStringLiteral("tree-src"));
        const QString dst = m_tmp.filePath(QStringLiteral("tree-dst"));
        const QStringList files = {QStringLiteral("a.txt"), QStringLiteral("b/c.bin"), QStringLiteral("b/d/e f.dat"),
                                   QStringLiteral("b/d/ünï.csv"), QStringLiteral(".hidden/x")};
        quint32 seed = 100;
        for (const QString &f : files) {
            QVERIFY(writeRandom(src + QLatin1Char('/') + f, 1000 * seed % 700000, seed));
            ++seed;
        }
        m_engine->clearFinished();
        m_engine->uploadFolder(kAccount, src, m_bucket, QStringLiteral("tree"));
        QVERIFY(runUntilIdle());
        m_engine->downloadPrefix(kAccount, m_bucket, QStringLiteral("tree/"), dst);
        QVERIFY(runUntilIdle());
        const QList<TransferStatus> all = m_engine->transfers();
        QCOMPARE(all.size(), 2 * files.size());
        for (const TransferStatus &st : all)
            QVERIFY2(st.state == TransferState::Done, qPrintable(st.error.toString()));
        QStringList sorted = files;
        sorted.sort();
        QCOMPARE(filesUnder(dst), sorted);
        for (const QString &f : files)
            QCOMPARE(sha256(dst + QLatin1Char('/') + f), sha256(src + QLatin1Char('/') + f));
    }

    void awsUploadsSkydeckDownloads()
    {
        const QString small = m_tmp.filePath(QStringLiteral("aws-small"));
        const QString big = m_tmp.filePath(QStringLiteral("aws-big"));  // aws uses multipart above 8 MiB
        QVERIFY(writeRandom(small, 12345, 1));
        QVERIFY(writeRandom(big, 20 * 1024 * 1024 + 17, 2));
        const QString s3 = QStringLiteral("s3://%1/from-aws/").arg(m_bucket);
        QString err = aws({QStringLiteral("s3"), QStringLiteral("cp"), small, s3 + QStringLiteral("small")});
        QVERIFY2(err.isEmpty(), qPrintable(err));
        err = aws({QStringLiteral("s3"), QStringLiteral("cp"), big, s3 + QStringLiteral("big")});
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const QString &name : {QStringLiteral("small"), QStringLiteral("big")}) {
            const QString out = m_tmp.filePath(QStringLiteral("from-aws-") + name);
            const TransferStatus st = transfer(TransferKind::Download, QStringLiteral("from-aws/") + name, out);
            QVERIFY2(st.state == TransferState::Done, qPrintable(st.error.toString()));
            QCOMPARE(sha256(out), sha256(name == QLatin1String("small") ? small : big));
        }
    }

    void skydeckUploadsAwsDownloads()
    {
        const QString small = m_tmp.filePath(QStringLiteral("sd-small"));
        const QString big = m_tmp.filePath(QStringLiteral("sd-big"));
        QVERIFY(writeRandom(small, 999, 3));
        QVERIFY(writeRandom(big, 20 * 1024 * 1024 + 5, 4));  // three parts
        const TransferStatus a = transfer(TransferKind::Upload, QStringLiteral("from-skydeck/small"), small);
        QVERIFY2(a.state == TransferState::Done, qPrintable(a.error.toString()));
        const TransferStatus b = transfer(TransferKind::Upload, QStringLiteral("from-skydeck/big"), big);
        QVERIFY2(b.state == TransferState::Done, qPrintable(b.error.toString()));
        QCOMPARE(b.partsTotal, 3);
        const QString dst = m_tmp.filePath(QStringLiteral("aws-dst"));
        const QString err = aws({QStringLiteral("s3"), QStringLiteral("cp"), QStringLiteral("--recursive"),
                                 QStringLiteral("s3://%1/from-skydeck/").arg(m_bucket), dst});
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QCOMPARE(sha256(dst + QStringLiteral("/small")), sha256(small));
        QCOMPARE(sha256(dst + QStringLiteral("/big")), sha256(big));
    }

    void faultsInjectedByAProxyStillEndIdentical()
    {
        const QString stats = m_tmp.filePath(QStringLiteral("faults.json"));
        // The uploads and downloads below make at least 15 requests (create, 3 parts and complete for
        // the big file, 3 PUTs, a listing, 6 GETs): every fault the seed places fires (503s within
        // the first 14 requests, resets among the first 5 uploads with a body and the first 5 GETs).
        QProcess proxy;
        proxy.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const QString script = qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK))
            + QStringLiteral("/tests/servers/faultproxy/faultproxy.py");
        proxy.start(QStringLiteral("/usr/bin/python3"),
                    {script, QStringLiteral("--upstream"), m_endpoint, QStringLiteral("--seed"), QStringLiteral("7"),
                     QStringLiteral("--slowdowns"), QStringLiteral("4"), QStringLiteral("--window"), QStringLiteral("14"),
                     QStringLiteral("--upload-resets"), QStringLiteral("2"), QStringLiteral("--download-resets"),
                     QStringLiteral("2"), QStringLiteral("--stats"), stats});
        QVERIFY(proxy.waitForStarted());
        const auto stopProxy = qScopeGuard([&proxy] {
            proxy.kill();
            proxy.waitForFinished();
        });
        QTRY_VERIFY_WITH_TIMEOUT(proxy.canReadLine(), 10000);
        const QByteArray line = proxy.readLine().trimmed();
        QVERIFY2(line.startsWith("PORT "), line.constData());
        addAccount(kProxied, QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(line.mid(5)));

        QList<QString> inputs;
        for (int i = 0; i < 4; ++i) {
            inputs.append(m_tmp.filePath(QStringLiteral("fault-%1").arg(i)));
            QVERIFY(writeRandom(inputs.last(), i == 0 ? 24 * 1024 * 1024 + 3 : 300000 * i, 50 + i));
        }
        m_engine->clearFinished();
        for (int i = 0; i < inputs.size(); ++i) {
            TransferSpec s;
            s.kind = TransferKind::Upload;
            s.accountId = kProxied;
            s.bucket = m_bucket;
            s.key = QStringLiteral("faulty/%1").arg(i);
            s.localPath = inputs[i];
            m_engine->enqueue(s);
        }
        QVERIFY(runUntilIdle());
        const QString dst = m_tmp.filePath(QStringLiteral("fault-dst"));
        m_engine->downloadPrefix(kProxied, m_bucket, QStringLiteral("faulty/"), dst);
        QVERIFY(runUntilIdle());
        for (const TransferStatus &st : m_engine->transfers())
            QVERIFY2(st.state == TransferState::Done, qPrintable(st.spec.key + QStringLiteral(": ") + st.error.toString()));
        QCOMPARE(m_engine->transfers().size(), 2 * inputs.size());
        for (int i = 0; i < inputs.size(); ++i)
            QCOMPARE(sha256(dst + QStringLiteral("/%1").arg(i)), sha256(inputs[i]));

        QFile f(stats);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject counts = QJsonDocument::fromJson(f.readAll()).object();
        qInfo() << "faults injected:" << counts;
        QCOMPARE(counts.value(QStringLiteral("slowdowns")).toInt(), 4);
        QCOMPARE(counts.value(QStringLiteral("upload_resets")).toInt(), 2);
        QCOMPARE(counts.value(QStringLiteral("download_resets")).toInt(), 2);
    }

    // Temporary credentials that run out in the middle of transfers (issue 12.3): the account's
    // keys come from a credential_process (new keys at every run, said to last an hour), and the
    // proxy answers S3's 400 ExpiredToken to any key older than a second. Uploads and downloads
    // keep going for several seconds: every refused request is sent once more with the process's
    // next keys, and every transfer ends done and identical.
    void credentialsExpiringMidTransferAreRenewed()
    {
        const QString script = m_tmp.filePath(QStringLiteral("creds.sh"));
        QFile sh(script);
        QVERIFY(sh.open(QIODevice::WriteOnly));
        sh.write("#!/bin/sh\n"
                 "n=$(cat \"$1/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n >\"$1/count\"\n"
                 "printf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\", "
                 "\"SessionToken\": \"session-%s\", \"Expiration\": \"%s\"}' \"$2\" \"$3\" $n "
                 "\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"\n");
        sh.close();
        QVERIFY(sh.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QString countDir = m_tmp.filePath(QStringLiteral("creds-runs"));
        QVERIFY(QDir().mkpath(countDir));

        const QString stats = m_tmp.filePath(QStringLiteral("expiry.json"));
        QProcess proxy;
        proxy.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const QString proxyScript = qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK))
            + QStringLiteral("/tests/servers/faultproxy/faultproxy.py");
        proxy.start(QStringLiteral("/usr/bin/python3"),
                    {proxyScript, QStringLiteral("--upstream"), m_endpoint, QStringLiteral("--slowdowns"), QStringLiteral("0"),
                     QStringLiteral("--upload-resets"), QStringLiteral("0"), QStringLiteral("--download-resets"),
                     QStringLiteral("0"), QStringLiteral("--credential-lifetime"), QStringLiteral("1.0"),
                     QStringLiteral("--stats"), stats});
        QVERIFY(proxy.waitForStarted());
        const auto stopProxy = qScopeGuard([&proxy] {
            proxy.kill();
            proxy.waitForFinished();
        });
        QTRY_VERIFY_WITH_TIMEOUT(proxy.canReadLine(), 10000);
        const QByteArray line = proxy.readLine().trimmed();
        QVERIFY2(line.startsWith("PORT "), line.constData());

        const QString account = QStringLiteral("sandbox:s3-expiring");
        Account a;
        a.id = account;
        a.provider = QStringLiteral("aws");
        a.sandbox = true;
        a.settings.insert(QStringLiteral("endpoint"), QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(line.mid(5)));
        a.settings.insert(QStringLiteral("region"), QStringLiteral("us-east-1"));
        a.settings.insert(QStringLiteral("addressingStyle"), QStringLiteral("path"));
        a.settings.insert(QStringLiteral("credentialKind"), QStringLiteral("process"));
        QJsonObject spec{{QStringLiteral("kind"), QStringLiteral("process")},
                         {QStringLiteral("command"), QStringLiteral("\"%1\" \"%2\" \"%3\" \"%4\"")
                                                          .arg(script, countDir, skydeck::test::s3PeerValue("ACCESS_KEY"),
                                                               skydeck::test::s3PeerValue("SECRET_KEY"))}};
        a.settings.insert(QStringLiteral("credentials"), QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact)));
        m_registry->addAccount(a);

        const QString big = m_tmp.filePath(QStringLiteral("expiring-big"));
        QVERIFY(writeRandom(big, 24 * 1024 * 1024 + 5, 91));
        QElapsedTimer clock;
        clock.start();
        m_engine->clearFinished();
        int rounds = 0;
        while (clock.elapsed() < 3500 && rounds < 20) {
            const QString key = QStringLiteral("expiring/%1").arg(rounds);
            const TransferStatus up = transfer(TransferKind::Upload, key, big, account);
            QVERIFY2(up.state == TransferState::Done, qPrintable(up.error.toString()));
            const QString back = m_tmp.filePath(QStringLiteral("expiring-back-%1").arg(rounds));
            const TransferStatus down = transfer(TransferKind::Download, key, back, account);
            QVERIFY2(down.state == TransferState::Done, qPrintable(down.error.toString()));
            QCOMPARE(sha256(back), sha256(big));
            ++rounds;
        }
        QFile f(stats);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject counts = QJsonDocument::fromJson(f.readAll()).object();
        qInfo() << rounds << "rounds of upload and download;" << counts;
        QVERIFY2(counts.value(QStringLiteral("expired_refusals")).toInt() >= 1, "no session ever expired: the test proved nothing");
        QVERIFY(counts.value(QStringLiteral("credentials_seen")).toInt() >= 2);
        QFile runs(countDir + QStringLiteral("/count"));
        QVERIFY(runs.open(QIODevice::ReadOnly));
        QCOMPARE(runs.readAll().trimmed().toInt(), counts.value(QStringLiteral("credentials_seen")).toInt());
    }

    void cleanupTestCase()
    {
        delete m_engine;
        m_engine = nullptr;
    }
};

SKYDECK_TEST_MAIN(TestTransferS3)
#include "tst_transfer_s3.moc"
