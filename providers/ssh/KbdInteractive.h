#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace skydeck::ssh {

// One keyboard-interactive round as the server sent it (RFC 4256 SSH_MSG_USERAUTH_INFO_REQUEST).
// Everything in it is the server's text: show it only through printable().
struct KbdIntPrompt {
    QString text;
    bool echo = false;  // the answer may be shown as it is typed
};

struct KbdIntQuestion {
    QString name;
    QString instruction;
    QList<KbdIntPrompt> prompts;

    // A lone prompt, echo off, worded as OpenSSH and PAM ask for the account's password:
    // "Password:", "user@host's password:", "Password for user:". Nothing else is: not an OTP or
    // verification code, not "New password:", not several prompts at once.
    bool isPasswordPrompt() const;
    // The prompts for a sentence ("Verification code:", "Password: / Token:"), printable.
    QString summary() const;
    // Server text made safe to show (a terminal, a label): control characters (C0, DEL, C1,
    // bidirectional overrides) dropped, whitespace runs made one space, at most `max` characters.
    static QString printable(const QString &text, int max = 200);
};

// The keyboard-interactive answers Skydeck gives without asking anyone (a pure decision, unit
// tested): nothing for a round without prompts; the password for a lone password prompt when one
// is known (kept, typed or from the keychain). nullopt: the user must answer (or the login stops).
// A password is never the answer to any other prompt.
std::optional<QStringList> answerFromPassword(const KbdIntQuestion &question, const QString &password);

// Answers to a question asked from inside libssh2's keyboard-interactive callback, which must
// return them: the session's worker waits (blocking, bounded) while the UI (or the CLI) answers
// from its own thread. One question at a time.
class KbdIntReply
{
public:
    // Worker: a question is about to be asked; wait() then returns its answers.
    void begin();
    // Worker: blocks until answer(), cancel(), close() or the timeout; nullopt unless answered.
    std::optional<QStringList> wait(std::chrono::milliseconds timeout);
    // Any thread: whether the worker waits for answers now.
    bool isWaiting() const;
    // Any thread: ends the wait with these answers (one per prompt). Ignored when nothing waits.
    void answer(const QStringList &answers);
    // Any thread: ends the wait unanswered.
    void cancel();
    // Any thread: ends this and every later wait unanswered (the session is going away).
    void close();

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_waiting = false;
    bool m_done = false;
    bool m_closed = false;
    std::optional<QStringList> m_answers;
};

} // namespace skydeck::ssh

Q_DECLARE_METATYPE(skydeck::ssh::KbdIntQuestion)
