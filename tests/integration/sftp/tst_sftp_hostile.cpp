// SftpClient against a hostile SFTP server (tests/servers/hostile_sftp.py, run by an sshd of the
// test's own as its sftp subsystem): directory entries whose names hold '/' (".." included) or a
// NUL are refused with the whole listing, a recursive delete acts on nothing under such a
// directory, and a directory that never ends is cut off with a clear error.
#include "ProviderWorker.h"
#include "SftpClient.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "TestMain.h"
#include "TestSshd.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

class TestSftpHostile : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    TestSshd m_sshd;
    std::unique_ptr<SshSession> m_session;
    std::shared_ptr<SftpClient> m_sftp;

    QString logPath() const { return m_dir.filePath(QStringLiteral("requests.log")); }
    QList<QByteArray> requests(const QByteArray &kind) const
    {
        QList<QByteArray> out;
        for (const QByteArray &line : readAll(logPath()).split('\n'))
            if (line.startsWith(QByteArray(kind + ' ')))
                out.append(line.mid(kind.size() + 1));
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString port;
        SKYDECK_REQUIRE_PEER(port, "SKYDECK_TEST_SSH_PORT");
        const QString server = qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/hostile_sftp.py");
        QVERIFY2(QFileInfo::exists(server), qPrintable(server));
        // The subsystem runs as the test user: it must be able to write its log here.
        QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                                | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther
                                                | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup);
        const int own = TestSshd::freePort();
        QVERIFY2(m_sshd.start(m_dir.path(), own,
                              {{"Subsystem", "sftp /usr/bin/python3 " + server.toUtf8() + ' ' + logPath().toUtf8()}}),
                 readAll(m_dir.filePath(QStringLiteral("sshd.log"))).constData());
        SshHostConfig h = sshPeerHost();
        h.port = own;
        h.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
        m_session = std::make_unique<SshSession>(h);
        m_session->setKnownHosts(KnownHosts({m_dir.filePath(QStringLiteral("known_hosts"))}, m_dir.filePath(QStringLiteral("app_known_hosts"))));
        m_session->setAcceptNewHostKey(true);  // this port is in no known_hosts
        m_session->setUseAgent(false);
        QSignalSpy ready(m_session.get(), &SshSession::ready);
        QSignalSpy failed(m_session.get(), &SshSession::failed);
        m_session->connectToHost();
        QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 20000));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().toString()));
        m_sftp = std::make_shared<SftpClient>(m_session.get());
    }

    void cleanupTestCase()
    {
        m_sftp.reset();
        m_session.reset();
        m_sshd.stop();
    }

    // Names with '/' (and "../../x") in a listing: the listing is an error naming the entry.
    void namesWithSlashesAreRefused()
    {
        const Result<QList<RemoteEntry>> r = waitFor(m_sftp->list(QStringLiteral("/hostile")));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("UnsafeRemoteName"));
        QVERIFY2(r.error().toString().contains(QLatin1String("../../outside.txt")), qPrintable(r.error().toString()));
        const Result<SftpClient::Tree> t = waitFor(m_sftp->walk(QStringLiteral("/hostile")));
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code(), QStringLiteral("UnsafeRemoteName"));
        // An honest directory still lists.
        const Result<QList<RemoteEntry>> d = waitFor(m_sftp->list(QStringLiteral("/hostile/d")));
        QVERIFY2(d.ok(), qPrintable(d.error().toString()));
        QCOMPARE(d->size(), 1);
        QCOMPARE(d->first().path, QStringLiteral("/hostile/d/inner.txt"));
    }

    void aNameWithANulIsRefused()
    {
        const Result<QList<RemoteEntry>> r = waitFor(m_sftp->list(QStringLiteral("/nul")));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("UnsafeRemoteName"));
        QVERIFY2(!r.error().toString().contains(QChar(0)), qPrintable(r.error().toString()));
    }

    // The recursive delete of a folder whose listing lies removes nothing at all. Before: it
    // removed "/hostile/../../outside.txt", i.e. /outside.txt.
    void recursiveDeleteActsOnNothingUnderALyingListing()
    {
        const Result<qint64> r = waitFor(m_sftp->removeRecursive(QStringLiteral("/hostile")));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("UnsafeRemoteName"));
        QCOMPARE(requests("REMOVE"), QList<QByteArray>());
        QCOMPARE(requests("RMDIR"), QList<QByteArray>());
    }

    // A directory that never ends: cut off at the per-directory limit, with the reason.
    void anEndlessDirectoryIsCutOff()
    {
        const Result<QList<RemoteEntry>> r = waitFor(m_sftp->list(QStringLiteral("/endless")));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("TooManyEntries"));
    }
};

SKYDECK_TEST_MAIN(TestSftpHostile)
#include "tst_sftp_hostile.moc"
