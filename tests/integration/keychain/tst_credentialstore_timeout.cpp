// A keychain that never answers: writes time out, are retried once, then fail with a clear error,
// and the callback is called exactly once. The "keychain" is this process itself, owning
// org.freedesktop.secrets on a private D-Bus daemon and swallowing every call.
#include "CredentialStore.h"
#include "TestMain.h"

#include <QDBusConnection>
#include <QDBusVirtualObject>
#include <QElapsedTimer>
#include <QProcess>

#include <atomic>

using skydeck::CredentialStore;
using skydeck::Error;
using skydeck::Status;

namespace {

class SilentSecretService : public QDBusVirtualObject
{
public:
    QString introspect(const QString &) const override { return {}; }
    bool handleMessage(const QDBusMessage &, const QDBusConnection &) override
    {
        ++calls;
        return true;  // handled, never answered
    }
    std::atomic<int> calls = 0;
};

} // namespace

class TestCredentialStoreTimeout : public QObject
{
    Q_OBJECT
private:
    QProcess m_bus;
    SilentSecretService m_service;

private Q_SLOTS:
    void initTestCase()
    {
        m_bus.start(QStringLiteral("dbus-daemon"), {QStringLiteral("--session"), QStringLiteral("--nofork"),
                                                    QStringLiteral("--print-address=1")});
        QVERIFY2(m_bus.waitForStarted(5000), "dbus-daemon is needed (Debian package dbus)");
        QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), 5000);
        const QByteArray address = m_bus.readLine().trimmed();
        QVERIFY(!address.isEmpty());
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.isConnected());
        QVERIFY(bus.registerVirtualObject(QStringLiteral("/"), &m_service, QDBusConnection::SubPath));
        QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.secrets")));
    }

    void cleanupTestCase()
    {
        QDBusConnection::sessionBus().unregisterObject(QStringLiteral("/"));
        m_bus.terminate();
        m_bus.waitForFinished(5000);
    }

    void writeTimesOutOnceRetriedThenFails()
    {
        CredentialStore store(QStringLiteral("skydeck-test-timeout"), QStringLiteral("creds"));
        store.setWriteTimeoutMs(400);
        store.setRetryDelayMs(50);
        int calls = 0;
        Status result = Status(skydeck::Done{});
        QElapsedTimer t;
        t.start();
        store.write(QStringLiteral("aws:env"), QStringLiteral("secretAccessKey"), QStringLiteral("never-stored"), this,
                    [&](Status s) {
                        ++calls;
                        result = s;
                    });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 10000);
        const qint64 elapsed = t.elapsed();
        QVERIFY2(!result.ok(), "a keychain that never answers cannot have stored the secret");
        QCOMPARE(result.error().category(), Error::Category::Local);
        QVERIFY2(result.error().toString().contains(QLatin1String("did not answer")), qPrintable(result.error().toString()));
        QVERIFY(!result.error().toString().contains(QLatin1String("never-stored")));
        // Two attempts of 400 ms plus the retry delay; far less than D-Bus's own 25 s timeout.
        QVERIFY2(elapsed >= 800 && elapsed < 5000, qPrintable(QString::number(elapsed)));
        QVERIFY(m_service.calls >= 1);  // the keychain was really asked (libsecret reuses its pending session)
        QVERIFY(!store.isSessionOnly());  // a hanging keychain is not "no keychain"
        QVERIFY(store.names(QStringLiteral("aws:env")).isEmpty());
        // Late answers (if any came) do not call back again.
        QTest::qWait(0);
        QCOMPARE(calls, 1);
    }
};

SKYDECK_TEST_MAIN(TestCredentialStoreTimeout)
#include "tst_credentialstore_timeout.moc"
