#include "LaunchOptions.h"

#include "SmallFile.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>

namespace skydeck::launch {

namespace {

Error invalid(const QString &why)
{
    return Error(Error::Category::InvalidInput, why);
}

bool isPublic(const QHostAddress &a)
{
    if (a.isNull() || a.isLoopback() || a.isLinkLocal() || a.isMulticast() || a.isBroadcast())
        return false;
    if (a.protocol() == QAbstractSocket::IPv6Protocol) {
        bool v4 = false;
        const QHostAddress mapped(a.toIPv4Address(&v4));
        if (v4)
            return isPublic(mapped);
        return !a.isUniqueLocalUnicast() && !a.isSiteLocal() && a.isGlobal();
    }
    // RFC 1918, shared address space (RFC 6598), documentation ranges are not public either.
    for (const char *net : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "0.0.0.0/8",
                            "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"})
        if (a.isInSubnet(QHostAddress::parseSubnet(QString::fromLatin1(net))))
            return false;
    return true;
}

} // namespace

QList<ImageChoice> images(const QString &provider)
{
    if (provider == QLatin1String("aws"))
        // EC2 resolves "resolve:ssm:<public parameter>" to the region's current AMI at launch.
        return {
            {QStringLiteral("Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)"),
             QStringLiteral("resolve:ssm:/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id")},
            {QStringLiteral("Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.3 (Ubuntu 22.04)"),
             QStringLiteral("resolve:ssm:/aws/service/deeplearning/ami/x86_64/oss-nvidia-driver-gpu-pytorch-2.3-ubuntu-22.04/latest/ami-id")},
            {QStringLiteral("Ubuntu Server 22.04 LTS"),
             QStringLiteral("resolve:ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id")},
            {QStringLiteral("Amazon Linux 2023"),
             QStringLiteral("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")},
        };
    if (provider == QLatin1String("gcp"))
        return {
            {QStringLiteral("Deep Learning VM: CUDA 12.1, Python 3.10 (Debian 11)"),
             QStringLiteral("projects/deeplearning-platform-release/global/images/family/common-cu121-debian-11-py310")},
            {QStringLiteral("Deep Learning VM: PyTorch, GPU (Debian 11)"),
             QStringLiteral("projects/deeplearning-platform-release/global/images/family/pytorch-latest-gpu-debian-11-py310")},
            {QStringLiteral("Ubuntu 22.04 LTS"), QStringLiteral("projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts")},
            {QStringLiteral("Debian 12"), QStringLiteral("projects/debian-cloud/global/images/family/debian-12")},
        };
    if (provider == QLatin1String("azure"))
        return {
            {QStringLiteral("Ubuntu Server 22.04 LTS (Gen2)"),
             QStringLiteral("Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest")},
            {QStringLiteral("Data Science VM: Ubuntu-HPC 22.04 with NVIDIA drivers and CUDA (Gen2)"),
             QStringLiteral("microsoft-dsvm:ubuntu-hpc:2204:latest")},
            {QStringLiteral("Ubuntu Server 24.04 LTS (Gen2)"), QStringLiteral("Canonical:ubuntu-24_04-lts:server:latest")},
            {QStringLiteral("Debian 12 (Gen2)"), QStringLiteral("Debian:debian-12:12-gen2:latest")},
        };
    return {};
}

QString defaultSshUser(const QString &provider, const QProcessEnvironment &env)
{
    if (provider == QLatin1String("gcp"))
        return env.value(QStringLiteral("USER"));
    if (provider == QLatin1String("azure"))
        return QStringLiteral("azureuser");
    return {};
}

QString defaultPublicKeyPath(const QString &home)
{
    for (const char *name : {".ssh/id_ed25519.pub", ".ssh/id_rsa.pub"}) {
        const QString path = QDir(home).filePath(QLatin1String(name));
        if (QFile::exists(path))
            return path;
    }
    return {};
}

Result<QString> readPublicKey(const QString &path)
{
    const std::optional<QByteArray> data = readSmallFile(path, 64 * 1024);
    if (!data)
        return Error(Error::Category::Local, QStringLiteral("cannot read the public key %1").arg(path));
    const QString text = QString::fromUtf8(*data).trimmed();
    if (text.contains(QLatin1String("PRIVATE KEY")))
        return invalid(QStringLiteral("%1 is a private key: give its .pub file (the key sent to the provider is public)").arg(path));
    static const QRegularExpression key(
        QStringLiteral("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com) [A-Za-z0-9+/]+={0,2}( [^\\n]*)?$"));
    if (text.contains(QLatin1Char('\n')) || !key.match(text).hasMatch())
        return invalid(QStringLiteral("%1 is not an OpenSSH public key (one line: ssh-ed25519 AAAA... comment)").arg(path));
    return text;
}

Result<GpuInfo> parseGpu(const QString &spec)
{
    const QString s = spec.trimmed();
    const qsizetype colon = s.lastIndexOf(QLatin1Char(':'));
    const QString model = colon < 0 ? s : s.left(colon);
    int count = 1;
    if (colon >= 0) {
        bool ok = false;
        count = s.mid(colon + 1).toInt(&ok);
        if (!ok)
            return invalid(QStringLiteral("--gpu wants MODEL:COUNT (e.g. T4:1), not '%1'").arg(spec));
    }
    if (model.isEmpty() || count < 1 || count > 16)
        return invalid(QStringLiteral("--gpu wants MODEL:COUNT with a count of 1 to 16, not '%1'").arg(spec));
    return GpuInfo{count, model};
}

Result<QString> normaliseCidr(const QString &text)
{
    const QString t = text.trimmed();
    auto bad = [&text] {
        return invalid(QStringLiteral("'%1' is not an address or CIDR prefix (e.g. 203.0.113.7 or 203.0.113.0/24)").arg(text));
    };
    // Dotted quads only (QHostAddress also reads inet_aton's "81.2.69" as 81.2.0.69), or IPv6.
    static const QRegularExpression shape(QStringLiteral("^(\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(/\\d{1,3})?$"));
    if (!shape.match(t).hasMatch())
        return bad();
    if (!t.contains(QLatin1Char('/'))) {  // one address (parseSubnet would guess a classful mask)
        const QHostAddress a(t);
        if (a.isNull())
            return bad();
        return QStringLiteral("%1/%2").arg(a.toString()).arg(a.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32);
    }
    bool ok = false;
    t.section(QLatin1Char('/'), 1).toInt(&ok);  // a prefix length, not a netmask
    const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(t);
    if (!ok || subnet.first.isNull() || subnet.second < 0)
        return bad();
    return QStringLiteral("%1/%2").arg(subnet.first.toString()).arg(subnet.second);
}

bool isWholeInternet(const QString &cidr)
{
    const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(cidr);
    return !subnet.first.isNull() && subnet.second == 0;
}

QString sshSourceFromEnvironment(const QProcessEnvironment &env)
{
    QString client = env.value(QStringLiteral("SSH_CONNECTION")).section(QLatin1Char(' '), 0, 0);
    if (client.isEmpty())
        client = env.value(QStringLiteral("SSH_CLIENT")).section(QLatin1Char(' '), 0, 0);
    const QHostAddress a(client);
    if (!isPublic(a))
        return {};
    const Result<QString> cidr = normaliseCidr(a.toString());
    return cidr.ok() ? cidr.value() : QString();
}

} // namespace skydeck::launch
