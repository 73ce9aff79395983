#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <QString>
#include <QStringList>

namespace skydeck::ssh {

// One thing a login tried (a key from the agent or a file, keyboard-interactive, the password) and
// how it ended. Holds no secret: keys by path or comment and fingerprint.
struct AuthAttempt {
    enum class Kind { AgentKey, KeyFile, KeyboardInteractive, Password, Agent, Note };
    enum class Outcome {
        Pending,             // not finished yet (a failed login never shows this)
        NotAccepted,         // the server does not take this key with any algorithm offered
        SignatureRefused,    // the server took the key, then refused its signature
        ServerClosed,        // the server closed the connection while this was tried
        PassphraseWrong,     // the passphrase was asked `tries` times, never right
        PassphraseNotGiven,  // the passphrase was not given (declined, nobody to ask)
        KeyUnusable,         // the file cannot be read or used (detail says why)
        AgentFailed,         // the agent did not sign (detail says why)
        Refused,             // password / keyboard-interactive: the server said no
        NotGiven,            // password / keyboard-interactive: no answer (detail: what was asked)
        Unavailable,         // the agent could not be reached (detail)
        Info,                // a note (detail)
    };

    Kind kind = Kind::Note;
    QString path;             // KeyFile: the file; Agent: the socket
    QString comment;          // AgentKey: the agent's comment
    QByteArray blob;          // keys: the public key
    QByteArrayList refusedAs; // keys: the algorithms the server refused the key as, in order
    bool agentLacksSha2 = false;  // AgentKey, RSA: the agent signs only ssh-rsa (SHA-1)
    Outcome outcome = Outcome::Pending;
    QString detail;
    int tries = 0;

    // "agent key "c" (RSA 3072 SHA256:...)", "~/.ssh/id_rsa (ED25519 SHA256:...)", "password".
    QString subject() const;
    // "not accepted (as rsa-sha2-512, rsa-sha2-256 or ssh-rsa)", "passphrase wrong (asked 3 times)".
    QString result() const;
};

// Every attempt of one login, for the message a failed login ends with (the CLI's error line, the
// pane's status): what the server offers, then each key and method tried, in order, and why it
// failed — "Permission denied (the server offers publickey,password); tried: /home/u/.ssh/id_rsa
// (RSA 3072 SHA256:...): not accepted (as rsa-sha2-512, rsa-sha2-256 or ssh-rsa); password: not
// given". Server-sent text is made printable; paths under $HOME are shown as ~/.
class AuthLog
{
public:
    void clear();
    void setOffered(const QString &methods) { m_offered = methods; }
    QString offered() const { return m_offered; }
    // Appends an attempt; its index (for update()).
    int add(const AuthAttempt &attempt);
    AuthAttempt &at(int index) { return m_attempts[index]; }
    const QList<AuthAttempt> &attempts() const { return m_attempts; }
    // Identity files the config named that do not exist (said when nothing else was tried).
    void addMissingFile(const QString &path) { m_missing << path; }

    // The whole sentence for a failed login; `ending` is appended (why it ended, if not plainly).
    QString summary(const QString &ending = {}) const;

    // A path as shown: $HOME replaced with ~.
    static QString shownPath(const QString &path);

private:
    QString m_offered;
    QList<AuthAttempt> m_attempts;
    QStringList m_missing;
};

} // namespace skydeck::ssh
