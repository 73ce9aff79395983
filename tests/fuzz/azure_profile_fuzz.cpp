// The Azure CLI's azureProfile.json (providers/azure/AzureConfig.h), which gives a service
// principal its default subscription: the input is the file, written into a private
// AZURE_CONFIG_DIR and read by cliDefaultSubscription() and discoverAccounts() (with a service
// principal in the environment). Properties: the subscription found is the id of a subscription
// marked isDefault in the document (of the tenant asked for), and the account carries it; the
// account's ArmConfig reports what is missing or unsafe without failing.
#include "FuzzSupport.h"

#include "AzureConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace skydeck;
using namespace skydeck::azure;
using skydeck::fuzz::bytes;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = bytes(data, size);
    const QDir dir = skydeck::fuzz::scratchDir();
    const QString path = dir.filePath(QStringLiteral("azure/azureProfile.json"));
    skydeck::fuzz::writeFile(path, body);

    QByteArray json = body;
    if (json.startsWith("\xEF\xBB\xBF"))
        json.remove(0, 3);
    QStringList defaults;  // ids of the default subscriptions, any tenant
    for (const QJsonValue &v : QJsonDocument::fromJson(json).object().value(QStringLiteral("subscriptions")).toArray())
        if (v.toObject().value(QStringLiteral("isDefault")).toBool())
            defaults << v.toObject().value(QStringLiteral("id")).toString();

    const QString tenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    for (const QString &t : {QString(), tenant}) {
        const QString sub = cliDefaultSubscription(path, t);
        FUZZ_CHECK(sub.isEmpty() || defaults.contains(sub));
    }

    QProcessEnvironment env;
    env.insert(QStringLiteral("AZURE_TENANT_ID"), tenant);
    env.insert(QStringLiteral("AZURE_CLIENT_ID"), QStringLiteral("fuzz-client"));
    env.insert(QStringLiteral("AZURE_CLIENT_SECRET"), QStringLiteral("fuzz-secret"));
    env.insert(QStringLiteral("AZURE_CONFIG_DIR"), dir.filePath(QStringLiteral("azure")));
    const QList<Account> accounts = discoverAccounts(env, dir.path());
    // The environment's service principal first; the Azure CLI's user after it when the profile has one.
    FUZZ_CHECK(!accounts.isEmpty() && accounts.size() <= 2);
    FUZZ_CHECK(accounts.first().id == QLatin1String("azure:env"));
    const QString sub = accounts.first().setting(QStringLiteral("subscriptionId"));
    FUZZ_CHECK(sub == cliDefaultSubscription(path, tenant));
    const ArmConfig config = ArmConfig::fromAccount(accounts.first());
    FUZZ_CHECK(config.problem().isEmpty() == !sub.isEmpty());
    (void)config.tokenUrl();
    (void)config.scope();
    return 0;
}
