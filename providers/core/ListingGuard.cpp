#include "ListingGuard.h"

#include <utility>

namespace skydeck {

ListingGuard::ListingGuard(Limits limits, QString what) : m_limits(limits), m_what(std::move(what)) {}

Status ListingGuard::nextPage(const QString &nextToken, qsizetype entriesOnPage)
{
    if (m_failed.isError())
        return m_failed;
    ++m_pages;
    const QString where = m_what.isEmpty() ? QStringLiteral("the listing") : m_what;
    auto refuse = [&](const QString &message, const QString &code) -> Status {
        m_failed = Error(Error::Category::Server, message, code).setContext(where);
        m_failed.setRetryable(false);
        return m_failed;
    };
    if (nextToken.isEmpty())
        return Done{};  // the last page
    const size_t tokenHash = qHash(nextToken, size_t(0x5d1c0ffee));
    if (m_tokens.contains(tokenHash))
        return refuse(QStringLiteral("the server sent a page token it had already sent (after %1 pages); "
                                     "stopped so the listing does not loop for ever").arg(m_pages),
                      QStringLiteral("RepeatedPageToken"));
    if (m_pages >= m_limits.maxPages)
        return refuse(QStringLiteral("the server still offered more pages after %1; stopped there").arg(m_pages),
                      QStringLiteral("TooManyPages"));
    m_emptyInARow = entriesOnPage == 0 ? m_emptyInARow + 1 : 0;
    if (m_emptyInARow > m_limits.maxEmptyPagesInARow)
        return refuse(QStringLiteral("the server sent %1 empty pages in a row, each saying more would follow; stopped")
                          .arg(m_emptyInARow),
                      QStringLiteral("EmptyPages"));
    m_tokens.insert(tokenHash);
    return Done{};
}

Status ListingGuard::checkOrder(const QList<ObjectEntry> &page)
{
    if (m_failed.isError())
        return m_failed;
    if (page.isEmpty())
        return Done{};
    QByteArray lowest;
    QByteArray highest;
    for (const ObjectEntry &e : page) {
        const QByteArray k = e.key.toUtf8();  // UTF-8 bytes: the order the services use
        if (lowest.isNull() || k < lowest)
            lowest = k;
        if (highest.isNull() || k > highest)
            highest = k;
    }
    if (!m_lastKey.isNull() && lowest <= m_lastKey) {
        m_failed = Error(Error::Category::Server,
                         QStringLiteral("the server went back in its listing (a page began with \"%1\" after \"%2\"); "
                                        "stopped so the listing does not loop for ever")
                             .arg(QString::fromUtf8(lowest), QString::fromUtf8(m_lastKey)),
                         QStringLiteral("KeysNotAscending"))
                       .setContext(m_what.isEmpty() ? QStringLiteral("the listing") : m_what);
        m_failed.setRetryable(false);
        return m_failed;
    }
    m_lastKey = highest;
    return Done{};
}

bool ListingGuard::underPrefix(const QString &key, const QString &prefix)
{
    return key.startsWith(prefix, Qt::CaseSensitive);
}

Error ListingGuard::outsidePrefix(const QString &key, const QString &prefix, const QString &where)
{
    Error e(Error::Category::Server,
            QStringLiteral("the server listed the key \"%1\", which is not under the prefix \"%2\" asked for; "
                           "it was not acted on").arg(key, prefix),
            QStringLiteral("KeyOutsidePrefix"));
    e.setRetryable(false);
    return e.setContext(where);
}

} // namespace skydeck
