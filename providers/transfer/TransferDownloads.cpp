// Downloads: ranged GETs with If-Match into "<target>.part" (resumed from its journal), checked
// (size, and MD5 where the ETag is one) and renamed over the target.
#include "TransferEnginePrivate.h"

namespace skydeck {

void TransferEngine::Private::onHead(const JobPtr &job, const ObjectHead &head)
{
    job->sourceEtag = head.etag;
    planParts(job, head.size);
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
                       for (int i : std::as_const(job->journalDone)) {
                           partDone(job, i);
                           job->pending.removeAll(i);
                       }
                       if (!job->journalDone.isEmpty())
                           qCInfo(lcTransfer).noquote() << "resuming" << objectContext(job->st.spec) << "with"
                                                        << job->journalDone.size() << "of" << job->parts.size() << "parts";
                       job->phase = Phase::Parts;
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
    call<ObjectData>(
        job,
        [req, onProgress](StorageClient *c, const CancelToken &t, Callback<ObjectData> done) {
            c->getObject(req, onProgress, t, std::move(done));
        },
        [this, job, index, req](Result<ObjectData> r) {
            if (!r.ok()) {
                releaseSlot(job);
                return partFailed(job, index, r.error());
            }
            if (r->data.size() != req.length) {
                releaseSlot(job);
                return partFailed(job, index, integrityError(QStringLiteral("range %1-%2 came back with %3 bytes").arg(req.offset).arg(req.offset + req.length - 1).arg(r->data.size())));
            }
            const QString partPath = job->partPath;
            const QByteArray data = r->data;
            const qint64 offset = req.offset;
            fileops::DownloadJournal journal;
            journal.etag = job->sourceEtag;
            journal.size = job->plan.size;
            journal.partSize = job->plan.partSize;
            journal.done = job->journalDone;
            journal.done.append(index);
            // A journal only helps a download of several parts resume; one part is fetched again
            // whole, so it needs neither the journal nor the fdatasync that must precede it (two
            // disk flushes per small file otherwise).
            const bool journaled = !journal.etag.isEmpty() && job->parts.size() > 1;
            onPool<Status>(job,
                           [partPath, offset, data, journal, journaled] {
                               Status s = fileops::writeAt(partPath, offset, data,
                                                           journaled ? fileops::Durability::Durable
                                                                     : fileops::Durability::Buffered);
                               if (s.ok() && journaled)
                                   fileops::writeJournal(partPath, journal);
                               return s;
                           },
                           [this, job, index](Status s) {
                               releaseSlot(job);
                               if (!s.ok())
                                   return fail(job, s.error());
                               job->journalDone.append(index);
                               partDone(job, index);
                               if (job->st.partsDone == job->parts.size())
                                   finishDownload(job);
                           });
        });
}

void TransferEngine::Private::finishDownload(const JobPtr &job)
{
    job->phase = Phase::Finish;
    job->phaseBusy = true;
    job->st.state = TransferState::Verifying;
    changed(job);
    const QString partPath = job->partPath;
    const QString target = job->st.spec.localPath;
    const qint64 size = job->plan.size;
    const QString md5 = Md5::isPlainMd5Etag(job->sourceEtag) ? job->sourceEtag : QString();
    onPool<Status>(job, [partPath, target, size, md5] { return fileops::finishDownload(partPath, target, size, md5); },
                   [this, job](Status s) {
                       job->phaseBusy = false;
                       if (!s.ok())
                           return fail(job, s.error());
                       succeed(job);
                   });
}

} // namespace skydeck
