#include "BucketCommands.h"

#include "ExitCode.h"
#include "ListCommand.h"

namespace skydeck::cli {

namespace {

// s3://bucket with nothing after it, or a usage error.
Result<QString> bucketOnly(const QString &text, const QString &command)
{
    Result<CloudUrl> url = parseS3Url(text, command);
    if (!url.ok())
        return url.error();
    if (!url->hasBucket() || !url->key().isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("%1 needs a bucket URL: s3://bucket").arg(command))
            .setContext(text);
    return url->bucket();
}

} // namespace

void MakeBucketCommand::start()
{
    Result<QString> bucket = bucketOnly(inv().args.value(0), QStringLiteral("mb"));
    if (!bucket.ok())
        return fail(bucket.error());
    const QString name = bucket.value();
    const QString problem = CloudUrl::bucketNameProblem(CloudUrl::Scheme::S3, name, CloudUrl::BucketRules::Create);
    if (!problem.isEmpty())
        return fail(ExitUsage, QStringLiteral("invalid bucket name '%1': %2").arg(name, problem));
    const QString region = account().setting(QStringLiteral("region"));
    call<Done>(
        [name, region](StorageClient *c, const CancelToken &t, Callback<Done> done) {
            c->createBucket(name, region, t, std::move(done));
        },
        [this, name](Status s) {
            if (!s.ok())
                return fail(Error(s.error()).setContext(QStringLiteral("s3://") + name));
            out().line(QStringLiteral("make_bucket: ") + name);
            succeed();
        });
}

void RemoveBucketCommand::start()
{
    Result<QString> bucket = bucketOnly(inv().args.value(0), QStringLiteral("rb"));
    if (!bucket.ok())
        return fail(bucket.error());
    const QString name = bucket.value();
    if (!inv().force)
        return removeBucket(name);
    deleteAll(name, {}, [this, name](qint64 deleted) {
        if (deleted > 0)
            out().line(QStringLiteral("deleted %1 object%2 from s3://%3/")
                           .arg(deleted)
                           .arg(QLatin1String(deleted == 1 ? "" : "s"), name));
        removeBucket(name);
    });
}

void RemoveBucketCommand::removeBucket(const QString &bucket)
{
    call<Done>(
        [bucket](StorageClient *c, const CancelToken &t, Callback<Done> done) { c->deleteBucket(bucket, t, std::move(done)); },
        [this, bucket](Status s) {
            if (!s.ok()) {
                Error e = s.error();
                if (e.category() == Error::Category::Conflict && !inv().force)
                    e = Error(e.category(), e.message() + QStringLiteral(" (rb --force deletes its objects first)"),
                              e.code(), e.httpStatus());
                return fail(e.setContext(QStringLiteral("s3://") + bucket));
            }
            out().line(QStringLiteral("remove_bucket: ") + bucket);
            succeed();
        });
}

} // namespace skydeck::cli
