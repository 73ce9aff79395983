// A service principal's tokens: the client credentials grant with its secret or with an assertion
// signed by its certificate (/entra/identity-platform/v2-oauth2-client-creds-grant-flow, first and
// second case).
#include "AzureTokenSource.h"
#include "ClientCertificate.h"

#include <QDateTime>

namespace skydeck::azure {

namespace {

class ClientSecretSource : public TokenSource
{
public:
    explicit ClientSecretSource(ArmConfig config) : m_config(std::move(config)) {}

    Result<HttpRequest> request() override
    {
        return formPost(m_config.tokenUrl(), {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                                              {QStringLiteral("client_id"), m_config.clientId},
                                              {QStringLiteral("client_secret"), m_config.clientSecret},
                                              {QStringLiteral("scope"), m_config.scope()}});
    }
    QString describe() const override { return QStringLiteral("service principal %1 (secret)").arg(m_config.clientId); }

private:
    ArmConfig m_config;
};

class ClientCertificateSource : public TokenSource
{
public:
    explicit ClientCertificateSource(ArmConfig config) : m_config(std::move(config)) {}

    Result<HttpRequest> request() override
    {
        if (!m_certificate) {  // loaded once, at the first token
            auto loaded = ClientCertificate::load(m_config.certificatePath, m_config.certificatePassword.toUtf8());
            if (!loaded.ok())
                return loaded.error();
            m_certificate = loaded.value();
        }
        const QString endpoint = m_config.tokenUrl().toString();
        Result<QByteArray> assertion = m_certificate->assertion(m_config.clientId, endpoint, QDateTime::currentDateTimeUtc());
        if (!assertion.ok())
            return assertion.error();
        return formPost(m_config.tokenUrl(),
                        {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                         {QStringLiteral("client_id"), m_config.clientId},
                         {QStringLiteral("client_assertion_type"),
                          QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")},
                         {QStringLiteral("client_assertion"), QString::fromLatin1(assertion.value())},
                         {QStringLiteral("scope"), m_config.scope()}});
    }
    QString describe() const override { return QStringLiteral("service principal %1 (certificate)").arg(m_config.clientId); }

private:
    ArmConfig m_config;
    std::shared_ptr<const ClientCertificate> m_certificate;
};

} // namespace

std::unique_ptr<TokenSource> makeClientSecretSource(const ArmConfig &config)
{
    return std::make_unique<ClientSecretSource>(config);
}

std::unique_ptr<TokenSource> makeClientCertificateSource(const ArmConfig &config)
{
    return std::make_unique<ClientCertificateSource>(config);
}

} // namespace skydeck::azure
