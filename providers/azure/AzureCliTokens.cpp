// The Azure CLI's signed-in user: an access token from its MSAL cache while one is valid for the
// subscription's tenant and the CLI's scope, else the refresh token grant with the CLI's own client id
// at {authority}/{tenant}/oauth2/v2.0/token (/entra/identity-platform/v2-oauth2-auth-code-flow,
// "Refresh the access token"), as MSAL's acquire_token_silent does for az. The cache is read again
// before each token, so a new `az login` is picked up and `az logout` ends the account's renewals;
// the refresh token a grant hands back is kept in memory only (the CLI's cache is never written).
#include "AzureLogging.h"
#include "AzureTokenSource.h"
#include "MsalTokenCache.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace skydeck::azure {

namespace {

constexpr qint64 kMinCachedSeconds = 5 * 60;  // MSAL renews an access token this close to its expiry

class AzureCliSource : public TokenSource
{
public:
    explicit AzureCliSource(ArmConfig config) : m_config(std::move(config)) {}

    std::optional<IssuedToken> ready() override
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const Result<MsalCachedTokens> cached = readCache(now);
        if (!cached.ok() || cached->accessToken.isEmpty() || m_rejected.contains(cached->accessToken))
            return std::nullopt;
        qCDebug(lcAzure) << "using the Azure CLI's cached access token of" << m_config.cliUser;
        return IssuedToken{cached->accessToken, (cached->accessExpiresOn - now) * 1000};
    }

    Result<HttpRequest> request() override
    {
        // Signed out since (az logout, or the cache gone): the refresh token in memory is not used either.
        const Result<MsalCachedTokens> cached = readCache(QDateTime::currentSecsSinceEpoch());
        if (!cached.ok()) {
            m_refresh.clear();
            m_cacheRefresh.clear();
            return cached.error();
        }
        if (m_refresh.isEmpty())
            return Error(Error::Category::Auth,
                         QStringLiteral("Azure CLI: no refresh token for %1 in its token cache: run az login").arg(m_config.cliUser),
                         QStringLiteral("AzureCliNotSignedIn"));
        return formPost(m_config.tokenUrl(),
                        {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                         {QStringLiteral("client_id"), QString::fromLatin1(kAzureCliClientId)},
                         {QStringLiteral("refresh_token"), QString::fromUtf8(m_refresh)},
                         {QStringLiteral("scope"), m_config.scope() + QStringLiteral(" offline_access openid profile")},
                         {QStringLiteral("client_info"), QStringLiteral("1")}});
    }

    Result<IssuedToken> accept(const HttpResponse &response) override
    {
        const QByteArray rotated =
            QJsonDocument::fromJson(response.body).object().value(QStringLiteral("refresh_token")).toString().toUtf8();
        if (!rotated.isEmpty())
            m_refresh = rotated;  // memory only
        return TokenSource::accept(response);
    }

    Error refused(const HttpResponse &response) override
    {
        Error e = tokenError(response, QStringLiteral("Azure CLI sign-in of %1 failed: ").arg(m_config.cliUser));
        if (e.code() == QLatin1String("invalid_grant")) {  // expired (AADSTS700082), revoked (AADSTS50173), ...
            QString message = e.message();
            while (message.endsWith(QLatin1Char('.')))
                message.chop(1);
            return Error(e.category(), message + QStringLiteral(": run az login again"), e.code(), e.httpStatus());
        }
        return e;
    }

    void rejected(const QByteArray &token) override { m_rejected.insert(token); }

    QString describe() const override { return QStringLiteral("the Azure CLI's %1").arg(m_config.cliUser); }

private:
    // The CLI's cache as it is now; a refresh token az wrote since the last read (a new az login, or
    // az renewing its own) replaces the one in memory.
    Result<MsalCachedTokens> readCache(qint64 now)
    {
        MsalQuery q;
        q.username = m_config.cliUser;
        q.environment = m_config.cliEnvironment;
        q.tenantId = m_config.tenantId;
        q.scope = m_config.scope();
        q.now = now;
        q.minValidSeconds = kMinCachedSeconds;
        Result<MsalCachedTokens> r = readMsalCache(m_config.cliConfigDir, q);
        if (r.ok() && !r->refreshToken.isEmpty() && r->refreshToken != m_cacheRefresh) {
            m_cacheRefresh = r->refreshToken;
            m_refresh = r->refreshToken;
        }
        return r;
    }

    ArmConfig m_config;
    QByteArray m_cacheRefresh;  // the refresh token last read from the CLI's cache
    QByteArray m_refresh;       // the one to use next: the cache's, or the one the last grant handed back
    QSet<QByteArray> m_rejected;
};

} // namespace

std::unique_ptr<TokenSource> makeAzureCliSource(const ArmConfig &config)
{
    return std::make_unique<AzureCliSource>(config);
}

} // namespace skydeck::azure
