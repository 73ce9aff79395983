#pragma once

#include "Command.h"

#include "CloudUrl.h"
#include "TransferTypes.h"

#include <memory>

namespace skydeck {
class TransferEngine;
namespace ssh {
class SftpClient;
class SshSession;
struct KbdIntQuestion;
}
}

namespace skydeck::cli {

// The SSH session an sftp:// command runs on: the host resolved through ~/.ssh/config (aliases,
// User, Port, IdentityFile, ProxyJump, StrictHostKeyChecking, UserKnownHostsFile, ...), known_hosts
// checked. An unknown host key fails with its fingerprint unless --accept-new-host-key or the config's
// StrictHostKeyChecking accept-new/no (then it is stored in the app's known_hosts); a changed or
// revoked key always fails, with no hint to accept it. A password or a keyboard-interactive prompt
// (a verification code) is asked on the terminal, as ssh asks it; with no terminal the command fails
// saying what the server asked for. Key passphrases are not asked: keys without one and the agent.
class SftpConnection : public QObject
{
    Q_OBJECT
public:
    SftpConnection(const CloudUrl &url, bool acceptNewHostKey, QObject *parent = nullptr);
    ~SftpConnection() override;

    void start();
    std::shared_ptr<ssh::SftpClient> client() const { return m_client; }
    QString home() const { return m_home; }

Q_SIGNALS:
    void ready();
    void failed(const skydeck::Error &error);

private:
    QStringList askOnTerminal(const ssh::KbdIntQuestion &question);

    CloudUrl m_url;
    bool m_accept = false;
    QString m_unanswered;  // what the server asked for that nobody answered (printable)
    std::unique_ptr<ssh::SshSession> m_session;
    std::shared_ptr<ssh::SftpClient> m_client;
    QString m_home;
};

// The first sftp:// operand of a command line, if any.
std::optional<CloudUrl> sftpOperand(const QStringList &args);

// skydeck ls sftp://host/path  — a directory's entries (type, permissions, size, mtime, name; links
// shown as links), or one file. -r lists every file below.
class SftpListCommand : public Command
{
    Q_OBJECT
public:
    SftpListCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts, const QString &accountId,
                    std::shared_ptr<ssh::SftpClient> client, QString home, QObject *parent = nullptr);
    void start() override;

private:
    std::shared_ptr<ssh::SftpClient> m_client;
    QString m_home;
};

// skydeck cp [-r] SRC DST with sftp:// on one side, through the TransferEngine (SftpStorage):
// pipelined parts, .part files renamed when complete, LocalPath mapping of remote names.
class SftpCopyCommand : public Command
{
    Q_OBJECT
public:
    SftpCopyCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts, const QString &accountId,
                    std::shared_ptr<ssh::SftpClient> client, QString home, QObject *parent = nullptr);
    ~SftpCopyCommand() override;
    void start() override;
    void interrupt() override;

private:
    QString remotePath(const CloudUrl &url) const;
    void upload(const CloudUrl &src, const CloudUrl &dst);
    void download(const CloudUrl &src, const CloudUrl &dst);
    void onChanged(const TransferStatus &s);
    void onIdle();

    std::shared_ptr<ssh::SftpClient> m_client;
    QString m_home;
    TransferEngine *m_engine = nullptr;
    QHash<quint64, bool> m_reported;
    int m_total = 0;
    int m_failed = 0;
    Error m_firstError;
};

} // namespace skydeck::cli
