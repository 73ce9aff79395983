#pragma once

#include "CancelToken.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include "ObjectMime.h"
#include "PrefixWalk.h"
#include "Result.h"
#include "StorageTypes.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

namespace skydeck::ui {

// The bucket browser's multi-step operations (count, delete, rename, new folder, HEAD, presign),
// chained from the UI thread through ProviderWorker::run: nothing here blocks. Each callback is
// called once on the UI thread, unless this object is destroyed first.
class BucketOperations : public QObject
{
    Q_OBJECT
public:
    template <typename T>
    using Reply = std::function<void(Result<T>)>;

    BucketOperations(ProviderWorker *worker, StorageClient *client, QObject *parent = nullptr);

    // Every key the refs stand for: objects as they are, prefixes expanded to all keys under them
    // (recursive listing, the folder marker included). Listings go through PrefixWalk: a server
    // that lists a key outside the folder asked for ends the operation with that error (category
    // Server, code KeyOutsidePrefix) before anything is deleted, renamed or downloaded.
    void collectKeys(const QString &bucket, const QList<ObjectRef> &refs, Reply<QStringList> done);
    // Every object under prefix (flat, recursive listing), page after page. Stops asking for more
    // pages once the sizes listed add up to more than stopAfterBytes (-1: never), so a caller that
    // only needs to know "more than N" does not list a folder of millions.
    void listTree(const QString &bucket, const QString &prefix, qint64 stopAfterBytes,
                  Reply<QList<ObjectEntry>> done);
    // Deletes keys in batches of 1000; an error names how many keys could not be deleted.
    void deleteKeys(const QString &bucket, const QStringList &keys, Reply<skydeck::Done> done);
    // An object: copy to newKey, then delete the old key. A prefix (ending in '/'): every object
    // under it is copied to newKey + its relative key, then the old ones are deleted.
    void rename(const QString &bucket, const ObjectRef &from, const QString &newKey, Reply<skydeck::Done> done);
    // A zero-byte "folder/" marker object, as the S3 console creates.
    void createFolder(const QString &bucket, const QString &folderKey, Reply<skydeck::Done> done);
    void head(const QString &bucket, const QString &key, Reply<ObjectHead> done);
    void presign(const QString &bucket, const QString &key, int expirySeconds, Reply<QUrl> done);

    // Running operations (for the status bar).
    int running() const { return m_running; }

Q_SIGNALS:
    void runningChanged(int running);

private:
    template <typename T>
    void call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op, Reply<T> done);
    void listAll(const QString &bucket, const QString &prefix, Reply<QStringList> done);
    void listPages(std::shared_ptr<PrefixWalk> walk, qint64 stopAfterBytes, std::shared_ptr<QList<ObjectEntry>> acc,
                   std::shared_ptr<qint64> bytes, Reply<QList<ObjectEntry>> done);
    void copyEach(const QString &bucket, std::shared_ptr<QList<QPair<QString, QString>>> pairs, int index,
                  Reply<skydeck::Done> done);

    QPointer<ProviderWorker> m_worker;
    QPointer<StorageClient> m_client;
    int m_running = 0;
};

} // namespace skydeck::ui
