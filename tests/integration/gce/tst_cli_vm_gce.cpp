// `skydeck vm launch --provider gcp` (the built binary) against the Compute Engine test server
// (tests/servers/gce_server.py, the "gce" peer): a G2 Spot VM with the SSH key in its metadata and
// its price said first (host row + L4 row), an N1 with a T4 attached by --gpu, waiting until
// running and printing the id and addresses; --gpu that does not fit the type, a region where a
// zone is needed and a private key given as --key are refused before anything is made.
#include "CliRunner.h"
#include "Peers.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>

using skydeck::test::CliRun;
using skydeck::test::CliRunner;

class TestCliVmGce : public QObject
{
    Q_OBJECT
    QString m_endpoint, m_control, m_key, m_suffix;
    QTemporaryDir m_home;
    QNetworkAccessManager m_nam;

    QJsonObject instance(const QString &zone, const QString &name)
    {
        QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(m_control + QStringLiteral("/instance?zone=%1&name=%2").arg(zone, name))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    }

    CliRunner runner() const
    {
        CliRunner r(m_home.path());
        for (const char *v : {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID", "CLOUDSDK_CORE_PROJECT"})
            r.unset(QLatin1String(v));
        r.set(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), m_key);
        r.set(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        r.set(QStringLiteral("CLOUDSDK_CONFIG"), m_home.filePath(QStringLiteral("no-gcloud")));
        r.set(QStringLiteral("USER"), QStringLiteral("ada"));
        return r;
    }

    QStringList launchArgs(const QString &name, const QString &type) const
    {
        return {QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("gcp"),
                QStringLiteral("--type"), type, QStringLiteral("--zone"), QStringLiteral("us-central1-a"),
                QStringLiteral("--image"), QStringLiteral("projects/deeplearning-platform-release/global/images/family/pytorch-latest-gpu"),
                QStringLiteral("--name"), name, QStringLiteral("--key"), m_home.filePath(QStringLiteral("id.pub"))};
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_GCE_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_GCE_CONTROL");
        SKYDECK_REQUIRE_PEER(m_key, "SKYDECK_TEST_GCE_KEY");
        QVERIFY(m_home.isValid());
        QFile pub(m_home.filePath(QStringLiteral("id.pub")));
        QVERIFY(pub.open(QIODevice::WriteOnly));
        pub.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZbq3Ryc2ZRv9yD8mYg8E7nF1yk3K1m8J5R2b0F7q1 ada@laptop\n");
        pub.close();
        QFile priv(m_home.filePath(QStringLiteral("id")));
        QVERIFY(priv.open(QIODevice::WriteOnly));
        priv.write("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        priv.close();
        m_suffix = QString::number(QRandomGenerator::global()->generate() % 100000);
    }

    void spotG2WithKeyAndPrice()
    {
        const QString name = QStringLiteral("cli-g2-") + m_suffix;
        const CliRun r = runner().run(launchArgs(name, QStringLiteral("g2-standard-4")) << QStringLiteral("--spot"));
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 1);
        QVERIFY2(r.outLines().first().startsWith(name + QStringLiteral(" (")) && r.out.contains(QLatin1String("): running")),
                 qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QLatin1String(", private ")), qPrintable(r.describe()));
        // The price, from the catalog, with its rows: g2-standard-4 spot 0.05874 + L4 x1 spot 0.2231.
        QVERIFY2(r.err.contains(QLatin1String("$0.28184/h spot list price")), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("gcp.csv line 21")) && r.err.contains(QLatin1String("gcp.csv line 66")), qPrintable(r.describe()));
        const QJsonObject in = instance(QStringLiteral("us-central1-a"), name);
        QCOMPARE(in.value(QStringLiteral("scheduling")).toObject().value(QStringLiteral("provisioningModel")).toString(), QStringLiteral("SPOT"));
        bool key = false;
        for (const QJsonValue &item : in.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("items")).toArray())
            if (item.toObject().value(QStringLiteral("key")).toString() == QLatin1String("ssh-keys"))
                key = item.toObject().value(QStringLiteral("value")).toString().startsWith(QLatin1String("ada:ssh-ed25519 AAAAC3Nz"));
        QVERIFY2(key, qPrintable(QJsonDocument(in).toJson()));
    }

    void n1WithAttachedT4()
    {
        const QString name = QStringLiteral("cli-n1-") + m_suffix;
        const CliRun r = runner().run(launchArgs(name, QStringLiteral("n1-standard-8")) << QStringLiteral("--gpu") << QStringLiteral("T4:1"));
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("$0.73/h on-demand")), qPrintable(r.describe()));  // 0.38 + T4 x1 0.35
        const QJsonArray accels = instance(QStringLiteral("us-central1-a"), name).value(QStringLiteral("guestAccelerators")).toArray();
        QCOMPARE(accels.size(), 1);
        QVERIFY(accels.first().toObject().value(QStringLiteral("acceleratorType")).toString().endsWith(QLatin1String("/nvidia-tesla-t4")));
        QCOMPARE(accels.first().toObject().value(QStringLiteral("acceleratorCount")).toInt(), 1);
        // The instance is listed like any other.
        const CliRun list = runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--provider"), QStringLiteral("gcp")});
        QVERIFY(list.out.contains(name));
    }

    void refusedBeforeAnythingIsMade_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QString n = QStringLiteral("cli-refused-");
        QTest::newRow("gpu on g2") << (launchArgs(n + "1", "g2-standard-4") << "--gpu" << "T4:1") << "g2-standard-4 has 1 x L4";
        QTest::newRow("gpu on e2") << (launchArgs(n + "2", "e2-standard-4") << "--gpu" << "T4:1") << "attaches GPUs to N1";
        QTest::newRow("unknown gpu") << (launchArgs(n + "3", "n1-standard-8") << "--gpu" << "Z9:1") << "no Compute Engine accelerator";
        QStringList region = launchArgs(n + "4", "n1-standard-8");
        region[region.indexOf(QStringLiteral("--zone"))] = QStringLiteral("--region");
        region[region.indexOf(QStringLiteral("us-central1-a"))] = QStringLiteral("us-central1");
        QTest::newRow("region, not zone") << region << "needs --zone";
        QStringList priv = launchArgs(n + "5", "n1-standard-8");
        priv.last() = m_home.filePath(QStringLiteral("id"));
        QTest::newRow("private key") << priv << "is a private key";
        QTest::newRow("ssh-from") << (launchArgs(n + "6", "n1-standard-8") << "--ssh-from" << "81.2.69.160") << "--ssh-from applies to Azure";
    }
    void refusedBeforeAnythingIsMade()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const CliRun r = runner().run(args);
        QVERIFY2(r.finished && r.code == 2, qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.contains(mentions), qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        const QString name = args.at(args.indexOf(QStringLiteral("--name")) + 1);
        QVERIFY(instance(QStringLiteral("us-central1-a"), name).isEmpty()
                || instance(QStringLiteral("us-central1-a"), name).contains(QStringLiteral("error")));
    }
};

SKYDECK_TEST_MAIN(TestCliVmGce)
#include "tst_cli_vm_gce.moc"
