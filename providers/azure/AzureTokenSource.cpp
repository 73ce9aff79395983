#include "AzureTokenSource.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::azure {

std::unique_ptr<TokenSource> makeTokenSource(const ArmConfig &config)
{
    switch (config.credential) {
    case ArmCredential::ClientSecret:
        return makeClientSecretSource(config);
    case ArmCredential::ClientCertificate:
        return makeClientCertificateSource(config);
    case ArmCredential::AzureCli:
        return makeAzureCliSource(config);
    case ArmCredential::ManagedIdentity:
        return makeManagedIdentitySource(config);
    }
    return makeClientSecretSource(config);
}

HttpRequest formPost(const QUrl &url, const QList<QPair<QString, QString>> &form)
{
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.setHeader("Content-Type", "application/x-www-form-urlencoded");
    req.setHeader("Accept", "application/json");
    QByteArray body;
    for (const auto &[k, v] : form) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    }
    req.body = body;
    return req;
}

Error tokenError(const HttpResponse &resp, const QString &prefix)
{
    const QJsonObject o = QJsonDocument::fromJson(resp.body).object();
    QString code = o.value(QStringLiteral("error")).toString();
    QString message = o.value(QStringLiteral("error_description")).toString();
    if (const qsizetype trace = message.indexOf(QLatin1String(" Trace ID:")); trace > 0)
        message.truncate(trace);
    message = message.trimmed();
    if (code.isEmpty())
        code = QStringLiteral("HTTP%1").arg(resp.status);
    if (message.isEmpty())
        message = QStringLiteral("the token endpoint answered HTTP %1").arg(resp.status);
    const Error::Category cat = resp.status == 429 ? Error::Category::Throttled
        : resp.status >= 500                       ? Error::Category::Server
                                                   : Error::Category::Auth;
    return Error(cat, prefix + message, code, resp.status);
}

Result<IssuedToken> TokenSource::accept(const HttpResponse &resp)
{
    const QJsonObject o = QJsonDocument::fromJson(resp.body).object();
    IssuedToken t;
    t.accessToken = o.value(QStringLiteral("access_token")).toString().toUtf8();
    t.lifetimeMs = o.value(QStringLiteral("expires_in")).toVariant().toLongLong() * 1000;
    if (t.accessToken.isEmpty() || t.lifetimeMs <= 0)
        return Error(Error::Category::Server,
                     QStringLiteral("Azure sign-in: the token endpoint's answer has no access_token/expires_in"),
                     QStringLiteral("MalformedTokenResponse"), resp.status);
    return t;
}

Error TokenSource::refused(const HttpResponse &resp)
{
    return tokenError(resp, QStringLiteral("Azure sign-in failed: "));
}

} // namespace skydeck::azure
