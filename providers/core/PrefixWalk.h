#pragma once

#include "ListingGuard.h"
#include "Result.h"
#include "StorageTypes.h"

#include <QStringList>

#include <functional>
#include <memory>

namespace skydeck {

// Every object under one prefix, a page at a time, for whoever acts on the keys it lists: rm -r,
// cp -r, folder downloads, the bucket pane's folder delete and rename. The one place a recursive
// listing is trusted, and only as far as it deserves:
//  - ListingGuard's paging rules (a repeated token, endless empty pages, a page limit, a page
//    that goes back over keys already listed) end the walk with their error;
//  - a key the server lists outside the prefix asked for is never handed on: it is counted (the
//    first few kept to name them) and outsideError() tells the caller what to report;
//  - the next page is fetched only when the caller asks for it (next()), so a walk holds one page,
//    never the whole listing, and a consumer that acts slower than the server lists sets the pace.
// Lives on the caller's thread; the Lister sends the request (on a worker) and answers there.
//
//   PrefixWalk walk(lister, bucket, "data/", "s3://b/data/");
//   walk.next([](Result<PrefixWalk::Page> p) { act on p->objects; if (!p->last) walk.next(...); });
class PrefixWalk
{
public:
    using Lister = std::function<void(const ListRequest &, std::function<void(Result<ListPage>)>)>;

    struct Page {
        QList<ObjectEntry> objects;  // under the prefix, in the server's order ("folders" left out)
        bool last = false;           // no page follows
    };

    static constexpr int kOutsideExamples = 5;

    PrefixWalk(Lister lister, QString bucket, QString prefix, QString where,
               ListingGuard::Limits limits = ListingGuard::Limits::objects(), int pageSize = 1000);

    // Asks for the next page (the first on the first call); `done` is called once. Not to be
    // called again before it answers, nor after a last page or an error.
    void next(std::function<void(Result<Page>)> done);

    QString prefix() const;
    qint64 pages() const;
    qint64 outsideCount() const;
    QStringList outsideExamples() const;  // the first kOutsideExamples keys outside the prefix
    // KeyOutsidePrefix (category Server) naming how many keys and the first one, or no error.
    Error outsideError() const;

private:
    struct State;
    std::shared_ptr<State> d;
};

} // namespace skydeck
