#include "AzureProvider.h"

#include "AccountRegistry.h"
#include "ArmClient.h"

namespace skydeck::azure {

void registerProviders()
{
    AccountRegistry::registerComputeFactory(QStringLiteral("azure"), [](const Account &account, QObject *parent) {
        return static_cast<ComputeClient *>(new ArmClient(ArmConfig::fromAccount(account), parent));
    });
}

} // namespace skydeck::azure
