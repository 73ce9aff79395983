#pragma once

#include "Error.h"
#include "HttpClient.h"

namespace skydeck::aws {

// Maps an S3 error code ("NoSuchKey", "SlowDown", ...) to an Error category.
Error::Category s3ErrorCategory(const QString &code, int httpStatus);

// The Error for a non-2xx S3 response: from its <Error> document, or from the status alone (HEAD
// has no body). context: "s3://bucket/key" or similar.
Error s3Error(const HttpResponse &response, const QString &context);

// S3's 400s worth another try (RequestTimeout, SlowDown/Throttling on a 400): the HttpClient retry
// classifier.
bool isRetryableS3Response(const HttpResponse &response);

// The region S3 says a bucket lives in, from a redirect or AuthorizationHeaderMalformed answer;
// empty when it names none.
QString regionHint(const HttpResponse &response);

} // namespace skydeck::aws
