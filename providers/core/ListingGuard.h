#pragma once

#include "Error.h"
#include "Result.h"
#include "StorageTypes.h"

#include <QSet>
#include <QString>

namespace skydeck {

// A server may lie about paging: the same continuation token for ever, a new token with the same
// keys, keys outside the prefix asked for, or "more pages" with nothing in them. Every paged loop
// (the CLI's ls/cp/rm -r, the bucket pane's fetchMore, the VM listings) keeps one ListingGuard and
// asks it before fetching the next page. Each refusal is an Error of category Server with its own
// code, so the UI and the CLI say what the server did, and nothing is acted on past that point.
//
//   ListingGuard guard(ListingGuard::Limits::objects(), "s3://b/data/");
//   for each page: if (Status s = guard.nextPage(page.nextContinuation, page.entries.size()); !s.ok()) stop
//   for each key:  if (!ListingGuard::underPrefix(key, prefix)) refuse and report it
class ListingGuard
{
public:
    struct Limits {
        qint64 maxPages = 100000;        // 100,000 pages of 1,000 = 100 million objects
        int maxEmptyPagesInARow = 100;   // "truncated" pages with no entries
        static Limits objects() { return {}; }                   // bucket listings
        static Limits resources() { return {2000, 20}; }         // VMs, regions, zones: 2,000 pages
    };

    explicit ListingGuard(Limits limits = Limits::objects(), QString what = {});

    // Call once per page received, with the token that page gave for the next one (empty on the
    // last page) and how many entries it held. Refuses a token seen before (RepeatedPageToken),
    // more than maxPages pages (TooManyPages) and more than maxEmptyPagesInARow truncated empty
    // pages in a row (EmptyPages). After a refusal it keeps refusing.
    Status nextPage(const QString &nextToken, qsizetype entriesOnPage);

    // For listings in key order (S3, GCS and Azure Blob list in UTF-8 binary order): each page must
    // begin after the previous one ended. A server that pages back over keys it already listed
    // (the same keys under new tokens, for ever) is refused with KeysNotAscending. Call before
    // nextPage(), with every entry of the page (objects and prefixes). Pages are checked against
    // each other only: one page may be in any order.
    Status checkOrder(const QList<ObjectEntry> &page);

    qint64 pages() const { return m_pages; }

    // Whether `key` lies under `prefix` as S3/GCS/Azure define it (a plain string prefix; an empty
    // prefix holds every key). Keys that do not are never acted on.
    static bool underPrefix(const QString &key, const QString &prefix);

    // The error for a key outside the prefix asked for (code KeyOutsidePrefix, category Server).
    static Error outsidePrefix(const QString &key, const QString &prefix, const QString &where);

private:
    Limits m_limits;
    QString m_what;
    qint64 m_pages = 0;
    int m_emptyInARow = 0;
    QByteArray m_lastKey;  // the greatest key of the pages so far, UTF-8
    QSet<size_t> m_tokens;  // hashes of the tokens seen (a page limit's worth of 1 KiB tokens is 100 MB)
    Error m_failed;
};

} // namespace skydeck
