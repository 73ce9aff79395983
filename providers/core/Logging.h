#pragma once

#include <QByteArray>
#include <QLoggingCategory>
#include <QString>

Q_DECLARE_LOGGING_CATEGORY(lcCore)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace skydeck {

// Masks secrets in text headed for a log, an error message or the UI:
// Authorization/credential headers, X-Amz-Signature and X-Amz-Credential query values,
// x-amz-security-token, sig= (Azure SAS), access_token= and key= parameters.
QString redactSecrets(const QString &text);

// True for a header whose value must never be logged.
bool isSecretHeader(const QByteArray &name);

} // namespace skydeck
