#include "InstanceSsh.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace skydeck::ui {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("InstanceSsh", s);
}

QString localUser()
{
    QString u = qEnvironmentVariable("USER");
    if (u.isEmpty())
        u = qEnvironmentVariable("LOGNAME");
    return u;
}

} // namespace

QString defaultSshUser(const Instance &i, const Account &account)
{
    const QString fromAccount = account.setting(QStringLiteral("sshUser"));
    if (!fromAccount.isEmpty())
        return fromAccount;
    if (!i.sshUser.isEmpty())
        return i.sshUser;
    for (const char *tag : {"ssh-user", "skydeck:ssh-user", "ssh_user"}) {
        const QString t = i.tags.value(QLatin1String(tag));
        if (!t.isEmpty())
            return t;
    }
    if (i.provider == QLatin1String("aws")) {
        const QString hint = (i.image + QLatin1Char(' ') + i.tags.value(QStringLiteral("image-name"))).toLower();
        if (hint.contains(QLatin1String("ubuntu")) || hint.contains(QLatin1String("deep learning"))
            || hint.contains(QLatin1String("deeplearning")))
            return QStringLiteral("ubuntu");
        if (hint.contains(QLatin1String("debian")))
            return QStringLiteral("admin");
        return QStringLiteral("ec2-user");
    }
    if (i.provider == QLatin1String("gcp"))
        return localUser();
    if (i.provider == QLatin1String("azure"))
        return QStringLiteral("azureuser");
    return localUser();
}

InstanceSshTarget sshTargetFor(const Instance &i, const Account &account, const QString &homeDir)
{
    InstanceSshTarget t;
    t.target = QStringLiteral("instance:") + i.key();
    if (i.state != InstanceState::Running) {
        t.error = tr("%1 is not running").arg(i.name.isEmpty() ? i.id : i.name);
        return t;
    }
    const QString jump = account.setting(QStringLiteral("sshJumpHost"));
    if (!i.publicIp.isEmpty()) {
        t.host.hostName = i.publicIp;
    } else if (!i.privateIp.isEmpty() && !jump.isEmpty()) {
        bool ok = false;
        const ssh::JumpHop hop = ssh::JumpHop::parse(jump, &ok);
        if (!ok) {
            t.error = tr("The account's jump host \"%1\" is not user@host:port").arg(jump);
            return t;
        }
        t.host.hostName = i.privateIp;
        t.host.proxyJump = {hop};
    } else {
        t.error = i.privateIp.isEmpty()
            ? tr("%1 has no IP address yet").arg(i.name.isEmpty() ? i.id : i.name)
            : tr("%1 has no public IP: set a jump host (sshJumpHost) on the account to reach %2")
                  .arg(i.name.isEmpty() ? i.id : i.name, i.privateIp);
        return t;
    }
    t.host.alias = t.host.hostName;
    t.host.user = defaultSshUser(i, account);
    t.host.port = 22;
    t.host.serverAliveInterval = 30;

    const QDir home(homeDir.isEmpty() ? QDir::homePath() : homeDir);
    QStringList keys;
    const QString fromAccount = account.setting(QStringLiteral("sshKey"));
    if (!fromAccount.isEmpty()) {
        keys << (fromAccount.startsWith(QLatin1String("~/")) ? home.filePath(fromAccount.mid(2)) : fromAccount);
    } else if (i.provider == QLatin1String("aws") && !i.keyName.isEmpty()) {
        for (const QString &name : QStringList{i.keyName + QStringLiteral(".pem"), i.keyName})
            if (QFileInfo::exists(home.filePath(QStringLiteral(".ssh/") + name)))
                keys << home.filePath(QStringLiteral(".ssh/") + name);
    } else if (i.provider == QLatin1String("gcp")) {
        const QString g = home.filePath(QStringLiteral(".ssh/google_compute_engine"));
        if (QFileInfo::exists(g))
            keys << g;
    }
    if (!keys.isEmpty()) {
        t.host.identityFiles = keys;
        t.host.identityFilesFromConfig = true;
    } else {
        for (const char *k : {"id_ed25519", "id_ecdsa", "id_rsa"})
            t.host.identityFiles << home.filePath(QStringLiteral(".ssh/") + QLatin1String(k));
    }
    return t;
}

} // namespace skydeck::ui
