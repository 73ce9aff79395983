#pragma once

// The ssh peer from scripts/peers.sh (SKYDECK_TEST_SSH_*), as SshHostConfig and known_hosts files.

#include "KnownHosts.h"
#include "Peers.h"
#include "SshConfig.h"

#include <QFile>
#include <QTemporaryDir>

namespace skydeck::test {

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A host config for the peer with no identity files, so each test chooses its method.
inline ssh::SshHostConfig sshPeerHost()
{
    ssh::SshHostConfig h;
    h.alias = QStringLiteral("peer");
    h.hostName = peerValue("SKYDECK_TEST_SSH_HOST");
    h.port = peerValue("SKYDECK_TEST_SSH_PORT").toInt();
    h.user = peerValue("SKYDECK_TEST_SSH_USER");
    return h;
}

// known_hosts (in dir) listing `hostKeyPub` for the peer; the app store is another file in dir.
inline ssh::KnownHosts knownHostsWith(const QTemporaryDir &dir, const QString &hostKeyPub, const QString &extraLine = {})
{
    const QString file = dir.filePath(QStringLiteral("known_hosts"));
    QFile f(file);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    if (!extraLine.isEmpty())
        f.write(extraLine.toUtf8() + '\n');
    if (!hostKeyPub.isEmpty()) {
        const QList<QByteArray> fields = readAll(hostKeyPub).simplified().split(' ');
        const QString name = ssh::KnownHosts::hostEntryName(peerValue("SKYDECK_TEST_SSH_HOST"),
                                                            peerValue("SKYDECK_TEST_SSH_PORT").toInt());
        f.write(name.toUtf8() + ' ' + fields.value(0) + ' ' + fields.value(1) + '\n');
    }
    f.close();
    return ssh::KnownHosts({file}, dir.filePath(QStringLiteral("app_known_hosts")));
}

} // namespace skydeck::test
