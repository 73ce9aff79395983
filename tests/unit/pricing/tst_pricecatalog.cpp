// The shipped price catalog against the files it is read from (resources/prices/*.csv, SkyPilot's
// rows copied verbatim, and SOURCE.md): every row read is on its line of its file with the same
// figures, each provider's source and commit are SOURCE.md's, known prices (Compute Engine's machine
// + GPU-only rows added), the rows SOURCE.md says are absent have no price, GPUs from
// AcceleratorName/AcceleratorCount, and files or rows that cannot be read are refused, not guessed.
#include "PriceCatalog.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>

using namespace skydeck;

namespace {

QByteArray sourceFile(const QString &name)
{
    QFile f(QDir(qEnvironmentVariable("SKYDECK_SOURCE_DIR")).filePath(QStringLiteral("resources/prices/") + name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QMap<QString, QByteArray> sourceFiles()
{
    return {{QStringLiteral("aws.csv"), sourceFile(QStringLiteral("aws.csv"))},
            {QStringLiteral("gcp.csv"), sourceFile(QStringLiteral("gcp.csv"))},
            {QStringLiteral("azure.csv"), sourceFile(QStringLiteral("azure.csv"))}};
}

const QString kAws = QStringLiteral("aws");
const QString kGcp = QStringLiteral("gcp");
const QString kAzure = QStringLiteral("azure");

} // namespace

class TestPriceCatalog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!sourceFile(QStringLiteral("SOURCE.md")).isEmpty(), "SKYDECK_SOURCE_DIR/resources/prices/SOURCE.md");
    }

    void shippedIsTheSourceFiles()
    {
        // What is compiled in is the files in the tree, byte for byte.
        for (const QString name : {"aws.csv", "gcp.csv", "azure.csv", "SOURCE.md"}) {
            QFile f(QStringLiteral(":/prices/") + name);
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(name));
            QCOMPARE(f.readAll(), sourceFile(name));
        }
        const PriceCatalog &c = PriceCatalog::shipped();
        QVERIFY2(c.problems().isEmpty(), qPrintable(c.problems().join(QLatin1Char('\n'))));
        QCOMPARE(c.providers(), (QStringList{kAws, kAzure, kGcp}));
        const PriceSource aws = c.source(kAws);
        QCOMPARE(aws.file, QStringLiteral("aws.csv"));
        QCOMPARE(aws.repository, QStringLiteral("https://github.com/skypilot-org/skypilot-catalog"));
        QCOMPARE(aws.path, QStringLiteral("catalogs/v7/aws/vms.csv"));
        QCOMPARE(aws.commit, QStringLiteral("27f67dd4e1bc0d35fa0ec075180ad54b230882c4"));
        QCOMPARE(c.source(kGcp).commit, QStringLiteral("6f65ab58724c0a5b17dbb81ee124e7d7dee0d4a5"));
        QCOMPARE(c.source(kAzure).path, QStringLiteral("catalogs/v6/azure/vms.csv"));
        QCOMPARE(c.source(kAzure).commit, QStringLiteral("098741e70562f65d7af1cceb81e33b284f742604"));
        QCOMPARE(c.rows(kAws).size(), 96);
        QCOMPARE(c.rows(kGcp).size(), 92);
        QCOMPARE(c.rows(kAzure).size(), 18);
    }

    void everyRowIsOnItsLine()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        for (const QString &p : c.providers()) {
            const QList<QByteArray> lines = sourceFile(PriceCatalog::fileOf(p)).split('\n');
            for (const PriceRow &r : c.rows(p)) {
                const QString line = QString::fromUtf8(lines.value(r.line - 1));
                const QString where = QStringLiteral("%1 line %2: %3").arg(p).arg(r.line).arg(line);
                QVERIFY2(line.startsWith(r.type + QLatin1Char(',')), qPrintable(where));
                for (const QString &field : {r.region, r.onDemandText, r.spotText, r.zone, r.gpu.model})
                    if (!field.isEmpty())
                        QVERIFY2(line.contains(QLatin1Char(',') + field + QLatin1Char(',')) || line.endsWith(QLatin1Char(',') + field),
                             qPrintable(where + QStringLiteral(" lacks ") + field));
            }
        }
    }

    void knownPrices()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        // Google's G2 row carries the host only: + the L4 x1 GPU-only row.
        QString missing;
        std::optional<PriceQuote> g2 = c.quote(kGcp, QStringLiteral("us-central1-b"), QStringLiteral("g2-standard-4"), false, {}, &missing);
        QVERIFY2(g2, qPrintable(missing));
        QCOMPARE(g2->perHour, 0.70683);
        QCOMPARE(g2->perHourText, QStringLiteral("0.70683"));
        QCOMPARE(g2->rows.size(), 2);
        QCOMPARE(g2->rows.at(0).line, 21);
        QCOMPARE(g2->rows.at(1).line, 66);
        QCOMPARE(g2->gpu.count, 1);
        QCOMPARE(g2->gpu.model, QStringLiteral("L4"));
        QCOMPARE(g2->breakdown(), QStringLiteral("0.14679 (g2-standard-4, gcp.csv line 21) + 0.56004 (L4 ×1, gcp.csv line 66)"));
        const QString tip = g2->sourceText();
        QVERIFY2(tip.contains(QLatin1String("6f65ab58724c0a5b17dbb81ee124e7d7dee0d4a5")), qPrintable(tip));
        QVERIFY(tip.contains(QLatin1String("catalogs/v7/gcp/vms.csv")));
        QVERIFY(tip.contains(QLatin1String("https://github.com/skypilot-org/skypilot-catalog")));
        QVERIFY(tip.contains(QLatin1String("list price snapshot, date unknown"), Qt::CaseInsensitive));
        QCOMPARE(*c.price(kGcp, QStringLiteral("us-central1"), QStringLiteral("g2-standard-4"), true), 0.05874 + 0.2231);

        const std::optional<PriceQuote> p5 = c.quote(kAws, QStringLiteral("us-east-1"), QStringLiteral("p5.48xlarge"), false);
        QVERIFY(p5);
        QCOMPARE(p5->perHour, 98.32);
        QCOMPARE(p5->perHourText, QStringLiteral("98.32"));
        QCOMPARE(p5->rows.first().line, 84);
        QCOMPARE(p5->source.commit, QStringLiteral("27f67dd4e1bc0d35fa0ec075180ad54b230882c4"));
        QCOMPARE(c.quote(kAws, QStringLiteral("us-east-1a"), QStringLiteral("p5.48xlarge"), true)->perHourText,
                 QStringLiteral("30.684600"));  // spot, as written
        QCOMPARE(*c.price(kAws, QStringLiteral("eu-west-1"), QStringLiteral("g4dn.xlarge"), false), 0.587);
        QCOMPARE(*c.price(kAzure, QStringLiteral("eastus"), QStringLiteral("Standard_NC6s_v3"), false), 3.06);
        QCOMPARE(*c.price(kAzure, QStringLiteral("West US 2"), QStringLiteral("nc24ads_a100_v4"), true), 0.615962);
        // A2 with 8 GPUs: the A100 x8 row, not 8 x the x1 row.
        QCOMPARE(*c.price(kGcp, QStringLiteral("us-west1-b"), QStringLiteral("a2-highgpu-8g"), false), 5.91582 + 23.47126);
        // N1 with one T4 attached (GCE's type id, its URL or the model).
        const double n1t4 = 0.38 + 0.35;
        QCOMPARE(*c.price(kGcp, QStringLiteral("us-central1-a"), QStringLiteral("n1-standard-8"), false, {1, QStringLiteral("nvidia-tesla-t4")}), n1t4);
        QCOMPARE(*c.price(kGcp, QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false,
                          {1, QStringLiteral("projects/p/zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4")}), n1t4);
        QCOMPARE(*c.price(kGcp, QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false, {1, QStringLiteral("T4")}), n1t4);
        // The A2 lists its A100 as guestAccelerators too: it is not added twice.
        QCOMPARE(c.price(kGcp, QStringLiteral("us-central1"), QStringLiteral("a2-highgpu-1g"), false, {1, QStringLiteral("A100 40GB")}),
                 std::optional<double>(0.73948 + 2.93391));
    }

    void absentInTheSourceHasNoPrice_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("gpus");
        QTest::addColumn<QString>("gpu");
        QTest::addColumn<QString>("missing");
        // SOURCE.md: "Absent in the source at these commits (so no price may be shown)".
        QTest::newRow("g5 apse1") << kAws << "ap-southeast-1" << "g5.xlarge" << 0 << "" << "in the catalog for g5.xlarge in ap-southeast-1";
        QTest::newRow("g5.48 apse1") << kAws << "ap-southeast-1b" << "g5.48xlarge" << 0 << "" << "for g5.48xlarge in ap-southeast-1";
        QTest::newRow("g6 apse1") << kAws << "ap-southeast-1" << "g6.xlarge" << 0 << "" << "g6.xlarge in ap-southeast-1";
        QTest::newRow("g6 euw1") << kAws << "eu-west-1" << "g6.xlarge" << 0 << "" << "g6.xlarge in eu-west-1";
        QTest::newRow("g6e euw1") << kAws << "eu-west-1" << "g6e.xlarge" << 0 << "" << "g6e.xlarge in eu-west-1";
        QTest::newRow("g6e apse1") << kAws << "ap-southeast-1" << "g6e.xlarge" << 0 << "" << "g6e.xlarge in ap-southeast-1";
        QTest::newRow("p4d apse1") << kAws << "ap-southeast-1" << "p4d.24xlarge" << 0 << "" << "p4d.24xlarge in ap-southeast-1";
        QTest::newRow("p5 apse1") << kAws << "ap-southeast-1" << "p5.48xlarge" << 0 << "" << "p5.48xlarge in ap-southeast-1";
        QTest::newRow("p5 euc1") << kAws << "eu-central-1" << "p5.48xlarge" << 0 << "" << "p5.48xlarge in eu-central-1";
        QTest::newRow("p5 euw1") << kAws << "eu-west-1" << "p5.48xlarge" << 0 << "" << "p5.48xlarge in eu-west-1";
        QTest::newRow("a2-1g asia") << kGcp << "asia-east1-a" << "a2-highgpu-1g" << 0 << "" << "a2-highgpu-1g in asia-east1";
        QTest::newRow("a2-8g asia") << kGcp << "asia-east1" << "a2-highgpu-8g" << 0 << "" << "a2-highgpu-8g in asia-east1";
        QTest::newRow("a3 use1") << kGcp << "us-east1-b" << "a3-highgpu-8g" << 0 << "" << "a3-highgpu-8g in us-east1";
        QTest::newRow("A100 asia") << kGcp << "asia-east1" << "n1-standard-8" << 1 << "nvidia-tesla-a100" << "with 1 × A100 in asia-east1";
        QTest::newRow("H100 use1") << kGcp << "us-east1" << "n1-standard-8" << 1 << "nvidia-h100-80gb" << "with 1 × H100 in us-east1";
        QTest::newRow("A100-80 use1") << kGcp << "us-east1" << "n1-standard-8" << 1 << "nvidia-a100-80gb" << "with 1 × A100-80GB in us-east1";
        QTest::newRow("A100-80 usw1") << kGcp << "us-west1" << "n1-standard-8" << 1 << "nvidia-a100-80gb" << "A100-80GB in us-west1";
        QTest::newRow("P100 x8") << kGcp << "us-central1" << "n1-standard-8" << 8 << "nvidia-tesla-p100" << "with 8 × P100";
        QTest::newRow("T4 x8") << kGcp << "us-central1" << "n1-standard-8" << 8 << "nvidia-tesla-t4" << "with 8 × T4";
        QTest::newRow("T4 x2") << kGcp << "us-central1" << "n1-standard-8" << 2 << "nvidia-tesla-t4" << "with 2 × T4";
        QTest::newRow("unknown accel") << kGcp << "us-central1" << "n1-standard-8" << 1 << "nvidia-future-x" << "the accelerator nvidia-future-x";
        QTest::newRow("unknown type") << kAws << "us-east-1" << "z9.huge" << 0 << "" << "z9.huge in us-east-1";
        QTest::newRow("unknown region") << kAzure << "mars" << "Standard_NC6s_v3" << 0 << "" << "Standard_NC6s_v3 in mars";
        QTest::newRow("other provider") << "other" << "us-east-1" << "g5.xlarge" << 0 << "" << "g5.xlarge in us-east-1";
    }
    void absentInTheSourceHasNoPrice()
    {
        QFETCH(QString, provider);
        QFETCH(QString, region);
        QFETCH(QString, type);
        QFETCH(int, gpus);
        QFETCH(QString, gpu);
        QFETCH(QString, missing);
        const PriceCatalog &c = PriceCatalog::shipped();
        for (const bool spot : {false, true}) {
            QString why;
            QVERIFY(!c.quote(provider, region, type, spot, GpuInfo{gpus, gpu}, &why));
            QVERIFY2(why.contains(missing), qPrintable(why));
            QVERIFY2(why.startsWith(spot ? QLatin1String("no spot price in the catalog") : QLatin1String("no price in the catalog")),
                     qPrintable(why));
        }
    }

    void gpusFromTheRows()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        QCOMPARE(c.gpu(kAws, QStringLiteral("p4d.24xlarge")).count, 8);
        QCOMPARE(c.gpu(kAws, QStringLiteral("p4d.24xlarge")).model, QStringLiteral("A100"));
        QCOMPARE(c.machineRow(kAws, QStringLiteral("p4d.24xlarge")).gpuMemoryMiB, 40960);  // from the Python-dict GpuInfo
        QCOMPARE(c.gpu(kAws, QStringLiteral("g4dn.12xlarge")).count, 4);
        QCOMPARE(c.gpu(kAws, QStringLiteral("t3.medium")).count, 0);
        QCOMPARE(c.gpu(kAws, QStringLiteral("z9.huge")).count, 0);
        QCOMPARE(c.gpu(kAzure, QStringLiteral("Standard_NC24ads_A100_v4")).model, QStringLiteral("A100-80GB"));
        QCOMPARE(c.gpu(kAzure, QStringLiteral("nc4as_t4_v3")).count, 1);
        QCOMPARE(c.gpu(kAzure, QStringLiteral("STANDARD_ND96ASR_V4")).count, 8);
        // Google's machine rows name no GPU: the machine type's own (A2/A3/G2), as Google defines them.
        QCOMPARE(c.gpu(kGcp, QStringLiteral("g2-standard-4")).model, QStringLiteral("L4"));
        QCOMPARE(c.gpu(kGcp, QStringLiteral("https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/machineTypes/a3-highgpu-8g")).count, 8);
        QCOMPARE(c.gpu(kGcp, QStringLiteral("n1-standard-8")).count, 0);
        QCOMPARE(PriceCatalog::gceBuiltInGpus(QStringLiteral("g2-standard-48")).count, 4);
        QCOMPARE(PriceCatalog::gceBuiltInGpus(QStringLiteral("a2-ultragpu-2g")).model, QStringLiteral("A100-80GB"));
        QCOMPARE(PriceCatalog::gceAcceleratorName(QStringLiteral("nvidia-tesla-v100")), QStringLiteral("V100"));
        QCOMPARE(PriceCatalog::gceAcceleratorType(QStringLiteral("L4")), QStringLiteral("nvidia-l4"));
    }

    void zonesAndSpellings()
    {
        QCOMPARE(PriceCatalog::regionOf(kAws, QStringLiteral("us-east-1a")), QStringLiteral("us-east-1"));
        QCOMPARE(PriceCatalog::regionOf(kAws, QStringLiteral("us-east-1")), QStringLiteral("us-east-1"));
        QCOMPARE(PriceCatalog::regionOf(kGcp, QStringLiteral("us-central1-f")), QStringLiteral("us-central1"));
        QCOMPARE(PriceCatalog::regionOf(kGcp, QStringLiteral("europe-west4")), QStringLiteral("europe-west4"));
        QCOMPARE(PriceCatalog::regionOf(kAzure, QStringLiteral("East US")), QStringLiteral("eastus"));
        const PriceCatalog &c = PriceCatalog::shipped();
        QCOMPARE(c.price(kAws, QStringLiteral("us-east-1c"), QStringLiteral("g5.xlarge"), false),
                 c.price(kAws, QStringLiteral("us-east-1"), QStringLiteral("g5.xlarge"), false));
    }

    void listsForTheLaunchForm()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        const auto aws = c.machines(kAws);
        QCOMPARE(aws.size(), 18);  // each type once
        QCOMPARE(aws.first().type, QStringLiteral("c6i.2xlarge"));  // file order
        const auto p5 = std::find_if(aws.begin(), aws.end(), [](const auto &m) { return m.type == QLatin1String("p5.48xlarge"); });
        QVERIFY(p5 != aws.end());
        QCOMPARE(p5->gpu.count, 8);
        QCOMPARE(p5->vcpus, 192.0);
        QCOMPARE(p5->gpuMemoryMiB, 81920);
        QCOMPARE(c.regions(kGcp), (QStringList{"europe-west4", "us-central1", "us-east1", "us-west1", "asia-east1"}));
        QCOMPARE(c.acceleratorTypes(kGcp), (QStringList{"nvidia-tesla-p100", "nvidia-tesla-t4", "nvidia-tesla-v100"}));
        QVERIFY(c.acceleratorTypes(kAws).isEmpty());
    }

    void unreadableIsRefusedNotGuessed()
    {
        const QByteArray md = sourceFile(QStringLiteral("SOURCE.md"));
        QMap<QString, QByteArray> files = sourceFiles();
        // A GpuInfo that would run code, one that contradicts its row, and a price that is not one:
        // those rows are refused (named with their lines), the others still read.
        QByteArray aws = files.value(QStringLiteral("aws.csv"));
        aws.replace("\"{'Gpus': [{'Name': 'T4', 'Manufacturer': 'NVIDIA', 'Count': 4, 'MemoryInfo': {'SizeInMiB': 16384}}], "
                    "'TotalGpuMemoryInMiB': 65536}\",5.281",
                    "\"{'Gpus': __import__('os').system('touch /tmp/pwned')}\",5.281");
        aws.replace("'Name': 'H100', 'Manufacturer': 'NVIDIA', 'Count': 8, 'MemoryInfo': {'SizeInMiB': 81920}}], "
                    "'TotalGpuMemoryInMiB': 655360}\",98.32",
                    "'Name': 'H100', 'Manufacturer': 'NVIDIA', 'Count': 4, 'MemoryInfo': {'SizeInMiB': 81920}}], "
                    "'TotalGpuMemoryInMiB': 655360}\",98.32");
        aws.replace(",0.526,0.202500,us-east-1,", ",cheap,0.202500,us-east-1,");
        files.insert(QStringLiteral("aws.csv"), aws);
        // gcp.csv loses a row: no longer the file SOURCE.md describes.
        QByteArray gcp = files.value(QStringLiteral("gcp.csv"));
        gcp.remove(gcp.indexOf("a2-highgpu-1g,12.0,85.0,,,,us-west1"), gcp.indexOf("a2-highgpu-8g") - gcp.indexOf("a2-highgpu-1g,12.0,85.0,,,,us-west1"));
        files.insert(QStringLiteral("gcp.csv"), gcp);
        const PriceCatalog c = PriceCatalog::fromFiles(md, files);
        const QString problems = c.problems().join(QLatin1Char('\n'));
        QVERIFY2(problems.contains(QLatin1String("aws.csv line 8: GpuInfo is not readable")), qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("aws.csv line 84: GpuInfo counts 4 GPUs, AcceleratorCount 8")), qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("aws.csv line 24: Price 'cheap' is not a number")), qPrintable(problems));
        QVERIFY2(problems.contains(QLatin1String("gcp.csv has 91 rows where SOURCE.md says 92")), qPrintable(problems));
        QVERIFY(!QFile::exists(QStringLiteral("/tmp/pwned")));
        QVERIFY(!c.price(kAws, QStringLiteral("ap-northeast-1"), QStringLiteral("g4dn.12xlarge"), false));
        QVERIFY(!c.price(kAws, QStringLiteral("us-east-1"), QStringLiteral("p5.48xlarge"), false));
        QVERIFY(!c.price(kAws, QStringLiteral("us-east-1"), QStringLiteral("g4dn.xlarge"), false));
        QCOMPARE(*c.price(kAws, QStringLiteral("us-west-2"), QStringLiteral("g4dn.xlarge"), false), 0.526);
        QVERIFY(!c.price(kGcp, QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false));
        QCOMPARE(*c.price(kAzure, QStringLiteral("eastus"), QStringLiteral("Standard_D4s_v5"), false), 0.192);

        // A file SOURCE.md does not name has no source, so no prices; so does a CSV that does not parse.
        QByteArray noAzure = md;
        noAzure.replace("| azure.csv |", "| other.csv |");
        files = sourceFiles();
        files.insert(QStringLiteral("aws.csv"), "InstanceType,Price\n\"g5.xlarge,1.0\n");
        const PriceCatalog d = PriceCatalog::fromFiles(noAzure, files);
        QVERIFY(d.problems().join(QLatin1Char('\n')).contains(QLatin1String("azure.csv: SOURCE.md does not say where it comes from")));
        QVERIFY(d.problems().join(QLatin1Char('\n')).contains(QLatin1String("aws.csv: line 2: a quoted field is not closed")));
        QCOMPARE(d.providers(), QStringList{kGcp});
    }
};

SKYDECK_TEST_MAIN(TestPriceCatalog)
#include "tst_pricecatalog.moc"
