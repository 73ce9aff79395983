// UserKey against keys ssh-keygen makes: every format (OpenSSH, PEM, PKCS#8), every cipher
// ssh-keygen -Z offers that UserKey reads, passphrases right and wrong, and signatures checked by
// OpenSSH itself (ssh-keygen -Y check-novalidate over an SSHSIG built from UserKey's signature
// blob) and by OpenSSL (the .pub exported as PKCS#8). Then damaged and hostile files.
#include "KnownHosts.h"
#include "Peers.h"
#include "SshWire.h"
#include "TestAgent.h"
#include "TestMain.h"
#include "UserKey.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace skydeck::ssh;

namespace {

struct Keygen {
    int code = -1;
    QByteArray out;
};

Keygen keygen(const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(QStringLiteral("ssh-keygen"), args);
    if (!p.waitForStarted(10000))
        return {};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), p.readAllStandardOutput() + p.readAllStandardError()};
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
}

QByteArray pubBlob(const QString &pubPath)
{
    QByteArray blob;
    QString comment;
    UserKey::parsePublicLine(readAll(pubPath), &blob, &comment);
    return blob;
}

// The RSA signature `sig` (UserKey::sign's form: s alone) over data, checked with OpenSSL.
bool opensslVerifiesRsa(const QString &pubPath, const QByteArray &data, const QByteArray &sig, const EVP_MD *md)
{
    const Keygen pem = keygen({QStringLiteral("-e"), QStringLiteral("-m"), QStringLiteral("PKCS8"), QStringLiteral("-f"), pubPath});
    if (pem.code != 0)
        return false;
    BIO *bio = BIO_new_mem_buf(pem.out.constData(), int(pem.out.size()));
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = pkey && ctx && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pkey) == 1
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(sig.constData()), size_t(sig.size()),
                            reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size())) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok;
}

} // namespace

class TestUserKey : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QHash<QString, QString> m_base;  // type -> a fresh unencrypted OpenSSH-format key

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // A copy of the base key of `type` re-written by ssh-keygen -p with the given format/cipher.
    QString variant(const QString &type, const QString &name, const QString &format, const QString &cipher,
                    const QString &passphrase)
    {
        const QString dst = path(name);
        QFile::remove(dst);
        QFile::remove(dst + QStringLiteral(".pub"));
        if (!QFile::copy(m_base.value(type), dst) || !QFile::copy(m_base.value(type) + QStringLiteral(".pub"), dst + QStringLiteral(".pub")))
            return {};
        QFile::setPermissions(dst, QFile::ReadOwner | QFile::WriteOwner);
        QStringList args{QStringLiteral("-q"), QStringLiteral("-p"), QStringLiteral("-P"), QString(), QStringLiteral("-N"),
                         passphrase, QStringLiteral("-f"), dst};
        if (!format.isEmpty())
            args << QStringLiteral("-m") << format;
        if (!cipher.isEmpty())
            args << QStringLiteral("-Z") << cipher;
        const Keygen k = keygen(args);
        return k.code == 0 ? dst : QString();
    }

    QByteArray openSshBody(const QString &file) const
    {
        QByteArray text = readAll(file);
        text.replace("-----BEGIN OPENSSH PRIVATE KEY-----", "").replace("-----END OPENSSH PRIVATE KEY-----", "");
        return QByteArray::fromBase64(text.simplified().replace(' ', ""));
    }
    static QByteArray openSshText(const QByteArray &raw)
    {
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + raw.toBase64() + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("ssh-keygen")).isEmpty())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("ssh-keygen (openssh-client) is needed"));
        QVERIFY(m_dir.isValid());
        const QList<QPair<QString, QStringList>> types{
            {QStringLiteral("rsa"), {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("3072")}},
            {QStringLiteral("rsa1024"), {QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("1024")}},
            {QStringLiteral("ed25519"), {QStringLiteral("-t"), QStringLiteral("ed25519")}},
            {QStringLiteral("ecdsa256"), {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("256")}},
            {QStringLiteral("ecdsa384"), {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("384")}},
            {QStringLiteral("ecdsa521"), {QStringLiteral("-t"), QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("521")}},
        };
        for (const auto &[name, args] : types) {
            const QString file = path(QStringLiteral("base_") + name);
            const Keygen k = keygen(QStringList{QStringLiteral("-q"), QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                                                QStringLiteral("comment of ") + name, QStringLiteral("-f"), file}
                                    + args);
            QVERIFY2(k.code == 0, k.out.constData());
            m_base.insert(name, file);
        }
    }

    void formats_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("format");      // ssh-keygen -m: "" (OpenSSH), PEM, PKCS8
        QTest::addColumn<QString>("cipher");      // ssh-keygen -Z ("" = its default)
        QTest::addColumn<QString>("passphrase");  // "" = unencrypted
        const QString pass = QStringLiteral("correct horse");
        for (const QString &type : {QStringLiteral("rsa"), QStringLiteral("ed25519"), QStringLiteral("ecdsa256"),
                                    QStringLiteral("ecdsa384"), QStringLiteral("ecdsa521"), QStringLiteral("rsa1024")}) {
            QTest::addRow("%s openssh", qPrintable(type)) << type << QString() << QString() << QString();
            QTest::addRow("%s openssh encrypted", qPrintable(type)) << type << QString() << QString() << pass;
            if (type != QLatin1String("ed25519")) {  // OpenSSH writes Ed25519 keys in its own format only
                QTest::addRow("%s PEM", qPrintable(type)) << type << QStringLiteral("PEM") << QString() << QString();
                QTest::addRow("%s PEM encrypted", qPrintable(type)) << type << QStringLiteral("PEM") << QString() << pass;
                QTest::addRow("%s PKCS8", qPrintable(type)) << type << QStringLiteral("PKCS8") << QString() << QString();
                QTest::addRow("%s PKCS8 encrypted", qPrintable(type)) << type << QStringLiteral("PKCS8") << QString() << pass;
            }
        }
        for (const char *cipher : {"aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc",
                                   "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "3des-cbc"}) {
            QTest::addRow("rsa openssh %s", cipher) << QStringLiteral("rsa") << QString() << QString::fromLatin1(cipher) << pass;
            QTest::addRow("ed25519 openssh %s", cipher) << QStringLiteral("ed25519") << QString() << QString::fromLatin1(cipher) << pass;
        }
        QTest::addRow("rsa openssh non-ASCII passphrase") << QStringLiteral("rsa") << QString() << QString() << QStringLiteral("pässwörd ✓");
    }
    void formats()
    {
        QFETCH(QString, type);
        QFETCH(QString, format);
        QFETCH(QString, cipher);
        QFETCH(QString, passphrase);
        const QString file = variant(type, QStringLiteral("key"), format, cipher, passphrase);
        QVERIFY(!file.isEmpty());
        const QByteArray expectedBlob = pubBlob(file + QStringLiteral(".pub"));
        QVERIFY(!expectedBlob.isEmpty());

        UserKey key = UserKey::fromFile(file);
        if (passphrase.isEmpty()) {
            QCOMPARE(key.status(), UserKey::Status::Ok);
            QVERIFY(!key.isEncrypted());
        } else {
            QCOMPARE(key.status(), UserKey::Status::Locked);
            QVERIFY(key.isEncrypted());
            QVERIFY(!key.canSign());
            QVERIFY(!key.sign("data", UserKey::signatureAlgorithms(expectedBlob).first()));
            // The public half is known before the passphrase (the file's, or the .pub's for PEM).
            QCOMPARE(key.publicBlob(), expectedBlob);
            QCOMPARE(key.unlock("not the passphrase"), UserKey::Status::WrongPassphrase);
            QCOMPARE(key.status(), UserKey::Status::WrongPassphrase);
            QCOMPARE(key.errorText(), QStringLiteral("incorrect passphrase"));
            QVERIFY(!key.canSign());
            QCOMPARE(key.unlock(QByteArray()), UserKey::Status::WrongPassphrase);
            QElapsedTimer t;
            t.start();
            QCOMPARE(key.unlock(passphrase.toUtf8()), UserKey::Status::Ok);
            qInfo("unlocked in %lld ms", t.elapsed());
        }
        QVERIFY(key.canSign());
        QCOMPARE(key.publicBlob(), expectedBlob);
        QCOMPARE(key.comment(), QStringLiteral("comment of ") + type);

        const Keygen fp = keygen({QStringLiteral("-lf"), file + QStringLiteral(".pub")});
        QCOMPARE(KnownHosts::sha256Fingerprint(key.publicBlob()), QString::fromLatin1(fp.out).split(QLatin1Char(' ')).value(1));

        // Every algorithm the key offers signs; OpenSSH checks the SHA-2 ones (SSHSIG refuses
        // ssh-rsa), OpenSSL all the RSA ones.
        const QByteArray message = "what the server asks to sign " + type.toUtf8();
        const QByteArrayList algorithms = UserKey::signatureAlgorithms(key.publicBlob());
        QVERIFY(!algorithms.isEmpty());
        for (const QByteArray &alg : algorithms) {
            if (alg != "ssh-rsa") {
                const std::optional<QByteArray> sig = key.signatureBlob(skydeck::test::sshsig::signedData(message), alg);
                QVERIFY(sig);
                QByteArray said;
                QVERIFY2(skydeck::test::sshsig::opensshAccepts(m_dir.path(), message, key.publicBlob(), *sig, &said),
                         qPrintable(QString::fromLatin1(alg + ": " + said)));
            }
            if (type.startsWith(QLatin1String("rsa"))) {
                const std::optional<QByteArray> sig = key.sign(message, alg);
                QVERIFY(sig);
                const EVP_MD *md = alg == "rsa-sha2-512" ? EVP_sha512() : alg == "rsa-sha2-256" ? EVP_sha256() : EVP_sha1();
                QVERIFY2(opensslVerifiesRsa(file + QStringLiteral(".pub"), message, *sig, md), alg.constData());
            }
        }
        QVERIFY(!key.sign(message, "ssh-dss"));
        if (type.startsWith(QLatin1String("rsa")))
            QCOMPARE(algorithms, (QByteArrayList{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}));
        else
            QCOMPARE(algorithms, QByteArrayList{key.type()});
    }

    // An encrypted PEM key without its .pub: nothing is known before the passphrase.
    void encryptedPemWithoutPub()
    {
        const QString file = variant(QStringLiteral("rsa"), QStringLiteral("pem_nopub"), QStringLiteral("PEM"), QString(),
                                     QStringLiteral("secret"));
        QVERIFY(!file.isEmpty());
        const QByteArray expected = pubBlob(file + QStringLiteral(".pub"));
        QVERIFY(QFile::remove(file + QStringLiteral(".pub")));
        UserKey key = UserKey::fromFile(file);
        QCOMPARE(key.status(), UserKey::Status::Locked);
        QVERIFY(key.publicBlob().isEmpty());
        QCOMPARE(key.unlock("secret"), UserKey::Status::Ok);
        QCOMPARE(key.publicBlob(), expected);
        // A .pub of another key is caught once the key is decrypted.
        const QString other = variant(QStringLiteral("rsa"), QStringLiteral("pem_otherpub"), QStringLiteral("PEM"), QString(),
                                      QStringLiteral("secret"));
        QVERIFY(QFile::remove(other + QStringLiteral(".pub")));
        QVERIFY(QFile::copy(m_base.value(QStringLiteral("rsa1024")) + QStringLiteral(".pub"), other + QStringLiteral(".pub")));
        UserKey mismatched = UserKey::fromFile(other);
        QCOMPARE(mismatched.status(), UserKey::Status::Locked);
        QCOMPARE(mismatched.unlock("secret"), UserKey::Status::Invalid);
        QVERIFY(!mismatched.canSign());
    }

    void publicLinesAndDescriptions()
    {
        for (const auto &[type, label] : QList<QPair<QString, QString>>{{QStringLiteral("rsa"), QStringLiteral("RSA 3072")},
                                                                        {QStringLiteral("rsa1024"), QStringLiteral("RSA 1024")},
                                                                        {QStringLiteral("ed25519"), QStringLiteral("ED25519")},
                                                                        {QStringLiteral("ecdsa256"), QStringLiteral("ECDSA 256")},
                                                                        {QStringLiteral("ecdsa384"), QStringLiteral("ECDSA 384")},
                                                                        {QStringLiteral("ecdsa521"), QStringLiteral("ECDSA 521")}}) {
            QByteArray blob;
            QString comment;
            QVERIFY(UserKey::parsePublicLine(readAll(m_base.value(type) + QStringLiteral(".pub")), &blob, &comment));
            QCOMPARE(comment, QStringLiteral("comment of ") + type);
            QCOMPARE(UserKey::describe(blob), label);
        }
        QByteArray blob;
        QString comment;
        QVERIFY(!UserKey::parsePublicLine("ssh-ed25519", &blob, &comment));
        QVERIFY(!UserKey::parsePublicLine("ssh-ed25519 !!notbase64!!", &blob, &comment));
        // The type named in the line must be the blob's.
        const QList<QByteArray> f = readAll(m_base.value(QStringLiteral("ed25519")) + QStringLiteral(".pub")).split(' ');
        QVERIFY(!UserKey::parsePublicLine(QByteArray("ssh-rsa " + f.value(1)), &blob, &comment));
        // An RSA key offered as rsa-sha2-256: the same e and n under another name.
        QVERIFY(UserKey::parsePublicLine(readAll(m_base.value(QStringLiteral("rsa")) + QStringLiteral(".pub")), &blob, &comment));
        const QByteArray renamed = UserKey::withType(blob, "rsa-sha2-256");
        QCOMPARE(wire::firstString(renamed), QByteArray("rsa-sha2-256"));
        QCOMPARE(renamed.mid(4 + 12), blob.mid(4 + 7));
        QCOMPARE(UserKey::withType(renamed, "ssh-rsa"), blob);
    }

    void damagedAndForeignFiles()
    {
        const QString plain = m_base.value(QStringLiteral("ed25519"));
        const QByteArray raw = openSshBody(plain);
        QVERIFY(raw.startsWith(QByteArray("openssh-key-v1\0", 15)));
        const auto statusOf = [](const QByteArray &text) { return UserKey::fromText(text).status(); };

        QCOMPARE(statusOf(QByteArray()), UserKey::Status::Invalid);
        QCOMPARE(statusOf("hello"), UserKey::Status::Invalid);
        QCOMPARE(statusOf(readAll(plain + QStringLiteral(".pub"))), UserKey::Status::Invalid);  // a public key
        QCOMPARE(statusOf(openSshText(raw.left(raw.size() / 2))), UserKey::Status::Invalid);  // cut short
        QCOMPARE(statusOf("-----BEGIN OPENSSH PRIVATE KEY-----\n@@@@\n-----END OPENSSH PRIVATE KEY-----\n"), UserKey::Status::Invalid);
        QCOMPARE(statusOf("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"), UserKey::Status::Invalid);  // no end line
        // END right after BEGIN's dashes: its marker overlaps them (a negative body length crashed).
        QCOMPARE(statusOf("-----BEGIN OPENSSH PRIVATE KEY------END OPENSSH PRIVATE KEY-----\n"), UserKey::Status::Invalid);
        QCOMPARE(statusOf("-----BEGIN OPENSSH PRIVATE KEY-----"), UserKey::Status::Invalid);
        QByteArray magic = raw;
        magic[3] = 'X';
        QCOMPARE(statusOf(openSshText(magic)), UserKey::Status::Invalid);
        // Every single flipped byte in the private section is caught (check bytes, key, padding) or
        // gives another key, never a crash.
        for (qsizetype i = raw.size() - 150; i < raw.size(); ++i) {
            QByteArray flipped = raw;
            flipped[i] = char(flipped[i] ^ 0x41);
            const UserKey k = UserKey::fromText(openSshText(flipped));
            QVERIFY(k.status() != UserKey::Status::Ok || k.publicBlob() == pubBlob(plain + QStringLiteral(".pub")));
        }
        // The public key stored in the header is not the private key's.
        const QByteArray otherRaw = openSshBody(variant(QStringLiteral("ed25519"), QStringLiteral("other"), QString(), QString(), QString()));
        QCOMPARE(statusOf(openSshText(otherRaw)), UserKey::Status::Ok);
        {
            // Swap in a new key's public blob: header = 15 magic + 3 strings ("none","none","") + u32.
            QVERIFY(keygen({QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), QString(),
                            QStringLiteral("-f"), path(QStringLiteral("third"))}).code == 0);
            const QByteArray third = openSshBody(path(QStringLiteral("third")));
            const qsizetype blobAt = 15 + 8 + 8 + 4 + 4;
            QByteArray swapped = raw;
            swapped.replace(blobAt, 4 + 51, third.mid(blobAt, 4 + 51));
            const UserKey k = UserKey::fromText(openSshText(swapped));
            QCOMPARE(k.status(), UserKey::Status::Invalid);
            QVERIFY2(k.errorText().contains(QLatin1String("does not match")), qPrintable(k.errorText()));
        }
        {
            QByteArray two = raw;
            two[15 + 8 + 8 + 4 + 3] = 2;  // nkeys
            const UserKey k = UserKey::fromText(openSshText(two));
            QCOMPARE(k.status(), UserKey::Status::Unsupported);
        }
        // A cipher UserKey does not read, a DSA key, too many KDF rounds: said, not guessed at.
        const QString chacha = variant(QStringLiteral("ed25519"), QStringLiteral("chacha"), QString(),
                                       QStringLiteral("chacha20-poly1305@openssh.com"), QStringLiteral("pw"));
        const UserKey c = UserKey::fromFile(chacha);
        QCOMPARE(c.status(), UserKey::Status::Unsupported);
        QVERIFY2(c.errorText().contains(QLatin1String("chacha20-poly1305@openssh.com")) && c.errorText().contains(QLatin1String("ssh-keygen -p")),
                 qPrintable(c.errorText()));
        QVERIFY(keygen({QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("dsa"), QStringLiteral("-N"), QString(),
                        QStringLiteral("-f"), path(QStringLiteral("dsa"))}).code == 0);
        QCOMPARE(UserKey::fromFile(path(QStringLiteral("dsa"))).status(), UserKey::Status::Unsupported);
        {
            QVERIFY(keygen({QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                            QStringLiteral("pw"), QStringLiteral("-a"), QStringLiteral("16"), QStringLiteral("-f"),
                            path(QStringLiteral("rounds"))}).code == 0);
            QByteArray r = openSshBody(path(QStringLiteral("rounds")));
            // "aes256-ctr" "bcrypt" kdfoptions{ string salt(16), u32 rounds }
            const qsizetype roundsAt = 15 + 4 + 10 + 4 + 6 + 4 + 4 + 16;
            QCOMPARE(r.mid(roundsAt, 4), QByteArray("\0\0\0\x10", 4));
            r.replace(roundsAt, 4, QByteArray("\xff\xff\xff\xff", 4));
            const UserKey k = UserKey::fromText(openSshText(r));
            QCOMPARE(k.status(), UserKey::Status::Unsupported);
            QVERIFY2(k.errorText().contains(QLatin1String("4294967295")), qPrintable(k.errorText()));
        }
        {
            // An RSA key under 1024 bits is refused, as OpenSSH refuses it (ssh-keygen makes none).
            QProcess openssl;
            openssl.start(QStringLiteral("openssl"), {QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"),
                                                      QStringLiteral("-pkeyopt"), QStringLiteral("rsa_keygen_bits:768")});
            QVERIFY(openssl.waitForFinished(60000) && openssl.exitCode() == 0);
            const UserKey small = UserKey::fromText(openssl.readAllStandardOutput());
            QCOMPARE(small.status(), UserKey::Status::Unsupported);
            QVERIFY2(small.errorText().contains(QLatin1String("768-bit RSA key is refused")), qPrintable(small.errorText()));
        }
        {
            // An RSA key OpenSSL reads whose p is not prime (n != p*q): it could never sign, and
            // used to fail only in the middle of a login (found by the ssh_auth fuzz target).
            const UserKey damaged = UserKey::fromText(
            "-----BEGIN RSA PRIVATE KEY-----\n"
            "MIICXAIBAAKBgQClt/y27gluKYjTVxNRINimtWpWJJXxxmHUYZl5eqGYw84xAkO2\n"
            "YFvchIZ0OqUjRuzBaBXzvhBKpq7q9aKPIJeaS2tkVISZwOCHYkYqNaZbMB/oLJ7W\n"
            "8v9pYteWWrO1YnDPI6BGOtUW4Y5I7OMd4uTmN4kWMOXJ9D3WkzuWvWnC3wIDAQAB\n"
            "AoGAYXDQqKNIaj0D1fiiRBbDLSsIzoQOoq4aQe3tdy9zK0cey1RgijEYco5+HIOL\n"
            "LDX86jAQkFRWcf6WZVNvdScd3Ep2sagwsCQQMNMyXZ3gt/RYBTlXlKewEo0kBHI5\n"
            "j9hn4PFwz31wG1WFOf9A+cmMWGNRgNjVKOjjuybdLpMZrUkCQQDQFRBmd0Fp/Ch3\n"
            "688I322mo3F5dj3ChgjtNQC3scGl70N19qNvMd1ClR2TtZ6HriY+SJN0Cck7vErA\n"
            "fyQdKJ14AkEAy+F9uvnfD4+F7CHQ8HQdDLLJ9ULF51irkT9gRPi0Qn179v4+3yvu\n"
            "wo7Mwfgw9+ilGNd3LsrI+fOhqZXSFPSx7QJALSLkk9V6kwrnnFvCZSJSHruFedt0\n"
            "OiXo+ctthGtCnkPwVj5R5WTjofXGnKvg332fPhNwKNOWmyaU8Hyj0M9m0QJAO0tV\n"
            "Oa+6A9iF5mrfTU83s527xqyoyeOr4g5AfU6nfj7ocqj2uAka41KMkk0QUMlEWrkv\n"
            "XFh1otwMRDniY13W8QJBAKyZKvjlaSi128t5u8il3u/ezcaSOf4hXHRwOkGeOrk+\n"
            "y3c3t9TyrRTijdU1gnnFjsJ1yJFid0gtiePAq5W/C3E=\n"
            "-----END RSA PRIVATE KEY-----\n");
            QCOMPARE(damaged.status(), UserKey::Status::Invalid);
            QVERIFY2(damaged.errorText().contains(QLatin1String("damaged private key")), qPrintable(damaged.errorText()));
        }
        QCOMPARE(UserKey::fromText("PuTTY-User-Key-File-3: ssh-rsa\n").status(), UserKey::Status::Unsupported);
        QCOMPARE(UserKey::fromText("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n").status(),
                 UserKey::Status::Invalid);
        QCOMPARE(UserKey::fromFile(path(QStringLiteral("no such file"))).status(), UserKey::Status::Unreadable);
        QCOMPARE(UserKey::fromFile(m_dir.path()).status(), UserKey::Status::Unreadable);
        writeAll(path(QStringLiteral("huge")), QByteArray(2 << 20, 'A'));
        QCOMPARE(UserKey::fromFile(path(QStringLiteral("huge"))).status(), UserKey::Status::Invalid);
        // A locked key whose encrypted part was damaged fails its passphrase check (CTR: check
        // bytes; GCM: the tag), never signs.
        const QString enc = variant(QStringLiteral("rsa"), QStringLiteral("damaged_enc"), QString(), QString(), QStringLiteral("pw"));
        QByteArray e = openSshBody(enc);
        e[e.size() / 2] = char(e[e.size() / 2] ^ 1);  // inside the encrypted private section
        UserKey damaged = UserKey::fromText(openSshText(e));
        QCOMPARE(damaged.status(), UserKey::Status::Locked);
        QVERIFY(damaged.unlock("pw") != UserKey::Status::Ok);
        QVERIFY(!damaged.canSign());
    }
};

SKYDECK_TEST_MAIN(TestUserKey)
#include "tst_userkey.moc"
