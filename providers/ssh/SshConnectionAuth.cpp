// SshConnection's authentication, in OpenSSH's order: public keys (the agent's, then identity
// files), keyboard-interactive, password; apart from the connection's setup and pump loop in
// SshConnection.cpp.
//
// Public keys go through libssh2_userauth_publickey() with Skydeck's own signing (UserKey for
// files, AgentClient for the agent): libssh2 1.10 signs RSA keys with SHA-1 only ("ssh-rsa"),
// which OpenSSH 8.8 and later refuse. libssh2 takes the algorithm's name from the key blob it is
// given and puts it in the request and around the signature, so an RSA key offered as
// rsa-sha2-512 is its blob under that name (UserKey::withType) signed with SHA-512.
//
// Which algorithms the server takes: RFC 8308's server-sig-algs would say, but libssh2 1.10 neither
// asks for it (ext-info-c) nor reads it. So keys are offered in rounds: every key once with its
// best algorithm (rsa-sha2-512 for RSA), then the RSA keys the server refused as rsa-sha2-256, then
// as ssh-rsa (SHA-1) — each later round only when no key was taken with the algorithms before, so
// SHA-1 is used only with a server that takes no SHA-2 RSA signature. One try per key in the common
// case, as OpenSSH (MaxAuthTries counts each).
//
// Each libssh2 call first asks whether the server takes the key (no signature); libssh2 calls
// signCallback only once it does. A key file's passphrase is therefore asked only for a key the
// server takes, as OpenSSH does (then the call is made again, unlocked).
//
// Every attempt goes to m_authLog: a failed login says what the server offered, what was tried and
// why each failed (AuthLog::summary).
#include "SshConnection.h"

#include "OpenSslHandles.h"
#include "SshLogging.h"
#include "SshWire.h"

#include <QFile>
#include <QFileInfo>

#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace skydeck::ssh {

namespace {

// How long a keyboard-interactive question waits for the user (the server's LoginGraceTime,
// 2 minutes by default, usually ends the login first).
constexpr auto kPromptTimeout = std::chrono::minutes(5);
constexpr int kPassphraseTries = 3;
constexpr int kRounds = 3;  // best algorithm; rsa-sha2-256; ssh-rsa

// libssh2 calls this inside libssh2_userauth_keyboard_interactive_ex() for each round; abstract is
// the session's, the SshConnection. Answers are malloc'ed: libssh2 frees them.
void kbdIntCallback(const char *name, int nameLength, const char *instruction, int instructionLength, int numPrompts,
                    const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses,
                    void **abstract)
{
    KbdIntQuestion q;
    q.name = QString::fromUtf8(name, qMax(0, nameLength));
    q.instruction = QString::fromUtf8(instruction, qMax(0, instructionLength));
    for (int i = 0; i < numPrompts; ++i)
        q.prompts << KbdIntPrompt{QString::fromUtf8(reinterpret_cast<const char *>(prompts[i].text), qsizetype(prompts[i].length)),
                                  prompts[i].echo != 0};
    auto *conn = abstract ? static_cast<SshConnection *>(*abstract) : nullptr;
    const QStringList answers = conn ? conn->keyboardInteractiveAnswers(q) : QStringList();
    for (int i = 0; i < numPrompts; ++i) {
        const QByteArray a = answers.value(i).toUtf8();
        responses[i].text = strndup(a.constData(), size_t(a.size()));
        responses[i].length = responses[i].text ? unsigned(a.size()) : 0;
    }
}

bool isRsa(const QByteArray &blob)
{
    return UserKey::signatureAlgorithms(blob).size() > 1;
}

} // namespace

// One libssh2_userauth_publickey() call's signing, seen from signCallback.
struct SshConnection::SignContext {
    SshConnection *conn = nullptr;
    KeyCandidate *key = nullptr;
    QByteArray algorithm;
    bool reached = false;  // the server took the key: libssh2 asked for the signature
    bool signedIt = false;
    enum class Failure { None, Locked, AgentLacksSha2, Agent, Key } failure = Failure::None;
    QString detail;
};

int SshConnection::signCallback(LIBSSH2_SESSION *, unsigned char **sig, size_t *sigLength, const unsigned char *data,
                                size_t dataLength, void **abstract)
{
    auto *ctx = abstract ? static_cast<SignContext *>(*abstract) : nullptr;
    if (!ctx)
        return -1;
    ctx->reached = true;
    const std::optional<QByteArray> signature =
        ctx->conn->sign(*ctx, QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(dataLength)));
    if (!signature)
        return -1;
    // libssh2 frees it with its allocator: the default one (malloc/free), libssh2_session_init_ex
    // being given none.
    auto *out = static_cast<unsigned char *>(std::malloc(size_t(signature->size())));
    if (!out)
        return -1;
    std::memcpy(out, signature->constData(), size_t(signature->size()));
    *sig = out;
    *sigLength = size_t(signature->size());
    ctx->signedIt = true;
    return 0;
}

std::optional<QByteArray> SshConnection::sign(SignContext &ctx, QByteArrayView data)
{
    KeyCandidate &c = *ctx.key;
    if (!c.fromAgent) {
        if (!c.key.canSign()) {
            ctx.failure = SignContext::Failure::Locked;
            return std::nullopt;
        }
        std::optional<QByteArray> s = c.key.sign(data, ctx.algorithm);
        if (!s) {
            ctx.failure = SignContext::Failure::Key;
            ctx.detail = QStringLiteral("OpenSSL could not sign with it as %1").arg(QString::fromLatin1(ctx.algorithm));
        }
        return s;
    }
    if (!m_agent) {
        ctx.failure = SignContext::Failure::Agent;
        ctx.detail = QStringLiteral("the agent went away");
        return std::nullopt;
    }
    // The agent knows the key by its own blob (type ssh-rsa); the flags ask for SHA-2.
    const Result<QByteArray> blob = m_agent->sign(c.blob, data, AgentClient::flagsFor(ctx.algorithm));
    if (!blob.ok()) {
        ctx.failure = SignContext::Failure::Agent;
        ctx.detail = blob.error().message();
        return std::nullopt;
    }
    QByteArray algorithm;
    QByteArray signature;
    AgentClient::splitSignature(blob.value(), &algorithm, &signature);
    if (algorithm != ctx.algorithm) {
        // An agent that ignores the SHA-2 flags (older than OpenSSH 7.2's, some others) answers ssh-rsa.
        const bool noSha2 = algorithm == "ssh-rsa" && isRsa(c.blob);
        ctx.failure = noSha2 ? SignContext::Failure::AgentLacksSha2 : SignContext::Failure::Agent;
        ctx.detail = QStringLiteral("asked for a %1 signature, it made %2")
                         .arg(QString::fromLatin1(ctx.algorithm), QString::fromLatin1(wire::clip(algorithm, 64)));
        return std::nullopt;
    }
    return signature;
}

void SshConnection::beginAuth()
{
    setState(State::Authenticating);
    const QByteArray user = m_options.host.user.toUtf8();
    char *list = libssh2_userauth_list(m_session.get(), user.constData(), unsigned(user.size()));
    if (!list) {
        if (libssh2_userauth_authenticated(m_session.get())) {
            m_authenticatedWith = QStringLiteral("none (the server asked for nothing)");
            return becomeReady();
        }
        const int rc = libssh2_session_last_errno(m_session.get());
        if (authConnectionLost(rc, "listing authentication methods"))
            return;
        return fail(sessionError(rc, QStringLiteral("cannot list authentication methods")));
    }
    m_authMethods = QString::fromLatin1(list);
    m_authLog.setOffered(m_authMethods);
    qCDebug(lcSsh) << "server offers" << m_authMethods;
    continueAuth();
}

void SshConnection::gatherKeys()
{
    m_keys.clear();
    // Identity files are read first (IdentitiesOnly keeps only the agent's keys that are among
    // them), offered after the agent's keys.
    std::vector<KeyCandidate> files;
    for (const QString &file : m_options.host.identityFiles) {
        if (!QFileInfo::exists(file)) {
            if (m_options.host.identityFilesFromConfig)
                m_authLog.addMissingFile(file);
            continue;
        }
        KeyCandidate c;
        c.path = file;
        c.key = m_options.unlockedKey && file == m_options.unlockedKeyPath ? *m_options.unlockedKey : UserKey::fromFile(file);
        c.blob = c.key.publicBlob();
        const UserKey::Status s = c.key.status();
        c.done = s != UserKey::Status::Ok && s != UserKey::Status::Locked;
        files.push_back(std::move(c));
    }
    QList<AgentClient::Identity> agentKeys;
    const QString sock = m_options.agentSocket.isEmpty() ? qEnvironmentVariable("SSH_AUTH_SOCK") : m_options.agentSocket;
    if (m_options.useAgent && !sock.isEmpty()) {
        m_agent = std::make_unique<AgentClient>(sock);
        const Result<QList<AgentClient::Identity>> ids = m_agent->identities();
        if (ids.ok()) {
            agentKeys = ids.value();
        } else {
            qCInfo(lcSsh).noquote() << "agent not used:" << ids.error().toString();
            AuthAttempt a;
            a.kind = AuthAttempt::Kind::Agent;
            a.path = sock;
            a.outcome = AuthAttempt::Outcome::Unavailable;
            a.detail = ids.error().message();
            m_authLog.add(a);
            m_agent.reset();
        }
    }
    const auto fileHas = [&files](const QByteArray &blob) {
        return std::any_of(files.begin(), files.end(), [&](const KeyCandidate &f) { return !f.blob.isEmpty() && f.blob == blob; });
    };
    for (const AgentClient::Identity &id : std::as_const(agentKeys)) {
        if (UserKey::signatureAlgorithms(id.blob).isEmpty() || (m_options.host.identitiesOnly && !fileHas(id.blob)))
            continue;
        KeyCandidate c;
        c.fromAgent = true;
        c.blob = id.blob;
        AuthAttempt a;
        a.kind = AuthAttempt::Kind::AgentKey;
        a.comment = id.comment;
        a.blob = id.blob;
        c.log = m_authLog.add(a);
        m_keys.push_back(std::move(c));
    }
    for (KeyCandidate &f : files) {
        // A file whose key the agent holds is offered once, through the agent (as OpenSSH does).
        const bool inAgent = std::any_of(m_keys.begin(), m_keys.end(), [&](const KeyCandidate &a) {
            return a.fromAgent && !f.blob.isEmpty() && a.blob == f.blob;
        });
        if (inAgent)
            continue;
        AuthAttempt a;
        a.kind = AuthAttempt::Kind::KeyFile;
        a.path = f.path;
        a.blob = f.blob;
        if (f.done) {  // unreadable, not a key, or a kind not handled: said, never offered
            a.outcome = AuthAttempt::Outcome::KeyUnusable;
            a.detail = f.key.errorText();
        }
        f.log = m_authLog.add(a);
        m_keys.push_back(std::move(f));
    }
    qCDebug(lcSsh) << m_keys.size() << "keys to offer";
}

QByteArray SshConnection::algorithmFor(const KeyCandidate &c, int round) const
{
    if (c.done)
        return {};
    if (c.blob.isEmpty())
        return round == 0 ? QByteArray("?") : QByteArray();  // the passphrase first, then its type
    const QByteArrayList algorithms = UserKey::signatureAlgorithms(c.blob);
    if (round == 0)
        return algorithms.value(0);
    if (algorithms.size() < kRounds)
        return {};
    const QByteArrayList refused = m_authLog.attempts().value(c.log).refusedAs;
    const bool sha512Taken = m_serverTakes.contains("rsa-sha2-512");
    const bool sha256Taken = m_serverTakes.contains("rsa-sha2-256");
    if (round == 1)
        return !c.agentLacksSha2 && !sha512Taken && refused.contains("rsa-sha2-512") ? algorithms[1] : QByteArray();
    // SHA-1: only when the server took no SHA-2 RSA signature (or the agent makes no other).
    if (c.agentLacksSha2)
        return algorithms[2];
    return !sha512Taken && !sha256Taken && refused.contains("rsa-sha2-256") ? algorithms[2] : QByteArray();
}

bool SshConnection::runPublicKeys()
{
    for (; m_keyRound < kRounds; ++m_keyRound, m_keyIndex = 0) {
        for (; m_keyIndex < m_keys.size(); ++m_keyIndex) {
            KeyCandidate &c = m_keys[m_keyIndex];
            const QByteArray algorithm = algorithmFor(c, m_keyRound);
            if (algorithm.isEmpty())
                continue;
            switch (algorithm == "?" ? askPassphrase(c) : tryKey(c, algorithm)) {
            case KeyTry::Success:
                becomeReady();
                return true;
            case KeyTry::Paused:
            case KeyTry::Ended:
                return true;
            case KeyTry::Next:
                break;
            }
        }
    }
    return false;
}

SshConnection::KeyTry SshConnection::tryKey(KeyCandidate &c, const QByteArray &algorithm)
{
    const QByteArray type = wire::firstString(c.blob);
    const QByteArray blob = algorithm == type ? c.blob : UserKey::withType(c.blob, algorithm);
    SignContext ctx;
    ctx.conn = this;
    ctx.key = &c;
    ctx.algorithm = algorithm;
    void *abstract = &ctx;
    const QByteArray user = m_options.host.user.toUtf8();
    const int rc = libssh2_userauth_publickey(m_session.get(), user.constData(), reinterpret_cast<const unsigned char *>(blob.constData()),
                                              size_t(blob.size()), &SshConnection::signCallback, &abstract);
    AuthAttempt &log = m_authLog.at(c.log);
    const QString subject = log.subject();
    if (rc == 0) {
        m_authenticatedWith = QStringLiteral("publickey %1 with %2").arg(QString::fromLatin1(algorithm), subject);
        if (!c.fromAgent) {
            m_usedKey = std::make_shared<const UserKey>(c.key);
            m_usedKeyPath = c.path;
        }
        return KeyTry::Success;
    }
    if (!ctx.reached) {
        // The server does not take this key as `algorithm` (not in authorized_keys, or the
        // algorithm is not in its PubkeyAcceptedAlgorithms): another round may offer another one.
        qCDebug(lcSsh).noquote() << "not accepted:" << subject << "as" << algorithm;
        log.refusedAs << algorithm;
        log.outcome = AuthAttempt::Outcome::NotAccepted;
    }
    if (authConnectionLost(rc, "public key authentication"))
        return KeyTry::Ended;
    if (!ctx.reached)
        return KeyTry::Next;
    c.serverTakesIt = true;
    if (!m_serverTakes.contains(algorithm))
        m_serverTakes << algorithm;
    switch (ctx.failure) {
    case SignContext::Failure::Locked:
        return askPassphrase(c);
    case SignContext::Failure::AgentLacksSha2:
        qCInfo(lcSsh).noquote() << "the agent made no" << algorithm << "signature for" << subject;
        c.agentLacksSha2 = true;
        log.agentLacksSha2 = true;
        log.outcome = AuthAttempt::Outcome::AgentFailed;
        log.detail = ctx.detail;
        return KeyTry::Next;  // the ssh-rsa round offers it as what the agent makes
    case SignContext::Failure::Agent:
    case SignContext::Failure::Key:
        log.outcome = c.fromAgent ? AuthAttempt::Outcome::AgentFailed : AuthAttempt::Outcome::KeyUnusable;
        log.detail = ctx.detail;
        c.done = true;
        return KeyTry::Next;
    case SignContext::Failure::None:
        break;
    }
    // Signed, and refused after all.
    qCInfo(lcSsh).noquote() << "signature refused:" << subject << "as" << algorithm << sessionError(rc, QString()).message();
    log.outcome = AuthAttempt::Outcome::SignatureRefused;
    log.detail = QString::fromLatin1(algorithm);
    c.done = true;
    return KeyTry::Next;
}

SshConnection::KeyTry SshConnection::askPassphrase(KeyCandidate &c)
{
    setState(State::AwaitingSecret);
    Q_EMIT passphraseNeeded(c.path);
    return KeyTry::Paused;  // answerPassphrase() goes on with the same key
}

bool SshConnection::authConnectionLost(int rc, const char *what)
{
    // libssh2 1.10 reports a DISCONNECT that answers a request as that request's failure
    // (publickey: PUBLICKEY_UNVERIFIED), so the disconnect callback's note decides.
    if (!m_serverDisconnect.isEmpty() || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
        // The server ended the login (MaxAuthTries: "Too many authentication failures", or
        // LoginGraceTime): an authentication failure, with everything tried before it.
        const QString why = m_serverDisconnect.isEmpty() ? QStringLiteral("no reason given") : m_serverDisconnect;
        failAuth(QStringLiteral("then the server closed the connection: %1").arg(why));
        return true;
    }
    return checkFatal(rc, what);
}

void SshConnection::failAuth(const QString &ending, const QString &code)
{
    Error e(Error::Category::Auth, m_authLog.summary(ending), code);
    e.setContext(m_options.host.displayName()).setRetryable(false);
    fail(e);
}

void SshConnection::continueAuth()
{
    const auto offers = [this](const char *m) { return m_authMethods.split(QLatin1Char(',')).contains(QLatin1String(m)); };
    while (m_authStep != AuthStep::Done) {
        if (!m_session)
            return;
        switch (m_authStep) {
        case AuthStep::Keys:
            m_authStep = AuthStep::PublicKey;
            if (offers("publickey"))
                gatherKeys();
            break;
        case AuthStep::PublicKey:
            if (offers("publickey") && runPublicKeys())
                return;
            m_authStep = AuthStep::KeyboardInteractive;
            break;
        case AuthStep::KeyboardInteractive:
        case AuthStep::Password: {
            const bool kbd = m_authStep == AuthStep::KeyboardInteractive;
            if (!offers(kbd ? "keyboard-interactive" : "password")) {
                m_authStep = kbd ? AuthStep::Password : AuthStep::Done;
                break;
            }
            if (!kbd && m_passwordLog < 0) {
                AuthAttempt a;
                a.kind = AuthAttempt::Kind::Password;
                m_passwordLog = m_authLog.add(a);
            }
            // keyboard-interactive asks its own questions (keyboardInteractiveAnswers()); the
            // password method needs the password first.
            if (!kbd && m_options.password.isEmpty()) {
                setState(State::AwaitingSecret);
                Q_EMIT passwordNeeded(QStringLiteral("%1's password:").arg(m_options.host.displayName()));
                return;  // answerPassword() continues
            }
            const QByteArray user = m_options.host.user.toUtf8();
            const QByteArray pw = m_options.password.toUtf8();
            int rc = 0;
            if (kbd) {
                rc = libssh2_userauth_keyboard_interactive_ex(m_session.get(), user.constData(), unsigned(user.size()),
                                                             &kbdIntCallback);
                if (m_kbdIntFailure.isError()) {
                    const Error stopped = std::exchange(m_kbdIntFailure, Error());
                    AuthAttempt a;
                    a.kind = AuthAttempt::Kind::KeyboardInteractive;
                    a.outcome = AuthAttempt::Outcome::NotGiven;
                    a.detail = stopped.message();
                    m_authLog.add(a);
                    return failAuth({}, stopped.code());
                }
            } else {
                rc = libssh2_userauth_password_ex(m_session.get(), user.constData(), unsigned(user.size()),
                                                  pw.constData(), unsigned(pw.size()), nullptr);
            }
            if (rc == 0) {
                m_authenticatedWith = kbd ? QStringLiteral("keyboard-interactive") : QStringLiteral("password");
                if (m_passwordFromUser)
                    Q_EMIT passwordAccepted(m_options.password);
                return becomeReady();
            }
            if (authConnectionLost(rc, "password authentication"))
                return;
            if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED) {
                Error e(Error::Category::Auth, QStringLiteral("The password has expired; change it with a terminal login"),
                        QStringLiteral("PasswordExpired"));
                return fail(e.setContext(m_options.host.displayName()));
            }
            if (kbd) {
                AuthAttempt a;
                a.kind = AuthAttempt::Kind::KeyboardInteractive;
                a.outcome = AuthAttempt::Outcome::Refused;
                m_authLog.add(a);
                m_authStep = AuthStep::Password;
                break;
            }
            AuthAttempt &log = m_authLog.at(m_passwordLog);
            log.outcome = AuthAttempt::Outcome::Refused;
            log.tries = ++m_passwordTries;
            // Wrong password: a user who typed it gets two more tries (OpenSSH asks three times).
            if (m_passwordFromUser && m_passwordTries < 3) {
                m_options.password.clear();
                m_authStep = offers("keyboard-interactive") ? AuthStep::KeyboardInteractive : AuthStep::Password;
                setState(State::AwaitingSecret);
                Q_EMIT passwordNeeded(QStringLiteral("Permission denied, please try again. %1's password:")
                                          .arg(m_options.host.displayName()));
                return;
            }
            m_authStep = AuthStep::Done;
            break;
        }
        case AuthStep::Done:
            break;
        }
    }
    failAuth();
}

QStringList SshConnection::keyboardInteractiveAnswers(const KbdIntQuestion &question)
{
    if (const std::optional<QStringList> known = answerFromPassword(question, m_options.password)) {
        if (!known->isEmpty())
            qCInfo(lcSsh) << "keyboard-interactive: answered the password prompt";
        return *known;
    }
    const QString asked = question.summary();
    if (!m_options.interactive)
        return abortKeyboardInteractive(QStringLiteral("the server asked for \"%1\" (keyboard-interactive), which only "
                                                       "the first connection to it may ask")
                                            .arg(asked));
    // The password prompt goes through passwordNeeded like the password method's (the UI offers to
    // keep it); anything else is asked as it is. The worker waits here: libssh2 wants the answers
    // when this returns. SshSession answers through m_kbdReply from the UI thread.
    const bool password = question.isPasswordPrompt();
    m_kbdReply->begin();
    setState(State::AwaitingSecret);
    if (password)
        Q_EMIT passwordNeeded(QStringLiteral("%1 asks: %2").arg(m_options.host.displayName(), asked));
    else
        Q_EMIT keyboardInteractiveQuestion(question);
    const std::optional<QStringList> answers = m_kbdReply->wait(kPromptTimeout);
    setState(State::Authenticating);
    if (!answers || answers->size() != question.prompts.size() || (password && answers->first().isEmpty()))
        return abortKeyboardInteractive(
            QStringLiteral("the server asked for \"%1\" (keyboard-interactive), which was not answered").arg(asked));
    if (password) {
        m_options.password = answers->first();
        m_passwordFromUser = true;
    }
    return *answers;
}

QStringList SshConnection::abortKeyboardInteractive(const QString &why)
{
    // libssh2 sends whatever the callback returns, and cannot be told to stop: end the connection
    // so that nothing reaches the server. The call then fails and continueAuth() reports this.
    qCInfo(lcSsh).noquote() << "keyboard-interactive stopped:" << why;
    m_kbdIntFailure = Error(Error::Category::Auth, why, QStringLiteral("KbdIntUnanswered"));
    m_kbdIntFailure.setContext(m_options.host.displayName()).setRetryable(false);
    ::shutdown(m_fd.get(), SHUT_RDWR);
    return {};
}

void SshConnection::answerPassphrase(const QString &passphrase)
{
    if (m_state != State::AwaitingSecret || m_authStep != AuthStep::PublicKey || m_keyIndex >= m_keys.size())
        return;
    setState(State::Authenticating);
    KeyCandidate &c = m_keys[m_keyIndex];
    AuthAttempt &log = m_authLog.at(c.log);
    const auto giveUp = [&](AuthAttempt::Outcome outcome, const QString &detail) {
        log.outcome = outcome;
        log.detail = detail;
        log.tries = c.passphraseTries;
        c.done = true;
        ++m_keyIndex;
        continueAuth();
    };
    const QString accepted = c.serverTakesIt ? QStringLiteral("the server takes this key") : QString();
    if (passphrase.isEmpty())
        return giveUp(AuthAttempt::Outcome::PassphraseNotGiven, accepted);
    QByteArray utf8 = passphrase.toUtf8();
    const UserKey::Status s = c.key.unlock(utf8);
    cleanse(utf8);
    ++c.passphraseTries;
    if (s == UserKey::Status::WrongPassphrase) {
        qCInfo(lcSsh).noquote() << "wrong passphrase for" << c.path << "try" << c.passphraseTries;
        if (c.passphraseTries < kPassphraseTries) {
            askPassphrase(c);  // the same key again
            return;
        }
        return giveUp(AuthAttempt::Outcome::PassphraseWrong, QString());
    }
    if (s != UserKey::Status::Ok)
        return giveUp(AuthAttempt::Outcome::KeyUnusable, c.key.errorText());
    if (c.blob.isEmpty()) {  // an encrypted PEM key without .pub: now its public half is known
        c.blob = c.key.publicBlob();
        log.blob = c.blob;
    }
    continueAuth();  // the same key, now unlocked: libssh2 asks the server again, then signs
}

void SshConnection::answerPassword(const QString &password)
{
    if (m_state != State::AwaitingSecret
        || (m_authStep != AuthStep::KeyboardInteractive && m_authStep != AuthStep::Password))
        return;
    setState(State::Authenticating);
    if (password.isEmpty()) {
        // Not a refusal: nobody gave the password. The login ends, saying what was tried.
        if (m_passwordLog >= 0 && m_authLog.at(m_passwordLog).outcome == AuthAttempt::Outcome::Pending)
            m_authLog.at(m_passwordLog).outcome = AuthAttempt::Outcome::NotGiven;
        m_authStep = AuthStep::Done;
        return continueAuth();
    }
    m_options.password = password;
    m_passwordFromUser = true;
    continueAuth();
}

} // namespace skydeck::ssh
