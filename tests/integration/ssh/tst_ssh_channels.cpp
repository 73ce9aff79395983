// Channels on one SshSession against OpenSSH's sshd: exec, shell (pty size follows resize),
// local forward to an HTTP server, several channels at once, ProxyJump, disconnect/reconnect.
#include "ExecChannel.h"
#include "PortForward.h"
#include "ProviderWorker.h"
#include "ShellChannel.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

namespace {

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestSshChannels : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    KnownHosts m_knownHosts;

    std::unique_ptr<SshSession> makeSession(SshHostConfig h = sshPeerHost())
    {
        if (h.identityFiles.isEmpty())
            h.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
        auto s = std::make_unique<SshSession>(h);
        s->setKnownHosts(m_knownHosts);
        s->setUseAgent(false);
        return s;
    }
    static bool connectSession(SshSession &s)
    {
        QSignalSpy ready(&s, &SshSession::ready);
        QSignalSpy failed(&s, &SshSession::failed);
        s.connectToHost();
        const bool done = QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 20000);
        if (!failed.isEmpty())
            qWarning() << failed.first().first().value<Error>().toString();
        return done && !ready.isEmpty();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString port;
        SKYDECK_REQUIRE_PEER(port, "SKYDECK_TEST_SSH_PORT");
        m_knownHosts = knownHostsWith(m_dir, peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB"));
    }

    void execCollectsOutputAndStatus()
    {
        auto s = makeSession();
        QVERIFY(connectSession(*s));
        Result<ExecResult> r = waitFor(ExecChannel::run(s.get(), QStringLiteral("echo out; echo err >&2; exit 3")));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->standardOutput, QByteArray("out\n"));
        QCOMPARE(r->standardError, QByteArray("err\n"));
        QCOMPARE(r->exitStatus, 3);
        // Standard input reaches the command; several execs share the session.
        r = waitFor(ExecChannel::run(s.get(), QStringLiteral("wc -c"), QByteArray(100000, 'x')));
        QVERIFY(r.ok());
        QCOMPARE(r->standardOutput.trimmed(), QByteArray("100000"));
        QCOMPARE(r->exitStatus, 0);
    }

    void shellFollowsResize()
    {
        auto s = makeSession();
        ShellChannel shell(s.get());
        QByteArray seen;
        connect(&shell, &TerminalTransport::received, this, [&](const QByteArray &b) { seen += b; });
        QSignalSpy opened(&shell, &TerminalTransport::opened);
        shell.open(80, 24);  // connects the session itself
        QVERIFY(opened.wait(20000));
        QVERIFY(shell.isOpen());
        shell.write("stty size; echo TERM=$TERM\n");
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("24 80"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("TERM=xterm-256color"), 10000);
        shell.resize(132, 43);
        shell.write("stty size\n");
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("43 132"), 10000);
        QSignalSpy closed(&shell, &TerminalTransport::closed);
        shell.write("exit\n");
        QVERIFY(closed.wait(10000));
        QCOMPARE(closed.first().first().toString(), QString());  // a normal exit
        QVERIFY(!shell.isOpen());
    }

    void disconnectSaysWhyAndReconnects()
    {
        auto s = makeSession();
        ShellChannel shell(s.get());
        QByteArray seen;
        connect(&shell, &TerminalTransport::received, this, [&](const QByteArray &b) { seen += b; });
        QSignalSpy opened(&shell, &TerminalTransport::opened);
        QSignalSpy closed(&shell, &TerminalTransport::closed);
        shell.open(80, 24);
        QVERIFY(opened.wait(20000));
        // Kill this session's sshd process from another session: the connection drops.
        auto killer = makeSession();
        QVERIFY(connectSession(*killer));
        shell.write("echo PID=$PPID\n");
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("PID="), 10000);
        const qsizetype at = seen.lastIndexOf("PID=");
        const QByteArray pid = seen.mid(at + 4).split('\r').first().split('\n').first().trimmed();
        QVERIFY(pid.toInt() > 1);
        QVERIFY(waitFor(ExecChannel::run(killer.get(), QStringLiteral("kill -9 ") + QString::fromLatin1(pid))).ok());
        QVERIFY(closed.wait(15000));
        const QString reason = closed.first().first().toString();
        qInfo("closed: %s", qPrintable(reason));
        QVERIFY(!reason.isEmpty());
        QVERIFY(reason.contains(QLatin1String("peer")));  // names the host alias
        QTRY_COMPARE(s->state(), SshSession::State::Disconnected);
        // Same object, new connection, new shell.
        seen.clear();
        shell.reconnect();
        QVERIFY(opened.wait(20000));
        shell.write("echo again\n");
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("again"), 10000);
    }

    void localForwardReachesHttpServer()
    {
        QTemporaryDir www;
        QByteArray body(8 * 1024 * 1024, Qt::Uninitialized);
        for (char &c : body)
            c = char(QRandomGenerator::global()->bounded(256));
        {
            QFile f(www.filePath(QStringLiteral("blob.bin")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(body);
        }
        const quint16 httpPort = freePort();
        QProcess http;
        http.setProgram(QStringLiteral("/usr/bin/python3"));
        http.setArguments({QStringLiteral("-m"), QStringLiteral("http.server"), QString::number(httpPort),
                           QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--directory"), www.path()});
        http.start();
        QVERIFY(http.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     QTcpSocket probe;
                                     probe.connectToHost(QHostAddress::LocalHost, httpPort);
                                     return probe.waitForConnected(200);
                                 }()),
                                 10000);

        auto s = makeSession();
        QVERIFY(connectSession(*s));
        PortForwardList list(s.get());
        PortForward *fwd = list.add({QStringLiteral("127.0.0.1"), httpPort, 0, QHostAddress(QHostAddress::LocalHost)});
        QTRY_COMPARE_WITH_TIMEOUT(fwd->state(), PortForward::State::Listening, 10000);
        QVERIFY(fwd->localPort() != 0 && fwd->localPort() != httpPort);

        // A shell on the same session stays responsive while the forward moves the file.
        ShellChannel shell(s.get());
        QByteArray seen;
        connect(&shell, &TerminalTransport::received, this, [&](const QByteArray &b) { seen += b; });
        QSignalSpy opened(&shell, &TerminalTransport::opened);
        shell.open(80, 24);
        QVERIFY(opened.wait(10000));

        QNetworkAccessManager nam;
        QElapsedTimer t;
        t.start();
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 3; ++i)
            replies << nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/blob.bin").arg(fwd->localPort()))));
        QElapsedTimer echo;
        echo.start();
        shell.write("echo PONG\n");
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("PONG\r\n"), 10000);
        const qint64 echoMs = echo.elapsed();
        for (QNetworkReply *r : replies) {
            QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 60000);
            QCOMPARE(r->error(), QNetworkReply::NoError);
            QVERIFY(r->readAll() == body);
            r->deleteLater();
        }
        const qint64 ms = t.elapsed();
        qInfo("3 x 8 MiB through the forward in %lld ms (%.1f MiB/s); shell echo during it: %lld ms", ms,
              24.0 * 1000.0 / double(qMax<qint64>(ms, 1)), echoMs);
        QCOMPARE(fwd->totalConnections() >= 1, true);
        QTRY_COMPARE_WITH_TIMEOUT(fwd->activeConnections(), 0, 15000);

        // A forward to a port where nothing listens: the local connection is closed, the forward stays.
        PortForward *dead = list.add({QStringLiteral("127.0.0.1"), freePort(), 0, QHostAddress(QHostAddress::LocalHost)});
        QTRY_COMPARE_WITH_TIMEOUT(dead->state(), PortForward::State::Listening, 10000);
        QTcpSocket sock;
        sock.connectToHost(QHostAddress::LocalHost, dead->localPort());
        QVERIFY(sock.waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(sock.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(dead->state(), PortForward::State::Listening);
        list.remove(dead);
        QCOMPARE(list.forwards().size(), 1);
        http.kill();
        http.waitForFinished();
    }

    void proxyJumpThroughTheSameServer()
    {
        const QString host = peerValue("SKYDECK_TEST_SSH_HOST");
        const QString port = peerValue("SKYDECK_TEST_SSH_PORT");
        const QString user = peerValue("SKYDECK_TEST_SSH_USER");
        const QString key = peerValue("SKYDECK_TEST_SSH_KEY");
        const SshConfig config = SshConfig::fromText(QStringLiteral("Host bastion\n  HostName %1\n  Port %2\n  User %3\n"
                                                                    "  IdentityFile %4\n"
                                                                    "Host inner\n  HostName %1\n  Port %2\n  User %3\n"
                                                                    "  IdentityFile %4\n  ProxyJump bastion\n")
                                                         .arg(host, port, user, key));
        SshHostConfig h = config.resolve(QStringLiteral("inner"));
        QCOMPARE(h.proxyJump.size(), 1);
        auto s = makeSession(h);
        s->setSshConfig(config);
        QVERIFY(connectSession(*s));
        QVERIFY(s->jumpSession());
        QVERIFY(s->jumpSession()->isReady());
        // The inner session's TCP peer is the jump host's sshd: SSH_CONNECTION shows a loopback
        // client whose port is not ours but sshd's own direct-tcpip socket.
        const Result<ExecResult> r = waitFor(ExecChannel::run(s.get(), QStringLiteral("echo $SSH_CONNECTION")));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QVERIFY(r->standardOutput.startsWith("127.0.0.1 "));
        // Two hops (bastion, then bastion again) work too.
        h.proxyJump = {JumpHop::parse(QStringLiteral("bastion")), JumpHop::parse(user + QStringLiteral("@bastion:") + port)};
        h.identityFiles = {key};
        auto s2 = makeSession(h);
        s2->setSshConfig(config);
        QVERIFY(connectSession(*s2));
        QVERIFY(s2->jumpSession() && s2->jumpSession()->jumpSession());
        const Result<ExecResult> r2 = waitFor(ExecChannel::run(s2.get(), QStringLiteral("echo two-hops")));
        QVERIFY(r2.ok());
        QCOMPARE(r2->standardOutput, QByteArray("two-hops\n"));
    }
};

SKYDECK_TEST_MAIN(TestSshChannels)
#include "tst_ssh_channels.moc"
