#include "GcpProvider.h"

#include "AccountRegistry.h"
#include "GceClient.h"

namespace skydeck::gcp {

void registerProviders()
{
    AccountRegistry::registerComputeFactory(QStringLiteral("gcp"), [](const Account &account, QObject *parent) {
        return static_cast<ComputeClient *>(new GceClient(account, parent));
    });
}

} // namespace skydeck::gcp
