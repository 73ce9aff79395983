// AgentClient against OpenSSH's ssh-agent (one of the test's own): the keys it lists, signatures
// with and without the RSA SHA-2 flags (checked by OpenSSH: ssh-keygen -Y check-novalidate), its
// refusals; and against sockets that are not agents (nothing there, silent, malformed answers).
#include "AgentClient.h"
#include "Peers.h"
#include "SshWire.h"
#include "TestAgent.h"
#include "TestMain.h"
#include "UserKey.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

namespace {

QString makeKey(const QString &dir, const QString &name, const QStringList &args, const QString &passphrase = {})
{
    const QString path = dir + QLatin1Char('/') + name;
    QProcess p;
    p.start(QStringLiteral("ssh-keygen"), QStringList{QStringLiteral("-q"), QStringLiteral("-N"), passphrase, QStringLiteral("-C"),
                                                      QStringLiteral("agent key ") + name, QStringLiteral("-f"), path}
                                              + args);
    return p.waitForFinished(60000) && p.exitCode() == 0 ? path : QString();
}

QByteArray blobOf(const QString &pubPath)
{
    QFile f(pubPath);
    f.open(QIODevice::ReadOnly);
    QByteArray blob;
    QString comment;
    UserKey::parsePublicLine(f.readAll(), &blob, &comment);
    return blob;
}

} // namespace

class TestSshAgent : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    TestAgent m_agent;
    QString m_rsa, m_ed25519, m_ecdsa;

private Q_SLOTS:
    void initTestCase()
    {
        for (const char *tool : {"ssh-agent", "ssh-add", "ssh-keygen"}) {
            if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
                SKYDECK_SKIP_OR_FAIL(QStringLiteral("%1 (openssh-client) is needed").arg(QLatin1String(tool)));
        }
        QVERIFY(m_dir.isValid());
        m_rsa = makeKey(m_dir.path(), QStringLiteral("rsa"), {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("3072")});
        m_ed25519 = makeKey(m_dir.path(), QStringLiteral("ed25519"), {QStringLiteral("-t"), QStringLiteral("ed25519")});
        m_ecdsa = makeKey(m_dir.path(), QStringLiteral("ecdsa"), {QStringLiteral("-t"), QStringLiteral("ecdsa")});
        QVERIFY(!m_rsa.isEmpty() && !m_ed25519.isEmpty() && !m_ecdsa.isEmpty());
        QVERIFY(m_agent.start(m_dir.path()));
        for (const QString &k : {m_rsa, m_ed25519, m_ecdsa})
            QVERIFY(m_agent.add(k));
    }

    void listsItsKeys()
    {
        AgentClient agent(m_agent.socket());
        const Result<QList<AgentClient::Identity>> ids = agent.identities();
        QVERIFY2(ids.ok(), qPrintable(ids.error().toString()));
        QCOMPARE(ids->size(), 3);
        const QStringList files{m_rsa, m_ed25519, m_ecdsa};
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(ids->at(i).blob, blobOf(files[i] + QStringLiteral(".pub")));
            QCOMPARE(ids->at(i).comment, QStringLiteral("agent key ") + QFileInfo(files[i]).fileName());  // the file's comment
        }
        // The connection is kept for the next request.
        QVERIFY(agent.identities().ok());
    }

    // RSA: no flags gives ssh-rsa (SHA-1, what libssh2 1.10 asks for), the flags give rsa-sha2-256
    // and rsa-sha2-512; every signature is one OpenSSH accepts for that key.
    void signsWithTheAskedAlgorithm_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("algorithm");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("rsa, no flags") << "rsa" << QByteArray("ssh-rsa") << QByteArray("ssh-rsa");
        QTest::newRow("rsa-sha2-256") << "rsa" << QByteArray("rsa-sha2-256") << QByteArray("rsa-sha2-256");
        QTest::newRow("rsa-sha2-512") << "rsa" << QByteArray("rsa-sha2-512") << QByteArray("rsa-sha2-512");
        QTest::newRow("ed25519") << "ed25519" << QByteArray("ssh-ed25519") << QByteArray("ssh-ed25519");
        QTest::newRow("ecdsa") << "ecdsa" << QByteArray("ecdsa-sha2-nistp256") << QByteArray("ecdsa-sha2-nistp256");
    }
    void signsWithTheAskedAlgorithm()
    {
        QFETCH(QString, key);
        QFETCH(QByteArray, algorithm);
        QFETCH(QByteArray, expected);
        const QString file = key == QLatin1String("rsa") ? m_rsa : key == QLatin1String("ed25519") ? m_ed25519 : m_ecdsa;
        const QByteArray blob = blobOf(file + QStringLiteral(".pub"));
        const QByteArray message = "session id and request " + algorithm;
        AgentClient agent(m_agent.socket());
        const Result<QByteArray> sig = agent.sign(blob, sshsig::signedData(message), AgentClient::flagsFor(algorithm));
        QVERIFY2(sig.ok(), qPrintable(sig.error().toString()));
        QByteArray alg;
        QByteArray raw;
        QVERIFY(AgentClient::splitSignature(sig.value(), &alg, &raw));
        QCOMPARE(alg, expected);
        if (alg != "ssh-rsa") {  // SSHSIG refuses SHA-1 RSA signatures
            QByteArray said;
            QVERIFY2(sshsig::opensshAccepts(m_dir.path(), message, blob, sig.value(), &said), said.constData());
            QVERIFY(!sshsig::opensshAccepts(m_dir.path(), message + "x", blob, sig.value()));
        }
    }

    void refusesAKeyItDoesNotHold()
    {
        const QString other = makeKey(m_dir.path(), QStringLiteral("other"), {QStringLiteral("-t"), QStringLiteral("ed25519")});
        AgentClient agent(m_agent.socket());
        const Result<QByteArray> sig = agent.sign(blobOf(other + QStringLiteral(".pub")), "data", 0);
        QVERIFY(!sig.ok());
        QVERIFY2(sig.error().message().contains(QLatin1String("refused to sign")), qPrintable(sig.error().toString()));
        QVERIFY(agent.identities().ok());  // the connection survives a refusal
    }

    void nothingListening()
    {
        AgentClient agent(m_dir.filePath(QStringLiteral("no-agent.sock")));
        const Result<QList<AgentClient::Identity>> ids = agent.identities();
        QVERIFY(!ids.ok());
        QVERIFY2(ids.error().message().contains(QLatin1String("cannot connect")), qPrintable(ids.error().toString()));
        QVERIFY2(ids.error().toString().contains(m_dir.filePath(QStringLiteral("no-agent.sock"))), qPrintable(ids.error().toString()));
    }

    // A socket that accepts and never answers: the request ends at its timeout.
    void silentSocketTimesOut()
    {
        QLocalServer server;
        server.setSocketOptions(QLocalServer::UserAccessOption);
        QVERIFY(server.listen(m_dir.filePath(QStringLiteral("silent.sock"))));
        AgentClient agent(server.fullServerName(), 500);
        QElapsedTimer t;
        t.start();
        const Result<QList<AgentClient::Identity>> ids = agent.identities();
        QVERIFY(!ids.ok());
        QVERIFY2(ids.error().message().contains(QLatin1String("no answer")), qPrintable(ids.error().toString()));
        QVERIFY(t.elapsed() < 5000);
    }

    void malformedAnswers()
    {
        const auto identities = [](const QByteArray &body) { return AgentClient::parseIdentities(body); };
        QByteArray good(1, char(AgentClient::IdentitiesAnswer));
        wire::putU32(good, 1);
        wire::putString(good, QByteArray(wire::string("ssh-ed25519") + wire::string(QByteArray(32, 'k'))));
        wire::putString(good, "comment");
        QCOMPARE(identities(good)->size(), 1);
        QVERIFY(!identities(good.chopped(1)));                         // cut short
        QVERIFY(!identities(good + 'x'));                             // trailing bytes
        QByteArray many(1, char(AgentClient::IdentitiesAnswer));
        wire::putU32(many, AgentClient::kMaxIdentities + 1);
        QVERIFY(!identities(many));
        QByteArray lying(1, char(AgentClient::IdentitiesAnswer));
        wire::putU32(lying, 3);                                        // says 3, holds none
        QVERIFY(!identities(lying));
        QVERIFY(!identities(QByteArray(1, char(AgentClient::Failure))));
        QVERIFY(!identities(QByteArray()));

        QByteArray sig(1, char(AgentClient::SignResponse));
        wire::putString(sig, QByteArray(wire::string("rsa-sha2-512") + wire::string("sig")));
        QVERIFY(AgentClient::parseSignResponse(sig));
        QVERIFY(!AgentClient::parseSignResponse(sig.chopped(1)));
        QByteArray noName(1, char(AgentClient::SignResponse));
        wire::putString(noName, QByteArray(wire::string(QByteArray()) + wire::string("sig")));
        QVERIFY(!AgentClient::parseSignResponse(noName));
        QVERIFY(!AgentClient::parseSignResponse(QByteArray(1, char(AgentClient::Failure))));
        QCOMPARE(AgentClient::flagsFor("rsa-sha2-512"), uint32_t(4));
        QCOMPARE(AgentClient::flagsFor("rsa-sha2-256"), uint32_t(2));
        QCOMPARE(AgentClient::flagsFor("ssh-rsa"), uint32_t(0));
    }

    // A server on the socket that answers a length over the limit: refused before reading it.
    void oversizedAnswerIsRefused()
    {
        QLocalServer server;
        QVERIFY(server.listen(m_dir.filePath(QStringLiteral("big.sock"))));
        AgentClient agent(server.fullServerName(), 3000);
        QVERIFY(agent.connect().ok());
        QVERIFY(server.waitForNewConnection(3000));
        QLocalSocket *peer = server.nextPendingConnection();
        QByteArray answer;
        wire::putU32(answer, 100u << 20);
        peer->write(answer);
        peer->flush();
        const Result<QList<AgentClient::Identity>> ids = agent.identities();
        QVERIFY(!ids.ok());
        QVERIFY2(ids.error().message().contains(QLatin1String("104857600")), qPrintable(ids.error().toString()));
    }
};

SKYDECK_TEST_MAIN(TestSshAgent)
#include "tst_ssh_agent.moc"
