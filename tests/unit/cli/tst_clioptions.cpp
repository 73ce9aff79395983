// The command line's parsing, dispatch rule, exit codes and account choice (no network).
#include "TestMain.h"

#include "cli/Cli.h"
#include "cli/CliAccount.h"
#include "cli/CliOptions.h"
#include "cli/ExitCode.h"
#include "cli/Output.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::cli;

namespace {

bool isCli(const QStringList &args)
{
    QList<QByteArray> storage;
    storage << QByteArrayLiteral("skydeck");
    for (const QString &a : args)
        storage << a.toUtf8();
    QList<char *> argv;
    for (QByteArray &b : storage)
        argv << b.data();
    argv << nullptr;
    return isCliInvocation(static_cast<int>(storage.size()), argv.data());
}

Result<Invocation> parse(const QStringList &args)
{
    return parseArguments(QStringList{QStringLiteral("skydeck")} + args);
}

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

} // namespace

class TestCliOptions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void dispatch_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("cli");
        QTest::newRow("no arguments: window") << QStringList{} << false;
        QTest::newRow("--sandbox: window") << QStringList{"--sandbox"} << false;
        QTest::newRow("qt option: window") << QStringList{"-platform", "offscreen"} << false;
        QTest::newRow("ls") << QStringList{"ls"} << true;
        QTest::newRow("--sandbox ls") << QStringList{"--sandbox", "ls"} << true;
        QTest::newRow("--sandbox --dark") << QStringList{"--sandbox", "--dark"} << false;
        QTest::newRow("typo is the cli") << QStringList{"lss"} << true;
        QTest::newRow("--version") << QStringList{"--version"} << true;
        QTest::newRow("-h") << QStringList{"-h"} << true;
        QTest::newRow("options first") << QStringList{"--profile", "work", "-r", "ls", "s3://b"} << true;
        QTest::newRow("option=value") << QStringList{"--endpoint-url=http://x", "ls"} << true;
    }
    void dispatch()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, cli);
        QCOMPARE(isCli(args), cli);
    }

    void parsesCommands()
    {
        auto r = parse({"cp", "-r", "--profile", "work", "dir", "s3://b/p/", "--endpoint-url", "http://127.0.0.1:9000"});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->command, QStringLiteral("cp"));
        QCOMPARE(r->args, (QStringList{"dir", "s3://b/p/"}));
        QVERIFY(r->recursive);
        QCOMPARE(r->profile, QStringLiteral("work"));
        QCOMPARE(r->endpointUrl, QStringLiteral("http://127.0.0.1:9000"));

        auto ls = parse({"ls"});
        QVERIFY(ls.ok());
        QVERIFY(ls->args.isEmpty());
        auto rb = parse({"rb", "--force", "s3://b"});
        QVERIFY(rb.ok() && rb->force);
        auto h = parse({"--help"});
        QVERIFY(h.ok() && h->help);
        auto v = parse({"-V"});
        QVERIFY(v.ok() && v->version);
    }

    void parsesPrices()
    {
        QVERIFY(isCli({"prices"}));
        QVERIFY(isCli({"--provider", "gcp", "prices"}));
        auto r = parse({"prices", "--provider", "gcp", "--region", "us-central1-a", "g2-standard-4", "a2-highgpu-1g", "--json"});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->command, QStringLiteral("prices"));
        QCOMPARE(r->args, (QStringList{"g2-standard-4", "a2-highgpu-1g"}));
        QCOMPARE(r->provider, QStringLiteral("gcp"));
        QCOMPARE(r->region, QStringLiteral("us-central1-a"));
        QVERIFY(r->json);
        QVERIFY(parse({"prices"}).ok());
    }

    void parsesVmLaunch()
    {
        QVERIFY(isCli({"--provider", "azure", "--type", "Standard_NC4as_T4_v3", "vm", "launch"}));
        QVERIFY(isCli({"--spot", "--name", "x", "vm", "launch"}));
        auto r = parse({"vm", "launch", "--provider", "gcp", "--type", "n1-standard-8", "--zone", "us-central1-a", "--image",
                        "projects/p/global/images/family/f", "--disk-gb", "200", "--spot", "--gpu", "T4:1", "--key",
                        "/k.pub", "--name", "t4-box", "--no-wait", "--json"});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->args, QStringList{"launch"});
        QCOMPARE(r->machineType, QStringLiteral("n1-standard-8"));
        QCOMPARE(r->zone, QStringLiteral("us-central1-a"));
        QCOMPARE(r->diskGb, 200);
        QVERIFY(r->spot && r->noWait && r->json);
        QCOMPARE(r->gpu, QStringLiteral("T4:1"));
        QCOMPARE(r->key, QStringLiteral("/k.pub"));
        QCOMPARE(r->name, QStringLiteral("t4-box"));
        QVERIFY(!r->sshFromGiven);
        r = parse({"vm", "launch", "--provider", "azure", "--type", "Standard_NC4as_T4_v3", "--region", "eastus", "--ssh-from", "81.2.69.160"});
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QVERIFY(r->sshFromGiven);
        QCOMPARE(r->sshFrom, QStringLiteral("81.2.69.160"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("nothing") << QStringList{"-r"} << "no command";
        QTest::newRow("unknown") << QStringList{"sync", "a", "b"} << "unknown command 'sync'";
        QTest::newRow("unknown option") << QStringList{"ls", "--nope"} << "nope";
        QTest::newRow("cp arity") << QStringList{"cp", "a"} << "cp [-r] SRC DST";
        QTest::newRow("rm arity") << QStringList{"rm"} << "rm [-r]";
        QTest::newRow("ls arity") << QStringList{"ls", "a", "b"} << "ls [-r]";
        QTest::newRow("force on cp") << QStringList{"cp", "--force", "a", "s3://b/"} << "--force";
        QTest::newRow("-r on mb") << QStringList{"mb", "-r", "s3://b"} << "-r does not apply";
        QTest::newRow("endpoint not http") << QStringList{"ls", "--endpoint-url", "ftp://x"} << "--endpoint-url";
        QTest::newRow("profile missing value") << QStringList{"ls", "--profile"} << "profile";
        QTest::newRow("launch no provider") << QStringList{"vm", "launch", "--type", "t3.micro", "--region", "us-east-1"} << "needs --provider";
        QTest::newRow("launch no type") << QStringList{"vm", "launch", "--provider", "aws", "--region", "us-east-1"} << "needs --type";
        QTest::newRow("launch gcp region") << QStringList{"vm", "launch", "--provider", "gcp", "--type", "n1-standard-4", "--region", "us-central1"} << "needs --zone";
        QTest::newRow("launch azure no region") << QStringList{"vm", "launch", "--provider", "azure", "--type", "Standard_D4s_v5"} << "needs --region";
        QTest::newRow("launch disk") << QStringList{"vm", "launch", "--provider", "aws", "--type", "t3.micro", "--region", "us-east-1", "--disk-gb", "many"} << "--disk-gb";
        QTest::newRow("launch ssh-from gcp") << QStringList{"vm", "launch", "--provider", "gcp", "--type", "n1-standard-4", "--zone", "us-central1-a", "--ssh-from", "1.2.3.4"} << "--ssh-from applies to Azure";
        QTest::newRow("launch option on stop") << QStringList{"vm", "stop", "x", "--spot"} << "only apply to vm launch";
        QTest::newRow("launch option on ls") << QStringList{"ls", "--type", "x"} << "only apply to vm launch";
        QTest::newRow("prices provider") << QStringList{"prices", "--provider", "oracle"} << "--provider must be one of";
        QTest::newRow("prices --yes") << QStringList{"prices", "--yes"} << "prices takes --provider, --region, --json";
        QTest::newRow("prices --profile") << QStringList{"prices", "--profile", "x"} << "prices takes";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        auto r = parse(args);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::InvalidInput);
        QVERIFY2(r.error().message().contains(mentions), qPrintable(r.error().message()));
        QVERIFY(!r.error().message().contains(QLatin1Char('\n')));
    }

    void exitCodes()
    {
        using C = Error::Category;
        QCOMPARE(exitCodeFor(Error()), 0);
        QCOMPARE(exitCodeFor(Error(C::InvalidInput, {})), 2);
        QCOMPARE(exitCodeFor(Error(C::NotFound, {})), 3);
        QCOMPARE(exitCodeFor(Error(C::Auth, {})), 4);
        QCOMPARE(exitCodeFor(Error(C::Permission, {})), 4);
        QCOMPARE(exitCodeFor(Error(C::Network, {})), 5);
        QCOMPARE(exitCodeFor(Error(C::Conflict, {})), 1);
        QCOMPARE(exitCodeFor(Error(C::Server, {})), 1);
        QCOMPARE(exitCodeFor(Error(C::Local, {})), 1);
        QCOMPARE(exitCodeFor(Error::cancelled()), 130);
    }

    void accountChoice()
    {
        QTemporaryDir home;
        writeFile(home.filePath(QStringLiteral(".aws/credentials")),
                  "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
                  "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = w\n");
        writeFile(home.filePath(QStringLiteral(".aws/config")),
                  "[profile work]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:9000\n");
        QProcessEnvironment env;
        Invocation inv;

        // No environment keys: the default profile.
        auto a = resolveAccount(inv, env, home.path());
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QCOMPARE(a->setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIDDEFAULT"));

        // Environment keys beat profiles.
        env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIDENV"));
        env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("e"));
        a = resolveAccount(inv, env, home.path());
        QCOMPARE(a->setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIDENV"));

        // --profile beats the environment; with its region and endpoint.
        inv.profile = QStringLiteral("work");
        a = resolveAccount(inv, env, home.path());
        QVERIFY(a.ok());
        QCOMPARE(a->setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIDWORK"));
        QCOMPARE(a->setting(QStringLiteral("region")), QStringLiteral("eu-west-1"));
        QCOMPARE(a->setting(QStringLiteral("endpoint")), QStringLiteral("http://127.0.0.1:9000"));

        // --endpoint-url and --region on top.
        inv.endpointUrl = QStringLiteral("https://minio.example.org");
        inv.region = QStringLiteral("ap-south-1");
        a = resolveAccount(inv, env, home.path());
        QCOMPARE(a->setting(QStringLiteral("endpoint")), QStringLiteral("https://minio.example.org"));
        QCOMPARE(a->setting(QStringLiteral("region")), QStringLiteral("ap-south-1"));

        inv = Invocation();
        inv.profile = QStringLiteral("missing");
        a = resolveAccount(inv, env, home.path());
        QVERIFY(!a.ok());
        QCOMPARE(exitCodeFor(a.error()), 3);

        // Nothing anywhere: an auth error that says where to put keys.
        QTemporaryDir empty;
        a = resolveAccount(Invocation(), QProcessEnvironment(), empty.path());
        QVERIFY(!a.ok());
        QCOMPARE(exitCodeFor(a.error()), 4);
        QVERIFY(a.error().message().contains(QLatin1String("AWS_ACCESS_KEY_ID")));
    }

    void formatting()
    {
        QCOMPARE(Output::humanSize(0), QStringLiteral("0 B"));
        QCOMPARE(Output::humanSize(1023), QStringLiteral("1023 B"));
        QCOMPARE(Output::humanSize(1536), QStringLiteral("1.5 KiB"));
        QCOMPARE(Output::humanSize(50LL * 1024 * 1024), QStringLiteral("50 MiB"));
        const QDateTime t = QDateTime(QDate(2024, 5, 1), QTime(13, 45, 10), Qt::UTC);
        QCOMPARE(Output::timestamp(t), t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QVERIFY(usageText().contains(QLatin1String("Exit codes")));
    }
};

SKYDECK_TEST_MAIN(TestCliOptions)
#include "tst_clioptions.moc"
