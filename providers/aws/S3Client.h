#pragma once

#include "AwsCredentialSpec.h"
#include "HttpClient.h"
#include "ListingGuard.h"
#include "SigV4.h"
#include "StorageClient.h"

#include <QHash>
#include <QMutex>
#include <QUrl>

#include <optional>

namespace skydeck {
struct Account;
}

namespace skydeck::aws {

struct S3Config {
    enum class Addressing { Auto, Path, Virtual };

    QUrl endpoint;  // empty: AWS (https://s3.<region>.amazonaws.com)
    QString region = QStringLiteral("us-east-1");
    Addressing addressing = Addressing::Auto;
    Credentials credentials;  // static keys (empty: anonymous requests), unless credentialSource is set
    // Where the credentials come from (a role, SSO, a process, ...): a CredentialProvider built
    // from it signs every request instead of `credentials`.
    std::optional<CredentialSpec> credentialSource;
    bool allowInsecureHttp = false;  // Account::allowsInsecureHttp(): plain http off loopback

    // From an Account's settings (region, endpoint, addressingStyle, accessKeyId, credentials) and
    // secrets (secretAccessKey, sessionToken).
    static S3Config fromAccount(const Account &account);
    static Addressing parseAddressing(const QString &style);  // "path" | "virtual" | anything else: auto
};

// Where one request goes: the URL on the wire, and the decoded pieces the signer covers.
struct S3Target {
    QUrl url;
    QByteArray host;  // with :port when not the default
    QByteArray path;  // decoded
    QueryItems query;
};

// S3 (and S3-compatible endpoints) on the HTTP layer, SigV4-signed afresh on every attempt.
// Lives on a ProviderWorker thread (see StorageClient).
class CredentialProvider;

class S3Client : public StorageClient
{
    Q_OBJECT
public:
    explicit S3Client(const S3Config &config, QObject *parent = nullptr);
    ~S3Client() override;

    QString scheme() const override { return QStringLiteral("s3"); }

    void listBuckets(const CancelToken &token, Callback<QList<Bucket>> done) override;
    void createBucket(const QString &bucket, const QString &region, const CancelToken &token,
                      Callback<Done> done) override;
    void deleteBucket(const QString &bucket, const CancelToken &token, Callback<Done> done) override;
    void listObjects(const ListRequest &request, const CancelToken &token, Callback<ListPage> done) override;
    void headObject(const QString &bucket, const QString &key, const CancelToken &token,
                    Callback<ObjectHead> done) override;
    void getObject(const GetRequest &request, const ProgressFn &progress, const CancelToken &token,
                   Callback<ObjectData> done) override;
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
    void listParts(const QString &bucket, const QString &key, const QString &uploadId, const CancelToken &token,
                   Callback<QList<UploadedPart>> done) override;
    void listMultipartUploads(const QString &bucket, const QString &prefix, const QString &keyMarker,
                              const QString &uploadIdMarker, const CancelToken &token,
                              Callback<MultipartUploadPage> done) override;
    Result<QUrl> presignedGetUrl(const QString &bucket, const QString &key, int expirySeconds) const override;
    void presignGetUrl(const QString &bucket, const QString &key, int expirySeconds, const CancelToken &token,
                       Callback<QUrl> done) override;

    // Presigned GET with a chosen signing time (tests).
    Result<QUrl> presignedGetUrlAt(const QString &bucket, const QString &key, int expirySeconds,
                                   const QDateTime &when) const;

    HttpClient *http() const { return m_http; }
    const S3Config &config() const { return m_config; }
    // Where the signers get their credentials (nullptr for anonymous requests). On this thread.
    CredentialProvider *credentialProvider() const { return m_credentials; }

    // The region requests for `bucket` are signed for (learnt from redirects, else the config's).
    QString regionFor(const QString &bucket) const;
    // Where a request for bucket/key goes (path-style or virtual-hosted, per the config).
    S3Target target(const QString &bucket, const QString &key, const QueryItems &query = {}) const;
    bool usesVirtualHost(const QString &bucket) const;
    static bool isDnsCompatible(const QString &bucket);
    bool isAwsEndpoint() const;
    // Not None when the configured endpoint is not a usable http(s) URL.
    Error configError() const { return m_configError; }

private:
    struct Op;
    void send(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done);
    void sendAttempt(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done,
                     int redirectsLeft, bool credentialsRenewed);
    void sendSigned(const std::shared_ptr<Op> &op, const CancelToken &token, Callback<HttpResponse> done,
                    int redirectsLeft, bool credentialsRenewed, const Credentials &credentials);
    Result<QUrl> presignWith(const Credentials &credentials, const QString &bucket, const QString &key,
                             int expirySeconds, const QDateTime &when) const;
    QUrl endpointFor(const QString &region) const;
    S3Target targetIn(const QString &region, const QString &bucket, const QString &key, const QueryItems &query) const;
    QByteArray payloadHash(const QByteArray &body, bool haveMd5) const;
    // A GET's Op (Range, If-Match); nullptr when the request is invalid (error in *error).
    std::shared_ptr<Op> getOp(const GetRequest &request, const ProgressFn &progress, Error *error) const;

    S3Config m_config;
    Error m_configError;  // set when the endpoint is unusable: every operation answers with it
    void listPartsFrom(const QString &bucket, const QString &key, const QString &uploadId, const QString &marker,
                       const CancelToken &token, std::shared_ptr<QList<UploadedPart>> acc,
                       std::shared_ptr<ListingGuard> guard, Callback<QList<UploadedPart>> done);
    // Deletes keys[index..] one DELETE each, adding what fails to failures; then done(failures).
    void deleteEach(const QString &bucket, const QStringList &keys, int index, const CancelToken &token,
                    std::shared_ptr<QList<DeleteFailure>> failures, Callback<QList<DeleteFailure>> done);

    HttpClient *m_http = nullptr;
    CredentialProvider *m_credentials = nullptr;  // a child; nullptr: anonymous
    mutable QMutex m_regionLock;  // presignedGetUrl() may be called from another thread
    QHash<QString, QString> m_bucketRegion;
    void rememberRegion(const QString &bucket, const QString &region);
};

} // namespace skydeck::aws
