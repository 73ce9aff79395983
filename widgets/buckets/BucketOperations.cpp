#include "BucketOperations.h"

#include "BucketsLogging.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <memory>

namespace skydeck::ui {

BucketOperations::BucketOperations(ProviderWorker *worker, StorageClient *client, QObject *parent)
    : QObject(parent), m_worker(worker), m_client(client)
{
}

template <typename T>
void BucketOperations::call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op, Reply<T> done)
{
    if (!m_worker || !m_client) {
        done(Error(Error::Category::InvalidInput, tr("No storage client for this account")));
        return;
    }
    StorageClient *client = m_client.data();
    ++m_running;
    Q_EMIT runningChanged(m_running);
    auto future = m_worker->run<T>([client, op = std::move(op)](const CancelToken &t, Callback<T> cb) {
        op(client, t, std::move(cb));
    });
    whenDone(future, this, [this, done = std::move(done)](Result<T> r) {
        --m_running;
        Q_EMIT runningChanged(m_running);
        done(std::move(r));
    });
}

void BucketOperations::listPages(std::shared_ptr<PrefixWalk> walk, qint64 stopAfterBytes,
                                 std::shared_ptr<QList<ObjectEntry>> acc, std::shared_ptr<qint64> bytes,
                                 Reply<QList<ObjectEntry>> done)
{
    walk->next([this, walk, stopAfterBytes, acc, bytes, done](Result<PrefixWalk::Page> r) {
        if (!r.ok()) {
            done(r.error());
            return;
        }
        // A server that lists keys outside the folder is not trusted with a delete, a rename or
        // a download of it: the operation stops before anything is acted on, and says why.
        if (const Error outside = walk->outsideError(); outside.isError()) {
            qCWarning(lcBuckets).noquote() << outside.toString();
            done(outside);
            return;
        }
        for (const ObjectEntry &e : r->objects) {
            acc->append(e);
            *bytes += qMax<qint64>(e.size, 0);
        }
        const bool enough = stopAfterBytes >= 0 && *bytes > stopAfterBytes;
        if (!enough && !r->last)
            listPages(walk, stopAfterBytes, acc, bytes, done);
        else
            done(*acc);
    });
}

void BucketOperations::listTree(const QString &bucket, const QString &prefix, qint64 stopAfterBytes,
                                Reply<QList<ObjectEntry>> done)
{
    auto lister = [this](const ListRequest &req, std::function<void(Result<ListPage>)> cb) {
        call<ListPage>([req](StorageClient *c, const CancelToken &t, Callback<ListPage> answer) {
            c->listObjects(req, t, std::move(answer));
        }, std::move(cb));
    };
    const QString scheme = m_client ? m_client->scheme() : QStringLiteral("s3");  // a constant: any thread
    const QString where = QStringLiteral("%1://%2/%3").arg(scheme, bucket, prefix);
    listPages(std::make_shared<PrefixWalk>(lister, bucket, prefix, where), stopAfterBytes,
              std::make_shared<QList<ObjectEntry>>(), std::make_shared<qint64>(0), std::move(done));
}

void BucketOperations::listAll(const QString &bucket, const QString &prefix, Reply<QStringList> done)
{
    listTree(bucket, prefix, -1, [done](Result<QList<ObjectEntry>> r) {
        if (!r.ok()) {
            done(r.error());
            return;
        }
        QStringList keys;
        keys.reserve(r.value().size());
        for (const ObjectEntry &e : r.value())
            keys.append(e.key);
        done(keys);
    });
}

void BucketOperations::collectKeys(const QString &bucket, const QList<ObjectRef> &refs, Reply<QStringList> done)
{
    auto acc = std::make_shared<QStringList>();
    auto prefixes = std::make_shared<QStringList>();
    for (const ObjectRef &r : refs) {
        if (r.isPrefix)
            prefixes->append(r.key);
        else
            acc->append(r.key);
    }
    // Expand the prefixes one after another.
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, bucket, acc, prefixes, done, step]() {
        if (prefixes->isEmpty()) {
            acc->removeDuplicates();
            done(*acc);
            *step = nullptr;  // break the cycle
            return;
        }
        const QString p = prefixes->takeFirst();
        listAll(bucket, p, [acc, done, step](Result<QStringList> r) {
            if (!r.ok()) {
                done(r.error());
                *step = nullptr;
                return;
            }
            acc->append(r.value());
            (*step)();
        });
    };
    (*step)();
}

void BucketOperations::deleteKeys(const QString &bucket, const QStringList &keys, Reply<skydeck::Done> done)
{
    if (keys.isEmpty()) {
        done(skydeck::Done{});
        return;
    }
    const QStringList batch = keys.mid(0, 1000);
    const QStringList rest = keys.mid(1000);
    call<QList<DeleteFailure>>(
        [bucket, batch](StorageClient *c, const CancelToken &t, Callback<QList<DeleteFailure>> cb) {
            c->deleteObjects(bucket, batch, t, cb);
        },
        [this, bucket, rest, done](Result<QList<DeleteFailure>> r) {
            if (!r.ok()) {
                done(r.error());
                return;
            }
            if (!r.value().isEmpty()) {
                const DeleteFailure &f = r.value().first();
                done(Error(Error::Category::Server,
                           tr("%n object(s) could not be deleted; first: %1: %2", nullptr, int(r.value().size()))
                               .arg(f.key, f.message),
                           f.code));
                return;
            }
            deleteKeys(bucket, rest, done);
        });
}

void BucketOperations::copyEach(const QString &bucket, std::shared_ptr<QList<QPair<QString, QString>>> pairs, int index,
                                Reply<skydeck::Done> done)
{
    if (index >= pairs->size()) {
        done(skydeck::Done{});
        return;
    }
    const auto [from, to] = pairs->at(index);
    call<PutResult>([bucket, from, to](StorageClient *c, const CancelToken &t,
                                       Callback<PutResult> cb) { c->copyObject(bucket, from, bucket, to, t, cb); },
                    [this, bucket, pairs, index, done](Result<PutResult> r) {
                        if (!r.ok()) {
                            done(r.error());
                            return;
                        }
                        copyEach(bucket, pairs, index + 1, done);
                    });
}

void BucketOperations::rename(const QString &bucket, const ObjectRef &from, const QString &newKey,
                              Reply<skydeck::Done> done)
{
    if (newKey.isEmpty() || newKey == from.key) {
        done(Error(Error::Category::InvalidInput, tr("The new name is empty or the same as the old one")));
        return;
    }
    if (from.isPrefix && newKey.startsWith(from.key)) {
        done(Error(Error::Category::InvalidInput, tr("A folder cannot be moved into itself")));
        return;
    }
    auto finish = [this, bucket, done](std::shared_ptr<QList<QPair<QString, QString>>> pairs) {
        copyEach(bucket, pairs, 0, [this, bucket, pairs, done](Result<skydeck::Done> r) {
            if (!r.ok()) {
                done(r.error());  // copies made so far stay; nothing was deleted
                return;
            }
            QStringList olds;
            for (const auto &p : *pairs)
                olds.append(p.first);
            deleteKeys(bucket, olds, done);
        });
    };
    if (!from.isPrefix) {
        auto pairs = std::make_shared<QList<QPair<QString, QString>>>();
        pairs->append({from.key, newKey});
        finish(pairs);
        return;
    }
    const QString target = newKey.endsWith(QLatin1Char('/')) ? newKey : newKey + QLatin1Char('/');
    listAll(bucket, from.key,
            [from, target, finish, done](Result<QStringList> r) {
                if (!r.ok()) {
                    done(r.error());
                    return;
                }
                auto pairs = std::make_shared<QList<QPair<QString, QString>>>();
                for (const QString &k : r.value())
                    pairs->append({k, target + k.mid(from.key.size())});
                finish(pairs);
            });
}

void BucketOperations::createFolder(const QString &bucket, const QString &folderKey, Reply<skydeck::Done> done)
{
    const QString key = folderKey.endsWith(QLatin1Char('/')) ? folderKey : folderKey + QLatin1Char('/');
    call<PutResult>(
        [bucket, key](StorageClient *c, const CancelToken &t, Callback<PutResult> cb) {
            c->putObject(bucket, key, QByteArray(), PutOptions{}, ProgressFn(), t, cb);
        },
        [done](Result<PutResult> r) {
            if (r.ok())
                done(skydeck::Done{});
            else
                done(r.error());
        });
}

void BucketOperations::head(const QString &bucket, const QString &key, Reply<ObjectHead> done)
{
    call<ObjectHead>([bucket, key](StorageClient *c, const CancelToken &t,
                                   Callback<ObjectHead> cb) { c->headObject(bucket, key, t, cb); },
                     std::move(done));
}

void BucketOperations::presign(const QString &bucket, const QString &key, int expirySeconds, Reply<QUrl> done)
{
    call<QUrl>([bucket, key, expirySeconds](StorageClient *c, const CancelToken &t, Callback<QUrl> cb) {
        c->presignGetUrl(bucket, key, expirySeconds, t, std::move(cb));
    },
               std::move(done));
}

} // namespace skydeck::ui
