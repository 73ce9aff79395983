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

struct HostKeyCheck {
    enum class Status { Match, Unknown, Changed, Revoked, Error };
    Status status = Status::Error;
    QString host;         // the name looked up: "host" or "[host]:port"
    QString keyType;
    QString fingerprint;  // of the key the server showed
    // Changed/Revoked: where the known (other) key is. Match: where it matched.
    QString file;
    int line = 0;
    QStringList otherTypesKnown;  // Unknown: keys of other types already known for the host
    QString errorText;            // Error: why the check could not be made

    // A sentence for the user ("The host key of X changed: ... known in FILE line N").
    QString message() const;
};

// known_hosts checking the way OpenSSH does it: the user's ~/.ssh/known_hosts (plain patterns,
// negations, hashed |1| entries, [host]:port names, @revoked) and Skydeck's own store, a
// known_hosts-format file in AppDataLocation where accepted keys are written (hashed). The files are
// parsed here rather than through libssh2_knownhost_* because a refusal must name the file and line
// of the old key, which libssh2's API does not report.
class KnownHosts
{
public:
    // Empty arguments: ~/.ssh/known_hosts and <AppDataLocation>/known_hosts.
    explicit KnownHosts(const QStringList &userFiles = {}, const QString &appStore = {});

    static QString defaultUserFile();
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
    QString appStore() const { return m_appStore; }

private:
    QStringList m_userFiles;
    QString m_appStore;
};

} // namespace skydeck::ssh
