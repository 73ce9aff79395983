#pragma once

#include "SshConfig.h"

#include <QList>
#include <QString>

namespace skydeck::gui {

// One row under "SSH hosts" in the account tree.
struct SshHostEntry {
    QString target;  // a ~/.ssh/config alias, or "user@host:port" the user added
    QString label;
    QString toolTip;
    bool added = false;
    bool sandbox = false;  // the sandbox's own loopback sshd (target sandboxTarget())
};

// The SSH hosts the tree lists: the concrete aliases of ~/.ssh/config (SshConfig::hosts()) then
// the hosts added with "Connect to host…", kept in QSettings as "user@host:port" (never a secret).
class SshHostList
{
public:
    static QList<SshHostEntry> entries(const ssh::SshConfig &config);
    // The row of the sandbox's sshd ("Sandbox SSH (local sshd)") and its target, which no alias or
    // user@host:port can be.
    static SshHostEntry sandboxEntry(const ssh::SshHostConfig &host);
    static QString sandboxTarget();
    static QStringList added();
    static void add(const QString &target);
    static void remove(const QString &target);
    // "user@host:port" as typed → the settings ssh would use (the config still applies to host).
    static bool isValidTarget(const QString &target);
    static ssh::SshHostConfig resolve(const ssh::SshConfig &config, const QString &target);
};

} // namespace skydeck::gui
