#include "AzureCliProfile.h"

#include "SmallFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace skydeck::azure {

std::optional<CliSubscription> cliDefaultSubscriptionEntry(const QString &profileJsonPath, const QString &tenantId)
{
    std::optional<QByteArray> file = readSmallFile(profileJsonPath);
    if (!file)
        return std::nullopt;
    QByteArray data = *file;
    if (data.startsWith("\xEF\xBB\xBF"))  // the Azure CLI writes it with a UTF-8 BOM
        data.remove(0, 3);
    const QJsonArray subs = QJsonDocument::fromJson(data).object().value(QStringLiteral("subscriptions")).toArray();
    for (const QJsonValue &v : subs) {
        const QJsonObject s = v.toObject();
        if (!s.value(QStringLiteral("isDefault")).toBool())
            continue;
        if (!tenantId.isEmpty()
            && s.value(QStringLiteral("tenantId")).toString().compare(tenantId, Qt::CaseInsensitive) != 0)
            continue;
        const QJsonObject user = s.value(QStringLiteral("user")).toObject();
        CliSubscription c;
        c.id = s.value(QStringLiteral("id")).toString();
        c.name = s.value(QStringLiteral("name")).toString();
        c.tenantId = s.value(QStringLiteral("tenantId")).toString();
        c.userName = user.value(QStringLiteral("name")).toString();
        c.userType = user.value(QStringLiteral("type")).toString();
        c.environmentName = s.value(QStringLiteral("environmentName")).toString();
        if (c.id.isEmpty())
            continue;
        return c;
    }
    return std::nullopt;
}

std::optional<CliServicePrincipal> cliServicePrincipal(const QString &configDir, const QString &clientId,
                                                       const QString &tenantId)
{
    const std::optional<QByteArray> file = readSmallFile(configDir + QStringLiteral("/service_principal_entries.json"));
    if (!file || clientId.isEmpty())
        return std::nullopt;
    std::optional<CliServicePrincipal> first;
    for (const QJsonValue &v : QJsonDocument::fromJson(*file).array()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("client_id")).toString() != clientId)
            continue;
        CliServicePrincipal sp;
        sp.clientId = clientId;
        sp.tenantId = e.value(QStringLiteral("tenant")).toString();
        sp.clientSecret = e.value(QStringLiteral("client_secret")).toString();
        sp.certificatePath = e.value(QStringLiteral("certificate")).toString();
        if (sp.clientSecret.isEmpty() && sp.certificatePath.isEmpty())
            continue;  // a federated token (client_assertion) is not something Skydeck can renew
        if (sp.tenantId == tenantId)
            return sp;
        if (!first)
            first = sp;
    }
    return first;
}

CliCloud cliCloud(const QString &configDir, const QString &cloudName)
{
    CliCloud c;
    if (cloudName.isEmpty())
        return c;
    const std::optional<QByteArray> file = readSmallFile(configDir + QStringLiteral("/clouds.config"));
    if (!file)
        return c;
    // Python's configparser format: [section], then "key = value" (or "key: value") lines.
    bool inSection = false;
    for (const QByteArray &raw : file->split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            inSection = line.mid(1, line.size() - 2).trimmed() == cloudName;
            continue;
        }
        if (!inSection)
            continue;
        // The first '=' or ':' ends the key (configparser's delimiters); a URL's own ':' comes later.
        qsizetype sep = line.indexOf(QLatin1Char('='));
        if (const qsizetype colon = line.indexOf(QLatin1Char(':')); colon >= 0 && (sep < 0 || colon < sep))
            sep = colon;
        if (sep <= 0)
            continue;
        const QString key = line.left(sep).trimmed().toLower();
        const QString value = line.mid(sep + 1).trimmed();
        if (key == QLatin1String("endpoint_active_directory"))
            c.authority = value;
        else if (key == QLatin1String("endpoint_resource_manager"))
            c.resourceManager = value;
        else if (key == QLatin1String("endpoint_active_directory_resource_id"))
            c.resource = value;
    }
    return c;
}

} // namespace skydeck::azure
