// With no keychain service reachable: one retry, then a clear warning and session-only secrets.
#include "CredentialStore.h"
#include "LogCapture.h"
#include "TestMain.h"

#include <QSettings>
#include <QSignalSpy>

using skydeck::CredentialStore;
using skydeck::Error;
using skydeck::Result;
using skydeck::Status;

class TestCredentialStoreNoBackend : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // No session bus at all: neither Secret Service nor KWallet can answer.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/skydeck-test-bus");
        qunsetenv("DISPLAY");
    }

    void fallsBackToSessionSecrets()
    {
        skydeck::test::LogCapture logs;
        CredentialStore store(QStringLiteral("skydeck-test-nobackend"), QStringLiteral("creds"));
        store.setRetryDelayMs(50);
        QSignalSpy warned(&store, &CredentialStore::backendUnavailable);
        QSignalSpy sessionOnly(&store, &CredentialStore::sessionOnlyChanged);
        const QString secret = QStringLiteral("s3cr3t-value-never-logged");

        int calls = 0;
        Status written = Error();
        store.write(QStringLiteral("aws:env"), QStringLiteral("secretAccessKey"), secret, this, [&](Status s) {
            ++calls;
            written = s;
        });
        QCOMPARE(calls, 0);  // asynchronous
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 30000);
        QVERIFY2(written.ok(), qPrintable(written.error().toString()));
        QVERIFY(store.isSessionOnly());
        QCOMPARE(warned.count(), 1);
        QVERIFY(warned.at(0).at(0).toString().contains(QLatin1String("no keychain")));
        QCOMPARE(sessionOnly.count(), 1);
        QVERIFY2(logs.all().contains(QLatin1String("retrying once")), qPrintable(logs.all()));

        Result<QString> read = Error();
        calls = 0;
        store.read(QStringLiteral("aws:env"), QStringLiteral("secretAccessKey"), this, [&](Result<QString> r) {
            ++calls;
            read = r;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);
        QVERIFY(read.ok());
        QCOMPARE(read.value(), secret);
        QCOMPARE(store.names(QStringLiteral("aws:env")), QStringList{QStringLiteral("secretAccessKey")});
        // Session-only secrets are not listed in settings: they end with the process.
        QVERIFY(!QSettings().value(QStringLiteral("creds/keys")).toStringList().contains(
            QStringLiteral("skydeck:aws:env:secretAccessKey")));

        // A second write does not warn again.
        calls = 0;
        store.write(QStringLiteral("aws:env"), QStringLiteral("sessionToken"), QStringLiteral("tok"), this,
                    [&](Status s) {
                        ++calls;
                        written = s;
                    });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);
        QVERIFY(written.ok());
        QCOMPARE(warned.count(), 1);

        calls = 0;
        store.removeAccount(QStringLiteral("aws:env"), this, [&](Status s) {
            ++calls;
            written = s;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);
        QVERIFY(written.ok());
        calls = 0;
        store.read(QStringLiteral("aws:env"), QStringLiteral("secretAccessKey"), this, [&](Result<QString> r) {
            ++calls;
            read = r;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);
        QCOMPARE(read.error().category(), Error::Category::NotFound);

        QVERIFY(!logs.all().contains(secret));
        QVERIFY(logs.all().contains(QLatin1String("skydeck:aws:env:secretAccessKey")));
    }
};

SKYDECK_TEST_MAIN(TestCredentialStoreNoBackend)
#include "tst_credentialstore_nobackend.moc"
