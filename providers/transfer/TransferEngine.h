#pragma once

#include "TransferTypes.h"

#include <QList>
#include <QObject>

#include <memory>

namespace skydeck {

class AccountRegistry;

// The one transfer engine for the UI and the CLI. Lives on the thread that creates it (the UI
// thread, or the CLI's main thread) and never does file I/O, hashing or networking there: parts
// are read, hashed and sent on worker threads. Multipart uploads with parallel parts (part size
// from 8 MiB, growing to stay under the provider's part limit), parallel ranged downloads,
// Content-MD5 per part, whole-object MD5/ETag checks where they apply, retries, and downloads to
// `.part` files renamed only when complete and verified.
//
// Requests go through each account's ProviderWorker (the registry's, plus extra workers and
// clients the engine builds with AccountRegistry::createStorage so that more than six requests
// can be in flight to one host). A part failing with a retryable error after the HTTP layer's own
// retries is sent again (setPartAttempts). Downloads stream each range into a hidden working file
// beside the target (workingPathFor: ".<name>.skydeck-<hash>.part", a name no object can have) as
// it arrives; the object's declared size is checked against the free space, never preallocated.
// A download of several parts that fails with a retryable error after finishing some parts keeps
// its working file and a journal (ETag, size, part size, parts written, saved after an fdatasync
// of the data; also checkpointed every 30 s while it runs, so a crash loses at most that much);
// retry() or a new download of the same object to the same path resumes from it. Cancelled
// downloads, failed integrity checks and downloads with no finished part remove both. Two
// transfers writing one local file: the later one fails (Conflict), nothing is deleted. Failed or
// cancelled multipart uploads are aborted.
class TransferEngine : public QObject
{
    Q_OBJECT
public:
    explicit TransferEngine(AccountRegistry *accounts, QObject *parent = nullptr);
    ~TransferEngine() override;

    void setConcurrency(int parallelRequests);  // per engine, default 8
    int concurrency() const;
    void setMinPartSize(qint64 bytes);          // default 8 MiB (never below the provider's minimum)
    // false: a transfer is forgotten (transferRemoved) as soon as it has ended and said so, so a
    // command line copying millions of files holds only those under way. Default true (the
    // window's transfers pane shows them until cleared).
    void setKeepFinished(bool keep);
    // Where multipart uploads keep their resume journals (default: <AppLocalDataLocation>/
    // upload-journals, shared by the window and the command line).
    void setUploadJournalFolder(const QString &folder);
    // How often a running download of several parts checkpoints its journal (default 30 s).
    void setCheckpointInterval(int ms);

    // The hidden working file a download of `spec` is written through (LocalPath::workingPath),
    // and its resume journal.
    static QString workingPathFor(const TransferSpec &spec);
    static QString journalPathFor(const TransferSpec &spec);

    // Queues one transfer; returns its id. Answers through the signals below.
    quint64 enqueue(const TransferSpec &spec);

    // Recursive helpers (the listing/walk runs in the background, then items are queued). A
    // non-empty prefix is treated as a folder: "data" means "data/".
    // Every file under localDir becomes bucket/prefix + its relative path ('/'-separated).
    void uploadFolder(const QString &accountId, const QString &localDir, const QString &bucket, const QString &prefix);
    // every object under bucket/prefix becomes localDir + its key relative to prefix, mapped by
    // LocalPath so that no hostile key writes outside localDir (refused keys become Failed items).
    void downloadPrefix(const QString &accountId, const QString &bucket, const QString &prefix, const QString &localDir);

    void cancel(quint64 id);
    void retry(quint64 id);       // a Failed or Cancelled transfer, from where it stopped when possible
    void cancelAll();
    void clearFinished();         // forgets Done/Failed/Cancelled rows

    QList<TransferStatus> transfers() const;
    TransferStatus status(quint64 id) const;
    bool isIdle() const;          // nothing queued, running or being expanded

    // Parts sent again by the engine after a retryable failure the HTTP layer gave up on (or an
    // integrity failure of one part), since the engine was created.
    quint64 partRetries() const;
    // How many times a part is tried before its transfer fails (default 4).
    void setPartAttempts(int attempts);

Q_SIGNALS:
    void transferAdded(const skydeck::TransferStatus &status);
    void transferChanged(const skydeck::TransferStatus &status);   // at most a few times a second each
    void transferRemoved(quint64 id);
    void totalsChanged(qint64 bytesDone, qint64 bytesTotal, double bytesPerSecond);
    void expansionFailed(const skydeck::Error &error);  // a folder walk or prefix listing failed
    void idle();                                        // the queue has drained

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace skydeck
