// STS AssumeRole and AssumeRoleWithWebIdentity.
#include "CredentialProviders.h"

#include "AwsLogging.h"
#include "AwsXml.h"
#include "Ec2Errors.h"
#include "HttpClient.h"
#include "SmallFile.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QXmlStreamReader>

namespace skydeck::aws {

namespace {

bool isAssumeRole(const CredentialSpec &spec)
{
    return spec.kind == CredentialSpec::Kind::AssumeRole;
}

QString actionOf(const CredentialSpec &spec)
{
    return isAssumeRole(spec) ? QStringLiteral("AssumeRole") : QStringLiteral("AssumeRoleWithWebIdentity");
}

// STS throttles with a 400 Throttling; a web identity provider that did not answer STS in time is
// IDPCommunicationError (worth another try, the API reference says).
bool isRetryableStsResponse(const HttpResponse &response)
{
    if (isRetryableEc2Response(response))
        return true;
    Ec2ErrorDocument doc;
    return response.status == 400 && parseEc2Error(response.body, &doc)
        && doc.code == QLatin1String("IDPCommunicationError");
}

constexpr qint64 kMaxWebIdentityTokenBytes = 64 * 1024;

} // namespace

StsCredentialProvider::StsCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec), m_mailbox(std::make_shared<Mailbox>(this)), m_http(new HttpClient(this))
{
    m_http->setAllowInsecureHttp(spec.allowInsecureHttp);
    m_http->setRetryClassifier(&isRetryableStsResponse);
    m_sessionName = spec.roleSessionName.isEmpty()
        ? QStringLiteral("skydeck-%1").arg(QDateTime::currentSecsSinceEpoch())  // botocore: botocore-session-<time>
        : spec.roleSessionName;
    if (isAssumeRole(spec)) {
        CredentialSpec source;
        if (spec.source) {
            source = *spec.source;
        } else {
            source.kind = CredentialSpec::Kind::Invalid;
            source.error = QStringLiteral("the role has no source of credentials");
        }
        m_source = createCredentialProvider(source, this);
    }
}

StsCredentialProvider::~StsCredentialProvider()
{
    m_mailbox->close();
}

QString StsCredentialProvider::describe() const
{
    const QString role = QStringLiteral("role %1").arg(m_spec.roleArn);
    if (!isAssumeRole(m_spec))
        return role + QStringLiteral(" with the web identity token in ") + m_spec.webIdentityTokenFile;
    return m_spec.profile.isEmpty() ? role : role + QStringLiteral(" (profile %1)").arg(m_spec.profile);
}

QString StsCredentialProvider::sharedKey() const
{
    QJsonObject key = m_spec.toJson();
    key.insert(QStringLiteral("roleSessionName"), m_sessionName);
    return QStringLiteral("sts\n") + QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact));
}

QString StsCredentialProvider::cliCacheFile() const
{
    if (m_spec.cliCacheDir.isEmpty())
        return {};
    // botocore's BaseAssumeRoleCredentialFetcher._create_cache_key: the call's arguments without
    // a generated session name (and without the MFA code or the web identity token).
    QList<std::pair<QString, QVariant>> args = {{QStringLiteral("RoleArn"), m_spec.roleArn}};
    if (!m_spec.roleSessionName.isEmpty())
        args.append({QStringLiteral("RoleSessionName"), m_spec.roleSessionName});
    if (isAssumeRole(m_spec)) {
        if (!m_spec.externalId.isEmpty())
            args.append({QStringLiteral("ExternalId"), m_spec.externalId});
        if (!m_spec.mfaSerial.isEmpty())
            args.append({QStringLiteral("SerialNumber"), m_spec.mfaSerial});
        if (m_spec.durationSeconds > 0)
            args.append({QStringLiteral("DurationSeconds"), m_spec.durationSeconds});
    }
    const QByteArray hash = QCryptographicHash::hash(pythonJsonDumps(args, false), QCryptographicHash::Sha1).toHex();
    return m_spec.cliCacheDir + QLatin1Char('/') + QString::fromLatin1(hash) + QStringLiteral(".json");
}

QueryItems StsCredentialProvider::requestParams(const QString &tokenCode, const QByteArray &webIdentityToken) const
{
    QueryItems p = {{QByteArray("Action"), actionOf(m_spec).toLatin1()},
                    {QByteArray("Version"), QByteArray(kApiVersion)},
                    {QByteArray("RoleArn"), m_spec.roleArn.toUtf8()},
                    {QByteArray("RoleSessionName"), m_sessionName.toUtf8()}};
    if (m_spec.durationSeconds > 0)
        p.append({QByteArray("DurationSeconds"), QByteArray::number(m_spec.durationSeconds)});
    if (isAssumeRole(m_spec)) {
        if (!m_spec.externalId.isEmpty())
            p.append({QByteArray("ExternalId"), m_spec.externalId.toUtf8()});
        if (!m_spec.mfaSerial.isEmpty()) {
            p.append({QByteArray("SerialNumber"), m_spec.mfaSerial.toUtf8()});
            p.append({QByteArray("TokenCode"), tokenCode.toUtf8()});
        }
    } else {
        p.append({QByteArray("WebIdentityToken"), webIdentityToken});
    }
    return p;
}

Result<Credentials> StsCredentialProvider::parseResponse(const HttpResponse &response, const QString &action,
                                                         const QString &who)
{
    if (!response.isSuccess())
        return ec2Error(response, QStringLiteral("%1 for %2").arg(action, who));
    Credentials c;
    QString expiration;
    const QString result = action + QStringLiteral("Result");
    const Result<Done> walked = AwsXml::walk(
        response.body, action + QStringLiteral("Response"), QStringLiteral("STS ") + action,
        [&](const QStringList &path, QXmlStreamReader &xml) {
            if (path.size() == 3 && path.at(0) == result && path.at(1) == QLatin1String("Credentials")) {
                const QString &name = path.at(2);
                if (name == QLatin1String("AccessKeyId"))
                    c.accessKeyId = AwsXml::text(xml).trimmed();
                else if (name == QLatin1String("SecretAccessKey"))
                    c.secretAccessKey = AwsXml::text(xml).trimmed();
                else if (name == QLatin1String("SessionToken"))
                    c.sessionToken = AwsXml::text(xml).trimmed();
                else if (name == QLatin1String("Expiration"))
                    expiration = AwsXml::text(xml).trimmed();
            }
            return false;
        });
    if (!walked.ok())
        return Error(walked.error()).setContext(QStringLiteral("%1 for %2").arg(action, who));
    c.expiration = parseAwsTime(expiration);
    if (c.accessKeyId.isEmpty() || c.secretAccessKey.isEmpty() || c.sessionToken.isEmpty() || !c.expiration.isValid())
        return Error(AwsXml::malformed(QStringLiteral("STS ") + action,
                                       QStringLiteral("no AccessKeyId, SecretAccessKey, SessionToken and Expiration")))
            .setContext(QStringLiteral("%1 for %2").arg(action, who));
    return c;
}

void StsCredentialProvider::fetch(const CancelToken &token, Callback<Credentials> done)
{
    if (const std::optional<Credentials> cached = readCliCache(cliCacheFile())) {
        qCInfo(lcAwsCredentials).noquote() << describe() << ": credentials from the AWS CLI's cache, valid until"
                                        << cached->expiration.toString(Qt::ISODate);
        done(*cached);
        return;
    }
    if (isAssumeRole(m_spec)) {
        withSource(token, std::move(done), false);
        return;
    }
    const std::optional<QByteArray> webToken = readSmallFile(m_spec.webIdentityTokenFile, kMaxWebIdentityTokenBytes);
    if (!webToken || webToken->trimmed().isEmpty()) {
        done(Error(Error::Category::Auth,
                   QStringLiteral("cannot read the web identity token file %1").arg(m_spec.webIdentityTokenFile),
                   QStringLiteral("NoWebIdentityToken")));
        return;
    }
    call({}, {}, webToken->trimmed(), token, std::move(done), false);
}

void StsCredentialProvider::withSource(const CancelToken &token, Callback<Credentials> done, bool retried)
{
    QPointer<StsCredentialProvider> self(this);
    m_source->credentials(token, [this, self, token, retried, done = std::move(done)](Result<Credentials> source) mutable {
        if (!self)
            return done(Error::cancelled());
        if (!source.ok())
            return done(source.error());
        if (m_spec.mfaSerial.isEmpty())
            return call(source.value(), {}, {}, token, std::move(done), retried);
        askMfaThenCall(source.value(), token, std::move(done), retried);
    });
}

void StsCredentialProvider::askMfaThenCall(const Credentials &source, const CancelToken &token,
                                           Callback<Credentials> done, bool retried)
{
    const MfaPrompt prompt = mfaPrompt();
    if (!prompt) {
        done(Error(Error::Category::Auth,
                   QStringLiteral("%1 needs an MFA code (mfa_serial %2) and nothing here can ask for one")
                       .arg(describe(), m_spec.mfaSerial),
                   QStringLiteral("MfaCodeNeeded")));
        return;
    }
    MfaQuestion q;
    q.profile = m_spec.profile;
    q.serial = m_spec.mfaSerial;
    q.roleArn = m_spec.roleArn;
    // The answer may come from any thread, at most once, after this provider is gone.
    auto once = std::make_shared<std::atomic_bool>(false);
    auto mailbox = m_mailbox;
    auto shared = std::make_shared<Callback<Credentials>>(std::move(done));
    qCInfo(lcAwsCredentials).noquote() << describe() << ": asking for an MFA code for" << m_spec.mfaSerial;
    prompt(q, [this, once, mailbox, shared, source, token, retried](Result<QString> code) {
        if (once->exchange(true))
            return;
        mailbox->post([this, shared, source, token, retried, code] {
            if (!code.ok())
                return (*shared)(Error(Error::Category::Auth,
                                       QStringLiteral("no MFA code for %1: %2").arg(m_spec.mfaSerial, code.error().message()),
                                       code.error().code().isEmpty() ? QStringLiteral("MfaCodeNeeded") : code.error().code()));
            if (token.isCanceled())
                return (*shared)(Error::cancelled());
            call(source, code.value().trimmed(), {}, token, std::move(*shared), retried);
        });
    });
}

void StsCredentialProvider::call(const Credentials &source, const QString &tokenCode, const QByteArray &webIdentityToken,
                                 const CancelToken &token, Callback<Credentials> done, bool retried)
{
    const QString action = actionOf(m_spec);
    HttpRequest req;
    req.method = "POST";
    req.url = m_spec.stsEndpoint;
    if (req.url.path().isEmpty())
        req.url.setPath(QStringLiteral("/"));
    req.body = SigV4::formBody(requestParams(tokenCode, webIdentityToken));
    req.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.timeoutMs = 30000;
    req.maxBodyBytes = 1 << 20;
    req.idempotent = tokenCode.isEmpty();  // an MFA code is good for one call
    if (isAssumeRole(m_spec)) {
        const QString region = m_spec.stsRegion.isEmpty() ? QStringLiteral("us-east-1") : m_spec.stsRegion;
        req.prepare = [source, region](HttpRequest &r) {
            SigV4::signQueryPost(r, source, region, QStringLiteral("sts"), QDateTime::currentDateTimeUtc());
        };
    }
    qCDebug(lcAwsCredentials).noquote() << action << m_spec.roleArn << "at" << m_spec.stsEndpoint.toString(QUrl::RemoveUserInfo);
    QPointer<StsCredentialProvider> self(this);
    m_http->send(std::move(req), token,
                 [this, self, action, source, token, retried, done = std::move(done)](Result<HttpResponse> r) mutable {
                     if (!self)
                         return done(Error::cancelled());
                     if (!r.ok())
                         return done(Error(r.error()).setContext(QStringLiteral("%1 for %2").arg(action, describe())));
                     Result<Credentials> out = parseResponse(r.value(), action, describe());
                     // The source's own session ran out (a role assumed from a role, SSO, a process):
                     // once more with fresh source credentials.
                     if (!out.ok() && !retried && m_source && isExpiredCredentialsCode(out.error().code())) {
                         m_source->invalidate(source);
                         return withSource(token, std::move(done), true);
                     }
                     done(std::move(out));
                 });
}

} // namespace skydeck::aws
