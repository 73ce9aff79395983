// An Azure VM's managed identity: GET {metadata service}/metadata/identity/oauth2/token?api-version=
// 2018-02-01&resource=R[&client_id=C] with "Metadata: true"
// (/entra/identity/managed-identities-azure-resources/how-to-use-vm-token, "Get a token using HTTP"),
// client_id choosing a user-assigned identity. The metadata service answers on the VM only: a short
// timeout (azure-identity's is 2 s to connect) keeps a machine that is not one from waiting long.
#include "AzureTokenSource.h"

#include <QUrlQuery>

namespace skydeck::azure {

namespace {

constexpr int kImdsTimeoutMs = 3000;

class ManagedIdentitySource : public TokenSource
{
public:
    explicit ManagedIdentitySource(ArmConfig config) : m_config(std::move(config)) {}

    Result<HttpRequest> request() override
    {
        QUrl url = m_config.imdsEndpoint;
        url.setPath(QStringLiteral("/metadata/identity/oauth2/token"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("api-version"), QStringLiteral("2018-02-01"));
        QString resource = m_config.audience;
        if (!resource.endsWith(QLatin1Char('/')))
            resource += QLatin1Char('/');
        q.addQueryItem(QStringLiteral("resource"), QString::fromLatin1(QUrl::toPercentEncoding(resource)));
        if (!m_config.clientId.isEmpty())
            q.addQueryItem(QStringLiteral("client_id"), QString::fromLatin1(QUrl::toPercentEncoding(m_config.clientId)));
        url.setQuery(q);
        HttpRequest req;
        req.url = url;
        req.setHeader("Metadata", "true");
        req.setHeader("Accept", "application/json");
        req.timeoutMs = kImdsTimeoutMs;
        return req;
    }

    Error refused(const HttpResponse &response) override
    {
        return tokenError(response, QStringLiteral("Azure managed identity%1: ")
                                        .arg(m_config.clientId.isEmpty() ? QString() : QStringLiteral(" ") + m_config.clientId));
    }

    QString describe() const override
    {
        return m_config.clientId.isEmpty() ? QStringLiteral("the VM's system-assigned managed identity")
                                           : QStringLiteral("the user-assigned managed identity %1").arg(m_config.clientId);
    }

private:
    ArmConfig m_config;
};

} // namespace

std::unique_ptr<TokenSource> makeManagedIdentitySource(const ArmConfig &config)
{
    return std::make_unique<ManagedIdentitySource>(config);
}

} // namespace skydeck::azure
