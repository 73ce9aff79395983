#include "Ec2Errors.h"

#include "AwsXml.h"
#include "Logging.h"

#include <QHash>
#include <QXmlStreamReader>

namespace skydeck::aws {

bool parseEc2Error(const QByteArray &body, Ec2ErrorDocument *out)
{
    if (body.trimmed().isEmpty() || body.size() > AwsXml::kMaxBodyBytes)
        return false;
    // EC2: <Response><Errors><Error>; the other Query services (and moto's auth failures):
    // <ErrorResponse><Error> or <ErrorResponse><Errors><Error>.
    QXmlStreamReader xml(body);
    QStringList path;
    Ec2ErrorDocument doc;
    bool sawError = false;
    while (!xml.atEnd()) {
        const auto t = xml.readNext();
        if (t == QXmlStreamReader::StartElement) {
            path.append(xml.name().toString());
            if (!AwsXml::checkDepth(xml, path.size()))
                return false;
            if (path.size() == 1 && path.first() != QLatin1String("Response") && path.first() != QLatin1String("ErrorResponse"))
                return false;
            const qsizetype errorAt = path.indexOf(QLatin1String("Error"));
            const bool errorPlace = errorAt == 1 || (errorAt == 2 && path.at(1) == QLatin1String("Errors"));
            if (errorPlace && path.size() == errorAt + 1)
                sawError = true;
            // Only the first <Error> counts (EC2 sends one).
            if (errorPlace && path.size() == errorAt + 2 && path.last() == QLatin1String("Code") && doc.code.isEmpty()) {
                doc.code = AwsXml::text(xml).trimmed();
                path.removeLast();
            } else if (errorPlace && path.size() == errorAt + 2 && path.last() == QLatin1String("Message")
                       && doc.message.isEmpty()) {
                doc.message = AwsXml::text(xml).trimmed();
                path.removeLast();
            } else if (path.size() == 2 && (path.at(1) == QLatin1String("RequestID")
                                            || path.at(1) == QLatin1String("RequestId"))) {
                doc.requestId = AwsXml::text(xml).trimmed();
                path.removeLast();
            }
        } else if (t == QXmlStreamReader::EndElement && !path.isEmpty()) {
            path.removeLast();
        }
    }
    if (xml.hasError() || !sawError || doc.code.isEmpty())
        return false;
    if (out)
        *out = doc;
    return true;
}

Error::Category ec2ErrorCategory(const QString &code, int httpStatus)
{
    using C = Error::Category;
    static const QHash<QString, C> map = {
        {QStringLiteral("InvalidInstanceID.NotFound"), C::NotFound},
        {QStringLiteral("InvalidInstanceID.Malformed"), C::InvalidInput},
        {QStringLiteral("InvalidInstanceID"), C::InvalidInput},
        {QStringLiteral("IncorrectInstanceState"), C::Conflict},
        {QStringLiteral("IncorrectState"), C::Conflict},
        {QStringLiteral("IncorrectSpotRequestState"), C::Conflict},
        {QStringLiteral("OperationNotPermitted"), C::Conflict},  // termination protection, ...
        {QStringLiteral("UnsupportedOperation"), C::Conflict},   // e.g. stopping an instance-store instance
        {QStringLiteral("RequestLimitExceeded"), C::Throttled},
        {QStringLiteral("Throttling"), C::Throttled},
        {QStringLiteral("ThrottlingException"), C::Throttled},
        {QStringLiteral("UnauthorizedOperation"), C::Permission},
        {QStringLiteral("AccessDenied"), C::Permission},  // IAM's word (moto's IAM layer answers it for EC2)
        {QStringLiteral("OptInRequired"), C::Permission},
        {QStringLiteral("Blocked"), C::Permission},
        {QStringLiteral("PendingVerification"), C::Permission},
        {QStringLiteral("AuthFailure"), C::Auth},
        {QStringLiteral("InvalidClientTokenId"), C::Auth},
        {QStringLiteral("SignatureDoesNotMatch"), C::Auth},
        {QStringLiteral("IncompleteSignature"), C::Auth},
        {QStringLiteral("MissingAuthenticationToken"), C::Auth},
        {QStringLiteral("ExpiredToken"), C::Auth},
        {QStringLiteral("RequestExpired"), C::Auth},
        {QStringLiteral("InvalidParameterValue"), C::InvalidInput},
        {QStringLiteral("InvalidParameterCombination"), C::InvalidInput},
        {QStringLiteral("InvalidParameter"), C::InvalidInput},
        {QStringLiteral("MissingParameter"), C::InvalidInput},
        {QStringLiteral("UnknownParameter"), C::InvalidInput},
        {QStringLiteral("InvalidAction"), C::InvalidInput},
        {QStringLiteral("InvalidInstanceType"), C::InvalidInput},
        {QStringLiteral("InvalidBlockDeviceMapping"), C::InvalidInput},
        {QStringLiteral("InstanceLimitExceeded"), C::Conflict},
        {QStringLiteral("VcpuLimitExceeded"), C::Conflict},
        {QStringLiteral("MaxSpotInstanceCountExceeded"), C::Conflict},
        {QStringLiteral("InsufficientInstanceCapacity"), C::Conflict},
        {QStringLiteral("SpotMaxPriceTooLow"), C::Conflict},
        // STS's own words (the same Query API error document)
        {QStringLiteral("ExpiredTokenException"), C::Auth},
        {QStringLiteral("InvalidIdentityToken"), C::Auth},
        {QStringLiteral("IDPRejectedClaim"), C::Auth},
        {QStringLiteral("RegionDisabledException"), C::Permission},
        {QStringLiteral("MalformedPolicyDocument"), C::InvalidInput},
        {QStringLiteral("PackedPolicyTooLarge"), C::InvalidInput},
        {QStringLiteral("ValidationError"), C::InvalidInput},
        {QStringLiteral("IDPCommunicationError"), C::Server},
        {QStringLiteral("InternalError"), C::Server},
        {QStringLiteral("InternalFailure"), C::Server},
        {QStringLiteral("Unavailable"), C::Server},
        {QStringLiteral("ServiceUnavailable"), C::Server},
    };
    const auto it = map.constFind(code);
    if (it != map.constEnd())
        return *it;
    // The families EC2 names by suffix: InvalidAMIID.NotFound, InvalidKeyPair.NotFound,
    // InvalidAMIID.Malformed, InvalidSubnetID.Malformed, ...
    if (code.endsWith(QLatin1String(".NotFound")))
        return C::NotFound;
    if (code.endsWith(QLatin1String(".Malformed")) || code.endsWith(QLatin1String(".Unavailable")))
        return C::InvalidInput;
    switch (httpStatus) {
    case 401: return C::Auth;
    case 403: return C::Permission;
    case 404: return C::NotFound;
    case 409: return C::Conflict;
    case 429: return C::Throttled;
    case 400: return C::InvalidInput;
    case 503: return C::Throttled;
    default: break;
    }
    return C::Server;
}

Error ec2Error(const HttpResponse &response, const QString &context)
{
    Ec2ErrorDocument doc;
    QString code;
    QString message;
    if (parseEc2Error(response.body, &doc)) {
        code = doc.code;
        message = doc.message.isEmpty() ? doc.code : doc.message;
    } else {
        message = response.body.isEmpty() || response.status < 500
            ? QStringLiteral("HTTP %1").arg(response.status)
            : QStringLiteral("HTTP %1 with an unreadable error body").arg(response.status);
    }
    Error e(ec2ErrorCategory(code, response.status), redactSecrets(message), code, response.status);
    e.setContext(context);
    return e;
}

bool isRetryableEc2Response(const HttpResponse &response)
{
    if (response.status != 400 && response.status != 403 && response.status != 429)
        return false;
    Ec2ErrorDocument doc;
    if (!parseEc2Error(response.body, &doc))
        return false;
    static const QStringList retryable = {QStringLiteral("RequestLimitExceeded"), QStringLiteral("Throttling"),
                                          QStringLiteral("ThrottlingException"), QStringLiteral("RequestThrottled")};
    return retryable.contains(doc.code);
}

} // namespace skydeck::aws
