#pragma once

// An sshd of a test's own, on a free port: the ssh peer's sshd_config (scripts/peers.sh) with some
// keywords replaced, its pid file and log in a folder of the test. For what the shared peer must
// not do (PAM, another host key, a hostile sftp subsystem).

#include "SshTestPeer.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QMap>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

namespace skydeck::test {

inline int freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

// nullptr when it does not listen within 10 s (its log: dir/sshd.log). The caller owns it.
inline QProcess *startOwnSshd(const QString &dir, int port, const QMap<QByteArray, QByteArray> &overrides)
{
    const QString hostKeyPub = peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB");
    const QByteArray baseConfig = readAll(QFileInfo(hostKeyPub).absolutePath() + QStringLiteral("/sshd_config"));
    if (baseConfig.isEmpty())
        return nullptr;
    QMap<QByteArray, QByteArray> set = overrides;
    set.insert("Port", QByteArray::number(port));
    set.insert("PidFile", (dir + QStringLiteral("/sshd.pid")).toUtf8());
    QByteArray config;
    for (const QByteArray &line : baseConfig.split('\n')) {
        const QByteArray keyword = line.split(' ').value(0);
        config += (set.contains(keyword) ? keyword + ' ' + set.value(keyword) : line) + '\n';
    }
    QFile f(dir + QStringLiteral("/sshd_config"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return nullptr;
    f.write(config);
    f.close();
    auto *p = new QProcess;
    p->start(QStringLiteral("/usr/sbin/sshd"),
             {QStringLiteral("-D"), QStringLiteral("-f"), f.fileName(), QStringLiteral("-E"), dir + QStringLiteral("/sshd.log")});
    const bool listening = QTest::qWaitFor([&] {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, quint16(port));
        return probe.waitForConnected(100);
    }, 10000);
    if (!listening)
        delete p;
    return listening ? p : nullptr;
}

inline void stopOwnSshd(QProcess *p)
{
    if (!p)
        return;
    p->terminate();
    p->waitForFinished(5000);
    delete p;
}

} // namespace skydeck::test
