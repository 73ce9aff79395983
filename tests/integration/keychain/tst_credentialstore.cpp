#include "CredentialStore.h"
#include "LogCapture.h"
#include "Peers.h"
#include "TestMain.h"

#include <QProcess>
#include <QSignalSpy>
#include <QUuid>

using skydeck::CredentialStore;
using skydeck::Error;
using skydeck::Result;
using skydeck::Status;

namespace {

// Runs one store call and waits (in the event loop) for its single answer.
template <typename T>
struct Answer {
    int calls = 0;
    std::optional<T> result;
};

Result<QString> readNow(CredentialStore &store, QObject *ctx, const QString &account, const QString &name)
{
    auto a = std::make_shared<Answer<Result<QString>>>();
    store.read(account, name, ctx, [a](Result<QString> r) {
        ++a->calls;
        a->result = std::move(r);
    });
    if (!QTest::qWaitFor([&] { return a->calls > 0; }, 30000))
        return Error(Error::Category::Network, QStringLiteral("no answer within 30 s"));
    return *a->result;
}

Status writeNow(CredentialStore &store, QObject *ctx, const QString &account, const QString &name, const QString &value)
{
    auto a = std::make_shared<Answer<Status>>();
    store.write(account, name, value, ctx, [a](Status s) {
        ++a->calls;
        a->result = std::move(s);
    });
    if (!QTest::qWaitFor([&] { return a->calls > 0; }, 30000))
        return Error(Error::Category::Network, QStringLiteral("no answer within 30 s"));
    return *a->result;
}

Status removeNow(CredentialStore &store, QObject *ctx, const QString &account, const QString &name)
{
    auto a = std::make_shared<Answer<Status>>();
    store.remove(account, name, ctx, [a](Status s) {
        ++a->calls;
        a->result = std::move(s);
    });
    if (!QTest::qWaitFor([&] { return a->calls > 0; }, 30000))
        return Error(Error::Category::Network, QStringLiteral("no answer within 30 s"));
    return *a->result;
}

} // namespace

class TestCredentialStore : public QObject
{
    Q_OBJECT
private:
    QString m_service;
    QString m_account;

private Q_SLOTS:
    void initTestCase()
    {
        QString keyring;
        SKYDECK_REQUIRE_PEER(keyring, "SKYDECK_TEST_KEYRING");
        // A unique service per run, so a reused keyring never answers with an older value.
        m_service = QStringLiteral("skydeck-test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_account = QStringLiteral("aws:profile:work");
    }

    void scopedKeys()
    {
        QCOMPARE(CredentialStore::scopedKey(QStringLiteral("aws:profile:work"), QStringLiteral("secretAccessKey")),
                 QStringLiteral("skydeck:aws:profile:work:secretAccessKey"));
    }

    void writeReadRemove()
    {
        skydeck::test::LogCapture logs;
        CredentialStore store(m_service, QStringLiteral("creds"));
        QSignalSpy noBackend(&store, &CredentialStore::backendUnavailable);
        const QString secret = QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCY-") + QString::fromUtf8("ü€") + QUuid::createUuid().toString();

        const Status w = writeNow(store, this, m_account, QStringLiteral("secretAccessKey"), secret);
        QVERIFY2(w.ok(), qPrintable(w.error().toString()));
        QVERIFY(!store.isSessionOnly());
        QCOMPARE(noBackend.count(), 0);
        QCOMPARE(store.names(m_account), QStringList{QStringLiteral("secretAccessKey")});
        QVERIFY(store.storedKeys().contains(QStringLiteral("skydeck:aws:profile:work:secretAccessKey")));

        // A second store (a new process would see the same) reads it back from the keyring.
        CredentialStore other(m_service, QStringLiteral("creds"));
        const Result<QString> r = readNow(other, this, m_account, QStringLiteral("secretAccessKey"));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r.value(), secret);

        // The secret is really in gnome-keyring: secret-tool finds it by the entry's attributes.
        QProcess tool;
        tool.start(QStringLiteral("secret-tool"), {QStringLiteral("search"), QStringLiteral("--all"),
                                                   QStringLiteral("server"), m_service});
        QVERIFY(tool.waitForFinished(20000));
        const QString found = QString::fromUtf8(tool.readAllStandardOutput() + tool.readAllStandardError());
        QVERIFY2(found.contains(QStringLiteral("skydeck:aws:profile:work:secretAccessKey")), qPrintable(found));

        // Overwrite.
        QVERIFY(writeNow(store, this, m_account, QStringLiteral("secretAccessKey"), QStringLiteral("second")).ok());
        QCOMPARE(readNow(store, this, m_account, QStringLiteral("secretAccessKey")).value(), QStringLiteral("second"));

        const Status rm = removeNow(store, this, m_account, QStringLiteral("secretAccessKey"));
        QVERIFY2(rm.ok(), qPrintable(rm.error().toString()));
        QVERIFY(store.names(m_account).isEmpty());
        const Result<QString> gone = readNow(store, this, m_account, QStringLiteral("secretAccessKey"));
        QVERIFY(!gone.ok());
        QCOMPARE(gone.error().category(), Error::Category::NotFound);

        // Logs name the key, never the value.
        const QString log = logs.all();
        QVERIFY2(log.contains(QStringLiteral("skydeck:aws:profile:work:secretAccessKey")), qPrintable(log));
        QVERIFY(!log.contains(secret));
        QVERIFY(!log.contains(QStringLiteral("second")));
    }

    void missingEntry()
    {
        CredentialStore store(m_service, QStringLiteral("creds"));
        const Result<QString> r = readNow(store, this, QStringLiteral("nobody"), QStringLiteral("nothing"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::NotFound);
        // Deleting what is not there is not an error.
        QVERIFY(removeNow(store, this, QStringLiteral("nobody"), QStringLiteral("nothing")).ok());
    }

    void removeAccountClearsEveryKey()
    {
        CredentialStore store(m_service, QStringLiteral("creds"));
        const QString acct = QStringLiteral("gcp:sa:analytics");
        QVERIFY(writeNow(store, this, acct, QStringLiteral("a"), QStringLiteral("1")).ok());
        QVERIFY(writeNow(store, this, acct, QStringLiteral("b"), QStringLiteral("2")).ok());
        QVERIFY(writeNow(store, this, m_account, QStringLiteral("keep"), QStringLiteral("3")).ok());
        QCOMPARE(store.names(acct).size(), 2);

        int calls = 0;
        Status result = Error();
        store.removeAccount(acct, this, [&](Status s) {
            ++calls;
            result = s;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 30000);
        QVERIFY(result.ok());
        QVERIFY(store.names(acct).isEmpty());
        QCOMPARE(readNow(store, this, acct, QStringLiteral("a")).error().category(), Error::Category::NotFound);
        QCOMPARE(readNow(store, this, m_account, QStringLiteral("keep")).value(), QStringLiteral("3"));
        QVERIFY(removeNow(store, this, m_account, QStringLiteral("keep")).ok());
    }

    void callbackDroppedWithItsContext()
    {
        CredentialStore store(m_service, QStringLiteral("creds"));
        auto *ctx = new QObject;
        bool called = false;
        store.write(m_account, QStringLiteral("ctx"), QStringLiteral("v"), ctx, [&](Status) { called = true; });
        delete ctx;
        // The write itself still happens; only the answer is dropped.
        QTRY_VERIFY_WITH_TIMEOUT(store.names(m_account).contains(QStringLiteral("ctx")), 30000);
        QVERIFY(!called);
        QVERIFY(removeNow(store, this, m_account, QStringLiteral("ctx")).ok());
    }
};

SKYDECK_TEST_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
