#include "MsalTokenCache.h"

#include "SmallFile.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace skydeck::azure {

namespace {

// The public cloud's authority hosts MSAL treats as one (its instance metadata's aliases).
bool sameEnvironment(const QString &a, const QString &b)
{
    if (a.compare(b, Qt::CaseInsensitive) == 0)
        return true;
    static const QSet<QString> publicCloud = {QStringLiteral("login.microsoftonline.com"), QStringLiteral("login.windows.net"),
                                              QStringLiteral("login.microsoft.com"), QStringLiteral("sts.windows.net")};
    return publicCloud.contains(a.toLower()) && publicCloud.contains(b.toLower());
}

Error notSignedIn(const QString &what)
{
    return Error(Error::Category::Auth, QStringLiteral("Azure CLI: %1: run az login").arg(what),
                 QStringLiteral("AzureCliNotSignedIn"));
}

qint64 seconds(const QJsonValue &v)
{
    return v.isString() ? v.toString().toLongLong() : v.toVariant().toLongLong();
}

} // namespace

Result<MsalCachedTokens> readMsalCache(const QString &configDir, const MsalQuery &query)
{
    const QString path = configDir + QStringLiteral("/msal_token_cache.json");
    const std::optional<QByteArray> file = readSmallFile(path, 32LL << 20);
    if (!file) {
        if (QFileInfo::exists(configDir + QStringLiteral("/msal_token_cache.bin")))
            return Error(Error::Category::Auth,
                         QStringLiteral("Azure CLI: its token cache is encrypted (msal_token_cache.bin, "
                                        "core.encrypt_token_cache), which Skydeck does not read: use a service principal, "
                                        "or az config set core.encrypt_token_cache=false and az login again"),
                         QStringLiteral("AzureCliCacheEncrypted"));
        return notSignedIn(QStringLiteral("no token cache in %1").arg(configDir));
    }
    const QJsonObject cache = QJsonDocument::fromJson(*file).object();
    if (cache.isEmpty())
        return notSignedIn(QStringLiteral("its token cache %1 is empty or not JSON").arg(path));

    QSet<QString> homes;  // the user's home_account_id (one per home tenant)
    const QJsonObject accounts = cache.value(QStringLiteral("Account")).toObject();
    for (auto it = accounts.begin(); it != accounts.end(); ++it) {
        const QJsonObject a = it.value().toObject();
        if (a.value(QStringLiteral("username")).toString().compare(query.username, Qt::CaseInsensitive) == 0
            && sameEnvironment(a.value(QStringLiteral("environment")).toString(), query.environment))
            homes.insert(a.value(QStringLiteral("home_account_id")).toString());
    }
    homes.remove(QString());
    if (homes.isEmpty())
        return notSignedIn(QStringLiteral("%1 is not signed in (no account in its token cache)").arg(query.username));

    auto mine = [&](const QJsonObject &e) {
        return homes.contains(e.value(QStringLiteral("home_account_id")).toString())
            && sameEnvironment(e.value(QStringLiteral("environment")).toString(), query.environment);
    };

    MsalCachedTokens out;
    const QJsonObject ats = cache.value(QStringLiteral("AccessToken")).toObject();
    for (auto it = ats.begin(); it != ats.end(); ++it) {
        const QJsonObject at = it.value().toObject();
        if (!mine(at) || at.value(QStringLiteral("client_id")).toString() != query.clientId
            || at.value(QStringLiteral("realm")).toString().compare(query.tenantId, Qt::CaseInsensitive) != 0)
            continue;
        const QStringList target = at.value(QStringLiteral("target")).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (!target.contains(query.scope, Qt::CaseInsensitive))
            continue;
        const qint64 expiresOn = seconds(at.value(QStringLiteral("expires_on")));
        if (expiresOn - query.now <= query.minValidSeconds || expiresOn <= out.accessExpiresOn)
            continue;
        const QByteArray secret = at.value(QStringLiteral("secret")).toString().toUtf8();
        if (secret.isEmpty())
            continue;
        out.accessToken = secret;
        out.accessExpiresOn = expiresOn;
    }

    // The client's own refresh token first, else one of its family (the CLI is a family-of-client-ids
    // app: MSAL marks such tokens family_id "1"); the newest of either.
    qint64 bestTime = -1;
    bool bestOwn = false;
    const QJsonObject rts = cache.value(QStringLiteral("RefreshToken")).toObject();
    for (auto it = rts.begin(); it != rts.end(); ++it) {
        const QJsonObject rt = it.value().toObject();
        if (!mine(rt))
            continue;
        const bool own = rt.value(QStringLiteral("client_id")).toString() == query.clientId;
        if (!own && rt.value(QStringLiteral("family_id")).toString() != QLatin1String("1"))
            continue;
        const QByteArray secret = rt.value(QStringLiteral("secret")).toString().toUtf8();
        const qint64 time = seconds(rt.value(QStringLiteral("last_modification_time")));
        if (secret.isEmpty() || (bestOwn && !own) || (own == bestOwn && time <= bestTime))
            continue;
        out.refreshToken = secret;
        bestTime = time;
        bestOwn = own;
    }
    if (out.accessToken.isEmpty() && out.refreshToken.isEmpty())
        return notSignedIn(QStringLiteral("no refresh token for %1 in its token cache").arg(query.username));
    return out;
}

} // namespace skydeck::azure
