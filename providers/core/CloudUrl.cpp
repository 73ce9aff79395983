#include "CloudUrl.h"

#include <QDir>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

namespace skydeck {

namespace {

Error invalid(const QString &text, const QString &why)
{
    Error e(Error::Category::InvalidInput, why);
    e.setContext(text);
    return e;
}

bool onlyChars(const QString &s, const QString &allowedPunctuation, bool allowUpper)
{
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || (allowUpper && u >= 'A' && u <= 'Z')
            || allowedPunctuation.contains(c);
        if (!ok)
            return false;
    }
    return true;
}

bool isAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
}

bool looksLikeIpv4(const QString &s)
{
    static const QRegularExpression re(QStringLiteral(R"(^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$)"));
    return re.match(s).hasMatch();
}

QString s3BucketProblem(const QString &name, CloudUrl::BucketRules rules)
{
    if (rules == CloudUrl::BucketRules::Lenient) {
        if (name.size() > 255)
            return QStringLiteral("a bucket name has at most 255 characters");
        if (!onlyChars(name, QStringLiteral(".-_"), true))
            return QStringLiteral("a bucket name may only contain letters, digits, '.', '-' and '_'");
        return {};
    }
    if (name.size() < 3 || name.size() > 63)
        return QStringLiteral("a bucket name has 3 to 63 characters");
    if (!onlyChars(name, QStringLiteral(".-"), false))
        return QStringLiteral("a bucket name may only contain lower-case letters, digits, '.' and '-'");
    if (!isAlnum(name.front()) || !isAlnum(name.back()))
        return QStringLiteral("a bucket name starts and ends with a letter or a digit");
    if (name.contains(QLatin1String("..")))
        return QStringLiteral("a bucket name has no two adjacent periods");
    if (looksLikeIpv4(name))
        return QStringLiteral("a bucket name is not an IP address");
    if (name.startsWith(QLatin1String("xn--")) || name.startsWith(QLatin1String("sthree-")))
        return QStringLiteral("a bucket name does not start with 'xn--' or 'sthree-'");
    if (name.endsWith(QLatin1String("-s3alias")) || name.endsWith(QLatin1String("--ol-s3")))
        return QStringLiteral("a bucket name does not end with '-s3alias' or '--ol-s3'");
    return {};
}

QString gcsBucketProblem(const QString &name, CloudUrl::BucketRules rules)
{
    const int maxLen = name.contains(QLatin1Char('.')) ? 222 : 63;
    if (name.size() < 3 || name.size() > maxLen)
        return QStringLiteral("a bucket name has 3 to 63 characters (222 with dots)");
    if (!onlyChars(name, QStringLiteral(".-_"), false))
        return QStringLiteral("a bucket name may only contain lower-case letters, digits, '.', '-' and '_'");
    if (!isAlnum(name.front()) || !isAlnum(name.back()))
        return QStringLiteral("a bucket name starts and ends with a letter or a digit");
    for (const QString &part : name.split(QLatin1Char('.')))
        if (part.isEmpty() || part.size() > 63)
            return QStringLiteral("each dot-separated part of a bucket name has 1 to 63 characters");
    if (rules == CloudUrl::BucketRules::Create) {
        if (looksLikeIpv4(name))
            return QStringLiteral("a bucket name is not an IP address");
        if (name.startsWith(QLatin1String("goog")) || name.contains(QLatin1String("google")))
            return QStringLiteral("a bucket name does not start with 'goog' or contain 'google'");
    }
    return {};
}

QString azureContainerProblem(const QString &name)
{
    if (name == QLatin1String("$root") || name == QLatin1String("$logs") || name == QLatin1String("$web"))
        return {};
    if (name.size() < 3 || name.size() > 63)
        return QStringLiteral("a container name has 3 to 63 characters");
    if (!onlyChars(name, QStringLiteral("-"), false))
        return QStringLiteral("a container name may only contain lower-case letters, digits and '-'");
    if (!isAlnum(name.front()) || !isAlnum(name.back()))
        return QStringLiteral("a container name starts and ends with a letter or a digit");
    if (name.contains(QLatin1String("--")))
        return QStringLiteral("a container name has no two adjacent hyphens");
    return {};
}

// "[user@]host[:port]" of an sftp URL.
Result<CloudUrl> parseSftp(const QString &text, const QString &rest)
{
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString authority = slash < 0 ? rest : rest.left(slash);
    const QString path = slash < 0 ? QString() : rest.mid(slash);
    QString user;
    QString hostPort = authority;
    const qsizetype at = authority.lastIndexOf(QLatin1Char('@'));
    if (at >= 0) {
        user = authority.left(at);
        hostPort = authority.mid(at + 1);
        if (user.isEmpty())
            return invalid(text, QStringLiteral("empty user name before '@'"));
    }
    QString host = hostPort;
    QString portText;
    if (hostPort.startsWith(QLatin1Char('['))) {
        const qsizetype close = hostPort.indexOf(QLatin1Char(']'));
        if (close < 0)
            return invalid(text, QStringLiteral("unterminated IPv6 address"));
        host = hostPort.mid(1, close - 1);
        const QString after = hostPort.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(QLatin1Char(':')))
                return invalid(text, QStringLiteral("unexpected text after the IPv6 address"));
            portText = after.mid(1);
        }
        if (QHostAddress(host).protocol() != QAbstractSocket::IPv6Protocol)
            return invalid(text, QStringLiteral("not an IPv6 address: ") + host);
    } else {
        const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
        if (colon >= 0) {
            host = hostPort.left(colon);
            portText = hostPort.mid(colon + 1);
        }
        // "sftp://::1/x" or "a:b:22": an IPv6 address (or nonsense) whose port cannot be told apart
        if (host.contains(QLatin1Char(':')))
            return invalid(text, QStringLiteral("an IPv6 address goes in brackets: sftp://[address]:port/path"));
    }
    if (host.isEmpty())
        return invalid(text, QStringLiteral("missing host name"));
    for (const QChar c : std::as_const(host))
        if (c.isSpace() || c == QLatin1Char('/') || c == QLatin1Char('@') || c.unicode() < 0x20)
            return invalid(text, QStringLiteral("invalid host name"));
    int port = -1;
    if (!portText.isEmpty() || hostPort.endsWith(QLatin1Char(':'))) {
        bool ok = false;
        port = portText.toInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return invalid(text, QStringLiteral("invalid port: ") + portText);
    }
    return CloudUrl::sftp(host, path, user, port);
}

} // namespace

Result<CloudUrl> CloudUrl::parse(const QString &text)
{
    if (text.isEmpty())
        return invalid(text, QStringLiteral("empty location"));
    if (text.contains(QChar(0)))
        return invalid(QString(text).replace(QChar(0), QStringLiteral("\\0")),
                       QStringLiteral("a location cannot contain a NUL character"));

    static const QRegularExpression schemeRe(QStringLiteral(R"(^([A-Za-z][A-Za-z0-9+.-]*)://)"));
    const QRegularExpressionMatch m = schemeRe.match(text);
    if (!m.hasMatch()) {
        // toString() writes a relative path that would read as a URL ("s3://x", also "./s3://x") with
        // one more "./" in front: take that one off.
        static const QRegularExpression escapedRe(QStringLiteral(R"(^(\./)+[A-Za-z][A-Za-z0-9+.-]*://)"));
        if (escapedRe.match(text).hasMatch())
            return local(text.mid(2));
        return local(text);
    }

    const QString scheme = m.captured(1).toLower();
    const QString rest = text.mid(m.capturedLength(0));

    if (scheme == QLatin1String("file")) {
        const QUrl url(text);
        if (!url.isValid() || !url.isLocalFile())
            return invalid(text, QStringLiteral("not a valid file:// URL"));
        const QString host = url.host();
        if (!host.isEmpty() && host != QLatin1String("localhost"))
            return invalid(text, QStringLiteral("a file:// URL on another host is not supported"));
        const QString path = url.path(QUrl::FullyDecoded);
        if (path.isEmpty())
            return invalid(text, QStringLiteral("a file:// URL needs a path"));
        if (path.contains(QChar(0)))  // %00: a path the system would cut short
            return invalid(text, QStringLiteral("a location cannot contain a NUL character"));
        return local(path);
    }

    if (scheme == QLatin1String("s3") || scheme == QLatin1String("gs")) {
        const Scheme s = scheme == QLatin1String("s3") ? Scheme::S3 : Scheme::Gcs;
        const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        const QString bucket = slash < 0 ? rest : rest.left(slash);
        const QString key = slash < 0 ? QString() : rest.mid(slash + 1);
        if (bucket.isEmpty()) {
            if (!key.isEmpty())
                return invalid(text, QStringLiteral("missing bucket name before the key"));
            return s == Scheme::S3 ? s3({}) : gcs({});
        }
        const QString problem = bucketNameProblem(s, bucket);
        if (!problem.isEmpty())
            return invalid(text, QStringLiteral("invalid bucket name '%1': %2").arg(bucket, problem));
        return s == Scheme::S3 ? s3(bucket, key) : gcs(bucket, key);
    }

    if (scheme == QLatin1String("az")) {
        const QStringList parts = rest.split(QLatin1Char('/'));
        const QString account = parts.value(0);
        if (account.isEmpty())
            return invalid(text, QStringLiteral("missing storage account (az://account/container/blob)"));
        if (const QString problem = azureAccountProblem(account); !problem.isEmpty())
            return invalid(text, QStringLiteral("invalid storage account '%1': %2").arg(account, problem));
        const QString container = parts.value(1);
        const qsizetype blobStart = account.size() + 1 + container.size() + 1;
        const QString blob = rest.size() > blobStart ? rest.mid(blobStart) : QString();
        if (container.isEmpty()) {
            if (!blob.isEmpty())
                return invalid(text, QStringLiteral("missing container name before the blob"));
            return azure(account, {});
        }
        if (const QString problem = azureContainerProblem(container); !problem.isEmpty())
            return invalid(text, QStringLiteral("invalid container name '%1': %2").arg(container, problem));
        return azure(account, container, blob);
    }

    if (scheme == QLatin1String("sftp"))
        return parseSftp(text, rest);

    return invalid(text, QStringLiteral("unsupported URL scheme '%1' (use s3://, gs://, az://, sftp:// or a local path)")
                             .arg(scheme));
}

CloudUrl CloudUrl::local(const QString &path)
{
    CloudUrl u;
    u.m_scheme = Scheme::Local;
    u.m_key = path;
    return u;
}

CloudUrl CloudUrl::s3(const QString &bucket, const QString &key)
{
    CloudUrl u;
    u.m_scheme = Scheme::S3;
    u.m_bucket = bucket;
    u.m_key = key;
    return u;
}

CloudUrl CloudUrl::gcs(const QString &bucket, const QString &key)
{
    CloudUrl u = s3(bucket, key);
    u.m_scheme = Scheme::Gcs;
    return u;
}

CloudUrl CloudUrl::azure(const QString &account, const QString &container, const QString &blob)
{
    CloudUrl u;
    u.m_scheme = Scheme::Azure;
    u.m_account = account;
    u.m_bucket = container;
    u.m_key = blob;
    return u;
}

CloudUrl CloudUrl::sftp(const QString &host, const QString &path, const QString &user, int port)
{
    CloudUrl u;
    u.m_scheme = Scheme::Sftp;
    u.m_host = host;
    u.m_key = path;
    u.m_user = user;
    u.m_port = port;
    return u;
}

QString CloudUrl::schemeName() const
{
    switch (m_scheme) {
    case Scheme::Local: return QStringLiteral("file");
    case Scheme::S3: return QStringLiteral("s3");
    case Scheme::Gcs: return QStringLiteral("gs");
    case Scheme::Azure: return QStringLiteral("az");
    case Scheme::Sftp: return QStringLiteral("sftp");
    }
    return {};
}

QString CloudUrl::absoluteLocalPath() const
{
    if (m_scheme != Scheme::Local)
        return {};
    return QDir::cleanPath(QDir::current().absoluteFilePath(m_key));
}

bool CloudUrl::isPrefix() const
{
    switch (m_scheme) {
    case Scheme::Local:
        return m_key.endsWith(QLatin1Char('/')) || m_key == QLatin1String(".") || m_key == QLatin1String("..")
            || m_key.endsWith(QLatin1String("/.")) || m_key.endsWith(QLatin1String("/.."));
    case Scheme::Sftp:
        return m_key.isEmpty() || m_key.endsWith(QLatin1Char('/'));
    default:
        return m_key.isEmpty() || m_key.endsWith(QLatin1Char('/'));
    }
}

QString CloudUrl::fileName() const
{
    QString k = m_key;
    while (k.endsWith(QLatin1Char('/')))
        k.chop(1);
    const qsizetype slash = k.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? k : k.mid(slash + 1);
}

CloudUrl CloudUrl::joined(const QString &relative) const
{
    CloudUrl out = *this;
    if (isObjectStore() && m_bucket.isEmpty()) {
        const qsizetype slash = relative.indexOf(QLatin1Char('/'));
        out.m_bucket = slash < 0 ? relative : relative.left(slash);
        out.m_key = slash < 0 ? QString() : relative.mid(slash + 1);
        return out;
    }
    if (relative.isEmpty())
        return out;
    // No path is the login directory, which the CLI names "/~" (a bare "rel" would print as
    // "sftp://hostrel").
    if (m_scheme == Scheme::Sftp && m_key.isEmpty())
        out.m_key = QStringLiteral("/~/") + relative;
    else if (m_key.isEmpty() && m_scheme != Scheme::Local && m_scheme != Scheme::Sftp)
        out.m_key = relative;
    else if (m_key.isEmpty() || m_key.endsWith(QLatin1Char('/')))
        out.m_key = m_key + relative;
    else
        out.m_key = m_key + QLatin1Char('/') + relative;
    return out;
}

QString CloudUrl::toString() const
{
    switch (m_scheme) {
    case Scheme::Local: {
        // A relative path that would read as a URL, or as such a path written this way: "./" in front
        // (parse() takes one off).
        static const QRegularExpression urlishRe(QStringLiteral(R"(^(\./)*[A-Za-z][A-Za-z0-9+.-]*://)"));
        if (urlishRe.match(m_key).hasMatch())
            return QStringLiteral("./") + m_key;
        return m_key;
    }
    case Scheme::S3:
    case Scheme::Gcs:
        if (m_bucket.isEmpty())
            return schemeName() + QStringLiteral("://");
        return schemeName() + QStringLiteral("://") + m_bucket + QLatin1Char('/') + m_key;
    case Scheme::Azure: {
        QString s = QStringLiteral("az://") + m_account;
        if (!m_bucket.isEmpty())
            s += QLatin1Char('/') + m_bucket + QLatin1Char('/') + m_key;
        return s;
    }
    case Scheme::Sftp: {
        QString s = QStringLiteral("sftp://");
        if (!m_user.isEmpty())
            s += m_user + QLatin1Char('@');
        s += m_host.contains(QLatin1Char(':')) ? QLatin1Char('[') + m_host + QLatin1Char(']') : m_host;
        if (m_port > 0)
            s += QLatin1Char(':') + QString::number(m_port);
        return s + m_key;
    }
    }
    return {};
}

QString CloudUrl::bucketNameProblem(Scheme scheme, const QString &name, BucketRules rules)
{
    if (name.isEmpty())
        return QStringLiteral("the name is empty");
    switch (scheme) {
    case Scheme::S3: return s3BucketProblem(name, rules);
    case Scheme::Gcs: return gcsBucketProblem(name, rules);
    case Scheme::Azure: return azureContainerProblem(name);
    default: return QStringLiteral("not an object store");
    }
}

QString CloudUrl::azureAccountProblem(const QString &account)
{
    if (account.size() < 3 || account.size() > 24)
        return QStringLiteral("a storage account name has 3 to 24 characters");
    if (!onlyChars(account, {}, false))
        return QStringLiteral("a storage account name may only contain lower-case letters and digits");
    return {};
}

} // namespace skydeck
