// Uploads: one PUT with Content-MD5, or a multipart upload with parallel parts, each part's
// Content-MD5 and ETag checked, and the multipart ETag checked on completion.
#include "TransferEnginePrivate.h"

namespace skydeck {

void TransferEngine::Private::uploadPart(const JobPtr &job, int index)
{
    const QString path = job->st.spec.localPath;
    const qint64 offset = job->plan.partCount ? job->plan.offset(index) : 0;
    const qint64 length = job->plan.partCount ? job->plan.length(index) : 0;
    onPool<Result<fileops::Chunk>>(
        job, [path, offset, length] { return fileops::readChunk(path, offset, length); },
        [this, job, index](Result<fileops::Chunk> r) {
            if (!r.ok()) {
                releaseSlot(job);
                return fail(job, r.error());
            }
            sendPart(job, index, r.takeValue());
        });
}

void TransferEngine::Private::sendPart(const JobPtr &job, int index, const fileops::Chunk &chunk)
{
    const TransferSpec spec = job->st.spec;
    auto progress = job->parts[index].progress;
    progress->store(0);
    const ProgressFn onProgress = [progress](qint64 done, qint64) { progress->store(done); };
    const QByteArray md5 = chunk.md5;
    job->parts[index].md5 = md5;
    if (!job->plan.multipart) {
        PutOptions opts = spec.options;
        opts.contentMd5 = md5;
        const QByteArray data = chunk.data;
        call<PutResult>(
            job,
            [spec, data, opts, onProgress](StorageClient *c, const CancelToken &t, Callback<PutResult> done) {
                c->putObject(spec.bucket, spec.key, data, opts, onProgress, t, std::move(done));
            },
            [this, job, index, md5](Result<PutResult> r) {
                releaseSlot(job);
                if (!r.ok())
                    return partFailed(job, index, r.error());
                const QString want = QString::fromLatin1(md5.toHex());
                if (Md5::isPlainMd5Etag(r->etag) && r->etag.compare(want, Qt::CaseInsensitive) != 0)
                    return partFailed(job, index, integrityError(QStringLiteral("the stored object's ETag %1 is not the MD5 of the file (%2)").arg(r->etag, want)));
                partDone(job, index);
                succeed(job);
            });
        return;
    }
    const QString uploadId = job->uploadId;
    const QByteArray data = chunk.data;
    call<UploadedPart>(
        job,
        [spec, uploadId, index, data, md5, onProgress](StorageClient *c, const CancelToken &t, Callback<UploadedPart> done) {
            c->uploadPart(spec.bucket, spec.key, uploadId, index + 1, data, md5, onProgress, t, std::move(done));
        },
        [this, job, index, md5](Result<UploadedPart> r) {
            releaseSlot(job);
            if (!r.ok())
                return partFailed(job, index, r.error());
            const QString want = QString::fromLatin1(md5.toHex());
            if (Md5::isPlainMd5Etag(r->etag) && r->etag.compare(want, Qt::CaseInsensitive) != 0)
                return partFailed(job, index, integrityError(QStringLiteral("part %1's ETag %2 is not its MD5 (%3)").arg(index + 1).arg(r->etag, want)));
            job->parts[index].etag = r->etag;
            partDone(job, index);
            if (job->st.partsDone == job->parts.size())
                job->phase = Phase::Complete;
        });
}

// A multipart upload: resumes the one its journal names when the journal describes this file as
// it is now (size, modification time, part size) and the service still has the upload; parts the
// service holds that match the file are not sent again. Otherwise a new upload (Create), and an
// upload a stale journal names is aborted.
void TransferEngine::Private::resumeOrCreate(const JobPtr &job)
{
    job->phase = Phase::Resume;
    job->phaseBusy = true;
    changed(job);
    job->uploadJournal = transfer::uploadJournalPath(uploadJournalFolder, job->st.spec);
    const QString path = job->uploadJournal;
    const QString local = job->st.spec.localPath;
    struct Found {
        std::optional<transfer::UploadJournal> journal;
        qint64 mtimeMs = -1;
    };
    onPool<Found>(job, [path, local] { return Found{transfer::readUploadJournal(path), transfer::fileMtimeMs(local)}; },
                  [this, job](Found found) {
                      job->fileMtimeMs = found.mtimeMs;
                      if (found.journal && found.journal->matches(job->st.spec, job->plan.size, found.mtimeMs, job->plan.partSize))
                          return resumeFrom(job, *found.journal);
                      if (found.journal) {
                          // Another version of the file, or other parts: that upload can never finish.
                          const TransferSpec spec = job->st.spec;
                          const QString stale = found.journal->uploadId;
                          qCInfo(lcTransfer).noquote() << "the journal of" << objectContext(spec)
                                                       << "describes another version of the file: starting over";
                          callDetached<Done>(spec.accountId,
                                             [spec, stale](StorageClient *c, const CancelToken &t, Callback<Done> done) {
                                                 c->abortMultipartUpload(spec.bucket, spec.key, stale, t, std::move(done));
                                             },
                                             [](Result<Done>) {});
                      }
                      job->phaseBusy = false;
                      job->phase = Phase::Create;
                      changed(job);
                      schedule();
                  });
}

void TransferEngine::Private::resumeFrom(const JobPtr &job, const transfer::UploadJournal &journal)
{
    const TransferSpec spec = job->st.spec;
    const QString uploadId = journal.uploadId;
    call<QList<UploadedPart>>(
        job,
        [spec, uploadId](StorageClient *c, const CancelToken &t, Callback<QList<UploadedPart>> done) {
            c->listParts(spec.bucket, spec.key, uploadId, t, std::move(done));
        },
        [this, job, uploadId](Result<QList<UploadedPart>> r) {
            if (!r.ok()) {
                const Error::Category c = r.error().category();
                if (c != Error::Category::NotFound && c != Error::Category::InvalidInput)
                    return fail(job, r.error());  // retryable ones keep the journal for the next try
                // The upload is gone (completed, aborted, expired) or the store cannot list parts.
                qCInfo(lcTransfer).noquote() << "cannot resume" << objectContext(job->st.spec) << ":"
                                             << r.error().toString() << "- starting over";
                const QString path = job->uploadJournal;
                onPool<bool>(nullptr, [path] { transfer::removeUploadJournal(path); return true; }, [](bool) {});
                job->phaseBusy = false;
                job->phase = Phase::Create;
                changed(job);
                schedule();
                return;
            }
            const QString local = job->st.spec.localPath;
            const PartPlan plan = job->plan;
            const QList<UploadedPart> held = r.value();
            onPool<Result<QList<transfer::VerifiedPart>>>(
                job, [local, plan, held] { return transfer::verifyUploadedParts(local, plan, held); },
                [this, job, uploadId](Result<QList<transfer::VerifiedPart>> verified) {
                    job->phaseBusy = false;
                    if (!verified.ok())
                        return fail(job, verified.error());
                    job->uploadId = uploadId;
                    for (const transfer::VerifiedPart &p : verified.value()) {
                        if (job->parts[p.index].done)
                            continue;
                        job->parts[p.index].md5 = p.md5;
                        job->parts[p.index].etag = p.etag;
                        partDone(job, p.index);
                        job->pending.removeAll(p.index);
                    }
                    qCInfo(lcTransfer).noquote() << "resuming the upload of" << objectContext(job->st.spec) << "with"
                                                 << verified->size() << "of" << job->parts.size() << "parts already stored";
                    job->phase = job->pending.isEmpty() ? Phase::Complete : Phase::Parts;
                    changed(job);
                    schedule();
                });
        });
}

void TransferEngine::Private::complete(const JobPtr &job)
{
    const TransferSpec spec = job->st.spec;
    const QString uploadId = job->uploadId;
    QList<UploadedPart> list;
    QList<QByteArray> digests;
    for (int i = 0; i < job->parts.size(); ++i) {
        list.append(UploadedPart{i + 1, job->parts[i].etag, job->plan.length(i)});
        digests.append(job->parts[i].md5);
    }
    const QString expected = Md5::multipartEtag(digests);
    job->st.state = TransferState::Verifying;
    changed(job);
    call<PutResult>(
        job,
        [spec, uploadId, list](StorageClient *c, const CancelToken &t, Callback<PutResult> done) {
            c->completeMultipartUpload(spec.bucket, spec.key, uploadId, list, t, std::move(done));
        },
        [this, job, expected](Result<PutResult> r) {
            job->phaseBusy = false;
            releaseSlot(job);
            if (!r.ok())
                return fail(job, r.error());
            job->uploadId.clear();  // completed: nothing to abort any more
            const QString journal = job->uploadJournal;
            onPool<bool>(nullptr, [journal] { transfer::removeUploadJournal(journal); return true; }, [](bool) {});
            if (r->etag.contains(QLatin1Char('-')) && r->etag.compare(expected, Qt::CaseInsensitive) != 0)
                return fail(job, integrityError(QStringLiteral("the multipart ETag %1 does not match the parts sent (%2)").arg(r->etag, expected)));
            succeed(job);
        });
}

} // namespace skydeck
