#include "ListCommand.h"

#include "ExitCode.h"

namespace skydeck::cli {

Result<CloudUrl> parseS3Url(const QString &text, const QString &command)
{
    Result<CloudUrl> url = CloudUrl::parse(text);
    if (!url.ok())
        return url;
    if (url->scheme() != CloudUrl::Scheme::S3) {
        Error e(Error::Category::InvalidInput, url->isLocal()
                    ? QStringLiteral("%1 needs an s3:// URL, not a local path").arg(command)
                    : QStringLiteral("%1 does not support %2:// locations yet").arg(command, url->schemeName()));
        e.setContext(text);
        return e;
    }
    return url;
}

void ListCommand::start()
{
    const QString text = inv().args.value(0, QStringLiteral("s3://"));
    Result<CloudUrl> url = parseS3Url(text, QStringLiteral("ls"));
    if (!url.ok())
        return fail(url.error());
    m_url = url.value();
    if (!m_url.hasBucket())
        return listBuckets();
    m_guard.emplace(ListingGuard::Limits::objects(), m_url.toString());
    listPage({});
}

void ListCommand::listBuckets()
{
    call<QList<Bucket>>(
        [](StorageClient *c, const CancelToken &t, Callback<QList<Bucket>> done) { c->listBuckets(t, std::move(done)); },
        [this](Result<QList<Bucket>> r) {
            if (!r.ok())
                return fail(Error(r.error()).setContext(QStringLiteral("listing buckets")));
            for (const Bucket &b : r.value())
                out().line(Output::timestamp(b.created) + QLatin1Char(' ') + b.name);
            succeed();
        });
}

QString ListCommand::sizeText(qint64 size) const
{
    const QString s = inv().humanReadable ? Output::humanSize(size) : QString::number(size);
    return s.rightJustified(10, QLatin1Char(' '));
}

void ListCommand::listPage(const QString &continuation)
{
    ListRequest req;
    req.bucket = m_url.bucket();
    req.prefix = m_url.key();
    req.delimiter = inv().recursive ? QString() : QStringLiteral("/");
    req.continuation = continuation;
    call<ListPage>(
        [req](StorageClient *c, const CancelToken &t, Callback<ListPage> done) { c->listObjects(req, t, std::move(done)); },
        [this](Result<ListPage> r) {
            if (!r.ok())
                return fail(Error(r.error()).setContext(m_url.toString()));
            // A lying page is refused before anything of it is shown.
            const QString next = r->truncated ? r->nextContinuation : QString();
            Status g = m_guard->nextPage(next, r->entries.size());
            if (g.ok())
                g = m_guard->checkOrder(r->entries);
            if (!g.ok())
                return fail(g.error());
            const bool fullKeys = inv().recursive;
            const QString prefix = m_url.key();
            auto outside = [this, &prefix](const ObjectEntry &e) {
                if (ListingGuard::underPrefix(e.key, prefix))
                    return false;
                if (m_outside++ == 0)
                    m_firstOutside = e.key;
                return true;
            };
            // Like `aws s3 ls`: the page's folders first, then its objects.
            for (const ObjectEntry &e : r->entries) {
                if (!e.isPrefix || outside(e))
                    continue;
                const QStringList parts = e.key.split(QLatin1Char('/'));
                const QString name = parts.size() >= 2 ? parts.at(parts.size() - 2) : e.key;
                out().line(QStringLiteral("PRE").rightJustified(30, QLatin1Char(' ')) + QLatin1Char(' ') + name
                           + QLatin1Char('/'));
                ++m_shown;
            }
            for (const ObjectEntry &e : r->entries) {
                if (e.isPrefix || outside(e))
                    continue;
                const QString name = fullKeys ? e.key : e.key.section(QLatin1Char('/'), -1);
                out().line(Output::timestamp(e.modified) + QLatin1Char(' ') + sizeText(e.size) + QLatin1Char(' ') + name);
                ++m_shown;
            }
            out().progress(QStringLiteral("listed %1 entries...").arg(m_shown));
            if (!next.isEmpty())
                return listPage(next);
            if (m_outside > 0) {
                Error e = ListingGuard::outsidePrefix(m_firstOutside, prefix, m_url.toString());
                if (m_outside > 1)
                    e = Error(e.category(), QStringLiteral("the server listed %1 entries that are not under the prefix \"%2\" "
                                                           "(first: \"%3\"); they are not shown")
                                                .arg(m_outside).arg(prefix, m_firstOutside), e.code())
                            .setContext(m_url.toString());
                return fail(ExitFailure, e.toString());
            }
            if (m_shown == 0 && !m_url.key().isEmpty())
                return fail(ExitNotFound, m_url.toString() + QStringLiteral(": no such object or prefix"));
            succeed();
        });
}

} // namespace skydeck::cli
