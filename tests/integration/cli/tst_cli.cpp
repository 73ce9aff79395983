// The `skydeck` command line, run as a process against s3rver: round trips, trees, paging,
// batches, server-side copies, exit codes and one-line errors.
#include "CliRunner.h"
#include "Peers.h"
#include "TestAgent.h"
#include "TestMain.h"
#include "TestSshd.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

using skydeck::test::CliRun;
using skydeck::test::CliRunner;

namespace {

const QString kSessionToken = QStringLiteral("FQoGZXIvYXdzEXAMPLEtokenNeverPrinted0123456789");

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(data), data.size());
}

QByteArray randomBytes(qsizetype n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray b(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        b[i] = static_cast<char>(rng.bounded(256));
    return b;
}

// relative path -> md5 of every file under dir
QMap<QString, QByteArray> treeDigest(const QString &dir)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        out.insert(QDir(dir).relativeFilePath(path), QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5));
    }
    return out;
}

QString uniqueBucket(const char *what)
{
    return QStringLiteral("cli-%1-%2").arg(QLatin1String(what)).arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

int closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const int port = s.serverPort();
    s.close();
    return port;
}

// An sshd of the test's own with OpenSSH's default PubkeyAcceptedAlgorithms, its own
// authorized_keys, an RSA-3072 key (and an encrypted one) and a HOME whose ~/.ssh/config names the
// host "rsabox".
struct RsaBox {
    static constexpr char kPassphrase[] = "rsa box passphrase";
    QTemporaryDir dir;
    QTemporaryDir home;
    skydeck::test::TestSshd sshd;
    int port = 0;
    QString key, encrypted;

    static bool keygen(const QString &path, const QString &passphrase)
    {
        QProcess p;
        p.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"),
                                               QStringLiteral("3072"), QStringLiteral("-N"), passphrase, QStringLiteral("-f"), path});
        return p.waitForFinished(120000) && p.exitCode() == 0;
    }
    QString config(const QString &identityFile) const
    {
        return QStringLiteral("Host rsabox\n  HostName 127.0.0.1\n  Port %1\n  User %2\n%3  StrictHostKeyChecking accept-new\n")
            .arg(port)
            .arg(skydeck::test::peerValue("SKYDECK_TEST_SSH_USER"),
                 identityFile.isEmpty() ? QString() : QStringLiteral("  IdentityFile %1\n  IdentitiesOnly yes\n").arg(identityFile));
    }
    bool authorize(const QString &keyFile) const
    {
        QFile pub(keyFile + QStringLiteral(".pub"));
        QFile ak(dir.filePath(QStringLiteral("authorized_keys")));
        if (!pub.open(QIODevice::ReadOnly) || !ak.open(QIODevice::Append))
            return false;
        ak.write(pub.readAll());
        return ak.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    bool start(bool strangerKey)
    {
        // sshd reads authorized_keys as the test user.
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                                              | QFile::ReadOther | QFile::ExeOther);
        key = dir.filePath(QStringLiteral("id_rsa"));
        encrypted = dir.filePath(QStringLiteral("id_rsa_enc"));
        if (!keygen(key, QString()) || !keygen(encrypted, QString::fromLatin1(kPassphrase)))
            return false;
        QFile ak(dir.filePath(QStringLiteral("authorized_keys")));
        if (!ak.open(QIODevice::WriteOnly) || !ak.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther))
            return false;
        ak.close();
        if (!strangerKey && !authorize(key))
            return false;
        port = skydeck::test::TestSshd::freePort();
        writeFile(home.filePath(QStringLiteral(".ssh/config")), config(key).toUtf8());
        return sshd.start(dir.path(), port, {{"AuthorizedKeysFile", QFile::encodeName(dir.filePath(QStringLiteral("authorized_keys")))}},
                          {"PubkeyAcceptedAlgorithms"});
    }
};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private:
    QString m_endpoint;
    QTemporaryDir m_home;
    QTemporaryDir m_work;
    QStringList m_outputs;  // everything the binary printed, checked for secrets at the end

    CliRunner runner() const
    {
        CliRunner r(m_home.path());
        r.set(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("S3RVER"));
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("S3RVER"));
        r.set(QStringLiteral("AWS_SESSION_TOKEN"), kSessionToken);
        r.set(QStringLiteral("AWS_ENDPOINT_URL"), m_endpoint);
        r.setWorkingDirectory(m_work.path());
        return r;
    }
    CliRun sk(const QStringList &args, const CliRunner &r)
    {
        CliRun run = r.run(args);
        m_outputs << run.out << run.err;
        return run;
    }
    CliRun sk(const QStringList &args) { return sk(args, runner()); }

    // A failure: the expected code and exactly one line on stderr, nothing on stdout.
    static void expectOneLineError(const CliRun &r, int code, const QString &mentions = {})
    {
        QVERIFY2(r.finished, qPrintable(r.describe()));
        QVERIFY2(r.code == code, qPrintable(QStringLiteral("expected exit %1, ").arg(code) + r.describe()));
        QVERIFY2(r.errLines().size() == 1, qPrintable(r.describe()));
        QVERIFY2(r.err.startsWith(QLatin1String("skydeck: ")), qPrintable(r.describe()));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
        if (!mentions.isEmpty())
            QVERIFY2(r.err.contains(mentions), qPrintable(r.describe()));
    }
    static void expectOk(const CliRun &r)
    {
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        // stderr is not a terminal here: no progress, nothing at all on success.
        QVERIFY2(r.err.isEmpty(), qPrintable(r.describe()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFileInfo(QStringLiteral(SKYDECK_BINARY)).isExecutable());
        QVERIFY(m_home.isValid() && m_work.isValid());
    }

    void versionAndHelp()
    {
        CliRunner r(m_home.path());
        CliRun v = r.run({QStringLiteral("--version")});
        QVERIFY2(v.code == 0, qPrintable(v.describe()));
        QVERIFY(v.out.startsWith(QStringLiteral("skydeck ") + QStringLiteral(SKYDECK_VERSION)));
        CliRun h = r.run({QStringLiteral("--help")});
        QVERIFY2(h.code == 0, qPrintable(h.describe()));
        for (const char *word : {"ls [-r]", "cp [-r] SRC DST", "rm [-r]", "mb s3://bucket", "rb", "--profile",
                                 "--endpoint-url", "Exit codes"})
            QVERIFY2(h.out.contains(QLatin1String(word)), word);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
        QTest::newRow("unknown option") << QStringList{"ls", "--frob"} << "frob";
        QTest::newRow("cp one operand") << QStringList{"cp", "a"} << "usage: skydeck cp";
        QTest::newRow("bad scheme") << QStringList{"ls", "http://example.org/x"} << "unsupported URL scheme";
        QTest::newRow("bad bucket") << QStringList{"ls", "s3://bad*bucket/x"} << "invalid bucket name";
        QTest::newRow("ls local") << QStringList{"ls", "/tmp"} << "needs an s3:// URL";
        QTest::newRow("two local paths") << QStringList{"cp", "a", "b"} << "cp(1)";
        QTest::newRow("mb invalid name") << QStringList{"mb", "s3://Not_Valid"} << "invalid bucket name";
        QTest::newRow("rm prefix without -r") << QStringList{"rm", "s3://some-bucket/dir/"} << "use rm -r";
        QTest::newRow("bad endpoint option") << QStringList{"ls", "--endpoint-url", "not a url"} << "--endpoint-url";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        expectOneLineError(sk(args), 2, mentions);
    }

    void bucketAndObjectRoundTrip()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        const QString bucket = uniqueBucket("rt");
        const QString b = QStringLiteral("s3://") + bucket;
        CliRun mb = sk({QStringLiteral("mb"), b});
        expectOk(mb);
        QCOMPARE(mb.out.trimmed(), QStringLiteral("make_bucket: ") + bucket);

        // ls without a bucket lists buckets: "date time name".
        CliRun buckets = sk({QStringLiteral("ls")});
        expectOk(buckets);
        static const QRegularExpression bucketLine(QStringLiteral(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.+)$)"));
        bool seen = false;
        for (const QString &line : buckets.outLines()) {
            const auto m = bucketLine.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(line));
            seen = seen || m.captured(1) == bucket;
        }
        QVERIFY2(seen, qPrintable(buckets.out));

        const QByteArray data = randomBytes(70000, 1);
        const QString name = QString::fromUtf8("my file ünï 100%.bin");
        writeFile(m_work.filePath(name), data);
        // A relative local path, a destination "folder" keeps the file name.
        CliRun up = sk({QStringLiteral("cp"), name, b + QStringLiteral("/in/")});
        expectOk(up);
        QVERIFY2(up.out.contains(QStringLiteral("upload: ")), qPrintable(up.out));

        CliRun ls = sk({QStringLiteral("ls"), b + QStringLiteral("/")});
        expectOk(ls);
        QCOMPARE(ls.outLines(), QStringList{QStringLiteral("                           PRE in/")});
        CliRun lsIn = sk({QStringLiteral("ls"), b + QStringLiteral("/in/")});
        expectOk(lsIn);
        QCOMPARE(lsIn.outLines().size(), 1);
        QVERIFY2(lsIn.out.contains(QStringLiteral("      70000 ") + name), qPrintable(lsIn.out));

        // Down again, to a new name and into a directory.
        CliRun down = sk({QStringLiteral("cp"), b + QStringLiteral("/in/") + name, m_work.filePath(QStringLiteral("back.bin"))});
        expectOk(down);
        QFile back(m_work.filePath(QStringLiteral("back.bin")));
        QVERIFY(back.open(QIODevice::ReadOnly));
        QCOMPARE(back.readAll(), data);
        QDir(m_work.path()).mkdir(QStringLiteral("into"));
        expectOk(sk({QStringLiteral("cp"), b + QStringLiteral("/in/") + name, QStringLiteral("into")}));
        QVERIFY(QFile::exists(m_work.filePath(QStringLiteral("into/") + name)));
        QVERIFY(!QFile::exists(m_work.filePath(QStringLiteral("into/") + name + QStringLiteral(".part"))));

        // Server-side copy, then delete both.
        CliRun copy = sk({QStringLiteral("cp"), b + QStringLiteral("/in/") + name, b + QStringLiteral("/copy.bin")});
        expectOk(copy);
        CliRun lsCopy = sk({QStringLiteral("ls"), b + QStringLiteral("/copy.bin")});
        expectOk(lsCopy);
        QVERIFY(lsCopy.out.contains(QStringLiteral("      70000 copy.bin")));

        CliRun rm = sk({QStringLiteral("rm"), b + QStringLiteral("/copy.bin")});
        expectOk(rm);
        QCOMPARE(rm.out.trimmed(), QStringLiteral("delete: ") + b + QStringLiteral("/copy.bin"));
        expectOneLineError(sk({QStringLiteral("rm"), b + QStringLiteral("/copy.bin")}), 3, QStringLiteral("no such object"));
        expectOneLineError(sk({QStringLiteral("ls"), b + QStringLiteral("/copy.bin")}), 3);

        // A bucket with an object in it is not removed without --force.
        CliRun rbFull = sk({QStringLiteral("rb"), b});
        expectOneLineError(rbFull, 1, QStringLiteral("--force"));
        CliRun rb = sk({QStringLiteral("rb"), QStringLiteral("--force"), b});
        expectOk(rb);
        QVERIFY(rb.out.contains(QStringLiteral("deleted 1 object")));
        QVERIFY(rb.out.contains(QStringLiteral("remove_bucket: ") + bucket));
        expectOneLineError(sk({QStringLiteral("ls"), b}), 3);
    }

    void recursiveTrees()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        const QString bucket = uniqueBucket("tree");
        const QString b = QStringLiteral("s3://") + bucket;
        expectOk(sk({QStringLiteral("mb"), b}));

        const QString src = m_work.filePath(QStringLiteral("tree-src"));
        writeFile(src + QStringLiteral("/empty.txt"), {});
        writeFile(src + QStringLiteral("/one.txt"), "1");
        writeFile(src + QStringLiteral("/a/b/c/deep.csv"), "x,y\n1,2\n");
        // s3rver reports a common prefix only when it holds an object directly, so a/ gets one.
        writeFile(src + QStringLiteral("/a/top.txt"), "top");
        writeFile(src + QString::fromUtf8("/dir with spaces/日本語 ファイル.txt"), "unicode");
        writeFile(src + QStringLiteral("/big/multipart.bin"), randomBytes(9 * 1024 * 1024 + 123, 2));
        const auto expected = treeDigest(src);
        QCOMPARE(expected.size(), 6);

        CliRun up = sk({QStringLiteral("cp"), QStringLiteral("-r"), src, b + QStringLiteral("/tree")});
        expectOk(up);
        QCOMPARE(up.outLines().size(), 6);

        CliRun ls = sk({QStringLiteral("ls"), QStringLiteral("-r"), b + QStringLiteral("/tree/")});
        expectOk(ls);
        QCOMPARE(ls.outLines().size(), 6);
        QVERIFY2(ls.out.contains(QStringLiteral("          0 tree/empty.txt")), qPrintable(ls.out));
        QVERIFY2(ls.out.contains(QStringLiteral("    9437307 tree/big/multipart.bin")), qPrintable(ls.out));
        QVERIFY2(ls.out.contains(QString::fromUtf8("tree/dir with spaces/日本語 ファイル.txt")), qPrintable(ls.out));

        CliRun top = sk({QStringLiteral("ls"), b + QStringLiteral("/tree/")});
        expectOk(top);
        const QStringList lines = top.outLines();
        QCOMPARE(lines.size(), 5);  // PRE a/, PRE big/, PRE dir with spaces/, then the two files
        QVERIFY(lines.at(0).endsWith(QLatin1String("PRE a/")));
        QVERIFY(lines.contains(QStringLiteral("                           PRE dir with spaces/")));
        QVERIFY(lines.last().endsWith(QLatin1String(" one.txt")));

        const QString dst = m_work.filePath(QStringLiteral("tree-dst"));
        expectOk(sk({QStringLiteral("cp"), QStringLiteral("-r"), b + QStringLiteral("/tree/"), dst}));
        QCOMPARE(treeDigest(dst), expected);

        // s3 -> s3 recursive, server side.
        CliRun cp = sk({QStringLiteral("cp"), QStringLiteral("-r"), b + QStringLiteral("/tree/"), b + QStringLiteral("/copy/")});
        expectOk(cp);
        QCOMPARE(cp.outLines().size(), 6);
        const QString dst2 = m_work.filePath(QStringLiteral("tree-dst2"));
        expectOk(sk({QStringLiteral("cp"), QStringLiteral("-r"), b + QStringLiteral("/copy"), dst2}));
        QCOMPARE(treeDigest(dst2), expected);

        // A directory without -r, a prefix without -r.
        expectOneLineError(sk({QStringLiteral("cp"), src, b + QStringLiteral("/x/")}), 2, QStringLiteral("use cp -r"));
        expectOneLineError(sk({QStringLiteral("cp"), b + QStringLiteral("/tree/"), dst}), 2, QStringLiteral("use cp -r"));

        CliRun rm = sk({QStringLiteral("rm"), QStringLiteral("-r"), b + QStringLiteral("/tree")});
        expectOk(rm);
        QCOMPARE(rm.out.trimmed(), QStringLiteral("deleted 6 objects from %1/tree/").arg(b));
        expectOneLineError(sk({QStringLiteral("ls"), b + QStringLiteral("/tree/")}), 3);
        expectOneLineError(sk({QStringLiteral("rm"), QStringLiteral("-r"), b + QStringLiteral("/tree")}), 3);
        expectOneLineError(sk({QStringLiteral("cp"), QStringLiteral("-r"), b + QStringLiteral("/tree/"), dst}), 3);
        expectOk(sk({QStringLiteral("rb"), QStringLiteral("--force"), b}));
    }

    void pagingAndBatchedDelete()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        const QString bucket = uniqueBucket("many");
        const QString b = QStringLiteral("s3://") + bucket;
        expectOk(sk({QStringLiteral("mb"), b}));
        const QString src = m_work.filePath(QStringLiteral("many"));
        const int n = 1100;  // more than one page of 1000 keys, more than one delete batch
        for (int i = 0; i < n; ++i)
            writeFile(src + QStringLiteral("/d%1/f%2.txt").arg(i % 7).arg(i, 4, 10, QLatin1Char('0')), QByteArray::number(i));
        expectOk(sk({QStringLiteral("cp"), QStringLiteral("-r"), QStringLiteral("-q"), src, b + QStringLiteral("/many/")}));

        CliRun ls = sk({QStringLiteral("ls"), QStringLiteral("-r"), b});
        expectOk(ls);
        QCOMPARE(ls.outLines().size(), n);
        CliRun folders = sk({QStringLiteral("ls"), b + QStringLiteral("/many/")});
        expectOk(folders);
        QCOMPARE(folders.outLines().size(), 7);

        CliRun rm = sk({QStringLiteral("rm"), QStringLiteral("-r"), b + QStringLiteral("/many/")});
        expectOk(rm);
        QCOMPARE(rm.out.trimmed(), QStringLiteral("deleted %1 objects from %2/many/").arg(n).arg(b));
        CliRun empty = sk({QStringLiteral("ls"), QStringLiteral("-r"), b});
        expectOk(empty);
        QVERIFY(empty.out.isEmpty());
        expectOk(sk({QStringLiteral("rb"), b}));
    }

    void hostileKeysStayInside()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        const QString bucket = uniqueBucket("hostile");
        const QString b = QStringLiteral("s3://") + bucket;
        expectOk(sk({QStringLiteral("mb"), b}));
        writeFile(m_work.filePath(QStringLiteral("evil.txt")), "evil");
        // S3 takes any key; a backslash would be a separator on Windows: refused on download.
        expectOk(sk({QStringLiteral("cp"), QStringLiteral("evil.txt"), b + QStringLiteral("/h/..\\..\\escape.txt")}));
        expectOk(sk({QStringLiteral("cp"), QStringLiteral("evil.txt"), b + QStringLiteral("/h/ok.txt")}));
        const QString root = m_work.filePath(QStringLiteral("hostile"));
        const QString out = root + QStringLiteral("/out");
        QVERIFY(QDir().mkpath(out));
        CliRun down = sk({QStringLiteral("cp"), QStringLiteral("-r"), b + QStringLiteral("/h/"), out});
        QCOMPARE(down.code, 1);
        QVERIFY2(down.errLines().size() == 1 && down.err.contains(QLatin1String("refused")), qPrintable(down.describe()));
        QVERIFY(down.out.contains(QLatin1String("ok.txt")));  // the rest still arrives
        QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        QStringList written;
        while (it.hasNext())
            written << QDir(root).relativeFilePath(it.next());
        QCOMPARE(written, QStringList{QStringLiteral("out/ok.txt")});
        expectOk(sk({QStringLiteral("rb"), QStringLiteral("--force"), b}));
    }

    void progressOnlyOnATerminal()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("script(1) from util-linux is needed to give the command a terminal"));
        const QString bucket = uniqueBucket("tty");
        const QString b = QStringLiteral("s3://") + bucket;
        expectOk(sk({QStringLiteral("mb"), b}));
        writeFile(m_work.filePath(QStringLiteral("tty.bin")), randomBytes(12 * 1024 * 1024, 3));
        // Under script(1) stderr is a terminal: an updating line ("\r...\e[K") appears, then is cleared.
        CliRunner r = runner();
        const QString cmd = QStringLiteral("'%1' cp tty.bin %2/tty.bin").arg(QStringLiteral(SKYDECK_BINARY), b);
        CliRun tty = r.runProgram(QStringLiteral("script"), {QStringLiteral("-qec"), cmd, QStringLiteral("/dev/null")});
        m_outputs << tty.out << tty.err;
        QVERIFY2(tty.code == 0, qPrintable(tty.describe()));
        QVERIFY2(tty.out.contains(QLatin1String("\x1b[K")) && tty.out.contains(QLatin1String("MiB")), qPrintable(tty.describe()));
        QVERIFY(tty.out.contains(QLatin1String("upload: ")));
        // Without a terminal (the other tests), stderr stays empty on success.
        expectOk(sk({QStringLiteral("rb"), QStringLiteral("--force"), b}));
    }

    void sandboxAccount()
    {
        // No credentials and no peer: --sandbox starts s3rver with the demo buckets, then stops it.
        QTemporaryDir home;
        CliRunner r(home.path());
        CliRun ls = sk({QStringLiteral("--sandbox"), QStringLiteral("ls")}, r);
        expectOk(ls);
        for (const char *b : {"demo-datasets", "demo-models", "demo-notebooks"})
            QVERIFY2(ls.out.contains(QLatin1String(b)), qPrintable(ls.describe()));
        CliRun tree = sk({QStringLiteral("ls"), QStringLiteral("--sandbox"), QStringLiteral("s3://demo-datasets/sales/")}, r);
        expectOk(tree);
        const QStringList lines = tree.outLines();
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0), QStringLiteral("                           PRE 2024/"));
        QVERIFY2(lines.at(1).endsWith(QLatin1String(" regions.csv")), qPrintable(tree.describe()));
        // Its data persists: what one command writes, the next one sees.
        writeFile(home.filePath(QStringLiteral("mine.txt")), "mine");
        expectOk(sk({QStringLiteral("--sandbox"), QStringLiteral("cp"), home.filePath(QStringLiteral("mine.txt")),
                     QStringLiteral("s3://demo-notebooks/")}, r));
        CliRun again = sk({QStringLiteral("--sandbox"), QStringLiteral("ls"), QStringLiteral("s3://demo-notebooks/")}, r);
        expectOk(again);
        QVERIFY2(again.out.contains(QLatin1String("mine.txt")), qPrintable(again.describe()));
        expectOneLineError(sk({QStringLiteral("--sandbox"), QStringLiteral("--profile"), QStringLiteral("x"), QStringLiteral("ls")}, r), 2);
    }

    void notFoundErrors()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        const QString missing = QStringLiteral("s3://") + uniqueBucket("missing");
        expectOneLineError(sk({QStringLiteral("ls"), missing}), 3, missing);
        expectOneLineError(sk({QStringLiteral("ls"), QStringLiteral("-r"), missing + QStringLiteral("/x/")}), 3);
        expectOneLineError(sk({QStringLiteral("cp"), missing + QStringLiteral("/k"), m_work.filePath(QStringLiteral("k"))}), 3);
        expectOneLineError(sk({QStringLiteral("cp"), m_work.filePath(QStringLiteral("no-such-file")), missing + QStringLiteral("/k")}),
                           3, QStringLiteral("no such file"));
        expectOneLineError(sk({QStringLiteral("rb"), missing}), 3);
        QVERIFY(!QFile::exists(m_work.filePath(QStringLiteral("k"))));
        QVERIFY(!QFile::exists(m_work.filePath(QStringLiteral("k.part"))));
    }

    void unreachableEndpointFailsFast()
    {
        CliRunner r = runner();
        r.set(QStringLiteral("AWS_ENDPOINT_URL"), QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
        CliRun run = sk({QStringLiteral("ls")}, r);
        expectOneLineError(run, 5);
        QVERIFY2(run.ms < 20000, qPrintable(run.describe()));
    }

    void endpointOptionAndProfiles()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        // --endpoint-url beats AWS_ENDPOINT_URL.
        CliRunner r = runner();
        r.set(QStringLiteral("AWS_ENDPOINT_URL"), QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
        expectOk(sk({QStringLiteral("ls"), QStringLiteral("--endpoint-url"), m_endpoint}, r));
        // AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL.
        r.set(QStringLiteral("AWS_ENDPOINT_URL_S3"), m_endpoint);
        expectOk(sk({QStringLiteral("ls")}, r));

        // A profile from ~/.aws, with its endpoint in ~/.aws/config, and no keys in the environment.
        QTemporaryDir home;
        writeFile(home.filePath(QStringLiteral(".aws/credentials")),
                  "[work]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
        writeFile(home.filePath(QStringLiteral(".aws/config")),
                  QStringLiteral("[profile work]\nregion = eu-west-1\nendpoint_url = %1\n").arg(m_endpoint).toUtf8());
        CliRunner p(home.path());
        expectOk(sk({QStringLiteral("--profile"), QStringLiteral("work"), QStringLiteral("ls")}, p));
        p.set(QStringLiteral("AWS_PROFILE"), QStringLiteral("work"));
        expectOk(sk({QStringLiteral("ls")}, p));
        expectOneLineError(sk({QStringLiteral("ls"), QStringLiteral("--profile"), QStringLiteral("nope")}, p), 3,
                           QStringLiteral("nope"));
    }

    // credential_process and unusable profiles through the binary (issue 12.3): the keys a command
    // prints sign the requests; a failing command or a broken role is one line, exit 4, with why.
    void credentialProcessProfiles()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        QTemporaryDir home;
        const QString good = home.filePath(QStringLiteral("creds.sh"));
        const QString bad = home.filePath(QStringLiteral("fail.sh"));
        writeFile(good, "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"S3RVER\", \"SecretAccessKey\": "
                        "\"S3RVER\", \"Expiration\": \"%s\"}' \"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"\n");
        writeFile(bad, "#!/bin/sh\necho 'please run corp-login first' >&2\nexit 1\n");
        for (const QString &f : {good, bad})
            QVERIFY(QFile::setPermissions(f, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        writeFile(home.filePath(QStringLiteral(".aws/config")),
                  QStringLiteral("[profile proc]\ncredential_process = %1\nendpoint_url = %2\n"
                                 "[profile failing]\ncredential_process = %3\nendpoint_url = %2\n"
                                 "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = gone\n")
                      .arg(good, m_endpoint, bad)
                      .toUtf8());
        CliRunner p(home.path());
        expectOk(sk({QStringLiteral("--profile"), QStringLiteral("proc"), QStringLiteral("ls")}, p));
        expectOneLineError(sk({QStringLiteral("--profile"), QStringLiteral("failing"), QStringLiteral("ls")}, p), 4,
                           QStringLiteral("please run corp-login first"));
        expectOneLineError(sk({QStringLiteral("--profile"), QStringLiteral("role"), QStringLiteral("ls")}, p), 4,
                           QStringLiteral("\"gone\""));
    }

    void noCredentials()
    {
        QTemporaryDir home;
        CliRunner r(home.path());
        expectOneLineError(sk({QStringLiteral("ls")}, r), 4, QStringLiteral("no AWS credentials"));
    }

    // sftp:// against an sshd with only an ECDSA host key while ~/.ssh/known_hosts knows the host's
    // ed25519 key (issue 11.5): a changed host, exit 4, naming the file and line and the
    // ssh-keygen -R to run once the new key is verified, never a hint to accept it, and
    // --accept-new-host-key does not accept it. A revoked key offers nothing to accept either.
    // After the hinted removal the key is new: the hint, then --accept-new-host-key works.
    void sftpHostKeyOfAnotherTypeIsRefused()
    {
        QString peerPort;
        SKYDECK_REQUIRE_PEER(peerPort, "SKYDECK_TEST_SSH_PORT");
        QTemporaryDir dir;
        QTemporaryDir home;
        const int port = skydeck::test::TestSshd::freePort();
        const QString ecdsa = skydeck::test::TestSshd::makeHostKey(dir.path(), QStringLiteral("ecdsa"));
        QVERIFY(port > 0 && !ecdsa.isEmpty());
        skydeck::test::TestSshd sshd;
        QVERIFY2(sshd.start(dir.path(), port, {{"HostKey", QFile::encodeName(ecdsa)}}), sshd.log().constData());
        writeFile(home.filePath(QStringLiteral(".ssh/config")),
                  QStringLiteral("Host ec\n  HostName 127.0.0.1\n  Port %1\n  User %2\n  IdentityFile %3\n  IdentitiesOnly yes\n")
                      .arg(port)
                      .arg(skydeck::test::peerValue("SKYDECK_TEST_SSH_USER"), skydeck::test::peerValue("SKYDECK_TEST_SSH_KEY"))
                      .toUtf8());
        const QString knownHosts = home.filePath(QStringLiteral(".ssh/known_hosts"));
        const QString name = QStringLiteral("[127.0.0.1]:%1").arg(port);
        const auto publicKey = [](const QString &pubPath) {
            QFile f(pubPath);
            return f.open(QIODevice::ReadOnly) ? f.readAll().simplified().split(' ').mid(0, 2).join(' ') : QByteArray();
        };
        const QByteArray ed25519Line = name.toUtf8() + ' ' + publicKey(skydeck::test::peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB"));
        writeFile(knownHosts, "# the host's key\n" + ed25519Line + '\n');
        CliRunner r(home.path());
        r.unset(QStringLiteral("SSH_AUTH_SOCK"));
        const QStringList ls{QStringLiteral("ls"), QStringLiteral("sftp://ec/")};
        const QString removal = QStringLiteral("ssh-keygen -f \"%1\" -R \"%2\"").arg(knownHosts, name);
        for (const QStringList &args : {ls, ls + QStringList{QStringLiteral("--accept-new-host-key")}}) {
            const CliRun run = sk(args, r);
            expectOneLineError(run, 4, knownHosts + QStringLiteral(" line 2"));
            QVERIFY2(run.err.contains(QLatin1String("HAS CHANGED")) && run.err.contains(QLatin1String("ecdsa-sha2-nistp256")),
                     qPrintable(run.describe()));
            QVERIFY2(run.err.contains(removal), qPrintable(run.describe()));
            QVERIFY2(!run.err.contains(QLatin1String("--accept-new-host-key")), qPrintable(run.describe()));
        }
        const auto storeWritten = [&] {  // Skydeck's known_hosts, under XDG_DATA_HOME
            return QDirIterator(home.filePath(QStringLiteral(".local/share")), {QStringLiteral("known_hosts")}, QDir::Files,
                                QDirIterator::Subdirectories)
                .hasNext();
        };
        QVERIFY(!storeWritten());

        writeFile(knownHosts, "@revoked " + name.toUtf8() + ' ' + publicKey(ecdsa + QStringLiteral(".pub")) + '\n');
        CliRun revoked = sk(ls + QStringList{QStringLiteral("--accept-new-host-key")}, r);
        expectOneLineError(revoked, 4, QStringLiteral("@revoked in %1 line 1").arg(knownHosts));
        QVERIFY2(!revoked.err.contains(QLatin1String("accept-new-host-key")) && !revoked.err.contains(QLatin1String("ssh-keygen")),
                 qPrintable(revoked.describe()));

        // What the message said to do, once the owner confirmed the new key.
        writeFile(knownHosts, "# the host's key\n" + ed25519Line + '\n');
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-f"), knownHosts, QStringLiteral("-R"), name});
        QVERIFY(keygen.waitForFinished(10000) && keygen.exitCode() == 0);
        CliRun fresh = sk(ls, r);
        expectOneLineError(fresh, 4, QStringLiteral("--accept-new-host-key"));
        QVERIFY2(fresh.err.contains(QLatin1String("ecdsa-sha2-nistp256")), qPrintable(fresh.describe()));
        QVERIFY(!storeWritten());
        expectOk(sk(ls + QStringList{QStringLiteral("--accept-new-host-key")}, r));
        QVERIFY(storeWritten());
        expectOk(sk(ls, r));  // remembered
    }

    // keyboard-interactive through PAM ("Password: ") on an sshd offering nothing else (issue 11.8):
    // with no terminal the command fails saying what the server asked for, and sends it nothing;
    // on a terminal (script(1)) the password is asked there, not echoed, and the listing follows.
    void sftpKeyboardInteractiveAskedOnTheTerminal()
    {
        QString peerPort;
        SKYDECK_REQUIRE_PEER(peerPort, "SKYDECK_TEST_SSH_PORT");
        for (const char *tool : {"script", "setsid"}) {
            if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
                SKYDECK_SKIP_OR_FAIL(QStringLiteral("%1(1) from util-linux is needed").arg(QLatin1String(tool)));
        }
        QTemporaryDir dir;
        QTemporaryDir home;
        const int port = skydeck::test::TestSshd::freePort();
        skydeck::test::TestSshd sshd;
        QVERIFY2(sshd.start(dir.path(), port, {{"UsePAM", "yes"}, {"KbdInteractiveAuthentication", "yes"},
                                               {"PasswordAuthentication", "no"}}),
                 sshd.log().constData());
        writeFile(home.filePath(QStringLiteral(".ssh/config")),
                  QStringLiteral("Host kbd\n  HostName 127.0.0.1\n  Port %1\n  User %2\n  IdentityFile ~/.ssh/none\n"
                                 "  IdentitiesOnly yes\n  StrictHostKeyChecking accept-new\n")
                      .arg(port)
                      .arg(skydeck::test::peerValue("SKYDECK_TEST_SSH_USER"))
                      .toUtf8());
        CliRunner r(home.path());
        r.unset(QStringLiteral("SSH_AUTH_SOCK"));
        // setsid: no controlling terminal even when the test runs in one.
        const CliRun none = r.runProgram(QStringLiteral("setsid"), {QStringLiteral("-w"), QStringLiteral(SKYDECK_BINARY),
                                                                    QStringLiteral("ls"), QStringLiteral("sftp://kbd/")});
        m_outputs << none.out << none.err;
        expectOneLineError(none, 4, QStringLiteral("\"Password:\""));
        QVERIFY2(none.err.contains(QLatin1String("run skydeck on a terminal")), qPrintable(none.describe()));

        const QString password = skydeck::test::peerValue("SKYDECK_TEST_SSH_PASSWORD");
        QProcess tty;
        tty.setProcessEnvironment(r.environment());
        tty.start(QStringLiteral("script"), {QStringLiteral("-qec"), QStringLiteral("'%1' ls sftp://kbd/").arg(QStringLiteral(SKYDECK_BINARY)),
                                             QStringLiteral("/dev/null")});
        QByteArray out;
        const bool asked = QTest::qWaitFor([&] {
            out += tty.readAllStandardOutput();
            return out.contains("Password:");
        }, 20000);
        QVERIFY2(asked, out.constData());
        tty.write(password.toUtf8() + '\n');
        QVERIFY(tty.waitForFinished(30000));
        out += tty.readAllStandardOutput();
        m_outputs << QString::fromUtf8(out);
        QVERIFY2(tty.exitCode() == 0, out.constData());
        QVERIFY2(out.contains("etc/"), out.constData());  // the listing of /
        QVERIFY2(!out.contains(password.toUtf8()), out.constData());  // not echoed
        QVERIFY2(sshd.log().contains("Accepted keyboard-interactive"), sshd.log().constData());
        QVERIFY2(!sshd.log().contains("Failed keyboard-interactive"), sshd.log().constData());  // no answer was wrong
    }

    // Issue 12: `skydeck ls sftp://rsabox/tmp/` with an RSA-3072 key, against an sshd with
    // OpenSSH 9.2's default PubkeyAcceptedAlgorithms (no ssh-rsa), from a key file and through
    // ssh-agent. It failed with "Authentication cancelled (AuthCancelled)".
    void sftpRsaKeyLogsIn()
    {
        QString peerPort;
        SKYDECK_REQUIRE_PEER(peerPort, "SKYDECK_TEST_SSH_PORT");
        RsaBox box;
        QVERIFY(box.start(false));
        CliRunner r(box.home.path());
        r.unset(QStringLiteral("SSH_AUTH_SOCK"));
        const CliRun file = sk({QStringLiteral("ls"), QStringLiteral("sftp://rsabox/tmp/")}, r);
        expectOk(file);
        // Through the agent: the key file moved away (no IdentityFile, no ~/.ssh/id_*).
        skydeck::test::TestAgent agent;
        QVERIFY(agent.start(box.dir.path()));
        QVERIFY(agent.add(box.key));
        writeFile(box.home.filePath(QStringLiteral(".ssh/config")), box.config(QString()).toUtf8());
        r.set(QStringLiteral("SSH_AUTH_SOCK"), agent.socket());
        expectOk(sk({QStringLiteral("ls"), QStringLiteral("sftp://rsabox/tmp/")}, r));
        QVERIFY2(!box.sshd.log().contains("ssh-rsa not in PubkeyAcceptedAlgorithms"), box.sshd.log().constData());
    }

    // Issue 12.2: a refused login says, on its one line, what the server offered, which keys were
    // tried and why each failed, and what could not be asked without a terminal; never
    // "cancelled". An encrypted key's passphrase is asked on the terminal as ssh asks it.
    void sftpAuthFailureExplains()
    {
        QString peerPort;
        SKYDECK_REQUIRE_PEER(peerPort, "SKYDECK_TEST_SSH_PORT");
        if (QStandardPaths::findExecutable(QStringLiteral("setsid")).isEmpty() || QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("setsid(1) and script(1) from util-linux are needed"));
        RsaBox box;
        QVERIFY(box.start(true));  // the key is not in authorized_keys
        CliRunner r(box.home.path());
        r.unset(QStringLiteral("SSH_AUTH_SOCK"));
        const auto noTerminal = [&] {
            const CliRun run = r.runProgram(QStringLiteral("setsid"), {QStringLiteral("-w"), QStringLiteral(SKYDECK_BINARY),
                                                                       QStringLiteral("ls"), QStringLiteral("sftp://rsabox/tmp/")});
            m_outputs << run.out << run.err;
            return run;
        };
        const CliRun refused = noTerminal();
        expectOneLineError(refused, 4, QStringLiteral("Permission denied (the server offers publickey,password)"));
        QVERIFY2(refused.err.contains(QStringLiteral("%1 (RSA 3072 SHA256:").arg(box.key)), qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains(QLatin1String("not accepted by the server (offered as rsa-sha2-512, rsa-sha2-256 or ssh-rsa)")),
                 qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains(QLatin1String("password: not given")), qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains(QLatin1String("run skydeck on a terminal")), qPrintable(refused.describe()));
        QVERIFY2(!refused.err.contains(QLatin1String("ancel")), qPrintable(refused.describe()));

        // An encrypted key the server takes: without a terminal its passphrase cannot be asked...
        QVERIFY(box.authorize(box.encrypted));
        writeFile(box.home.filePath(QStringLiteral(".ssh/config")), box.config(box.encrypted).toUtf8());
        const CliRun locked = noTerminal();
        expectOneLineError(locked, 4, QStringLiteral("passphrase not given (the server takes this key)"));
        // ...on one (script(1)) it is, hidden, and the listing follows.
        QProcess tty;
        tty.setProcessEnvironment(r.environment());
        tty.start(QStringLiteral("script"), {QStringLiteral("-qec"), QStringLiteral("'%1' ls sftp://rsabox/tmp/").arg(QStringLiteral(SKYDECK_BINARY)),
                                             QStringLiteral("/dev/null")});
        QByteArray out;
        QVERIFY2(QTest::qWaitFor([&] {
            out += tty.readAllStandardOutput();
            return out.contains(QByteArray("Enter passphrase for key '" + QFile::encodeName(box.encrypted) + "':"));
        }, 30000), out.constData());
        tty.write(QByteArray(RsaBox::kPassphrase) + '\n');
        QVERIFY(tty.waitForFinished(30000));
        out += tty.readAllStandardOutput();
        m_outputs << QString::fromUtf8(out);
        QVERIFY2(tty.exitCode() == 0, out.constData());
        QVERIFY2(!out.contains(RsaBox::kPassphrase), out.constData());
    }

    void secretsNeverPrinted()
    {
        QVERIFY(!m_outputs.isEmpty());
        for (const QString &o : std::as_const(m_outputs)) {
            QVERIFY2(!o.contains(kSessionToken), qPrintable(o));
            QVERIFY2(!o.contains(QLatin1String("S3RVER")), qPrintable(o));
        }
    }
};

SKYDECK_TEST_MAIN(TestCli)
#include "tst_cli.moc"
