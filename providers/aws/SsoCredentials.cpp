// IAM Identity Center (SSO): the AWS CLI's token cache and GetRoleCredentials.
#include "CredentialProviders.h"

#include "AwsLogging.h"
#include "DisplayText.h"
#include "HttpClient.h"
#include "SmallFile.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

namespace skydeck::aws {

SsoCredentialProvider::SsoCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec), m_http(new HttpClient(this))
{
    m_http->setAllowInsecureHttp(spec.allowInsecureHttp);
}

QString SsoCredentialProvider::describe() const
{
    return QStringLiteral("IAM Identity Center role %1 in account %2 (profile %3)")
        .arg(m_spec.ssoRoleName, m_spec.ssoAccountId, m_spec.profile);
}

QString SsoCredentialProvider::sharedKey() const
{
    return QStringLiteral("sso\n") + QString::fromUtf8(QJsonDocument(m_spec.toJson()).toJson(QJsonDocument::Compact));
}

QString SsoCredentialProvider::tokenFile() const
{
    // botocore's SSOTokenLoader: the session name, or the start URL for the legacy profiles.
    const QString name = m_spec.ssoSession.isEmpty() ? m_spec.ssoStartUrl : m_spec.ssoSession;
    return m_spec.ssoTokenCacheDir + QLatin1Char('/')
        + QString::fromLatin1(QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha1).toHex())
        + QStringLiteral(".json");
}

QString SsoCredentialProvider::cliCacheFile() const
{
    if (m_spec.cliCacheDir.isEmpty())
        return {};
    // botocore's SSOCredentialFetcher._create_cache_key (compact separators).
    QList<std::pair<QString, QVariant>> args = {{QStringLiteral("roleName"), m_spec.ssoRoleName},
                                                {QStringLiteral("accountId"), m_spec.ssoAccountId}};
    if (!m_spec.ssoSession.isEmpty())
        args.append({QStringLiteral("sessionName"), m_spec.ssoSession});
    else
        args.append({QStringLiteral("startUrl"), m_spec.ssoStartUrl});
    const QByteArray hash = QCryptographicHash::hash(pythonJsonDumps(args, true), QCryptographicHash::Sha1).toHex();
    return m_spec.cliCacheDir + QLatin1Char('/') + QString::fromLatin1(hash) + QStringLiteral(".json");
}

QString SsoCredentialProvider::loginHint() const
{
    return m_spec.ssoSession.isEmpty() ? QStringLiteral("aws sso login --profile %1").arg(m_spec.profile)
                                       : QStringLiteral("aws sso login --sso-session %1").arg(m_spec.ssoSession);
}

void SsoCredentialProvider::fetch(const CancelToken &token, Callback<Credentials> done)
{
    if (const std::optional<Credentials> cached = readCliCache(cliCacheFile())) {
        qCInfo(lcAwsCredentials).noquote() << describe() << ": credentials from the AWS CLI's cache, valid until"
                                        << cached->expiration.toString(Qt::ISODate);
        done(*cached);
        return;
    }
    auto expired = [this](const QString &why) {
        return Error(Error::Category::Auth,
                     QStringLiteral("%1; run %2 to sign in again").arg(why, loginHint()),
                     QStringLiteral("SsoTokenExpired"));
    };
    const std::optional<QByteArray> text = readSmallFile(tokenFile(), 1 << 20);
    if (!text) {
        done(Error(Error::Category::Auth,
                   QStringLiteral("no IAM Identity Center (SSO) sign-in for %1 in %2; run %3")
                       .arg(m_spec.ssoSession.isEmpty() ? m_spec.ssoStartUrl : QStringLiteral("sso-session ") + m_spec.ssoSession,
                            m_spec.ssoTokenCacheDir, loginHint()),
                   QStringLiteral("SsoTokenMissing")));
        return;
    }
    const QJsonObject cached = QJsonDocument::fromJson(*text).object();
    const QString accessToken = cached.value(QLatin1String("accessToken")).toString();
    const QDateTime expiresAt = parseAwsTime(cached.value(QLatin1String("expiresAt")).toString());
    if (accessToken.isEmpty() || !expiresAt.isValid()) {
        done(Error(Error::Category::Auth,
                   QStringLiteral("the SSO token cache %1 holds no accessToken and expiresAt; run %2").arg(tokenFile(), loginHint()),
                   QStringLiteral("SsoTokenInvalid")));
        return;
    }
    if (expiresAt <= QDateTime::currentDateTimeUtc()) {
        done(expired(QStringLiteral("the IAM Identity Center (SSO) session of profile %1 expired at %2")
                         .arg(m_spec.profile, expiresAt.toString(Qt::ISODate))));
        return;
    }

    HttpRequest req;
    req.url = m_spec.ssoPortalEndpoint;
    QString path = req.url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    req.url.setPath(path + QStringLiteral("/federation/credentials"));
    req.url.setQuery(QString::fromLatin1("role_name=" + SigV4::uriEncode(m_spec.ssoRoleName.toUtf8(), false)
                                         + "&account_id=" + SigV4::uriEncode(m_spec.ssoAccountId.toUtf8(), false)));
    req.setHeader("x-amz-sso_bearer_token", accessToken.toUtf8());
    req.setHeader("Accept", "application/json");
    req.timeoutMs = 30000;
    req.maxBodyBytes = 1 << 20;
    qCDebug(lcAwsCredentials).noquote() << "GetRoleCredentials" << m_spec.ssoRoleName << m_spec.ssoAccountId << "at"
                                     << m_spec.ssoPortalEndpoint.toString(QUrl::RemoveUserInfo);
    const QString who = describe();
    m_http->send(std::move(req), token, [who, expired, profile = m_spec.profile,
                                         done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok())
            return done(Error(r.error()).setContext(QStringLiteral("GetRoleCredentials for ") + who));
        const HttpResponse &resp = r.value();
        const QJsonObject body = QJsonDocument::fromJson(resp.body).object();
        if (!resp.isSuccess()) {
            // restJson1 errors: the type in x-amzn-ErrorType ("Type:…" allowed) or __type/code.
            QString type = QString::fromLatin1(resp.header("x-amzn-ErrorType")).section(QLatin1Char(':'), 0, 0);
            if (type.isEmpty())
                type = body.value(QLatin1String("__type")).toString().section(QLatin1Char('#'), -1);
            QString message = body.value(QLatin1String("message")).toString();
            if (message.isEmpty())
                message = body.value(QLatin1String("Message")).toString();
            message = displayText(message.left(500));
            if (resp.status == 401 || type == QLatin1String("UnauthorizedException"))
                return done(expired(QStringLiteral("IAM Identity Center refused the sign-in of profile %1%2")
                                        .arg(profile, message.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(message))));
            Error::Category cat = Error::Category::Server;
            if (resp.status == 429 || type == QLatin1String("TooManyRequestsException"))
                cat = Error::Category::Throttled;
            else if (resp.status == 404 || type == QLatin1String("ResourceNotFoundException"))
                cat = Error::Category::Permission;  // the role is not assigned to this user
            else if (resp.status == 403)
                cat = Error::Category::Permission;
            else if (resp.status == 400)
                cat = Error::Category::InvalidInput;
            Error e(cat, message.isEmpty() ? QStringLiteral("HTTP %1").arg(resp.status) : message, type, resp.status);
            return done(e.setContext(QStringLiteral("GetRoleCredentials for ") + who));
        }
        const QJsonObject rc = body.value(QLatin1String("roleCredentials")).toObject();
        Credentials c;
        c.accessKeyId = rc.value(QLatin1String("accessKeyId")).toString();
        c.secretAccessKey = rc.value(QLatin1String("secretAccessKey")).toString();
        c.sessionToken = rc.value(QLatin1String("sessionToken")).toString();
        const double ms = rc.value(QLatin1String("expiration")).toDouble(-1);
        if (ms > 0)
            c.expiration = QDateTime::fromMSecsSinceEpoch(qint64(ms), QTimeZone::utc());
        if (c.accessKeyId.isEmpty() || c.secretAccessKey.isEmpty() || !c.expiration.isValid())
            return done(Error(Error::Category::Server,
                              QStringLiteral("GetRoleCredentials answered without roleCredentials (accessKeyId, "
                                             "secretAccessKey, expiration)"),
                              QStringLiteral("BadSsoResponse"), resp.status)
                            .setContext(who));
        done(c);
    });
}

} // namespace skydeck::aws
