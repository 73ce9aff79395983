#pragma once

// An in-memory StorageClient for engine tests, registered under the provider name "fake". Every
// client built by the factory shares one FakeStore (thread-safe), so the engine's extra lanes see
// the same objects. Requests answer asynchronously after `delayMs` on the client's thread, honour
// cancellation, and can be told to fail.

#include "AccountRegistry.h"
#include "Md5.h"
#include "StorageClient.h"

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <optional>
#include <type_traits>

namespace skydeck::test {

struct FakeStore {
    QMutex lock;
    QHash<QString, QByteArray> objects;  // "bucket/key"
    QHash<QString, QString> etags;
    QHash<QString, QHash<int, QByteArray>> uploads;  // uploadId -> part number -> data
    QStringList extraListing;  // keys listed but not stored (hostile listings)
    QStringList listedTwice;   // keys listed once more at the end (a server repeating itself)
    bool ignorePrefix = false; // list every key of the bucket whatever prefix is asked (a lying server)
    qint64 headSize = -1;      // >= 0: HEAD declares this size, whatever the object holds
    QHash<QString, int> failNext;   // op name -> how many calls fail
    Error failWith = Error(Error::Category::Server, QStringLiteral("injected failure"), QStringLiteral("InternalError"), 500);
    bool corruptDownloads = false;
    int delayMs = 1;
    qint64 minPart = 1024;
    int maxPartCount = 10000;
    std::atomic_int active{0};
    std::atomic_int maxActive{0};
    std::atomic_int aborts{0};
    std::atomic_int creates{0};
    std::atomic_int puts{0};
    std::atomic_int gets{0};
    std::atomic_int heads{0};
    std::atomic_int requests{0};
    std::atomic_int cancelled{0};
    std::atomic_int listParts{0};
    std::atomic_int partPuts{0};
    QSet<QThread *> threads;

    static FakeStore &instance()
    {
        static FakeStore s;
        return s;
    }
    void reset()
    {
        QMutexLocker l(&lock);
        objects.clear();
        etags.clear();
        uploads.clear();
        extraListing.clear();
        listedTwice.clear();
        ignorePrefix = false;
        headSize = -1;
        failNext.clear();
        failWith = Error(Error::Category::Server, QStringLiteral("injected failure"), QStringLiteral("InternalError"), 500);
        corruptDownloads = false;
        delayMs = 1;
        minPart = 1024;
        maxPartCount = 10000;
        active = maxActive = aborts = creates = puts = gets = heads = requests = cancelled = listParts = partPuts = 0;
        threads.clear();
    }
    void store(const QString &bucket, const QString &key, const QByteArray &data, const QString &etag = {})
    {
        QMutexLocker l(&lock);
        objects.insert(bucket + QLatin1Char('/') + key, data);
        etags.insert(bucket + QLatin1Char('/') + key,
                     etag.isEmpty() ? QString::fromLatin1(Md5::of(data).toHex()) : etag);
    }
    QByteArray object(const QString &bucket, const QString &key)
    {
        QMutexLocker l(&lock);
        return objects.value(bucket + QLatin1Char('/') + key);
    }
    bool has(const QString &bucket, const QString &key)
    {
        QMutexLocker l(&lock);
        return objects.contains(bucket + QLatin1Char('/') + key);
    }
};

class FakeStorage : public StorageClient
{
    Q_OBJECT
public:
    using StorageClient::StorageClient;
    static void registerFactory()
    {
        AccountRegistry::registerStorageFactory(QStringLiteral("fake"),
                                                [](const Account &, QObject *parent) { return new FakeStorage(parent); });
    }

    QString scheme() const override { return QStringLiteral("fake"); }
    int maxParts() const override { return s().maxPartCount; }
    qint64 minPartSize() const override { return s().minPart; }

    void listBuckets(const CancelToken &t, Callback<QList<Bucket>> done) override { later(t, done, QList<Bucket>{}); }
    void createBucket(const QString &, const QString &, const CancelToken &t, Callback<Done> done) override { later(t, done, Done{}); }
    void deleteBucket(const QString &, const CancelToken &t, Callback<Done> done) override { later(t, done, Done{}); }

    void listObjects(const ListRequest &r, const CancelToken &t, Callback<ListPage> done) override
    {
        if (auto e = injected("list"))
            return later(t, done, *e);
        QStringList keys;
        QHash<QString, ObjectEntry> known;
        {
            QMutexLocker l(&s().lock);
            for (auto it = s().objects.cbegin(); it != s().objects.cend(); ++it) {
                if (!it.key().startsWith(r.bucket + QLatin1Char('/')))
                    continue;
                ObjectEntry e;
                e.key = it.key().mid(r.bucket.size() + 1);
                e.size = it.value().size();
                e.etag = s().etags.value(it.key());
                keys.append(e.key);
                known.insert(e.key, e);
            }
            keys += s().extraListing;
        }
        keys.sort();
        QStringList matching;
        for (const QString &k : keys)
            if (s().ignorePrefix || k.startsWith(r.prefix))
                matching.append(k);
        {
            QMutexLocker l(&s().lock);
            matching += s().listedTwice;
        }
        // Pages of two keys, to exercise continuation.
        const int start = r.continuation.isEmpty() ? 0 : r.continuation.toInt();
        ListPage page;
        for (int i = start; i < matching.size() && i < start + 2; ++i) {
            ObjectEntry e = known.value(matching[i]);
            e.key = matching[i];
            page.entries.append(e);
        }
        if (start + 2 < matching.size()) {
            page.truncated = true;
            page.nextContinuation = QString::number(start + 2);
        }
        later(t, done, page);
    }

    void headObject(const QString &bucket, const QString &key, const CancelToken &t, Callback<ObjectHead> done) override
    {
        ++s().heads;
        if (auto e = injected("head"))
            return later(t, done, *e);
        Result<ObjectHead> r = Error(Error::Category::NotFound, QStringLiteral("no such key"), QStringLiteral("NoSuchKey"), 404);
        {
            QMutexLocker l(&s().lock);
            const QString k = bucket + QLatin1Char('/') + key;
            if (s().objects.contains(k)) {
                ObjectHead h;
                h.size = s().headSize >= 0 ? s().headSize : s().objects.value(k).size();
                h.etag = s().etags.value(k);
                r = h;
            }
        }
        later(t, done, r);
    }

    void getObject(const GetRequest &r, const ProgressFn &progress, const CancelToken &t, Callback<ObjectData> done) override
    {
        ++s().gets;
        if (auto e = injected("get"))
            return later(t, done, *e);
        const QString k = r.bucket + QLatin1Char('/') + r.key;
        QByteArray all;
        QString etag;
        bool exists = false;
        bool corrupt = false;
        {
            QMutexLocker l(&s().lock);
            exists = s().objects.contains(k);
            all = s().objects.value(k);
            etag = s().etags.value(k);
            corrupt = s().corruptDownloads;
        }
        if (!exists)
            return later(t, done, Error(Error::Category::NotFound, QStringLiteral("no such key"), QStringLiteral("NoSuchKey"), 404));
        if (!r.ifMatch.isEmpty() && r.ifMatch != etag)
            return later(t, done, Error(Error::Category::Conflict, QStringLiteral("precondition failed"), QStringLiteral("PreconditionFailed"), 412));
        ObjectData d;
        d.data = all.mid(r.offset, r.length < 0 ? -1 : r.length);
        if (corrupt && !d.data.isEmpty())
            d.data[0] = char(d.data[0] ^ 0x5a);
        d.head.size = all.size();
        d.head.etag = etag;
        if (progress)
            progress(d.data.size(), d.data.size());
        later(t, done, d);
    }

    void putObject(const QString &bucket, const QString &key, const QByteArray &data, const PutOptions &o,
                   const ProgressFn &progress, const CancelToken &t, Callback<PutResult> done) override
    {
        ++s().puts;
        if (auto e = injected("put"))
            return later(t, done, *e);
        if (o.contentMd5 != Md5::of(data))
            return later(t, done, Error(Error::Category::Integrity, QStringLiteral("BadDigest"), QStringLiteral("BadDigest"), 400));
        if (progress)
            progress(data.size(), data.size());
        // Stored only if the request is not cancelled before it answers.
        later(t, done, PutResult{QString::fromLatin1(Md5::of(data).toHex()), {}}, [=] { s().store(bucket, key, data); });
    }

    void copyObject(const QString &, const QString &, const QString &, const QString &, const CancelToken &t,
                    Callback<PutResult> done) override
    {
        later(t, done, Error(Error::Category::InvalidInput, QStringLiteral("not in the fake")));
    }
    void deleteObjects(const QString &, const QStringList &, const CancelToken &t, Callback<QList<DeleteFailure>> done) override
    {
        later(t, done, QList<DeleteFailure>{});
    }

    void createMultipartUpload(const QString &, const QString &, const PutOptions &, const CancelToken &t,
                               Callback<QString> done) override
    {
        if (auto e = injected("create"))
            return later(t, done, *e);
        const QString id = QStringLiteral("upload-%1").arg(++s().creates);
        {
            QMutexLocker l(&s().lock);
            s().uploads.insert(id, {});
        }
        later(t, done, id);
    }

    void uploadPart(const QString &, const QString &, const QString &uploadId, int partNumber, const QByteArray &data,
                    const QByteArray &md5, const ProgressFn &progress, const CancelToken &t,
                    Callback<UploadedPart> done) override
    {
        ++s().partPuts;
        if (auto e = injected("part"))
            return later(t, done, *e);
        if (md5 != Md5::of(data))
            return later(t, done, Error(Error::Category::Integrity, QStringLiteral("BadDigest"), QStringLiteral("BadDigest"), 400));
        if (data.size() < s().minPart && data.isEmpty())
            return later(t, done, Error(Error::Category::InvalidInput, QStringLiteral("EntityTooSmall")));
        bool known = false;
        {
            QMutexLocker l(&s().lock);
            known = s().uploads.contains(uploadId);
            if (known)
                s().uploads[uploadId].insert(partNumber, data);
        }
        if (!known)
            return later(t, done, Error(Error::Category::NotFound, QStringLiteral("NoSuchUpload"), QStringLiteral("NoSuchUpload"), 404));
        if (progress) {
            progress(data.size() / 2, data.size());
            progress(data.size(), data.size());
        }
        later(t, done, UploadedPart{partNumber, QString::fromLatin1(Md5::of(data).toHex()), data.size()});
    }

    void completeMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                 const QList<UploadedPart> &parts, const CancelToken &t, Callback<PutResult> done) override
    {
        if (auto e = injected("complete"))
            return later(t, done, *e);
        QByteArray all;
        QList<QByteArray> digests;
        bool valid = true;
        {
            QMutexLocker l(&s().lock);
            const auto stored = s().uploads.take(uploadId);
            for (int i = 0; i < parts.size() && valid; ++i) {
                valid = parts[i].number == i + 1 && stored.contains(parts[i].number);
                all += stored.value(parts[i].number);
                digests.append(Md5::of(stored.value(parts[i].number)));
            }
        }
        if (!valid)
            return later(t, done, Error(Error::Category::InvalidInput, QStringLiteral("InvalidPart")));
        const QString etag = Md5::multipartEtag(digests);
        s().store(bucket, key, all, etag);
        later(t, done, PutResult{etag, {}});
    }

    void abortMultipartUpload(const QString &, const QString &, const QString &uploadId, const CancelToken &t,
                              Callback<Done> done) override
    {
        ++s().aborts;
        {
            QMutexLocker l(&s().lock);
            s().uploads.remove(uploadId);
        }
        later(t, done, Done{});
    }

    void listParts(const QString &, const QString &, const QString &uploadId, const CancelToken &t,
                   Callback<QList<UploadedPart>> done) override
    {
        ++s().listParts;
        if (auto e = injected("listParts"))
            return later(t, done, *e);
        Result<QList<UploadedPart>> r = Error(Error::Category::NotFound, QStringLiteral("NoSuchUpload"), QStringLiteral("NoSuchUpload"), 404);
        {
            QMutexLocker l(&s().lock);
            if (s().uploads.contains(uploadId)) {
                QList<UploadedPart> parts;
                const auto stored = s().uploads.value(uploadId);
                for (auto it = stored.cbegin(); it != stored.cend(); ++it)
                    parts.append(UploadedPart{it.key(), QString::fromLatin1(Md5::of(it.value()).toHex()), it.value().size()});
                std::sort(parts.begin(), parts.end(), [](const UploadedPart &a, const UploadedPart &b) { return a.number < b.number; });
                r = parts;
            }
        }
        later(t, done, r);
    }

    Result<QUrl> presignedGetUrl(const QString &, const QString &, int) const override
    {
        return Error(Error::Category::InvalidInput, QStringLiteral("not in the fake"));
    }

private:
    static FakeStore &s() { return FakeStore::instance(); }

    std::optional<Error> injected(const QString &op)
    {
        QMutexLocker l(&s().lock);
        int &n = s().failNext[op];
        if (n <= 0)
            return std::nullopt;
        --n;
        return s().failWith;
    }

    // Answers after the store's delay, or Cancelled as soon as the token fires. `commit` runs only
    // when the answer is a success that was not cancelled.
    template <typename T>
    void later(const CancelToken &t, Callback<T> done, std::type_identity_t<Result<T>> r, std::function<void()> commit = {})
    {
        ++s().requests;
        {
            QMutexLocker l(&s().lock);
            s().threads.insert(QThread::currentThread());
        }
        const int now = ++s().active;
        int seen = s().maxActive.load();
        while (now > seen && !s().maxActive.compare_exchange_weak(seen, now)) {
        }
        auto answered = std::make_shared<bool>(false);
        auto finish = [answered, done](Result<T> out, const std::function<void()> &c) {
            if (*answered)
                return;
            *answered = true;
            --s().active;
            if (out.ok() && c)
                c();
            done(std::move(out));
        };
        t.onCancel(this, [finish] {
            ++s().cancelled;
            finish(Error::cancelled(), {});
        });
        QTimer::singleShot(s().delayMs, this, [finish, r, commit] { finish(r, commit); });
    }
};

} // namespace skydeck::test
