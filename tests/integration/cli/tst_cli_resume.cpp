// An upload killed with SIGKILL resumes: `skydeck cp` of a 6-part file through a proxy that stops
// answering part uploads after 3 (tests/servers/faultproxy --stall-uploads-after) in front of
// moto's S3, killed once 3 parts are stored; the same command again sends only the 3 missing
// parts (counted by a second proxy), completes one multipart upload, and the object is the file.
#include "CliRunner.h"
#include "Peers.h"
#include "TestMain.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>

using skydeck::test::CliRun;
using skydeck::test::CliRunner;

namespace {

// A faultproxy in front of `upstream`; its port once listening. Killed with the object.
struct Proxy {
    QProcess process;
    QString stats;
    int port = 0;
    ~Proxy()
    {
        process.kill();
        process.waitForFinished(5000);
    }
    bool start(const QString &upstream, const QString &statsFile, const QStringList &extra)
    {
        stats = statsFile;
        const QString script = qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/faultproxy/faultproxy.py");
        process.start(QStringLiteral("/usr/bin/python3"),
                      QStringList{script, QStringLiteral("--upstream"), upstream, QStringLiteral("--slowdowns"),
                                  QStringLiteral("0"), QStringLiteral("--upload-resets"), QStringLiteral("0"),
                                  QStringLiteral("--download-resets"), QStringLiteral("0"), QStringLiteral("--stats"),
                                  statsFile}
                          + extra);
        if (!process.waitForStarted(10000))
            return false;
        if (!QTest::qWaitFor([&] { return process.canReadLine(); }, 10000))
            return false;
        const QByteArray line = process.readLine().trimmed();
        port = line.startsWith("PORT ") ? line.mid(5).toInt() : 0;
        return port > 0;
    }
    int stat(const char *name) const
    {
        QFile f(stats);
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String(name)).toInt()
                                           : -1;
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(port); }
};

QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result();
}

} // namespace

class TestCliResume : public QObject
{
    Q_OBJECT
    QString m_moto;
    QTemporaryDir m_home;
    QTemporaryDir m_work;

    CliRunner runner() const
    {
        CliRunner r(m_home.path());
        r.set(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("testing"));
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("testing"));
        r.setWorkingDirectory(m_work.path());
        return r;
    }
    QString journals() const { return m_home.filePath(QStringLiteral(".local/share/skydeck/skydeck/upload-journals")); }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_moto, "SKYDECK_TEST_EC2_ENDPOINT");  // moto serves S3 beside EC2
        QVERIFY(QFileInfo(QStringLiteral(SKYDECK_BINARY)).isExecutable());
    }

    void killedUploadResumesWithTheMissingPartsOnly()
    {
        const QString bucket = QStringLiteral("resume-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        const CliRun mb = runner().run({QStringLiteral("--endpoint-url"), m_moto, QStringLiteral("mb"), QStringLiteral("s3://") + bucket});
        QVERIFY2(mb.code == 0, qPrintable(mb.describe()));
        // 6 parts of 8 MiB (the engine's default part size), the last one shorter.
        const QString file = m_work.filePath(QStringLiteral("model.bin"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QRandomGenerator rng(77);
            QByteArray chunk(1 << 20, Qt::Uninitialized);
            for (int i = 0; i < 45; ++i) {
                rng.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
                f.write(chunk);
            }
        }
        const QString target = QStringLiteral("s3://%1/models/model.bin").arg(bucket);

        Proxy stalling;
        QVERIFY(stalling.start(m_moto, m_work.filePath(QStringLiteral("stall.json")),
                               {QStringLiteral("--stall-uploads-after"), QStringLiteral("3")}));
        QProcess first;
        {
            const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            // The runner's environment, by hand: QProcess here so the test can kill it.
            first.setProcessEnvironment([&] {
                QProcessEnvironment e;
                for (const QString &k : env.keys())
                    if (!k.startsWith(QLatin1String("AWS_")))
                        e.insert(k, env.value(k));
                e.insert(QStringLiteral("HOME"), m_home.path());
                e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral(".config")));
                e.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral(".local/share")));
                e.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("testing"));
                e.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("testing"));
                return e;
            }());
        }
        first.start(QStringLiteral(SKYDECK_BINARY), {QStringLiteral("--endpoint-url"), stalling.url(), QStringLiteral("cp"), file, target});
        QVERIFY(first.waitForStarted(10000));
        QVERIFY2(QTest::qWaitFor([&] { return stalling.stat("puts_forwarded") >= 3 && stalling.stat("puts_stalled") >= 1; }, 60000),
                 qPrintable(QStringLiteral("forwarded %1, stalled %2").arg(stalling.stat("puts_forwarded")).arg(stalling.stat("puts_stalled"))));
        first.kill();  // SIGKILL: no cleanup of any kind
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(QDir(journals()).entryList(QDir::Files).size(), 1);

        Proxy counting;
        QVERIFY(counting.start(m_moto, m_work.filePath(QStringLiteral("count.json")), {}));
        const CliRun second = runner().run({QStringLiteral("--endpoint-url"), counting.url(), QStringLiteral("cp"), file, target});
        QVERIFY2(second.code == 0, qPrintable(second.describe()));
        QCOMPARE(counting.stat("puts_forwarded"), 3);  // only the parts moto did not have
        QCOMPARE(QDir(journals()).entryList(QDir::Files).size(), 0);

        const QString back = m_work.filePath(QStringLiteral("back.bin"));
        const CliRun down = runner().run({QStringLiteral("--endpoint-url"), m_moto, QStringLiteral("cp"), target, back});
        QVERIFY2(down.code == 0, qPrintable(down.describe()));
        QCOMPARE(sha256(back), sha256(file));
    }
};

SKYDECK_TEST_MAIN(TestCliResume)
#include "tst_cli_resume.moc"
