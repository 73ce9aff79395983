#pragma once

// The transfer engine's private state and helpers, shared by TransferEngine.cpp (scheduling and
// outcomes), TransferLanes.cpp (clients), TransferUploads.cpp and TransferDownloads.cpp.

#include "TransferEngine.h"

#include "AccountRegistry.h"
#include "FileOps.h"
#include "LocalPath.h"
#include "Md5.h"
#include "PrefixWalk.h"
#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TransferJob.h"
#include "TransferLogging.h"
#include "UploadJournal.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMap>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent>

#include <cmath>

namespace skydeck {

using transfer::Job;
using transfer::JobPtr;
using transfer::Phase;

namespace transfer {

inline constexpr int kConnectionsPerClient = 6;  // QNetworkAccessManager's limit per host
inline constexpr int kTickMs = 200;              // progress at most 5 times a second
inline constexpr double kSpeedWindowS = 2.0;     // speed smoothing time constant
// A download of several parts checkpoints its journal (after an fdatasync of the .part) at most
// this often, and when it stops with its .part kept: a crash loses at most this much progress,
// and a download quicker than this never waits for the disk.
inline constexpr qint64 kCheckpointMs = 30000;
// A folder download asks for its next listing page when fewer transfers than this wait.
inline constexpr int kRefillBelow = 2000;

inline QString objectContext(const TransferSpec &s)
{
    return QStringLiteral("%1/%2").arg(s.bucket, LocalPath::displayKey(s.key));
}

inline bool sameAccount(const Account &a, const Account &b)
{
    return a.provider == b.provider && a.settings == b.settings && a.secrets == b.secrets;
}

// A folder download being listed (downloadPrefix): one page at a time through PrefixWalk.
struct Expansion {
    std::unique_ptr<PrefixWalk> walk;
    QString accountId;
    QString bucket;
    QString base;      // the prefix, ending in '/' (or empty)
    QString localDir;
    QString where;     // "s3://bucket/prefix/" for messages
    bool fetching = false;  // a page is being listed or mapped
    bool over = false;      // listed to the end, failed or cancelled
    QSet<size_t> targets;   // hashes of the local files given out so far (a key listed twice)
};

// One client on one worker thread. The account's own (from the registry) plus extra ones the
// engine builds so parallel requests are not capped by one network manager's connection limit.
struct Lane {
    std::unique_ptr<ProviderWorker> owned;  // extra lanes only
    StorageClient *client = nullptr;        // extra lanes only; the primary asks the registry
    int inFlight = 0;
};

struct AccountLanes {
    Account account;
    Lane primary;
    std::vector<std::unique_ptr<Lane>> extra;
    bool extraFailed = false;
};

} // namespace transfer

using transfer::AccountLanes;
using transfer::kCheckpointMs;
using transfer::kRefillBelow;
using transfer::kConnectionsPerClient;
using transfer::kSpeedWindowS;
using transfer::kTickMs;
using transfer::Lane;
using transfer::objectContext;
using transfer::sameAccount;

struct TransferEngine::Private {
    TransferEngine *q = nullptr;
    AccountRegistry *accounts = nullptr;
    QThreadPool pool;
    int concurrency = 8;
    int partAttempts = 4;
    bool keepFinished = true;
    qint64 checkpointMs = kCheckpointMs;
    QString uploadJournalFolder;  // multipart upload journals (UploadJournal.h)
    qint64 partSize = PartPlanner::kDefaultPartSize;
    quint64 nextId = 1;
    QMap<quint64, JobPtr> jobs;
    int inFlight = 0;      // requests in flight across the engine
    int expanding = 0;     // folder walks and prefix listings under way
    int savingJournals = 0;  // journals of stopped downloads being written
    bool pumpQueued = false;
    bool idleSignalled = true;
    quint64 partRetries = 0;
    QTimer ticker;
    QElapsedTimer clock;
    QHash<QString, std::shared_ptr<AccountLanes>> lanes;
    QHash<QString, JobPtr> writing;  // local files downloads are writing now (one transfer each)
    std::vector<std::shared_ptr<transfer::Expansion>> expansions;  // folder downloads still listing
    double totalSpeed = 0;

    // --- plumbing -------------------------------------------------------------------------------
    struct Picked {
        ProviderWorker *worker = nullptr;
        StorageClient *client = nullptr;
        std::shared_ptr<AccountLanes> holder;
        Lane *lane = nullptr;
    };

    Picked pickLane(const QString &accountId);

    // "s3://bucket/key" for messages (the client's scheme; control characters escaped).
    QString contextFor(const TransferSpec &spec);

    // One request on a lane's worker. cb runs on the engine's thread unless the job moved on.
    template <typename T>
    void call(const JobPtr &job, std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op,
              std::function<void(Result<T>)> cb)
    {
        Picked p = pickLane(job->st.spec.accountId);
        if (!p.client) {
            cb(Error(Error::Category::InvalidInput,
                     QStringLiteral("account %1 has no storage client").arg(job->st.spec.accountId)));
            return;
        }
        ++p.lane->inFlight;
        StorageClient *client = p.client;
        QFuture<Result<T>> future = p.worker->run<T>(
            [client, op = std::move(op)](const CancelToken &t, Callback<T> done) { op(client, t, std::move(done)); });
        const int cid = job->nextCanceller++;
        job->cancellers.insert(cid, [future]() mutable { future.cancel(); });
        const quint64 gen = job->gen;
        whenDone(future, q, [job, gen, cid, holder = p.holder, lane = p.lane, cb = std::move(cb)](Result<T> r) {
            --lane->inFlight;
            if (job->gen != gen)
                return;
            job->cancellers.remove(cid);
            cb(std::move(r));
        });
    }

    // A request that belongs to no job (listings, aborts).
    template <typename T>
    void callDetached(const QString &accountId, std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op,
                      std::function<void(Result<T>)> cb)
    {
        auto job = std::make_shared<Job>();
        job->st.spec.accountId = accountId;
        call<T>(job, std::move(op), std::move(cb));
    }

    // Blocking work on the pool; cb runs on the engine's thread unless the job moved on.
    template <typename T>
    void onPool(const JobPtr &job, std::function<T()> fn, std::function<void(T)> cb)
    {
        const quint64 gen = job ? job->gen : 0;
        auto *w = new QFutureWatcher<T>(q);
        QObject::connect(w, &QFutureWatcherBase::finished, q, [w, job, gen, cb = std::move(cb)] {
            T r = w->result();
            w->deleteLater();
            if (job && job->gen != gen)
                return;
            cb(std::move(r));
        });
        w->setFuture(QtConcurrent::run(&pool, std::move(fn)));
    }

    void takeSlot(const JobPtr &job);
    void releaseSlot(const JobPtr &job);

    // --- scheduling -----------------------------------------------------------------------------
    void schedule();

    bool wantsSlot(const Job &j) const;

    void pump();
    void checkIdle();
    void changed(const JobPtr &job);

    // --- lifecycle ------------------------------------------------------------------------------
    void start(const JobPtr &job);
    void planParts(const JobPtr &job, qint64 size);
    void onStat(const JobPtr &job, Result<qint64> r);
    void resumeOrCreate(const JobPtr &job);
    void resumeFrom(const JobPtr &job, const transfer::UploadJournal &journal);
    void launch(const JobPtr &job);

    // --- uploads --------------------------------------------------------------------------------
    void uploadPart(const JobPtr &job, int index);
    void sendPart(const JobPtr &job, int index, const fileops::Chunk &chunk);
    void complete(const JobPtr &job);

    // --- downloads ------------------------------------------------------------------------------
    void onHead(const JobPtr &job, const ObjectHead &head);
    void downloadPart(const JobPtr &job, int index);
    void pumpHash(const JobPtr &job);
    static bool journaled(const Job &job);
    void checkpoint(const JobPtr &job);
    void saveJournal(const JobPtr &job);  // a stopped download keeping its .part
    void finishDownload(const JobPtr &job);

    // --- outcomes -------------------------------------------------------------------------------
    static Error integrityError(const QString &message);
    void partDone(const JobPtr &job, int index);
    void partFailed(const JobPtr &job, int index, const Error &error);

    // Stops a job's requests and aborts its multipart upload. A download's .part file (and its
    // journal) stays for a later resume when keepPart, and is removed otherwise.
    void stop(const JobPtr &job, bool keepPart);
    void finishJob(const JobPtr &job, TransferState state, const Error &error);
    void forgetIfFinished(const JobPtr &job);
    void fail(const JobPtr &job, Error error);
    void succeed(const JobPtr &job);

    // --- progress -------------------------------------------------------------------------------
    void tick();

    // --- items ----------------------------------------------------------------------------------
    quint64 add(const TransferSpec &spec, const Error &refused = Error());

    void fetchPage(const std::shared_ptr<transfer::Expansion> &x);
    void finishExpansion(const std::shared_ptr<transfer::Expansion> &x, bool cancelled = false);
};

} // namespace skydeck
