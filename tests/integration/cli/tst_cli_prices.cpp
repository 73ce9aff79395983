// `skydeck prices` (the built binary; no peer, no account): the shipped catalog's rows, one per line,
// with GPUs, on-demand and spot $/h as the source writes them (Compute Engine's machine + GPU-only
// row added) and the file, lines and commit they come from; --json; a type or region the source
// lacks is named with exit 3 and no figure; usage errors exit 2.
#include "CliRunner.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using skydeck::test::CliRun;
using skydeck::test::CliRunner;

class TestCliPrices : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

    CliRun run(const QStringList &args) const { return CliRunner(m_home.path()).run(QStringList{QStringLiteral("prices")} + args, 30000); }

private Q_SLOTS:
    void g2AddsItsGpuRow()
    {
        const CliRun r = run({QStringLiteral("g2-standard-4"), QStringLiteral("--region"), QStringLiteral("us-central1-a")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        const QStringList lines = r.outLines();
        QCOMPARE(lines.size(), 2);  // header + the row
        QVERIFY(lines.first().startsWith(QLatin1String("PROVIDER")));
        const QStringList f = lines.at(1).simplified().split(QLatin1Char(' '));
        // gcp g2-standard-4 us-central1 1 x L4 (24 GiB) 0.70683 0.28184 gcp.csv:21+66 catalogs/v7/gcp/vms.csv@6f65ab58724c
        QCOMPARE(f.value(0), QStringLiteral("gcp"));
        QCOMPARE(f.value(1), QStringLiteral("g2-standard-4"));
        QCOMPARE(f.value(2), QStringLiteral("us-central1"));
        QVERIFY2(lines.at(1).contains(QLatin1String("1 x L4 (24 GiB)")), qPrintable(lines.at(1)));
        QVERIFY2(f.contains(QStringLiteral("0.70683")), qPrintable(lines.at(1)));   // 0.14679 + 0.56004
        QVERIFY2(f.contains(QStringLiteral("0.28184")), qPrintable(lines.at(1)));   // 0.05874 + 0.2231
        QVERIFY2(f.contains(QStringLiteral("gcp.csv:21+66")), qPrintable(lines.at(1)));
        QVERIFY2(lines.at(1).endsWith(QLatin1String("catalogs/v7/gcp/vms.csv@6f65ab58724c")), qPrintable(lines.at(1)));
        QVERIFY(r.err.isEmpty());
    }

    void jsonCarriesTheCommit()
    {
        const CliRun r = run({QStringLiteral("--provider"), QStringLiteral("aws"), QStringLiteral("--region"),
                              QStringLiteral("us-east-1"), QStringLiteral("p5.48xlarge"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        const QJsonArray a = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(a.size(), 1);
        const QJsonObject o = a.first().toObject();
        QCOMPARE(o.value(QStringLiteral("onDemand")).toDouble(), 98.32);
        QCOMPARE(o.value(QStringLiteral("spotText")).toString(), QStringLiteral("30.684600"));
        QCOMPARE(o.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("count")).toInt(), 8);
        QCOMPARE(o.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("model")).toString(), QStringLiteral("H100"));
        QCOMPARE(o.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("memoryMiB")).toInt(), 81920);
        const QJsonObject s = o.value(QStringLiteral("source")).toObject();
        QCOMPARE(s.value(QStringLiteral("file")).toString(), QStringLiteral("aws.csv"));
        QCOMPARE(s.value(QStringLiteral("lines")).toArray(), QJsonArray{84});
        QCOMPARE(s.value(QStringLiteral("commit")).toString(), QStringLiteral("27f67dd4e1bc0d35fa0ec075180ad54b230882c4"));
        QCOMPARE(s.value(QStringLiteral("path")).toString(), QStringLiteral("catalogs/v7/aws/vms.csv"));
        QCOMPARE(s.value(QStringLiteral("note")).toString(), QStringLiteral("list price snapshot, date unknown"));
    }

    void everyRowOncePerLine()
    {
        CliRun r = run({});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 1 + 96 + 92 + 18);  // header, then SOURCE.md's row counts
        r = run({QStringLiteral("--provider"), QStringLiteral("azure"), QStringLiteral("standard_nd96asr_v4")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 3);  // eastus and westus2
        QVERIFY(r.out.contains(QLatin1String("8 x A100")));
        QVERIFY(r.out.contains(QLatin1String("27.197")));
        // Compute Engine's GPU-only rows, with no TYPE asked.
        r = run({QStringLiteral("--provider"), QStringLiteral("gcp"), QStringLiteral("--region"), QStringLiteral("us-central1"),
                 QStringLiteral("--json")});
        bool l4 = false;
        for (const QJsonValue &v : QJsonDocument::fromJson(r.out.toUtf8()).array()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("kind")).toString() == QLatin1String("gpu")
                && o.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("model")).toString() == QLatin1String("L4")
                && o.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("count")).toInt() == 1)
                l4 = o.value(QStringLiteral("onDemandText")).toString() == QLatin1String("0.56004");
        }
        QVERIFY2(l4, qPrintable(r.out.left(2000)));
    }

    void absentIsNamedNotGuessed()
    {
        // SOURCE.md: g5.* are absent in ap-southeast-1.
        CliRun r = run({QStringLiteral("g5.xlarge"), QStringLiteral("--region"), QStringLiteral("ap-southeast-1")});
        QCOMPARE(r.code, 3);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.errLines(), QStringList{QStringLiteral("skydeck: no price in the catalog for g5.xlarge in ap-southeast-1")});
        // One known, one unknown: the known one is printed, the unknown named, exit 3.
        r = run({QStringLiteral("t3.medium"), QStringLiteral("z9.huge"), QStringLiteral("--region"), QStringLiteral("us-west-2")});
        QCOMPARE(r.code, 3);
        QCOMPARE(r.outLines().size(), 2);
        QVERIFY(r.out.contains(QLatin1String("0.0416")));
        QVERIFY(r.err.contains(QLatin1String("no price in the catalog for z9.huge in us-west-2")));
        r = run({QStringLiteral("--region"), QStringLiteral("mars-north-1")});
        QCOMPARE(r.code, 3);
        QVERIFY(r.err.contains(QLatin1String("no price in the catalog in mars-north-1")));
    }

    void usageErrors()
    {
        CliRun r = run({QStringLiteral("--provider"), QStringLiteral("oracle")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QLatin1String("--provider must be one of")));
        r = run({QStringLiteral("--yes")});
        QCOMPARE(r.code, 2);
        r = run({QStringLiteral("-r")});
        QCOMPARE(r.code, 2);
        const CliRun help = CliRunner(m_home.path()).run({QStringLiteral("--help")});
        QVERIFY(help.out.contains(QLatin1String("prices [--provider P] [--region R] [--json] [TYPE...]")));
    }
};

SKYDECK_TEST_MAIN(TestCliPrices)
#include "tst_cli_prices.moc"
