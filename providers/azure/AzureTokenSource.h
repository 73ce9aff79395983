#pragma once

#include "AzureConfig.h"
#include "HttpClient.h"
#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <optional>

namespace skydeck::azure {

struct IssuedToken {
    QByteArray accessToken;
    qint64 lifetimeMs = 0;  // from now
};

// Where an account's access tokens come from: one request to a token endpoint per token, built and
// read here; AzureCredentials caches the token, renews it before it expires and shares one fetch
// among its callers. Implementations (one per ArmCredential) live on the account's worker thread;
// nothing they log or answer holds a secret.
class TokenSource
{
public:
    virtual ~TokenSource() = default;

    // A token to use now without a request (the Azure CLI's still-valid cached one), if any.
    virtual std::optional<IssuedToken> ready() { return std::nullopt; }
    // The next token request (a new assertion, the current refresh token, ...).
    virtual Result<HttpRequest> request() = 0;
    // A 2xx answer: {"access_token", "expires_in"} (a number, or the metadata service's string).
    virtual Result<IssuedToken> accept(const HttpResponse &response);
    // Any other answer, as an Error naming the identity platform's code (AADSTS...).
    virtual Error refused(const HttpResponse &response);
    // Resource Manager refused this token: never hand it out again.
    virtual void rejected(const QByteArray &token) { Q_UNUSED(token) }
    // For logs: "service principal 5f1c2a1e-..." (no secret).
    virtual QString describe() const = 0;
};

std::unique_ptr<TokenSource> makeTokenSource(const ArmConfig &config);

// Implementations (ServicePrincipalTokens.cpp, AzureCliTokens.cpp, ManagedIdentityTokens.cpp).
std::unique_ptr<TokenSource> makeClientSecretSource(const ArmConfig &config);
std::unique_ptr<TokenSource> makeClientCertificateSource(const ArmConfig &config);
std::unique_ptr<TokenSource> makeAzureCliSource(const ArmConfig &config);
std::unique_ptr<TokenSource> makeManagedIdentitySource(const ArmConfig &config);

// An application/x-www-form-urlencoded POST (every value percent-encoded, '+' '&' '=' included).
HttpRequest formPost(const QUrl &url, const QList<QPair<QString, QString>> &form);
// The identity platform's error document: {"error": "invalid_client", "error_description": "AADSTS7000215:
// Invalid client secret provided. ... Trace ID: ... Correlation ID: ...", ...}; the description up to
// its Trace ID, after `prefix`.
Error tokenError(const HttpResponse &response, const QString &prefix);

} // namespace skydeck::azure
