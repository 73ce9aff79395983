#include "GcpConfig.h"

#include "SmallFile.h"
#include "GcpLogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::gcp {

namespace {

QString readText(const QString &path)
{
    return QString::fromUtf8(readSmallFile(path).value_or(QByteArray()));
}

QString displayPath(const QString &path, const QString &home)
{
    if (!home.isEmpty() && path.startsWith(home + QLatin1Char('/')))
        return QStringLiteral("~") + path.mid(home.size());
    return path;
}

QString expandHome(const QString &path, const QString &home)
{
    if (path == QLatin1String("~"))
        return home;
    if (path.startsWith(QLatin1String("~/")))
        return home + path.mid(1);
    return path;
}

QString firstNonEmpty(std::initializer_list<QString> values)
{
    for (const QString &v : values)
        if (!v.trimmed().isEmpty())
            return v.trimmed();
    return {};
}

} // namespace

GcloudIni parseGcloudIni(const QString &text)
{
    GcloudIni ini;
    QString section;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (QString line : lines) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            section = line.mid(1, line.size() - 2).trimmed();
            continue;
        }
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0 || section.isEmpty())
            continue;
        ini[section].insert(line.left(eq).trimmed(), line.mid(eq + 1).trimmed());
    }
    return ini;
}

QString gcloudConfigDir(const QProcessEnvironment &env, const QString &home)
{
    const QString dir = env.value(QStringLiteral("CLOUDSDK_CONFIG"));
    if (!dir.isEmpty())
        return expandHome(dir, home);
    return home + QStringLiteral("/.config/gcloud");
}

GcloudIni activeGcloudConfig(const QProcessEnvironment &env, const QString &home)
{
    const QString dir = gcloudConfigDir(env, home);
    QString name = env.value(QStringLiteral("CLOUDSDK_ACTIVE_CONFIG_NAME")).trimmed();
    if (name.isEmpty())
        name = readText(dir + QStringLiteral("/active_config")).trimmed();
    if (name.isEmpty())
        name = QStringLiteral("default");
    // A configuration name is a plain word; anything else would walk out of the directory.
    static const auto valid = [](const QString &n) {
        for (QChar c : n)
            if (!(c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_')))
                return false;
        return !n.isEmpty();
    };
    if (!valid(name))
        return {};
    return parseGcloudIni(readText(dir + QStringLiteral("/configurations/config_") + name));
}

Error checkSecureUrl(const QUrl &url, const QString &what)
{
    if (!url.isValid() || url.host().isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("%1 is not a usable URL: %2").arg(what, url.toString()),
                     QStringLiteral("BadUrl"));
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http")) {
        const QHostAddress addr(url.host());
        if (url.host() == QLatin1String("localhost") || (!addr.isNull() && addr.isLoopback()))
            return {};
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("%1 must use https (plain http is only allowed to loopback): %2")
                         .arg(what, url.toString()),
                     QStringLiteral("InsecureUrl"));
    }
    return Error(Error::Category::InvalidInput, QStringLiteral("%1 has an unsupported scheme: %2").arg(what, url.toString()),
                 QStringLiteral("BadUrl"));
}

Result<Account> accountFromCredentialsFile(const QString &path, const QString &id, const QString &source,
                                           const QProcessEnvironment &env, const QString &home)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error(Error::Category::Local, QStringLiteral("cannot read %1: %2").arg(displayPath(path, home), f.errorString()),
                     QStringLiteral("NoCredentialsFile"));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(1 << 20), &perr);
    if (!doc.isObject())
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("%1 is not a JSON credentials file: %2").arg(displayPath(path, home), perr.errorString()),
                     QStringLiteral("BadCredentialsFile"));
    const QJsonObject o = doc.object();
    const QString type = o.value(QLatin1String("type")).toString();
    const GcloudIni gcloud = activeGcloudConfig(env, home);

    Account a;
    a.provider = QStringLiteral("gcp");
    a.source = source;
    a.settings.insert(QStringLiteral("type"), type);
    a.settings.insert(QStringLiteral("keyFile"), path);
    QString keyProject;
    QString who;
    if (type == QLatin1String("service_account")) {
        const QString email = o.value(QLatin1String("client_email")).toString();
        const QString pem = o.value(QLatin1String("private_key")).toString();
        if (email.isEmpty() || pem.isEmpty())
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("%1: a service-account key needs client_email and private_key").arg(displayPath(path, home)),
                         QStringLiteral("BadCredentialsFile"));
        a.settings.insert(QStringLiteral("clientEmail"), email);
        a.settings.insert(QStringLiteral("clientId"), o.value(QLatin1String("client_id")).toString());
        a.settings.insert(QStringLiteral("privateKeyId"), o.value(QLatin1String("private_key_id")).toString());
        a.secrets.insert(QStringLiteral("privateKey"), pem);
        keyProject = o.value(QLatin1String("project_id")).toString();
        who = email;
        a.id = id.isEmpty() ? QStringLiteral("gcp:key:") + email : id;
    } else if (type == QLatin1String("authorized_user")) {
        const QString clientId = o.value(QLatin1String("client_id")).toString();
        const QString secret = o.value(QLatin1String("client_secret")).toString();
        const QString refresh = o.value(QLatin1String("refresh_token")).toString();
        if (clientId.isEmpty() || secret.isEmpty() || refresh.isEmpty())
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("%1: authorized_user credentials need client_id, client_secret and refresh_token")
                             .arg(displayPath(path, home)),
                         QStringLiteral("BadCredentialsFile"));
        a.settings.insert(QStringLiteral("clientId"), clientId);
        a.secrets.insert(QStringLiteral("clientSecret"), secret);
        a.secrets.insert(QStringLiteral("refreshToken"), refresh);
        keyProject = o.value(QLatin1String("quota_project_id")).toString();
        who = gcloud.value(QStringLiteral("core")).value(QStringLiteral("account"));
        a.id = id.isEmpty() ? QStringLiteral("gcp:user:") + clientId : id;
    } else {
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("%1: unsupported credentials type \"%2\" (service_account and authorized_user are)")
                         .arg(displayPath(path, home), type),
                     QStringLiteral("UnsupportedCredentials"));
    }
    const QString tokenUri = firstNonEmpty({o.value(QLatin1String("token_uri")).toString(), QLatin1String(kDefaultTokenUri)});
    if (Error e = checkSecureUrl(QUrl(tokenUri), QStringLiteral("token_uri")); e.isError())
        return e;
    a.settings.insert(QStringLiteral("tokenUri"), tokenUri);

    const QString project = firstNonEmpty({env.value(QStringLiteral("CLOUDSDK_CORE_PROJECT")),
                                           env.value(QStringLiteral("GOOGLE_CLOUD_PROJECT")), keyProject,
                                           gcloud.value(QStringLiteral("core")).value(QStringLiteral("project"))});
    a.settings.insert(QStringLiteral("project"), project);
    const QString endpoint = firstNonEmpty({env.value(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE")),
                                            gcloud.value(QStringLiteral("api_endpoint_overrides")).value(QStringLiteral("compute")),
                                            QLatin1String(kDefaultComputeEndpoint)});
    a.settings.insert(QStringLiteral("computeEndpoint"), endpoint);

    QString name = QStringLiteral("Google Cloud");
    if (!project.isEmpty())
        name += QStringLiteral(" · ") + project;
    if (!who.isEmpty())
        name += QStringLiteral(" (") + who + QLatin1Char(')');
    a.displayName = name;
    return a;
}

QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home)
{
    QList<Account> out;
    QString explicitPath = env.value(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS")).trimmed();
    if (!explicitPath.isEmpty()) {
        explicitPath = expandHome(explicitPath, home);
        Result<Account> a = accountFromCredentialsFile(explicitPath, {}, QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"),
                                                       env, home);
        if (a.ok())
            out.append(a.value());
        else
            qCWarning(lcGcp) << "GOOGLE_APPLICATION_CREDENTIALS:" << a.error().toString();
    }
    const QString adc = gcloudConfigDir(env, home) + QStringLiteral("/application_default_credentials.json");
    const bool same = !explicitPath.isEmpty()
        && QFileInfo(explicitPath).canonicalFilePath() == QFileInfo(adc).canonicalFilePath();
    if (!same && QFileInfo::exists(adc)) {
        Result<Account> a = accountFromCredentialsFile(adc, QStringLiteral("gcp:adc"),
                                                       displayPath(adc, home), env, home);
        if (a.ok())
            out.append(a.value());
        else
            qCWarning(lcGcp) << "application default credentials:" << a.error().toString();
    }
    return out;
}

} // namespace skydeck::gcp
