// `skydeck vm` with an Azure service principal from the environment (AZURE_TENANT_ID, ...,
// AZURE_AUTHORITY_HOST and AZURE_RESOURCE_MANAGER_ENDPOINT pointing at the arm peer): list as JSON,
// start and stop (= deallocate) waiting for the state, a failed operation's error on one line with
// a failure exit code, terminate --yes; vm launch (a Spot GPU VM with an SSH key, SSH allowed from
// --ssh-from only, or from the SSH session's public address, or not at all; the NSG read back through
// Resource Manager), a create that fails in its operation, Azure's own refusals and ours. A
// subscription of its own, seeded through the control API.
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
#include <QUrlQuery>
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

    // A Resource Manager GET as any client makes it: a token from the client-credentials endpoint.
    QJsonObject armGet(const QString &path, const QString &apiVersion, int *status = nullptr)
    {
        QNetworkRequest tokenReq(QUrl(m_endpoint + QStringLiteral("/%1/oauth2/v2.0/token").arg(peerValue("SKYDECK_TEST_ARM_TENANT"))));
        tokenReq.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("client_credentials"));
        form.addQueryItem(QStringLiteral("client_id"), peerValue("SKYDECK_TEST_ARM_CLIENT_ID"));
        form.addQueryItem(QStringLiteral("client_secret"), peerValue("SKYDECK_TEST_ARM_CLIENT_SECRET"));
        form.addQueryItem(QStringLiteral("scope"), QStringLiteral("https://management.azure.com/.default"));
        QNetworkReply *t = m_nam.post(tokenReq, form.toString(QUrl::FullyEncoded).toUtf8());
        QSignalSpy tokenDone(t, &QNetworkReply::finished);
        if (!t->isFinished())
            tokenDone.wait(10000);
        const QByteArray token = QJsonDocument::fromJson(t->readAll()).object().value(QStringLiteral("access_token")).toString().toUtf8();
        t->deleteLater();
        QNetworkRequest req(QUrl(m_endpoint + path + QStringLiteral("?api-version=") + apiVersion));
        req.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = m_nam.get(req);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        if (status)
            *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    }

    QJsonArray sshRules(const QString &vm)
    {
        return armGet(QStringLiteral("/subscriptions/%1/resourceGroups/cli-launch/providers/Microsoft.Network/networkSecurityGroups/%2-nsg")
                          .arg(m_sub, vm),
                      QStringLiteral("2024-05-01"))
            .value(QStringLiteral("properties")).toObject().value(QStringLiteral("securityRules")).toArray();
    }

    QStringList launchArgs(const QString &name) const
    {
        return {QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("azure"),
                QStringLiteral("--type"), QStringLiteral("Standard_NC24ads_A100_v4"), QStringLiteral("--region"),
                QStringLiteral("eastus"), QStringLiteral("--image"),
                QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"), QStringLiteral("--name"), name,
                QStringLiteral("--key"), m_home.filePath(QStringLiteral("id.pub"))};
    }

    CliRunner launcher() const
    {
        CliRunner r = runner();
        r.unset(QStringLiteral("SSH_CONNECTION"));
        r.unset(QStringLiteral("SSH_CLIENT"));
        r.set(QStringLiteral("AZURE_DEFAULTS_GROUP"), QStringLiteral("cli-launch"));
        return r;
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
        QFile pub(m_home.filePath(QStringLiteral("id.pub")));
        QVERIFY(pub.open(QIODevice::WriteOnly));
        pub.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZbq3Ryc2ZRv9yD8mYg8E7nF1yk3K1m8J5R2b0F7q1 ada@laptop\n");
        pub.close();
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

    void launchSpotGpuVm()
    {
        const CliRun r = launcher().run(launchArgs(QStringLiteral("cli-az-launch"))
                                        << QStringLiteral("--zone") << QStringLiteral("1") << QStringLiteral("--spot")
                                        << QStringLiteral("--gpu") << QStringLiteral("A100-80GB:1") << QStringLiteral("--ssh-from")
                                        << QStringLiteral("81.2.69.160") << QStringLiteral("--disk-gb") << QStringLiteral("200"));
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 1);
        QVERIFY2(r.out.startsWith(QLatin1String("cli-az-launch (")) && r.out.contains(QLatin1String("): running, public "))
                     && r.out.contains(QLatin1String(", private 10.0.0.4")),
                 qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("SSH allowed from 81.2.69.160/32")), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("$0.444433/h spot list price")), qPrintable(r.describe()));  // azure.csv line 8
        const QJsonArray rules = sshRules(QStringLiteral("cli-az-launch"));
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules.first().toObject().value(QStringLiteral("properties")).toObject().value(QStringLiteral("sourceAddressPrefix")).toString(),
                 QStringLiteral("81.2.69.160/32"));
        const QJsonObject listed = this->listed(QStringLiteral("cli-az-launch"));
        QVERIFY(listed.value(QStringLiteral("spot")).toBool());
        QCOMPARE(listed.value(QStringLiteral("zone")).toString(), QStringLiteral("1"));
        QCOMPARE(listed.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(listed.value(QStringLiteral("machineType")).toString(), QStringLiteral("Standard_NC24ads_A100_v4"));
        // The same name again: refused, the VM untouched.
        const CliRun again = launcher().run(launchArgs(QStringLiteral("cli-az-launch")) << QStringLiteral("--ssh-from") << QStringLiteral("81.2.69.160"));
        QVERIFY2(again.code == 1 && again.err.contains(QLatin1String("already exists")), qPrintable(again.describe()));
        QCOMPARE(this->listed(QStringLiteral("cli-az-launch")).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    }

    void sshFromTheSessionOrNowhere()
    {
        // Not given: this SSH session's address, when public.
        CliRunner session = launcher();
        session.set(QStringLiteral("SSH_CONNECTION"), QStringLiteral("81.2.69.161 50522 10.1.0.5 22"));
        CliRun r = session.run(launchArgs(QStringLiteral("cli-az-session")));
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("SSH allowed from 81.2.69.161/32 (this SSH session's address)")), qPrintable(r.describe()));
        QCOMPARE(sshRules(QStringLiteral("cli-az-session")).first().toObject().value(QStringLiteral("properties")).toObject()
                     .value(QStringLiteral("sourceAddressPrefix")).toString(),
                 QStringLiteral("81.2.69.161/32"));
        // A private session address (or none): SSH stays closed, never open to the internet.
        session.set(QStringLiteral("SSH_CONNECTION"), QStringLiteral("192.168.1.20 50522 10.1.0.5 22"));
        r = session.run(launchArgs(QStringLiteral("cli-az-closed")));
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("SSH stays closed")), qPrintable(r.describe()));
        QVERIFY(sshRules(QStringLiteral("cli-az-closed")).isEmpty());
        // The whole internet only when asked, with a warning.
        r = launcher().run(launchArgs(QStringLiteral("cli-az-open")) << QStringLiteral("--ssh-from") << QStringLiteral("0.0.0.0/0"));
        QVERIFY2(r.code == 0 && r.err.contains(QLatin1String("warning: SSH is open to the whole internet")), qPrintable(r.describe()));
    }

    void launchFailuresAndRefusals()
    {
        control(QStringLiteral("/fail-next-operation"),
                {{QStringLiteral("subscription"), m_sub}, {QStringLiteral("code"), QStringLiteral("AllocationFailed")},
                 {QStringLiteral("message"), QStringLiteral("Allocation failed. We do not have sufficient capacity for the requested VM size in this region.")}});
        CliRun r = launcher().run(launchArgs(QStringLiteral("cli-az-nocap")) << QStringLiteral("--ssh-from") << QStringLiteral("81.2.69.160"));
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        const QStringList errors = r.errLines().filter(QStringLiteral("Allocation failed"));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().contains(QLatin1String("(AllocationFailed)")) && errors.first().contains(QLatin1String("Failed state")),
                 qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!listed(QStringLiteral("cli-az-nocap")).isEmpty());  // left, failed, to be deleted

        // Azure refuses a Gen1 image on a size that boots only Gen2: its message, one line.
        QStringList gen1 = launchArgs(QStringLiteral("cli-az-gen1"));
        gen1[gen1.indexOf(QStringLiteral("--image")) + 1] = QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest");
        r = launcher().run(gen1);
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("cannot boot Hypervisor Generation '1'")), qPrintable(r.describe()));
        // Ours: GPUs that are not the size's, no key anywhere, a bad prefix.
        r = launcher().run(launchArgs(QStringLiteral("cli-az-x")) << QStringLiteral("--gpu") << QStringLiteral("V100:1"));
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("Standard_NC24ads_A100_v4 has 1 x A100-80GB")), qPrintable(r.describe()));
        QStringList noKey = launchArgs(QStringLiteral("cli-az-x"));
        noKey.remove(noKey.indexOf(QStringLiteral("--key")), 2);
        r = launcher().run(noKey);
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("Azure needs an SSH public key")), qPrintable(r.describe()));
        r = launcher().run(launchArgs(QStringLiteral("cli-az-x")) << QStringLiteral("--ssh-from") << QStringLiteral("my-laptop"));
        QVERIFY2(r.code == 2 && r.err.contains(QLatin1String("--ssh-from")), qPrintable(r.describe()));
        QVERIFY(listed(QStringLiteral("cli-az-x")).isEmpty());
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
