// known_hosts checks: plain, hashed (as written by `ssh-keygen -H`), [host]:port, patterns,
// @revoked, changed keys with file and line, and the hashed app store.
#include "KnownHosts.h"
#include "SshConfig.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace skydeck::ssh;

class TestKnownHosts : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QByteArray m_pubA, m_pubB, m_pubRsa, m_pubEcdsa;  // "type base64" lines
    HostKey m_keyA, m_keyB, m_keyRsa, m_keyEcdsa;

    QByteArray makeKey(const QString &name, const QString &type)
    {
        const QString path = m_dir.filePath(name);
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), type, QStringLiteral("-N"),
                                               QString(), QStringLiteral("-f"), path});
        if (!p.waitForFinished(30000) || p.exitCode() != 0)
            return {};
        QFile f(path + QStringLiteral(".pub"));
        f.open(QIODevice::ReadOnly);
        const QList<QByteArray> fields = f.readAll().simplified().split(' ');
        return fields.value(0) + ' ' + fields.value(1);
    }
    QString writeFile(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly | QIODevice::Truncate);
        f.write(text);
        return path;
    }
    static QString keygenFingerprint(const QString &pubPath)
    {
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), pubPath});
        p.waitForFinished(10000);
        return QString::fromLatin1(p.readAllStandardOutput()).split(QLatin1Char(' ')).value(1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pubA = makeKey(QStringLiteral("a"), QStringLiteral("ed25519"));
        m_pubB = makeKey(QStringLiteral("b"), QStringLiteral("ed25519"));
        m_pubRsa = makeKey(QStringLiteral("r"), QStringLiteral("rsa"));
        m_pubEcdsa = makeKey(QStringLiteral("e"), QStringLiteral("ecdsa"));
        QVERIFY(!m_pubA.isEmpty() && !m_pubB.isEmpty() && !m_pubRsa.isEmpty() && !m_pubEcdsa.isEmpty());
        m_keyA = HostKey::fromOpenSshPublicKey(m_pubA);
        m_keyB = HostKey::fromOpenSshPublicKey(m_pubB);
        m_keyRsa = HostKey::fromOpenSshPublicKey(m_pubRsa);
        m_keyEcdsa = HostKey::fromOpenSshPublicKey(m_pubEcdsa);
    }

    void fingerprintMatchesSshKeygen()
    {
        QCOMPARE(m_keyA.type(), QStringLiteral("ssh-ed25519"));
        QCOMPARE(m_keyRsa.type(), QStringLiteral("ssh-rsa"));
        QCOMPARE(m_keyA.fingerprint(), keygenFingerprint(m_dir.filePath(QStringLiteral("a.pub"))));
        QCOMPARE(m_keyRsa.fingerprint(), keygenFingerprint(m_dir.filePath(QStringLiteral("r.pub"))));
    }

    void plainEntries()
    {
        const QString file = writeFile(QStringLiteral("plain"),
                                       "# comment\n\nbox.example,10.0.0.1 " + m_pubA + " c\n[box.example]:2222 " + m_pubB
                                           + "\n*.farm,!bad.farm " + m_pubA + "\n");
        const KnownHosts kh({file}, m_dir.filePath(QStringLiteral("store1")));
        QCOMPARE(kh.check(QStringLiteral("box.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("10.0.0.1"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("BOX.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("box.example"), 2222, m_keyB).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("n1.farm"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("bad.farm"), 22, m_keyA).status, HostKeyCheck::Status::Unknown);
        const HostKeyCheck unknown = kh.check(QStringLiteral("new.host"), 22, m_keyA);
        QCOMPARE(unknown.status, HostKeyCheck::Status::Unknown);
        QCOMPARE(unknown.fingerprint, m_keyA.fingerprint());
        QVERIFY(unknown.message().contains(m_keyA.fingerprint()));
        QCOMPARE(kh.knownKeyTypes(QStringLiteral("box.example"), 22), QStringList{QStringLiteral("ssh-ed25519")});
    }

    void changedNamesFileAndLine()
    {
        const QString file = writeFile(QStringLiteral("changed"), "# 1\nother " + m_pubA + "\nbox.example " + m_pubB + "\n");
        const KnownHosts kh({file}, m_dir.filePath(QStringLiteral("store2")));
        const HostKeyCheck c = kh.check(QStringLiteral("box.example"), 22, m_keyA);
        QCOMPARE(c.status, HostKeyCheck::Status::Changed);
        QCOMPARE(c.file, file);
        QCOMPARE(c.line, 3);
        QVERIFY(c.message().contains(file + QStringLiteral(" line 3")));
        QVERIFY(c.message().contains(m_keyA.fingerprint()));
        // A second line with the right key makes it a match (OpenSSH accepts any matching line).
        const QString both = writeFile(QStringLiteral("both"), "box.example " + m_pubB + "\nbox.example " + m_pubA + "\n");
        QCOMPARE(KnownHosts({both}, m_dir.filePath(QStringLiteral("store3"))).check(QStringLiteral("box.example"), 22, m_keyA).status,
                 HostKeyCheck::Status::Match);
    }

    // A host known with a key of one type that shows a key of another type has changed, as OpenSSH
    // 9.2 sees it ("REMOTE HOST IDENTIFICATION HAS CHANGED ... Offending ED25519 key in FILE:N"):
    // an attacker with only an ECDSA key must not pass as a new host (issue 11.5).
    void otherKeyTypeIsAChangedHost()
    {
        const QString file = writeFile(QStringLiteral("othertype"), "# 1\nbox.example " + m_pubA + "\n");
        const KnownHosts kh({file}, m_dir.filePath(QStringLiteral("store6")));
        for (const HostKey &shown : {m_keyEcdsa, m_keyRsa}) {
            const HostKeyCheck c = kh.check(QStringLiteral("box.example"), 22, shown);
            QCOMPARE(c.status, HostKeyCheck::Status::Changed);
            QCOMPARE(c.file, file);
            QCOMPARE(c.line, 2);
            QVERIFY2(c.message().contains(file + QStringLiteral(" line 2")), qPrintable(c.message()));
            QVERIFY(c.message().contains(shown.fingerprint()));
            QCOMPARE(c.knownKeyType, QStringLiteral("ssh-ed25519"));
            QVERIFY2(c.message().contains(QStringLiteral("known with an ssh-ed25519 key")), qPrintable(c.message()));
            // What to do once the new key is verified: remove the old line, as ssh prints it.
            QVERIFY2(c.message().contains(QStringLiteral("ssh-keygen -f \"%1\" -R \"box.example\"").arg(file)),
                     qPrintable(c.message()));
        }
        // Also when the other key is in Skydeck's own store (a key accepted earlier).
        const QString store = m_dir.filePath(QStringLiteral("store7"));
        const KnownHosts accepted({m_dir.filePath(QStringLiteral("none"))}, store);
        QVERIFY(accepted.accept(QStringLiteral("box.example"), 2222, m_keyA));
        const HostKeyCheck fromStore = accepted.check(QStringLiteral("box.example"), 2222, m_keyEcdsa);
        QCOMPARE(fromStore.status, HostKeyCheck::Status::Changed);
        QCOMPARE(fromStore.file, store);
        QCOMPARE(fromStore.line, 1);
        // Any line with the key shown is a match, whatever else is known (OpenSSH's HOST_OK).
        const QString both = writeFile(QStringLiteral("twotypes"), "box.example " + m_pubA + "\nbox.example " + m_pubEcdsa + "\n");
        const KnownHosts two({both}, m_dir.filePath(QStringLiteral("store8")));
        QCOMPARE(two.check(QStringLiteral("box.example"), 22, m_keyEcdsa).status, HostKeyCheck::Status::Match);
        QCOMPARE(two.check(QStringLiteral("box.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(two.check(QStringLiteral("box.example"), 22, m_keyRsa).status, HostKeyCheck::Status::Changed);
    }

    // @revoked is looked at before any match, in every file (OpenSSH checks revocation first).
    void revokedInALaterFileBeatsAMatch()
    {
        const QString first = writeFile(QStringLiteral("match-first"), "box.example " + m_pubA + "\n");
        const QString later = writeFile(QStringLiteral("revoked-later"), "# r\n@revoked box.example " + m_pubA + "\n");
        const HostKeyCheck c = KnownHosts({first, later}, m_dir.filePath(QStringLiteral("store9")))
                                   .check(QStringLiteral("box.example"), 22, m_keyA);
        QCOMPARE(c.status, HostKeyCheck::Status::Revoked);
        QCOMPARE(c.file, later);
        QCOMPARE(c.line, 2);
    }

    // GlobalKnownHostsFile's files are read after the user's and the store (OpenSSH's order);
    // forHost() takes the files the config names, and OpenSSH's defaults otherwise.
    void globalFilesAndForHost()
    {
        const QString global = writeFile(QStringLiteral("global"), "box.example " + m_pubA + "\n");
        const QString user = writeFile(QStringLiteral("user-other"), "# u\nbox.example " + m_pubB + "\n");
        const KnownHosts onlyGlobal({}, m_dir.filePath(QStringLiteral("store10")), {global});
        QCOMPARE(onlyGlobal.check(QStringLiteral("box.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(onlyGlobal.check(QStringLiteral("box.example"), 22, m_keyA).file, global);
        QCOMPARE(onlyGlobal.check(QStringLiteral("box.example"), 22, m_keyEcdsa).status, HostKeyCheck::Status::Changed);
        QCOMPARE(onlyGlobal.knownKeyTypes(QStringLiteral("box.example"), 22), QStringList{QStringLiteral("ssh-ed25519")});
        const HostKeyCheck changed = KnownHosts({user}, m_dir.filePath(QStringLiteral("store11")), {global})
                                         .check(QStringLiteral("box.example"), 22, m_keyEcdsa);
        QCOMPARE(changed.status, HostKeyCheck::Status::Changed);
        QCOMPARE(changed.file, user);  // the user's files come first
        QCOMPARE(changed.line, 2);

        SshHostConfig h;
        QCOMPARE(KnownHosts::forHost(h).userFiles(), KnownHosts::defaultUserFiles());
        QCOMPARE(KnownHosts::forHost(h).globalFiles(),
                 (QStringList{QStringLiteral("/etc/ssh/ssh_known_hosts"), QStringLiteral("/etc/ssh/ssh_known_hosts2")}));
        QCOMPARE(KnownHosts::defaultUserFiles(), (QStringList{QDir::homePath() + QStringLiteral("/.ssh/known_hosts"),
                                                              QDir::homePath() + QStringLiteral("/.ssh/known_hosts2")}));
        h.userKnownHostsFiles = QStringList{user};
        h.globalKnownHostsFiles = QStringList();
        const KnownHosts fromConfig = KnownHosts::forHost(h, m_dir.filePath(QStringLiteral("store12")));
        QCOMPARE(fromConfig.userFiles(), QStringList{user});
        QVERIFY(fromConfig.globalFiles().isEmpty());
        QCOMPARE(fromConfig.appStore(), m_dir.filePath(QStringLiteral("store12")));
        QCOMPARE(fromConfig.check(QStringLiteral("box.example"), 22, m_keyB).status, HostKeyCheck::Status::Match);
    }

    void revoked()
    {
        const QString file = writeFile(QStringLiteral("revoked"), "@revoked * " + m_pubA + "\nbox.example " + m_pubA + "\n");
        const HostKeyCheck c = KnownHosts({file}, m_dir.filePath(QStringLiteral("store4"))).check(QStringLiteral("box.example"), 22, m_keyA);
        QCOMPARE(c.status, HostKeyCheck::Status::Revoked);
        QCOMPARE(c.line, 1);
    }

    void hashedBySshKeygen()
    {
        const QString file = writeFile(QStringLiteral("hashed"),
                                       "box.example " + m_pubA + "\n[box.example]:2200 " + m_pubB + "\n");
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-H"), QStringLiteral("-f"), file});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.startsWith("|1|"));
        QVERIFY(!text.contains("box.example"));
        const KnownHosts kh({file}, m_dir.filePath(QStringLiteral("store5")));
        QCOMPARE(kh.check(QStringLiteral("box.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("box.example"), 2200, m_keyB).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("box.example"), 2200, m_keyA).status, HostKeyCheck::Status::Changed);
        QCOMPARE(kh.check(QStringLiteral("box.example"), 2200, m_keyA).line, 2);
        QCOMPARE(kh.check(QStringLiteral("other.example"), 22, m_keyA).status, HostKeyCheck::Status::Unknown);
    }

    // A store whose last line lost its newline (edited by hand): the accepted key gets a line of
    // its own instead of being glued to (and spoiling) the last one.
    void acceptAfterALastLineWithoutNewline()
    {
        const QString store = writeFile(QStringLiteral("store-no-newline"), "box.example " + m_pubB);
        const KnownHosts kh({}, store);
        QVERIFY(kh.accept(QStringLiteral("new.example"), 22, m_keyA));
        QCOMPARE(kh.check(QStringLiteral("new.example"), 22, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("new.example"), 22, m_keyA).line, 2);
        QCOMPARE(kh.check(QStringLiteral("box.example"), 22, m_keyB).status, HostKeyCheck::Status::Match);
    }

    void acceptWritesHashedEntryThatSshKeygenFinds()
    {
        const QString store = m_dir.filePath(QStringLiteral("appstore/known_hosts"));
        const KnownHosts kh({m_dir.filePath(QStringLiteral("none"))}, store);
        QVERIFY(kh.accept(QStringLiteral("new.example"), 2022, m_keyA));
        QFile f(store);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.startsWith("|1|"));
        QVERIFY(!text.contains("new.example"));
        QCOMPARE(kh.check(QStringLiteral("new.example"), 2022, m_keyA).status, HostKeyCheck::Status::Match);
        QCOMPARE(kh.check(QStringLiteral("new.example"), 2022, m_keyB).status, HostKeyCheck::Status::Changed);
        QCOMPARE(kh.check(QStringLiteral("new.example"), 22, m_keyA).status, HostKeyCheck::Status::Unknown);
        // OpenSSH itself finds the entry: ssh-keygen -F looks a host up in a known_hosts file.
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-F"), QStringLiteral("[new.example]:2022"), QStringLiteral("-f"), store});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains(m_pubA.split(' ').value(1)));
    }
};

SKYDECK_TEST_MAIN(TestKnownHosts)
#include "tst_knownhosts.moc"
