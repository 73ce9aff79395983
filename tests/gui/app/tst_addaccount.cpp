// "Add account…" in the main window against the loopback peers and the keychain peer: for AWS access
// keys (s3rver), a Google Cloud service-account key file (gce_server.py's token endpoint and
// Compute Engine) and an Azure service principal (arm_server.py's Entra ID and Resource Manager), a
// good credential passes the one-call check and is added, its secret in gnome-keyring and never in
// the settings file, and is back in the tree (and the VMs pane lists it) after the window is built
// again; a wrong one shows the provider's own error in the dialog and adds nothing; an unreachable
// endpoint says it is the network; Cancel ends a check that hangs at once.
#include "AccountCheck.h"
#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "AddAccountDialog.h"
#include "AddedAccounts.h"
#include "AwsProvider.h"
#include "AzureProvider.h"
#include "CredentialStore.h"
#include "GcpProvider.h"
#include "InstanceModel.h"
#include "InstancePane.h"
#include "MainWindow.h"
#include "Peers.h"
#include "TransferEngine.h"

#include "GuiTestMain.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>

#include <functional>

using namespace skydeck;
using skydeck::gui::AddAccountDialog;
using skydeck::gui::MainWindow;

class TestAddAccount : public QObject
{
    Q_OBJECT
    QString m_service;  // a keychain service of this run's own
    QTemporaryDir m_dir;

    using Fill = std::function<void(AddAccountDialog *)>;

    static QPushButton *okButton(AddAccountDialog *dlg)
    {
        return dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    // File → Add account… with `fill`; OK is clicked. When `good`, the check passes and the dialog
    // closes; otherwise the dialog stays with the provider's error, which is returned, and is cancelled.
    QString addThroughWindow(MainWindow &w, const Fill &fill, bool good)
    {
        QString shown;
        bool ran = false;
        QTimer::singleShot(0, &w, [&] {
            auto *dlg = qobject_cast<AddAccountDialog *>(QApplication::activeModalWidget());
            QVERIFY(dlg);
            ran = true;
            fill(dlg);
            QVERIFY2(dlg->validate().isEmpty(), qPrintable(dlg->validate()));
            QVERIFY(okButton(dlg)->isEnabled());
            okButton(dlg)->click();
            QVERIFY(dlg->isChecking() || dlg->isVerified() || !dlg->statusLabel()->text().isEmpty());
            if (good)
                return;  // closes itself when the check passes; exec() returns
            QTRY_VERIFY_WITH_TIMEOUT(!dlg->isChecking(), 30000);
            QVERIFY(dlg->isVisible());  // a refused credential never closes the dialog
            QVERIFY(!dlg->isVerified());
            shown = dlg->statusLabel()->text();
            dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->click();
        });
        w.addAccount();
        if (!ran)
            return QStringLiteral("<the dialog did not open>");
        return shown;
    }

    QByteArray settingsFileBytes() const
    {
        QSettings s;
        s.sync();
        QFile f(s.fileName());
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return f.readAll();
    }

    // The good credential is added and survives a new window; the bad one shows `providerWords`.
    void goodAndBad(const QString &provider, const QString &name, const Fill &good, const Fill &bad,
                    const QString &providerWords, const QString &secretName, const QString &secret,
                    const QByteArray &neverInSettings)
    {
        QSettings().clear();
        const QString id = gui::AddedAccounts::idForName(name, provider);
        {
            AccountRegistry registry;
            TransferEngine engine(&registry);
            CredentialStore store(m_service, QStringLiteral("creds"));
            MainWindow w(&registry, &engine, &store);

            // A wrong credential: the provider's error, nothing added, nothing saved.
            const QString shown = addThroughWindow(w, bad, false);
            QVERIFY2(shown.contains(providerWords), qPrintable(shown));
            QVERIFY(!registry.account(id));
            QVERIFY(!registry.account(gui::AddedAccounts::idForName(name + QStringLiteral(" bad"), provider)));
            QSettings s;
            QVERIFY(s.childGroups().isEmpty() || !s.childGroups().contains(QStringLiteral("accounts")));

            QSignalSpy saved(w.addedAccounts(), &gui::AddedAccounts::message);
            addThroughWindow(w, good, true);
            QVERIFY(registry.account(id));
            QCOMPARE(registry.account(id)->provider, provider);
            QVERIFY(w.accountModel()->accountIndex(id).isValid());
            if (!secretName.isEmpty())
                QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty(), 20000);  // "Saved the secret ... in the keychain"
            QCOMPARE(store.names(id), secretName.isEmpty() ? QStringList() : QStringList{secretName});
        }
        const QByteArray file = settingsFileBytes();
        QVERIFY(file.contains(id.toUtf8()) || file.contains(QString(id).replace(QLatin1Char(':'), QLatin1Char('_')).toUtf8()));
        QVERIFY2(!file.contains(neverInSettings), "a secret reached the settings file");
        if (!secret.isEmpty()) {
            QSettings settings;
            for (const QString &k : settings.allKeys())
                QVERIFY2(k.endsWith(QLatin1String("/accessKeyId")) || !settings.value(k).toString().contains(secret),
                         qPrintable(QStringLiteral("the secret is in the setting %1").arg(k)));
        }

        // "Restart": a new registry, keychain client and window load the added account.
        AccountRegistry registry;
        TransferEngine engine(&registry);
        CredentialStore store(m_service, QStringLiteral("creds"));
        MainWindow w(&registry, &engine, &store);
        w.addedAccounts()->loadAll();
        QTRY_VERIFY_WITH_TIMEOUT(registry.account(id), 20000);
        if (!secretName.isEmpty())
            QCOMPARE(registry.account(id)->secret(secretName), secret);
        QTRY_VERIFY(w.accountModel()->accountIndex(id).isValid());
        if (provider != QLatin1String("aws")) {
            ui::InstancePane *pane = w.openInstances();
            QSignalSpy pages(pane->model(), &ui::InstanceModel::pageArrived);
            pane->model()->refresh();
            QTRY_VERIFY_WITH_TIMEOUT(std::any_of(pages.cbegin(), pages.cend(),
                                                 [&](const QList<QVariant> &args) { return args.at(0).toString() == id; }),
                                     30000);
        } else {
            gui::AccountCheck check;
            QSignalSpy done(&check, &gui::AccountCheck::finished);
            check.start(*registry.account(id));
            QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 20000);
            QVERIFY2(!done.at(0).at(1).value<Error>().isError(), qPrintable(done.at(0).at(1).value<Error>().toString()));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString keyring;
        SKYDECK_REQUIRE_PEER(keyring, "SKYDECK_TEST_KEYRING");
        QVERIFY(m_dir.isValid());
        m_service = QStringLiteral("skydeck-test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        aws::registerProviders();
        gcp::registerProviders();
        azure::registerProviders();
        qRegisterMetaType<Error>();
        qRegisterMetaType<Account>();
    }

    // moto with IAM authentication on checks every request's signature (s3rver does not check
    // ListBuckets' signature): a wrong secret is refused with S3's SignatureDoesNotMatch.
    void s3AccessKeys()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_EC2_AUTH_ENDPOINT");
        const QString keyId = skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_ACCESS_KEY");
        const QString secret = skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_SECRET_KEY");
        auto fill = [=](const QString &name, const QString &withSecret) {
            return [=](AddAccountDialog *d) {
                d->providerBox()->setCurrentIndex(d->providerBox()->findData(QStringLiteral("aws")));
                d->nameEdit()->setText(name);
                d->keyIdEdit()->setText(keyId);
                d->secretEdit()->setText(withSecret);
                d->endpointEdit()->setText(endpoint);
                d->pathStyleBox()->setChecked(true);
            };
        };
        goodAndBad(QStringLiteral("aws"), QStringLiteral("Lab S3"), fill(QStringLiteral("Lab S3"), secret),
                   fill(QStringLiteral("Lab S3 bad"), QStringLiteral("not-the-secret")), QStringLiteral("SignatureDoesNotMatch"),
                   QStringLiteral("secretAccessKey"), secret, secret.toUtf8());
    }

    void gcpServiceAccountKeyFile()
    {
        QString endpoint, key;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_GCE_ENDPOINT");
        SKYDECK_REQUIRE_PEER(key, "SKYDECK_TEST_GCE_KEY");
        qputenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", endpoint.toUtf8());
        qputenv("CLOUDSDK_CONFIG", m_dir.filePath(QStringLiteral("no-gcloud")).toUtf8());
        // The same key for a service account the token endpoint does not know.
        QFile in(key);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject json = QJsonDocument::fromJson(in.readAll()).object();
        json.insert(QStringLiteral("client_email"), QStringLiteral("nobody@skydeck-test.iam.gserviceaccount.com"));
        const QString wrongKey = m_dir.filePath(QStringLiteral("wrong-key.json"));
        QFile out(wrongKey);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(json).toJson());
        out.close();
        auto fill = [](const QString &name, const QString &path) {
            return [=](AddAccountDialog *d) {
                d->providerBox()->setCurrentIndex(d->providerBox()->findData(QStringLiteral("gcp")));
                d->nameEdit()->setText(name);
                d->gcpKeyFileEdit()->setText(path);
            };
        };
        goodAndBad(QStringLiteral("gcp"), QStringLiteral("GCE lab"), fill(QStringLiteral("GCE lab"), key),
                   fill(QStringLiteral("GCE lab bad"), wrongKey), QStringLiteral("The OAuth client was not found."), QString(),
                   QString(), QByteArray("PRIVATE KEY"));
    }

    void azureServicePrincipal()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_ARM_ENDPOINT");
        const QString secret = skydeck::test::peerValue("SKYDECK_TEST_ARM_CLIENT_SECRET");
        auto fill = [=](const QString &name, const QString &withSecret) {
            return [=](AddAccountDialog *d) {
                d->providerBox()->setCurrentIndex(d->providerBox()->findData(QStringLiteral("azure")));
                d->nameEdit()->setText(name);
                d->azureTenantEdit()->setText(skydeck::test::peerValue("SKYDECK_TEST_ARM_TENANT"));
                d->azureClientIdEdit()->setText(skydeck::test::peerValue("SKYDECK_TEST_ARM_CLIENT_ID"));
                d->azureSecretEdit()->setText(withSecret);
                d->azureSubscriptionEdit()->setText(skydeck::test::peerValue("SKYDECK_TEST_ARM_SUBSCRIPTION"));
                d->azureAuthorityEdit()->setText(endpoint);
                d->azureEndpointEdit()->setText(endpoint);
            };
        };
        // Entra ID refuses a wrong client secret with AADSTS7000215.
        goodAndBad(QStringLiteral("azure"), QStringLiteral("Azure lab"), fill(QStringLiteral("Azure lab"), secret),
                   fill(QStringLiteral("Azure lab bad"), QStringLiteral("wrong-secret")), QStringLiteral("AADSTS7000215"),
                   QStringLiteral("clientSecret"), secret, secret.toUtf8());
    }

    // Nothing listens: the dialog says it is the network, not the credentials.
    void networkFailureSaysSo()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        AddAccountDialog dlg;
        dlg.nameEdit()->setText(QStringLiteral("nowhere"));
        dlg.keyIdEdit()->setText(QStringLiteral("AKIDEXAMPLE"));
        dlg.secretEdit()->setText(QStringLiteral("secret"));
        dlg.endpointEdit()->setText(QStringLiteral("http://127.0.0.1:%1").arg(port));
        dlg.show();
        dlg.validateButton()->click();
        QVERIFY(dlg.isChecking());
        QVERIFY(!okButton(&dlg)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!dlg.isChecking(), 60000);
        QVERIFY2(dlg.statusLabel()->text().contains(QStringLiteral("network")), qPrintable(dlg.statusLabel()->text()));
        QVERIFY(!dlg.isVerified());
        QVERIFY(dlg.isVisible());
    }

    // A server that accepts and never answers: the check runs, the dialog stays responsive, and
    // Cancel closes it at once (the call is aborted, never waited for).
    void cancelWhileChecking()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        AddAccountDialog dlg;
        dlg.nameEdit()->setText(QStringLiteral("silent"));
        dlg.keyIdEdit()->setText(QStringLiteral("AKIDEXAMPLE"));
        dlg.secretEdit()->setText(QStringLiteral("secret"));
        dlg.endpointEdit()->setText(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        dlg.show();
        okButton(&dlg)->click();
        QVERIFY(dlg.isChecking());
        QTRY_VERIFY(silent.hasPendingConnections());  // the request reached the server and hangs there
        QTest::qWait(0);
        QVERIFY(dlg.isVisible());
        QElapsedTimer t;
        t.start();
        dlg.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->click();
        QVERIFY(t.elapsed() < 2000);
        QCOMPARE(dlg.result(), int(QDialog::Rejected));
        QVERIFY(!dlg.isVisible());
        QVERIFY(!dlg.isChecking());
    }

    // A key file that is not there is a local problem, not the provider refusing anything.
    void missingKeyFileIsNotARefusal()
    {
        AddAccountDialog dlg;
        dlg.providerBox()->setCurrentIndex(dlg.providerBox()->findData(QStringLiteral("gcp")));
        dlg.nameEdit()->setText(QStringLiteral("gone"));
        dlg.gcpKeyFileEdit()->setText(m_dir.filePath(QStringLiteral("no-such-key.json")));
        dlg.show();
        dlg.validateButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dlg.isChecking(), 20000);
        const QString text = dlg.statusLabel()->text();
        QVERIFY2(text.contains(QStringLiteral("no-such-key.json")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("refused")), qPrintable(text));
        QVERIFY(!dlg.isVerified());
    }

    // Changing the input after a passed check asks for a new one.
    void editAfterCheckNeedsNewCheck()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        AddAccountDialog dlg;
        dlg.nameEdit()->setText(QStringLiteral("edit"));
        dlg.keyIdEdit()->setText(skydeck::test::peerValue("SKYDECK_TEST_S3_ACCESS_KEY"));
        dlg.secretEdit()->setText(skydeck::test::peerValue("SKYDECK_TEST_S3_SECRET_KEY"));
        dlg.endpointEdit()->setText(endpoint);
        dlg.pathStyleBox()->setChecked(true);
        dlg.validateButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(dlg.isVerified(), 20000);
        dlg.secretEdit()->setText(QStringLiteral("changed"));
        QVERIFY(!dlg.isVerified());
        QVERIFY(dlg.statusLabel()->text().isEmpty());
    }
};

SKYDECK_GUI_TEST_MAIN(TestAddAccount)
#include "tst_addaccount.moc"
