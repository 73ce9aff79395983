#pragma once

// An sshd of a test's own on loopback: the ssh peer's sshd_config (scripts/peers.sh, found beside
// SKYDECK_TEST_SSH_HOST_KEY_PUB) with some keywords replaced (another host key, PAM, ...). Its
// config, pid file and log live in a directory of the test's. Stopped when destroyed.
#include "Peers.h"

#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

namespace skydeck::test {

class TestSshd
{
public:
    TestSshd() = default;
    TestSshd(const TestSshd &) = delete;
    TestSshd &operator=(const TestSshd &) = delete;
    ~TestSshd() { stop(); }

    static int freePort()
    {
        QTcpServer probe;
        return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
    }

    // A new host key of `type` ("ecdsa", "ed25519", ...) in dir; returns the private key's path.
    static QString makeHostKey(const QString &dir, const QString &type)
    {
        const QString path = dir + QStringLiteral("/host_") + type;
        QFile::remove(path);
        QFile::remove(path + QStringLiteral(".pub"));
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), type, QStringLiteral("-N"),
                                                    QString(), QStringLiteral("-C"), QStringLiteral("test-") + type,
                                                    QStringLiteral("-f"), path});
        return keygen.waitForFinished(30000) && keygen.exitCode() == 0 ? path : QString();
    }

    // Writes dir/sshd_config and runs sshd -D on `port`; false when it does not listen in 10 s.
    // `overrides` replace the peer's lines for those keywords (added when it has none); `removed`
    // keywords are left out (e.g. PubkeyAcceptedAlgorithms, for sshd's own default).
    bool start(const QString &dir, int port, const QMap<QByteArray, QByteArray> &overrides, const QByteArrayList &removed = {})
    {
        stop();
        m_dir = dir;
        QFile base(QFileInfo(peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB")).absolutePath() + QStringLiteral("/sshd_config"));
        if (!base.open(QIODevice::ReadOnly))
            return false;
        QMap<QByteArray, QByteArray> set = overrides;
        set.insert("Port", QByteArray::number(port));
        set.insert("PidFile", QFile::encodeName(dir + QStringLiteral("/sshd.pid")));
        QByteArray config;
        for (const QByteArray &line : base.readAll().split('\n')) {
            const QByteArray keyword = line.split(' ').value(0);
            if (removed.contains(keyword))
                continue;
            config += (set.contains(keyword) ? keyword + ' ' + set.take(keyword) : line) + '\n';
        }
        for (auto it = set.cbegin(); it != set.cend(); ++it)
            config += it.key() + ' ' + it.value() + '\n';
        QFile f(dir + QStringLiteral("/sshd_config"));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write(config);
        f.close();
        m_process = std::make_unique<QProcess>();
        m_process->start(QStringLiteral("/usr/sbin/sshd"),
                         {QStringLiteral("-D"), QStringLiteral("-f"), f.fileName(), QStringLiteral("-E"), logPath()});
        const bool listening = QTest::qWaitFor([&] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, quint16(port));
            return probe.waitForConnected(100);
        }, 10000);
        if (!listening)
            stop();
        return listening;
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

    QString logPath() const { return m_dir + QStringLiteral("/sshd.log"); }
    QByteArray log() const
    {
        QFile f(logPath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_dir;
};

} // namespace skydeck::test
