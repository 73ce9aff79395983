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
    m_prefix = prefix;
    m_deleted = 0;
    m_failedCount = 0;
    m_then = std::move(then);
    deletePage({});
}

void RemoveCommand::deletePage(const QString &continuation)
{
    ListRequest req;
    req.bucket = m_bucket;
    req.prefix = m_prefix;
    req.delimiter.clear();
    req.continuation = continuation;
    req.maxKeys = 1000;
    const CloudUrl where = CloudUrl::s3(m_bucket, m_prefix);
    call<ListPage>(
        [req](StorageClient *c, const CancelToken &t, Callback<ListPage> done) { c->listObjects(req, t, std::move(done)); },
        [this, where](Result<ListPage> page) {
            if (!page.ok())
                return fail(Error(page.error()).setContext(where.toString()));
            QStringList keys;
            for (const ObjectEntry &e : page->entries)
                if (!e.isPrefix)
                    keys.append(e.key);
            const QString next = page->truncated ? page->nextContinuation : QString();
            auto afterBatch = [this, next, where] {
                if (!next.isEmpty())
                    return deletePage(next);
                if (m_failedCount > 0)
                    return fail(ExitFailure, QStringLiteral("deleted %1, could not delete %2 object%3 under %4; first: %5: %6 (%7)")
                                                 .arg(m_deleted)
                                                 .arg(m_failedCount)
                                                 .arg(QLatin1String(m_failedCount == 1 ? "" : "s"), where.toString(),
                                                      m_firstFailure.key, m_firstFailure.message, m_firstFailure.code));
                auto then = std::move(m_then);
                then(m_deleted);
            };
            if (keys.isEmpty())
                return afterBatch();
            const QString bucket = m_bucket;
            call<QList<DeleteFailure>>(
                [bucket, keys](StorageClient *c, const CancelToken &t, Callback<QList<DeleteFailure>> done) {
                    c->deleteObjects(bucket, keys, t, std::move(done));
                },
                [this, afterBatch, count = keys.size(), where](Result<QList<DeleteFailure>> r) {
                    if (!r.ok())
                        return fail(Error(r.error()).setContext(where.toString()));
                    if (!r->isEmpty() && m_failedCount == 0)
                        m_firstFailure = r->first();
                    m_failedCount += r->size();
                    m_deleted += count - r->size();
                    out().progress(QStringLiteral("deleted %1 objects...").arg(m_deleted));
                    afterBatch();
                });
        });
}

} // namespace skydeck::cli
