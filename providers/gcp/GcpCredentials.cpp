#include "GcpCredentials.h"

#include "Account.h"
#include "GcpConfig.h"
#include "GcpLogging.h"
#include "HttpClient.h"
#include "ServiceAccountJwt.h"

#include <QJsonArray>
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
    c.loginCommand = account.setting(QStringLiteral("loginCommand"));
    c.signedInAs = c.kind == Kind::ServiceAccount ? c.clientEmail : account.setting(QStringLiteral("gcloudAccount"));
    c.impersonate = account.setting(QStringLiteral("impersonateServiceAccount"));
    if (!c.impersonate.isEmpty()) {
        c.delegates = account.setting(QStringLiteral("delegates")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        c.impersonationUrl = QUrl(account.setting(QStringLiteral("impersonationUrl")));
        if (Error e = checkSecureUrl(c.impersonationUrl, QStringLiteral("the impersonation URL")); e.isError())
            return e;
    }
    return c;
}

GcpAuthConfig GcpAuthConfig::source() const
{
    GcpAuthConfig s = *this;
    s.impersonate.clear();
    s.delegates.clear();
    s.impersonationUrl.clear();
    // generateAccessToken needs the cloud-platform (or iam) scope, whatever the target is asked for.
    s.scope = QStringLiteral("https://www.googleapis.com/auth/cloud-platform");
    return s;
}

GcpCredentials::GcpCredentials(GcpAuthConfig config, HttpClient *http, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_http(http)
{
    m_clock.start();
    if (!m_config.impersonate.isEmpty())
        m_source = new GcpCredentials(m_config.source(), m_http, this);
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
    delete m_source;  // answers our pending source request (Cancelled), with no one left waiting
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
    if (m_source) {
        fetchImpersonated(false);
        return;
    }
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
        QString text = QStringLiteral("Google token endpoint refused the credentials");
        if (!m_config.signedInAs.isEmpty())
            text += QStringLiteral(" of ") + m_config.signedInAs;
        text += QStringLiteral(": ") + message;
        // invalid_grant: the refresh token was revoked or expired (a password change, a session
        // limit, `gcloud auth revoke`), or the key was deleted. Signing in again is the way out.
        if (code == QLatin1String("invalid_grant") && !m_config.loginCommand.isEmpty())
            text += QStringLiteral(" (run %1 again)").arg(m_config.loginCommand);
        return Error(cat, text, code, response.status);
    }
    const QByteArray token = o.value(QLatin1String("access_token")).toString().toUtf8();
    const double expiresIn = o.value(QLatin1String("expires_in")).toDouble(3600);
    if (token.isEmpty())
        return Error(Error::Category::Server, QStringLiteral("Google token endpoint answered without an access_token"),
                     QStringLiteral("BadTokenResponse"), response.status);
    qCInfo(lcGcp) << "access token obtained, valid for" << expiresIn << "s";
    return store(token, qint64(expiresIn * 1000));
}

QByteArray GcpCredentials::store(const QByteArray &token, qint64 lifetimeMs)
{
    const qint64 earlyMs = std::min<qint64>(300000, lifetimeMs / 5);
    m_refreshAtMs = m_clock.elapsed() + lifetimeMs - earlyMs;
    m_expiry = QDateTime::currentDateTimeUtc().addMSecs(lifetimeMs);
    m_token = token;
    ++m_fetches;
    return token;
}

void GcpCredentials::fetchImpersonated(bool retriedSource)
{
    QPointer<GcpCredentials> self(this);
    m_source->accessToken(m_fetchToken, [this, self, retriedSource](Result<QByteArray> source) {
        if (!self)
            return;
        if (!source.ok()) {
            finishFetch(source.error());
            return;
        }
        QJsonArray scopes;
        for (const QString &s : m_config.scope.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            scopes.append(s);
        QJsonObject body{{QStringLiteral("scope"), scopes}, {QStringLiteral("lifetime"), QStringLiteral("3600s")}};
        if (!m_config.delegates.isEmpty()) {
            QJsonArray delegates;
            for (const QString &d : m_config.delegates)
                delegates.append(QString(QStringLiteral("projects/-/serviceAccounts/") + d));
            body.insert(QStringLiteral("delegates"), delegates);
        }
        HttpRequest req;
        req.method = "POST";
        req.url = m_config.impersonationUrl;
        req.setHeader("Authorization", "Bearer " + source.value());
        req.setHeader("Content-Type", "application/json");
        req.setHeader("Accept", "application/json");
        req.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        req.timeoutMs = 30000;
        qCDebug(lcGcp) << "impersonating" << m_config.impersonate << "at" << m_config.impersonationUrl.toString(QUrl::RemoveQuery);
        const QByteArray used = source.value();
        m_http->send(std::move(req), m_fetchToken, [this, self, used, retriedSource](Result<HttpResponse> r) {
            if (!self)
                return;
            if (!r.ok()) {
                finishFetch(Error(r.error()).setContext(QStringLiteral("IAM Credentials")));
                return;
            }
            if (r.value().status == 401 && !retriedSource) {
                // The source token was refused before we thought it expired: once more with a new one.
                m_source->invalidate(used);
                fetchImpersonated(true);
                return;
            }
            finishFetch(parseImpersonationResponse(r.value()));
        });
    });
}

Result<QByteArray> GcpCredentials::parseImpersonationResponse(const HttpResponse &response)
{
    const QJsonObject o = QJsonDocument::fromJson(response.body).object();
    if (!response.isSuccess()) {
        // https://cloud.google.com/apis/design/errors: {"error": {"code", "message", "status", "details"}}
        const QJsonObject e = o.value(QLatin1String("error")).toObject();
        QString status = e.value(QLatin1String("status")).toString();
        QString message = e.value(QLatin1String("message")).toString();
        if (message.isEmpty())
            message = QStringLiteral("HTTP %1").arg(response.status);
        const QString as = m_config.signedInAs.isEmpty() ? QString() : QStringLiteral(" ") + m_config.signedInAs;
        Error::Category cat = Error::Category::Server;
        QString text;
        if (response.status == 403) {
            cat = Error::Category::Permission;
            text = QStringLiteral("Google refused to let%1 impersonate the service account %2: %3 (the caller needs "
                                  "roles/iam.serviceAccountTokenCreator on %2)")
                       .arg(as, m_config.impersonate, message);
        } else {
            if (response.status == 401)
                cat = Error::Category::Auth;
            else if (response.status == 404)
                cat = Error::Category::NotFound;
            else if (response.status == 429)
                cat = Error::Category::Throttled;
            else if (response.status >= 400 && response.status < 500)
                cat = Error::Category::InvalidInput;
            text = QStringLiteral("IAM Credentials could not give a token for the service account %1: %2")
                       .arg(m_config.impersonate, message);
        }
        if (status.isEmpty())
            status = QStringLiteral("HTTP%1").arg(response.status);
        return Error(cat, text, status, response.status);
    }
    const QByteArray token = o.value(QLatin1String("accessToken")).toString().toUtf8();
    const QDateTime expires = QDateTime::fromString(o.value(QLatin1String("expireTime")).toString(), Qt::ISODateWithMs);
    if (token.isEmpty() || !expires.isValid())
        return Error(Error::Category::Server,
                     QStringLiteral("IAM Credentials answered without an accessToken and expireTime for %1").arg(m_config.impersonate),
                     QStringLiteral("BadTokenResponse"), response.status);
    const qint64 lifetimeMs = std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(expires.toUTC()));
    qCInfo(lcGcp) << "access token for" << m_config.impersonate << "obtained, valid for" << lifetimeMs / 1000 << "s";
    return store(token, lifetimeMs);
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
