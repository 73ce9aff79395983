#include "CliOptions.h"

#include <QCommandLineParser>
#include <QUrl>

namespace skydeck::cli {

namespace {

Error usage(const QString &why)
{
    return Error(Error::Category::InvalidInput, why);
}

struct Arity {
    int min;
    int max;
    const char *synopsis;
};

Arity arityOf(const QString &command)
{
    if (command == QLatin1String("ls"))
        return {0, 1, "ls [-r] [s3://bucket[/prefix]]"};
    if (command == QLatin1String("cp"))
        return {2, 2, "cp [-r] SRC DST"};
    if (command == QLatin1String("rm"))
        return {1, 1, "rm [-r] s3://bucket/key"};
    if (command == QLatin1String("mb"))
        return {1, 1, "mb s3://bucket"};
    if (command == QLatin1String("vm"))
        return {1, 1 << 20, "vm list|start|stop|reboot|terminate|launch [ID...]"};
    if (command == QLatin1String("prices"))
        return {0, 1 << 20, "prices [--provider P] [--region R] [--json] [TYPE...]"};
    return {1, 1, "rb [--force] s3://bucket"};
}

// vm launch: one provider, a type and a place; the rest checked against the provider when it runs.
QString checkLaunch(const Invocation &inv, qsizetype operands)
{
    const QString synopsis = QStringLiteral(
        "usage: skydeck vm launch --provider aws|gcp|azure --type T --region/--zone Z [--image I] [--disk-gb N] [--spot] "
        "[--gpu MODEL:COUNT] [--key FILE.pub] [--name N] [--ssh-from CIDR] [--no-wait] [--json]");
    const QStringList providers = {QStringLiteral("aws"), QStringLiteral("gcp"), QStringLiteral("azure")};
    if (operands > 0)
        return synopsis + QStringLiteral(" (the name goes with --name)");
    if (!providers.contains(inv.provider))
        return QStringLiteral("vm launch needs --provider aws, gcp or azure");
    if (inv.machineType.isEmpty())
        return QStringLiteral("vm launch needs --type (e.g. g5.xlarge, g2-standard-4, Standard_NC4as_T4_v3)");
    if (inv.provider == QLatin1String("gcp") && inv.zone.isEmpty() && inv.region.count(QLatin1Char('-')) < 2)
        return QStringLiteral("Compute Engine needs --zone (e.g. us-central1-a)");
    if (inv.provider == QLatin1String("azure") && inv.region.isEmpty())
        return QStringLiteral("Azure needs --region, the VM's location (e.g. eastus); --zone is an availability zone number");
    if (inv.provider == QLatin1String("aws") && inv.region.isEmpty() && inv.zone.isEmpty())
        return QStringLiteral("EC2 needs --region (e.g. us-east-1) or --zone (e.g. us-east-1a)");
    if (inv.diskGb != -1 && (inv.diskGb < 10 || inv.diskGb > 65536))
        return QStringLiteral("--disk-gb must be 10 to 65536");
    if (inv.sshFromGiven && inv.provider != QLatin1String("azure"))
        return QStringLiteral("--ssh-from applies to Azure (the VM's own network security group); EC2 and Compute Engine "
                              "use the network's existing firewall rules");
    if (inv.yes || inv.recursive || inv.force || inv.humanReadable)
        return QStringLiteral("--yes, -r, --force and --human-readable do not apply to vm launch");
    return {};
}

// The vm subcommands and their options; an empty error when they fit.
QString checkVm(const Invocation &inv)
{
    const QString sub = inv.args.value(0);
    const QStringList subs = {QStringLiteral("list"), QStringLiteral("start"), QStringLiteral("stop"),
                              QStringLiteral("reboot"), QStringLiteral("terminate"), QStringLiteral("launch")};
    if (!subs.contains(sub))
        return QStringLiteral("unknown vm command '%1' (one of: %2)").arg(sub, subs.join(QStringLiteral(", ")));
    const qsizetype ids = inv.args.size() - 1;
    const bool launchOptions = !inv.machineType.isEmpty() || !inv.zone.isEmpty() || !inv.image.isEmpty() || inv.diskGb != -1
        || inv.spot || !inv.gpu.isEmpty() || !inv.key.isEmpty() || !inv.name.isEmpty() || inv.sshFromGiven;
    if (sub == QLatin1String("launch"))
        return checkLaunch(inv, ids);
    if (launchOptions)
        return QStringLiteral("--type, --zone, --image, --disk-gb, --spot, --gpu, --key, --name and --ssh-from only apply to vm launch");
    if (sub == QLatin1String("list") && ids > 0)
        return QStringLiteral("usage: skydeck vm list [--provider P] [--json]");
    if (sub == QLatin1String("terminate") && ids != 1)
        return QStringLiteral("usage: skydeck vm terminate ID --yes [--no-wait] (one instance at a time)");
    if (sub != QLatin1String("list") && sub != QLatin1String("terminate") && ids < 1)
        return QStringLiteral("usage: skydeck vm %1 ID... [--no-wait]").arg(sub);
    if (sub == QLatin1String("terminate") && !inv.yes)
        return QStringLiteral("vm terminate deletes the instance and its disks: add --yes to confirm");
    if (inv.yes && sub != QLatin1String("terminate"))
        return QStringLiteral("--yes only applies to vm terminate");
    if (inv.json && sub != QLatin1String("list"))
        return QStringLiteral("--json only applies to vm list and vm launch");
    if (inv.noWait && sub == QLatin1String("list"))
        return QStringLiteral("--no-wait does not apply to vm list");
    const QStringList providers = {QStringLiteral("aws"), QStringLiteral("gcp"), QStringLiteral("azure")};
    if (!inv.provider.isEmpty() && !providers.contains(inv.provider))
        return QStringLiteral("--provider must be one of: %1").arg(providers.join(QStringLiteral(", ")));
    if (inv.recursive || inv.force || inv.humanReadable)
        return QStringLiteral("-r, --force and --human-readable do not apply to vm");
    return {};
}

// prices: what it takes, and what it does not.
QString checkPrices(const Invocation &inv)
{
    const QStringList providers = {QStringLiteral("aws"), QStringLiteral("gcp"), QStringLiteral("azure")};
    if (!inv.provider.isEmpty() && !providers.contains(inv.provider))
        return QStringLiteral("--provider must be one of: %1").arg(providers.join(QStringLiteral(", ")));
    if (inv.recursive || inv.force || inv.humanReadable || inv.yes || inv.noWait || inv.sandbox || !inv.profile.isEmpty()
        || !inv.endpointUrl.isEmpty())
        return QStringLiteral("prices takes --provider, --region, --json and machine types only");
    return {};
}

} // namespace

QStringList commandNames()
{
    return {QStringLiteral("ls"), QStringLiteral("cp"), QStringLiteral("rm"), QStringLiteral("mb"), QStringLiteral("rb"),
            QStringLiteral("vm"), QStringLiteral("prices")};
}

Result<Invocation> parseArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    const QCommandLineOption recursive({QStringLiteral("r"), QStringLiteral("recursive")}, QString());
    const QCommandLineOption force(QStringLiteral("force"), QString());
    const QCommandLineOption human(QStringLiteral("human-readable"), QString());
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")}, QString());
    const QCommandLineOption sandbox(QStringLiteral("sandbox"), QString());
    const QCommandLineOption acceptHostKey(QStringLiteral("accept-new-host-key"), QString());
    const QCommandLineOption raw(QStringLiteral("raw"), QString());
    const QCommandLineOption insecureHttp(QStringLiteral("allow-insecure-http"), QString());
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption version({QStringLiteral("V"), QStringLiteral("version")}, QString());
    const QCommandLineOption profile(QStringLiteral("profile"), QString(), QStringLiteral("name"));
    const QCommandLineOption endpoint(QStringLiteral("endpoint-url"), QString(), QStringLiteral("url"));
    const QCommandLineOption region(QStringLiteral("region"), QString(), QStringLiteral("name"));
    const QCommandLineOption provider(QStringLiteral("provider"), QString(), QStringLiteral("name"));
    const QCommandLineOption json(QStringLiteral("json"), QString());
    const QCommandLineOption yes(QStringLiteral("yes"), QString());
    const QCommandLineOption noWait(QStringLiteral("no-wait"), QString());
    const QCommandLineOption type(QStringLiteral("type"), QString(), QStringLiteral("type"));
    const QCommandLineOption zone(QStringLiteral("zone"), QString(), QStringLiteral("zone"));
    const QCommandLineOption image(QStringLiteral("image"), QString(), QStringLiteral("image"));
    const QCommandLineOption diskGb(QStringLiteral("disk-gb"), QString(), QStringLiteral("gb"));
    const QCommandLineOption spot(QStringLiteral("spot"), QString());
    const QCommandLineOption gpu(QStringLiteral("gpu"), QString(), QStringLiteral("model:count"));
    const QCommandLineOption key(QStringLiteral("key"), QString(), QStringLiteral("file"));
    const QCommandLineOption name(QStringLiteral("name"), QString(), QStringLiteral("name"));
    const QCommandLineOption sshFrom(QStringLiteral("ssh-from"), QString(), QStringLiteral("cidr"));
    parser.addOptions({recursive, force, human, quiet, sandbox, acceptHostKey, help, version, profile, endpoint, region,
                       provider, json, yes, noWait, raw, insecureHttp, type, zone, image, diskGb, spot, gpu, key, name,
                       sshFrom});

    if (!parser.parse(arguments))
        return usage(parser.errorText());

    Invocation inv;
    inv.recursive = parser.isSet(recursive);
    inv.force = parser.isSet(force);
    inv.humanReadable = parser.isSet(human);
    inv.quiet = parser.isSet(quiet);
    inv.sandbox = parser.isSet(sandbox);
    inv.acceptNewHostKey = parser.isSet(acceptHostKey);
    inv.raw = parser.isSet(raw);
    inv.allowInsecureHttp = parser.isSet(insecureHttp);
    inv.help = parser.isSet(help);
    inv.version = parser.isSet(version);
    inv.profile = parser.value(profile);
    inv.endpointUrl = parser.value(endpoint);
    inv.region = parser.value(region);
    inv.provider = parser.value(provider);
    inv.json = parser.isSet(json);
    inv.yes = parser.isSet(yes);
    inv.noWait = parser.isSet(noWait);
    inv.machineType = parser.value(type).trimmed();
    inv.zone = parser.value(zone).trimmed();
    inv.image = parser.value(image).trimmed();
    if (parser.isSet(diskGb)) {
        bool ok = false;
        inv.diskGb = parser.value(diskGb).toInt(&ok);
        if (!ok)
            return usage(QStringLiteral("--disk-gb needs a number of GB, not '%1'").arg(parser.value(diskGb)));
    }
    inv.spot = parser.isSet(spot);
    inv.gpu = parser.value(gpu).trimmed();
    inv.key = parser.value(key).trimmed();
    inv.name = parser.value(name).trimmed();
    inv.sshFrom = parser.value(sshFrom).trimmed();
    inv.sshFromGiven = parser.isSet(sshFrom);
    if (inv.sandbox && (!inv.profile.isEmpty() || !inv.endpointUrl.isEmpty()))
        return usage(QStringLiteral("--sandbox cannot be combined with --profile or --endpoint-url"));
    if (parser.isSet(profile) && inv.profile.isEmpty())
        return usage(QStringLiteral("--profile needs a name"));
    if (parser.isSet(endpoint)) {
        const QUrl url(inv.endpointUrl, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return usage(QStringLiteral("--endpoint-url needs an http:// or https:// URL, not '%1'").arg(inv.endpointUrl));
    }

    QStringList positional = parser.positionalArguments();
    if (inv.help || inv.version)
        return inv;
    if (positional.isEmpty())
        return usage(QStringLiteral("no command given (one of: %1)").arg(commandNames().join(QStringLiteral(", "))));
    inv.command = positional.takeFirst();
    if (!commandNames().contains(inv.command))
        return usage(QStringLiteral("unknown command '%1' (one of: %2)").arg(inv.command, commandNames().join(QStringLiteral(", "))));
    const Arity a = arityOf(inv.command);
    if (positional.size() < a.min || positional.size() > a.max)
        return usage(QStringLiteral("usage: skydeck %1").arg(QLatin1String(a.synopsis)));
    if (inv.force && inv.command != QLatin1String("rb"))
        return usage(QStringLiteral("--force only applies to rb"));
    if (inv.recursive && (inv.command == QLatin1String("mb") || inv.command == QLatin1String("rb")))
        return usage(QStringLiteral("-r does not apply to %1").arg(inv.command));
    inv.args = positional;
    if (inv.command == QLatin1String("vm")) {
        const QString why = checkVm(inv);
        if (!why.isEmpty())
            return usage(why);
    } else if (inv.command == QLatin1String("prices")) {
        const QString why = checkPrices(inv);
        if (!why.isEmpty())
            return usage(why);
    } else if (!inv.provider.isEmpty() || inv.json || inv.yes || inv.noWait) {
        return usage(QStringLiteral("--provider, --json, --yes and --no-wait only apply to vm"));
    }
    if (inv.command != QLatin1String("vm")
        && (!inv.machineType.isEmpty() || !inv.zone.isEmpty() || !inv.image.isEmpty() || inv.diskGb != -1 || inv.spot
            || !inv.gpu.isEmpty() || !inv.key.isEmpty() || !inv.name.isEmpty() || inv.sshFromGiven))
        return usage(QStringLiteral("--type, --zone, --image, --disk-gb, --spot, --gpu, --key, --name and --ssh-from only "
                                    "apply to vm launch"));
    return inv;
}

QString usageText()
{
    return QStringLiteral(
        "Usage: skydeck [OPTIONS] COMMAND [ARGS]\n"
        "       skydeck [--sandbox]            open the window\n"
        "\n"
        "Commands (S3 and S3-compatible storage):\n"
        "  ls [-r] [s3://bucket[/prefix]]   list buckets, or a bucket's folders (PRE) and objects\n"
        "  cp [-r] SRC DST                  copy local->s3, s3->local or s3->s3 (server-side)\n"
        "  rm [-r] s3://bucket/key          delete an object, or with -r everything under a prefix\n"
        "  mb s3://bucket                   make a bucket\n"
        "  rb [--force] s3://bucket         remove an empty bucket (--force: delete its objects first)\n"
        "\n"
        "Commands (virtual machines on EC2, Compute Engine and Azure, every account found):\n"
        "  vm list [--provider P] [--json]  every instance of every region/zone, in parallel\n"
        "  vm start|stop|reboot ID...       act, then wait until each reaches its state\n"
        "  vm terminate ID --yes            delete an instance (refused without --yes)\n"
        "  vm launch --provider P --type T --region R|--zone Z [--image I] [--disk-gb N] [--spot]\n"
        "            [--gpu MODEL:COUNT] [--key FILE.pub] [--name N] [--ssh-from CIDR]\n"
        "                                   launch an instance, wait until it runs, print its id,\n"
        "                                   state and addresses (the window's Launch form)\n"
        "  ID is the instance's id (i-0abc..., a Compute Engine id, an Azure vmId) or its name;\n"
        "  a name shared by several live instances is refused. Azure's stop deallocates.\n"
        "\n"
        "Prices (the shipped catalog: SkyPilot's rows in resources/prices, no account needed):\n"
        "  prices [--provider P] [--region R] [--json] [TYPE...]\n"
        "                                   type, region, GPUs, on-demand and spot $/h and the\n"
        "                                   source file, lines and commit, one row per line; a\n"
        "                                   type or region the catalog lacks has no price (exit 3)\n"
        "\n"
        "Locations: s3://bucket/key (a key ending in '/' is a folder), local paths, file:// URLs,\n"
        "  sftp://[user@]host[:port]/path (ls and cp; hosts and keys from ~/.ssh/config, /~/ = home).\n"
        "\n"
        "Options:\n"
        "  -r, --recursive        every object under a prefix / every file under a folder\n"
        "  --profile NAME         use this profile of ~/.aws/credentials and ~/.aws/config\n"
        "  --endpoint-url URL     an S3-compatible endpoint (MinIO, Ceph, R2, s3rver, ...)\n"
        "  --region NAME          the region to sign for and to create buckets in\n"
        "  --sandbox              the local sandbox (s3rver on loopback with demo buckets) instead\n"
        "                         of a cloud account; its data is the window's sandbox data\n"
        "  --human-readable       ls: sizes as KiB, MiB, GiB\n"
        "  --accept-new-host-key  sftp://: trust a host key not yet in known_hosts (a changed key\n"
        "                         is always refused)\n"
        "  --provider P           vm: only accounts of aws, gcp or azure; prices: one provider\n"
        "  --json                 vm list, prices: a JSON array\n"
        "  --no-wait              vm: return once the provider accepted the action (launch:\n"
        "                         Compute Engine and Azure answer when their create operation ended)\n"
        "  --type T               vm launch: the machine type (price catalog: skydeck prices)\n"
        "  --region R, --zone Z   vm launch: EC2 region or availability zone; Compute Engine zone;\n"
        "                         Azure location (--region) and availability zone number (--zone)\n"
        "  --image I              vm launch: AMI id or resolve:ssm:..., GCE image or family URL, Azure\n"
        "                         publisher:offer:sku:version (default: the first deep-learning or\n"
        "                         Ubuntu image the window offers)\n"
        "  --disk-gb N            vm launch: root disk size (default 100)\n"
        "  --spot                 vm launch: spot / preemptible (Azure: evicted by deallocation,\n"
        "                         maxPrice -1)\n"
        "  --gpu MODEL:COUNT      vm launch: GPUs to attach to a Compute Engine N1 type (T4:1); for\n"
        "                         other types it must match the type's own GPUs\n"
        "  --key FILE.pub         vm launch: the SSH public key (Compute Engine, Azure; default\n"
        "                         ~/.ssh/id_ed25519.pub or id_rsa.pub); EC2: a key pair name\n"
        "  --name N               vm launch: the instance's name (default skydeck-XXXXXXXX)\n"
        "  --ssh-from CIDR        vm launch, Azure: allow SSH from this address or prefix only; by\n"
        "                         default the address of this SSH session when it is public, else\n"
        "                         SSH stays closed (never open to the internet unless given)\n"
        "  --yes                  vm terminate: confirm the deletion\n"
        "  --raw                  keys and names on stdout exactly as stored (by default control\n"
        "                         characters from a server are shown escaped, e.g. \\x1b)\n"
        "  --allow-insecure-http  allow plain http:// to a host that is not loopback (credentials\n"
        "                         and data then cross the network readable; also\n"
        "                         SKYDECK_ALLOW_INSECURE_HTTP=1)\n"
        "  -q, --quiet            no progress line\n"
        "  -V, --version          print the version\n"
        "  -h, --help             this help\n"
        "\n"
        "Credentials are found as the AWS CLI finds them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
        "AWS_SESSION_TOKEN, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config; AWS_ENDPOINT_URL and\n"
        "AWS_ENDPOINT_URL_S3 select an S3-compatible endpoint, AWS_ENDPOINT_URL_EC2 an EC2 one. vm also\n"
        "uses Google Cloud (GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials) and\n"
        "Azure (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID) accounts;\n"
        "with vm, --region lists only that AWS region and --endpoint-url is the EC2 endpoint.\n"
        "\n"
        "Progress goes to stderr when it is a terminal. Exit codes: 0 success, 1 failure (vm: also a\n"
        "refused state change or an instance that did not reach its state), 2 usage or invalid URL,\n"
        "3 not found (vm: an unknown instance id or name), 4 authentication or permission, 5 network,\n"
        "130 interrupted.\n");
}

} // namespace skydeck::cli
