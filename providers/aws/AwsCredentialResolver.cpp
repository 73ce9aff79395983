#include "AwsCredentialResolver.h"

#include "SmallFile.h"

#include <QDateTime>

namespace skydeck::aws {

namespace {

const QString kRoleArn = QStringLiteral("role_arn");
const QString kWebIdentityTokenFile = QStringLiteral("web_identity_token_file");
const QString kAccessKeyId = QStringLiteral("aws_access_key_id");
const QString kSecretAccessKey = QStringLiteral("aws_secret_access_key");

// What every step of one resolution shares: the top profile's region and endpoints.
struct Context {
    const QProcessEnvironment &env;
    const AwsFiles &files;
    QString home;
    QString topProfile;
    QStringList visited;  // profiles a role chain went through (loop detection)
};

CredentialSpec invalid(const QString &profile, const QString &why)
{
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Invalid;
    s.profile = profile;
    s.error = why;
    return s;
}

QUrl stsEndpoint(const Context &ctx, const QString &region)
{
    const QString configured =
        serviceEndpoint(ctx.env, ctx.files, ctx.topProfile, QStringLiteral("sts"), QStringLiteral("STS"));
    if (!configured.isEmpty())
        return QUrl(configured.contains(QLatin1String("://")) ? configured : QStringLiteral("https://") + configured);
    // The AWS CLI v2 asks the regional endpoint (sts_regional_endpoints = regional).
    QUrl u;
    u.setScheme(QStringLiteral("https"));
    u.setHost(region.startsWith(QLatin1String("cn-")) ? QStringLiteral("sts.%1.amazonaws.com.cn").arg(region)
                                                       : QStringLiteral("sts.%1.amazonaws.com").arg(region));
    return u;
}

void setStsContext(const Context &ctx, CredentialSpec &s)
{
    s.stsRegion = profileRegion(ctx.env, ctx.files, ctx.topProfile);
    s.stsEndpoint = stsEndpoint(ctx, s.stsRegion);
    s.cliCacheDir = ctx.home + QStringLiteral("/.aws/cli/cache");
}

QString configOrigin(const Context &ctx, bool credentialsFile)
{
    return displayPath(credentialsFile ? ctx.files.credentialsPath : ctx.files.configPath, ctx.home);
}

// Static keys of one file's section; Invalid when the key id is there without its secret
// (botocore's PartialCredentialsError).
std::optional<CredentialSpec> staticKeys(const Context &ctx, const QString &profile, bool credentialsFile)
{
    const QMap<QString, QString> section =
        (credentialsFile ? ctx.files.credentials : ctx.files.config).value(profile);
    if (!section.contains(kAccessKeyId))
        return std::nullopt;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Static;
    s.profile = profile;
    s.origin = configOrigin(ctx, credentialsFile);
    s.accessKeyId = section.value(kAccessKeyId).trimmed();
    s.secretAccessKey = section.value(kSecretAccessKey).trimmed();
    s.sessionToken = section.value(QStringLiteral("aws_session_token")).trimmed();
    if (s.sessionToken.isEmpty())
        s.sessionToken = section.value(QStringLiteral("aws_security_token")).trimmed();
    if (s.accessKeyId.isEmpty() || s.secretAccessKey.isEmpty())
        return invalid(profile, QStringLiteral("the profile \"%1\" in %2 has aws_access_key_id without "
                                               "aws_secret_access_key")
                                    .arg(profile, s.origin));
    return s;
}

std::optional<CredentialSpec> webIdentity(const Context &ctx, const QString &profile, bool envEnabled)
{
    auto get = [&](const char *envName, const QString &key) {
        if (envEnabled && ctx.env.contains(QLatin1String(envName)))
            return ctx.env.value(QLatin1String(envName)).trimmed();
        return ctx.files.value(profile, key);
    };
    const QString tokenFile = get("AWS_WEB_IDENTITY_TOKEN_FILE", kWebIdentityTokenFile);
    if (tokenFile.isEmpty())
        return std::nullopt;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::WebIdentity;
    s.profile = profile;
    s.webIdentityTokenFile = tokenFile.startsWith(QLatin1String("~/")) ? ctx.home + tokenFile.mid(1) : tokenFile;
    s.roleArn = get("AWS_ROLE_ARN", kRoleArn);
    s.roleSessionName = get("AWS_ROLE_SESSION_NAME", QStringLiteral("role_session_name"));
    if (s.roleArn.isEmpty())
        return invalid(profile, QStringLiteral("web identity is configured (a token file) but no role: set role_arn "
                                               "in the profile or AWS_ROLE_ARN"));
    setStsContext(ctx, s);
    return s;
}

std::optional<CredentialSpec> sso(const Context &ctx, const QString &profile)
{
    const bool hasAccount = ctx.files.has(profile, QStringLiteral("sso_account_id"));
    const bool hasRole = ctx.files.has(profile, QStringLiteral("sso_role_name"));
    if (!hasAccount && !hasRole)
        return std::nullopt;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Sso;
    s.profile = profile;
    s.ssoAccountId = ctx.files.value(profile, QStringLiteral("sso_account_id"));
    s.ssoRoleName = ctx.files.value(profile, QStringLiteral("sso_role_name"));
    s.ssoStartUrl = ctx.files.value(profile, QStringLiteral("sso_start_url"));
    s.ssoRegion = ctx.files.value(profile, QStringLiteral("sso_region"));
    s.ssoSession = ctx.files.value(profile, QStringLiteral("sso_session"));
    if (!s.ssoSession.isEmpty()) {
        if (!ctx.files.ssoSessions.contains(s.ssoSession))
            return invalid(profile, QStringLiteral("the specified sso-session does not exist: \"%1\"").arg(s.ssoSession));
        const QMap<QString, QString> session = ctx.files.ssoSessions.value(s.ssoSession);
        for (const auto &[key, field] : {std::pair{QStringLiteral("sso_start_url"), &s.ssoStartUrl},
                                         std::pair{QStringLiteral("sso_region"), &s.ssoRegion}}) {
            const QString v = session.value(key).trimmed();
            if (v.isEmpty())
                continue;
            if (!field->isEmpty() && *field != v)
                return invalid(profile, QStringLiteral("the value for %1 is inconsistent between profile (%2) and "
                                                       "sso-session (%3)")
                                            .arg(key, *field, v));
            *field = v;
        }
    }
    QStringList missing;
    for (const auto &[key, value] : {std::pair{QStringLiteral("sso_start_url"), s.ssoStartUrl},
                                     std::pair{QStringLiteral("sso_region"), s.ssoRegion},
                                     std::pair{QStringLiteral("sso_account_id"), s.ssoAccountId},
                                     std::pair{QStringLiteral("sso_role_name"), s.ssoRoleName}})
        if (value.isEmpty())
            missing << key;
    if (!missing.isEmpty())
        return invalid(profile, QStringLiteral("the profile \"%1\" is configured to use SSO but is missing required "
                                               "configuration: %2")
                                    .arg(profile, missing.join(QStringLiteral(", "))));
    const QString configured =
        serviceEndpoint(ctx.env, ctx.files, ctx.topProfile, QStringLiteral("sso"), QStringLiteral("SSO"));
    if (!configured.isEmpty()) {
        s.ssoPortalEndpoint =
            QUrl(configured.contains(QLatin1String("://")) ? configured : QStringLiteral("https://") + configured);
    } else {
        s.ssoPortalEndpoint.setScheme(QStringLiteral("https"));
        s.ssoPortalEndpoint.setHost(QStringLiteral("portal.sso.%1.amazonaws.com").arg(s.ssoRegion));
    }
    s.ssoTokenCacheDir = ctx.home + QStringLiteral("/.aws/sso/cache");
    s.cliCacheDir = ctx.home + QStringLiteral("/.aws/cli/cache");
    return s;
}

std::optional<CredentialSpec> process(const Context &ctx, const QString &profile)
{
    const QString command = ctx.files.value(profile, QStringLiteral("credential_process"));
    if (command.isEmpty())
        return std::nullopt;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Process;
    s.profile = profile;
    s.command = command;
    return s;
}

// botocore's ProfileProviderBuilder.providers(): web identity, SSO, credentials file, process,
// config file.
std::optional<CredentialSpec> profileProviders(const Context &ctx, const QString &profile, bool envEnabled)
{
    if (auto s = webIdentity(ctx, profile, envEnabled))
        return s;
    if (auto s = sso(ctx, profile))
        return s;
    if (auto s = staticKeys(ctx, profile, true))
        return s;
    if (auto s = process(ctx, profile))
        return s;
    return staticKeys(ctx, profile, false);
}

bool hasAssumeRoleVars(const Context &ctx, const QString &profile)
{
    return ctx.files.has(profile, kRoleArn) && !ctx.files.has(profile, kWebIdentityTokenFile);
}

bool hasStaticKeys(const Context &ctx, const QString &profile)
{
    return ctx.files.has(profile, kAccessKeyId) || ctx.files.has(profile, kSecretAccessKey);
}

CredentialSpec environmentKeys(const Context &ctx, const QString &profile, bool *found)
{
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Static;
    s.origin = QStringLiteral("environment");
    s.accessKeyId = ctx.env.value(QStringLiteral("AWS_ACCESS_KEY_ID")).trimmed();
    s.secretAccessKey = ctx.env.value(QStringLiteral("AWS_SECRET_ACCESS_KEY")).trimmed();
    s.sessionToken = ctx.env.value(QStringLiteral("AWS_SESSION_TOKEN")).trimmed();
    if (s.sessionToken.isEmpty())
        s.sessionToken = ctx.env.value(QStringLiteral("AWS_SECURITY_TOKEN")).trimmed();
    *found = !s.accessKeyId.isEmpty() && !s.secretAccessKey.isEmpty();
    Q_UNUSED(profile);
    return s;
}

CredentialSpec assumeRole(Context &ctx, const QString &profile);

// botocore's AssumeRoleProvider._resolve_credentials_from_profile.
CredentialSpec sourceProfileCredentials(Context &ctx, const QString &source)
{
    if (hasStaticKeys(ctx, source) || !hasAssumeRoleVars(ctx, source)) {
        if (auto s = profileProviders(ctx, source, false))
            return *s;
        return invalid(source, QStringLiteral("the source profile \"%1\" must have credentials").arg(source));
    }
    return assumeRole(ctx, source);
}

// botocore's AssumeRoleProvider._load_creds_via_assume_role for `profile`.
CredentialSpec assumeRole(Context &ctx, const QString &profile)
{
    const AwsFiles &f = ctx.files;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::AssumeRole;
    s.profile = profile;
    s.roleArn = f.value(profile, kRoleArn);
    s.roleSessionName = f.value(profile, QStringLiteral("role_session_name"));
    s.externalId = f.value(profile, QStringLiteral("external_id"));
    s.mfaSerial = f.value(profile, QStringLiteral("mfa_serial"));
    bool ok = false;
    const int duration = f.value(profile, QStringLiteral("duration_seconds")).toInt(&ok);
    if (ok && duration > 0)
        s.durationSeconds = duration;  // botocore ignores a value that is not a number
    setStsContext(ctx, s);

    const bool hasSourceProfile = f.has(profile, QStringLiteral("source_profile"));
    const bool hasCredentialSource = f.has(profile, QStringLiteral("credential_source"));
    const QString sourceProfile = f.value(profile, QStringLiteral("source_profile"));
    const QString credentialSource = f.value(profile, QStringLiteral("credential_source"));
    if (hasSourceProfile && hasCredentialSource)
        return invalid(profile, QStringLiteral("the profile \"%1\" contains both source_profile and credential_source")
                                    .arg(profile));
    if (!hasSourceProfile && !hasCredentialSource)
        return invalid(profile, QStringLiteral("the profile \"%1\" has role_arn but neither source_profile nor "
                                               "credential_source")
                                    .arg(profile));
    if (hasCredentialSource) {
        const QString name = credentialSource.toLower();
        if (name == QLatin1String("environment")) {
            bool found = false;
            CredentialSpec keys = environmentKeys(ctx, profile, &found);
            if (!found)
                return invalid(profile, QStringLiteral("no credentials found in credential_source Environment "
                                                       "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) referenced in "
                                                       "profile %1")
                                            .arg(profile));
            s.source = std::make_shared<CredentialSpec>(keys);
        } else if (name == QLatin1String("ec2instancemetadata")) {
            if (instanceMetadataDisabled(ctx.env))
                return invalid(profile, QStringLiteral("credential_source Ec2InstanceMetadata, but "
                                                       "AWS_EC2_METADATA_DISABLED is set"));
            s.source = std::make_shared<CredentialSpec>(instanceMetadataSpec(ctx.env, f, ctx.topProfile));
        } else if (name == QLatin1String("ecscontainer")) {
            return invalid(profile, QStringLiteral("credential_source EcsContainer (profile \"%1\") is not supported "
                                                   "by Skydeck")
                                        .arg(profile));
        } else {
            return invalid(profile, QStringLiteral("the credential source \"%1\" referenced in profile \"%2\" is not "
                                                   "valid")
                                        .arg(credentialSource, profile));
        }
        return s;
    }

    // source_profile: botocore's _validate_source_profile.
    if (!f.hasProfile(sourceProfile))
        return invalid(profile, QStringLiteral("the source_profile \"%1\" referenced in the profile \"%2\" does not "
                                               "exist")
                                    .arg(sourceProfile, profile));
    if (ctx.visited.contains(sourceProfile)) {
        // A profile may name itself to take its own static keys (only at the top of a chain).
        if (sourceProfile != profile || !hasStaticKeys(ctx, sourceProfile))
            return invalid(profile, QStringLiteral("infinite loop in credential configuration: profile \"%1\" was "
                                                   "already visited (%2)")
                                        .arg(sourceProfile, ctx.visited.join(QStringLiteral(" -> "))));
    }
    ctx.visited.append(sourceProfile);
    CredentialSpec source = sourceProfileCredentials(ctx, sourceProfile);
    if (source.kind == CredentialSpec::Kind::Invalid)
        return invalid(profile, source.error);
    s.source = std::make_shared<CredentialSpec>(source);
    return s;
}

QString readSys(const QString &path)
{
    return QString::fromLatin1(readSmallFile(path, 4096).value_or(QByteArray())).trimmed();
}

} // namespace

std::optional<CredentialSpec> resolveProfileCredentials(const QProcessEnvironment &env, const AwsFiles &files,
                                                        const QString &home, const QString &profile, bool envEnabled)
{
    Context ctx{env, files, home, profile, {profile}};
    if (hasAssumeRoleVars(ctx, profile))
        return assumeRole(ctx, profile);
    return profileProviders(ctx, profile, envEnabled);
}

bool instanceMetadataDisabled(const QProcessEnvironment &env)
{
    return truthy(env.value(QStringLiteral("AWS_EC2_METADATA_DISABLED")));
}

bool instanceMetadataHinted(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile)
{
    if (instanceMetadataDisabled(env))
        return false;
    if (!env.value(QStringLiteral("AWS_EC2_METADATA_SERVICE_ENDPOINT")).trimmed().isEmpty()
        || !files.value(profile, QStringLiteral("ec2_metadata_service_endpoint")).isEmpty())
        return true;
    // Nitro instances say so in their firmware tables; Xen ones in the hypervisor's uuid.
    return readSys(QStringLiteral("/sys/devices/virtual/dmi/id/sys_vendor")) == QLatin1String("Amazon EC2")
        || readSys(QStringLiteral("/sys/devices/virtual/dmi/id/board_asset_tag")).startsWith(QLatin1String("i-"))
        || readSys(QStringLiteral("/sys/hypervisor/uuid")).startsWith(QLatin1String("ec2"));
}

CredentialSpec instanceMetadataSpec(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile)
{
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Imds;
    QString endpoint = env.value(QStringLiteral("AWS_EC2_METADATA_SERVICE_ENDPOINT")).trimmed();
    if (endpoint.isEmpty())
        endpoint = files.value(profile, QStringLiteral("ec2_metadata_service_endpoint"));
    if (endpoint.isEmpty()) {
        QString mode = env.value(QStringLiteral("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")).trimmed();
        if (mode.isEmpty())
            mode = files.value(profile, QStringLiteral("ec2_metadata_service_endpoint_mode"));
        endpoint = mode.compare(QLatin1String("ipv6"), Qt::CaseInsensitive) == 0 ? QStringLiteral("http://[fd00:ec2::254]")
                                                                                 : QStringLiteral("http://169.254.169.254");
    }
    s.imdsEndpoint = QUrl(endpoint);
    return s;
}

} // namespace skydeck::aws
