// ~/.ssh/config parsing as OpenSSH does it.
#include "SshConfig.h"
#include "TestMain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace skydeck::ssh;

class TestSshConfig : public QObject
{
    Q_OBJECT

    static void write(const QString &path, const QByteArray &text)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }

private Q_SLOTS:
    void patterns_data()
    {
        QTest::addColumn<QString>("patterns");
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("match");
        QTest::newRow("exact") << "gpu" << "gpu" << true;
        QTest::newRow("case") << "GPU" << "gpu" << true;
        QTest::newRow("star") << "*.example.com" << "a.example.com" << true;
        QTest::newRow("star no") << "*.example.com" << "example.com" << false;
        QTest::newRow("question") << "gpu?" << "gpu1" << true;
        QTest::newRow("question short") << "gpu?" << "gpu" << false;
        QTest::newRow("list") << "a b c" << "b" << true;
        QTest::newRow("negation vetoes") << "*.corp !bad.corp" << "bad.corp" << false;
        QTest::newRow("negation others") << "*.corp !bad.corp" << "good.corp" << true;
        QTest::newRow("only negation") << "!bad" << "good" << false;
        QTest::newRow("star middle") << "g*-box" << "gpu-box" << true;
    }
    void patterns()
    {
        QFETCH(QString, patterns);
        QFETCH(QString, host);
        QFETCH(bool, match);
        QCOMPARE(SshConfig::matchPatternList(patterns.split(QLatin1Char(' ')), host), match);
    }

    void firstMatchWins()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral(R"(
# comment
Host gpu-box
    HostName 10.0.0.5
    User alice
    Port 2222
    IdentityFile ~/.ssh/gpu_key
Host *.lab !secret.lab
    User labuser
    ServerAliveInterval 30
Host *
    User fallback
    Port 22
    HostName=%h.example.org
    IdentityFile ~/.ssh/id_%r_%h
    ServerAliveInterval 60
    ServerAliveCountMax 5
)"), QStringLiteral("/home/u"));
        SshHostConfig g = c.resolve(QStringLiteral("gpu-box"));
        QCOMPARE(g.hostName, QStringLiteral("10.0.0.5"));
        QCOMPARE(g.user, QStringLiteral("alice"));
        QCOMPARE(g.port, 2222);
        // IdentityFile accumulates; tokens expand after User and HostName are known.
        QCOMPARE(g.identityFiles, (QStringList{QStringLiteral("/home/u/.ssh/gpu_key"),
                                               QStringLiteral("/home/u/.ssh/id_alice_10.0.0.5")}));
        QVERIFY(g.identityFilesFromConfig);
        QCOMPARE(g.serverAliveInterval, 60);
        QCOMPARE(g.serverAliveCountMax, 5);

        SshHostConfig l = c.resolve(QStringLiteral("n1.lab"));
        QCOMPARE(l.user, QStringLiteral("labuser"));
        QCOMPARE(l.serverAliveInterval, 30);
        QCOMPARE(l.hostName, QStringLiteral("n1.lab.example.org"));  // %h in HostName
        QCOMPARE(l.port, 22);

        SshHostConfig sec = c.resolve(QStringLiteral("secret.lab"));
        QCOMPARE(sec.user, QStringLiteral("fallback"));

        QCOMPARE(c.hosts(), QStringList{QStringLiteral("gpu-box")});
    }

    void defaults()
    {
        const SshConfig c = SshConfig::fromText(QString(), QStringLiteral("/home/u"));
        const SshHostConfig h = c.resolve(QStringLiteral("plain.host"));
        QCOMPARE(h.hostName, QStringLiteral("plain.host"));
        QCOMPARE(h.port, 22);
        QVERIFY(!h.user.isEmpty());  // the local user
        QVERIFY(!h.identityFilesFromConfig);
        QCOMPARE(h.identityFiles, (QStringList{QStringLiteral("/home/u/.ssh/id_ed25519"), QStringLiteral("/home/u/.ssh/id_ecdsa"),
                                               QStringLiteral("/home/u/.ssh/id_rsa")}));
        QCOMPARE(h.serverAliveInterval, 0);
        QVERIFY(h.proxyJump.isEmpty());
    }

    void proxyJump()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral(
            "Host inner\n ProxyJump bob@bastion:2200,ssh://carol@[::1]:22\nHost direct\n ProxyJump none\nHost *\n ProxyJump gw\n"));
        const SshHostConfig h = c.resolve(QStringLiteral("inner"));
        QCOMPARE(h.proxyJump.size(), 2);
        QCOMPARE(h.proxyJump[0].user, QStringLiteral("bob"));
        QCOMPARE(h.proxyJump[0].host, QStringLiteral("bastion"));
        QCOMPARE(h.proxyJump[0].port, 2200);
        QCOMPARE(h.proxyJump[1].user, QStringLiteral("carol"));
        QCOMPARE(h.proxyJump[1].host, QStringLiteral("::1"));
        QCOMPARE(h.proxyJump[1].port, 22);
        QVERIFY(c.resolve(QStringLiteral("direct")).proxyJump.isEmpty());  // "none" counts as the first value
        QCOMPARE(c.resolve(QStringLiteral("other")).proxyJump.first().host, QStringLiteral("gw"));
        // A hop resolves through the same config, with its own overrides.
        const SshConfig c2 = SshConfig::fromText(QStringLiteral("Host bastion\n HostName 192.0.2.1\n User ops\n Port 2022\n"));
        const SshHostConfig hop = c2.resolve(JumpHop::parse(QStringLiteral("root@bastion")));
        QCOMPARE(hop.hostName, QStringLiteral("192.0.2.1"));
        QCOMPARE(hop.user, QStringLiteral("root"));
        QCOMPARE(hop.port, 2022);
    }

    void includeGlobsRelativeToDotSsh()
    {
        QTemporaryDir home;
        const QString h = home.path();
        write(h + QStringLiteral("/.ssh/config"),
              "Include conf.d/*.conf\nHost top\n  Include ~/.ssh/inner\nHost *\n  User star\n");
        write(h + QStringLiteral("/.ssh/conf.d/10-a.conf"), "Host alpha\n  HostName alpha.example\n  Port 2001\n");
        write(h + QStringLiteral("/.ssh/conf.d/20-b.conf"), "Host beta beta-*\n  User bee\nHost alpha\n  Port 9999\n");
        write(h + QStringLiteral("/.ssh/conf.d/ignored.txt"), "Host nope\n");
        write(h + QStringLiteral("/.ssh/inner"), "  User from-inner\n");
        const SshConfig c = SshConfig::load(h);
        QCOMPARE(c.hosts(), (QStringList{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("top")}));
        QCOMPARE(c.resolve(QStringLiteral("alpha")).port, 2001);  // 10-a before 20-b
        QCOMPARE(c.resolve(QStringLiteral("alpha")).user, QStringLiteral("star"));
        QCOMPARE(c.resolve(QStringLiteral("beta-7")).user, QStringLiteral("bee"));
        // An Include inside a Host block applies only to that host.
        QCOMPARE(c.resolve(QStringLiteral("top")).user, QStringLiteral("from-inner"));
        QCOMPARE(c.resolve(QStringLiteral("other")).user, QStringLiteral("star"));
    }

    // Files that each include them all: the depth limit alone let 16 levels read 4^16 files (the
    // loading never ended). Found by the ssh_config fuzz target; input in tests/fuzz/crashes/ssh_config.
    void includeEveryFileEverywhereEnds()
    {
        QTemporaryDir home;
        const QString h = home.path();
        for (const char *name : {"config", "a", "b", "c"})
            write(h + QStringLiteral("/.ssh/") + QLatin1String(name), "Include *\nHost h\n  User u\n");
        QElapsedTimer t;
        t.start();
        const SshConfig c = SshConfig::load(h);
        QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(c.resolve(QStringLiteral("h")).user, QStringLiteral("u"));
        QVERIFY(c.notes().join(QLatin1Char('\n')).contains(QStringLiteral("more than 256 files included")));
    }

    void matchIsIgnoredWithANote()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral(
            "Match host gpu exec \"true\"\n  User matched\nHost gpu\n  User hostblock\n"));
        QCOMPARE(c.resolve(QStringLiteral("gpu")).user, QStringLiteral("hostblock"));
        QCOMPARE(c.notes().size(), 1);
        QVERIFY(c.notes().first().contains(QLatin1String("Match")));
    }

    // StrictHostKeyChecking, UserKnownHostsFile and GlobalKnownHostsFile resolve to what OpenSSH
    // itself makes of the same file: `ssh -G -F file alias` prints its resolved settings.
    void knownHostsSettingsAsSshSeesThem_data()
    {
        QTest::addColumn<QString>("lines");
        QTest::newRow("defaults") << QString();
        for (const char *v : {"yes", "ask", "accept-new", "no", "off", "true", "false", "Accept-New"})
            QTest::newRow(v) << QStringLiteral("StrictHostKeyChecking %1").arg(QLatin1String(v));
        QTest::newRow("user files and tokens")
            << QStringLiteral("UserKnownHostsFile ~/kh %d/kh2 /x/%h_%p_%r_%u_%n_%k_%L_%l_%i_%%\n  StrictHostKeyChecking accept-new");
        QTest::newRow("connection hash") << QStringLiteral("UserKnownHostsFile /x/%C");
        QTest::newRow("environment") << QStringLiteral("UserKnownHostsFile ${HOME}/env_kh");
        QTest::newRow("user none") << QStringLiteral("UserKnownHostsFile none");
        QTest::newRow("global files") << QStringLiteral("GlobalKnownHostsFile /g1 ~/g2 /g/%h");
        QTest::newRow("first value wins") << QStringLiteral("UserKnownHostsFile /first\n  UserKnownHostsFile /second\n"
                                                            "  StrictHostKeyChecking yes\n  StrictHostKeyChecking no");
    }
    void knownHostsSettingsAsSshSeesThem()
    {
        QFETCH(QString, lines);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("config"));
        write(file, QStringLiteral("Host box\n  HostName real.example\n  Port 2200\n  User bob\n  %1\nHost *\n  "
                                   "StrictHostKeyChecking yes\n  UserKnownHostsFile /star\n  GlobalKnownHostsFile /gstar\n")
                        .arg(lines.isEmpty() ? QStringLiteral("# nothing") : lines)
                        .toUtf8());
        QProcess ssh;
        ssh.start(QStringLiteral("ssh"), {QStringLiteral("-G"), QStringLiteral("-F"), file, QStringLiteral("box")});
        QVERIFY(ssh.waitForFinished(10000));
        QCOMPARE(ssh.exitCode(), 0);
        QMap<QString, QString> g;
        for (const QString &l : QString::fromUtf8(ssh.readAllStandardOutput()).split(QLatin1Char('\n')))
            g.insert(l.section(QLatin1Char(' '), 0, 0), l.section(QLatin1Char(' '), 1));
        // ~ is the account's home for ssh (getpwuid), as it is for us when asked to use it.
        const SshHostConfig h = SshConfig::loadFile(file, QDir::homePath()).resolve(QStringLiteral("box"));
        const auto shown = [](const QStringList &files) {  // as ssh -G prints a list
            return files.isEmpty() ? QStringLiteral("none") : files.join(QLatin1Char(' '));
        };
        QCOMPARE(shown(h.userKnownHostsFiles.value_or(QStringList{QStringLiteral("/star")})),
                 g.value(QStringLiteral("userknownhostsfile")));
        QCOMPARE(shown(h.globalKnownHostsFiles.value_or(QStringList{QStringLiteral("/gstar")})),
                 g.value(QStringLiteral("globalknownhostsfile")));
        const QMap<QString, SshHostConfig::HostKeyPolicy> policies{
            {QStringLiteral("true"), SshHostConfig::HostKeyPolicy::Yes},
            {QStringLiteral("ask"), SshHostConfig::HostKeyPolicy::Ask},
            {QStringLiteral("accept-new"), SshHostConfig::HostKeyPolicy::AcceptNew},
            {QStringLiteral("false"), SshHostConfig::HostKeyPolicy::No}};
        QVERIFY(policies.contains(g.value(QStringLiteral("stricthostkeychecking"))));
        QCOMPARE(h.strictHostKeyChecking, policies.value(g.value(QStringLiteral("stricthostkeychecking"))));
    }

    void knownHostsDefaultsAndNone()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral(
            "Host none\n  UserKnownHostsFile none\n  GlobalKnownHostsFile none\nHost bad\n  UserKnownHostsFile "
            "${SKYDECK_SURELY_UNSET_VARIABLE}/kh\n  StrictHostKeyChecking maybe\n"));
        const SshHostConfig plain = c.resolve(QStringLiteral("plain"));
        QVERIFY(!plain.userKnownHostsFiles && !plain.globalKnownHostsFiles);
        QCOMPARE(plain.strictHostKeyChecking, SshHostConfig::HostKeyPolicy::Ask);
        const SshHostConfig none = c.resolve(QStringLiteral("none"));
        QCOMPARE(none.userKnownHostsFiles, std::optional<QStringList>(QStringList()));
        QCOMPARE(none.globalKnownHostsFiles, std::optional<QStringList>(QStringList()));
        // An unset ${VAR}: the setting is ignored (ssh_config(5)); an unknown value: the default.
        const SshHostConfig bad = c.resolve(QStringLiteral("bad"));
        QVERIFY(!bad.userKnownHostsFiles);
        QCOMPARE(bad.strictHostKeyChecking, SshHostConfig::HostKeyPolicy::Ask);
    }

    void quotingAndEquals()
    {
        QCOMPARE(splitConfigWords(QStringLiteral("IdentityFile \"/path/with space/key\"")),
                 (QStringList{QStringLiteral("IdentityFile"), QStringLiteral("/path/with space/key")}));
        QCOMPARE(splitConfigWords(QStringLiteral("Port=2222")), (QStringList{QStringLiteral("Port"), QStringLiteral("2222")}));
        QCOMPARE(splitConfigWords(QStringLiteral("Port = 2222")), (QStringList{QStringLiteral("Port"), QStringLiteral("2222")}));
        const SshConfig c = SshConfig::fromText(QStringLiteral("Host q\n  IdentityFile \"/k/a b\"\n  port=2\n"));
        QCOMPARE(c.resolve(QStringLiteral("q")).identityFiles.first(), QStringLiteral("/k/a b"));
        QCOMPARE(c.resolve(QStringLiteral("q")).port, 2);
    }
};

SKYDECK_TEST_MAIN(TestSshConfig)
#include "tst_sshconfig.moc"
