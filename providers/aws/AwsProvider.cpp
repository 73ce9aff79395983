#include "AwsProvider.h"

#include "AccountRegistry.h"
#include "Ec2Client.h"
#include "S3Client.h"

namespace skydeck::aws {

void registerProviders()
{
    AccountRegistry::registerStorageFactory(QStringLiteral("aws"), [](const Account &account, QObject *parent) {
        return static_cast<StorageClient *>(new S3Client(S3Config::fromAccount(account), parent));
    });
    AccountRegistry::registerComputeFactory(QStringLiteral("aws"), [](const Account &account, QObject *parent) {
        return static_cast<ComputeClient *>(new Ec2Client(Ec2Config::fromAccount(account), parent));
    });
}

} // namespace skydeck::aws
