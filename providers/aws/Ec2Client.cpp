#include "Ec2Client.h"

#include "Account.h"
#include "AwsLogging.h"
#include "Ec2Errors.h"
#include "CredentialProvider.h"
#include "Ec2Xml.h"
#include "Logging.h"

#include <QPointer>
#include <QUuid>

#include <algorithm>

namespace skydeck::aws {

namespace {

void add(QueryItems &params, const QByteArray &name, const QString &value)
{
    params.append({name, value.toUtf8()});
}

void addRaw(QueryItems &params, const QByteArray &name, const QByteArray &value)
{
    params.append({name, value});
}

QueryItems actionParams(const char *action)
{
    return {{QByteArray("Action"), QByteArray(action)}, {QByteArray("Version"), QByteArray(Ec2Client::kApiVersion)}};
}

QString instanceContext(const Instance &in)
{
    const QString who = in.name.isEmpty() ? in.id : QStringLiteral("%1 (%2)").arg(in.name, in.id);
    return QStringLiteral("EC2 instance %1 in %2").arg(who, in.region);
}

} // namespace

Ec2Config Ec2Config::fromAccount(const Account &account)
{
    Ec2Config c;
    const QString endpoint = account.setting(QStringLiteral("ec2Endpoint"));
    if (!endpoint.isEmpty())
        c.endpoint = QUrl(endpoint.contains(QLatin1String("://")) ? endpoint : QStringLiteral("https://") + endpoint);
    c.region = account.setting(QStringLiteral("region"), QStringLiteral("us-east-1"));
    if (c.region.isEmpty())
        c.region = QStringLiteral("us-east-1");
    c.regionPinned = account.setting(QStringLiteral("regionPinned")) == QLatin1String("true");
    const CredentialSpec spec = CredentialSpec::fromAccount(account);
    if (spec.kind == CredentialSpec::Kind::Static) {
        c.credentials.accessKeyId = spec.accessKeyId;
        c.credentials.secretAccessKey = spec.secretAccessKey;
        c.credentials.sessionToken = spec.sessionToken;
    } else {
        c.credentialSource = spec;
    }
    c.allowInsecureHttp = account.allowsInsecureHttp();
    c.accountId = account.id;
    return c;
}

Ec2Client::Ec2Client(const Ec2Config &config, QObject *parent)
    : ComputeClient(parent), m_config(config), m_http(new HttpClient(this))
{
    if (m_config.allowInsecureHttp)
        m_http->setAllowInsecureHttp(true);
    m_config.pageSize = std::clamp(m_config.pageSize, 5, 1000);
    m_http->setRetryClassifier(&isRetryableEc2Response);
    m_credentials = createClientCredentials(m_config.credentialSource, m_config.credentials, this);
    const QUrl &e = m_config.endpoint;
    if (!e.isEmpty()
        && (!e.isValid() || e.host().isEmpty()
            || (e.scheme() != QLatin1String("http") && e.scheme() != QLatin1String("https")))) {
        m_configError = Error(Error::Category::InvalidInput,
                              QStringLiteral("The EC2 endpoint '%1' is not a usable http(s) URL")
                                  .arg(redactSecrets(e.toString())),
                              QStringLiteral("InvalidEndpoint"));
    }
}

Ec2Client::~Ec2Client() = default;

QUrl Ec2Client::endpointFor(const QString &region) const
{
    if (!m_config.endpoint.isEmpty())
        return m_config.endpoint;
    QUrl u;
    u.setScheme(QStringLiteral("https"));
    u.setHost(region.startsWith(QLatin1String("cn-")) ? QStringLiteral("ec2.%1.amazonaws.com.cn").arg(region)
                                                       : QStringLiteral("ec2.%1.amazonaws.com").arg(region));
    u.setPath(QStringLiteral("/"));
    return u;
}

QByteArray Ec2Client::formBody(const QueryItems &params)
{
    return SigV4::formBody(params);
}

QString Ec2Client::actionName(InstanceAction action)
{
    switch (action) {
    case InstanceAction::Start: return QStringLiteral("StartInstances");
    case InstanceAction::Stop: return QStringLiteral("StopInstances");
    case InstanceAction::Reboot: return QStringLiteral("RebootInstances");
    case InstanceAction::Terminate: return QStringLiteral("TerminateInstances");
    }
    return {};
}

HttpRequest Ec2Client::buildRequest(const QString &region, const QueryItems &params, const QDateTime &when) const
{
    return buildRequestWith(m_config.credentials, region, params, when);
}

HttpRequest Ec2Client::buildRequestWith(const Credentials &credentials, const QString &region, const QueryItems &params,
                                        const QDateTime &when) const
{
    HttpRequest req;
    req.method = "POST";
    req.url = endpointFor(region);
    if (req.url.path().isEmpty())
        req.url.setPath(QStringLiteral("/"));
    req.body = formBody(params);
    req.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    SigV4::signQueryPost(req, credentials, region, QStringLiteral("ec2"), when);
    return req;
}

void Ec2Client::call(const QString &region, const QueryItems &params, const QString &context, const CancelToken &token,
                     Callback<QByteArray> done, bool credentialsRenewed)
{
    if (m_configError.isError()) {
        done(Error(m_configError).setContext(context));
        return;
    }
    if (!m_credentials) {
        callWith(Credentials(), region, params, context, token, std::move(done), credentialsRenewed);
        return;
    }
    m_credentials->credentials(token, [this, region, params, context, token, credentialsRenewed,
                                       done = std::move(done)](Result<Credentials> creds) mutable {
        if (!creds.ok())
            return done(Error(creds.error()).setContext(context));
        callWith(creds.value(), region, params, context, token, std::move(done), credentialsRenewed);
    });
}

void Ec2Client::callWith(const Credentials &credentials, const QString &region, const QueryItems &params,
                         const QString &context, const CancelToken &token, Callback<QByteArray> done,
                         bool credentialsRenewed)
{
    HttpRequest req = buildRequestWith(credentials, region, params, QDateTime::currentDateTimeUtc());
    // Every action here is safe to repeat: describes, state changes (EC2 answers the same for a
    // repeated Start/Stop) and RunInstances with its ClientToken.
    req.idempotent = true;
    auto used = std::make_shared<Credentials>(credentials);
    QPointer<CredentialProvider> provider(m_credentials);
    req.prepare = [provider, used, region](HttpRequest &r) {
        if (provider) {
            const Credentials now = provider->current();
            if (!now.isEmpty())
                *used = now;
        }
        SigV4::signQueryPost(r, *used, region, QStringLiteral("ec2"), QDateTime::currentDateTimeUtc());
    };
    ++m_requests;
    qCDebug(lcEc2).noquote() << params.value(0).second << region << redactSecrets(req.url.toDisplayString());
    m_http->send(std::move(req), token, [this, region, params, context, token, used, credentialsRenewed,
                                         done = std::move(done)](Result<HttpResponse> r) mutable {
        if (!r.ok()) {
            Error e = r.error();
            if (e.context().isEmpty())
                e.setContext(context);
            return done(e);
        }
        if (!r->isSuccess()) {
            Error e = ec2Error(r.value(), context);
            // Temporary credentials that expired under us: once more with fresh ones.
            if (!credentialsRenewed && m_credentials && !used->isEmpty() && isExpiredCredentialsCode(e.code())) {
                qCInfo(lcEc2).noquote() << context << ": credentials refused as expired; renewing them";
                m_credentials->invalidate(*used);
                return call(region, params, context, token, std::move(done), true);
            }
            return done(e);
        }
        done(r->body);
    });
}

void Ec2Client::stamp(Instance &in, const QString &region) const
{
    in.provider = QStringLiteral("aws");
    in.accountId = m_config.accountId;
    in.region = region;
}

void Ec2Client::listScopes(const CancelToken &token, Callback<QStringList> done)
{
    if (m_config.regionPinned)
        return done(QStringList{m_config.region});
    const QString context = QStringLiteral("listing EC2 regions");
    call(m_config.region, actionParams("DescribeRegions"), context, token,
         [this, context, done = std::move(done)](Result<QByteArray> r) {
             if (!r.ok()) {
                 // Allowed to see instances but not the region list: the account's own region.
                 if (r.error().category() == Error::Category::Permission) {
                     qCInfo(lcEc2).noquote() << "DescribeRegions refused; listing" << m_config.region << "only";
                     return done(QStringList{m_config.region});
                 }
                 return done(r.error());
             }
             Result<QStringList> regions = Ec2Xml::parseDescribeRegions(r.value());
             if (!regions.ok())
                 return done(Error(regions.error()).setContext(context));
             if (regions->isEmpty())
                 return done(QStringList{m_config.region});
             done(regions);
         });
}

void Ec2Client::listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                              Callback<InstancePage> done)
{
    const QString region = scope.isEmpty() || scope == QLatin1String("*") ? m_config.region : scope;
    QueryItems params = actionParams("DescribeInstances");
    addRaw(params, "MaxResults", QByteArray::number(m_config.pageSize));
    if (!pageToken.isEmpty())
        add(params, "NextToken", pageToken);
    const QString context = QStringLiteral("listing EC2 instances in %1").arg(region);
    call(region, params, context, token, [this, region, context, token, done = std::move(done)](Result<QByteArray> r) {
        if (!r.ok())
            return done(r.error());
        Result<InstancePage> page = Ec2Xml::parseDescribeInstances(r.value());
        if (!page.ok())
            return done(Error(page.error()).setContext(context));
        InstancePage p = page.takeValue();
        for (Instance &in : p.instances)
            stamp(in, region);
        const QString next = p.nextPageToken;
        fillGpus(region, std::move(p.instances), token, [next, done](Result<QList<Instance>> filled) {
            if (!filled.ok())
                return done(filled.error());
            InstancePage out;
            out.instances = filled.takeValue();
            out.nextPageToken = next;
            done(out);
        });
    });
}

void Ec2Client::applyGpus(const QString &region, QList<Instance> &instances) const
{
    const QHash<QString, GpuInfo> types = m_gpuTypes.value(region);
    for (Instance &in : instances) {
        const auto it = types.constFind(in.machineType);
        if (it != types.constEnd())
            in.gpu = *it;
    }
}

void Ec2Client::fillGpus(const QString &region, QList<Instance> instances, const CancelToken &token,
                         Callback<QList<Instance>> done)
{
    QStringList unknown;
    if (!m_gpuUnavailable.contains(region)) {
        const QHash<QString, GpuInfo> &known = m_gpuTypes[region];
        for (const Instance &in : std::as_const(instances))
            if (!in.machineType.isEmpty() && !known.contains(in.machineType) && !unknown.contains(in.machineType))
                unknown.append(in.machineType);
    }
    if (unknown.isEmpty()) {
        applyGpus(region, instances);
        return done(instances);
    }
    unknown = unknown.mid(0, 100);  // one request's worth; the rest on the next page
    // A filter (not InstanceType.N) so a type this endpoint does not know is left out, not an error.
    QueryItems params = actionParams("DescribeInstanceTypes");
    addRaw(params, "Filter.1.Name", "instance-type");
    for (qsizetype i = 0; i < unknown.size(); ++i)
        add(params, "Filter.1.Value." + QByteArray::number(i + 1), unknown.at(i));
    addRaw(params, "MaxResults", "100");
    const QString context = QStringLiteral("describing EC2 instance types in %1").arg(region);
    call(region, params, context, token,
         [this, region, unknown, instances = std::move(instances), done = std::move(done)](Result<QByteArray> r) mutable {
             if (!r.ok() && r.error().category() == Error::Category::Cancelled)
                 return done(r.error());
             Result<QHash<QString, GpuInfo>> types = r.ok() ? Ec2Xml::parseDescribeInstanceTypes(r.value())
                                                            : Result<QHash<QString, GpuInfo>>(r.error());
             if (!types.ok()) {
                 // Instances without GPU details beat no instances: the GUI fills them from the catalog.
                 // An endpoint that refuses the call is not asked again; a passing failure
                 // (throttled, network, 5xx) is, on the next page.
                 qCInfo(lcEc2).noquote() << "no instance type details in" << region << ":" << types.error().toString();
                 const Error::Category c = types.error().category();
                 if (c == Error::Category::Permission || c == Error::Category::InvalidInput || c == Error::Category::Auth
                     || c == Error::Category::NotFound)
                     m_gpuUnavailable.insert(region);
             } else {
                 QHash<QString, GpuInfo> &known = m_gpuTypes[region];
                 for (const QString &t : unknown)
                     known.insert(t, types->value(t));  // count 0: no GPUs, or a type the endpoint does not describe
             }
             applyGpus(region, instances);
             done(instances);
         });
}

void Ec2Client::getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done)
{
    const QString id = instance.resource.isEmpty() ? instance.id : instance.resource;
    const QString region = instance.region.isEmpty() ? m_config.region : instance.region;
    Instance asked = instance;
    asked.region = region;
    const QString context = instanceContext(asked);
    if (id.isEmpty())
        return done(Error(Error::Category::InvalidInput, QStringLiteral("No instance id")).setContext(context));
    QueryItems params = actionParams("DescribeInstances");
    add(params, "InstanceId.1", id);
    call(region, params, context, token, [this, id, region, context, token, done = std::move(done)](Result<QByteArray> r) {
        if (!r.ok())
            return done(r.error());
        Result<InstancePage> page = Ec2Xml::parseDescribeInstances(r.value());
        if (!page.ok())
            return done(Error(page.error()).setContext(context));
        QList<Instance> match;
        for (const Instance &in : std::as_const(page->instances)) {
            if (in.id == id) {
                match.append(in);
                stamp(match.last(), region);
            }
        }
        if (match.isEmpty())
            return done(Error(Error::Category::NotFound, QStringLiteral("The instance ID '%1' does not exist").arg(id),
                              QStringLiteral("InvalidInstanceID.NotFound"))
                            .setContext(context));
        fillGpus(region, match, token, [done](Result<QList<Instance>> filled) {
            if (!filled.ok())
                return done(filled.error());
            done(filled->first());
        });
    });
}

void Ec2Client::act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done)
{
    const QString id = instance.resource.isEmpty() ? instance.id : instance.resource;
    const QString region = instance.region.isEmpty() ? m_config.region : instance.region;
    Instance asked = instance;
    asked.region = region;
    const QString context = instanceContext(asked);
    if (id.isEmpty())
        return done(Error(Error::Category::InvalidInput, QStringLiteral("No instance id")).setContext(context));
    QueryItems params = {{"Action", actionName(action).toLatin1()}, {"Version", kApiVersion}};
    add(params, "InstanceId.1", id);
    qCInfo(lcEc2).noquote() << actionName(action) << id << "in" << region;
    call(region, params, context, token, [done = std::move(done)](Result<QByteArray> r) {
        if (!r.ok())
            return done(r.error());
        done(Done{});
    });
}

void Ec2Client::launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done)
{
    const QString region = request.region.isEmpty() ? m_config.region : request.region;
    const QString context = QStringLiteral("launching %1 in %2")
                                .arg(request.name.isEmpty() ? request.machineType : request.name, region);
    if (request.image.isEmpty() || request.machineType.isEmpty())
        return done(Error(Error::Category::InvalidInput, QStringLiteral("A launch needs an image (AMI) and an instance type"))
                        .setContext(context));
    // The root volume's device name is the image's (/dev/xvda, /dev/sda1): sizing another name would
    // attach a second volume instead of growing the root one.
    QueryItems params = actionParams("DescribeImages");
    add(params, "ImageId.1", request.image);
    call(region, params, context, token,
         [this, request, region, context, token, done = std::move(done)](Result<QByteArray> r) {
             if (!r.ok())
                 return done(r.error());
             bool found = false;
             Result<QString> root = Ec2Xml::parseImageRootDevice(r.value(), &found);
             if (!root.ok())
                 return done(Error(root.error()).setContext(context));
             if (!found)
                 return done(Error(Error::Category::NotFound,
                                   QStringLiteral("The image id '%1' does not exist").arg(request.image),
                                   QStringLiteral("InvalidAMIID.NotFound"))
                                 .setContext(context));
             runInstance(request, region, root.value(), token, done);
         });
}

void Ec2Client::runInstance(const LaunchRequest &request, const QString &region, const QString &rootDevice,
                            const CancelToken &token, Callback<Instance> done)
{
    QueryItems params = actionParams("RunInstances");
    add(params, "ImageId", request.image);
    add(params, "InstanceType", request.machineType);
    addRaw(params, "MinCount", "1");
    addRaw(params, "MaxCount", "1");
    // Makes the call idempotent: a retry after a lost answer does not start a second instance.
    add(params, "ClientToken", QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!request.keyName.isEmpty())
        add(params, "KeyName", request.keyName);
    if (!request.zone.isEmpty())
        add(params, "Placement.AvailabilityZone", request.zone);
    if (request.diskGb > 0 && !rootDevice.isEmpty()) {
        add(params, "BlockDeviceMapping.1.DeviceName", rootDevice);
        add(params, "BlockDeviceMapping.1.Ebs.VolumeSize", QString::number(request.diskGb));
        addRaw(params, "BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
        addRaw(params, "BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
    }
    if (request.spot)
        addRaw(params, "InstanceMarketOptions.MarketType", "spot");
    if (!request.name.isEmpty()) {
        addRaw(params, "TagSpecification.1.ResourceType", "instance");
        addRaw(params, "TagSpecification.1.Tag.1.Key", "Name");
        add(params, "TagSpecification.1.Tag.1.Value", request.name);
    }
    const QString context = QStringLiteral("launching %1 in %2")
                                .arg(request.name.isEmpty() ? request.machineType : request.name, region);
    qCInfo(lcEc2).noquote() << "RunInstances" << request.machineType << request.image << "in" << region
                            << (request.spot ? "spot" : "on-demand");
    call(region, params, context, token, [this, region, context, token, done = std::move(done)](Result<QByteArray> r) {
        if (!r.ok())
            return done(r.error());
        Result<QList<Instance>> started = Ec2Xml::parseRunInstances(r.value());
        if (!started.ok())
            return done(Error(started.error()).setContext(context));
        QList<Instance> list = started.takeValue().mid(0, 1);
        stamp(list.first(), region);
        fillGpus(region, list, token, [done](Result<QList<Instance>> filled) {
            if (!filled.ok())
                return done(filled.error());
            done(filled->first());
        });
    });
}

} // namespace skydeck::aws
