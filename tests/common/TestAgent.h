#pragma once

// An ssh-agent of a test's own (`ssh-agent -D -a DIR/agent.sock`), keys added with ssh-add; and
// OpenSSH's own check of a signature: an SSHSIG (PROTOCOL.sshsig) around a signature blob, read by
// `ssh-keygen -Y check-novalidate`. Stopped when destroyed.
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

#include <memory>

namespace skydeck::test {

class TestAgent
{
public:
    TestAgent() = default;
    TestAgent(const TestAgent &) = delete;
    TestAgent &operator=(const TestAgent &) = delete;
    ~TestAgent() { stop(); }

    // Starts the agent with its socket in dir; false when it does not come up in 10 s.
    bool start(const QString &dir)
    {
        stop();
        m_socket = dir + QStringLiteral("/agent.sock");
        QFile::remove(m_socket);
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(QStringLiteral("ssh-agent"), {QStringLiteral("-D"), QStringLiteral("-a"), m_socket});
        const bool up = m_process->waitForStarted(10000) && QTest::qWaitFor([&] { return QFileInfo(m_socket).exists(); }, 10000);
        if (!up)
            stop();
        return up;
    }

    // ssh-add (with `extraArgs` such as -c before the file); `passphrase` is given through
    // SSH_ASKPASS for an encrypted key.
    bool add(const QString &keyFile, const QStringList &extraArgs = {}) const
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SSH_AUTH_SOCK"), m_socket);
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("ssh-add"), extraArgs + QStringList{keyFile});
        p.closeWriteChannel();
        return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    void stop()
    {
        if (!m_process)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(5000))
            m_process->kill();
        m_process->waitForFinished(5000);
        m_process.reset();
    }

    QString socket() const { return m_socket; }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_socket;
};

namespace sshsig {

inline void putString(QByteArray &out, const QByteArray &s)
{
    const quint32 n = quint32(s.size());
    const char len[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    out.append(len, 4).append(s);
}

constexpr char kNamespace[] = "skydeck-test";

// What an SSHSIG signature signs for `message` (namespace kNamespace, sha512).
inline QByteArray signedData(const QByteArray &message)
{
    QByteArray d = "SSHSIG";
    putString(d, kNamespace);
    putString(d, QByteArray());
    putString(d, "sha512");
    putString(d, QCryptographicHash::hash(message, QCryptographicHash::Sha512));
    return d;
}

// The armored SSHSIG file for a signature blob (string algorithm, string signature) by `publicBlob`.
inline QByteArray armored(const QByteArray &publicBlob, const QByteArray &signatureBlob)
{
    QByteArray blob = "SSHSIG";
    blob.append("\0\0\0\1", 4);
    putString(blob, publicBlob);
    putString(blob, kNamespace);
    putString(blob, QByteArray());
    putString(blob, "sha512");
    putString(blob, signatureBlob);
    QByteArray out = "-----BEGIN SSH SIGNATURE-----\n";
    const QByteArray b64 = blob.toBase64();
    for (qsizetype i = 0; i < b64.size(); i += 70)
        out += b64.mid(i, 70) + '\n';
    return out + "-----END SSH SIGNATURE-----\n";
}

// Whether OpenSSH (ssh-keygen -Y check-novalidate) finds the signature good; its words in `said`.
inline bool opensshAccepts(const QString &scratchDir, const QByteArray &message, const QByteArray &publicBlob,
                           const QByteArray &signatureBlob, QByteArray *said = nullptr)
{
    const QString sigFile = scratchDir + QStringLiteral("/check.sig");
    QFile f(sigFile);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(armored(publicBlob, signatureBlob));
    f.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-Y"), QStringLiteral("check-novalidate"), QStringLiteral("-n"),
                                           QString::fromLatin1(kNamespace), QStringLiteral("-s"), sigFile});
    p.write(message);
    p.closeWriteChannel();
    const bool finished = p.waitForFinished(30000);
    const QByteArray out = p.readAll();
    if (said)
        *said = out;
    return finished && p.exitCode() == 0 && out.contains("Good");
}

} // namespace sshsig

} // namespace skydeck::test
