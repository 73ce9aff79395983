#include "Error.h"

#include "Logging.h"

namespace skydeck {

Error::Error(Category category, QString message, QString code, int httpStatus)
    : m_category(category), m_message(std::move(message)), m_code(std::move(code)), m_httpStatus(httpStatus)
{
}

Error Error::cancelled()
{
    return Error(Category::Cancelled, QStringLiteral("Cancelled"));
}

bool Error::isRetryable() const
{
    if (m_retryable >= 0)
        return m_retryable == 1;
    switch (m_category) {
    case Category::Throttled:
    case Category::Network:
    case Category::Server:
        return true;
    default:
        return false;
    }
}

Error &Error::setRetryable(bool retryable)
{
    m_retryable = retryable ? 1 : 0;
    return *this;
}

Error &Error::setContext(const QString &context)
{
    m_context = context;
    return *this;
}

QString Error::toString() const
{
    QString s;
    if (!m_context.isEmpty())
        s += m_context + QStringLiteral(": ");
    s += m_message.isEmpty() ? categoryName(m_category) : m_message;
    if (!m_code.isEmpty() && !m_message.contains(m_code))
        s += QStringLiteral(" (") + m_code + QLatin1Char(')');
    return redactSecrets(s);
}

QString Error::categoryName(Category c)
{
    switch (c) {
    case Category::None: return QStringLiteral("no error");
    case Category::Auth: return QStringLiteral("authentication failed");
    case Category::Permission: return QStringLiteral("permission denied");
    case Category::NotFound: return QStringLiteral("not found");
    case Category::Conflict: return QStringLiteral("conflict");
    case Category::Throttled: return QStringLiteral("throttled");
    case Category::Network: return QStringLiteral("network error");
    case Category::InvalidInput: return QStringLiteral("invalid input");
    case Category::Server: return QStringLiteral("server error");
    case Category::Cancelled: return QStringLiteral("cancelled");
    case Category::Integrity: return QStringLiteral("integrity check failed");
    case Category::Local: return QStringLiteral("local file error");
    }
    return {};
}

} // namespace skydeck
