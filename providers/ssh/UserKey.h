#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

typedef struct evp_pkey_st EVP_PKEY;

namespace skydeck::ssh {

// A user's key for public key authentication, read and used with OpenSSL (libssh2 1.10 signs RSA
// keys with SHA-1 only, which OpenSSH 8.8 and later refuse; here every key signs with the
// algorithm asked: rsa-sha2-512, rsa-sha2-256 or ssh-rsa for RSA keys).
//
// Files: OpenSSH's own format ("BEGIN OPENSSH PRIVATE KEY", openssh-key-v1: unencrypted, or
// encrypted with aes128/192/256-ctr, -cbc, aes128/256-gcm@openssh.com or 3des-cbc under the bcrypt
// KDF), and PEM (PKCS#1 "BEGIN RSA PRIVATE KEY" with or without Proc-Type encryption, SEC1 EC keys,
// PKCS#8 plain or encrypted) through OpenSSL's PEM reader. Key types: RSA, Ed25519, ECDSA
// P-256/P-384/P-521; others (DSA, security keys) are Unsupported and left to libssh2.
//
// The public half is known without the passphrase when the file carries it (openssh-key-v1 always
// does; an encrypted PEM key through its .pub), so the server can be asked whether it takes the key
// before the passphrase is. Private key bytes are cleansed as soon as OpenSSL holds the key; the
// key is never logged or copied out. Copies share the one OpenSSL key (immutable once made).
class UserKey
{
public:
    enum class Status {
        Ok,               // the private key is here: sign() works
        Locked,           // encrypted: unlock() with the passphrase
        WrongPassphrase,  // the last unlock() was given a passphrase that does not decrypt it (still locked)
        Unreadable,       // the file could not be read
        Invalid,          // not a private key file, or a damaged one
        Unsupported,      // a key type, cipher or format this reader does not handle
    };

    UserKey();
    // Reads a private key file, and <path>.pub for the public half of an encrypted PEM key.
    static UserKey fromFile(const QString &path);
    // From a file's bytes (tests, fuzzing); `publicText` is what the .pub holds, if anything.
    static UserKey fromText(QByteArrayView text, QByteArrayView publicText = {});

    // Decrypts a Locked (or WrongPassphrase) key: Ok, WrongPassphrase (the same key stays
    // locked), or Invalid/Unsupported when the decrypted content is not a usable key. `maxRounds`
    // caps the bcrypt KDF's rounds for this call (kMaxBcryptRounds when 0; fuzzing passes less).
    Status unlock(QByteArrayView passphrase, unsigned maxRounds = 0);

    Status status() const { return m_status; }
    // Why not Ok, for a message ("incorrect passphrase", "cipher chacha20-poly1305@openssh.com is not
    // supported"); empty when Ok or Locked.
    QString errorText() const { return m_error; }
    bool canSign() const { return m_status == Status::Ok; }
    bool isEncrypted() const { return m_encrypted; }
    // The SSH public key blob (string type, then the key); empty when not known (an encrypted PEM
    // key without a .pub, before unlock()).
    QByteArray publicBlob() const { return m_blob; }
    QByteArray type() const;  // "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", ...
    QString comment() const { return m_comment; }

    // The signature of `data` with `algorithm` (one of signatureAlgorithms(publicBlob())), as the
    // second string of an SSH signature blob (the first is the algorithm's name, which libssh2 adds):
    // RSA's s, Ed25519's 64 bytes, ECDSA's mpint r and mpint s. nullopt when the key cannot sign
    // with it.
    std::optional<QByteArray> sign(QByteArrayView data, QByteArrayView algorithm) const;
    // The whole signature blob: string algorithm, string signature (what an agent answers).
    std::optional<QByteArray> signatureBlob(QByteArrayView data, QByteArrayView algorithm) const;

    // Algorithms a key of this blob signs with, best first: ssh-rsa keys rsa-sha2-512, rsa-sha2-256,
    // ssh-rsa; other keys their own type.
    static QByteArrayList signatureAlgorithms(QByteArrayView blob);
    // The blob with its type name replaced (an RSA key offered as rsa-sha2-256: the name libssh2
    // puts in the request and in the signature; the key itself, e and n, is the same).
    static QByteArray withType(QByteArrayView blob, QByteArrayView type);
    // "RSA 3072", "ED25519", "ECDSA 256", or the type name for others.
    static QString describe(QByteArrayView blob);
    // A key from an OpenSSH public key line ("type base64 [comment]"): blob and comment.
    static bool parsePublicLine(QByteArrayView line, QByteArray *blob, QString *comment);

    struct Encrypted;

private:
    Status m_status = Status::Invalid;
    QString m_error;
    QByteArray m_blob;
    QString m_comment;
    bool m_encrypted = false;
    std::shared_ptr<EVP_PKEY> m_key;              // Ok: the private key
    std::shared_ptr<const Encrypted> m_locked;    // Locked: what unlock() decrypts

    friend struct UserKeyParser;
};

} // namespace skydeck::ssh
