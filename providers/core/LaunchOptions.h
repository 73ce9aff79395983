#pragma once

#include "ComputeTypes.h"
#include "Result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

namespace skydeck::launch {

// What the launch dialog and `skydeck vm launch` share: the images offered, the conventions for the
// SSH user and key, the `--gpu MODEL:COUNT` form and where SSH may come from. No widgets, no network.

struct ImageChoice {
    QString label;
    QString image;  // EC2: an AMI id or resolve:ssm:...; GCE: an image or family URL; Azure: publisher:offer:sku:version
};
// The providers' deep-learning and common images, the first being the default. Azure's are Hyper-V
// generation 2 images, which every size boots (the NC A100 v4 and ND A100 v4 sizes boot nothing else).
QList<ImageChoice> images(const QString &provider);

// The admin user of a new VM: Compute Engine the local user (its "ssh-keys" metadata entry), Azure
// "azureuser" (as `az vm create` and the portal); EC2's is the image's own (none given).
QString defaultSshUser(const QString &provider, const QProcessEnvironment &env);

// ~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub; empty when neither exists.
QString defaultPublicKeyPath(const QString &home);
// An OpenSSH public key file's key ("ssh-ed25519 AAAA... comment"), read with a small cap; a private
// key, an empty file or anything else is refused (the key is sent to the provider: never a secret).
Result<QString> readPublicKey(const QString &path);

// "T4:2", "nvidia-tesla-t4:1", "A100" (one) -> {count, model}; a count of 1..16.
Result<GpuInfo> parseGpu(const QString &spec);

// An address prefix for a firewall rule: "203.0.113.7" -> "203.0.113.7/32", "2001:db8::1" ->
// "2001:db8::1/128", a CIDR as given (host bits cleared). Anything else is an InvalidInput error.
Result<QString> normaliseCidr(const QString &text);
// True for 0.0.0.0/0 and ::/0 (the whole internet).
bool isWholeInternet(const QString &cidr);

// Where SSH to a new VM may come from when the user did not say: the address this session's SSH
// connection comes from (SSH_CONNECTION, else SSH_CLIENT: the client's address as this machine
// sees it), as a /32 or /128, but only when it is a public address (a private, loopback or
// link-local one is not what the cloud will see). Empty when not known: SSH then stays closed.
QString sshSourceFromEnvironment(const QProcessEnvironment &env);

} // namespace skydeck::launch
