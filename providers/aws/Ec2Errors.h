#pragma once

#include "Error.h"
#include "HttpClient.h"

namespace skydeck::aws {

// The error document EC2 (Query API) answers a failed request with:
// <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>
struct Ec2ErrorDocument {
    QString code;
    QString message;
    QString requestId;
};

// Returns false when body is not such a document.
bool parseEc2Error(const QByteArray &body, Ec2ErrorDocument *out);

// Maps an EC2 error code ("InvalidInstanceID.NotFound", "IncorrectInstanceState", ...) to a category.
Error::Category ec2ErrorCategory(const QString &code, int httpStatus);

// The Error for a non-2xx EC2 response. context: "i-0abc (us-east-1)", "listing eu-west-1", ...
Error ec2Error(const HttpResponse &response, const QString &context);

// EC2's throttling answers worth another try whatever their status (RequestLimitExceeded is a 503,
// but Throttling may come as a 400): the HttpClient retry classifier.
bool isRetryableEc2Response(const HttpResponse &response);

} // namespace skydeck::aws
