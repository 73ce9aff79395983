#pragma once

// An in-memory StorageClient for model tests and the model benchmark: ListObjectsV2 semantics
// (prefix, delimiter, continuation as "start after", maxKeys), injected failures, a generated mode
// for very large flat listings, and answers that are always asynchronous (queued on the worker).
#include "StorageClient.h"

#include <QMap>
#include <QMutex>
#include <QTimer>

#include <atomic>
#include <optional>

namespace skydeck::test {

class FakeStorageClient : public StorageClient
{
    Q_OBJECT
public:
    using StorageClient::StorageClient;

    // Thread-safe setup (called from the test thread while the client lives on a worker).
    void addObject(const QString &bucket, const QString &key, qint64 size, const QString &cls = QStringLiteral("STANDARD"))
    {
        QMutexLocker l(&m_lock);
        m_objects[bucket].insert(key, Obj{size, QDateTime::fromSecsSinceEpoch(1700000000 + size, Qt::UTC), cls});
    }
    // A flat listing of `count` generated keys "<prefix>obj%08d" (nothing stored per key).
    void setGenerated(const QString &bucket, const QString &prefix, qint64 count)
    {
        QMutexLocker l(&m_lock);
        m_genBucket = bucket;
        m_genPrefix = prefix;
        m_genCount = count;
    }
    // The next listObjects call fails with this error (once).
    void failNextList(const Error &error)
    {
        QMutexLocker l(&m_lock);
        m_failNext = error;
    }
    // The n-th listObjects call from now (1-based) fails with this error (once).
    void failListCall(int n, const Error &error)
    {
        QMutexLocker l(&m_lock);
        m_failAt = m_listCalls.load() + n;
        m_failAtError = error;
    }
    int listCalls() const { return m_listCalls.load(); }
    // How the fake lies about listings, as a hostile server may.
    enum class Lie { None, RepeatToken, EndlessEmptyPages, KeyOutsidePrefix };
    void setLie(Lie lie)
    {
        QMutexLocker l(&m_lock);
        m_lie = lie;
    }
    ListRequest lastRequest() const
    {
        QMutexLocker l(&m_lock);
        return m_lastRequest;
    }

    QString scheme() const override { return QStringLiteral("s3"); }

    void listBuckets(const CancelToken &, Callback<QList<Bucket>> done) override
    {
        QList<Bucket> out;
        {
            QMutexLocker l(&m_lock);
            for (auto it = m_objects.cbegin(); it != m_objects.cend(); ++it)
                out.append(Bucket{it.key(), QStringLiteral("us-east-1"), {}});
        }
        answer([done, out] { done(out); });
    }
    void createBucket(const QString &bucket, const QString &, const CancelToken &, Callback<Done> done) override
    {
        QMutexLocker l(&m_lock);
        m_objects[bucket];
        answer([done] { done(Done{}); });
    }
    void deleteBucket(const QString &bucket, const CancelToken &, Callback<Done> done) override
    {
        QMutexLocker l(&m_lock);
        m_objects.remove(bucket);
        answer([done] { done(Done{}); });
    }

    void listObjects(const ListRequest &req, const CancelToken &token, Callback<ListPage> done) override
    {
        ++m_listCalls;
        QMutexLocker l(&m_lock);
        m_lastRequest = req;
        if (m_failAt == m_listCalls.load()) {
            const Error e = m_failAtError;
            answer([done, e] { done(e); });
            return;
        }
        if (m_failNext) {
            const Error e = *m_failNext;
            m_failNext.reset();
            answer([done, e] { done(e); });
            return;
        }
        ListPage page = req.bucket == m_genBucket && m_genCount > 0 ? generatedPage(req) : storedPage(req);
        switch (m_lie) {
        case Lie::None: break;
        case Lie::RepeatToken:  // "more", with the same token every time
            page.truncated = true;
            page.nextContinuation = QStringLiteral("again");
            break;
        case Lie::EndlessEmptyPages:  // "more" with nothing in it, for ever
            page.entries.clear();
            page.truncated = true;
            page.nextContinuation = QStringLiteral("t%1").arg(m_listCalls.load());
            break;
        case Lie::KeyOutsidePrefix: {
            ObjectEntry e;
            e.key = QStringLiteral("elsewhere/secret.txt");
            e.size = 1;
            page.entries.append(e);
            break;
        }
        }
        answer([done, page, token] {
            if (token.isCanceled())
                done(Error::cancelled());
            else
                done(page);
        });
    }

    void headObject(const QString &bucket, const QString &key, const CancelToken &, Callback<ObjectHead> done) override
    {
        QMutexLocker l(&m_lock);
        const auto objs = m_objects.value(bucket);
        if (!objs.contains(key)) {
            answer([done] { done(Error(Error::Category::NotFound, QStringLiteral("no such key"), QStringLiteral("NoSuchKey"), 404)); });
            return;
        }
        ObjectHead h;
        h.size = objs.value(key).size;
        h.modified = objs.value(key).modified;
        h.storageClass = objs.value(key).cls;
        answer([done, h] { done(h); });
    }
    void getObject(const GetRequest &, const ProgressFn &, const CancelToken &, Callback<ObjectData> done) override
    {
        answer([done] { done(unsupported()); });
    }
    void putObject(const QString &bucket, const QString &key, const QByteArray &data, const PutOptions &,
                   const ProgressFn &, const CancelToken &, Callback<PutResult> done) override
    {
        addObject(bucket, key, data.size());
        answer([done] { done(PutResult{}); });
    }
    void copyObject(const QString &srcBucket, const QString &srcKey, const QString &dstBucket, const QString &dstKey,
                    const CancelToken &, Callback<PutResult> done) override
    {
        QMutexLocker l(&m_lock);
        if (!m_objects.value(srcBucket).contains(srcKey)) {
            answer([done] { done(Error(Error::Category::NotFound, QStringLiteral("no such key"))); });
            return;
        }
        m_objects[dstBucket].insert(dstKey, m_objects.value(srcBucket).value(srcKey));
        answer([done] { done(PutResult{}); });
    }
    void deleteObjects(const QString &bucket, const QStringList &keys, const CancelToken &,
                       Callback<QList<DeleteFailure>> done) override
    {
        QMutexLocker l(&m_lock);
        for (const QString &k : keys)
            m_objects[bucket].remove(k);
        answer([done] { done(QList<DeleteFailure>()); });
    }
    void createMultipartUpload(const QString &, const QString &, const PutOptions &, const CancelToken &,
                               Callback<QString> done) override
    {
        answer([done] { done(unsupported()); });
    }
    void uploadPart(const QString &, const QString &, const QString &, int, const QByteArray &, const QByteArray &,
                    const ProgressFn &, const CancelToken &, Callback<UploadedPart> done) override
    {
        answer([done] { done(unsupported()); });
    }
    void completeMultipartUpload(const QString &, const QString &, const QString &, const QList<UploadedPart> &,
                                 const CancelToken &, Callback<PutResult> done) override
    {
        answer([done] { done(unsupported()); });
    }
    void abortMultipartUpload(const QString &, const QString &, const QString &, const CancelToken &,
                              Callback<Done> done) override
    {
        answer([done] { done(unsupported()); });
    }
    Result<QUrl> presignedGetUrl(const QString &bucket, const QString &key, int expirySeconds) const override
    {
        return QUrl(QStringLiteral("https://fake.invalid/%1/%2?X-Amz-Expires=%3").arg(bucket, key).arg(expirySeconds));
    }

private:
    struct Obj {
        qint64 size = 0;
        QDateTime modified;
        QString cls;
    };
    static Error unsupported() { return Error(Error::Category::InvalidInput, QStringLiteral("not in the fake")); }

    template <typename F>
    void answer(F &&f)
    {
        QTimer::singleShot(0, this, std::forward<F>(f));  // always asynchronous, on this thread
    }

    ListPage storedPage(const ListRequest &req) const
    {
        ListPage page;
        const QMap<QString, Obj> objs = m_objects.value(req.bucket);
        auto it = req.continuation.isEmpty() ? objs.lowerBound(req.prefix) : objs.upperBound(req.continuation);
        QString lastName;
        while (it != objs.cend() && it.key().startsWith(req.prefix)) {
            if (page.entries.size() >= req.maxKeys) {
                page.truncated = true;
                page.nextContinuation = lastName;
                return page;
            }
            const QString rest = it.key().mid(req.prefix.size());
            const qsizetype cut = req.delimiter.isEmpty() ? -1 : rest.indexOf(req.delimiter);
            if (cut >= 0) {
                const QString cp = req.prefix + rest.left(cut + req.delimiter.size());
                ObjectEntry e;
                e.key = cp;
                e.isPrefix = true;
                page.entries.append(e);
                // Skip every key under this common prefix.
                while (it != objs.cend() && it.key().startsWith(cp)) {
                    lastName = it.key();
                    ++it;
                }
                continue;
            }
            ObjectEntry e;
            e.key = it.key();
            e.size = it->size;
            e.modified = it->modified;
            e.storageClass = it->cls;
            e.etag = QStringLiteral("etag");
            page.entries.append(e);
            lastName = it.key();
            ++it;
        }
        return page;
    }

    ListPage generatedPage(const ListRequest &req) const
    {
        ListPage page;
        qint64 start = req.continuation.isEmpty() ? 0 : req.continuation.toLongLong();
        const qint64 end = std::min<qint64>(m_genCount, start + req.maxKeys);
        page.entries.reserve(end - start);
        static const QString cls = QStringLiteral("STANDARD");
        const QDateTime base = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        for (qint64 i = start; i < end; ++i) {
            ObjectEntry e;
            e.key = m_genPrefix + QStringLiteral("obj%1.parquet").arg(i, 8, 10, QLatin1Char('0'));
            e.size = (i * 7919) % 100000000;
            e.modified = base.addSecs(i);
            e.storageClass = cls;
            page.entries.append(e);
        }
        if (end < m_genCount) {
            page.truncated = true;
            page.nextContinuation = QString::number(end);
        }
        return page;
    }

    mutable QMutex m_lock;
    Lie m_lie = Lie::None;
    QMap<QString, QMap<QString, Obj>> m_objects;
    QString m_genBucket;
    QString m_genPrefix;
    qint64 m_genCount = 0;
    std::optional<Error> m_failNext;
    std::atomic<int> m_listCalls{0};
    int m_failAt = -1;
    Error m_failAtError;
    ListRequest m_lastRequest;
};

} // namespace skydeck::test
