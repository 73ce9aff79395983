#include "Logging.h"

#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcCore, "skydeck.core")
Q_LOGGING_CATEGORY(lcHttp, "skydeck.http")

namespace skydeck {

QString redactSecrets(const QString &text)
{
    static const QRegularExpression patterns[] = {
        QRegularExpression(QStringLiteral(R"((Authorization:\s*)[^\r\n]+)"),
                           QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(QStringLiteral(R"((Signature=)[0-9a-fA-F]+)"),
                           QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(QStringLiteral(R"(((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|sig|access_token|refresh_token|client_secret|key)=)[^&\s"']+)"),
                           QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(QStringLiteral(R"((x-amz-security-token:\s*)[^\r\n]+)"),
                           QRegularExpression::CaseInsensitiveOption),
        // user:password@ in a URL (an --endpoint-url, a proxy): the name may stay, never the password
        QRegularExpression(QStringLiteral(R"(((?:[a-z][a-z0-9+.\-]*:)?//[^/\s:@?#]*:)[^/\s@?#]*(@))"),
                           QRegularExpression::CaseInsensitiveOption),
    };
    QString out = text;
    for (const QRegularExpression &re : patterns)
        out.replace(re, re.captureCount() >= 2 ? QStringLiteral("\\1<redacted>\\2") : QStringLiteral("\\1<redacted>"));
    return out;
}

bool isSecretHeader(const QByteArray &name)
{
    const QByteArray n = name.toLower();
    return n == "authorization" || n == "x-amz-security-token" || n == "proxy-authorization"
        || n == "x-ms-copy-source-authorization" || n == "cookie";
}

} // namespace skydeck
