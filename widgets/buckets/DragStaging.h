#pragma once

#include "Error.h"
#include "ObjectMime.h"
#include "Result.h"
#include "StorageTypes.h"
#include "TransferTypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

namespace skydeck {
class ProviderWorker;
class StorageClient;
class TransferEngine;
} // namespace skydeck

namespace skydeck::ui {

class BucketOperations;

// Downloads a dragged selection into a staging folder so that an external file manager can copy
// it from there (see ObjectDragMime). Asynchronous, like everything on the UI thread: start(),
// then progress() and exactly one finished().
//
//  1. Prefixes are listed (flat, recursive), stopping early once the cap is exceeded.
//  2. Over maxBytes in all: OverCap, nothing is downloaded.
//  3. Otherwise every object becomes a TransferEngine download into stagingDir (objects under
//     their safe name, prefixes into a folder of their safe name; keys inside a prefix are mapped
//     by LocalPath, which refuses any key that would land outside the folder). The bytes go
//     through the engine: ranged, verified, `.part` files renamed when complete; the transfers
//     pane shows them like any download.
//  4. When all have ended: Staged with the file:// URLs of the top-level items whose downloads
//     all succeeded (error() then names the first failure or refused key, if any), or Failed.
class DragStaging : public QObject
{
    Q_OBJECT
public:
    enum class Outcome { Idle, Running, Staged, OverCap, Failed, Cancelled };
    Q_ENUM(Outcome)

    DragStaging(TransferEngine *engine, ProviderWorker *worker, StorageClient *client, ObjectDragPayload payload,
                qint64 maxBytes, QString stagingDir, QObject *parent = nullptr);
    ~DragStaging() override;

    void start();
    // Cancels the listing or the downloads; finished() follows at once with Cancelled.
    void cancel(const Error &why = Error::cancelled());

    Outcome outcome() const { return m_outcome; }
    QList<QUrl> urls() const { return m_urls; }
    Error error() const { return m_error; }
    QStringList refusedKeys() const { return m_refused; }
    qint64 totalBytes() const { return m_total; }  // known once the prefixes are listed
    QString stagingDir() const { return m_dir; }

Q_SIGNALS:
    void progress(qint64 bytesDone, qint64 bytesTotal);
    void finished();

private:
    struct Item {
        QString localPath;
        bool failed = false;  // one of its downloads failed: not handed out
    };
    void listed(const QString &prefix, Result<QList<ObjectEntry>> result);
    void download();
    void queue(int item, const QString &key, const QString &localPath, qint64 size, const QString &etag);
    void transferChanged(const TransferStatus &status);
    void refuse(const QString &key, const QString &why);
    void finish(Outcome outcome);

    QPointer<TransferEngine> m_engine;
    BucketOperations *m_ops = nullptr;
    ObjectDragPayload m_payload;
    qint64 m_maxBytes;
    QString m_dir;

    Outcome m_outcome = Outcome::Idle;
    int m_listsPending = 0;
    QHash<QString, QList<ObjectEntry>> m_trees;  // prefix -> its objects
    qint64 m_total = 0;
    QList<Item> m_items;
    QHash<quint64, int> m_itemOf;        // transfer id -> index in m_items
    QHash<quint64, qint64> m_bytesDone;  // running transfers' progress
    qint64 m_doneBytes = 0;              // sum of m_bytesDone
    int m_running = 0;                   // transfers not finished yet
    bool m_queuing = false;              // inside download(): finish only at its end
    QList<QUrl> m_urls;
    QStringList m_refused;
    Error m_error;
};

} // namespace skydeck::ui
