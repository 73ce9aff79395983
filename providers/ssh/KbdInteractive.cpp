#include "KbdInteractive.h"

#include <QRegularExpression>

#include <algorithm>

namespace skydeck::ssh {

bool KbdIntQuestion::isPasswordPrompt() const
{
    if (prompts.size() != 1 || prompts.first().echo)
        return false;
    // OpenSSH's own "%.30s@%.128s's password: ", PAM's "Password: ", Kerberos' "Password for %s: ".
    static const QRegularExpression password(QStringLiteral("^(?:\\S+'s )?password(?: for \\S+)?:?$"),
                                             QRegularExpression::CaseInsensitiveOption);
    return password.match(prompts.first().text.trimmed()).hasMatch();
}

QString KbdIntQuestion::summary() const
{
    QStringList texts;
    for (const KbdIntPrompt &p : prompts)
        texts << printable(p.text, 80);
    return printable(texts.join(QStringLiteral(" / ")), 200);
}

QString KbdIntQuestion::printable(const QString &text, int max)
{
    QString out;
    bool space = false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (c.isSpace()) {
            space = !out.isEmpty();
            continue;
        }
        const bool control = u < 0x20 || (u >= 0x7f && u <= 0x9f) || (u >= 0x202a && u <= 0x202e)
            || (u >= 0x2066 && u <= 0x2069) || u == 0x200e || u == 0x200f;
        if (control)
            continue;
        if (out.size() + (space ? 2 : 1) > max) {  // more than fits: end with an ellipsis
            out.truncate(std::max(0, max - 1));
            out += QChar(0x2026);
            break;
        }
        if (space)
            out += QLatin1Char(' ');
        space = false;
        out += c;
    }
    return out;
}

std::optional<QStringList> answerFromPassword(const KbdIntQuestion &question, const QString &password)
{
    if (question.prompts.isEmpty())
        return QStringList();
    if (question.isPasswordPrompt() && !password.isEmpty())
        return QStringList{password};
    return std::nullopt;
}

void KbdIntReply::begin()
{
    std::lock_guard lock(m_mutex);
    m_waiting = true;
    m_done = m_closed;
    m_answers.reset();
}

std::optional<QStringList> KbdIntReply::wait(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [this] { return m_done; });
    m_waiting = false;
    m_done = false;
    return std::exchange(m_answers, std::nullopt);
}

bool KbdIntReply::isWaiting() const
{
    std::lock_guard lock(m_mutex);
    return m_waiting && !m_done;
}

void KbdIntReply::answer(const QStringList &answers)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_waiting || m_done)
            return;
        m_answers = answers;
        m_done = true;
    }
    m_changed.notify_all();
}

void KbdIntReply::cancel()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_waiting || m_done)
            return;
        m_done = true;
    }
    m_changed.notify_all();
}

void KbdIntReply::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        if (m_waiting)
            m_done = true;
    }
    m_changed.notify_all();
}

} // namespace skydeck::ssh
