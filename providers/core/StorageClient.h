#pragma once

#include "CancelToken.h"
#include "DataSink.h"
#include "Result.h"
#include "StorageTypes.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

namespace skydeck {

using ProgressFn = std::function<void(qint64 done, qint64 total)>;

// A bucket store (S3 and S3-compatible; GCS and Azure Blob later). Lives on a ProviderWorker
// thread: every method is called on that thread and answers through its callback exactly once,
// on that thread, on every path. Reach it from elsewhere through ProviderWorker::run().
class StorageClient : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~StorageClient() override = default;

    // A short scheme for URLs and the UI: "s3", "gs", "az".
    virtual QString scheme() const = 0;

    virtual void listBuckets(const CancelToken &token, Callback<QList<Bucket>> done) = 0;
    virtual void createBucket(const QString &bucket, const QString &region, const CancelToken &token,
                              Callback<Done> done) = 0;
    virtual void deleteBucket(const QString &bucket, const CancelToken &token, Callback<Done> done) = 0;

    virtual void listObjects(const ListRequest &request, const CancelToken &token, Callback<ListPage> done) = 0;
    virtual void headObject(const QString &bucket, const QString &key, const CancelToken &token,
                            Callback<ObjectHead> done) = 0;
    virtual void getObject(const GetRequest &request, const ProgressFn &progress, const CancelToken &token,
                           Callback<ObjectData> done) = 0;
    // The same GET with the body streamed into sink as it arrives (on this client's thread) instead
    // of held in memory; answers with the response's metadata once the body is complete. The
    // default buffers through getObject(); clients on an HTTP layer stream.
    virtual void getObjectInto(const GetRequest &request, std::shared_ptr<DataSink> sink, const ProgressFn &progress,
                               const CancelToken &token, Callback<ObjectHead> done)
    {
        getObject(request, progress, token, [sink = std::move(sink), done = std::move(done)](Result<ObjectData> r) {
            if (!r.ok())
                return done(r.error());
            Status s = sink->begin();
            if (s.ok())
                s = sink->write(r->data.constData(), r->data.size());
            if (!s.ok())
                return done(s.error());
            done(r->head);
        });
    }
    virtual void putObject(const QString &bucket, const QString &key, const QByteArray &data,
                           const PutOptions &options, const ProgressFn &progress, const CancelToken &token,
                           Callback<PutResult> done) = 0;
    virtual void copyObject(const QString &srcBucket, const QString &srcKey, const QString &dstBucket,
                            const QString &dstKey, const CancelToken &token, Callback<PutResult> done) = 0;
    // Deletes up to 1000 keys in one request; answers with the keys that could not be deleted.
    virtual void deleteObjects(const QString &bucket, const QStringList &keys, const CancelToken &token,
                               Callback<QList<DeleteFailure>> done) = 0;

    // Multipart (S3) / block (Azure) uploads. Part numbers are 1-based.
    virtual void createMultipartUpload(const QString &bucket, const QString &key, const PutOptions &options,
                                       const CancelToken &token, Callback<QString> uploadId) = 0;
    virtual void uploadPart(const QString &bucket, const QString &key, const QString &uploadId, int partNumber,
                            const QByteArray &data, const QByteArray &contentMd5, const ProgressFn &progress,
                            const CancelToken &token, Callback<UploadedPart> done) = 0;
    virtual void completeMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                         const QList<UploadedPart> &parts, const CancelToken &token,
                                         Callback<PutResult> done) = 0;
    virtual void abortMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                      const CancelToken &token, Callback<Done> done) = 0;
    // The parts the service holds for an unfinished multipart upload, every page, in part order
    // (a resumed upload sends only the others). NotFound when the upload is gone. Stores without
    // it answer InvalidInput "unsupported", and an interrupted upload then starts over.
    virtual void listParts(const QString &bucket, const QString &key, const QString &uploadId, const CancelToken &token,
                           Callback<QList<UploadedPart>> done)
    {
        Q_UNUSED(bucket) Q_UNUSED(key) Q_UNUSED(uploadId) Q_UNUSED(token)
        done(Error(Error::Category::InvalidInput, QStringLiteral("listing the parts of an upload is not supported here"),
                   QStringLiteral("Unsupported")));
    }
    // One page of the bucket's unfinished multipart uploads under prefix (empty markers: the first).
    virtual void listMultipartUploads(const QString &bucket, const QString &prefix, const QString &keyMarker,
                                      const QString &uploadIdMarker, const CancelToken &token,
                                      Callback<MultipartUploadPage> done)
    {
        Q_UNUSED(bucket) Q_UNUSED(prefix) Q_UNUSED(keyMarker) Q_UNUSED(uploadIdMarker) Q_UNUSED(token)
        done(Error(Error::Category::InvalidInput, QStringLiteral("listing unfinished uploads is not supported here"),
                   QStringLiteral("Unsupported")));
    }

    // A time-limited URL anyone can GET (share link). No network.
    virtual Result<QUrl> presignedGetUrl(const QString &bucket, const QString &key, int expirySeconds) const = 0;
    // The same once the client has credentials to sign with (temporary ones may have to be fetched
    // first). Answers once, on the client's thread. By default: presignedGetUrl().
    virtual void presignGetUrl(const QString &bucket, const QString &key, int expirySeconds, const CancelToken &token,
                               Callback<QUrl> done)
    {
        Q_UNUSED(token)
        done(presignedGetUrl(bucket, key, expirySeconds));
    }

    // Largest part count and smallest part size the service accepts (S3: 10,000 and 5 MiB).
    virtual int maxParts() const { return 10000; }
    virtual qint64 minPartSize() const { return 5LL * 1024 * 1024; }
};

} // namespace skydeck
