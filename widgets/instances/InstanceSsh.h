#pragma once

#include "Account.h"
#include "ComputeTypes.h"
#include "SshConfig.h"

#include <QMetaType>
#include <QString>

namespace skydeck::ui {

// How "SSH" reaches an instance, by each provider's conventions:
//  - address: the public IP; else the private IP through the account's jump host (setting
//    "sshJumpHost", "user@host:port" as for ProxyJump); else no way (error says why);
//  - user: the account's "sshUser" setting, else what the provider told (Instance::sshUser), else
//    the instance's "ssh-user" tag/label, else the image's default: EC2 "ubuntu" for Ubuntu and
//    Deep Learning images, "ec2-user" otherwise (Amazon Linux); Compute Engine the local user (as
//    gcloud compute ssh does); Azure "azureuser";
//  - key: the account's "sshKey" setting, else EC2 ~/.ssh/<KeyName>.pem or ~/.ssh/<KeyName>,
//    Compute Engine ~/.ssh/google_compute_engine, when present; else OpenSSH's default identities.
struct InstanceSshTarget {
    ssh::SshHostConfig host;
    QString target;  // the pane's key: "instance:<Instance::key()>"
    QString error;   // non-empty: no way to reach it
    bool ok() const { return error.isEmpty(); }
};

InstanceSshTarget sshTargetFor(const Instance &instance, const Account &account, const QString &homeDir = {});
QString defaultSshUser(const Instance &instance, const Account &account);

} // namespace skydeck::ui

Q_DECLARE_METATYPE(skydeck::ui::InstanceSshTarget)
