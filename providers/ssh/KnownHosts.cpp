#include "KnownHosts.h"

#include "SshConfig.h"
#include "SshLogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <optional>

namespace skydeck::ssh {

namespace {

struct Entry {
    QString marker;  // "", "@revoked", "@cert-authority"
    QString hosts;
    QString keyType;
    QByteArray blob;
};

bool parseEntry(const QString &rawLine, Entry *e)
{
    const QString line = rawLine.trimmed();
    if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
        return false;
    QStringList f = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (!f.isEmpty() && f.first().startsWith(QLatin1Char('@')))
        e->marker = f.takeFirst();
    if (f.size() < 3)
        return false;
    e->hosts = f[0];
    e->keyType = f[1];
    e->blob = QByteArray::fromBase64(f[2].toLatin1());
    return !e->blob.isEmpty();
}

bool hostFieldMatches(const QString &field, const QString &entryName)
{
    if (field.startsWith(QLatin1String("|1|"))) {
        const QStringList parts = field.split(QLatin1Char('|'));
        if (parts.size() != 4)
            return false;
        const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
        const QByteArray want = QByteArray::fromBase64(parts[3].toLatin1());
        return QMessageAuthenticationCode::hash(entryName.toLower().toUtf8(), salt, QCryptographicHash::Sha1) == want;
    }
    return SshConfig::matchPatternList(field.split(QLatin1Char(','), Qt::SkipEmptyParts), entryName);
}

} // namespace

QString HostKey::type() const
{
    if (blob.size() < 4)
        return {};
    const quint32 n = (quint32(quint8(blob[0])) << 24) | (quint32(quint8(blob[1])) << 16)
        | (quint32(quint8(blob[2])) << 8) | quint32(quint8(blob[3]));
    if (n > quint32(blob.size() - 4))
        return {};
    return QString::fromLatin1(blob.mid(4, int(n)));
}

QString HostKey::fingerprint() const
{
    return KnownHosts::sha256Fingerprint(blob);
}

HostKey HostKey::fromOpenSshPublicKey(const QByteArray &line)
{
    const QList<QByteArray> f = line.simplified().split(' ');
    return HostKey{f.size() >= 2 ? QByteArray::fromBase64(f[1]) : QByteArray()};
}

QString HostKeyCheck::message() const
{
    switch (status) {
    case Status::Match:
        return QStringLiteral("Host key of %1 verified (%2).").arg(host, fingerprint);
    case Status::Unknown:
        return QStringLiteral("The authenticity of host %1 can't be established. %2 key fingerprint is %3.")
            .arg(host, keyType, fingerprint);
    case Status::Changed: {
        const QString known = knownKeyType == keyType
            ? QStringLiteral("a different %1 key is known for it in %2 line %3").arg(knownKeyType, file).arg(line)
            : QStringLiteral("it is known with an %1 key in %2 line %3").arg(knownKeyType, file).arg(line);
        return QStringLiteral("REMOTE HOST IDENTIFICATION HAS CHANGED for %1: the server now shows the %2 key %3, "
                              "but %4. Someone could be eavesdropping (man-in-the-middle), or the host key was "
                              "replaced. Connection refused. Only if the host's owner confirms the new key: remove "
                              "line %5 from %6 (ssh-keygen -f \"%6\" -R \"%1\") and connect again.")
            .arg(host, keyType, fingerprint, known)
            .arg(line)
            .arg(file);
    }
    case Status::Revoked:
        return QStringLiteral("The %1 key %2 of %3 is marked @revoked in %4 line %5: it must never be accepted. "
                              "Connection refused.")
            .arg(keyType, fingerprint, host, file)
            .arg(line);
    case Status::Error:
        return QStringLiteral("Cannot check the host key of %1: %2").arg(host, errorText);
    }
    return {};
}

KnownHosts::KnownHosts()
    : KnownHosts(defaultUserFiles(), defaultAppStore(), defaultGlobalFiles())
{
}

KnownHosts::KnownHosts(const QStringList &userFiles, const QString &appStore, const QStringList &globalFiles)
    : m_userFiles(userFiles), m_appStore(appStore.isEmpty() ? defaultAppStore() : appStore), m_globalFiles(globalFiles)
{
}

KnownHosts KnownHosts::forHost(const SshHostConfig &host, const QString &appStore)
{
    return KnownHosts(host.userKnownHostsFiles.value_or(defaultUserFiles()), appStore,
                      host.globalKnownHostsFiles.value_or(defaultGlobalFiles()));
}

QStringList KnownHosts::defaultUserFiles()
{
    const QString dir = QDir::homePath() + QStringLiteral("/.ssh/");
    return {dir + QStringLiteral("known_hosts"), dir + QStringLiteral("known_hosts2")};
}

QStringList KnownHosts::defaultGlobalFiles()
{
    return {QStringLiteral("/etc/ssh/ssh_known_hosts"), QStringLiteral("/etc/ssh/ssh_known_hosts2")};
}

QString KnownHosts::defaultAppStore()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/known_hosts");
}

QStringList KnownHosts::files() const
{
    QStringList all = m_userFiles;
    all << m_appStore << m_globalFiles;
    all.removeDuplicates();
    return all;
}

QString KnownHosts::hostEntryName(const QString &host, int port)
{
    const QString h = host.toLower();
    if (port == 22 || port <= 0)
        return h;
    return QStringLiteral("[%1]:%2").arg(h).arg(port);
}

QString KnownHosts::sha256Fingerprint(const QByteArray &blob)
{
    const QByteArray digest = QCryptographicHash::hash(blob, QCryptographicHash::Sha256);
    return QStringLiteral("SHA256:")
        + QString::fromLatin1(digest.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals));
}

QString KnownHosts::hashedHostField(const QString &entryName, QByteArray salt)
{
    if (salt.isEmpty()) {
        salt.resize(20);
        for (char &c : salt)
            c = char(QRandomGenerator::system()->bounded(256));
    }
    const QByteArray mac = QMessageAuthenticationCode::hash(entryName.toLower().toUtf8(), salt, QCryptographicHash::Sha1);
    return QStringLiteral("|1|") + QString::fromLatin1(salt.toBase64()) + QLatin1Char('|')
        + QString::fromLatin1(mac.toBase64());
}

HostKeyCheck KnownHosts::check(const QString &host, int port, const HostKey &key) const
{
    HostKeyCheck r;
    r.host = hostEntryName(host, port);
    r.keyType = key.type();
    r.fingerprint = key.fingerprint();
    if (r.keyType.isEmpty()) {
        r.status = HostKeyCheck::Status::Error;
        r.errorText = QStringLiteral("the server sent a malformed host key");
        return r;
    }
    struct Where {
        QString file;
        int line = 0;
        QString type;
    };
    std::optional<Where> match, sameType, otherType;
    for (const QString &path : files()) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        int n = 0;
        while (!f.atEnd()) {
            ++n;
            Entry e;
            if (!parseEntry(QString::fromUtf8(f.readLine()), &e) || !hostFieldMatches(e.hosts, r.host))
                continue;
            if (e.marker == QLatin1String("@cert-authority"))
                continue;
            if (e.marker == QLatin1String("@revoked")) {
                if (e.blob != key.blob)
                    continue;
                r.status = HostKeyCheck::Status::Revoked;  // before any match, as OpenSSH checks it
                r.file = path;
                r.line = n;
                return r;
            }
            std::optional<Where> &slot = e.blob == key.blob ? match : e.keyType == r.keyType ? sameType : otherType;
            if (!slot)
                slot = Where{path, n, e.keyType};
        }
    }
    // A key of the same type that differs is the likelier story; either way the host changed.
    const std::optional<Where> &found = match ? match : sameType ? sameType : otherType;
    r.status = !found ? HostKeyCheck::Status::Unknown
        : match       ? HostKeyCheck::Status::Match
                      : HostKeyCheck::Status::Changed;
    if (found) {
        r.file = found->file;
        r.line = found->line;
        if (!match)
            r.knownKeyType = found->type;
    }
    return r;
}

QStringList KnownHosts::knownKeyTypes(const QString &host, int port) const
{
    const QString name = hostEntryName(host, port);
    QStringList types;
    for (const QString &path : files()) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        while (!f.atEnd()) {
            Entry e;
            if (parseEntry(QString::fromUtf8(f.readLine()), &e) && e.marker.isEmpty()
                && hostFieldMatches(e.hosts, name) && !types.contains(e.keyType))
                types << e.keyType;
        }
    }
    return types;
}

bool KnownHosts::accept(const QString &host, int port, const HostKey &key, QString *error) const
{
    const QString type = key.type();
    if (type.isEmpty()) {
        if (error)
            *error = QStringLiteral("malformed host key");
        return false;
    }
    QDir().mkpath(QFileInfo(m_appStore).absolutePath());
    QFile f(m_appStore);
    if (!f.open(QIODevice::ReadWrite | QIODevice::Append)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(m_appStore, f.errorString());
        return false;
    }
    // A last line without its newline (edited by hand) must not swallow the new entry.
    QString line;
    if (f.size() > 0 && f.seek(f.size() - 1) && f.peek(1) != "\n")
        line += QLatin1Char('\n');
    line += hashedHostField(hostEntryName(host, port)) + QLatin1Char(' ') + type + QLatin1Char(' ')
        + QString::fromLatin1(key.blob.toBase64()) + QLatin1Char('\n');
    if (f.write(line.toUtf8()) < 0 || !f.flush()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(m_appStore, f.errorString());
        return false;
    }
    qCInfo(lcSsh) << "accepted host key" << type << key.fingerprint() << "for" << hostEntryName(host, port)
                  << "into" << m_appStore;
    return true;
}

} // namespace skydeck::ssh
