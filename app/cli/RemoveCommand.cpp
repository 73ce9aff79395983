#include "RemoveCommand.h"

#include "ExitCode.h"
#include "ListCommand.h"

namespace skydeck::cli {

void RemoveCommand::start()
{
    Result<CloudUrl> url = parseS3Url(inv().args.value(0), QStringLiteral("rm"));
    if (!url.ok())
        return fail(url.error());
    m_url = url.value();
    if (!m_url.hasBucket())
        return fail(ExitUsage, QStringLiteral("rm needs a bucket: s3://bucket/key"));
    if (!inv().recursive) {
        if (m_url.isPrefix())
            return fail(ExitUsage, m_url.toString() + QStringLiteral(" is a prefix; use rm -r to delete everything under it"));
        return removeOne();
    }
    QString prefix = m_url.key();
    if (!prefix.isEmpty() && !prefix.endsWith(QLatin1Char('/')))
        prefix += QLatin1Char('/');
    const CloudUrl where = CloudUrl::s3(m_url.bucket(), prefix);
    deleteAll(m_url.bucket(), prefix, [this, where, prefix](qint64 deleted) {
        if (deleted == 0 && !prefix.isEmpty())
            return fail(ExitNotFound, where.toString() + QStringLiteral(": no objects under this prefix"));
        out().line(QStringLiteral("deleted %1 object%2 from %3").arg(deleted).arg(QLatin1String(deleted == 1 ? "" : "s"), where.toString()));
        succeed();
    });
}

void RemoveCommand::removeOne()
{
    const QString bucket = m_url.bucket();
    const QString key = m_url.key();
    call<ObjectHead>(
        [bucket, key](StorageClient *c, const CancelToken &t, Callback<ObjectHead> done) {
            c->headObject(bucket, key, t, std::move(done));
        },
        [this, bucket, key](Result<ObjectHead> head) {
            if (!head.ok()) {
                Error e = head.error();
                if (e.category() == Error::Category::NotFound)
                    e = Error(Error::Category::NotFound, QStringLiteral("no such object"), e.code(), e.httpStatus());
                return fail(e.setContext(m_url.toString()));
            }
            call<QList<DeleteFailure>>(
                [bucket, key](StorageClient *c, const CancelToken &t, Callback<QList<DeleteFailure>> done) {
                    c->deleteObjects(bucket, {key}, t, std::move(done));
                },
                [this](Result<QList<DeleteFailure>> r) {
                    if (!r.ok())
                        return fail(Error(r.error()).setContext(m_url.toString()));
                    if (!r->isEmpty()) {
                        const DeleteFailure &f = r->first();
                        return fail(ExitFailure, QStringLiteral("%1: %2 (%3)").arg(m_url.toString(), f.message, f.code));
                    }
                    out().line(QStringLiteral("delete: ") + m_url.toString());
                    succeed();
                });
        });
}

void RemoveCommand::deleteAll(const QString &bucket, const QString &prefix, std::function<void(qint64)> then)
{
    m_bucket = bucket;
    m_deleted = 0;
    m_failedCount = 0;
    m_then = std::move(then);
    m_walk = std::make_unique<PrefixWalk>(lister(), bucket, prefix, CloudUrl::s3(bucket, prefix).toString());
    nextPage();
}

void RemoveCommand::nextPage()
{
    m_walk->next([this](Result<PrefixWalk::Page> page) {
        if (!page.ok())
            return fail(page.error());
        QStringList keys;
        keys.reserve(page->objects.size());
        for (const ObjectEntry &e : page->objects)
            keys.append(e.key);
        deleteBatch(std::move(keys), page->last);
    });
}

// At most 1000 keys per DeleteObjects request (a page may hold more than it should).
void RemoveCommand::deleteBatch(QStringList keys, bool last)
{
    if (keys.isEmpty())
        return last ? finishAll() : nextPage();
    const QStringList batch = keys.mid(0, 1000);
    const QStringList rest = keys.mid(1000);
    const QString bucket = m_bucket;
    call<QList<DeleteFailure>>(
        [bucket, batch](StorageClient *c, const CancelToken &t, Callback<QList<DeleteFailure>> done) {
            c->deleteObjects(bucket, batch, t, std::move(done));
        },
        [this, rest, last, count = batch.size()](Result<QList<DeleteFailure>> r) {
            if (!r.ok())
                return fail(Error(r.error()).setContext(CloudUrl::s3(m_bucket, m_walk->prefix()).toString()));
            if (!r->isEmpty() && m_failedCount == 0)
                m_firstFailure = r->first();
            m_failedCount += r->size();
            m_deleted += count - r->size();
            out().progress(QStringLiteral("deleted %1 objects...").arg(m_deleted));
            deleteBatch(rest, last);
        });
}

void RemoveCommand::finishAll()
{
    const QString where = CloudUrl::s3(m_bucket, m_walk->prefix()).toString();
    if (m_failedCount > 0)
        return fail(ExitFailure, QStringLiteral("deleted %1, could not delete %2 object%3 under %4; first: %5: %6 (%7)")
                                     .arg(m_deleted)
                                     .arg(m_failedCount)
                                     .arg(QLatin1String(m_failedCount == 1 ? "" : "s"), where, m_firstFailure.key,
                                          m_firstFailure.message, m_firstFailure.code));
    if (const Error outside = m_walk->outsideError(); outside.isError())
        return fail(ExitFailure, QStringLiteral("deleted %1 object%2; %3")
                                     .arg(m_deleted)
                                     .arg(QLatin1String(m_deleted == 1 ? "" : "s"), outside.toString()));
    auto then = std::move(m_then);
    then(m_deleted);
}

} // namespace skydeck::cli
