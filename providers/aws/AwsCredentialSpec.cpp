#include "AwsCredentialSpec.h"

#include "Account.h"

#include <QJsonDocument>

namespace skydeck::aws {

namespace {

constexpr int kMaxChain = 16;  // source profiles deep; the resolver refuses loops long before

struct KindName {
    CredentialSpec::Kind kind;
    const char *name;
};
constexpr KindName kKinds[] = {
    {CredentialSpec::Kind::Static, "static"},         {CredentialSpec::Kind::Process, "process"},
    {CredentialSpec::Kind::AssumeRole, "assume-role"}, {CredentialSpec::Kind::WebIdentity, "web-identity"},
    {CredentialSpec::Kind::Sso, "sso"},               {CredentialSpec::Kind::Imds, "imds"},
    {CredentialSpec::Kind::Invalid, "invalid"},
};

CredentialSpec::Kind kindFromName(const QString &name)
{
    for (const KindName &k : kKinds)
        if (name == QLatin1String(k.name))
            return k.kind;
    return CredentialSpec::Kind::Invalid;
}

void put(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
}

void putUrl(QJsonObject &o, const char *key, const QUrl &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value.toString());
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QUrl url(const QJsonObject &o, const char *key)
{
    const QString s = str(o, key);
    return s.isEmpty() ? QUrl() : QUrl(s);
}

CredentialSpec fromJsonAt(const QJsonObject &o, int depth)
{
    CredentialSpec s;
    s.kind = kindFromName(str(o, "kind"));
    s.profile = str(o, "profile");
    s.origin = str(o, "origin");
    s.accessKeyId = str(o, "accessKeyId");
    s.command = str(o, "command");
    s.roleArn = str(o, "roleArn");
    s.roleSessionName = str(o, "roleSessionName");
    s.externalId = str(o, "externalId");
    s.mfaSerial = str(o, "mfaSerial");
    s.durationSeconds = o.value(QLatin1String("durationSeconds")).toInt();
    s.webIdentityTokenFile = str(o, "webIdentityTokenFile");
    s.stsEndpoint = url(o, "stsEndpoint");
    s.stsRegion = str(o, "stsRegion");
    s.ssoStartUrl = str(o, "ssoStartUrl");
    s.ssoRegion = str(o, "ssoRegion");
    s.ssoAccountId = str(o, "ssoAccountId");
    s.ssoRoleName = str(o, "ssoRoleName");
    s.ssoSession = str(o, "ssoSession");
    s.ssoPortalEndpoint = url(o, "ssoPortalEndpoint");
    s.ssoTokenCacheDir = str(o, "ssoTokenCacheDir");
    s.imdsEndpoint = url(o, "imdsEndpoint");
    s.cliCacheDir = str(o, "cliCacheDir");
    s.allowInsecureHttp = o.value(QLatin1String("allowInsecureHttp")).toBool();
    s.error = str(o, "error");
    if (s.kind == CredentialSpec::Kind::Invalid && s.error.isEmpty())
        s.error = QStringLiteral("unknown kind of credentials \"%1\"").arg(str(o, "kind"));
    const QJsonValue source = o.value(QLatin1String("source"));
    if (source.isObject()) {
        if (depth >= kMaxChain) {
            s.kind = CredentialSpec::Kind::Invalid;
            s.error = QStringLiteral("the chain of source profiles is longer than %1").arg(kMaxChain);
        } else {
            s.source = std::make_shared<CredentialSpec>(fromJsonAt(source.toObject(), depth + 1));
        }
    }
    return s;
}

} // namespace

QString CredentialSpec::kindName(Kind kind)
{
    for (const KindName &k : kKinds)
        if (k.kind == kind)
            return QLatin1String(k.name);
    return QStringLiteral("invalid");
}

QString CredentialSpec::describe() const
{
    switch (kind) {
    case Kind::Static:
        return origin == QLatin1String("environment") ? QStringLiteral("keys from the environment")
                                                       : QStringLiteral("static keys");
    case Kind::Process:
        return QStringLiteral("process");
    case Kind::AssumeRole: {
        if (!source)
            return QStringLiteral("role");
        if (source->kind == Kind::Imds)
            return QStringLiteral("role via the EC2 instance role");
        if (source->kind == Kind::Static && source->origin == QLatin1String("environment"))
            return QStringLiteral("role via the environment's keys");
        if (!source->profile.isEmpty() && source->profile != profile)
            return QStringLiteral("role via profile %1").arg(source->profile);
        return QStringLiteral("role");
    }
    case Kind::WebIdentity:
        return QStringLiteral("web identity");
    case Kind::Sso:
        return QStringLiteral("SSO");
    case Kind::Imds:
        return QStringLiteral("EC2 instance role");
    case Kind::Invalid:
        return QStringLiteral("unusable: ") + error;
    }
    return {};
}

const CredentialSpec *CredentialSpec::leaf() const
{
    const CredentialSpec *s = this;
    for (int i = 0; s && i <= kMaxChain; ++i) {
        if (s->kind == Kind::Static)
            return s;
        s = s->source.get();
    }
    return nullptr;
}

CredentialSpec *CredentialSpec::leaf()
{
    return const_cast<CredentialSpec *>(static_cast<const CredentialSpec *>(this)->leaf());
}

QJsonObject CredentialSpec::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), kindName(kind));
    put(o, "profile", profile);
    put(o, "origin", origin);
    put(o, "accessKeyId", accessKeyId);
    put(o, "command", command);
    put(o, "roleArn", roleArn);
    put(o, "roleSessionName", roleSessionName);
    put(o, "externalId", externalId);
    put(o, "mfaSerial", mfaSerial);
    if (durationSeconds > 0)
        o.insert(QStringLiteral("durationSeconds"), durationSeconds);
    put(o, "webIdentityTokenFile", webIdentityTokenFile);
    putUrl(o, "stsEndpoint", stsEndpoint);
    put(o, "stsRegion", stsRegion);
    put(o, "ssoStartUrl", ssoStartUrl);
    put(o, "ssoRegion", ssoRegion);
    put(o, "ssoAccountId", ssoAccountId);
    put(o, "ssoRoleName", ssoRoleName);
    put(o, "ssoSession", ssoSession);
    putUrl(o, "ssoPortalEndpoint", ssoPortalEndpoint);
    put(o, "ssoTokenCacheDir", ssoTokenCacheDir);
    putUrl(o, "imdsEndpoint", imdsEndpoint);
    put(o, "cliCacheDir", cliCacheDir);
    if (allowInsecureHttp)
        o.insert(QStringLiteral("allowInsecureHttp"), true);
    put(o, "error", error);
    if (source)
        o.insert(QStringLiteral("source"), source->toJson());
    return o;
}

CredentialSpec CredentialSpec::fromJson(const QJsonObject &json)
{
    return fromJsonAt(json, 0);
}

void CredentialSpec::store(Account &account) const
{
    account.settings.insert(QStringLiteral("credentialKind"), kindName(kind));
    account.settings.insert(QStringLiteral("credentials"),
                            QString::fromUtf8(QJsonDocument(toJson()).toJson(QJsonDocument::Compact)));
    account.settings.remove(QStringLiteral("accessKeyId"));
    account.secrets.remove(QStringLiteral("secretAccessKey"));
    account.secrets.remove(QStringLiteral("sessionToken"));
    if (const CredentialSpec *keys = leaf()) {
        account.settings.insert(QStringLiteral("accessKeyId"), keys->accessKeyId);
        account.secrets.insert(QStringLiteral("secretAccessKey"), keys->secretAccessKey);
        if (!keys->sessionToken.isEmpty())
            account.secrets.insert(QStringLiteral("sessionToken"), keys->sessionToken);
    }
}

CredentialSpec CredentialSpec::fromAccount(const Account &account)
{
    CredentialSpec s;
    const QString json = account.setting(QStringLiteral("credentials"));
    if (!json.isEmpty()) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
        if (!doc.isObject()) {
            s.kind = Kind::Invalid;
            s.error = QStringLiteral("the account's credentials setting is not valid JSON");
            return s;
        }
        s = fromJson(doc.object());
    } else {
        s.origin = account.source;
        s.profile = account.setting(QStringLiteral("profile"));
    }
    if (CredentialSpec *keys = s.leaf()) {
        if (keys->accessKeyId.isEmpty())
            keys->accessKeyId = account.setting(QStringLiteral("accessKeyId"));
        keys->secretAccessKey = account.secret(QStringLiteral("secretAccessKey"));
        keys->sessionToken = account.secret(QStringLiteral("sessionToken"));
    }
    if (account.allowsInsecureHttp())
        for (CredentialSpec *step = &s; step; step = step->source.get())
            step->allowInsecureHttp = true;
    return s;
}

} // namespace skydeck::aws
