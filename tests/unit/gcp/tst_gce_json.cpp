// Compute Engine JSON: an Instance resource as the reference shows it, states, GPUs, the insert
// body Skydeck sends, error documents and failed operations.
#include "GceJson.h"

#include "TestMain.h"
#include "gce_samples.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace skydeck;

namespace {
// Shaped like https://cloud.google.com/compute/docs/reference/rest/v1/instances (fields trimmed).
const QByteArray kInstance = gceSample(0);
} // namespace

class TestGceJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void instance()
    {
        const Instance in = gcp::instanceFromJson(QJsonDocument::fromJson(kInstance).object(), QStringLiteral("gcp:adc"),
                                                  QStringLiteral("my-proj"));
        QCOMPARE(in.provider, QStringLiteral("gcp"));
        QCOMPARE(in.accountId, QStringLiteral("gcp:adc"));
        QCOMPARE(in.zone, QStringLiteral("us-central1-a"));
        QCOMPARE(in.region, QStringLiteral("us-central1"));
        QCOMPARE(in.id, QStringLiteral("7052816218342359913"));
        QCOMPARE(in.name, QStringLiteral("train-t4"));
        QCOMPARE(in.resource, QStringLiteral("projects/my-proj/zones/us-central1-a/instances/train-t4"));
        QCOMPARE(in.state, InstanceState::Running);
        QCOMPARE(in.providerState, QStringLiteral("RUNNING"));
        QCOMPARE(in.machineType, QStringLiteral("n1-standard-8"));
        QCOMPARE(in.gpu.count, 2);
        QCOMPARE(in.gpu.model, QStringLiteral("T4"));
        QCOMPARE(in.privateIp, QStringLiteral("10.128.0.7"));
        QCOMPARE(in.publicIp, QStringLiteral("34.70.12.9"));
        QVERIFY(in.spot);
        QCOMPARE(in.launched, QDateTime(QDate(2024, 3, 2), QTime(18, 0), Qt::UTC));
        QCOMPARE(in.launched.timeSpec(), Qt::UTC);
        QCOMPARE(in.sshUser, QStringLiteral("alice"));
        QCOMPARE(in.tags.value(QStringLiteral("team")), QStringLiteral("vision"));
        QCOMPARE(in.image, QStringLiteral("debian-11-bullseye"));
    }

    void instanceWithoutOptionalParts()
    {
        // A stopped a2 VM: no natIP, no accelerators listed, preemptible the old way, no lastStartTimestamp.
        const QJsonObject o = QJsonDocument::fromJson(gceSample(1)).object();
        const Instance in = gcp::instanceFromJson(o, QStringLiteral("acc"), QStringLiteral("p"));
        QCOMPARE(in.state, InstanceState::Stopped);
        QCOMPARE(in.resource, QStringLiteral("projects/p/zones/europe-west4-a/instances/a"));  // no selfLink: composed
        QCOMPARE(in.gpu.count, 0);   // left to the price catalog (a2-highgpu-1g = 1 x A100)
        QVERIFY(in.gpu.model.isEmpty());
        QVERIFY(in.publicIp.isEmpty());
        QCOMPARE(in.privateIp, QStringLiteral("10.0.0.2"));
        QVERIFY(in.spot);
        QCOMPARE(in.launched, QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC));
        QVERIFY(gcp::machineTypeHasBuiltInGpus(in.machineType));
        QVERIFY(!gcp::machineTypeHasBuiltInGpus(QStringLiteral("n1-standard-8")));
    }

    // acceleratorCount from the server is summed without overflow and never negative.
    void acceleratorCountsFromALyingServer()
    {
        const QJsonObject o = QJsonDocument::fromJson(
            "{\"guestAccelerators\": [{\"acceleratorCount\": 2147483647, \"acceleratorType\": \"nvidia-tesla-t4\"},"
            " {\"acceleratorCount\": 1}, {\"acceleratorCount\": 1e12}]}").object();
        const Instance in = gcp::instanceFromJson(o, QStringLiteral("acc"), QStringLiteral("p"));
        QCOMPARE(in.gpu.count, GpuInfo::kMaxCount);
        QCOMPARE(in.gpu.model, QStringLiteral("T4"));
        const QJsonObject negative = QJsonDocument::fromJson(
            "{\"guestAccelerators\": [{\"acceleratorCount\": -2, \"acceleratorType\": \"nvidia-l4\"}]}").object();
        const Instance none = gcp::instanceFromJson(negative, QStringLiteral("acc"), QStringLiteral("p"));
        QCOMPARE(none.gpu.count, 0);
        QVERIFY(none.gpu.model.isEmpty());
    }

    void states_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<InstanceState>("state");
        QTest::newRow("PROVISIONING") << "PROVISIONING" << InstanceState::Pending;
        QTest::newRow("STAGING") << "STAGING" << InstanceState::Pending;
        QTest::newRow("RUNNING") << "RUNNING" << InstanceState::Running;
        QTest::newRow("STOPPING") << "STOPPING" << InstanceState::Stopping;
        QTest::newRow("SUSPENDING") << "SUSPENDING" << InstanceState::Stopping;
        QTest::newRow("SUSPENDED") << "SUSPENDED" << InstanceState::Stopped;
        QTest::newRow("TERMINATED") << "TERMINATED" << InstanceState::Stopped;
        QTest::newRow("REPAIRING") << "REPAIRING" << InstanceState::Pending;
        QTest::newRow("other") << "SOMETHING_NEW" << InstanceState::Unknown;
    }
    void states()
    {
        QFETCH(QString, status);
        QFETCH(InstanceState, state);
        QCOMPARE(gcp::stateFromGce(status), state);
    }

    void gpuModels()
    {
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("projects/p/zones/z/acceleratorTypes/nvidia-tesla-v100")),
                 QStringLiteral("V100"));
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("nvidia-tesla-a100")), QStringLiteral("A100 40GB"));
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("nvidia-a100-80gb")), QStringLiteral("A100 80GB"));
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("nvidia-l4")), QStringLiteral("L4"));
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("nvidia-h100-80gb")), QStringLiteral("H100 80GB"));
        QCOMPARE(gcp::gpuModelFromAcceleratorType(QStringLiteral("nvidia-future-1")), QStringLiteral("nvidia-future-1"));
    }

    void insertBodyForGpuSpot()
    {
        LaunchRequest r;
        r.name = QStringLiteral("train-1");
        r.zone = QStringLiteral("us-central1-a");
        r.machineType = QStringLiteral("n1-standard-8");
        r.image = QStringLiteral("pytorch-latest-gpu");
        r.diskGb = 200;
        r.spot = true;
        r.sshUser = QStringLiteral("alice");
        r.sshPublicKey = QStringLiteral("ssh-ed25519 AAAAC3 alice@laptop\n");
        r.accelerators = GpuInfo{1, QStringLiteral("nvidia-tesla-t4")};
        const Result<QJsonObject> b = gcp::insertBody(r);
        QVERIFY(b.ok());
        const QJsonObject o = b.value();
        QCOMPARE(o.value(QLatin1String("name")).toString(), QStringLiteral("train-1"));
        QCOMPARE(o.value(QLatin1String("machineType")).toString(), QStringLiteral("zones/us-central1-a/machineTypes/n1-standard-8"));
        const QJsonObject disk = o.value(QLatin1String("disks")).toArray().first().toObject();
        QVERIFY(disk.value(QLatin1String("boot")).toBool());
        const QJsonObject init = disk.value(QLatin1String("initializeParams")).toObject();
        QCOMPARE(init.value(QLatin1String("sourceImage")).toString(),
                 QStringLiteral("projects/deeplearning-platform-release/global/images/family/pytorch-latest-gpu"));
        QCOMPARE(init.value(QLatin1String("diskSizeGb")).toString(), QStringLiteral("200"));  // int64 as a JSON string
        const QJsonObject sched = o.value(QLatin1String("scheduling")).toObject();
        QCOMPARE(sched.value(QLatin1String("provisioningModel")).toString(), QStringLiteral("SPOT"));
        QCOMPARE(sched.value(QLatin1String("onHostMaintenance")).toString(), QStringLiteral("TERMINATE"));
        QCOMPARE(sched.value(QLatin1String("automaticRestart")).toBool(true), false);
        const QJsonObject acc = o.value(QLatin1String("guestAccelerators")).toArray().first().toObject();
        QCOMPARE(acc.value(QLatin1String("acceleratorType")).toString(),
                 QStringLiteral("zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4"));
        QCOMPARE(acc.value(QLatin1String("acceleratorCount")).toInt(), 1);
        const QJsonArray meta = o.value(QLatin1String("metadata")).toObject().value(QLatin1String("items")).toArray();
        QStringList keys;
        for (const QJsonValue &m : meta) {
            keys << m.toObject().value(QLatin1String("key")).toString();
            if (keys.last() == QLatin1String("ssh-keys"))
                QCOMPARE(m.toObject().value(QLatin1String("value")).toString(), QStringLiteral("alice:ssh-ed25519 AAAAC3 alice@laptop"));
        }
        QCOMPARE(keys, (QStringList{QStringLiteral("ssh-keys"), QStringLiteral("install-nvidia-driver")}));
    }

    void insertBodyOnDemand()
    {
        LaunchRequest r;
        r.name = QStringLiteral("cpu");
        r.zone = QStringLiteral("us-east1-b");
        r.machineType = QStringLiteral("e2-medium");
        r.image = QStringLiteral("projects/debian-cloud/global/images/family/debian-12");
        QJsonObject o = gcp::insertBody(r).value();
        QCOMPARE(o.value(QLatin1String("scheduling")).toObject().value(QLatin1String("onHostMaintenance")).toString(),
                 QStringLiteral("MIGRATE"));
        QVERIFY(!o.contains(QLatin1String("guestAccelerators")));
        QVERIFY(!o.contains(QLatin1String("metadata")));
        r.machineType = QStringLiteral("g2-standard-4");  // built-in L4: no live migration
        o = gcp::insertBody(r).value();
        QCOMPARE(o.value(QLatin1String("scheduling")).toObject().value(QLatin1String("onHostMaintenance")).toString(),
                 QStringLiteral("TERMINATE"));
        QCOMPARE(gcp::resolveImage({}), QStringLiteral("projects/deeplearning-platform-release/global/images/family/")
                                            + QLatin1String(gcp::kDefaultDeepLearningFamily));

        LaunchRequest bad = r;
        bad.name = QStringLiteral("Bad_Name");
        QCOMPARE(gcp::insertBody(bad).error().category(), Error::Category::InvalidInput);
        bad = r;
        bad.zone.clear();
        QVERIFY(!gcp::insertBody(bad).ok());
        bad = r;
        bad.sshPublicKey = QStringLiteral("ssh-ed25519 AAAA");
        QVERIFY(!gcp::insertBody(bad).ok());  // a key without its user
        bad = r;
        bad.accelerators.count = 1;
        QVERIFY(!gcp::insertBody(bad).ok());  // a GPU count without a type
    }

    void errorDocuments()
    {
        const QByteArray notFound = gceSample(2);
        Error e = gcp::errorFromResponse(404, notFound);
        QCOMPARE(e.category(), Error::Category::NotFound);
        QCOMPARE(e.code(), QStringLiteral("notFound"));
        QCOMPARE(e.httpStatus(), 404);
        QVERIFY(e.message().contains(QLatin1String("was not found")));
        const QByteArray rate = gceSample(3);
        QCOMPARE(gcp::errorFromResponse(403, rate).category(), Error::Category::Throttled);
        QCOMPARE(gcp::errorReason(rate), QStringLiteral("rateLimitExceeded"));
        QCOMPARE(gcp::errorFromResponse(403, gceSample(4)).category(), Error::Category::Permission);
        QCOMPARE(gcp::errorFromResponse(400, gceSample(5))
                     .category(), Error::Category::Conflict);
        QCOMPARE(gcp::errorFromResponse(409, gceSample(6))
                     .category(), Error::Category::Conflict);
        QCOMPARE(gcp::errorFromResponse(401, "{}").category(), Error::Category::Auth);
        QCOMPARE(gcp::errorFromResponse(502, "<html>bad gateway</html>").category(), Error::Category::Server);
        QVERIFY(gcp::errorFromResponse(502, "<html>").message().contains(QLatin1String("502")));
    }

    void operationErrors()
    {
        const QJsonObject ok = QJsonDocument::fromJson(gceSample(7)).object();
        QVERIFY(!gcp::operationError(ok).isError());
        const QJsonObject failed = QJsonDocument::fromJson(gceSample(8)).object();
        const Error e = gcp::operationError(failed);
        QVERIFY(e.isError());
        QCOMPARE(e.code(), QStringLiteral("ZONE_RESOURCE_POOL_EXHAUSTED"));
        QCOMPARE(e.httpStatus(), 503);
        QVERIFY(e.message().contains(QLatin1String("does not have enough resources")));
        QVERIFY(e.message().contains(QLatin1String("second")));
        QVERIFY(!e.isRetryable());
    }
};

SKYDECK_TEST_MAIN(TestGceJson)
#include "tst_gce_json.moc"
