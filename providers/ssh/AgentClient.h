#pragma once

#include "Result.h"
#include "SshHandles.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace skydeck::ssh {

// A client of ssh-agent (draft-miller-ssh-agent) over its unix socket ($SSH_AUTH_SOCK, or
// IdentityAgent): the keys it holds and signatures made with them. libssh2 1.10's agent code asks
// for RSA signatures without flags, which gives SHA-1 ("ssh-rsa") signatures; this one asks with
// SSH_AGENT_RSA_SHA2_256 / _512, as OpenSSH does.
//
// Blocking, each request bounded by a timeout (it runs on a session's worker during setup, where
// libssh2 blocks too). Answers are bounded like OpenSSH's (256 KiB, 2048 keys); a malformed
// answer is an error, never trusted in part.
class AgentClient
{
public:
    enum Message : uint8_t {
        Failure = 5,
        RequestIdentities = 11,
        IdentitiesAnswer = 12,
        SignRequest = 13,
        SignResponse = 14,
    };
    enum SignFlag : uint32_t {
        RsaSha2_256 = 2,
        RsaSha2_512 = 4,
    };
    static constexpr qsizetype kMaxMessage = 256 * 1024;
    static constexpr uint32_t kMaxIdentities = 2048;

    struct Identity {
        QByteArray blob;  // the public key blob
        QString comment;  // as the agent says (show it through displayText)
    };

    explicit AgentClient(QString socketPath, int timeoutMs = 10000);

    QString socketPath() const { return m_path; }
    // Connects to the socket (once; later calls reuse it).
    Status connect();
    Result<QList<Identity>> identities();
    // The agent's signature blob (string algorithm, string signature) over `data` with the key
    // `blob`. Confirmation-required keys (ssh-add -c) wait for the user: `timeoutMs` bounds that.
    Result<QByteArray> sign(QByteArrayView blob, QByteArrayView data, uint32_t flags, int timeoutMs = 60000);

    // Message bodies (the type byte first, no length), for tests and fuzzing.
    static std::optional<QList<Identity>> parseIdentities(QByteArrayView message);
    static std::optional<QByteArray> parseSignResponse(QByteArrayView message);
    static QByteArray signRequest(QByteArrayView blob, QByteArrayView data, uint32_t flags);
    // A signature blob's algorithm name and signature bytes; false when malformed or trailing bytes.
    static bool splitSignature(QByteArrayView blob, QByteArray *algorithm, QByteArray *signature);
    // The flags that ask for `algorithm` (rsa-sha2-256/512), 0 for the rest.
    static uint32_t flagsFor(QByteArrayView algorithm);

private:
    Result<QByteArray> request(const QByteArray &body, int timeoutMs);
    Error error(const QString &message) const;

    QString m_path;
    int m_timeoutMs;
    Fd m_fd;
};

} // namespace skydeck::ssh
