#include "Ec2Xml.h"

#include "AwsXml.h"

#include <QXmlStreamReader>

#include <functional>

namespace skydeck::aws::Ec2Xml {

namespace {

// Messages name the service: "a malformed EC2 DescribeInstances response".
Error malformed(const QString &what, const QString &detail)
{
    return AwsXml::malformed(QStringLiteral("EC2 ") + what, detail);
}

Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const AwsXml::ElementFn &onElement)
{
    return AwsXml::walk(body, root, QStringLiteral("EC2 ") + what, onElement);
}

QString text(QXmlStreamReader &xml)
{
    return AwsXml::text(xml).trimmed();
}

// Reads one instance <item> (the reader stands on its start) up to its end element.
Instance readInstance(QXmlStreamReader &xml)
{
    Instance in;
    QStringList rel;
    QString tagKey;
    QString tagValue;
    while (!xml.atEnd()) {
        const auto t = xml.readNext();
        if (t == QXmlStreamReader::EndElement) {
            if (rel.isEmpty())
                break;  // the instance's own </item>
            if (rel.size() == 2 && rel.at(0) == QLatin1String("tagSet") && !tagKey.isEmpty())
                in.tags.insert(tagKey, tagValue);
            if (rel.size() == 2 && rel.at(0) == QLatin1String("tagSet")) {
                tagKey.clear();
                tagValue.clear();
            }
            rel.removeLast();
            continue;
        }
        if (t != QXmlStreamReader::StartElement)
            continue;
        rel.append(xml.name().toString());
        if (!AwsXml::checkDepth(xml, rel.size()))
            break;
        const QString &leaf = rel.last();
        bool read = true;
        if (rel.size() == 1) {
            if (leaf == QLatin1String("instanceId"))
                in.id = text(xml);
            else if (leaf == QLatin1String("imageId"))
                in.image = text(xml);
            else if (leaf == QLatin1String("instanceType"))
                in.machineType = text(xml);
            else if (leaf == QLatin1String("keyName"))
                in.keyName = text(xml);
            else if (leaf == QLatin1String("launchTime"))
                in.launched = QDateTime::fromString(text(xml), Qt::ISODateWithMs).toUTC();
            else if (leaf == QLatin1String("ipAddress"))
                in.publicIp = text(xml);
            else if (leaf == QLatin1String("privateIpAddress"))
                in.privateIp = text(xml);
            else if (leaf == QLatin1String("instanceLifecycle"))
                in.spot = text(xml) == QLatin1String("spot");
            else
                read = false;
        } else if (rel.size() == 2 && rel.at(0) == QLatin1String("instanceState") && leaf == QLatin1String("name")) {
            in.providerState = text(xml);
        } else if (rel.size() == 2 && rel.at(0) == QLatin1String("placement")
                   && leaf == QLatin1String("availabilityZone")) {
            in.zone = text(xml);
        } else if (rel.size() == 3 && rel.at(0) == QLatin1String("tagSet") && leaf == QLatin1String("key")) {
            tagKey = text(xml);
        } else if (rel.size() == 3 && rel.at(0) == QLatin1String("tagSet") && leaf == QLatin1String("value")) {
            tagValue = text(xml);
        } else {
            read = false;
        }
        if (read)
            rel.removeLast();  // text() stopped on the element's end
    }
    in.resource = in.id;
    in.name = in.tags.value(QStringLiteral("Name"));
    in.state = mapState(in.providerState);
    return in;
}

// Instances at .../instancesSet/item, wherever the set sits (DescribeInstances: in each
// reservation; RunInstances: at the top).
Result<QList<Instance>> parseInstances(const QByteArray &body, const QString &root, const QString &what,
                                       QString *nextToken)
{
    QList<Instance> out;
    bool badInstance = false;
    Result<Done> r = walk(body, root, what, [&](const QStringList &path, QXmlStreamReader &xml) {
        if (path.size() >= 2 && path.last() == QLatin1String("item") && path.at(path.size() - 2) == QLatin1String("instancesSet")) {
            Instance in = readInstance(xml);
            if (in.id.isEmpty())
                badInstance = true;
            out.append(std::move(in));
            return true;
        }
        if (nextToken && path.size() == 1 && path.first() == QLatin1String("nextToken")) {
            *nextToken = text(xml);
            return false;
        }
        return false;
    });
    if (!r.ok())
        return r.error();
    if (badInstance)
        return malformed(what, QStringLiteral("an instance without instanceId"));
    return out;
}

} // namespace

InstanceState mapState(const QString &s)
{
    if (s == QLatin1String("pending"))
        return InstanceState::Pending;
    if (s == QLatin1String("running"))
        return InstanceState::Running;
    if (s == QLatin1String("stopping"))
        return InstanceState::Stopping;
    if (s == QLatin1String("stopped"))
        return InstanceState::Stopped;
    if (s == QLatin1String("shutting-down"))
        return InstanceState::Terminating;
    if (s == QLatin1String("terminated"))
        return InstanceState::Terminated;
    return InstanceState::Unknown;
}

QString gpuModel(const QString &name, qint64 memoryMiB)
{
    if (name == QLatin1String("A100") && memoryMiB > 0)
        return QStringLiteral("A100 %1GB").arg(memoryMiB >= 60 * 1024 ? 80 : 40);
    return name;
}

Result<InstancePage> parseDescribeInstances(const QByteArray &body)
{
    InstancePage page;
    Result<QList<Instance>> r = parseInstances(body, QStringLiteral("DescribeInstancesResponse"),
                                               QStringLiteral("DescribeInstances"), &page.nextPageToken);
    if (!r.ok())
        return r.error();
    page.instances = r.takeValue();
    return page;
}

Result<QList<Instance>> parseRunInstances(const QByteArray &body)
{
    Result<QList<Instance>> r = parseInstances(body, QStringLiteral("RunInstancesResponse"),
                                               QStringLiteral("RunInstances"), nullptr);
    if (r.ok() && r->isEmpty())
        return malformed(QStringLiteral("RunInstances"), QStringLiteral("no instance in the answer"));
    return r;
}

Result<QString> parseImageRootDevice(const QByteArray &body, bool *found)
{
    QString root;
    bool any = false;
    Result<Done> r = walk(body, QStringLiteral("DescribeImagesResponse"), QStringLiteral("DescribeImages"),
                          [&](const QStringList &path, QXmlStreamReader &xml) {
                              if (path.size() == 2 && path.at(0) == QLatin1String("imagesSet"))
                                  any = true;
                              if (path.size() == 3 && path.at(0) == QLatin1String("imagesSet")
                                  && path.at(2) == QLatin1String("rootDeviceName") && root.isEmpty())
                                  root = text(xml);
                              return false;
                          });
    if (!r.ok())
        return r.error();
    if (found)
        *found = any;
    return root;
}

Result<QStringList> parseDescribeRegions(const QByteArray &body)
{
    QStringList regions;
    QString name;
    QString optIn;
    Result<Done> r = walk(body, QStringLiteral("DescribeRegionsResponse"), QStringLiteral("DescribeRegions"),
                          [&](const QStringList &path, QXmlStreamReader &xml) {
                              if (path.size() == 2 && path.at(0) == QLatin1String("regionInfo")
                                  && path.at(1) == QLatin1String("item")) {
                                  name.clear();
                                  optIn.clear();
                                  while (xml.readNextStartElement()) {
                                      if (xml.name() == QLatin1String("regionName"))
                                          name = text(xml);
                                      else if (xml.name() == QLatin1String("optInStatus"))
                                          optIn = text(xml);
                                      else
                                          xml.skipCurrentElement();
                                  }
                                  if (!name.isEmpty() && optIn != QLatin1String("not-opted-in"))
                                      regions.append(name);
                                  return true;
                              }
                              return false;
                          });
    if (!r.ok())
        return r.error();
    return regions;
}

Result<QHash<QString, GpuInfo>> parseDescribeInstanceTypes(const QByteArray &body, QString *nextToken)
{
    QHash<QString, GpuInfo> out;
    QString type;
    Result<Done> r = walk(body, QStringLiteral("DescribeInstanceTypesResponse"), QStringLiteral("DescribeInstanceTypes"),
                          [&](const QStringList &path, QXmlStreamReader &xml) {
                              if (path.size() == 1 && path.first() == QLatin1String("nextToken")) {
                                  if (nextToken)
                                      *nextToken = text(xml);
                                  return false;
                              }
                              if (path.size() < 3 || path.at(0) != QLatin1String("instanceTypeSet"))
                                  return false;
                              if (path.size() == 3 && path.at(2) == QLatin1String("instanceType")) {
                                  type = text(xml);
                                  out.insert(type, GpuInfo{});
                                  return false;
                              }
                              // instanceTypeSet/item/gpuInfo/gpus/item/{name,count,memoryInfo/sizeInMiB}
                              if (path.size() == 6 && path.at(2) == QLatin1String("gpuInfo")
                                  && path.at(3) == QLatin1String("gpus") && !type.isEmpty()) {
                                  GpuInfo &g = out[type];
                                  if (path.at(5) == QLatin1String("name")) {
                                      const QString name = text(xml);
                                      if (g.model.isEmpty())
                                          g.model = name;
                                  } else if (path.at(5) == QLatin1String("count")) {
                                      g.addCount(text(xml).toLongLong());
                                  }
                                  return false;
                              }
                              if (path.size() == 7 && path.at(2) == QLatin1String("gpuInfo") && path.at(5) == QLatin1String("memoryInfo")
                                  && path.at(6) == QLatin1String("sizeInMiB") && !type.isEmpty()) {
                                  GpuInfo &g = out[type];
                                  g.model = gpuModel(g.model, text(xml).toLongLong());
                                  return false;
                              }
                              return false;
                          });
    if (!r.ok())
        return r.error();
    return out;
}

} // namespace skydeck::aws::Ec2Xml
