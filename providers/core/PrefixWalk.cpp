#include "PrefixWalk.h"

#include <utility>

namespace skydeck {

struct PrefixWalk::State {
    Lister lister;
    QString bucket;
    QString prefix;
    QString where;
    int pageSize = 1000;
    ListingGuard guard;
    QString continuation;
    bool over = false;
    qint64 outside = 0;
    QStringList examples;

    State(Lister l, QString b, QString p, QString w, ListingGuard::Limits limits, int size)
        : lister(std::move(l)), bucket(std::move(b)), prefix(std::move(p)), where(std::move(w)), pageSize(size),
          guard(limits, where)
    {
    }
};

PrefixWalk::PrefixWalk(Lister lister, QString bucket, QString prefix, QString where, ListingGuard::Limits limits,
                       int pageSize)
    : d(std::make_shared<State>(std::move(lister), std::move(bucket), std::move(prefix), std::move(where), limits,
                                pageSize))
{
}

void PrefixWalk::next(std::function<void(Result<Page>)> done)
{
    if (d->over) {
        done(Error(Error::Category::InvalidInput, QStringLiteral("the listing has ended")).setContext(d->where));
        return;
    }
    ListRequest req;
    req.bucket = d->bucket;
    req.prefix = d->prefix;
    req.delimiter.clear();  // flat and recursive
    req.continuation = d->continuation;
    req.maxKeys = d->pageSize;
    std::shared_ptr<State> s = d;
    d->lister(req, [s, done = std::move(done)](Result<ListPage> r) {
        if (!r.ok()) {
            s->over = true;
            Error e = r.error();
            if (e.context().isEmpty())
                e.setContext(s->where);
            return done(e);
        }
        Page page;
        page.objects.reserve(r->entries.size());
        for (const ObjectEntry &e : r->entries) {
            if (e.isPrefix)
                continue;
            if (!ListingGuard::underPrefix(e.key, s->prefix)) {
                if (s->outside++ < kOutsideExamples)
                    s->examples.append(e.key);
                continue;
            }
            page.objects.append(e);
        }
        const QString next = r->truncated ? r->nextContinuation : QString();
        Status g = s->guard.nextPage(next, r->entries.size());
        if (g.ok())
            g = s->guard.checkOrder(r->entries);
        if (!g.ok()) {
            s->over = true;
            return done(g.error());
        }
        s->continuation = next;
        page.last = next.isEmpty();
        s->over = page.last;
        done(std::move(page));
    });
}

QString PrefixWalk::prefix() const
{
    return d->prefix;
}

qint64 PrefixWalk::pages() const
{
    return d->guard.pages();
}

qint64 PrefixWalk::outsideCount() const
{
    return d->outside;
}

QStringList PrefixWalk::outsideExamples() const
{
    return d->examples;
}

Error PrefixWalk::outsideError() const
{
    if (d->outside == 0)
        return Error();
    Error e = ListingGuard::outsidePrefix(d->examples.value(0), d->prefix, d->where);
    if (d->outside > 1)
        e = Error(e.category(),
                  QStringLiteral("the server listed %1 keys that are not under the prefix \"%2\" asked for (first: \"%3\"); "
                                 "none of them was acted on")
                      .arg(d->outside)
                      .arg(d->prefix, d->examples.value(0)),
                  e.code())
                .setContext(d->where);
    return e;
}

} // namespace skydeck
