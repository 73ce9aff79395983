#include "AwsConfig.h"

#include "AwsConfigFiles.h"
#include "AwsCredentialResolver.h"
#include "AwsLogging.h"
#include "SmallFile.h"

#include <QDir>
#include <QFile>

namespace skydeck::aws {

namespace {

QString expandHome(const QString &path, const QString &home)
{
    if (path == QLatin1String("~"))
        return home;
    if (path.startsWith(QLatin1String("~/")))
        return home + path.mid(1);
    return path;
}

QString readText(const QString &path)
{
    return QString::fromUtf8(readSmallFile(path).value_or(QByteArray()));
}

} // namespace

bool truthy(const QString &v)
{
    return v.trimmed().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

AwsFiles loadAwsFiles(const QProcessEnvironment &env, const QString &home)
{
    AwsFiles f;
    f.credentialsPath = expandHome(env.value(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"),
                                             home + QStringLiteral("/.aws/credentials")), home);
    f.configPath = expandHome(env.value(QStringLiteral("AWS_CONFIG_FILE"), home + QStringLiteral("/.aws/config")), home);
    f.credentials = parseAwsIni(readText(f.credentialsPath));
    const AwsIni rawConfig = parseAwsIni(readText(f.configPath));
    // "[profile x]" names profile x; "[default]" is the default profile; other sections (sso-session,
    // services) are not profiles. "[profile default]" also counts and wins over "[default]".
    for (auto it = rawConfig.cbegin(); it != rawConfig.cend(); ++it) {
        const QString &section = it.key();
        if (section == QLatin1String("default")) {
            if (!f.config.contains(section))
                f.config.insert(section, it.value());
        } else if (section.startsWith(QLatin1String("profile "))) {
            f.config.insert(section.mid(8).trimmed(), it.value());
        } else if (section.startsWith(QLatin1String("sso-session "))) {
            f.ssoSessions.insert(section.mid(12).trimmed(), it.value());
        }
    }
    return f;
}

bool AwsFiles::hasProfile(const QString &profile) const
{
    return credentials.contains(profile) || config.contains(profile);
}

QString AwsFiles::value(const QString &profile, const QString &key) const
{
    const auto cred = credentials.constFind(profile);
    if (cred != credentials.cend() && cred->contains(key))
        return cred->value(key).trimmed();
    return config.value(profile).value(key).trimmed();
}

bool AwsFiles::has(const QString &profile, const QString &key) const
{
    return credentials.value(profile).contains(key) || config.value(profile).contains(key);
}

QString displayPath(const QString &path, const QString &home)
{
    if (!home.isEmpty() && path.startsWith(home + QLatin1Char('/')))
        return QStringLiteral("~") + path.mid(home.size());
    return path;
}

QString profileRegion(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile)
{
    QString region = env.value(QStringLiteral("AWS_REGION"));
    if (region.isEmpty())
        region = env.value(QStringLiteral("AWS_DEFAULT_REGION"));
    if (region.isEmpty())
        region = files.config.value(profile).value(QStringLiteral("region"));
    if (region.isEmpty())
        region = files.credentials.value(profile).value(QStringLiteral("region"));
    return region.isEmpty() ? QStringLiteral("us-east-1") : region.trimmed();
}

QString serviceEndpoint(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile,
                        const QString &service, const QString &envSuffix)
{
    const QMap<QString, QString> cfg = files.config.value(profile);
    if (truthy(env.value(QStringLiteral("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
        || truthy(cfg.value(QStringLiteral("ignore_configured_endpoint_urls"))))
        return {};
    for (const QString &candidate : {env.value(QStringLiteral("AWS_ENDPOINT_URL_") + envSuffix),
                                     env.value(QStringLiteral("AWS_ENDPOINT_URL")),
                                     cfg.value(service + QStringLiteral(".endpoint_url")),
                                     cfg.value(QStringLiteral("endpoint_url"))}) {
        if (!candidate.trimmed().isEmpty())
            return candidate.trimmed();
    }
    return {};
}

namespace {

QString activeProfile(const QProcessEnvironment &env)
{
    QString p = env.value(QStringLiteral("AWS_PROFILE"));
    if (p.isEmpty())
        p = env.value(QStringLiteral("AWS_DEFAULT_PROFILE"));
    return p.isEmpty() ? QStringLiteral("default") : p;
}

// Region, endpoint and addressing for `profile`, with the environment's overrides.
void applyProfileSettings(Account &a, const QProcessEnvironment &env, const AwsFiles &files, const QString &profile)
{
    // S3: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's nested `s3 = endpoint_url`, its
    // `endpoint_url`; EC2 likewise.
    const QString endpoint = serviceEndpoint(env, files, profile, QStringLiteral("s3"), QStringLiteral("S3"));
    const QString ec2Endpoint = serviceEndpoint(env, files, profile, QStringLiteral("ec2"), QStringLiteral("EC2"));
    QString style = files.config.value(profile).value(QStringLiteral("s3.addressing_style")).trimmed().toLower();
    if (style != QLatin1String("path") && style != QLatin1String("virtual"))
        style = QStringLiteral("auto");

    a.settings.insert(QStringLiteral("region"), profileRegion(env, files, profile));
    if (!endpoint.isEmpty())
        a.settings.insert(QStringLiteral("endpoint"), endpoint);
    if (!ec2Endpoint.isEmpty())
        a.settings.insert(QStringLiteral("ec2Endpoint"), ec2Endpoint);
    a.settings.insert(QStringLiteral("addressingStyle"), style);
}

Account accountFromSpec(const QProcessEnvironment &env, const AwsFiles &files, const QString &home,
                        const QString &profile, const CredentialSpec &spec)
{
    Account a;
    a.id = QStringLiteral("aws:profile:") + profile;
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("AWS · ") + profile;
    if (spec.kind != CredentialSpec::Kind::Static)
        a.displayName += QStringLiteral(" (%1)").arg(spec.describe());
    if (spec.kind == CredentialSpec::Kind::Static && !spec.origin.isEmpty())
        a.source = spec.origin;
    else if (spec.kind == CredentialSpec::Kind::Imds)
        a.source = QStringLiteral("EC2 instance metadata");
    else
        a.source = displayPath(files.config.contains(profile) ? files.configPath : files.credentialsPath, home);
    a.settings.insert(QStringLiteral("profile"), profile);
    spec.store(a);
    applyProfileSettings(a, env, files, profile);
    return a;
}

Account instanceRoleAccount(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile)
{
    Account a;
    a.id = QStringLiteral("aws:instance-role");
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("AWS · EC2 instance role");
    a.source = QStringLiteral("EC2 instance metadata");
    a.settings.insert(QStringLiteral("profile"), profile);
    instanceMetadataSpec(env, files, profile).store(a);
    applyProfileSettings(a, env, files, profile);
    return a;
}
} // namespace

AwsIni parseAwsIni(const QString &text)
{
    AwsIni ini;
    QString section;
    QString nestedKey;  // "s3" while inside "s3 =" followed by indented lines
    bool haveSection = false;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (QString line : lines) {
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')) || trimmed.startsWith(QLatin1Char(';')))
            continue;
        const bool indented = line.at(0).isSpace();
        if (!indented && trimmed.startsWith(QLatin1Char('[')) && trimmed.endsWith(QLatin1Char(']'))) {
            section = trimmed.mid(1, trimmed.size() - 2).trimmed();
            // "[profile   x]" means profile x
            if (section.startsWith(QLatin1String("profile ")))
                section = QStringLiteral("profile ") + section.mid(8).trimmed();
            haveSection = true;
            nestedKey.clear();
            ini[section];  // an empty section still exists
            continue;
        }
        if (!haveSection)
            continue;
        const qsizetype eq = trimmed.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString key = trimmed.left(eq).trimmed().toLower();
        QString value = trimmed.mid(eq + 1).trimmed();
        // Inline comments after whitespace: "region = eu-west-1 # work"
        const qsizetype hash = value.indexOf(QLatin1String(" #"));
        if (hash >= 0)
            value = value.left(hash).trimmed();
        if (indented && !nestedKey.isEmpty()) {
            ini[section].insert(nestedKey + QLatin1Char('.') + key, value);
            continue;
        }
        nestedKey.clear();
        if (value.isEmpty()) {
            nestedKey = key;  // "s3 =": indented lines follow
            continue;
        }
        ini[section].insert(key, value);
    }
    return ini;
}

QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home)
{
    const AwsFiles files = loadAwsFiles(env, home);
    const QString active = activeProfile(env);
    QList<Account> out;

    CredentialSpec envKeys;
    envKeys.origin = QStringLiteral("environment");
    envKeys.profile = active;
    envKeys.accessKeyId = env.value(QStringLiteral("AWS_ACCESS_KEY_ID")).trimmed();
    envKeys.secretAccessKey = env.value(QStringLiteral("AWS_SECRET_ACCESS_KEY")).trimmed();
    envKeys.sessionToken = env.value(QStringLiteral("AWS_SESSION_TOKEN")).trimmed();
    if (envKeys.sessionToken.isEmpty())
        envKeys.sessionToken = env.value(QStringLiteral("AWS_SECURITY_TOKEN")).trimmed();
    const bool haveEnvKeys = !envKeys.accessKeyId.isEmpty() && !envKeys.secretAccessKey.isEmpty();
    if (haveEnvKeys) {
        Account a;
        a.id = QStringLiteral("aws:env");
        a.provider = QStringLiteral("aws");
        a.displayName = QStringLiteral("AWS · environment");
        a.source = QStringLiteral("environment");
        a.settings.insert(QStringLiteral("profile"), active);
        envKeys.store(a);
        applyProfileSettings(a, env, files, active);
        out.append(a);
    }

    QStringList names = files.credentials.keys();
    for (const QString &n : files.config.keys())
        if (!names.contains(n))
            names.append(n);
    std::sort(names.begin(), names.end());
    names.removeAll(active);
    names.prepend(active);  // first even without a section: AWS_WEB_IDENTITY_TOKEN_FILE may apply to it
    bool activeHasCredentials = false;
    for (const QString &name : std::as_const(names)) {
        // The environment's web identity variables apply to the active profile only: naming
        // another one (--profile, the window's choice) is botocore's explicit profile.
        const std::optional<CredentialSpec> spec = resolveProfileCredentials(env, files, home, name, name == active);
        if (!spec) {
            qCDebug(lcS3).noquote() << "AWS profile" << name << "gives no credentials; skipped";
            continue;
        }
        if (name == active)
            activeHasCredentials = true;
        out.append(accountFromSpec(env, files, home, name, *spec));
    }
    // After every profile provider, botocore asks the container and the instance metadata.
    if (!haveEnvKeys && !activeHasCredentials && instanceMetadataHinted(env, files, active))
        out.append(instanceRoleAccount(env, files, active));
    return out;
}

Result<Account> activeAccount(const QProcessEnvironment &env, const QString &home)
{
    const QList<Account> found = discoverAccounts(env, home);
    const QString active = activeProfile(env);
    const QStringList order = {QStringLiteral("aws:env"), QStringLiteral("aws:profile:") + active,
                               QStringLiteral("aws:instance-role")};
    for (const QString &id : order) {
        for (const Account &a : found) {
            if (a.id != id)
                continue;
            const CredentialSpec spec = CredentialSpec::fromAccount(a);
            if (spec.kind == CredentialSpec::Kind::Invalid)
                return Error(Error::Category::Auth,
                             QStringLiteral("The AWS profile '%1' cannot be used: %2").arg(active, spec.error),
                             QStringLiteral("InvalidCredentialConfig"));
            return a;
        }
    }
    return Error(Error::Category::Auth,
                 QStringLiteral("no AWS credentials found for profile '%1': set AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY, or give the profile keys, role_arn, sso_session or "
                                "credential_process in ~/.aws/credentials or ~/.aws/config (another profile: "
                                "--profile or AWS_PROFILE)")
                     .arg(active),
                 QStringLiteral("NoCredentials"));
}

Result<Account> accountForProfile(const QProcessEnvironment &env, const QString &home, const QString &profileName)
{
    const QString name = profileName.trimmed();
    if (name.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("No profile name given"));
    const AwsFiles files = loadAwsFiles(env, home);
    if (!files.hasProfile(name))
        return Error(Error::Category::NotFound,
                     QStringLiteral("The AWS profile '%1' is not in %2 or %3")
                         .arg(name, displayPath(files.credentialsPath, home), displayPath(files.configPath, home)),
                     QStringLiteral("ProfileNotFound"));
    const std::optional<CredentialSpec> spec = resolveProfileCredentials(env, files, home, name, false);
    if (!spec) {
        if (instanceMetadataHinted(env, files, name))
            return accountFromSpec(env, files, home, name, instanceMetadataSpec(env, files, name));
        return Error(Error::Category::Auth,
                     QStringLiteral("The AWS profile '%1' has no credentials (aws_access_key_id, role_arn, sso_*, "
                                    "credential_process or web_identity_token_file)")
                         .arg(name),
                     QStringLiteral("NoCredentials"));
    }
    if (spec->kind == CredentialSpec::Kind::Invalid)
        return Error(Error::Category::Auth, QStringLiteral("The AWS profile '%1' cannot be used: %2").arg(name, spec->error),
                     QStringLiteral("InvalidCredentialConfig"));
    return accountFromSpec(env, files, home, name, *spec);
}

} // namespace skydeck::aws
