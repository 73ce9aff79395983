#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace skydeck::ssh {

// A server's host key as received in the handshake: the SSH wire blob (string type, then data).
struct HostKey {
    QByteArray blob;
    QString type() const;         // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
    QString fingerprint() const;  // OpenSSH's "SHA256:<base64 without padding>"
    static HostKey fromOpenSshPublicKey(const QByteArray &line);  // "type base64 [comment]"
};

struct SshHostConfig;

struct HostKeyCheck {
    // Unknown: no key at all is known for the host. Changed: keys are known for it, none is the key
    // shown (of the same type or of another: OpenSSH 9.2 calls both a changed host).
    enum class Status { Match, Unknown, Changed, Revoked, Error };
    Status status = Status::Error;
    QString host;         // the name looked up: "host" or "[host]:port"
    QString keyType;
    QString fingerprint;  // of the key the server showed
    // Changed: where the known (other) key is; Revoked: the @revoked line; Match: where it matched.
    QString file;
    int line = 0;
    QString knownKeyType;  // Changed: the type of that known key
    QString errorText;     // Error: why the check could not be made

    // A sentence for the user. Changed names the file and line of the known key and how to remove
    // it once the new key is verified (ssh-keygen -R); Revoked offers nothing to accept.
    QString message() const;
};

// known_hosts checking the way OpenSSH 9.2 does it: the user's files (UserKnownHostsFile, default
// ~/.ssh/known_hosts and ~/.ssh/known_hosts2), Skydeck's own store (a known_hosts-format file in
// AppDataLocation where accepted keys are written, hashed) and the global files
// (GlobalKnownHostsFile, default /etc/ssh/ssh_known_hosts and ssh_known_hosts2); plain patterns,
// negations, hashed |1| entries, [host]:port names, @revoked (looked at first, in every file).
// The files are parsed here rather than through libssh2_knownhost_* because a refusal must name the
// file and line of the old key, which libssh2's API does not report.
//
// Skydeck's store is read and written whatever UserKnownHostsFile says, "none" included: it is
// where Skydeck remembers the keys its users accepted, so a host known there is never "new" again.
class KnownHosts
{
public:
    // OpenSSH's default files and <AppDataLocation>/known_hosts.
    KnownHosts();
    // Exactly these files (an empty list: none of that kind). Empty appStore: defaultAppStore().
    explicit KnownHosts(const QStringList &userFiles, const QString &appStore = {}, const QStringList &globalFiles = {});
    // The files ~/.ssh/config names for the host (UserKnownHostsFile, GlobalKnownHostsFile), or
    // OpenSSH's defaults where it names none.
    static KnownHosts forHost(const SshHostConfig &host, const QString &appStore = {});

    static QStringList defaultUserFiles();
    static QStringList defaultGlobalFiles();
    static QString defaultAppStore();
    // "host" for port 22, else "[host]:port" (OpenSSH's form).
    static QString hostEntryName(const QString &host, int port);
    static QString sha256Fingerprint(const QByteArray &blob);
    // HMAC-SHA1 hashed host field "|1|salt|hash" (salt random when empty).
    static QString hashedHostField(const QString &entryName, QByteArray salt = {});

    HostKeyCheck check(const QString &host, int port, const HostKey &key) const;
    // Key types already known for the host (to prefer them in the key exchange, as OpenSSH does).
    QStringList knownKeyTypes(const QString &host, int port) const;

    // Writes the key (hashed host name) to the app's store. False with `error` set on failure.
    bool accept(const QString &host, int port, const HostKey &key, QString *error = nullptr) const;

    QStringList userFiles() const { return m_userFiles; }
    QStringList globalFiles() const { return m_globalFiles; }
    QString appStore() const { return m_appStore; }

private:
    // Every file read, in OpenSSH's order (user files, then the store, then the global files).
    QStringList files() const;

    QStringList m_userFiles;
    QString m_appStore;
    QStringList m_globalFiles;
};

} // namespace skydeck::ssh
