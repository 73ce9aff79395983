#pragma once

// The engine's private bookkeeping for one transfer. Used on the engine's thread only, except the
// per-part progress counters, which the worker threads' progress callbacks write.

#include "PartPlanner.h"
#include "TransferTypes.h"

#include <QHash>
#include <QList>

#include "Md5.h"

#include <atomic>
#include <functional>
#include <memory>

namespace skydeck::transfer {

struct Part {
    int attempts = 0;
    bool done = false;
    QByteArray md5;  // uploads: raw digest of the part's bytes
    QString etag;    // uploads: what the service answered
    std::shared_ptr<std::atomic<qint64>> progress = std::make_shared<std::atomic<qint64>>(0);
};

// Where a transfer stands. Uploads: Stat -> [Resume | Create] -> Parts -> [Complete]. Downloads:
// Head -> Prepare -> Parts -> Finish. Create, Head and Complete are one request each and take a
// slot; Resume (the journal, ListParts, the parts read back) is one job step of its own.
enum class Phase { Start, Stat, Resume, Create, Head, Prepare, Parts, Complete, Finish, Over };

struct Job {
    TransferStatus st;
    quint64 gen = 0;          // bumped when the job stops or restarts: older callbacks are ignored
    Phase phase = Phase::Start;
    bool phaseBusy = false;   // the phase's one request or pool task is running
    PartPlan plan;
    QList<Part> parts;
    QList<int> pending;       // part indexes waiting for a slot
    qint64 bytesFinished = 0; // bytes of parts that are done
    QString uploadId;         // multipart upload to complete or abort
    QString uploadJournal;    // uploads: the resume journal's path (multipart only)
    qint64 fileMtimeMs = -1;  // uploads: the file's modification time when it was planned
    QString sourceEtag;       // downloads: the object's ETag from HEAD (If-Match on every range)
    QString partPath;         // downloads: target + ".part"
    QList<int> journalDone;   // downloads: parts written to the .part file
    int journaled = 0;        // downloads: how many of journalDone the journal on disk names
    qint64 lastCheckpointMs = 0;
    bool checkpointing = false;  // a checkpoint (fdatasync + journal) is on the pool
    bool savingJournal = false;  // the journal of a stopped download is being saved: no restart yet
    std::shared_ptr<Md5> hash;   // downloads of several parts with an MD5 ETag: MD5 of parts [0, hashedParts)
    int hashedParts = 0;
    bool hashing = false;        // the next parts are being hashed on the pool
    int slots = 0;            // requests this job holds from the engine's budget
    QHash<int, std::function<void()>> cancellers;  // in-flight requests
    int nextCanceller = 0;
    Error refused;            // set for a key LocalPath refused: the item can never run
    // progress smoothing
    qint64 lastBytes = 0;
    qint64 lastSampleMs = -1;
    bool isUpload() const { return st.spec.kind == TransferKind::Upload; }
};

using JobPtr = std::shared_ptr<Job>;

} // namespace skydeck::transfer
