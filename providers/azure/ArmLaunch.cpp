#include "ArmLaunch.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace skydeck::azure::launchdoc {

namespace {
Error invalid(const QString &why)
{
    return Error(Error::Category::InvalidInput, why, QStringLiteral("InvalidParameter"));
}
} // namespace

Result<QJsonObject> imageReference(const QString &image)
{
    const QString t = image.trimmed();
    if (t.startsWith(QLatin1String("/subscriptions/"), Qt::CaseInsensitive)) {
        if (t.contains(QLatin1Char('?')) || t.contains(QLatin1String("/../")))
            return invalid(QStringLiteral("not an image resource id: %1").arg(image));
        return QJsonObject{{QStringLiteral("id"), t}};
    }
    const QStringList parts = t.split(QLatin1Char(':'));
    static const QRegularExpression word(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    if (parts.size() != 4 || !std::all_of(parts.begin(), parts.end(), [](const QString &p) { return word.match(p).hasMatch(); }))
        return invalid(QStringLiteral("an Azure image is publisher:offer:sku:version (e.g. "
                                      "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest) or an image id, not '%1'")
                           .arg(image));
    return QJsonObject{{QStringLiteral("publisher"), parts.at(0)}, {QStringLiteral("offer"), parts.at(1)},
                       {QStringLiteral("sku"), parts.at(2)}, {QStringLiteral("version"), parts.at(3)}};
}

QString checkVmName(const QString &name)
{
    // learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    // (Microsoft.Compute/virtualMachines, Linux: 1-64; NICs, NSGs, public IPs: 1-80).
    static const QRegularExpression rule(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$"));
    if (!rule.match(name).hasMatch())
        return QStringLiteral("'%1' is not an Azure VM name: 1 to 64 letters, digits, '-', '_' or '.', starting with a "
                              "letter or digit and not ending in '-' or '.'")
            .arg(name);
    return {};
}

QJsonObject resourceGroup(const QString &location)
{
    return {{QStringLiteral("location"), location}, {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}}};
}

QJsonObject virtualNetwork(const QString &location)
{
    return {{QStringLiteral("location"), location},
            {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("addressSpace"), QJsonObject{{QStringLiteral("addressPrefixes"), QJsonArray{QStringLiteral("10.0.0.0/16")}}}},
                         {QStringLiteral("subnets"),
                          QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("default")},
                                                 {QStringLiteral("properties"),
                                                  QJsonObject{{QStringLiteral("addressPrefix"), QStringLiteral("10.0.0.0/24")}}}}}}}}};
}

QJsonObject securityGroup(const QString &location, const QString &sshFrom)
{
    QJsonArray rules;
    if (!sshFrom.isEmpty())
        rules.append(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("SSH")},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("description"), QStringLiteral("SSH from the address the VM was launched for (skydeck)")},
                         {QStringLiteral("protocol"), QStringLiteral("Tcp")},
                         {QStringLiteral("sourcePortRange"), QStringLiteral("*")},
                         {QStringLiteral("destinationPortRange"), QStringLiteral("22")},
                         {QStringLiteral("sourceAddressPrefix"), sshFrom},
                         {QStringLiteral("destinationAddressPrefix"), QStringLiteral("*")},
                         {QStringLiteral("access"), QStringLiteral("Allow")},
                         {QStringLiteral("priority"), 1000},
                         {QStringLiteral("direction"), QStringLiteral("Inbound")}}}});
    return {{QStringLiteral("location"), location},
            {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}},
            {QStringLiteral("properties"), QJsonObject{{QStringLiteral("securityRules"), rules}}}};
}

QJsonObject publicIp(const QString &location, const QString &zone)
{
    QJsonObject o{{QStringLiteral("location"), location},
                  {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}},
                  {QStringLiteral("sku"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Standard")}}},
                  {QStringLiteral("properties"),
                   QJsonObject{{QStringLiteral("publicIPAllocationMethod"), QStringLiteral("Static")},
                               {QStringLiteral("publicIPAddressVersion"), QStringLiteral("IPv4")},
                               {QStringLiteral("deleteOption"), QStringLiteral("Delete")}}}};
    if (!zone.isEmpty())
        o.insert(QStringLiteral("zones"), QJsonArray{zone});
    return o;
}

QJsonObject networkInterface(const QString &location, const QString &subnetId, const QString &publicIpId,
                             const QString &securityGroupId)
{
    return {{QStringLiteral("location"), location},
            {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("networkSecurityGroup"), QJsonObject{{QStringLiteral("id"), securityGroupId}}},
                         {QStringLiteral("ipConfigurations"),
                          QJsonArray{QJsonObject{
                              {QStringLiteral("name"), QStringLiteral("ipconfig1")},
                              {QStringLiteral("properties"),
                               QJsonObject{{QStringLiteral("subnet"), QJsonObject{{QStringLiteral("id"), subnetId}}},
                                           {QStringLiteral("privateIPAllocationMethod"), QStringLiteral("Dynamic")},
                                           {QStringLiteral("publicIPAddress"), QJsonObject{{QStringLiteral("id"), publicIpId}}}}}}}}}}};
}

QJsonObject virtualMachine(const LaunchRequest &r, const QString &location, const QString &nicId, const QJsonObject &image)
{
    const QString user = r.sshUser.isEmpty() ? QStringLiteral("azureuser") : r.sshUser;
    QJsonObject osDisk{{QStringLiteral("createOption"), QStringLiteral("FromImage")},
                       {QStringLiteral("deleteOption"), QStringLiteral("Delete")},
                       {QStringLiteral("managedDisk"), QJsonObject{{QStringLiteral("storageAccountType"), QStringLiteral("StandardSSD_LRS")}}}};
    if (r.diskGb > 0)
        osDisk.insert(QStringLiteral("diskSizeGB"), r.diskGb);
    QJsonObject props{
        {QStringLiteral("hardwareProfile"), QJsonObject{{QStringLiteral("vmSize"), r.machineType}}},
        {QStringLiteral("storageProfile"), QJsonObject{{QStringLiteral("imageReference"), image}, {QStringLiteral("osDisk"), osDisk}}},
        {QStringLiteral("osProfile"),
         QJsonObject{{QStringLiteral("computerName"), r.name},
                     {QStringLiteral("adminUsername"), user},
                     {QStringLiteral("linuxConfiguration"),
                      QJsonObject{{QStringLiteral("disablePasswordAuthentication"), true},
                                  {QStringLiteral("ssh"),
                                   QJsonObject{{QStringLiteral("publicKeys"),
                                                QJsonArray{QJsonObject{
                                                    {QStringLiteral("path"), QStringLiteral("/home/%1/.ssh/authorized_keys").arg(user)},
                                                    {QStringLiteral("keyData"), r.sshPublicKey}}}}}}}}}},
        {QStringLiteral("networkProfile"),
         QJsonObject{{QStringLiteral("networkInterfaces"),
                      QJsonArray{QJsonObject{{QStringLiteral("id"), nicId},
                                             {QStringLiteral("properties"),
                                              QJsonObject{{QStringLiteral("primary"), true},
                                                          {QStringLiteral("deleteOption"), QStringLiteral("Delete")}}}}}}}},
    };
    if (r.spot) {
        props.insert(QStringLiteral("priority"), QStringLiteral("Spot"));
        props.insert(QStringLiteral("evictionPolicy"), QStringLiteral("Deallocate"));
        props.insert(QStringLiteral("billingProfile"), QJsonObject{{QStringLiteral("maxPrice"), -1}});
    }
    QJsonObject vm{{QStringLiteral("location"), location},
                   {QStringLiteral("tags"), QJsonObject{{QStringLiteral("created-by"), QStringLiteral("skydeck")}}},
                   {QStringLiteral("properties"), props}};
    if (!r.zone.isEmpty())
        vm.insert(QStringLiteral("zones"), QJsonArray{r.zone});
    return vm;
}

} // namespace skydeck::azure::launchdoc
