// Cloud URLs (providers/core/CloudUrl.h): what a user types, a script passes or a saved transfer
// holds. The input is the text (UTF-8) and, after a NUL, a relative path to join below it.
// Properties:
//  - parse(u.toString()) == u for every URL parse accepts, and for it joined with the relative path;
//  - an accepted bucket (S3, GCS) or container name passes bucketNameProblem();
//  - a name valid for a new bucket is valid for an existing one (Create is stricter than Lenient);
//  - fileName() has no '/'.
#include "FuzzSupport.h"

#include "CloudUrl.h"

using namespace skydeck;
using skydeck::fuzz::bytes;

namespace {

void checkRoundTrip(const CloudUrl &u)
{
    const QString text = u.toString();
    const Result<CloudUrl> again = CloudUrl::parse(text);
    if (!again.ok())
        std::fprintf(stderr, "'%s' does not parse back: %s\n", qPrintable(text), qPrintable(again.error().toString()));
    FUZZ_CHECK(again.ok());
    if (!(again.value() == u))
        std::fprintf(stderr, "'%s' parses back as '%s'\n", qPrintable(text), qPrintable(again.value().toString()));
    FUZZ_CHECK(again.value() == u);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> in = skydeck::fuzz::parts(bytes(data, size), 2);
    const QString text = QString::fromUtf8(in[0]);
    const QString relative = QString::fromUtf8(in[1]);

    for (const CloudUrl::Scheme s : {CloudUrl::Scheme::S3, CloudUrl::Scheme::Gcs}) {
        if (CloudUrl::bucketNameProblem(s, text, CloudUrl::BucketRules::Create).isEmpty())
            FUZZ_CHECK(CloudUrl::bucketNameProblem(s, text, CloudUrl::BucketRules::Lenient).isEmpty());
    }
    (void)CloudUrl::bucketNameProblem(CloudUrl::Scheme::Azure, text);
    (void)CloudUrl::azureAccountProblem(text);

    const Result<CloudUrl> r = CloudUrl::parse(text);
    if (!r.ok()) {
        FUZZ_CHECK(r.error().category() == Error::Category::InvalidInput);
        return 0;
    }
    const CloudUrl &u = r.value();
    if ((u.scheme() == CloudUrl::Scheme::S3 || u.scheme() == CloudUrl::Scheme::Gcs) && u.hasBucket())
        FUZZ_CHECK(CloudUrl::bucketNameProblem(u.scheme(), u.bucket()).isEmpty());
    if (u.scheme() == CloudUrl::Scheme::Azure) {
        FUZZ_CHECK(CloudUrl::azureAccountProblem(u.account()).isEmpty());
        if (u.hasBucket())
            FUZZ_CHECK(CloudUrl::bucketNameProblem(u.scheme(), u.bucket()).isEmpty());
    }
    FUZZ_CHECK(!u.fileName().contains(QLatin1Char('/')));
    (void)u.isPrefix();
    (void)u.absoluteLocalPath();
    checkRoundTrip(u);

    if (relative.isEmpty() || relative.contains(QChar(0)))
        return 0;
    const CloudUrl joined = u.joined(relative);
    // Joining below "s3://" names a bucket: only when it is a valid one is there a URL to compare.
    if (u.isObjectStore() && !u.hasBucket()
        && (joined.bucket().isEmpty() || !CloudUrl::bucketNameProblem(joined.scheme(), joined.bucket()).isEmpty()))
        return 0;
    checkRoundTrip(joined);
    return 0;
}
