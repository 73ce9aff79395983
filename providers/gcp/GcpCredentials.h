#pragma once

#include "CancelToken.h"
#include "Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <list>

namespace skydeck {
struct Account;
class HttpClient;
struct HttpResponse;
}

namespace skydeck::gcp {

// What an account needs to get OAuth 2.0 access tokens.
struct GcpAuthConfig {
    enum class Kind { None, ServiceAccount, AuthorizedUser };
    Kind kind = Kind::None;
    QUrl tokenUri;
    QString scope = QStringLiteral("https://www.googleapis.com/auth/cloud-platform");
    // Service account (JWT bearer grant, RS256):
    QString clientEmail;
    QString privateKeyId;
    QByteArray privateKeyPem;  // secret
    // authorized_user (refresh-token grant):
    QString clientId;
    QString clientSecret;      // secret
    QString refreshToken;      // secret
    // What to run when the token endpoint refuses the credentials ("gcloud auth login alice@...").
    QString loginCommand;
    // Service-account impersonation: the credentials above get a token (cloud-platform scope) that
    // IAM Credentials' generateAccessToken at impersonationUrl exchanges for `impersonate`'s, with
    // `scope`, through `delegates` in order.
    QString impersonate;
    QStringList delegates;
    QUrl impersonationUrl;
    QString signedInAs;        // the source credentials' principal, for messages

    // The source credentials of an impersonating config: the same without the impersonation.
    GcpAuthConfig source() const;

    // From an Account's settings (type, tokenUri, clientEmail, privateKeyId, clientId, loginCommand,
    // impersonateServiceAccount, delegates, impersonationUrl, gcloudAccount) and secrets (privateKey,
    // clientSecret, refreshToken). A config error says what is missing.
    static Result<GcpAuthConfig> fromAccount(const Account &account);
};

// OAuth 2.0 access tokens for one account, on its worker thread: a service account's JWT (signed
// RS256 with OpenSSL) exchanged at the key's token_uri
// (https://developers.google.com/identity/protocols/oauth2/service-account#httprest), or an
// authorized_user's refresh token (https://developers.google.com/identity/protocols/oauth2/web-server#offline),
// or, impersonating a service account, either one's token exchanged at IAM Credentials
// (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken;
// the source token is cached and renewed by a GcpCredentials of its own).
// The token is cached and fetched again shortly before it expires (a fifth of its lifetime, at most
// five minutes early) or when a caller reports it refused (invalidate()). Concurrent callers share
// one fetch. Tokens, assertions and secrets are never logged.
class GcpCredentials : public QObject
{
    Q_OBJECT
public:
    GcpCredentials(GcpAuthConfig config, HttpClient *http, QObject *parent = nullptr);
    ~GcpCredentials() override;

    // A valid access token, cached or fresh. Answers exactly once, on this object's thread.
    void accessToken(const CancelToken &token, Callback<QByteArray> done);

    // The server refused `token` (401): forget it unless a newer one already replaced it.
    void invalidate(const QByteArray &token);

    // How many tokens were fetched from the token endpoint (tests, status).
    int fetchCount() const { return m_fetches; }
    // When the cached token expires (invalid if there is none).
    QDateTime expiry() const { return m_expiry; }

private:
    struct Waiter;
    void fetch();
    void finishFetch(Result<QByteArray> result);
    void fetchImpersonated(bool retriedSource);
    Result<QByteArray> parseTokenResponse(const HttpResponse &response);
    Result<QByteArray> parseImpersonationResponse(const HttpResponse &response);
    QByteArray store(const QByteArray &token, qint64 lifetimeMs);
    bool cachedIsFresh() const;

    GcpAuthConfig m_config;
    HttpClient *m_http = nullptr;
    QByteArray m_token;          // the cached access token (secret)
    QDateTime m_expiry;          // UTC
    qint64 m_refreshAtMs = 0;    // on m_clock: fetch a new token from then on
    QElapsedTimer m_clock;
    bool m_fetching = false;
    CancelToken m_fetchToken;
    std::list<std::shared_ptr<Waiter>> m_waiters;
    int m_fetches = 0;
    // Impersonation: the credentials that sign in. A child, so it moves threads with this object.
    GcpCredentials *m_source = nullptr;
};

} // namespace skydeck::gcp
