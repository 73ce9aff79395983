#include "AwsConfig.h"

#include "SmallFile.h"
#include "AwsLogging.h"

#include <QDir>
#include <QFile>

namespace skydeck::aws {

namespace {

struct Files {
    AwsIni credentials;  // section = profile name
    AwsIni config;       // section = profile name (the "profile " prefix removed)
    QString credentialsPath;
    QString configPath;
};

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

Files loadFiles(const QProcessEnvironment &env, const QString &home)
{
    Files f;
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
        }
    }
    return f;
}

bool truthy(const QString &v)
{
    return v.trimmed().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

QString displayPath(const QString &path, const QString &home)
{
    if (!home.isEmpty() && path.startsWith(home + QLatin1Char('/')))
        return QStringLiteral("~") + path.mid(home.size());
    return path;
}

QString activeProfile(const QProcessEnvironment &env)
{
    QString p = env.value(QStringLiteral("AWS_PROFILE"));
    if (p.isEmpty())
        p = env.value(QStringLiteral("AWS_DEFAULT_PROFILE"));
    return p.isEmpty() ? QStringLiteral("default") : p;
}

// Region, endpoint and addressing for `profile`, with the environment's overrides.
void applyProfileSettings(Account &a, const QProcessEnvironment &env, const Files &files, const QString &profile)
{
    const QMap<QString, QString> cfg = files.config.value(profile);
    const QMap<QString, QString> cred = files.credentials.value(profile);
    QString region = env.value(QStringLiteral("AWS_REGION"));
    if (region.isEmpty())
        region = env.value(QStringLiteral("AWS_DEFAULT_REGION"));
    if (region.isEmpty())
        region = cfg.value(QStringLiteral("region"));
    if (region.isEmpty())
        region = cred.value(QStringLiteral("region"));
    if (region.isEmpty())
        region = QStringLiteral("us-east-1");

    QString endpoint;
    const bool ignoreConfigured = truthy(env.value(QStringLiteral("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
        || truthy(cfg.value(QStringLiteral("ignore_configured_endpoint_urls")));
    if (!ignoreConfigured) {
        for (const QString &candidate : {env.value(QStringLiteral("AWS_ENDPOINT_URL_S3")),
                                         env.value(QStringLiteral("AWS_ENDPOINT_URL")),
                                         cfg.value(QStringLiteral("s3.endpoint_url")),
                                         cfg.value(QStringLiteral("endpoint_url"))}) {
            if (!candidate.trimmed().isEmpty()) {
                endpoint = candidate.trimmed();
                break;
            }
        }
    }
    // EC2 likewise: AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the profile's `ec2 = endpoint_url`, its
    // `endpoint_url`.
    QString ec2Endpoint;
    if (!ignoreConfigured) {
        for (const QString &candidate : {env.value(QStringLiteral("AWS_ENDPOINT_URL_EC2")),
                                         env.value(QStringLiteral("AWS_ENDPOINT_URL")),
                                         cfg.value(QStringLiteral("ec2.endpoint_url")),
                                         cfg.value(QStringLiteral("endpoint_url"))}) {
            if (!candidate.trimmed().isEmpty()) {
                ec2Endpoint = candidate.trimmed();
                break;
            }
        }
    }
    QString style = cfg.value(QStringLiteral("s3.addressing_style")).trimmed().toLower();
    if (style != QLatin1String("path") && style != QLatin1String("virtual"))
        style = QStringLiteral("auto");

    a.settings.insert(QStringLiteral("region"), region);
    if (!endpoint.isEmpty())
        a.settings.insert(QStringLiteral("endpoint"), endpoint);
    if (!ec2Endpoint.isEmpty())
        a.settings.insert(QStringLiteral("ec2Endpoint"), ec2Endpoint);
    a.settings.insert(QStringLiteral("addressingStyle"), style);
}

// The profile's static keys: the credentials file first, then the config file, key by key.
bool profileKeys(const Files &files, const QString &profile, QString *id, QString *secret, QString *token,
                 QString *source, const QString &home)
{
    const QMap<QString, QString> cred = files.credentials.value(profile);
    const QMap<QString, QString> cfg = files.config.value(profile);
    auto pick = [&](const QString &key, bool *fromCredentials) {
        const QString v = cred.value(key).trimmed();
        if (!v.isEmpty()) {
            *fromCredentials = true;
            return v;
        }
        return cfg.value(key).trimmed();
    };
    bool fromCredentials = false;
    *id = pick(QStringLiteral("aws_access_key_id"), &fromCredentials);
    *secret = pick(QStringLiteral("aws_secret_access_key"), &fromCredentials);
    bool unused = false;
    *token = pick(QStringLiteral("aws_session_token"), &unused);
    if (token->isEmpty())
        *token = pick(QStringLiteral("aws_security_token"), &unused);
    *source = displayPath(fromCredentials ? files.credentialsPath : files.configPath, home);
    return !id->isEmpty() && !secret->isEmpty();
}

Account profileAccount(const QProcessEnvironment &env, const Files &files, const QString &profile, const QString &id,
                       const QString &secret, const QString &token, const QString &source)
{
    Account a;
    a.id = QStringLiteral("aws:profile:") + profile;
    a.provider = QStringLiteral("aws");
    a.displayName = QStringLiteral("AWS · ") + profile;
    a.source = source;
    a.settings.insert(QStringLiteral("profile"), profile);
    a.settings.insert(QStringLiteral("accessKeyId"), id);
    a.secrets.insert(QStringLiteral("secretAccessKey"), secret);
    if (!token.isEmpty())
        a.secrets.insert(QStringLiteral("sessionToken"), token);
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
    const Files files = loadFiles(env, home);
    const QString active = activeProfile(env);
    QList<Account> out;

    const QString envId = env.value(QStringLiteral("AWS_ACCESS_KEY_ID")).trimmed();
    const QString envSecret = env.value(QStringLiteral("AWS_SECRET_ACCESS_KEY")).trimmed();
    if (!envId.isEmpty() && !envSecret.isEmpty()) {
        Account a;
        a.id = QStringLiteral("aws:env");
        a.provider = QStringLiteral("aws");
        a.displayName = QStringLiteral("AWS · environment");
        a.source = QStringLiteral("environment");
        a.settings.insert(QStringLiteral("accessKeyId"), envId);
        a.settings.insert(QStringLiteral("profile"), active);
        a.secrets.insert(QStringLiteral("secretAccessKey"), envSecret);
        QString token = env.value(QStringLiteral("AWS_SESSION_TOKEN")).trimmed();
        if (token.isEmpty())
            token = env.value(QStringLiteral("AWS_SECURITY_TOKEN")).trimmed();
        if (!token.isEmpty())
            a.secrets.insert(QStringLiteral("sessionToken"), token);
        applyProfileSettings(a, env, files, active);
        out.append(a);
    }

    QStringList names = files.credentials.keys();
    for (const QString &n : files.config.keys())
        if (!names.contains(n))
            names.append(n);
    std::sort(names.begin(), names.end());
    if (names.removeAll(active) > 0)
        names.prepend(active);
    for (const QString &name : names) {
        QString id, secret, token, source;
        if (!profileKeys(files, name, &id, &secret, &token, &source, home)) {
            qCDebug(lcS3).noquote() << "AWS profile" << name << "has no static keys; skipped";
            continue;
        }
        out.append(profileAccount(env, files, name, id, secret, token, source));
    }
    return out;
}

Result<Account> accountForProfile(const QProcessEnvironment &env, const QString &home, const QString &profileName)
{
    const QString name = profileName.trimmed();
    if (name.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("No profile name given"));
    const Files files = loadFiles(env, home);
    if (!files.credentials.contains(name) && !files.config.contains(name))
        return Error(Error::Category::NotFound,
                     QStringLiteral("The AWS profile '%1' is not in %2 or %3")
                         .arg(name, displayPath(files.credentialsPath, home), displayPath(files.configPath, home)),
                     QStringLiteral("ProfileNotFound"));
    QString id, secret, token, source;
    if (!profileKeys(files, name, &id, &secret, &token, &source, home))
        return Error(Error::Category::Auth,
                     QStringLiteral("The AWS profile '%1' has no aws_access_key_id/aws_secret_access_key "
                                    "(SSO, role and credential_process profiles are not supported yet)")
                         .arg(name),
                     QStringLiteral("NoCredentials"));
    return profileAccount(env, files, name, id, secret, token, source);
}

} // namespace skydeck::aws
