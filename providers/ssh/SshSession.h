#pragma once

#include "Error.h"
#include "KnownHosts.h"
#include "Result.h"
#include "SshConfig.h"
#include "SshConnection.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace skydeck {
class CredentialStore;
class ProviderWorker;
}

namespace skydeck::ssh {

// One SSH connection to one host, on its own worker thread. Lives on the UI (or caller's) thread;
// everything it does happens on the worker, in an SshConnection. Several channels (a shell, exec
// commands, SFTP, forwards) share it; see README.md for how to add a new kind of channel (post()).
//
// Questions for the user are signals answered asynchronously: hostKeyQuestion -> answerHostKey(),
// passwordNeeded -> answerPassword(), passphraseNeeded -> answerPassphrase() (asked only for an
// encrypted key the server takes, or whose public half is unknown: a PEM key without its .pub),
// keyboardInteractiveQuestion -> answerKeyboardInteractive(). A changed host key is never asked
// about: failed() with code "HostKeyChanged" and the file and line of the old key.
// keyboard-interactive: only a lone password prompt gets the password (passwordNeeded asks for it
// when none is known); any other prompt (a verification code, several at once) is the user's.
// Unanswered (or answered empty), the login ends: failed() with code "KbdIntUnanswered".
// A failed login (code "AuthFailed", category Auth) says what the server offered, every key and
// method tried and why each failed (AuthLog): a declined password is "not given", never "cancelled".
//
// ProxyJump: a session for the (last) jump host is created and connected first (its questions
// are re-emitted by this session), then this session runs over a direct-tcpip channel of it.
class SshSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, AwaitingAnswer, Ready };
    Q_ENUM(State)

    explicit SshSession(const SshHostConfig &host, QObject *parent = nullptr);
    ~SshSession() override;

    // Options (before connectToHost()).
    void setSshConfig(const SshConfig &config);  // resolves ProxyJump hops (default: ~/.ssh/config)
    // Default: KnownHosts::forHost(host) (UserKnownHostsFile/GlobalKnownHostsFile or OpenSSH's files).
    void setKnownHosts(const KnownHosts &knownHosts);
    void setAcceptNewHostKey(bool accept);       // the CLI's --accept-new-host-key
    void setUseAgent(bool use);
    void setAgentSocket(const QString &path);    // default $SSH_AUTH_SOCK
    void setPassword(const QString &password);   // preset, e.g. from the keychain
    void setTimeoutMs(int ms);
    // Passwords answered with remember=true are written here (account "ssh:<user@host:port>").
    void setCredentialStore(CredentialStore *store);

    const SshHostConfig &host() const { return m_host; }
    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    // The session this one runs through (ProxyJump), or null.
    SshSession *jumpSession() const { return m_jump; }
    // How the login succeeded ("publickey rsa-sha2-512 with ~/.ssh/id_rsa (RSA 3072 SHA256:...)",
    // "password", ...): set when ready() is emitted.
    QString authenticatedWith() const { return m_authenticatedWith; }

    void connectToHost();
    void disconnectFromHost();

    void answerHostKey(bool accept);
    void answerPassword(const QString &password, bool remember = false);
    void answerPassphrase(const QString &passphrase);
    // One answer per prompt of the question; an empty list declines (the login ends).
    void answerKeyboardInteractive(const QStringList &answers);

    // --- for channel implementations ---
    // The worker-thread half. Only touch it on the worker: from post() or from objects living there.
    SshConnection *connection() const { return m_conn; }
    ProviderWorker *worker() const { return m_worker.get(); }
    // Runs fn on the worker thread with the connection (queued, in order). Check isReady() there.
    void post(std::function<void(SshConnection &)> fn);
    // Opens a direct-tcpip channel to host:port (as seen from the server) and answers (on this
    // object's thread) with the local end of a socketpair carrying it; the caller owns that fd.
    void openTunnel(const QString &host, int port, std::function<void(Result<int>)> done);

    static QString credentialAccount(const SshHostConfig &host);

Q_SIGNALS:
    void stateChanged(skydeck::ssh::SshSession::State state);
    void hostKeyQuestion(const skydeck::ssh::HostKeyCheck &check);
    void passwordNeeded(const QString &prompt);
    void passphraseNeeded(const QString &keyFile);
    void keyboardInteractiveQuestion(const skydeck::ssh::KbdIntQuestion &question);
    void ready();
    void failed(const skydeck::Error &error);       // connecting failed
    void disconnected(const QString &reason);       // a ready session ended

private:
    void setState(State s);
    void startConnection();
    void startViaJump();
    void onConnectionState(SshConnection::State s);

    SshHostConfig m_host;
    std::unique_ptr<SshConfig> m_config;
    SshConnection::Options m_options;
    std::unique_ptr<ProviderWorker> m_worker;
    SshConnection *m_conn = nullptr;
    std::shared_ptr<KbdIntReply> m_kbdReply;  // m_conn's, answered from this thread
    SshSession *m_jump = nullptr;
    QPointer<CredentialStore> m_store;
    bool m_rememberPassword = false;
    State m_state = State::Disconnected;
    int m_depth = 0;
    bool m_knownHostsSet = false;
    QString m_authenticatedWith;
};

} // namespace skydeck::ssh
