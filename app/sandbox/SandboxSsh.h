#pragma once

#include "KnownHosts.h"
#include "SshConfig.h"

#include <QObject>

#include <memory>

namespace skydeck {

// The sandbox's SSH host: OpenSSH's sshd on 127.0.0.1 (a free port) for the current user, with a
// host key and a user ed25519 key generated into a private (0700) directory, an authorized_keys
// there, public-key authentication only. Its host key is pre-trusted in a known_hosts file in that
// directory (never in the user's ~/.ssh/known_hosts): sessions made with knownHosts() connect with
// no question. sshd goes away with this object, and with the process (PR_SET_PDEATHSIG) if it dies.
//
// As root, sshd needs its privilege separation directory /run/sshd (created here). As another user
// sshd runs unprivileged and only that user can log in; a missing /run/sshd is reported through
// unavailable() (it needs root to create), as is a machine without /usr/sbin/sshd.
class SandboxSsh : public QObject
{
    Q_OBJECT
public:
    explicit SandboxSsh(const QString &directory, QObject *parent = nullptr);
    ~SandboxSsh() override;

    static QString sshdProgram();  // /usr/sbin/sshd (sshd re-executes itself: absolute path)

    // Generates missing keys, writes the config and starts sshd; answers with started() or
    // unavailable(). Never blocks the calling thread.
    void start();
    void stop();
    bool isRunning() const;
    qint64 processId() const;  // sshd's pid, 0 when not running

    // Valid once started(): how to reach it (identity file, no agent) and the known_hosts to check.
    ssh::SshHostConfig host() const;
    ssh::KnownHosts knownHosts() const;
    QString directory() const;

Q_SIGNALS:
    void started(const skydeck::ssh::SshHostConfig &host);
    void unavailable(const QString &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace skydeck
