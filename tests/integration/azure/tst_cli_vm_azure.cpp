// `skydeck vm` with an Azure service principal from the environment (AZURE_TENANT_ID, ...,
// AZURE_AUTHORITY_HOST and AZURE_RESOURCE_MANAGER_ENDPOINT pointing at the arm peer): list as JSON,
// start and stop (= deallocate) waiting for the state, a failed operation's error on one line with
// a failure exit code, terminate --yes. A subscription of its own, seeded through the control API.
#include "CliRunner.h"
#include "Peers.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUuid>

using namespace skydeck::test;

class TestCliVmAzure : public QObject
{
    Q_OBJECT
    QString m_endpoint, m_control, m_sub;
    QTemporaryDir m_home;
    QNetworkAccessManager m_nam;

    void control(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest req(QUrl(m_control + path));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = m_nam.post(req, QJsonDocument(body).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(reply->isFinished() || done.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }

    CliRunner runner() const
    {
        CliRunner r(m_home.path());
        for (const char *k : {"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CORE_PROJECT", "AZURE_CONFIG_DIR", "AZURE_CLOUD",
                              "AZURE_RESOURCE_MANAGER_AUDIENCE"})
            r.unset(QString::fromLatin1(k));
        r.set(QStringLiteral("AZURE_TENANT_ID"), peerValue("SKYDECK_TEST_ARM_TENANT"));
        r.set(QStringLiteral("AZURE_CLIENT_ID"), peerValue("SKYDECK_TEST_ARM_CLIENT_ID"));
        r.set(QStringLiteral("AZURE_CLIENT_SECRET"), peerValue("SKYDECK_TEST_ARM_CLIENT_SECRET"));
        r.set(QStringLiteral("AZURE_SUBSCRIPTION_ID"), m_sub);
        r.set(QStringLiteral("AZURE_AUTHORITY_HOST"), m_endpoint);
        r.set(QStringLiteral("AZURE_RESOURCE_MANAGER_ENDPOINT"), m_endpoint);
        return r;
    }

    QJsonObject listed(const QString &name)
    {
        const CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--provider"),
                                       QStringLiteral("azure"), QStringLiteral("--json")});
        if (r.code != 0)
            qWarning().noquote() << r.describe();
        for (const QJsonValue &v : QJsonDocument::fromJson(r.out.toUtf8()).array())
            if (v.toObject().value(QStringLiteral("name")).toString() == name)
                return v.toObject();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_ARM_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_ARM_CONTROL");
        m_sub = QUuid::createUuid().toString(QUuid::WithoutBraces);
        auto vm = [](const QString &name, const QString &power, const QString &size) {
            return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("power"), power},
                               {QStringLiteral("vmSize"), size}, {QStringLiteral("resourceGroup"), QStringLiteral("cli-rg")},
                               {QStringLiteral("location"), QStringLiteral("eastus")}, {QStringLiteral("zones"), QJsonArray{QStringLiteral("1")}}};
        };
        control(QStringLiteral("/seed"),
                {{QStringLiteral("subscription"), m_sub}, {QStringLiteral("transitionSeconds"), 1},
                 {QStringLiteral("retryAfter"), 1},
                 {QStringLiteral("vms"), QJsonArray{vm(QStringLiteral("cli-az-t4"), QStringLiteral("deallocated"),
                                                       QStringLiteral("Standard_NC4as_T4_v3")),
                                                    vm(QStringLiteral("cli-az-a100"), QStringLiteral("running"),
                                                       QStringLiteral("Standard_NC24ads_A100_v4"))}}});
    }

    void listAsJson()
    {
        const QJsonObject a100 = listed(QStringLiteral("cli-az-a100"));
        QCOMPARE(a100.value(QStringLiteral("provider")).toString(), QStringLiteral("azure"));
        QCOMPARE(a100.value(QStringLiteral("account")).toString(), QStringLiteral("azure:env"));
        QCOMPARE(a100.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(a100.value(QStringLiteral("region")).toString(), QStringLiteral("eastus"));
        QCOMPARE(a100.value(QStringLiteral("zone")).toString(), QStringLiteral("1"));
        QCOMPARE(a100.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("model")).toString(), QStringLiteral("A100 80GB"));
        QVERIFY(!a100.value(QStringLiteral("publicIp")).toString().isEmpty());
        QCOMPARE(listed(QStringLiteral("cli-az-t4")).value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
        // The secret never shows.
        const CliRun table = runner().run({QStringLiteral("vm"), QStringLiteral("list")});
        QVERIFY2(table.code == 0, qPrintable(table.describe()));
        QVERIFY(table.out.contains(QLatin1String("cli-az-t4")));
        QVERIFY(!table.out.contains(peerValue("SKYDECK_TEST_ARM_CLIENT_SECRET")));
    }

    void startAndStopWaitForTheState()
    {
        CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("start"), QStringLiteral("cli-az-t4")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QCOMPARE(listed(QStringLiteral("cli-az-t4")).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        r = runner().run({QStringLiteral("vm"), QStringLiteral("stop"), QStringLiteral("cli-az-a100")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        const QJsonObject a100 = listed(QStringLiteral("cli-az-a100"));
        QCOMPARE(a100.value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
        QCOMPARE(a100.value(QStringLiteral("providerState")).toString(), QStringLiteral("deallocated"));
    }

    void failedOperationIsOneLine()
    {
        control(QStringLiteral("/fail-next-operation"),
                {{QStringLiteral("subscription"), m_sub}, {QStringLiteral("code"), QStringLiteral("AllocationFailed")},
                 {QStringLiteral("message"), QStringLiteral("Allocation failed. We do not have sufficient capacity.")}});
        const CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("start"), QStringLiteral("cli-az-a100")});
        QVERIFY2(r.finished && r.code != 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("Allocation failed")), qPrintable(r.describe()));
        QCOMPARE(listed(QStringLiteral("cli-az-a100")).value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
    }

    void terminateWithYes()
    {
        const CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("terminate"), QStringLiteral("cli-az-t4"),
                                       QStringLiteral("--yes")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QVERIFY(listed(QStringLiteral("cli-az-t4")).isEmpty());
        QVERIFY(!listed(QStringLiteral("cli-az-a100")).isEmpty());
    }
};

SKYDECK_TEST_MAIN(TestCliVmAzure)
#include "tst_cli_vm_azure.moc"
