// Many channels opening at the same moment on one SshSession (against OpenSSH's sshd): shells,
// exec commands, a forwarded connection and an SFTP listing, all started in the same event-loop
// turn, 20 rounds on the same session. libssh2 1.10 keeps channel-open state in the session and
// fails a channel request whose wait reads another channel's reply: without SshConnection's setup
// queue this dropped the whole connection ("exec: Failed waiting for channel success").
#include "ExecChannel.h"
#include "PortForward.h"
#include "ProviderWorker.h"
#include "SftpClient.h"
#include "ShellChannel.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "TestMain.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

namespace {

// Answers every line it receives with "echo:" + the line (the far end of the forward).
class LineEchoServer : public QTcpServer
{
public:
    LineEchoServer()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s] {
                    while (s->canReadLine())
                        s->write("echo:" + s->readLine());
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
};

struct Shell {
    std::unique_ptr<ShellChannel> channel;
    QByteArray seen;
    bool opened = false;
    QString closedReason;
    bool closed = false;
};

} // namespace

class TestSshConcurrency : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QString port;
        SKYDECK_REQUIRE_PEER(port, "SKYDECK_TEST_SSH_PORT");
    }

    void channelsOpeningTogether()
    {
        SshHostConfig h = sshPeerHost();
        h.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
        SshSession session(h);
        session.setKnownHosts(knownHostsWith(m_dir, peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB")));
        session.setUseAgent(false);
        QSignalSpy ready(&session, &SshSession::ready);
        QSignalSpy failed(&session, &SshSession::failed);
        QSignalSpy lost(&session, &SshSession::disconnected);
        session.connectToHost();
        QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 20000));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().toString()));

        LineEchoServer echo;
        QVERIFY(echo.listen(QHostAddress::LocalHost, 0));
        PortForwardList forwards(&session);
        PortForward *fwd = forwards.add({QStringLiteral("127.0.0.1"), echo.serverPort(), 0, QHostAddress(QHostAddress::LocalHost)});
        QTRY_COMPARE_WITH_TIMEOUT(fwd->state(), PortForward::State::Listening, 10000);

        for (int round = 0; round < 20; ++round) {
            // Everything starts in this one turn of the event loop.
            std::vector<std::unique_ptr<Shell>> shells;
            for (int i = 0; i < 2; ++i) {
                auto sh = std::make_unique<Shell>();
                sh->channel = std::make_unique<ShellChannel>(&session);
                Shell *p = sh.get();
                connect(p->channel.get(), &TerminalTransport::received, this, [p](const QByteArray &b) { p->seen += b; });
                connect(p->channel.get(), &TerminalTransport::opened, this, [p] {
                    p->opened = true;
                    p->channel->write("echo SHELL-OK-$((40+2))\n");
                });
                connect(p->channel.get(), &TerminalTransport::closed, this, [p](const QString &reason) {
                    p->closed = true;
                    p->closedReason = reason;
                });
                p->channel->open(80, 24);
                shells.push_back(std::move(sh));
            }
            QList<QFuture<Result<ExecResult>>> execs;
            for (int i = 0; i < 3; ++i)
                execs << ExecChannel::run(&session, QStringLiteral("echo exec-%1-%2").arg(round).arg(i));
            QTcpSocket sock;
            sock.connectToHost(QHostAddress::LocalHost, fwd->localPort());
            sock.write(QStringLiteral("ping-%1\n").arg(round).toLatin1());
            SftpClient sftp(&session, 1);
            QFuture<Result<QList<RemoteEntry>>> listing = sftp.list(QStringLiteral("/"));

            const QString context = QStringLiteral("round %1").arg(round);
            for (int i = 0; i < execs.size(); ++i) {
                const Result<ExecResult> r = waitFor(execs[i]);
                QVERIFY2(r.ok(), qPrintable(context + QStringLiteral(": exec: ") + r.error().toString()));
                QCOMPARE(r->standardOutput, QStringLiteral("exec-%1-%2\n").arg(round).arg(i).toLatin1());
                QCOMPARE(r->exitStatus, 0);
            }
            const Result<QList<RemoteEntry>> l = waitFor(listing);
            QVERIFY2(l.ok(), qPrintable(context + QStringLiteral(": sftp: ") + l.error().toString()));
            QVERIFY(std::any_of(l->begin(), l->end(), [](const RemoteEntry &e) { return e.name == QLatin1String("tmp"); }));
            const QByteArray want = QStringLiteral("echo:ping-%1\n").arg(round).toLatin1();
            QTRY_VERIFY2_WITH_TIMEOUT(sock.bytesAvailable() >= want.size() || !lost.isEmpty(), qPrintable(context), 10000);
            QCOMPARE(sock.readAll(), want);
            for (const auto &sh : shells) {
                QTRY_VERIFY2_WITH_TIMEOUT(sh->seen.contains("SHELL-OK-42") || sh->closed, qPrintable(context), 10000);
                QVERIFY2(!sh->closed, qPrintable(context + QStringLiteral(": shell closed: ") + sh->closedReason));
            }
            QVERIFY2(lost.isEmpty(), qPrintable(lost.value(0).value(0).toString()));
            QVERIFY(session.isReady());
            for (const auto &sh : shells)
                sh->channel->close();
            sock.disconnectFromHost();
        }
        QTRY_COMPARE_WITH_TIMEOUT(fwd->activeConnections(), 0, 10000);
    }
};

SKYDECK_TEST_MAIN(TestSshConcurrency)
#include "tst_ssh_concurrency.moc"
