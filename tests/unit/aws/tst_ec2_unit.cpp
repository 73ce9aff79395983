// EC2 without a server: the Query API request signed exactly as botocore's SigV4Auth signs it
// (tests/unit/aws/botocore_sign.py on Debian's python3-botocore), the form body, the error
// documents and their categories, the response parsers on whole, nested and broken documents, and
// where the EC2 endpoint comes from.
#include "AwsConfig.h"
#include "Ec2Client.h"
#include "Ec2Errors.h"
#include "Ec2Xml.h"
#include "Peers.h"
#include "TestMain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

QString sourceDir()
{
    return qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK));
}

HttpResponse response(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    return r;
}

QByteArray errorDoc(const QByteArray &code, const QByteArray &message = "msg")
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code + "</Code><Message>" + message
        + "</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";
}

// A DescribeInstances answer shaped like EC2's (nested <item>s in block devices, interfaces and tags).
const QByteArray kDescribe =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
    "  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>\n"
    "  <reservationSet>\n"
    "    <item>\n"
    "      <reservationId>r-1234567890abcdef0</reservationId>\n"
    "      <ownerId>123456789012</ownerId>\n"
    "      <groupSet/>\n"
    "      <instancesSet>\n"
    "        <item>\n"
    "          <instanceId>i-1234567890abcdef0</instanceId>\n"
    "          <imageId>ami-bff32ccc</imageId>\n"
    "          <instanceState><code>16</code><name>running</name></instanceState>\n"
    "          <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>\n"
    "          <keyName>my_keypair</keyName>\n"
    "          <instanceType>p3.2xlarge</instanceType>\n"
    "          <launchTime>2018-05-08T16:46:19.000Z</launchTime>\n"
    "          <placement><availabilityZone>eu-west-1c</availabilityZone><groupName/><tenancy>default</tenancy></placement>\n"
    "          <privateIpAddress>192.168.1.88</privateIpAddress>\n"
    "          <ipAddress>54.194.252.215</ipAddress>\n"
    "          <instanceLifecycle>spot</instanceLifecycle>\n"
    "          <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-1</volumeId><status>attached</status></ebs></item></blockDeviceMapping>\n"
    "          <tagSet>\n"
    "            <item><key>Name</key><value>trainer &amp; co</value></item>\n"
    "            <item><key>team</key><value>ml</value></item>\n"
    "          </tagSet>\n"
    "          <networkInterfaceSet><item><networkInterfaceId>eni-1</networkInterfaceId><privateIpAddress>192.168.1.88</privateIpAddress>\n"
    "            <privateIpAddressesSet><item><privateIpAddress>192.168.1.88</privateIpAddress><primary>true</primary></item></privateIpAddressesSet>\n"
    "          </item></networkInterfaceSet>\n"
    "        </item>\n"
    "        <item>\n"
    "          <instanceId>i-0598c7d356eba48d7</instanceId>\n"
    "          <imageId>ami-0abc</imageId>\n"
    "          <instanceState><code>80</code><name>stopped</name></instanceState>\n"
    "          <instanceType>t3.micro</instanceType>\n"
    "          <launchTime>2018-05-08T16:46:19.000Z</launchTime>\n"
    "          <placement><availabilityZone>eu-west-1a</availabilityZone></placement>\n"
    "        </item>\n"
    "      </instancesSet>\n"
    "    </item>\n"
    "  </reservationSet>\n"
    "  <nextToken>eyJ2IjoiMiJ9</nextToken>\n"
    "</DescribeInstancesResponse>\n";

} // namespace

class TestEc2Unit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void signatureMatchesBotocore();
    void formBody();
    void errorCategories_data();
    void errorCategories();
    void errorDocument();
    void throttlingIsRetryable();
    void describeInstances();
    void brokenDocuments_data();
    void brokenDocuments();
    void regionsAndTypes();
    void states();
    void endpointFromEnvironmentAndProfile();
};

void TestEc2Unit::signatureMatchesBotocore()
{
    const QString python = QStringLiteral("/usr/bin/python3");
    const QString script = sourceDir() + QStringLiteral("/tests/unit/aws/botocore_sign.py");
    if (!QFile::exists(python)) {
        if (skydeck::test::runningInCi())
            QFAIL("/usr/bin/python3 is missing (scripts/setup.sh installs python3-botocore)");
        QSKIP("/usr/bin/python3 is missing");
    }
    struct Case {
        HttpRequest request;
        Credentials creds;
        QString region;
        QDateTime when;
    };
    QRandomGenerator rng(4242);
    const QStringList regions = {QStringLiteral("us-east-1"), QStringLiteral("eu-west-3"), QStringLiteral("ap-southeast-2"),
                                 QStringLiteral("cn-north-1")};
    const QStringList endpoints = {QString(), QStringLiteral("http://127.0.0.1:4566"), QStringLiteral("https://ec2.example.com"),
                                   QStringLiteral("http://localhost:8080/ec2/")};
    const QStringList values = {QStringLiteral("i-0123456789abcdef0"), QStringLiteral("train ü 1"), QStringLiteral("a+b=c&d"),
                                QStringLiteral("日本 ~ * ' ( ) !"), QStringLiteral("/dev/sda1"), QStringLiteral("100%")};
    QList<Case> cases;
    for (int i = 0; i < 120; ++i) {
        Ec2Config cfg;
        cfg.endpoint = QUrl(endpoints.at(i % endpoints.size()));
        cfg.credentials.accessKeyId = QStringLiteral("AKIDEXAMPLE%1").arg(i);
        cfg.credentials.secretAccessKey = QStringLiteral("wJalrXUtnFEMI/K7MDENG+bPxRfiCY%1").arg(i);
        if (i % 3 == 0)
            cfg.credentials.sessionToken = QStringLiteral("IQoJb3JpZ2luX2VjE//token+%1=").arg(i);
        Ec2Client client(cfg);
        QueryItems params = {{"Action", "DescribeInstances"}, {"Version", Ec2Client::kApiVersion}};
        const int n = int(rng.bounded(6));
        for (int k = 0; k < n; ++k)
            params.append({"Filter.1.Value." + QByteArray::number(k + 1), values.at(int(rng.bounded(int(values.size())))).toUtf8()});
        Case c;
        c.region = regions.at(int(rng.bounded(int(regions.size()))));
        c.when = QDateTime(QDate(2026, 1 + i % 12, 1 + i % 28), QTime(i % 24, i % 60, 7), Qt::UTC);
        c.request = client.buildRequest(c.region, params, c.when);
        c.creds = cfg.credentials;
        cases.append(c);
    }
    QJsonArray input;
    for (const Case &c : cases) {
        QJsonObject o;
        o[QStringLiteral("service")] = QStringLiteral("ec2");
        o[QStringLiteral("method")] = QString::fromLatin1(c.request.method);
        o[QStringLiteral("url")] = c.request.url.toString(QUrl::FullyEncoded);
        o[QStringLiteral("headers")] = QJsonArray{QJsonArray{QStringLiteral("Content-Type"),
                                                              QString::fromLatin1(c.request.header("Content-Type"))}};
        o[QStringLiteral("body_b64")] = QString::fromLatin1(c.request.body.toBase64());
        o[QStringLiteral("access_key")] = c.creds.accessKeyId;
        o[QStringLiteral("secret")] = c.creds.secretAccessKey;
        o[QStringLiteral("token")] = c.creds.sessionToken;
        o[QStringLiteral("region")] = c.region;
        o[QStringLiteral("timestamp")] = QString::fromLatin1(SigV4::amzDate(c.when));
        input.append(o);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile in(dir.filePath(QStringLiteral("ec2.json")));
    QVERIFY(in.open(QIODevice::WriteOnly));
    in.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
    in.close();
    QProcess p;
    p.start(python, {script, in.fileName()});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray err = p.readAllStandardError();
    if (p.exitCode() == 3) {
        if (skydeck::test::runningInCi())
            QFAIL(qPrintable(QStringLiteral("botocore missing under CI: ") + QString::fromUtf8(err)));
        QSKIP(qPrintable(QStringLiteral("botocore missing: ") + QString::fromUtf8(err)));
    }
    QVERIFY2(p.exitCode() == 0, err.constData());
    const QJsonArray results = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QLatin1String("results")).toArray();
    QCOMPARE(results.size(), cases.size());
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const Case &c = cases[i];
        const QByteArray theirs = results[i].toObject().value(QLatin1String("authorization")).toString().toLatin1();
        const QByteArray ours = c.request.header("Authorization");
        QVERIFY2(ours == theirs, qPrintable(QStringLiteral("case %1 %2 %3\n ours:   %4\n theirs: %5")
                                                .arg(i)
                                                .arg(c.request.url.toString(), QString::fromUtf8(c.request.body),
                                                     QString::fromLatin1(ours), QString::fromLatin1(theirs))));
        QVERIFY(ours.contains("/ec2/aws4_request"));
        QCOMPARE(c.request.header("X-Amz-Date"), SigV4::amzDate(c.when));
        QCOMPARE(c.request.hasHeader("X-Amz-Security-Token"), !c.creds.sessionToken.isEmpty());
        QVERIFY(!c.request.hasHeader("x-amz-content-sha256"));  // S3 only
    }
}

void TestEc2Unit::formBody()
{
    const QueryItems params = {{"Action", "RunInstances"}, {"TagSpecification.1.Tag.1.Value", "train ü 1 & a+b=c/~"}};
    QCOMPARE(Ec2Client::formBody(params),
             QByteArray("Action=RunInstances&TagSpecification.1.Tag.1.Value=train+%C3%BC+1+%26+a%2Bb%3Dc%2F~"));
    Ec2Config cfg;
    Ec2Client aws(cfg);
    QCOMPARE(aws.endpointFor(QStringLiteral("eu-west-3")).toString(), QStringLiteral("https://ec2.eu-west-3.amazonaws.com/"));
    QCOMPARE(aws.endpointFor(QStringLiteral("cn-north-1")).host(), QStringLiteral("ec2.cn-north-1.amazonaws.com.cn"));
    cfg.endpoint = QUrl(QStringLiteral("http://127.0.0.1:5000"));
    Ec2Client local(cfg);
    QCOMPARE(local.endpointFor(QStringLiteral("eu-west-3")).toString(), QStringLiteral("http://127.0.0.1:5000"));
    const HttpRequest r = local.buildRequest(QStringLiteral("eu-west-3"), params, QDateTime::currentDateTimeUtc());
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.url.path(), QStringLiteral("/"));
    QCOMPARE(r.header("Content-Type"), QByteArray("application/x-www-form-urlencoded; charset=utf-8"));
    QVERIFY(!r.hasHeader("Authorization"));  // no access key: unsigned
}

void TestEc2Unit::errorCategories_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("category");
    using C = Error::Category;
    QTest::newRow("not found") << "InvalidInstanceID.NotFound" << 400 << int(C::NotFound);
    QTest::newRow("malformed") << "InvalidInstanceID.Malformed" << 400 << int(C::InvalidInput);
    QTest::newRow("state") << "IncorrectInstanceState" << 400 << int(C::Conflict);
    QTest::newRow("throttled") << "RequestLimitExceeded" << 503 << int(C::Throttled);
    QTest::newRow("unauthorized") << "UnauthorizedOperation" << 403 << int(C::Permission);
    QTest::newRow("auth") << "AuthFailure" << 401 << int(C::Auth);
    QTest::newRow("signature") << "SignatureDoesNotMatch" << 403 << int(C::Auth);
    QTest::newRow("ami") << "InvalidAMIID.NotFound" << 400 << int(C::NotFound);
    QTest::newRow("ami malformed") << "InvalidAMIID.Malformed" << 400 << int(C::InvalidInput);
    QTest::newRow("key pair") << "InvalidKeyPair.NotFound" << 400 << int(C::NotFound);
    QTest::newRow("capacity") << "InsufficientInstanceCapacity" << 500 << int(C::Conflict);
    QTest::newRow("param") << "InvalidParameterValue" << 400 << int(C::InvalidInput);
    QTest::newRow("unavailable") << "Unavailable" << 503 << int(C::Server);
    QTest::newRow("unknown 400") << "SomethingNew" << 400 << int(C::InvalidInput);
    QTest::newRow("unknown 500") << "SomethingNew" << 500 << int(C::Server);
}

void TestEc2Unit::errorCategories()
{
    QFETCH(QString, code);
    QFETCH(int, status);
    QFETCH(int, category);
    const Error e = ec2Error(response(status, errorDoc(code.toLatin1(), "The thing")), QStringLiteral("ctx"));
    QCOMPARE(int(e.category()), category);
    QCOMPARE(e.code(), code);
    QCOMPARE(e.httpStatus(), status);
    QCOMPARE(e.message(), QStringLiteral("The thing"));
    QCOMPARE(e.context(), QStringLiteral("ctx"));
}

void TestEc2Unit::errorDocument()
{
    Ec2ErrorDocument doc;
    QVERIFY(parseEc2Error(errorDoc("AuthFailure", "AWS was not able to validate the provided access credentials"), &doc));
    QCOMPARE(doc.code, QStringLiteral("AuthFailure"));
    QCOMPARE(doc.requestId, QStringLiteral("ea966190-f9aa-478e-9ede-example"));
    // The other Query services' shape (moto answers EC2 auth failures with it).
    QVERIFY(parseEc2Error("<ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>m</Message><Type>Sender</Type>"
                          "</Error></Errors></ErrorResponse>",
                          &doc));
    QCOMPARE(doc.code, QStringLiteral("AuthFailure"));
    QVERIFY(parseEc2Error("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                          "</Error><RequestId>r-1</RequestId></ErrorResponse>",
                          &doc));
    QCOMPARE(doc.code, QStringLiteral("Throttling"));
    QCOMPARE(doc.requestId, QStringLiteral("r-1"));
    // An S3 document or garbage is not EC2's: the error falls back to the status.
    QVERIFY(!parseEc2Error("<Error><Code>SlowDown</Code></Error>", &doc));
    QVERIFY(!parseEc2Error("<html>gateway</html>", &doc));
    QVERIFY(!parseEc2Error("", &doc));
    const Error e = ec2Error(response(502, "<html>bad gateway</html>"), {});
    QCOMPARE(e.category(), Error::Category::Server);
    QVERIFY(e.code().isEmpty());
    const Error forbidden = ec2Error(response(403, {}), {});
    QCOMPARE(forbidden.category(), Error::Category::Permission);
}

void TestEc2Unit::throttlingIsRetryable()
{
    QVERIFY(isRetryableEc2Response(response(400, errorDoc("Throttling"))));
    QVERIFY(isRetryableEc2Response(response(400, errorDoc("RequestLimitExceeded"))));
    QVERIFY(!isRetryableEc2Response(response(400, errorDoc("IncorrectInstanceState"))));
    QVERIFY(!isRetryableEc2Response(response(400, errorDoc("InvalidInstanceID.NotFound"))));
    // A 503 is retried by the HTTP layer itself; once given up it reads as throttling.
    QCOMPARE(ec2Error(response(503, errorDoc("RequestLimitExceeded")), {}).category(), Error::Category::Throttled);
    QVERIFY(ec2Error(response(503, errorDoc("RequestLimitExceeded")), {}).isRetryable());
}

void TestEc2Unit::describeInstances()
{
    const Result<InstancePage> page = Ec2Xml::parseDescribeInstances(kDescribe);
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    QCOMPARE(page->nextPageToken, QStringLiteral("eyJ2IjoiMiJ9"));
    QCOMPARE(page->instances.size(), 2);
    const Instance &a = page->instances[0];
    QCOMPARE(a.id, QStringLiteral("i-1234567890abcdef0"));
    QCOMPARE(a.resource, a.id);
    QCOMPARE(a.name, QStringLiteral("trainer & co"));
    QCOMPARE(a.tags.value(QStringLiteral("team")), QStringLiteral("ml"));
    QCOMPARE(a.tags.size(), 2);
    QCOMPARE(a.state, InstanceState::Running);
    QCOMPARE(a.providerState, QStringLiteral("running"));
    QCOMPARE(a.machineType, QStringLiteral("p3.2xlarge"));
    QCOMPARE(a.zone, QStringLiteral("eu-west-1c"));
    QCOMPARE(a.publicIp, QStringLiteral("54.194.252.215"));
    QCOMPARE(a.privateIp, QStringLiteral("192.168.1.88"));
    QCOMPARE(a.keyName, QStringLiteral("my_keypair"));
    QCOMPARE(a.image, QStringLiteral("ami-bff32ccc"));
    QVERIFY(a.spot);
    QCOMPARE(a.launched, QDateTime(QDate(2018, 5, 8), QTime(16, 46, 19), Qt::UTC));
    const Instance &b = page->instances[1];
    QCOMPARE(b.state, InstanceState::Stopped);
    QVERIFY(b.name.isEmpty());
    QVERIFY(b.publicIp.isEmpty());
    QVERIFY(!b.spot);
    QVERIFY(b.tags.isEmpty());
}

void TestEc2Unit::brokenDocuments_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated") << kDescribe.left(kDescribe.size() / 2);
    QTest::newRow("error document") << errorDoc("InternalError");
    QTest::newRow("other root") << QByteArray("<RunInstancesResponse/>");
    QTest::newRow("no instance id") << QByteArray("<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
                                                  "<instanceType>t3.micro</instanceType></item></instancesSet></item>"
                                                  "</reservationSet></DescribeInstancesResponse>");
}

void TestEc2Unit::brokenDocuments()
{
    QFETCH(QByteArray, body);
    const Result<InstancePage> page = Ec2Xml::parseDescribeInstances(body);
    QVERIFY(!page.ok());
    QCOMPARE(page.error().category(), Error::Category::Server);
}

void TestEc2Unit::regionsAndTypes()
{
    const QByteArray regions = "<DescribeRegionsResponse><regionInfo>"
                               "<item><regionName>eu-west-3</regionName><optInStatus>opt-in-not-required</optInStatus></item>"
                               "<item><regionName>ap-east-1</regionName><optInStatus>not-opted-in</optInStatus></item>"
                               "<item><regionName>me-south-1</regionName><optInStatus>opted-in</optInStatus></item>"
                               "<item><regionName>us-east-1</regionName></item>"
                               "</regionInfo></DescribeRegionsResponse>";
    const Result<QStringList> r = Ec2Xml::parseDescribeRegions(regions);
    QVERIFY(r.ok());
    QCOMPARE(r.value(), (QStringList{QStringLiteral("eu-west-3"), QStringLiteral("me-south-1"), QStringLiteral("us-east-1")}));

    const QByteArray types =
        "<DescribeInstanceTypesResponse><instanceTypeSet>"
        "<item><instanceType>p4d.24xlarge</instanceType><memoryInfo><sizeInMiB>1179648</sizeInMiB></memoryInfo>"
        "<gpuInfo><gpus><item><name>A100</name><manufacturer>NVIDIA</manufacturer><count>8</count>"
        "<memoryInfo><sizeInMiB>40960</sizeInMiB></memoryInfo></item></gpus></gpuInfo></item>"
        "<item><instanceType>p4de.24xlarge</instanceType><gpuInfo><gpus><item><name>A100</name><count>8</count>"
        "<memoryInfo><sizeInMiB>81920</sizeInMiB></memoryInfo></item></gpus></gpuInfo></item>"
        "<item><instanceType>g4dn.xlarge</instanceType><gpuInfo><gpus><item><name>T4</name><count>1</count>"
        "<memoryInfo><sizeInMiB>16384</sizeInMiB></memoryInfo></item></gpus></gpuInfo></item>"
        "<item><instanceType>inf2.xlarge</instanceType><neuronInfo><neuronDevices><item><name>Inferentia2</name>"
        "<memoryInfo><sizeInMiB>32768</sizeInMiB></memoryInfo></item></neuronDevices></neuronInfo></item>"
        "<item><instanceType>t3.micro</instanceType></item>"
        "</instanceTypeSet><nextToken>tok</nextToken></DescribeInstanceTypesResponse>";
    QString next;
    const Result<QHash<QString, GpuInfo>> t = Ec2Xml::parseDescribeInstanceTypes(types, &next);
    QVERIFY2(t.ok(), qPrintable(t.error().toString()));
    QCOMPARE(next, QStringLiteral("tok"));
    QCOMPARE(t->size(), 5);
    QCOMPARE(t->value(QStringLiteral("p4d.24xlarge")).count, 8);
    QCOMPARE(t->value(QStringLiteral("p4d.24xlarge")).model, QStringLiteral("A100 40GB"));
    QCOMPARE(t->value(QStringLiteral("p4de.24xlarge")).model, QStringLiteral("A100 80GB"));
    QCOMPARE(t->value(QStringLiteral("g4dn.xlarge")).model, QStringLiteral("T4"));
    QCOMPARE(t->value(QStringLiteral("inf2.xlarge")).count, 0);
    QCOMPARE(t->value(QStringLiteral("t3.micro")).count, 0);
    QVERIFY(t->value(QStringLiteral("t3.micro")).model.isEmpty());

    // A server's counts are summed without overflow (signed overflow, UBSan) and never go negative.
    const Result<QHash<QString, GpuInfo>> lying = Ec2Xml::parseDescribeInstanceTypes(
        "<DescribeInstanceTypesResponse><instanceTypeSet>"
        "<item><instanceType>huge</instanceType><gpuInfo><gpus><item><name>X</name><count>2147483647</count></item>"
        "<item><name>X</name><count>1</count></item></gpus></gpuInfo></item>"
        "<item><instanceType>negative</instanceType><gpuInfo><gpus><item><name>Y</name><count>-3</count></item>"
        "</gpus></gpuInfo></item></instanceTypeSet></DescribeInstanceTypesResponse>");
    QVERIFY(lying.ok());
    QCOMPARE(lying->value(QStringLiteral("huge")).count, GpuInfo::kMaxCount);
    QCOMPARE(lying->value(QStringLiteral("negative")).count, 0);

    bool found = true;
    const Result<QString> root = Ec2Xml::parseImageRootDevice(
        "<DescribeImagesResponse><imagesSet><item><imageId>ami-1</imageId><blockDeviceMapping><item><deviceName>/dev/sdb"
        "</deviceName></item></blockDeviceMapping><rootDeviceName>/dev/xvda</rootDeviceName></item></imagesSet>"
        "</DescribeImagesResponse>",
        &found);
    QVERIFY(root.ok());
    QVERIFY(found);
    QCOMPARE(root.value(), QStringLiteral("/dev/xvda"));
    QVERIFY(Ec2Xml::parseImageRootDevice("<DescribeImagesResponse><imagesSet/></DescribeImagesResponse>", &found).ok());
    QVERIFY(!found);
}

void TestEc2Unit::states()
{
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("pending")), InstanceState::Pending);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("running")), InstanceState::Running);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("stopping")), InstanceState::Stopping);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("stopped")), InstanceState::Stopped);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("shutting-down")), InstanceState::Terminating);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("terminated")), InstanceState::Terminated);
    QCOMPARE(Ec2Xml::mapState(QStringLiteral("hibernating")), InstanceState::Unknown);
}

void TestEc2Unit::endpointFromEnvironmentAndProfile()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QDir(home.path()).mkpath(QStringLiteral(".aws"));
    QFile cfg(home.filePath(QStringLiteral(".aws/config")));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write("[default]\nregion = eu-west-3\nendpoint_url = http://all.example:1\nec2 =\n  endpoint_url = http://ec2.example:2\n"
              "aws_access_key_id = AKID\naws_secret_access_key = SECRET\n");
    cfg.close();
    QProcessEnvironment env;
    auto ec2Endpoint = [&] {
        const QList<Account> a = discoverAccounts(env, home.path());
        return a.isEmpty() ? QStringLiteral("<none>") : a.first().setting(QStringLiteral("ec2Endpoint"));
    };
    QCOMPARE(ec2Endpoint(), QStringLiteral("http://ec2.example:2"));
    env.insert(QStringLiteral("AWS_ENDPOINT_URL"), QStringLiteral("http://env.example:3"));
    QCOMPARE(ec2Endpoint(), QStringLiteral("http://env.example:3"));
    env.insert(QStringLiteral("AWS_ENDPOINT_URL_EC2"), QStringLiteral("http://env-ec2.example:4"));
    QCOMPARE(ec2Endpoint(), QStringLiteral("http://env-ec2.example:4"));
    env.insert(QStringLiteral("AWS_ENDPOINT_URL_S3"), QStringLiteral("http://s3.example:5"));
    QCOMPARE(ec2Endpoint(), QStringLiteral("http://env-ec2.example:4"));  // S3's does not apply
    env.insert(QStringLiteral("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), QStringLiteral("true"));
    QCOMPARE(ec2Endpoint(), QString());

    const Account a = discoverAccounts(QProcessEnvironment(), home.path()).first();
    const Ec2Config c = Ec2Config::fromAccount(a);
    QCOMPARE(c.endpoint, QUrl(QStringLiteral("http://ec2.example:2")));
    QCOMPARE(c.region, QStringLiteral("eu-west-3"));
    QVERIFY(!c.regionPinned);
    QCOMPARE(c.credentials.accessKeyId, QStringLiteral("AKID"));
    QCOMPARE(c.accountId, a.id);
}

SKYDECK_TEST_MAIN(TestEc2Unit)
#include "tst_ec2_unit.moc"
