// `skydeck vm` (the built binary) against moto's EC2 (scripts/peers.sh ec2): listing as a table and
// as JSON across every region, actions by name and by id waiting for their states, --no-wait, the
// terminate confirmation, unknown and ambiguous names, vm launch (spot, disk, key pair, waiting
// until running, the id and addresses printed, --json, --no-wait, options EC2 does not take and
// --gpu checked against the type's catalog row), IncorrectInstanceState through the fault
// proxy, and an unreachable endpoint, each with its exit code and one-line error. Instances are made
// with Ec2Client (tested in tests/integration/ec2) in a region no other test uses.
#include "CliRunner.h"
#include "Ec2Client.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;
using namespace skydeck::aws;
using skydeck::test::CliRun;
using skydeck::test::CliRunner;

namespace {
const QString kRegion = QStringLiteral("ca-central-1");
const QString kImage = QStringLiteral("ami-12c6146b");  // one of moto's stock images
} // namespace

class TestCliVm : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QString m_endpoint;
    std::unique_ptr<ProviderWorker> m_worker;
    Ec2Client *m_ec2 = nullptr;
    QString m_suffix;  // names unique to this run: moto outlives it

    CliRunner runner(const QString &endpoint = {}) const
    {
        CliRunner r(m_home.path());
        r.set(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("testing"));
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("testing"));
        r.set(QStringLiteral("AWS_REGION"), kRegion);
        r.set(QStringLiteral("AWS_ENDPOINT_URL_EC2"), endpoint.isEmpty() ? m_endpoint : endpoint);
        // Only the AWS account: no Google Cloud or Azure credentials from the machine.
        for (const char *v : {"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "CLOUDSDK_CORE_PROJECT", "AZURE_TENANT_ID",
                              "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_SUBSCRIPTION_ID"})
            r.unset(QLatin1String(v));
        return r;
    }

    Instance launch(const QString &name, const QString &type = QStringLiteral("t3.micro"))
    {
        LaunchRequest req;
        req.name = name;
        req.machineType = type;
        req.image = kImage;
        req.region = kRegion;
        Ec2Client *c = m_ec2;
        const Result<Instance> r = waitFor(m_worker->run<Instance>([c, req](const CancelToken &t, Callback<Instance> d) { c->launch(req, t, d); }));
        if (!r.ok())
            qWarning() << r.error().toString();
        return r.ok() ? r.value() : Instance();
    }

    InstanceState stateOf(const Instance &in)
    {
        Ec2Client *c = m_ec2;
        const Result<Instance> r = waitFor(m_worker->run<Instance>([c, in](const CancelToken &t, Callback<Instance> d) { c->getInstance(in, t, d); }));
        return r.ok() ? r->state : InstanceState::Unknown;
    }

    static void expectOneLineError(const CliRun &r, int code, const QString &mentions)
    {
        QVERIFY2(r.finished, qPrintable(r.describe()));
        QVERIFY2(r.code == code, qPrintable(QStringLiteral("expected exit %1, ").arg(code) + r.describe()));
        QVERIFY2(r.errLines().size() == 1, qPrintable(r.describe()));
        QVERIFY2(r.err.startsWith(QLatin1String("skydeck: ")), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(mentions), qPrintable(r.describe()));
    }

    static void expectOk(const CliRun &r)
    {
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        QVERIFY2(r.err.isEmpty(), qPrintable(r.describe()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_EC2_ENDPOINT");
        m_worker = std::make_unique<ProviderWorker>(QStringLiteral("cli-vm-test"));
        Ec2Config cfg;
        cfg.endpoint = QUrl(m_endpoint);
        cfg.region = kRegion;
        cfg.regionPinned = true;
        cfg.credentials.accessKeyId = QStringLiteral("testing");
        cfg.credentials.secretAccessKey = QStringLiteral("testing");
        QObject *ctx = m_worker->context();
        m_ec2 = m_worker->create<Ec2Client>([cfg, ctx] { return new Ec2Client(cfg, ctx); });
        m_suffix = QString::number(QRandomGenerator::global()->generate() % 100000);
    }

    void cleanupTestCase() { m_worker.reset(); }

    void helpNamesVm()
    {
        const CliRun r = CliRunner(m_home.path()).run({QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QLatin1String("vm list [--provider P] [--json]")));
        QVERIFY(r.out.contains(QLatin1String("vm terminate ID --yes")));
        QVERIFY(r.out.contains(QLatin1String("vm launch --provider P --type T --region R|--zone Z")));
        QVERIFY(r.out.contains(QLatin1String("--ssh-from CIDR")));
        QVERIFY(r.out.contains(QLatin1String("or its name")));
    }

    void listTableAndJson()
    {
        const Instance a = launch(QStringLiteral("cli-a-") + m_suffix);
        const Instance gpu = launch(QStringLiteral("cli-gpu-") + m_suffix, QStringLiteral("g5.xlarge"));
        QVERIFY(!a.id.isEmpty() && !gpu.id.isEmpty());

        // Every region moto offers, in parallel: the table has both, each on one row.
        const CliRun table = runner().run({QStringLiteral("vm"), QStringLiteral("list")});
        expectOk(table);
        const QStringList lines = table.outLines();
        QVERIFY2(lines.value(0).startsWith(QLatin1String("ACCOUNT")), qPrintable(table.describe()));
        int rows = 0;
        for (const QString &l : lines) {
            if (l.contains(gpu.id)) {
                ++rows;
                QVERIFY2(l.contains(QLatin1String("1 x A10G")) && l.contains(QLatin1String("running"))
                             && l.contains(QLatin1String("ca-central-1")),
                         qPrintable(l));
            }
            if (l.contains(a.id))
                ++rows;
        }
        QCOMPARE(rows, 2);

        // --region: that region only; --json: every field.
        const CliRun json = runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--json"),
                                          QStringLiteral("--region"), kRegion, QStringLiteral("--provider"), QStringLiteral("aws")});
        expectOk(json);
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(json.out.toUtf8(), &perr);
        QVERIFY2(doc.isArray(), qPrintable(perr.errorString() + json.describe()));
        bool sawGpu = false;
        for (const QJsonValue &v : doc.array()) {
            const QJsonObject o = v.toObject();
            QCOMPARE(o.value(QLatin1String("region")).toString(), kRegion);
            QCOMPARE(o.value(QLatin1String("provider")).toString(), QStringLiteral("aws"));
            QCOMPARE(o.value(QLatin1String("account")).toString(), QStringLiteral("aws:env"));
            if (o.value(QLatin1String("id")).toString() == gpu.id) {
                sawGpu = true;
                QCOMPARE(o.value(QLatin1String("name")).toString(), gpu.name);
                QCOMPARE(o.value(QLatin1String("state")).toString(), QStringLiteral("running"));
                QCOMPARE(o.value(QLatin1String("machineType")).toString(), QStringLiteral("g5.xlarge"));
                QCOMPARE(o.value(QLatin1String("gpu")).toObject().value(QLatin1String("count")).toInt(), 1);
                QCOMPARE(o.value(QLatin1String("gpu")).toObject().value(QLatin1String("model")).toString(), QStringLiteral("A10G"));
                QVERIFY(!o.value(QLatin1String("privateIp")).toString().isEmpty());
                QVERIFY(o.value(QLatin1String("launched")).toString().endsWith(QLatin1Char('Z')));
                QCOMPARE(o.value(QLatin1String("spot")).toBool(), false);
            }
        }
        QVERIFY(sawGpu);

        // Another provider's accounts only: none here, said in one line (exit 4 like no credentials).
        expectOneLineError(runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--provider"), QStringLiteral("gcp")}),
                           4, QStringLiteral("no cloud account with VMs found for gcp"));
    }

    void actionsWaitForTheirStates()
    {
        const Instance in = launch(QStringLiteral("cli-act-") + m_suffix);
        QVERIFY(!in.id.isEmpty());
        const QString label = QStringLiteral("%1 (%2)").arg(in.name, in.id);

        CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("stop"), in.name});  // by name
        expectOk(r);
        QCOMPARE(r.out.trimmed(), label + QStringLiteral(": stopped"));
        QCOMPARE(stateOf(in), InstanceState::Stopped);

        r = runner().run({QStringLiteral("vm"), QStringLiteral("start"), in.id});  // by id
        expectOk(r);
        QCOMPARE(r.out.trimmed(), label + QStringLiteral(": running"));
        QCOMPARE(stateOf(in), InstanceState::Running);

        r = runner().run({QStringLiteral("vm"), QStringLiteral("reboot"), in.id, in.name});  // the same one twice: once
        expectOk(r);
        QCOMPARE(r.out.trimmed(), label + QStringLiteral(": running"));

        r = runner().run({QStringLiteral("vm"), QStringLiteral("stop"), QStringLiteral("--no-wait"), in.id});
        expectOk(r);
        QCOMPARE(r.out.trimmed(), label + QStringLiteral(": stop requested"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(in), InstanceState::Stopped, 10000);

        // Terminate: refused without --yes (nothing happens), done with it.
        r = runner().run({QStringLiteral("vm"), QStringLiteral("terminate"), in.id});
        expectOneLineError(r, 2, QStringLiteral("--yes"));
        QCOMPARE(stateOf(in), InstanceState::Stopped);
        r = runner().run({QStringLiteral("vm"), QStringLiteral("terminate"), in.id, QStringLiteral("--yes")});
        expectOk(r);
        QCOMPARE(r.out.trimmed(), label + QStringLiteral(": terminated"));
        QCOMPARE(stateOf(in), InstanceState::Terminated);
    }

    void severalAtOnce()
    {
        QList<Instance> many;
        QStringList args = {QStringLiteral("vm"), QStringLiteral("stop")};
        for (int i = 0; i < 4; ++i) {
            many.append(launch(QStringLiteral("cli-many-%1-").arg(i) + m_suffix));
            QVERIFY(!many.last().id.isEmpty());
            args.append(many.last().name);
        }
        const CliRun r = runner().run(args);
        expectOk(r);
        QCOMPARE(r.outLines().size(), 4);
        for (const Instance &in : many) {
            QVERIFY2(r.out.contains(in.id + QStringLiteral("): stopped")), qPrintable(r.describe()));
            QCOMPARE(stateOf(in), InstanceState::Stopped);
        }
    }

    void launchWaitsAndPrintsTheInstance()
    {
        const QString name = QStringLiteral("cli-launch-") + m_suffix;
        CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("aws"),
                                 QStringLiteral("--type"), QStringLiteral("g4dn.xlarge"), QStringLiteral("--zone"), kRegion + QLatin1Char('b'),
                                 QStringLiteral("--image"), kImage, QStringLiteral("--spot"), QStringLiteral("--disk-gb"),
                                 QStringLiteral("60"), QStringLiteral("--name"), name, QStringLiteral("--gpu"), QStringLiteral("T4:1")});
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        // "NAME (i-...): running, public A, private B", one line.
        QCOMPARE(r.outLines().size(), 1);
        const QString line = r.outLines().first();
        QVERIFY2(line.startsWith(name + QStringLiteral(" (i-")) && line.contains(QLatin1String("): running, public "))
                     && line.contains(QLatin1String(", private ")),
                 qPrintable(r.describe()));
        // Said first on stderr: what it launches and that the catalog has no price there.
        QVERIFY2(r.err.contains(QLatin1String("no spot price in the catalog for g4dn.xlarge in ca-central-1")), qPrintable(r.describe()));
        const QString id = line.section(QLatin1String(" ("), 1).section(QLatin1Char(')'), 0, 0);
        Instance in;
        in.id = id;
        in.resource = id;
        in.region = kRegion;
        Ec2Client *c = m_ec2;
        const Result<Instance> now = waitFor(m_worker->run<Instance>([c, in](const CancelToken &t, Callback<Instance> d) { c->getInstance(in, t, d); }));
        QVERIFY2(now.ok(), qPrintable(now.error().toString()));
        QCOMPARE(now->state, InstanceState::Running);
        QCOMPARE(now->zone, kRegion + QLatin1Char('b'));
        QVERIFY(now->spot);
        QCOMPARE(now->machineType, QStringLiteral("g4dn.xlarge"));
        QCOMPARE(now->name, name);

        // --json, and --no-wait answers with the state RunInstances gave.
        r = runner().run({QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("aws"),
                          QStringLiteral("--type"), QStringLiteral("t3.medium"), QStringLiteral("--region"), kRegion,
                          QStringLiteral("--image"), kImage, QStringLiteral("--name"), name + QStringLiteral("-json"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).array().first().toObject();
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(o.value(QStringLiteral("name")).toString(), name + QStringLiteral("-json"));
        QVERIFY(o.value(QStringLiteral("id")).toString().startsWith(QLatin1String("i-")));
        QVERIFY2(r.err.contains(QLatin1String("no price in the catalog for t3.medium in ca-central-1")), qPrintable(r.describe()));
        r = runner().run({QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("aws"),
                          QStringLiteral("--type"), QStringLiteral("t3.medium"), QStringLiteral("--region"), kRegion,
                          QStringLiteral("--image"), kImage, QStringLiteral("--name"), name + QStringLiteral("-nowait"), QStringLiteral("--no-wait")});
        QVERIFY2(r.code == 0 && r.out.contains(QLatin1String(": pending")), qPrintable(r.describe()));
        // The new instances are there for vm list.
        const CliRun list = runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--region"), kRegion});
        QVERIFY(list.out.contains(name + QStringLiteral("-json")) && list.out.contains(name + QStringLiteral("-nowait")));
    }

    void launchRefusals_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no provider") << QStringList{"--provider", ""} << 2 << "needs --provider";
        QTest::newRow("no type") << QStringList{"--type", ""} << 2 << "needs --type";
        QTest::newRow("ssh-from on aws") << QStringList{"--ssh-from", "81.2.69.160"} << 2 << "--ssh-from applies to Azure";
        QTest::newRow("a .pub on aws") << QStringList{"--key", "/home/me/.ssh/id.pub"} << 2 << "key pair name";
        QTest::newRow("gpu unknown type") << QStringList{"--gpu", "T4:1"} << 2 << "not in the price catalog";
        QTest::newRow("gpu mismatch") << QStringList{"--type", "g5.xlarge", "--gpu", "V100:1"} << 2 << "g5.xlarge has 1 x A10G";
        QTest::newRow("zone elsewhere") << QStringList{"--zone", "us-east-1a"} << 2 << "is not in --region";
        QTest::newRow("disk") << QStringList{"--disk-gb", "5"} << 2 << "--disk-gb";
        QTest::newRow("operand") << QStringList{"extra-operand"} << 2 << "the name goes with --name";
        QTest::newRow("launch option on list") << QStringList{} << 2 << "only apply to vm launch";
    }
    void launchRefusals()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        QStringList args = {QStringLiteral("vm"), QStringLiteral("launch"), QStringLiteral("--provider"), QStringLiteral("aws"),
                            QStringLiteral("--type"), QStringLiteral("t3.micro"), QStringLiteral("--region"), kRegion,
                            QStringLiteral("--image"), kImage, QStringLiteral("--name"), QStringLiteral("refused-") + m_suffix};
        if (QTest::currentDataTag() == QLatin1String("launch option on list"))
            args = {QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--spot")};
        for (qsizetype i = 0; i + 1 < extra.size(); i += 2) {  // an option given again replaces it
            const qsizetype at = args.indexOf(extra.at(i));
            if (at >= 0 && extra.at(i + 1).isEmpty()) {
                args.remove(at, 2);
            } else if (at >= 0) {
                args[at + 1] = extra.at(i + 1);
            } else {
                args << extra.at(i) << extra.at(i + 1);
            }
        }
        if (extra.size() % 2)
            args << extra.last();
        const CliRun r = runner().run(args);
        expectOneLineError(r, code, mentions);
        const CliRun list = runner().run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--region"), kRegion});
        QVERIFY2(!list.out.contains(QStringLiteral("refused-") + m_suffix), "nothing was launched");
    }

    void unknownAndAmbiguousNames()
    {
        const Instance keep = launch(QStringLiteral("cli-keep-") + m_suffix);
        QVERIFY(!keep.id.isEmpty());
        // A typo among good ids: nothing is done at all.
        CliRun r = runner().run({QStringLiteral("vm"), QStringLiteral("stop"), keep.id, QStringLiteral("no-such-vm-") + m_suffix});
        expectOneLineError(r, 3, QStringLiteral("no-such-vm-") + m_suffix);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(stateOf(keep), InstanceState::Running);

        const QString twin = QStringLiteral("cli-twin-") + m_suffix;
        const Instance t1 = launch(twin);
        const Instance t2 = launch(twin);
        QVERIFY(!t1.id.isEmpty() && !t2.id.isEmpty());
        r = runner().run({QStringLiteral("vm"), QStringLiteral("stop"), twin});
        expectOneLineError(r, 2, QStringLiteral("names 2 instances"));
        QVERIFY(r.err.contains(t1.id) && r.err.contains(t2.id));
        QCOMPARE(stateOf(t1), InstanceState::Running);
        QCOMPARE(stateOf(t2), InstanceState::Running);
    }

    void refusedStateChangeThroughTheProxy()
    {
        const Instance in = launch(QStringLiteral("cli-gone-") + m_suffix);
        QVERIFY(!in.id.isEmpty());
        expectOk(runner().run({QStringLiteral("vm"), QStringLiteral("terminate"), in.id, QStringLiteral("--yes")}));

        QProcess proxy;
        proxy.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proxy.start(QStringLiteral("/usr/bin/python3"),
                    {qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/faultproxy/faultproxy.py"),
                     QStringLiteral("--upstream"), m_endpoint, QStringLiteral("--error-doc"), QStringLiteral("ec2"),
                     QStringLiteral("--slowdowns"), QStringLiteral("0"), QStringLiteral("--upload-resets"), QStringLiteral("0"),
                     QStringLiteral("--download-resets"), QStringLiteral("0"), QStringLiteral("--ec2-state-rules")});
        QVERIFY(proxy.waitForStarted());
        const auto stop = qScopeGuard([&proxy] {
            proxy.kill();
            proxy.waitForFinished();
        });
        QTRY_VERIFY_WITH_TIMEOUT(proxy.canReadLine(), 15000);
        const QByteArray line = proxy.readLine().trimmed();
        QVERIFY2(line.startsWith("PORT "), line.constData());
        const QString endpoint = QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(line.mid(5));

        const CliRun r = runner(endpoint).run({QStringLiteral("vm"), QStringLiteral("start"), in.id});
        expectOneLineError(r, 1, QStringLiteral("IncorrectInstanceState"));
        QVERIFY(r.err.contains(in.id));
    }

    void rejectedCredentialsExitFour()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_EC2_AUTH_ENDPOINT");  // a moto that checks signatures
        const QString secret = skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_SECRET_KEY") + QStringLiteral("-wrong");
        CliRunner r = runner(endpoint);
        r.set(QStringLiteral("AWS_ACCESS_KEY_ID"), skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_ACCESS_KEY"));
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), secret);
        CliRun run = r.run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--region"), kRegion});
        expectOneLineError(run, 4, QStringLiteral("AuthFailure"));
        QVERIFY(!run.err.contains(secret) && !run.out.contains(secret));
        // The right keys list (nothing yet in this region of that moto).
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_SECRET_KEY"));
        run = r.run({QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--region"), kRegion});
        expectOk(run);
    }

    void unreachableEndpoint()
    {
        const CliRun r = runner(QStringLiteral("http://127.0.0.1:1")).run(
            {QStringLiteral("vm"), QStringLiteral("list"), QStringLiteral("--region"), kRegion});
        expectOneLineError(r, 5, QStringLiteral("127.0.0.1:1"));
        QVERIFY2(r.ms < 30000, qPrintable(r.describe()));
    }
};

SKYDECK_TEST_MAIN(TestCliVm)
#include "tst_cli_vm.moc"
