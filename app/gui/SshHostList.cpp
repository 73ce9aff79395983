#include "SshHostList.h"

#include <QObject>
#include <QSettings>

namespace skydeck::gui {

namespace {
const QString kKey = QStringLiteral("ssh/addedHosts");
}

QList<SshHostEntry> SshHostList::entries(const ssh::SshConfig &config)
{
    QList<SshHostEntry> out;
    const QStringList aliases = config.hosts();
    for (const QString &alias : aliases) {
        const ssh::SshHostConfig h = config.resolve(alias);
        out.append({alias, alias, QObject::tr("%1\nFrom ~/.ssh/config").arg(h.displayName()), false});
    }
    for (const QString &target : added()) {
        if (aliases.contains(target))
            continue;
        const ssh::SshHostConfig h = resolve(config, target);
        out.append({target, h.displayName(), QObject::tr("%1\nAdded in Skydeck").arg(h.displayName()), true});
    }
    return out;
}

SshHostEntry SshHostList::sandboxEntry(const ssh::SshHostConfig &host)
{
    SshHostEntry e;
    e.target = sandboxTarget();
    e.label = QObject::tr("Sandbox SSH (local sshd)");
    e.toolTip = QObject::tr("%1\nSkydeck's sandbox: an sshd on this machine for you, with a generated key "
                            "(not a remote host)")
                    .arg(host.displayName());
    e.sandbox = true;
    return e;
}

QString SshHostList::sandboxTarget()
{
    return QStringLiteral("sandbox:ssh");  // ':' and no '@' or port: never a typed target
}

QStringList SshHostList::added()
{
    return QSettings().value(kKey).toStringList();
}

void SshHostList::add(const QString &target)
{
    QStringList list = added();
    if (list.contains(target))
        return;
    list << target;
    QSettings().setValue(kKey, list);
}

void SshHostList::remove(const QString &target)
{
    QStringList list = added();
    list.removeAll(target);
    QSettings().setValue(kKey, list);
}

bool SshHostList::isValidTarget(const QString &target)
{
    bool ok = false;
    const ssh::JumpHop hop = ssh::JumpHop::parse(target, &ok);
    return ok && !hop.host.contains(QLatin1Char(' ')) && !hop.user.contains(QLatin1Char(' '));
}

ssh::SshHostConfig SshHostList::resolve(const ssh::SshConfig &config, const QString &target)
{
    if (config.hosts().contains(target))
        return config.resolve(target);
    return config.resolve(ssh::JumpHop::parse(target));
}

} // namespace skydeck::gui
