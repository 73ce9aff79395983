#include "GcpCredentials.h"

#include "Account.h"
#include "GcpConfig.h"
#include "GcpLogging.h"
#include "HttpClient.h"
#include "ServiceAccountJwt.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

namespace skydeck::gcp {

namespace {
constexpr const char *kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

QByteArray formEncode(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[k, v] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    }
    return out;
}
} // namespace

struct GcpCredentials::Waiter {
    Callback<QByteArray> done;
    QMetaObject::Connection cancelConnection;
};

Result<GcpAuthConfig> GcpAuthConfig::fromAccount(const Account &account)
{
    GcpAuthConfig c;
    const QString type = account.setting(QStringLiteral("type"));
    c.tokenUri = QUrl(account.setting(QStringLiteral("tokenUri"), QLatin1String(kDefaultTokenUri)));
    if (Error e = checkSecureUrl(c.tokenUri, QStringLiteral("token_uri")); e.isError())
        return e;
    const QString scope = account.setting(QStringLiteral("scope"));
    if (!scope.isEmpty())
        c.scope = scope;
    if (type == QLatin1String("service_account")) {
        c.kind = Kind::ServiceAccount;
        c.clientEmail = account.setting(QStringLiteral("clientEmail"));
        c.privateKeyId = account.setting(QStringLiteral("privateKeyId"));
        c.privateKeyPem = account.secret(QStringLiteral("privateKey")).toUtf8();
        if (c.clientEmail.isEmpty() || c.privateKeyPem.isEmpty())
            return Error(Error::Category::Auth, QStringLiteral("the service account's key is missing (client_email, private_key)"),
                         QStringLiteral("NoCredentials"));
    } else if (type == QLatin1String("authorized_user")) {
        c.kind = Kind::AuthorizedUser;
        c.clientId = account.setting(QStringLiteral("clientId"));
        c.clientSecret = account.secret(QStringLiteral("clientSecret"));
        c.refreshToken = account.secret(QStringLiteral("refreshToken"));
        if (c.clientId.isEmpty() || c.clientSecret.isEmpty() || c.refreshToken.isEmpty())
            return Error(Error::Category::Auth,
                         QStringLiteral("the user credentials are incomplete (client_id, client_secret, refresh_token): "
                                        "run gcloud auth application-default login"),
                         QStringLiteral("NoCredentials"));
    } else {
        return Error(Error::Category::Auth, QStringLiteral("unsupported Google credentials type \"%1\"").arg(type),
                     QStringLiteral("UnsupportedCredentials"));
    }
    return c;
}

GcpCredentials::GcpCredentials(GcpAuthConfig config, HttpClient *http, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_http(http)
{
    m_clock.start();
}

GcpCredentials::~GcpCredentials()
{
    m_fetchToken.cancel();
    // Every caller hears back, even when the client goes away mid-fetch.
    auto waiters = std::move(m_waiters);
    for (const auto &w : waiters) {
        QObject::disconnect(w->cancelConnection);
        w->done(Error::cancelled());
    }
}

bool GcpCredentials::cachedIsFresh() const
{
    return !m_token.isEmpty() && m_clock.elapsed() < m_refreshAtMs;
}

void GcpCredentials::accessToken(const CancelToken &token, Callback<QByteArray> done)
{
    if (token.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    if (cachedIsFresh()) {
        done(m_token);
        return;
    }
    auto waiter = std::make_shared<Waiter>();
    waiter->done = std::move(done);
    m_waiters.push_back(waiter);
    std::weak_ptr<Waiter> weak = waiter;
    waiter->cancelConnection = token.onCancel(this, [this, weak] {
        auto w = weak.lock();
        if (!w)
            return;
        m_waiters.remove(w);
        w->done(Error::cancelled());
    });
    if (!m_fetching)
        fetch();
}

void GcpCredentials::invalidate(const QByteArray &token)
{
    if (!token.isEmpty() && token == m_token) {
        qCInfo(lcGcp) << "access token refused: fetching a new one";
        m_token.clear();
        m_refreshAtMs = 0;
    }
}

void GcpCredentials::fetch()
{
    m_fetching = true;
    m_fetchToken = CancelToken();
    HttpRequest req;
    req.method = "POST";
    req.url = m_config.tokenUri;
    req.setHeader("Content-Type", "application/x-www-form-urlencoded");
    req.setHeader("Accept", "application/json");
    req.timeoutMs = 30000;
    if (m_config.kind == GcpAuthConfig::Kind::ServiceAccount) {
        JwtClaims claims;
        claims.issuer = m_config.clientEmail;
        claims.scope = m_config.scope;
        // Google: "When making an access token request this value is always
        // https://oauth2.googleapis.com/token", whatever token_uri the request goes to.
        claims.audience = QLatin1String(kDefaultTokenUri);
        claims.issuedAt = QDateTime::currentDateTimeUtc();
        claims.keyId = m_config.privateKeyId;
        Result<QByteArray> jwt = signJwt(claims, m_config.privateKeyPem);
        if (!jwt.ok()) {
            finishFetch(jwt.error());
            return;
        }
        req.body = formEncode({{QStringLiteral("grant_type"), QLatin1String(kJwtBearer)},
                               {QStringLiteral("assertion"), QString::fromLatin1(jwt.value())}});
    } else if (m_config.kind == GcpAuthConfig::Kind::AuthorizedUser) {
        req.body = formEncode({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                               {QStringLiteral("client_id"), m_config.clientId},
                               {QStringLiteral("client_secret"), m_config.clientSecret},
                               {QStringLiteral("refresh_token"), m_config.refreshToken}});
    } else {
        finishFetch(Error(Error::Category::Auth, QStringLiteral("no Google credentials"), QStringLiteral("NoCredentials")));
        return;
    }
    qCDebug(lcGcp) << "fetching an access token from" << m_config.tokenUri.toString(QUrl::RemoveQuery);
    QPointer<GcpCredentials> self(this);
    m_http->send(std::move(req), m_fetchToken, [this, self](Result<HttpResponse> r) {
        if (!self)
            return;  // destroyed: its waiters were answered Cancelled
        if (!r.ok()) {
            finishFetch(Error(r.error()).setContext(QStringLiteral("Google token endpoint")));
            return;
        }
        finishFetch(parseTokenResponse(r.value()));
    });
}

Result<QByteArray> GcpCredentials::parseTokenResponse(const HttpResponse &response)
{
    const QJsonObject o = QJsonDocument::fromJson(response.body).object();
    if (!response.isSuccess()) {
        // RFC 6749 section 5.2: {"error": "invalid_grant", "error_description": "..."}
        const QString code = o.value(QLatin1String("error")).toString();
        QString message = o.value(QLatin1String("error_description")).toString();
        if (message.isEmpty())
            message = code.isEmpty() ? QStringLiteral("HTTP %1").arg(response.status) : code;
        Error::Category cat = Error::Category::Auth;
        if (response.status == 429)
            cat = Error::Category::Throttled;
        else if (response.status >= 500)
            cat = Error::Category::Server;
        return Error(cat, QStringLiteral("Google token endpoint refused the credentials: ") + message, code,
                     response.status);
    }
    const QByteArray token = o.value(QLatin1String("access_token")).toString().toUtf8();
    const double expiresIn = o.value(QLatin1String("expires_in")).toDouble(3600);
    if (token.isEmpty())
        return Error(Error::Category::Server, QStringLiteral("Google token endpoint answered without an access_token"),
                     QStringLiteral("BadTokenResponse"), response.status);
    const qint64 lifetimeMs = qint64(expiresIn * 1000);
    const qint64 earlyMs = std::min<qint64>(300000, lifetimeMs / 5);
    m_refreshAtMs = m_clock.elapsed() + lifetimeMs - earlyMs;
    m_expiry = QDateTime::currentDateTimeUtc().addMSecs(lifetimeMs);
    m_token = token;
    ++m_fetches;
    qCInfo(lcGcp) << "access token obtained, valid for" << expiresIn << "s";
    return token;
}

void GcpCredentials::finishFetch(Result<QByteArray> result)
{
    m_fetching = false;
    if (!result.ok())
        qCWarning(lcGcp) << "no access token:" << result.error().toString();
    auto waiters = std::move(m_waiters);
    m_waiters.clear();
    for (const auto &w : waiters) {
        QObject::disconnect(w->cancelConnection);
        w->done(result);
    }
}

} // namespace skydeck::gcp
