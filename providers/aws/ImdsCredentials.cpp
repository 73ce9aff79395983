// The EC2 instance's role through the instance metadata service, version 2.
#include "CredentialProviders.h"

#include "AwsLogging.h"
#include "DisplayText.h"
#include "HttpClient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::aws {

namespace {
const QString kCredentialsPath = QStringLiteral("/latest/meta-data/iam/security-credentials/");
}

ImdsCredentialProvider::ImdsCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec), m_http(new HttpClient(this))
{
    // The metadata service is plain http on a link-local address by design: no secret goes to it.
    m_http->setAllowInsecureHttp(true);
    RetryPolicy once;
    once.maxAttempts = 1;  // botocore's metadata_service_num_attempts default
    m_http->setRetryPolicy(once);
}

QString ImdsCredentialProvider::describe() const
{
    return QStringLiteral("the EC2 instance role (instance metadata at %1)").arg(m_spec.imdsEndpoint.toString(QUrl::RemoveUserInfo));
}

QString ImdsCredentialProvider::sharedKey() const
{
    return QStringLiteral("imds\n") + m_spec.imdsEndpoint.toString();
}

QUrl ImdsCredentialProvider::url(const QString &path) const
{
    QUrl u = m_spec.imdsEndpoint;
    QString base = u.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    u.setPath(base + path);
    return u;
}

Error ImdsCredentialProvider::unreachable(const Error &cause) const
{
    return Error(Error::Category::Network,
                 QStringLiteral("the instance metadata service at %1 did not answer (%2): not on EC2?")
                     .arg(m_spec.imdsEndpoint.toString(QUrl::RemoveUserInfo), cause.message()),
                 QStringLiteral("ImdsUnreachable"));
}

void ImdsCredentialProvider::fetch(const CancelToken &token, Callback<Credentials> done)
{
    HttpRequest put;
    put.method = "PUT";
    put.url = url(QStringLiteral("/latest/api/token"));
    put.setHeader("X-aws-ec2-metadata-token-ttl-seconds", QByteArray::number(kTokenTtlSeconds));
    put.timeoutMs = kTimeoutMs;
    put.maxBodyBytes = 4096;
    auto shared = std::make_shared<Callback<Credentials>>(std::move(done));
    QPointer<ImdsCredentialProvider> self(this);
    m_http->send(std::move(put), token, [this, self, token, shared](Result<HttpResponse> r) {
        if (!self)
            return (*shared)(Error::cancelled());
        if (!r.ok())
            return (*shared)(r.error().category() == Error::Category::Cancelled ? r.error() : unreachable(r.error()));
        if (!r->isSuccess())
            return (*shared)(Error(Error::Category::Auth,
                                   QStringLiteral("the instance metadata service refused a session token (HTTP %1)").arg(r->status),
                                   QStringLiteral("ImdsTokenRefused"), r->status));
        const QByteArray imdsToken = r->body.trimmed();
        HttpRequest list;
        list.url = url(kCredentialsPath);
        list.setHeader("X-aws-ec2-metadata-token", imdsToken);
        list.timeoutMs = kTimeoutMs;
        list.maxBodyBytes = 64 * 1024;
        m_http->send(std::move(list), token, [this, self, token, shared, imdsToken](Result<HttpResponse> roles) {
            if (!self)
                return (*shared)(Error::cancelled());
            if (!roles.ok())
                return (*shared)(Error(roles.error()).setContext(describe()));
            if (roles->status == 404)
                return (*shared)(Error(Error::Category::Auth,
                                       QStringLiteral("this EC2 instance has no IAM role (instance profile) attached"),
                                       QStringLiteral("NoInstanceRole"), 404));
            const QString role = QString::fromUtf8(roles->body).section(QLatin1Char('\n'), 0, 0).trimmed();
            if (!roles->isSuccess() || role.isEmpty() || role.contains(QLatin1Char('/')))
                return (*shared)(Error(Error::Category::Server,
                                       QStringLiteral("the instance metadata service named no role (HTTP %1)").arg(roles->status),
                                       QStringLiteral("ImdsNoRole"), roles->status));
            HttpRequest get;
            get.url = url(kCredentialsPath + role);
            get.setHeader("X-aws-ec2-metadata-token", imdsToken);
            get.timeoutMs = kTimeoutMs;
            get.maxBodyBytes = 64 * 1024;
            m_http->send(std::move(get), token, [this, self, role, shared](Result<HttpResponse> creds) {
                if (!self)
                    return (*shared)(Error::cancelled());
                if (!creds.ok())
                    return (*shared)(Error(creds.error()).setContext(describe()));
                const QJsonObject o = QJsonDocument::fromJson(creds->body).object();
                const QString code = o.value(QLatin1String("Code")).toString();
                if (!creds->isSuccess() || (!code.isEmpty() && code != QLatin1String("Success")))
                    return (*shared)(Error(Error::Category::Auth,
                                           QStringLiteral("the instance metadata service has no credentials for role %1: %2")
                                               .arg(displayText(role),
                                                    displayText(o.value(QLatin1String("Message")).toString(
                                                        QStringLiteral("HTTP %1").arg(creds->status)))),
                                           code.isEmpty() ? QStringLiteral("ImdsNoCredentials") : code, creds->status));
                Credentials c;
                c.accessKeyId = o.value(QLatin1String("AccessKeyId")).toString();
                c.secretAccessKey = o.value(QLatin1String("SecretAccessKey")).toString();
                c.sessionToken = o.value(QLatin1String("Token")).toString();
                c.expiration = parseAwsTime(o.value(QLatin1String("Expiration")).toString());
                if (c.accessKeyId.isEmpty() || c.secretAccessKey.isEmpty() || c.sessionToken.isEmpty()
                    || !c.expiration.isValid())
                    return (*shared)(Error(Error::Category::Server,
                                           QStringLiteral("the instance metadata service answered role %1 without "
                                                          "AccessKeyId, SecretAccessKey, Token and Expiration")
                                               .arg(displayText(role)),
                                           QStringLiteral("ImdsBadCredentials")));
                qCInfo(lcAwsCredentials).noquote() << "EC2 instance role" << displayText(role) << "valid until"
                                                << c.expiration.toString(Qt::ISODate);
                (*shared)(c);
            });
        });
    });
}

} // namespace skydeck::aws
