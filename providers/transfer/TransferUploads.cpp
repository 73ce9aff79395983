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
            if (r->etag.contains(QLatin1Char('-')) && r->etag.compare(expected, Qt::CaseInsensitive) != 0)
                return fail(job, integrityError(QStringLiteral("the multipart ETag %1 does not match the parts sent (%2)").arg(r->etag, expected)));
            succeed(job);
        });
}

} // namespace skydeck
