#include "S3Errors.h"

#include "Logging.h"
#include "S3Xml.h"

namespace skydeck::aws {

Error::Category s3ErrorCategory(const QString &code, int httpStatus)
{
    using C = Error::Category;
    static const QHash<QString, C> map = {
        {QStringLiteral("NoSuchKey"), C::NotFound},
        {QStringLiteral("NoSuchBucket"), C::NotFound},
        {QStringLiteral("NoSuchUpload"), C::NotFound},
        {QStringLiteral("NoSuchVersion"), C::NotFound},
        {QStringLiteral("AccessDenied"), C::Permission},
        {QStringLiteral("AllAccessDisabled"), C::Permission},
        {QStringLiteral("AccountProblem"), C::Permission},
        {QStringLiteral("InvalidAccessKeyId"), C::Auth},
        {QStringLiteral("SignatureDoesNotMatch"), C::Auth},
        {QStringLiteral("ExpiredToken"), C::Auth},
        {QStringLiteral("InvalidToken"), C::Auth},
        {QStringLiteral("TokenRefreshRequired"), C::Auth},
        {QStringLiteral("RequestTimeTooSkewed"), C::Auth},
        {QStringLiteral("BucketAlreadyExists"), C::Conflict},
        {QStringLiteral("BucketAlreadyOwnedByYou"), C::Conflict},
        {QStringLiteral("BucketNotEmpty"), C::Conflict},
        {QStringLiteral("InvalidBucketState"), C::Conflict},
        {QStringLiteral("OperationAborted"), C::Conflict},
        {QStringLiteral("PreconditionFailed"), C::Conflict},
        {QStringLiteral("SlowDown"), C::Throttled},
        {QStringLiteral("Throttling"), C::Throttled},
        {QStringLiteral("ThrottlingException"), C::Throttled},
        {QStringLiteral("RequestLimitExceeded"), C::Throttled},
        {QStringLiteral("TooManyRequests"), C::Throttled},
        {QStringLiteral("InternalError"), C::Server},
        {QStringLiteral("ServiceUnavailable"), C::Server},
        {QStringLiteral("RequestTimeout"), C::Network},
        {QStringLiteral("InvalidBucketName"), C::InvalidInput},
        {QStringLiteral("InvalidArgument"), C::InvalidInput},
        {QStringLiteral("InvalidRange"), C::InvalidInput},
        {QStringLiteral("InvalidPart"), C::InvalidInput},
        {QStringLiteral("InvalidPartOrder"), C::InvalidInput},
        {QStringLiteral("EntityTooSmall"), C::InvalidInput},
        {QStringLiteral("EntityTooLarge"), C::InvalidInput},
        {QStringLiteral("KeyTooLongError"), C::InvalidInput},
        {QStringLiteral("MalformedXML"), C::InvalidInput},
        {QStringLiteral("InvalidDigest"), C::Integrity},
        {QStringLiteral("BadDigest"), C::Integrity},
        {QStringLiteral("XAmzContentSHA256Mismatch"), C::Integrity},
    };
    const auto it = map.constFind(code);
    if (it != map.constEnd())
        return *it;
    switch (httpStatus) {
    case 401: return C::Auth;
    case 403: return C::Permission;
    case 404: return C::NotFound;
    case 409: case 412: return C::Conflict;
    case 429: return C::Throttled;
    case 400: case 405: case 411: case 413: case 416: return C::InvalidInput;
    default: break;
    }
    return httpStatus == 503 ? C::Throttled : C::Server;
}

Error s3Error(const HttpResponse &response, const QString &context)
{
    S3ErrorDocument doc;
    const bool hasDoc = S3Xml::parseError(response.body, &doc);
    QString code = hasDoc ? doc.code : QString();
    QString message = hasDoc ? doc.message : QString();
    if (!hasDoc) {
        switch (response.status) {
        case 301: code = QStringLiteral("PermanentRedirect"); message = QStringLiteral("The bucket is in another region"); break;
        case 307: code = QStringLiteral("TemporaryRedirect"); message = QStringLiteral("The bucket is in another region"); break;
        case 400: message = QStringLiteral("Bad request"); break;
        case 403: code = QStringLiteral("AccessDenied"); message = QStringLiteral("Access denied"); break;
        case 404: code = QStringLiteral("NotFound"); message = QStringLiteral("Not found"); break;
        case 409: message = QStringLiteral("Conflict"); break;
        case 412: code = QStringLiteral("PreconditionFailed"); message = QStringLiteral("The object changed (precondition failed)"); break;
        case 503: code = QStringLiteral("SlowDown"); message = QStringLiteral("Service unavailable"); break;
        default:
            message = response.body.isEmpty() || response.status < 500
                ? QStringLiteral("HTTP %1").arg(response.status)
                : QStringLiteral("HTTP %1 with an unreadable error body").arg(response.status);
        }
    }
    if (message.isEmpty())
        message = code;
    Error e(s3ErrorCategory(code, response.status), redactSecrets(message), code, response.status);
    e.setContext(context);
    return e;
}

bool isRetryableS3Response(const HttpResponse &response)
{
    if (response.status != 400 && response.status != 403)
        return false;
    S3ErrorDocument doc;
    if (!S3Xml::parseError(response.body, &doc))
        return false;
    static const QStringList retryable = {QStringLiteral("RequestTimeout"), QStringLiteral("SlowDown"),
                                          QStringLiteral("Throttling"), QStringLiteral("ThrottlingException"),
                                          QStringLiteral("RequestLimitExceeded"), QStringLiteral("RequestThrottled")};
    return retryable.contains(doc.code);
}

QString regionHint(const HttpResponse &response)
{
    const QByteArray header = response.header("x-amz-bucket-region").trimmed();
    if (!header.isEmpty())
        return QString::fromLatin1(header);
    S3ErrorDocument doc;
    if (S3Xml::parseError(response.body, &doc))
        return doc.region.trimmed();
    return {};
}

} // namespace skydeck::aws
