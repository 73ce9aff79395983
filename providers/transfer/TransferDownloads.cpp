// Downloads: ranged GETs with If-Match streamed into a hidden working file beside the target
// (the ".part"; PartSink: pwrite on the client's thread as the bytes arrive), checked (size, and
// MD5 where the ETag is one) and renamed over the target. A download of one range does it all in
// its sink; one of several ranges prepares the .part (or resumes it from its journal), hashes the
// parts in order on the pool while later ones still arrive, and checkpoints its journal now and
// then (never after the rename: finishing waits for a checkpoint under way).
#include "PartSink.h"
#include "TransferEnginePrivate.h"

namespace skydeck {

using transfer::PartSink;

bool TransferEngine::Private::journaled(const Job &job)
{
    return !job.sourceEtag.isEmpty() && job.parts.size() > 1;
}

void TransferEngine::Private::onHead(const JobPtr &job, const ObjectHead &head)
{
    job->sourceEtag = head.etag;
    planParts(job, head.size);
    job->hash.reset();
    job->hashedParts = 0;
    job->hashing = false;
    if (job->parts.size() == 1) {
        // One range: its sink creates the .part, hashes it and renames it. Nothing to resume.
        job->phaseBusy = false;
        job->phase = Phase::Parts;
        changed(job);
        schedule();
        return;
    }
    job->phase = Phase::Prepare;
    changed(job);
    const QString partPath = job->partPath;
    fileops::DownloadJournal want;
    want.etag = head.etag;
    want.size = head.size;
    want.partSize = job->plan.partSize;
    onPool<Result<QList<int>>>(job, [partPath, want] { return fileops::resumeOrPrepare(partPath, want); },
                   [this, job](Result<QList<int>> r) {
                       job->phaseBusy = false;
                       if (!r.ok())
                           return fail(job, r.error());
                       job->journalDone = r.value();
                       job->journaled = int(job->journalDone.size());
                       job->lastCheckpointMs = clock.elapsed();
                       if (Md5::isPlainMd5Etag(job->sourceEtag))
                           job->hash = std::make_shared<Md5>();
                       for (int i : std::as_const(job->journalDone)) {
                           partDone(job, i);
                           job->pending.removeAll(i);
                       }
                       if (!job->journalDone.isEmpty())
                           qCInfo(lcTransfer).noquote() << "resuming" << objectContext(job->st.spec) << "with"
                                                        << job->journalDone.size() << "of" << job->parts.size() << "parts";
                       job->phase = Phase::Parts;
                       pumpHash(job);
                       if (job->pending.isEmpty())
                           finishDownload(job);
                       schedule();
                   });
}

void TransferEngine::Private::downloadPart(const JobPtr &job, int index)
{
    GetRequest req;
    req.bucket = job->st.spec.bucket;
    req.key = job->st.spec.key;
    req.offset = job->plan.offset(index);
    req.length = job->plan.length(index);
    req.ifMatch = job->sourceEtag;
    auto progress = job->parts[index].progress;
    progress->store(0);
    const ProgressFn onProgress = [progress](qint64 done, qint64) { progress->store(done); };
    const bool whole = job->parts.size() == 1;
    const qint64 expected = req.length;
    // The whole object: no Range (a shorter response to parse; the sink refuses more than expected).
    if (whole)
        req.length = -1;
    auto sink = std::make_shared<PartSink>(job->partPath, req.offset, expected,
                                           whole ? PartSink::Mode::Whole : PartSink::Mode::IntoExisting);
    const QString target = job->st.spec.localPath;
    const QString md5 = whole && Md5::isPlainMd5Etag(job->sourceEtag) ? job->sourceEtag : QString();
    call<qint64>(
        job,
        [req, expected, sink, onProgress, whole, target, md5](StorageClient *c, const CancelToken &t, Callback<qint64> done) {
            // On the client's thread: the sink is closed (and a whole one checked and renamed, or
            // removed) before the engine hears of it, so a retry never meets this attempt's file.
            c->getObjectInto(req, sink, onProgress, t, [req, expected, sink, whole, target, md5, done](Result<ObjectHead> r) {
                Status s = r.ok() ? Status(Done{}) : Status(r.error());
                if (s.ok() && sink->written() != expected)
                    s = integrityError(QStringLiteral("range %1-%2 came back with %3 bytes")
                                           .arg(req.offset).arg(req.offset + expected - 1).arg(sink->written()));
                if (s.ok() && whole)
                    s = sink->commit(target, md5);
                sink->finish();
                if (!s.ok())
                    return done(s.error());
                done(sink->written());
            });
        },
        [this, job, index, whole](Result<qint64> r) {
            releaseSlot(job);
            if (!r.ok()) {
                // A whole download's MD5 or size mismatch is the object's, not the range's.
                if (whole && r.error().category() == Error::Category::Integrity && !r.error().isRetryable())
                    return fail(job, r.error());
                return partFailed(job, index, r.error());
            }
            partDone(job, index);
            if (whole)
                return succeed(job);
            job->journalDone.append(index);
            pumpHash(job);
            checkpoint(job);
            if (job->st.partsDone == job->parts.size())
                finishDownload(job);
        });
}

// Hashes the parts that are done, in order from the last one hashed, one pool task at a time.
void TransferEngine::Private::pumpHash(const JobPtr &job)
{
    if (!job->hash || job->hashing)
        return;
    int end = job->hashedParts;
    while (end < job->parts.size() && job->parts[end].done)
        ++end;
    if (end == job->hashedParts)
        return;
    const qint64 from = job->plan.offset(job->hashedParts);
    const qint64 to = job->plan.offset(end - 1) + job->plan.length(end - 1);
    job->hashing = true;
    const QString partPath = job->partPath;
    const std::shared_ptr<Md5> hash = job->hash;
    onPool<Status>(job, [partPath, from, to, hash] { return fileops::hashRange(partPath, from, to - from, *hash); },
                   [this, job, end](Status s) {
                       job->hashing = false;
                       if (!s.ok())
                           return fail(job, s.error());
                       job->hashedParts = end;
                       if (job->phase == Phase::Finish)
                           finishDownload(job);
                       else
                           pumpHash(job);
                   });
}

void TransferEngine::Private::checkpoint(const JobPtr &job)
{
    if (!journaled(*job) || job->checkpointing || job->journalDone.size() == job->journaled
        || clock.elapsed() - job->lastCheckpointMs < checkpointMs)
        return;
    fileops::DownloadJournal journal;
    journal.etag = job->sourceEtag;
    journal.size = job->plan.size;
    journal.partSize = job->plan.partSize;
    journal.done = job->journalDone;
    job->checkpointing = true;
    const QString partPath = job->partPath;
    onPool<bool>(job, [partPath, journal] { fileops::checkpointJournal(partPath, journal); return true; },
                 [this, job, count = int(journal.done.size())](bool) {
                     job->checkpointing = false;
                     job->journaled = count;
                     job->lastCheckpointMs = clock.elapsed();
                     if (job->phase == Phase::Finish)
                         finishDownload(job);
                 });
}

void TransferEngine::Private::saveJournal(const JobPtr &job)
{
    if (job->isUpload() || job->partPath.isEmpty() || !journaled(*job) || job->journalDone.size() == job->journaled)
        return;
    fileops::DownloadJournal journal;
    journal.etag = job->sourceEtag;
    journal.size = job->plan.size;
    journal.partSize = job->plan.partSize;
    journal.done = job->journalDone;
    job->journaled = int(journal.done.size());
    job->savingJournal = true;
    ++savingJournals;
    const QString partPath = job->partPath;
    // Not tied to the job's generation (it has just stopped): the job waits for it before it runs again.
    onPool<bool>(nullptr, [partPath, journal] { fileops::checkpointJournal(partPath, journal); return true; },
                 [this, job](bool) {
                     job->savingJournal = false;
                     --savingJournals;
                     schedule();
                 });
}

void TransferEngine::Private::finishDownload(const JobPtr &job)
{
    if (job->phase != Phase::Finish) {
        job->phase = Phase::Finish;
        job->st.state = TransferState::Verifying;
        changed(job);
    }
    // A checkpoint still on the pool would write its journal after the rename below (a stale
    // journal beside a finished file): it calls finishDownload again when it is done.
    if (job->phaseBusy || job->checkpointing)
        return;
    if (job->hash && job->hashedParts < job->parts.size()) {
        pumpHash(job);  // finishDownload runs again once the last parts are hashed
        return;
    }
    job->phaseBusy = true;
    const QString partPath = job->partPath;
    const QString target = job->st.spec.localPath;
    const qint64 size = job->plan.size;
    const QString md5 = Md5::isPlainMd5Etag(job->sourceEtag) ? job->sourceEtag : QString();
    const QString computed = job->hash ? QString::fromLatin1(job->hash->result().toHex()) : QString();
    job->hash.reset();
    onPool<Status>(job, [partPath, target, size, md5, computed] { return fileops::finishDownload(partPath, target, size, md5, computed); },
                   [this, job](Status s) {
                       job->phaseBusy = false;
                       if (!s.ok())
                           return fail(job, s.error());
                       succeed(job);
                   });
}

} // namespace skydeck
