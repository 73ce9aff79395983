// RSA keys against a stock OpenSSH 9.2 sshd (issue 12): an sshd of the test's own from the peer's
// config with no PubkeyAcceptedAlgorithms line, so sshd's default (rsa-sha2-512/256, no ssh-rsa)
// decides. RSA-3072 keys in every form a user has them (OpenSSH format, PEM, PKCS#8, with a
// passphrase, without a .pub, in an agent), SHA-1 only for a server that takes nothing else; and
// what a failed login says (issue 12.2). (A server whose only host key is RSA: tst_ssh_session.)
#include "AgentClient.h"
#include "SshConnection.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "SshWire.h"
#include "TestAgent.h"
#include "TestMain.h"
#include "TestSshd.h"
#include "UserKey.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

namespace {

const QString kPassphrase = QStringLiteral("rsa passphrase");

bool keygen(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("ssh-keygen"), QStringList{QStringLiteral("-q")} + args);
    p.closeWriteChannel();
    return p.waitForFinished(120000) && p.exitCode() == 0;
}

QByteArray fileText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// An agent as old ones are (before OpenSSH 7.2's, or others that ignore the flags): it signs RSA
// keys with SHA-1 whatever the request asks. Serves one key file, on the test's thread.
class Sha1OnlyAgent : public QObject
{
public:
    bool start(const QString &socketPath, const QString &keyFile)
    {
        m_key = UserKey::fromFile(keyFile);
        if (!m_key.canSign())
            return false;
        QLocalServer::removeServer(socketPath);
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *s = m_server.nextPendingConnection())
                connect(s, &QLocalSocket::readyRead, this, [this, s] { serve(s); });
        });
        return m_server.listen(socketPath);
    }
    QString socket() const { return m_server.fullServerName(); }
    QList<uint32_t> flagsAsked;

private:
    void serve(QLocalSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        for (;;) {
            wire::Reader r(buf);
            const uint32_t length = r.u32();
            if (!r.ok() || r.left() < qsizetype(length))
                return;
            const QByteArray body = buf.mid(4, length);
            buf.remove(0, 4 + length);
            wire::Reader m(body);
            QByteArray answer;
            const uint8_t type = m.byte();
            if (type == AgentClient::RequestIdentities) {
                answer = QByteArray(1, char(AgentClient::IdentitiesAnswer));
                wire::putU32(answer, 1);
                wire::putString(answer, m_key.publicBlob());
                wire::putString(answer, "old agent's key");
            } else if (type == AgentClient::SignRequest) {
                m.string();
                const QByteArray data = m.string().toByteArray();
                flagsAsked << m.u32();
                answer = QByteArray(1, char(AgentClient::SignResponse));
                wire::putString(answer, m_key.signatureBlob(data, "ssh-rsa").value_or(QByteArray()));
            } else {
                answer = QByteArray(1, char(AgentClient::Failure));
            }
            QByteArray framed;
            wire::putU32(framed, uint32_t(answer.size()));
            s->write(framed + answer);
        }
    }

    QLocalServer m_server;
    UserKey m_key;
    QHash<QLocalSocket *, QByteArray> m_buffers;
};

} // namespace

class TestSshRsa : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_hostKeyPub;
    int m_port = 0;
    std::unique_ptr<TestSshd> m_sshd;  // stock: no PubkeyAcceptedAlgorithms line
    QString m_openssh, m_pem, m_pkcs8, m_encrypted, m_pemEncrypted, m_pemNoPub, m_agentOnly, m_stranger, m_ed25519;

    QString key(const QString &name) const { return m_dir.filePath(name); }

    // A session to an sshd of this test on `port` with these identity files and no agent.
    std::unique_ptr<SshSession> session(int port, const QStringList &identityFiles, const QString &agentSocket = {},
                                        bool identitiesOnly = false) const
    {
        SshHostConfig h = sshPeerHost();
        h.port = port;
        h.identityFiles = identityFiles;
        h.identitiesOnly = identitiesOnly;
        auto s = std::make_unique<SshSession>(h);
        s->setKnownHosts(KnownHosts({m_dir.filePath(QStringLiteral("known_hosts"))}, m_dir.filePath(QStringLiteral("app_known_hosts"))));
        s->setAcceptNewHostKey(true);
        s->setUseAgent(!agentSocket.isEmpty());
        if (!agentSocket.isEmpty())
            s->setAgentSocket(agentSocket);
        return s;
    }

    static Error connectAndWait(SshSession &s, int timeoutMs = 60000)
    {
        QSignalSpy ready(&s, &SshSession::ready);
        QSignalSpy failed(&s, &SshSession::failed);
        s.connectToHost();
        if (!QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, timeoutMs))
            return Error(Error::Category::Server, QStringLiteral("timed out"));
        return failed.isEmpty() ? Error() : failed.first().first().value<Error>();
    }

    // An sshd of the test's own: the stock one's settings plus `overrides`.
    bool startSshd(TestSshd &sshd, const QString &dir, int port, QMap<QByteArray, QByteArray> overrides = {}) const
    {
        overrides.insert("AuthorizedKeysFile", QFile::encodeName(m_dir.filePath(QStringLiteral("authorized_keys"))));
        overrides.insert("LogLevel", "DEBUG1");
        return sshd.start(dir, port, overrides, {"PubkeyAcceptedAlgorithms"});
    }

    QByteArray stockLog() const { return m_sshd ? m_sshd->log() : QByteArray(); }

private Q_SLOTS:
    void initTestCase()
    {
        QString peerPort;
        SKYDECK_REQUIRE_PEER(peerPort, "SKYDECK_TEST_SSH_PORT");
        m_hostKeyPub = peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB");
        QVERIFY(m_dir.isValid());
        // sshd reads authorized_keys as the test user.
        QVERIFY(QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                                        | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        m_openssh = key(QStringLiteral("id_rsa"));
        QVERIFY(keygen({QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("3072"), QStringLiteral("-N"),
                        QString(), QStringLiteral("-C"), QStringLiteral("rsa openssh"), QStringLiteral("-f"), m_openssh}));
        // The same kinds of key in the other forms users have (each its own key).
        const auto variant = [&](const QString &name, const QString &format, const QString &passphrase) {
            const QString path = key(name);
            QStringList args{QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("3072"), QStringLiteral("-N"),
                             passphrase, QStringLiteral("-C"), name, QStringLiteral("-f"), path};
            if (!format.isEmpty())
                args << QStringLiteral("-m") << format;
            return keygen(args) ? path : QString();
        };
        m_pem = variant(QStringLiteral("id_rsa_pem"), QStringLiteral("PEM"), QString());
        m_pkcs8 = variant(QStringLiteral("id_rsa_pkcs8"), QStringLiteral("PKCS8"), QString());
        m_encrypted = variant(QStringLiteral("id_rsa_enc"), QString(), kPassphrase);
        m_pemEncrypted = variant(QStringLiteral("id_rsa_pem_enc"), QStringLiteral("PEM"), kPassphrase);
        m_pemNoPub = variant(QStringLiteral("id_rsa_pem_nopub"), QStringLiteral("PEM"), kPassphrase);
        m_agentOnly = variant(QStringLiteral("id_rsa_agent"), QString(), QString());
        m_stranger = variant(QStringLiteral("id_rsa_stranger"), QString(), QString());  // not in authorized_keys
        m_ed25519 = key(QStringLiteral("id_ed25519"));
        QVERIFY(keygen({QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), QString(), QStringLiteral("-f"), m_ed25519}));
        QVERIFY(!m_pem.isEmpty() && !m_pkcs8.isEmpty() && !m_encrypted.isEmpty() && !m_pemEncrypted.isEmpty()
                && !m_pemNoPub.isEmpty() && !m_agentOnly.isEmpty() && !m_stranger.isEmpty());
        QByteArray authorized;
        for (const QString &k : {m_openssh, m_pem, m_pkcs8, m_encrypted, m_pemEncrypted, m_pemNoPub, m_agentOnly})
            authorized += fileText(k + QStringLiteral(".pub"));
        QFile::remove(m_pemNoPub + QStringLiteral(".pub"));
        QFile ak(m_dir.filePath(QStringLiteral("authorized_keys")));
        QVERIFY(ak.open(QIODevice::WriteOnly));
        ak.write(authorized);
        ak.close();
        ak.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);

        m_port = TestSshd::freePort();
        m_sshd = std::make_unique<TestSshd>();
        QDir(m_dir.path()).mkpath(QStringLiteral("stock"));
        QVERIFY2(startSshd(*m_sshd, m_dir.filePath(QStringLiteral("stock")), m_port), m_sshd->log().constData());
        QVERIFY(!fileText(m_dir.filePath(QStringLiteral("stock/sshd_config"))).contains("PubkeyAcceptedAlgorithms"));
    }

    // The case: an RSA-3072 key file against the stock sshd logs in with rsa-sha2-512,
    // whatever its form; an encrypted one asks its passphrase once.
    void keyFileLogsIn_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("OpenSSH format") << m_openssh << false;
        QTest::newRow("PEM (PKCS#1)") << m_pem << false;
        QTest::newRow("PKCS#8") << m_pkcs8 << false;
        QTest::newRow("OpenSSH format, passphrase") << m_encrypted << true;
        QTest::newRow("PEM, passphrase") << m_pemEncrypted << true;
        QTest::newRow("PEM, passphrase, no .pub") << m_pemNoPub << true;
    }
    void keyFileLogsIn()
    {
        QFETCH(QString, file);
        QFETCH(bool, encrypted);
        auto s = session(m_port, {file});
        QStringList asked;
        connect(s.get(), &SshSession::passphraseNeeded, s.get(), [&](const QString &f) {
            asked << f;
            s->answerPassphrase(kPassphrase);
        });
        QElapsedTimer t;
        t.start();
        const Error e = connectAndWait(*s);
        QVERIFY2(!e.isError(), qPrintable(e.toString()));
        qInfo("logged in in %lld ms: %s", t.elapsed(), qPrintable(s->authenticatedWith()));
        QCOMPARE(asked, encrypted ? QStringList{file} : QStringList());
        QVERIFY2(s->authenticatedWith().startsWith(QLatin1String("publickey rsa-sha2-512 with ")), qPrintable(s->authenticatedWith()));
        QVERIFY2(!stockLog().contains("ssh-rsa not in PubkeyAcceptedAlgorithms"), stockLog().constData());
    }

    // An RSA key held by an ssh-agent only: signed by the agent with the SHA-2 flag.
    void agentKeyLogsIn()
    {
        QTemporaryDir agentDir;
        TestAgent agent;
        QVERIFY(agent.start(agentDir.path()));
        QVERIFY(agent.add(m_stranger));   // one the server does not take, first
        QVERIFY(agent.add(m_agentOnly));
        auto s = session(m_port, {key(QStringLiteral("no_such_key"))}, agent.socket());
        QSignalSpy pw(s.get(), &SshSession::passwordNeeded);
        QElapsedTimer t;
        t.start();
        const Error e = connectAndWait(*s);
        QVERIFY2(!e.isError(), qPrintable(e.toString()));
        qInfo("logged in in %lld ms: %s", t.elapsed(), qPrintable(s->authenticatedWith()));
        QCOMPARE(pw.count(), 0);
        QVERIFY2(s->authenticatedWith().startsWith(QLatin1String("publickey rsa-sha2-512 with agent key \"id_rsa_agent\"")),
                 qPrintable(s->authenticatedWith()));
    }

    // IdentitiesOnly yes: the agent's keys are offered only when they are the identity files' keys
    // (it was ignored: every agent key was offered, and counted against MaxAuthTries).
    void identitiesOnly()
    {
        QTemporaryDir agentDir;
        TestAgent agent;
        QVERIFY(agent.start(agentDir.path()));
        QVERIFY(agent.add(m_agentOnly));  // the server takes it
        QVERIFY(agent.add(m_stranger));
        for (const bool only : {false, true}) {
            auto s = session(m_port, {m_stranger}, agent.socket(), only);
            connect(s.get(), &SshSession::passwordNeeded, s.get(), [&] { s->answerPassword(QString()); });
            const Error e = connectAndWait(*s);
            if (!only) {
                QVERIFY2(!e.isError(), qPrintable(e.toString()));
                QVERIFY2(s->authenticatedWith().contains(QLatin1String("agent key \"id_rsa_agent\"")), qPrintable(s->authenticatedWith()));
                continue;
            }
            QCOMPARE(e.code(), QStringLiteral("AuthFailed"));
            // The stranger's key, held by the agent too, is offered once, through the agent.
            QVERIFY2(e.message().contains(QLatin1String("tried agent key \"id_rsa_stranger\" (RSA 3072")), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QLatin1String("id_rsa_agent")), qPrintable(e.message()));
            QCOMPARE(e.message().count(QLatin1String("id_rsa_stranger")), 1);
        }
    }

    // SHA-1 only for a server that takes nothing else; a server taking rsa-sha2-256 only (as
    // dropbear) gets that.
    void sha1OnlyWhenNothingElse_data()
    {
        QTest::addColumn<QByteArray>("accepted");
        QTest::addColumn<QString>("used");
        QTest::newRow("ssh-rsa only") << QByteArray("ssh-rsa") << "ssh-rsa";
        QTest::newRow("rsa-sha2-256 only") << QByteArray("rsa-sha2-256") << "rsa-sha2-256";
        QTest::newRow("rsa-sha2-512 only") << QByteArray("rsa-sha2-512") << "rsa-sha2-512";
    }
    void sha1OnlyWhenNothingElse()
    {
        QFETCH(QByteArray, accepted);
        QFETCH(QString, used);
        QTemporaryDir dir;
        TestSshd sshd;
        const int port = TestSshd::freePort();
        QVERIFY2(startSshd(sshd, dir.path(), port, {{"PubkeyAcceptedAlgorithms", accepted}}), sshd.log().constData());
        auto s = session(port, {m_openssh});
        const Error e = connectAndWait(*s);
        QVERIFY2(!e.isError(), qPrintable(e.toString()));
        QVERIFY2(s->authenticatedWith().startsWith(QStringLiteral("publickey %1 with ").arg(used)), qPrintable(s->authenticatedWith()));
        const QByteArray log = sshd.log();
        // Each algorithm before the one taken was offered and refused, none after it.
        const QByteArrayList order{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"};
        for (const QByteArray &alg : order) {
            const bool refused = log.contains(QByteArray("signature algorithm " + alg + " not in PubkeyAcceptedAlgorithms"));
            QVERIFY2(refused == (order.indexOf(alg) < order.indexOf(used.toLatin1())), log.constData());
        }
        QVERIFY2(log.contains("Accepted publickey"), log.constData());

        // The same through an agent.
        QTemporaryDir agentDir;
        TestAgent agent;
        QVERIFY(agent.start(agentDir.path()));
        QVERIFY(agent.add(m_agentOnly));
        auto viaAgent = session(port, {}, agent.socket());
        const Error ae = connectAndWait(*viaAgent);
        QVERIFY2(!ae.isError(), qPrintable(ae.toString()));
        QVERIFY2(viaAgent->authenticatedWith().startsWith(QStringLiteral("publickey %1 with agent key").arg(used)),
                 qPrintable(viaAgent->authenticatedWith()));
    }

    // An agent that makes SHA-1 signatures only: refused by the stock server, in those words;
    // taken by a server that takes ssh-rsa.
    void agentWithoutSha2()
    {
        Sha1OnlyAgent old;
        QVERIFY(old.start(m_dir.filePath(QStringLiteral("old-agent.sock")), m_agentOnly));
        {
            auto s = session(m_port, {}, old.socket());
            connect(s.get(), &SshSession::passwordNeeded, s.get(), [&] { s->answerPassword(QString()); });
            const Error e = connectAndWait(*s);
            QCOMPARE(e.code(), QStringLiteral("AuthFailed"));
            QVERIFY2(e.message().contains(QLatin1String("agent key \"old agent's key\" (RSA 3072 SHA256:")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QLatin1String("the server refused ssh-rsa (SHA-1) signatures, the only RSA signatures this agent makes")),
                     qPrintable(e.message()));
            // Asked for SHA-2 (refused by the agent); ssh-rsa was refused before any signature.
            QCOMPARE(old.flagsAsked, QList<uint32_t>{AgentClient::RsaSha2_512});
        }
        QTemporaryDir dir;
        TestSshd sshd;
        const int port = TestSshd::freePort();
        QVERIFY2(startSshd(sshd, dir.path(), port, {{"PubkeyAcceptedAlgorithms", "+ssh-rsa"}}), sshd.log().constData());
        auto s = session(port, {}, old.socket());
        const Error e = connectAndWait(*s);
        QVERIFY2(!e.isError(), qPrintable(e.toString()));
        QVERIFY2(s->authenticatedWith().startsWith(QLatin1String("publickey ssh-rsa with agent key")), qPrintable(s->authenticatedWith()));
        QCOMPARE(old.flagsAsked.last(), 0u);
    }

    // Issue 12.2: a failed login names what the server offered, every key tried and why it failed.
    void failureSaysWhatWasTried()
    {
        QFile garbage(key(QStringLiteral("id_garbage")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("not a key\n");
        garbage.close();
        QTemporaryDir agentDir;
        TestAgent agent;
        QVERIFY(agent.start(agentDir.path()));
        QVERIFY(agent.add(m_ed25519));  // not in authorized_keys
        auto s = session(m_port, {m_stranger, garbage.fileName(), key(QStringLiteral("missing"))}, agent.socket());
        QStringList passwordPrompts;
        connect(s.get(), &SshSession::passwordNeeded, s.get(), [&](const QString &p) {
            passwordPrompts << p;
            s->answerPassword(QString());  // nobody to type it
        });
        const Error e = connectAndWait(*s);
        qInfo("%s", qPrintable(e.toString()));
        QCOMPARE(e.category(), Error::Category::Auth);
        QCOMPARE(e.code(), QStringLiteral("AuthFailed"));
        QCOMPARE(passwordPrompts.size(), 1);
        const QString m = e.message();
        QVERIFY2(m.startsWith(QLatin1String("Permission denied (the server offers publickey,password); tried ")), qPrintable(m));
        QVERIFY2(m.contains(QStringLiteral("agent key \"%1\" (ED25519 %2): not accepted by the server")
                                .arg(fileText(m_ed25519 + QStringLiteral(".pub")).trimmed().split(' ').value(2), KnownHosts::sha256Fingerprint(UserKey::fromFile(m_ed25519).publicBlob()))),
                 qPrintable(m));
        QVERIFY2(m.contains(QStringLiteral("%1 (RSA 3072 %2): not accepted by the server (offered as rsa-sha2-512, rsa-sha2-256 or ssh-rsa)")
                                .arg(m_stranger, KnownHosts::sha256Fingerprint(UserKey::fromFile(m_stranger).publicBlob()))),
                 qPrintable(m));
        QVERIFY2(m.contains(garbage.fileName() + QStringLiteral(": cannot be used: not a private key file")), qPrintable(m));
        QVERIFY2(m.endsWith(QLatin1String("; password: not given")), qPrintable(m));
        QVERIFY2(!m.contains(QLatin1String("ancel")), qPrintable(m));
        // The order is OpenSSH's: the agent's keys, then the files.
        QVERIFY(m.indexOf(QLatin1String("agent key")) < m.indexOf(m_stranger));
    }

    // An encrypted key: its passphrase is asked only once the server takes the key; wrong three
    // times or not given, the message says which.
    void passphraseOutcomes()
    {
        {
            auto s = session(m_port, {m_encrypted});
            int asked = 0;
            connect(s.get(), &SshSession::passphraseNeeded, s.get(), [&] {
                ++asked;
                s->answerPassphrase(QStringLiteral("wrong %1").arg(asked));
            });
            connect(s.get(), &SshSession::passwordNeeded, s.get(), [&] { s->answerPassword(QString()); });
            const Error e = connectAndWait(*s);
            QCOMPARE(asked, 3);
            QVERIFY2(e.message().contains(m_encrypted + QStringLiteral(" (RSA 3072 SHA256:")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QLatin1String("): passphrase wrong (asked 3 times)")), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QLatin1String("wrong 1")), qPrintable(e.message()));
        }
        {
            auto s = session(m_port, {m_encrypted});
            connect(s.get(), &SshSession::passphraseNeeded, s.get(), [&] { s->answerPassphrase(QString()); });
            connect(s.get(), &SshSession::passwordNeeded, s.get(), [&] { s->answerPassword(QString()); });
            const Error e = connectAndWait(*s);
            QVERIFY2(e.message().contains(QLatin1String("): passphrase not given (the server takes this key)")), qPrintable(e.message()));
        }
        {
            // Not in authorized_keys: never asked.
            const QString other = key(QStringLiteral("id_rsa_enc_stranger"));
            QVERIFY(keygen({QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("3072"), QStringLiteral("-N"),
                            kPassphrase, QStringLiteral("-f"), other}));
            auto s = session(m_port, {other});
            QSignalSpy asked(s.get(), &SshSession::passphraseNeeded);
            connect(s.get(), &SshSession::passwordNeeded, s.get(), [&] { s->answerPassword(QString()); });
            const Error e = connectAndWait(*s);
            QCOMPARE(asked.count(), 0);
            QVERIFY2(e.message().contains(QLatin1String("not accepted by the server (offered as rsa-sha2-512, rsa-sha2-256 or ssh-rsa)")),
                     qPrintable(e.message()));
        }
    }

    // An extra connection to the host (SFTP transfer lanes: siblingOptions()) logs in with the key
    // file the first one unlocked, without asking its passphrase again (lanes answer no question:
    // such a key used to be skipped there, and the lane not used).
    void siblingReusesTheUnlockedKey()
    {
        SshConnection::Options o;
        o.host = sshPeerHost();
        o.host.port = m_port;
        o.host.identityFiles = {m_encrypted};
        o.knownHosts = KnownHosts({m_dir.filePath(QStringLiteral("known_hosts"))}, m_dir.filePath(QStringLiteral("app_known_hosts")));
        o.acceptNewHostKey = true;
        o.useAgent = false;
        SshConnection first(o);
        connect(&first, &SshConnection::passphraseNeeded, &first, [&] { first.answerPassphrase(kPassphrase); });
        QSignalSpy ready(&first, &SshConnection::ready);
        first.start();
        QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty(); }, 60000));
        SshConnection sibling(first.siblingOptions());
        QSignalSpy asked(&sibling, &SshConnection::passphraseNeeded);
        // As SftpLanes answers questions: no.
        connect(&sibling, &SshConnection::passphraseNeeded, &sibling, [&] { sibling.answerPassphrase(QString()); }, Qt::QueuedConnection);
        connect(&sibling, &SshConnection::passwordNeeded, &sibling, [&] { sibling.answerPassword(QString()); }, Qt::QueuedConnection);
        QSignalSpy siblingReady(&sibling, &SshConnection::ready);
        QSignalSpy siblingFailed(&sibling, &SshConnection::failed);
        sibling.start();
        QVERIFY(QTest::qWaitFor([&] { return !siblingReady.isEmpty() || !siblingFailed.isEmpty(); }, 60000));
        QVERIFY2(siblingFailed.isEmpty(), qPrintable(siblingFailed.value(0).value(0).value<Error>().toString()));
        QCOMPARE(asked.count(), 0);
        QVERIFY2(sibling.authenticatedWith().contains(m_encrypted), qPrintable(sibling.authenticatedWith()));
        sibling.disconnectNow(QString());
        first.disconnectNow(QString());
    }

    // A session let go while its passphrase (or password) is asked: nothing waits, nothing crashes.
    void destroyedWhileAsking()
    {
        for (const bool passphrase : {true, false}) {
            auto s = session(m_port, {passphrase ? m_encrypted : m_stranger});
            QSignalSpy asked(s.get(), passphrase ? &SshSession::passphraseNeeded : &SshSession::passwordNeeded);
            s->connectToHost();
            QVERIFY(asked.wait(60000));
            QElapsedTimer t;
            t.start();
            s.reset();
            QVERIFY(t.elapsed() < 5000);
        }
    }

    // The server ends the login after MaxAuthTries refusals: said after the keys it refused.
    void tooManyFailures()
    {
        QTemporaryDir dir;
        TestSshd sshd;
        const int port = TestSshd::freePort();
        QVERIFY2(startSshd(sshd, dir.path(), port, {{"MaxAuthTries", "2"}}), sshd.log().constData());
        auto s = session(port, {m_stranger, m_ed25519, m_openssh});  // two refusals end it
        const Error e = connectAndWait(*s);
        QCOMPARE(e.category(), Error::Category::Auth);
        QVERIFY2(e.message().contains(QLatin1String("then the server closed the connection: Too many authentication failures")),
                 qPrintable(e.message()));
        QVERIFY2(e.message().contains(m_stranger), qPrintable(e.message()));
    }

    void agentNotReachable()
    {
        auto s = session(m_port, {m_openssh}, m_dir.filePath(QStringLiteral("no-agent.sock")));
        const Error e = connectAndWait(*s);
        QVERIFY2(!e.isError(), qPrintable(e.toString()));  // the key file still logs in
        auto failing = session(m_port, {}, m_dir.filePath(QStringLiteral("no-agent.sock")));
        connect(failing.get(), &SshSession::passwordNeeded, failing.get(), [&] { failing->answerPassword(QString()); });
        const Error fe = connectAndWait(*failing);
        QVERIFY2(fe.message().contains(QStringLiteral("agent at %1: not reachable (cannot connect: ").arg(m_dir.filePath(QStringLiteral("no-agent.sock")))),
                 qPrintable(fe.message()));
    }
};

SKYDECK_TEST_MAIN(TestSshRsa)
#include "tst_ssh_rsa.moc"
