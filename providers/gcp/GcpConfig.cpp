#include "GcpConfig.h"

#include "GcloudCredentialStore.h"
#include "GcpLogging.h"
#include "SmallFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

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

QString gcloudProperty(const QProcessEnvironment &env, const GcloudIni &ini, const QString &section, const QString &name)
{
    const QString var = QStringLiteral("CLOUDSDK_%1_%2").arg(section.toUpper(), name.toUpper());
    const QString fromEnv = env.value(var).trimmed();
    if (!fromEnv.isEmpty())
        return fromEnv;
    return ini.value(section).value(name).trimmed();
}

namespace {

// The credentials inside a JSON document (a key file, ADC, a row of gcloud's credentials.db, the
// source_credentials of impersonated ADC) as an account's settings and secrets.
struct Credentials {
    QString type;
    QString who;          // the service account's email, or empty for a user
    QString keyProject;   // project_id of a key, quota_project_id of a user
    QString tokenUri;
};

Result<Credentials> fillCredentials(Account &a, const QJsonObject &o, const QString &where)
{
    Credentials c;
    c.type = o.value(QLatin1String("type")).toString();
    c.tokenUri = o.value(QLatin1String("token_uri")).toString();
    a.settings.insert(QStringLiteral("type"), c.type);
    if (c.type == QLatin1String("service_account")) {
        const QString email = o.value(QLatin1String("client_email")).toString();
        const QString pem = o.value(QLatin1String("private_key")).toString();
        if (email.isEmpty() || pem.isEmpty())
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("%1: a service-account key needs client_email and private_key").arg(where),
                         QStringLiteral("BadCredentialsFile"));
        a.settings.insert(QStringLiteral("clientEmail"), email);
        a.settings.insert(QStringLiteral("clientId"), o.value(QLatin1String("client_id")).toString());
        a.settings.insert(QStringLiteral("privateKeyId"), o.value(QLatin1String("private_key_id")).toString());
        a.secrets.insert(QStringLiteral("privateKey"), pem);
        c.keyProject = o.value(QLatin1String("project_id")).toString();
        c.who = email;
    } else if (c.type == QLatin1String("authorized_user")) {
        const QString clientId = o.value(QLatin1String("client_id")).toString();
        const QString secret = o.value(QLatin1String("client_secret")).toString();
        const QString refresh = o.value(QLatin1String("refresh_token")).toString();
        if (clientId.isEmpty() || secret.isEmpty() || refresh.isEmpty())
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("%1: authorized_user credentials need client_id, client_secret and refresh_token").arg(where),
                         QStringLiteral("BadCredentialsFile"));
        a.settings.insert(QStringLiteral("clientId"), clientId);
        a.secrets.insert(QStringLiteral("clientSecret"), secret);
        a.secrets.insert(QStringLiteral("refreshToken"), refresh);
        c.keyProject = o.value(QLatin1String("quota_project_id")).toString();
    } else {
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("%1: unsupported credentials type \"%2\" (service_account, authorized_user and "
                                    "impersonated_service_account are)")
                         .arg(where, c.type),
                     QStringLiteral("UnsupportedCredentials"));
    }
    return c;
}

// "delegate1,delegate2,target" as gcloud's auth/impersonate_service_account takes it (the last one is
// impersonated, through the others in order).
void setImpersonation(Account &a, const QString &target, const QStringList &delegates, const QString &url)
{
    a.settings.insert(QStringLiteral("impersonateServiceAccount"), target);
    a.settings.insert(QStringLiteral("delegates"), delegates.join(QLatin1Char(',')));
    a.settings.insert(QStringLiteral("impersonationUrl"), url);
}

QString generateAccessTokenUrl(QString iamEndpoint, const QString &serviceAccount)
{
    if (!iamEndpoint.endsWith(QLatin1Char('/')))
        iamEndpoint += QLatin1Char('/');
    return iamEndpoint + QStringLiteral("v1/projects/-/serviceAccounts/") + serviceAccount
        + QStringLiteral(":generateAccessToken");
}

// Token endpoint, project, Compute endpoint and a display name, once the credentials are in `a`.
Error finishAccount(Account &a, QString who, const QString &tokenUri, const QString &project,
                    const QProcessEnvironment &env, const GcloudIni &gcloud)
{
    if (Error e = checkSecureUrl(QUrl(tokenUri), QStringLiteral("token_uri")); e.isError())
        return e;
    a.settings.insert(QStringLiteral("tokenUri"), tokenUri);
    a.settings.insert(QStringLiteral("project"), project);
    const QString endpoint = firstNonEmpty({gcloudProperty(env, gcloud, QStringLiteral("api_endpoint_overrides"), QStringLiteral("compute")),
                                            QLatin1String(kDefaultComputeEndpoint)});
    a.settings.insert(QStringLiteral("computeEndpoint"), endpoint);
    const QString impersonated = a.setting(QStringLiteral("impersonateServiceAccount"));
    if (!impersonated.isEmpty())
        if (Error e = checkSecureUrl(QUrl(a.setting(QStringLiteral("impersonationUrl"))), QStringLiteral("the impersonation URL"));
            e.isError())
            return e;
    if (!impersonated.isEmpty())
        who = who.isEmpty() ? impersonated : impersonated + QStringLiteral(" via ") + who;
    QString name = QStringLiteral("Google Cloud");
    if (!project.isEmpty())
        name += QStringLiteral(" · ") + project;
    if (!who.isEmpty())
        name += QStringLiteral(" (") + who + QLatin1Char(')');
    a.displayName = name;
    return {};
}

} // namespace

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
    const QString where = displayPath(path, home);
    QJsonObject o = doc.object();
    const GcloudIni gcloud = activeGcloudConfig(env, home);

    Account a;
    a.provider = QStringLiteral("gcp");
    a.source = source;
    a.settings.insert(QStringLiteral("keyFile"), path);
    a.settings.insert(QStringLiteral("loginCommand"), QStringLiteral("gcloud auth application-default login"));
    QString target;
    QString quotaProject;
    if (o.value(QLatin1String("type")).toString() == QLatin1String("impersonated_service_account")) {
        // `gcloud auth application-default login --impersonate-service-account SA` writes the user's
        // credentials as source_credentials and the IAM Credentials URL whose generateAccessToken
        // gives the service account's tokens (google-auth: impersonated_credentials.py,
        // from_impersonated_service_account_info).
        const QString url = o.value(QLatin1String("service_account_impersonation_url")).toString();
        const qsizetype slash = url.lastIndexOf(QLatin1Char('/'));
        const qsizetype verb = url.indexOf(QLatin1String(":generateAccessToken"));
        if (slash < 0 || verb < 0 || slash > verb)
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("%1: service_account_impersonation_url does not name a service account's "
                                        "generateAccessToken: %2").arg(where, url),
                         QStringLiteral("BadCredentialsFile"));
        target = url.mid(slash + 1, verb - slash - 1);
        QStringList delegates;
        for (const QJsonValue &d : o.value(QLatin1String("delegates")).toArray())
            delegates.append(d.toString().section(QLatin1Char('/'), -1));
        setImpersonation(a, target, delegates, url);
        quotaProject = o.value(QLatin1String("quota_project_id")).toString();
        o = o.value(QLatin1String("source_credentials")).toObject();
    }
    const Result<Credentials> c = fillCredentials(a, o, where);
    if (!c.ok())
        return c.error();
    if (id.isEmpty())
        a.id = !target.isEmpty() ? QStringLiteral("gcp:impersonated:") + target
            : c.value().type == QLatin1String("service_account") ? QStringLiteral("gcp:key:") + c.value().who
                                                                 : QStringLiteral("gcp:user:") + a.setting(QStringLiteral("clientId"));
    else
        a.id = id;
    const QString tokenUri = firstNonEmpty({c.value().tokenUri, QLatin1String(kDefaultTokenUri)});
    const QString project = firstNonEmpty({env.value(QStringLiteral("CLOUDSDK_CORE_PROJECT")),
                                           env.value(QStringLiteral("GOOGLE_CLOUD_PROJECT")), quotaProject, c.value().keyProject,
                                           gcloud.value(QStringLiteral("core")).value(QStringLiteral("project"))});
    // A user's file names no one: the active gcloud account is the likely owner.
    const QString who = firstNonEmpty({c.value().who, gcloud.value(QStringLiteral("core")).value(QStringLiteral("account"))});
    if (Error e = finishAccount(a, who, tokenUri, project, env, gcloud); e.isError())
        return e;
    return a;
}

Result<Account> accountFromGcloud(const QProcessEnvironment &env, const QString &home)
{
    const QString dir = gcloudConfigDir(env, home);
    const GcloudIni gcloud = activeGcloudConfig(env, home);
    auto property = [&](const char *section, const char *name) {
        return gcloudProperty(env, gcloud, QLatin1String(section), QLatin1String(name));
    };
    const QString account = property("core", "account");
    if (account.isEmpty())
        return Error(Error::Category::Auth,
                     QStringLiteral("gcloud has no active account (no [core] account in %1's active configuration, no "
                                    "CLOUDSDK_CORE_ACCOUNT): run gcloud auth login, or gcloud config set account ACCOUNT")
                         .arg(displayPath(dir, home)),
                     QStringLiteral("NoActiveAccount"));
    const QString db = dir + QStringLiteral("/credentials.db");
    const Result<QJsonObject> stored = readGcloudCredentials(db, account, property("core", "universe_domain"));
    if (!stored.ok()) {
        Error e = stored.error();
        if (e.code() == QLatin1String("NoCredentials"))
            return Error(Error::Category::Auth,
                         QStringLiteral("gcloud's active account is %1 but gcloud has no stored credentials (%2 does not "
                                        "exist): run gcloud auth login %1").arg(account, displayPath(db, home)),
                         QStringLiteral("NoCredentialsForAccount"));
        return e;
    }

    Account a;
    a.provider = QStringLiteral("gcp");
    a.id = QStringLiteral("gcp:gcloud:") + account;
    a.source = QStringLiteral("gcloud (%1)").arg(displayPath(db, home));
    a.settings.insert(QStringLiteral("gcloudAccount"), account);
    const Result<Credentials> c = fillCredentials(a, stored.value(), displayPath(db, home) + QStringLiteral(" [") + account + QLatin1Char(']'));
    if (!c.ok())
        return c.error();
    a.settings.insert(QStringLiteral("loginCommand"), c.value().type == QLatin1String("service_account")
                                                          ? QStringLiteral("gcloud auth activate-service-account ") + account
                                                          : QStringLiteral("gcloud auth login ") + account);
    // gcloud uses the service account named by auth/impersonate_service_account for every call, with
    // the active account's token for generateAccessToken (store.py, Load).
    const QString impersonate = property("auth", "impersonate_service_account");
    if (!impersonate.isEmpty()) {
        QStringList chain;
        for (const QString &s : impersonate.split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!s.trimmed().isEmpty())
                chain.append(s.trimmed());
        if (!chain.isEmpty()) {
            const QString target = chain.takeLast();
            const QString iam = firstNonEmpty({property("api_endpoint_overrides", "iamcredentials"),
                                               QLatin1String(kDefaultIamCredentialsEndpoint)});
            setImpersonation(a, target, chain, generateAccessTokenUrl(iam, target));
        }
    }
    // creds.py GetEffectiveTokenUri: auth/token_host when set, else the stored token_uri.
    const QString tokenUri = firstNonEmpty({property("auth", "token_host"), c.value().tokenUri, QLatin1String(kDefaultTokenUri)});
    const QString project = firstNonEmpty({property("core", "project"), c.value().keyProject});
    if (Error e = finishAccount(a, account, tokenUri, project, env, gcloud); e.isError())
        return e;
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
    // gcloud's own active account: what `gcloud` commands use. Listed after the ADC sources, and left
    // out when it holds the same credentials as one already listed.
    Result<Account> g = accountFromGcloud(env, home);
    if (g.ok()) {
        const Account &a = g.value();
        const auto sameCredentials = [&a](const Account &b) {
            const auto eq = [&](const char *k) { return a.setting(QLatin1String(k)) == b.setting(QLatin1String(k)); };
            return eq("impersonateServiceAccount") && eq("type")
                && a.secret(QStringLiteral("refreshToken")) == b.secret(QStringLiteral("refreshToken"))
                && a.secret(QStringLiteral("privateKey")) == b.secret(QStringLiteral("privateKey"));
        };
        if (std::none_of(out.cbegin(), out.cend(), sameCredentials))
            out.append(a);
        else
            qCDebug(lcGcp) << "gcloud's active account holds the same credentials as one already listed";
    } else if (g.error().code() == QLatin1String("NoActiveAccount")
               && !QFileInfo::exists(gcloudConfigDir(env, home) + QStringLiteral("/credentials.db"))) {
        qCDebug(lcGcp) << "no gcloud login";
    } else {
        qCWarning(lcGcp).noquote() << "gcloud:" << g.error().toString();
    }
    return out;
}

} // namespace skydeck::gcp
