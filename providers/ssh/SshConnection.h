#pragma once

#include "AgentClient.h"
#include "AuthLog.h"
#include "Error.h"
#include "KbdInteractive.h"
#include "KnownHosts.h"
#include "SshConfig.h"
#include "SshHandles.h"
#include "UserKey.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace skydeck::ssh {

// The worker-thread half of an SshSession: one libssh2 session on one socket. Lives on (and is
// only touched from) the session's worker thread.
//
// Setup (TCP connect, handshake, host key, authentication) runs in libssh2's blocking mode with a
// timeout, pausing between steps whenever the user must answer (host key, passphrase, password).
// Once authenticated the session switches to non-blocking mode and everything that uses it is a
// *pump*: a function the connection calls whenever the socket is readable or writable (or someone
// called wake()), which moves what it can without waiting and returns whether it made progress.
// Passes repeat while any pump progresses (bounded, then yield to the event loop), so a flood on
// one channel never starves the others: each channel is held back only by its own SSH window.
class SshConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Connecting, AwaitingHostKey, Authenticating, AwaitingSecret, Ready, Closed };
    Q_ENUM(State)

    struct Options {
        SshHostConfig host;
        KnownHosts knownHosts;
        // The CLI's --accept-new-host-key: StrictHostKeyChecking accept-new, whatever the config says.
        bool acceptNewHostKey = false;
        bool useAgent = true;
        QString agentSocket;             // empty: $SSH_AUTH_SOCK
        QString password;                // preset (keychain, tests); empty: ask when needed
        int timeoutMs = 20000;           // connect and each blocking setup step
        // Non-empty: the server must show exactly this host key (a wire blob), which stands in for
        // the known_hosts check. Set by siblingOptions() for extra connections to a host.
        QByteArray pinnedHostKey;
        // Whether someone answers keyboardInteractiveQuestion / a keyboard-interactive password
        // prompt (through kbdIntReply()). False for siblingOptions(): such prompts end the login.
        bool interactive = true;
        // A key file already unlocked (the one the first connection logged in with): used for
        // that path instead of reading it, so no passphrase is asked again. Set by siblingOptions().
        QString unlockedKeyPath;
        std::shared_ptr<const UserKey> unlockedKey;
    };

    explicit SshConnection(Options options, QObject *parent = nullptr);
    ~SshConnection() override;

    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    LIBSSH2_SESSION *session() const { return m_session.get(); }
    const SshHostConfig &host() const { return m_options.host; }
    // Options for another connection to the same server as this ready one (SFTP transfer lanes):
    // the host key pinned to the one this connection verified, no new key accepted, the password
    // that worked here (if one did), the key file that worked here already unlocked (its
    // passphrase is never kept; it stays unlocked while this connection lives).
    Options siblingOptions() const;
    // How the login succeeded ("publickey rsa-sha2-512 with ~/.ssh/id_rsa (RSA 3072 SHA256:...)",
    // "password"); empty before.
    QString authenticatedWith() const { return m_authenticatedWith; }
    // Why the session ended (valid from sessionEnding() on): a sentence for the user.
    QString endReason() const { return m_endReason; }
    // Where keyboard-interactive answers go while the worker waits inside libssh2 (any thread:
    // SshSession answers passwordNeeded / keyboardInteractiveQuestion through it then).
    std::shared_ptr<KbdIntReply> kbdIntReply() const { return m_kbdReply; }

    // Use an already-connected stream (ProxyJump: one end of a socketpair) instead of dialling.
    void setTransportFd(int fd);
    void setPresetPassword(const QString &password) { m_options.password = password; }

    using Pump = std::function<bool()>;
    // Registers a pump owned by `owner` (removed when owner is destroyed or removePumps(owner)).
    void addPump(QObject *owner, Pump pump);
    void removePumps(QObject *owner);
    // Runs a pass soon (collapsed): call after queuing data to send or freeing flow control.
    void wake();
    // Channels whose libssh2_channel_free answered EAGAIN are finished here, in later passes.
    void retire(ChannelPtr channel);

    // Channel setup runs one channel at a time per session. libssh2 1.10 keeps a channel open's
    // progress in the session (a second libssh2_channel_open_session() while one is pending
    // continues the first and returns *its* channel; libssh2_sftp_init() likewise), and a channel
    // request's wait for its reply (pty-req, shell, exec, subsystem) fails with -1 when it reads
    // the reply meant for another channel. So a pump calls acquireSetup(owner) before opening a
    // channel (session, direct-tcpip, SFTP) or sending a request that wants a reply, and goes on
    // only when it answers true (queued in arrival order otherwise: try again in a later pass);
    // it keeps the turn across EAGAIN, retrying the same call, and gives it back with
    // releaseSetup(owner) once the setup succeeded or failed. Data on established channels is
    // never held back by this. removePumps(owner) also gives the turn back.
    bool acquireSetup(QObject *owner);
    void releaseSetup(QObject *owner);

    // True while libssh2 holds a half-sent packet (a send answered EAGAIN). libssh2 1.10 finishes
    // it only for the call that started it, retried with the same arguments: any other send (a
    // write on another channel, a window adjust inside a read, a close) fails with
    // LIBSSH2_ERROR_BAD_USE. So while it is pending the connection runs only the pump whose call
    // left it (the "send owner"); a pump driving several libssh2 objects (SFTP channels) uses
    // this to go on with the one whose call it was.
    bool outboundBlocked() const;

    // For pumps: true when rc is a fatal session error (the connection then closes with a reason).
    bool checkFatal(int rc, const char *what);
    // The session's last error as a skydeck::Error ("what: libssh2 message").
    Error sessionError(int rc, const QString &what) const;

public Q_SLOTS:
    void start();
    void answerHostKey(bool accept);
    void answerPassword(const QString &password);     // empty: give up password authentication
    void answerPassphrase(const QString &passphrase); // empty: skip this key
    void disconnectNow(const QString &reason);

Q_SIGNALS:
    void stateChanged(skydeck::ssh::SshConnection::State state);
    void hostKeyQuestion(const skydeck::ssh::HostKeyCheck &check);
    // The password: for the password method (answerPassword()), or for a keyboard-interactive
    // password prompt (then answered through kbdIntReply(), the worker waiting).
    void passwordNeeded(const QString &prompt);
    // keyboard-interactive prompts Skydeck does not answer itself (anything but a lone password
    // prompt it has the password for): answered through kbdIntReply(), the worker waiting.
    void keyboardInteractiveQuestion(const skydeck::ssh::KbdIntQuestion &question);
    // An encrypted key file the server takes (or whose public half is unknown: an encrypted PEM
    // key without its .pub) needs its passphrase: answerPassphrase().
    void passphraseNeeded(const QString &keyFile);
    void authenticated(const QString &how);  // just before ready(): authenticatedWith()
    void ready();
    void passwordAccepted(const QString &password);  // so the facade can offer to keep it
    void failed(const skydeck::Error &error);         // setup failed
    void closed(const QString &reason);               // after ready(): lost or disconnected
    // Emitted (direct, on the worker) just before the libssh2 session is freed: whoever holds a
    // channel or SFTP handle must free it in this slot and treat the session as gone.
    void sessionEnding();

private:
    QStringList abortKeyboardInteractive(const QString &why);
    void setState(State s);
    void fail(const Error &e);
    Error tcpConnect();
    void handshake();
    void beginAuth();
    void continueAuth();
    void failAuth(const QString &ending = {}, const QString &code = QStringLiteral("AuthFailed"));
    bool authConnectionLost(int rc, const char *what);
    void becomeReady();
    void runPass();
    void updateNotifiers();
    void keepaliveTick();
    void lose(const QString &reason);
    void teardown();

    Options m_options;
    QString m_endReason;
    State m_state = State::Idle;
    Fd m_fd;
    SessionPtr m_session;
    QString m_authMethods;
    // Authentication progress (OpenSSH's order: public keys, keyboard-interactive, password).
    enum class AuthStep { Keys, PublicKey, KeyboardInteractive, Password, Done };
    AuthStep m_authStep = AuthStep::Keys;
    // A key to offer: one of the agent's or an identity file (SshConnectionAuth.cpp).
    struct KeyCandidate {
        bool fromAgent = false;
        QString path;             // identity file
        QByteArray blob;          // public key; empty for an encrypted PEM key without .pub until unlocked
        UserKey key;              // identity file
        int log = -1;             // its m_authLog entry
        bool done = false;        // nothing more to try with it
        bool agentLacksSha2 = false;
        bool serverTakesIt = false;  // the server answered PK_OK for it
        int passphraseTries = 0;
    };
    struct SignContext;
    enum class KeyTry { Success, Next, Paused, Ended };
    void gatherKeys();
    bool runPublicKeys();  // true: paused, ready or failed
    QByteArray algorithmFor(const KeyCandidate &c, int round) const;
    KeyTry tryKey(KeyCandidate &c, const QByteArray &algorithm);
    KeyTry askPassphrase(KeyCandidate &c);
    std::optional<QByteArray> sign(SignContext &ctx, QByteArrayView data);
    static int signCallback(LIBSSH2_SESSION *session, unsigned char **sig, size_t *sigLength, const unsigned char *data,
                            size_t dataLength, void **abstract);
    std::vector<KeyCandidate> m_keys;
    int m_keyRound = 0;
    size_t m_keyIndex = 0;
    QByteArrayList m_serverTakes;  // algorithms the server answered PK_OK for (any key)
    std::unique_ptr<AgentClient> m_agent;
    AuthLog m_authLog;
    int m_passwordLog = -1;
    int m_passwordTries = 0;
    bool m_passwordFromUser = false;
    QString m_authenticatedWith;
    std::shared_ptr<const UserKey> m_usedKey;  // the key file that logged in (for siblingOptions())
    QString m_usedKeyPath;
    QString m_serverDisconnect;  // what the server's SSH_MSG_DISCONNECT said, printable
    QByteArray m_helloBytes;     // what the server sent before the handshake ended (ServerHello)
    HostKey m_hostKey;
    std::shared_ptr<KbdIntReply> m_kbdReply = std::make_shared<KbdIntReply>();
    Error m_kbdIntFailure;  // set when keyboard-interactive was stopped (abortKeyboardInteractive)

    struct PumpEntry {
        QPointer<QObject> owner;
        QObject *key;
        Pump fn;
    };
    std::vector<PumpEntry> m_pumps;
    std::vector<LIBSSH2_CHANNEL *> m_graveyard;
    struct SetupEntry {
        QPointer<QObject> owner;
        QObject *key;
    };
    std::deque<SetupEntry> m_setupQueue;  // front: the channel in setup now
    QPointer<QObject> m_sendOwner;         // whose call left a half-sent packet (see outboundBlocked)
    QObject *m_sendOwnerKey = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_keepalive = nullptr;
    QTimer *m_idleRearm = nullptr;
    bool m_passScheduled = false;
    bool m_inPass = false;
    QElapsedTimer m_sinceReceive;  // for ServerAliveCountMax

public:
    // Bytes read from the socket (libssh2 recv callback). Internal.
    void noteReceived(const char *data, qsizetype length);
    // The server's SSH_MSG_DISCONNECT (libssh2 disconnect callback). Internal.
    void noteDisconnect(const QString &message) { m_serverDisconnect = message; }
    // The answers to one keyboard-interactive round (libssh2's callback, on the worker). Internal.
    // Only a lone password prompt is answered with the password; anything else is asked
    // (blocking until answered) or, unanswered, ends the connection before anything is sent.
    QStringList keyboardInteractiveAnswers(const KbdIntQuestion &question);
};

} // namespace skydeck::ssh

Q_DECLARE_METATYPE(skydeck::ssh::HostKeyCheck)
