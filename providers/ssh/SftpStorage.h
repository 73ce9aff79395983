#pragma once

#include "SftpClient.h"
#include "StorageClient.h"

#include <memory>

namespace skydeck {
struct Account;
}

namespace skydeck::ssh {

// The transfer engine's view of an SFTP host: a StorageClient whose one "bucket" is the host
// (the name is only a label) and whose keys are absolute paths without the leading '/'
// ("home/me/data.csv"). So TransferEngine drives SFTP unchanged: ranged GETs become reads at
// offsets (several on separate SFTP channels), multipart uploads become writes at offsets into a
// hidden temporary file beside the target (".<name>.skydeck-<id>.part"), checked for size and
// renamed over the target on completion, removed on abort. Downloads go through the engine's
// `.part` files, journal and LocalPath mapping like any object.
//
// A file's "ETag" is its size and mtime (SftpClient::versionTag): every range checks it, so a
// file that changes mid-download fails with Conflict instead of mixing versions. Listings use
// lstat: symlinks are left out (never followed, also not out of a folder being downloaded).
class SftpStorage : public StorageClient
{
    Q_OBJECT
public:
    SftpStorage(std::shared_ptr<SftpClient> client, QObject *parent = nullptr);

    QString scheme() const override { return QStringLiteral("sftp"); }

    void listBuckets(const CancelToken &token, Callback<QList<Bucket>> done) override;
    void createBucket(const QString &bucket, const QString &region, const CancelToken &token, Callback<Done> done) override;
    void deleteBucket(const QString &bucket, const CancelToken &token, Callback<Done> done) override;
    void listObjects(const ListRequest &request, const CancelToken &token, Callback<ListPage> done) override;
    void headObject(const QString &bucket, const QString &key, const CancelToken &token, Callback<ObjectHead> done) override;
    void getObject(const GetRequest &request, const ProgressFn &progress, const CancelToken &token,
                   Callback<ObjectData> done) override;
    // Streams the range into sink in pieces as they arrive (written here, on this client's
    // thread, in order), without a buffer the size of the range.
    void getObjectInto(const GetRequest &request, std::shared_ptr<DataSink> sink, const ProgressFn &progress,
                       const CancelToken &token, Callback<ObjectHead> done) override;
    void putObject(const QString &bucket, const QString &key, const QByteArray &data, const PutOptions &options,
                   const ProgressFn &progress, const CancelToken &token, Callback<PutResult> done) override;
    void copyObject(const QString &srcBucket, const QString &srcKey, const QString &dstBucket, const QString &dstKey,
                    const CancelToken &token, Callback<PutResult> done) override;
    void deleteObjects(const QString &bucket, const QStringList &keys, const CancelToken &token,
                       Callback<QList<DeleteFailure>> done) override;
    void createMultipartUpload(const QString &bucket, const QString &key, const PutOptions &options,
                               const CancelToken &token, Callback<QString> uploadId) override;
    void uploadPart(const QString &bucket, const QString &key, const QString &uploadId, int partNumber,
                    const QByteArray &data, const QByteArray &contentMd5, const ProgressFn &progress,
                    const CancelToken &token, Callback<UploadedPart> done) override;
    void completeMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                                 const QList<UploadedPart> &parts, const CancelToken &token,
                                 Callback<PutResult> done) override;
    void abortMultipartUpload(const QString &bucket, const QString &key, const QString &uploadId,
                              const CancelToken &token, Callback<Done> done) override;
    Result<QUrl> presignedGetUrl(const QString &bucket, const QString &key, int expirySeconds) const override;

    int maxParts() const override { return 1 << 30; }
    qint64 minPartSize() const override { return 1LL * 1024 * 1024; }

    static QString pathForKey(const QString &key) { return QLatin1Char('/') + key; }
    static QString keyForPath(const QString &path) { return path.startsWith(QLatin1Char('/')) ? path.mid(1) : path; }
    // The hidden file an upload to `path` is written to before it is renamed over it.
    static QString temporaryPathFor(const QString &path);

    // --- the SFTP accounts the engine and CLI know ---
    // An account for a connected client (provider "sftp", id "sftp:user@host:port"); the factory
    // registered by registerProvider() finds the client by the account id.
    static Account accountFor(const QString &displayName);
    static void attach(const QString &accountId, std::shared_ptr<SftpClient> client);
    static void detach(const QString &accountId);
    static std::shared_ptr<SftpClient> clientFor(const QString &accountId);
    static void registerProvider();

private:
    template <typename T, typename F>
    void follow(QFuture<Result<T>> future, const CancelToken &token, F &&cb);

    // Writes a new file; missing parent directories are created (as keys under new folders are).
    void writeCreatingParents(const QString &path, const QByteArray &data, const ProgressFn &progress,
                              const CancelToken &token, std::function<void(Status)> done);

    std::shared_ptr<SftpClient> m_client;
};

} // namespace skydeck::ssh
