// The shipped price catalog: it loads, its date and sources are there, every GPU type the issue
// names is priced in its provider's main region, GPUs per type, GCE accelerators priced per GPU,
// zones reduced to regions, Azure names with or without "Standard_", and bad documents refused.
#include "PriceCatalog.h"
#include "TestMain.h"

using namespace skydeck;

class TestPriceCatalog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shippedLoads()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        QVERIFY(!c.isEmpty());
        QVERIFY(c.asOf().isValid());
        QVERIFY(c.asOf() >= QDate(2025, 1, 1));
        QVERIFY(c.note().contains(QLatin1String("List prices")));
        QVERIFY(c.source(QStringLiteral("aws")).contains(QLatin1String("AWS Price List")));
        QVERIFY(c.source(QStringLiteral("gcp")).contains(QLatin1String("Cloud Billing Catalog")));
        QVERIFY(c.source(QStringLiteral("azure")).contains(QLatin1String("Retail Prices")));
    }

    void gpuTypesPriced_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("gpus");
        QTest::addColumn<QString>("model");
        QTest::newRow("g4dn") << "aws" << "us-east-1" << "g4dn.xlarge" << 1 << "T4";
        QTest::newRow("g5.12x") << "aws" << "us-west-2" << "g5.12xlarge" << 4 << "A10G";
        QTest::newRow("g6") << "aws" << "us-east-1" << "g6.xlarge" << 1 << "L4";
        QTest::newRow("p3") << "aws" << "us-east-1" << "p3.8xlarge" << 4 << "V100 16GB";
        QTest::newRow("p4d") << "aws" << "us-east-1" << "p4d.24xlarge" << 8 << "A100 40GB";
        QTest::newRow("p5") << "aws" << "us-east-2" << "p5.48xlarge" << 8 << "H100 80GB";
        QTest::newRow("g2") << "gcp" << "us-central1" << "g2-standard-24" << 2 << "L4";
        QTest::newRow("a2-high") << "gcp" << "us-central1" << "a2-highgpu-4g" << 4 << "A100 40GB";
        QTest::newRow("a2-ultra") << "gcp" << "us-east1" << "a2-ultragpu-1g" << 1 << "A100 80GB";
        QTest::newRow("a3") << "gcp" << "us-central1" << "a3-highgpu-8g" << 8 << "H100 80GB";
        QTest::newRow("nc-v3") << "azure" << "eastus" << "Standard_NC6s_v3" << 1 << "V100 16GB";
        QTest::newRow("t4-v3") << "azure" << "eastus" << "Standard_NC64as_T4_v3" << 4 << "T4";
        QTest::newRow("a100-v4") << "azure" << "westus2" << "Standard_NC24ads_A100_v4" << 1 << "A100 80GB";
        QTest::newRow("nd") << "azure" << "eastus" << "Standard_ND96isr_H100_v5" << 8 << "H100 80GB";
    }
    void gpuTypesPriced()
    {
        QFETCH(QString, provider);
        QFETCH(QString, region);
        QFETCH(QString, type);
        QFETCH(int, gpus);
        QFETCH(QString, model);
        const PriceCatalog &c = PriceCatalog::shipped();
        const GpuInfo g = c.gpu(provider, type);
        QCOMPARE(g.count, gpus);
        QCOMPARE(g.model, model);
        const auto od = c.price(provider, region, type, false);
        QVERIFY(od.has_value());
        QVERIFY(*od > 0.1 && *od < 200);
        const auto spot = c.price(provider, region, type, true);
        if (spot)
            QVERIFY2(*spot < *od, "spot is cheaper than on-demand");
    }

    void knownListPrices()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        QCOMPARE(*c.price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("g4dn.xlarge"), false), 0.526);
        QCOMPARE(*c.price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("p3.2xlarge"), false), 3.06);
        QCOMPARE(*c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("a2-highgpu-1g"), false), 3.673385);
        QCOMPARE(*c.price(QStringLiteral("azure"), QStringLiteral("eastus"), QStringLiteral("Standard_NC6s_v3"), false), 3.06);
    }

    void zonesAndSpellings()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        QCOMPARE(PriceCatalog::regionOf(QStringLiteral("aws"), QStringLiteral("us-east-1a")), QStringLiteral("us-east-1"));
        QCOMPARE(PriceCatalog::regionOf(QStringLiteral("aws"), QStringLiteral("us-east-1")), QStringLiteral("us-east-1"));
        QCOMPARE(PriceCatalog::regionOf(QStringLiteral("gcp"), QStringLiteral("us-central1-f")), QStringLiteral("us-central1"));
        QCOMPARE(PriceCatalog::regionOf(QStringLiteral("gcp"), QStringLiteral("europe-west4")), QStringLiteral("europe-west4"));
        QCOMPARE(PriceCatalog::regionOf(QStringLiteral("azure"), QStringLiteral("East US")), QStringLiteral("eastus"));
        QCOMPARE(c.price(QStringLiteral("aws"), QStringLiteral("us-east-1c"), QStringLiteral("g5.xlarge"), false),
                 c.price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("g5.xlarge"), false));
        QCOMPARE(c.gpu(QStringLiteral("azure"), QStringLiteral("nc4as_t4_v3")).count, 1);
        QCOMPARE(c.gpu(QStringLiteral("azure"), QStringLiteral("STANDARD_NC4AS_T4_V3")).model, QStringLiteral("T4"));
        // GCE gives the machine type as a URL
        QCOMPARE(c.gpu(QStringLiteral("gcp"), QStringLiteral("https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/machineTypes/g2-standard-4")).model,
                 QStringLiteral("L4"));
    }

    void gceAcceleratorsPerGpu()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        const double n1 = *c.price(QStringLiteral("gcp"), QStringLiteral("us-central1-a"), QStringLiteral("n1-standard-8"), false);
        const auto withT4 = c.price(QStringLiteral("gcp"), QStringLiteral("us-central1-a"), QStringLiteral("n1-standard-8"), false,
                                    GpuInfo{2, QStringLiteral("nvidia-tesla-t4")});
        QVERIFY(withT4);
        QCOMPARE(*withT4, n1 + 2 * 0.35);
        // by model name, and as an accelerator-type URL
        QCOMPARE(c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false,
                         GpuInfo{2, QStringLiteral("t4")}), withT4);
        QCOMPARE(c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false,
                         GpuInfo{2, QStringLiteral("projects/p/zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4")}), withT4);
        QCOMPARE(c.acceleratorModel(QStringLiteral("gcp"), QStringLiteral("nvidia-tesla-v100")), QStringLiteral("V100 16GB"));
        // A2 carries its GPUs: the accelerators GCE lists for it are not added again
        QCOMPARE(c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("a2-highgpu-1g"), false,
                         GpuInfo{1, QStringLiteral("nvidia-tesla-a100")}),
                 c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("a2-highgpu-1g"), false));
        // an accelerator the catalog does not know: no price rather than a wrong one
        QVERIFY(!c.price(QStringLiteral("gcp"), QStringLiteral("us-central1"), QStringLiteral("n1-standard-8"), false,
                         GpuInfo{1, QStringLiteral("nvidia-future-x")}));
    }

    void unknownGivesNothing()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        QVERIFY(!c.price(QStringLiteral("aws"), QStringLiteral("mars-north-1"), QStringLiteral("g5.xlarge"), false));
        QVERIFY(!c.price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("z9.huge"), false));
        QVERIFY(!c.price(QStringLiteral("other"), QStringLiteral("us-east-1"), QStringLiteral("g5.xlarge"), false));
        QCOMPARE(c.gpu(QStringLiteral("aws"), QStringLiteral("t3.medium")).count, 0);
        QCOMPARE(c.gpu(QStringLiteral("aws"), QStringLiteral("z9.huge")).count, 0);
    }

    void listsForTheLaunchForm()
    {
        const PriceCatalog &c = PriceCatalog::shipped();
        const auto aws = c.machines(QStringLiteral("aws"));
        QVERIFY(aws.size() > 20);
        QCOMPARE(aws.first().type, QStringLiteral("t3.medium"));  // file order kept
        QVERIFY(c.regions(QStringLiteral("gcp")).contains(QStringLiteral("us-central1")));
        QVERIFY(c.acceleratorTypes(QStringLiteral("gcp")).contains(QStringLiteral("nvidia-tesla-t4")));
    }

    void badDocumentsRefused()
    {
        QString error;
        QVERIFY(!PriceCatalog::fromJson("not json", &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!PriceCatalog::fromJson(R"({"providers":{}})", &error));  // no date
        QVERIFY(!PriceCatalog::fromJson(R"({"asOf":"2025-01-01","currency":"EUR","providers":{}})", &error));
        // a price for a type the catalog does not describe
        QVERIFY(!PriceCatalog::fromJson(R"({"asOf":"2025-01-01","providers":{"aws":{"machines":{},
            "prices":[{"regions":["us-east-1"],"onDemand":{"x1.big":1.0}}]}}})", &error));
        // a negative price
        QVERIFY(!PriceCatalog::fromJson(R"({"asOf":"2025-01-01","providers":{"aws":{"machines":{"a.b":{}},
            "prices":[{"regions":["us-east-1"],"onDemand":{"a.b":-1}}]}}})", &error));
        const auto ok = PriceCatalog::fromJson(R"({"asOf":"2025-01-01","providers":{"aws":{"machines":{"a.b":{"gpus":2,"gpu":"T4"}},
            "prices":[{"regions":["us-east-1"],"onDemand":{"a.b":1.5}}]}}})", &error);
        QVERIFY2(ok, qPrintable(error));
        QCOMPARE(*ok->price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("a.b"), false), 1.5);
        QVERIFY(!ok->price(QStringLiteral("aws"), QStringLiteral("us-east-1"), QStringLiteral("a.b"), true));
    }
};

SKYDECK_TEST_MAIN(TestPriceCatalog)
#include "tst_pricecatalog.moc"
