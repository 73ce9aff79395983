// Every S3 and EC2 XML reader against documents built to exhaust it: elements nested 80,000 deep
// inside a text element (readElementText(IncludeChildElements) recursed once per level and overflowed
// the stack), nesting deeper than the walk allows, huge texts and huge bodies. Each must end in a
// clear MalformedXML error (or "not an error document"), never a crash.
#include "AwsXml.h"
#include "Ec2Errors.h"
#include "Ec2Xml.h"
#include "S3Errors.h"
#include "S3Xml.h"
#include "TestMain.h"

using namespace skydeck;
using namespace skydeck::aws;

namespace {
constexpr int kDeep = 80000;  // ~0.5 MB, as the probe sent

QByteArray nested(int depth)
{
    QByteArray open;
    QByteArray close;
    open.reserve(depth * 3);
    close.reserve(depth * 4);
    for (int i = 0; i < depth; ++i) {
        open += "<a>";
        close += "</a>";
    }
    return open + "x" + close;
}

// `head` + deep nesting + `tail`: the nesting sits inside the element whose text a parser reads.
QByteArray wrap(const QByteArray &head, const QByteArray &tail, int depth = kDeep)
{
    return head + nested(depth) + tail;
}

HttpResponse response(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    return r;
}
} // namespace

class TestAwsXmlLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deepTextInEveryS3Reader_data();
    void deepTextInEveryS3Reader();
    void deepTextInEveryEc2Reader_data();
    void deepTextInEveryEc2Reader();
    void deepErrorDocuments();
    void nestingLimitOutsideTexts();
    void shallowNestingInsideTextStillReads();
    void hugeTextRefused();
    void hugeBodyRefused();
};

void TestAwsXmlLimits::deepTextInEveryS3Reader_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("parser");
    const QByteArray listHead = "<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated><Contents><Key>";
    QTest::newRow("ListObjectsV2 Key") << wrap(listHead, "</Key><Size>1</Size></Contents></ListBucketResult>") << 0;
    QTest::newRow("ListObjectsV2 IsTruncated")
        << wrap("<ListBucketResult><IsTruncated>", "</IsTruncated></ListBucketResult>") << 0;
    QTest::newRow("ListBuckets Name")
        << wrap("<ListAllMyBucketsResult><Buckets><Bucket><Name>", "</Name></Bucket></Buckets></ListAllMyBucketsResult>")
        << 1;
    QTest::newRow("CreateMultipartUpload UploadId")
        << wrap("<InitiateMultipartUploadResult><UploadId>", "</UploadId></InitiateMultipartUploadResult>") << 2;
    QTest::newRow("CompleteMultipartUpload ETag")
        << wrap("<CompleteMultipartUploadResult><ETag>", "</ETag></CompleteMultipartUploadResult>") << 3;
    QTest::newRow("CopyObject ETag") << wrap("<CopyObjectResult><ETag>", "</ETag></CopyObjectResult>") << 4;
    QTest::newRow("DeleteObjects Error Key")
        << wrap("<DeleteResult><Error><Key>", "</Key></Error></DeleteResult>") << 5;
}

void TestAwsXmlLimits::deepTextInEveryS3Reader()
{
    QFETCH(QByteArray, body);
    QFETCH(int, parser);
    Error e;
    switch (parser) {
    case 0: e = S3Xml::parseListObjectsV2(body).error(); break;
    case 1: e = S3Xml::parseListBuckets(body).error(); break;
    case 2: e = S3Xml::parseInitiateMultipartUpload(body).error(); break;
    case 3: e = S3Xml::parseCompleteMultipartUpload(body).error(); break;
    case 4: e = S3Xml::parseCopyObjectResult(body).error(); break;
    default: e = S3Xml::parseDeleteResult(body).error(); break;
    }
    QCOMPARE(e.code(), QStringLiteral("MalformedXML"));
    QVERIFY2(e.message().contains(QLatin1String("nested")), qPrintable(e.message()));
}

void TestAwsXmlLimits::deepTextInEveryEc2Reader_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("parser");
    const QByteArray inst = "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>";
    QTest::newRow("DescribeInstances instanceId")
        << wrap(inst, "</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>") << 0;
    QTest::newRow("DescribeInstances tag value")
        << wrap(inst + "i-1</instanceId><tagSet><item><key>Name</key><value>",
                "</value></item></tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>")
        << 0;
    QTest::newRow("DescribeInstances nextToken")
        << wrap("<DescribeInstancesResponse><nextToken>", "</nextToken></DescribeInstancesResponse>") << 0;
    QTest::newRow("RunInstances instanceId")
        << wrap("<RunInstancesResponse><instancesSet><item><instanceId>",
                "</instanceId></item></instancesSet></RunInstancesResponse>")
        << 1;
    QTest::newRow("DescribeImages rootDeviceName")
        << wrap("<DescribeImagesResponse><imagesSet><item><rootDeviceName>",
                "</rootDeviceName></item></imagesSet></DescribeImagesResponse>")
        << 2;
    QTest::newRow("DescribeRegions regionName")
        << wrap("<DescribeRegionsResponse><regionInfo><item><regionName>",
                "</regionName></item></regionInfo></DescribeRegionsResponse>")
        << 3;
    QTest::newRow("DescribeInstanceTypes instanceType")
        << wrap("<DescribeInstanceTypesResponse><instanceTypeSet><item><instanceType>",
                "</instanceType></item></instanceTypeSet></DescribeInstanceTypesResponse>")
        << 4;
}

void TestAwsXmlLimits::deepTextInEveryEc2Reader()
{
    QFETCH(QByteArray, body);
    QFETCH(int, parser);
    Error e;
    bool found = false;
    switch (parser) {
    case 0: e = Ec2Xml::parseDescribeInstances(body).error(); break;
    case 1: e = Ec2Xml::parseRunInstances(body).error(); break;
    case 2: e = Ec2Xml::parseImageRootDevice(body, &found).error(); break;
    case 3: e = Ec2Xml::parseDescribeRegions(body).error(); break;
    default: e = Ec2Xml::parseDescribeInstanceTypes(body).error(); break;
    }
    QCOMPARE(e.code(), QStringLiteral("MalformedXML"));
    QVERIFY2(e.message().contains(QLatin1String("nested")), qPrintable(e.message()));
}

void TestAwsXmlLimits::deepErrorDocuments()
{
    // Any error response reaches these: S3's <Error>, EC2's <Response><Errors><Error>.
    const QByteArray s3 = wrap("<Error><Code>", "</Code><Message>m</Message></Error>");
    S3ErrorDocument doc;
    QVERIFY(!S3Xml::parseError(s3, &doc));
    const Error se = s3Error(response(403, s3), QStringLiteral("Listing b"));
    QVERIFY(!se.message().isEmpty());
    QVERIFY2(se.message().size() < 2000, "the error text must not carry the document");

    const QByteArray ec2 = wrap("<Response><Errors><Error><Code>", "</Code></Error></Errors></Response>");
    const QByteArray ec2Msg =
        wrap("<Response><Errors><Error><Code>X</Code><Message>", "</Message></Error></Errors></Response>");
    const QByteArray ec2Deep = wrap("<Response><Errors>", "</Errors></Response>");
    for (const QByteArray &b : {ec2, ec2Msg, ec2Deep}) {
        Ec2ErrorDocument d;
        parseEc2Error(b, &d);  // must return, whatever it decides
        const Error ee = ec2Error(response(400, b), QStringLiteral("Starting i-1"));
        QVERIFY(!ee.message().isEmpty());
        QVERIFY2(ee.message().size() < 2000, "the error text must not carry the document");
    }
}

void TestAwsXmlLimits::nestingLimitOutsideTexts()
{
    // Deep elements the readers do not read still may not nest without end.
    const QByteArray body = wrap("<ListBucketResult><IsTruncated>false</IsTruncated><Unknown>",
                                 "</Unknown></ListBucketResult>", AwsXml::kMaxDepth + 5);
    const Error e = S3Xml::parseListObjectsV2(body).error();
    QCOMPARE(e.code(), QStringLiteral("MalformedXML"));
    QVERIFY2(e.message().contains(QLatin1String("nested")), qPrintable(e.message()));

    // Up to the limit is fine.
    const QByteArray ok = wrap("<ListBucketResult><IsTruncated>false</IsTruncated><Unknown>",
                               "</Unknown></ListBucketResult>", AwsXml::kMaxDepth - 3);
    QVERIFY2(S3Xml::parseListObjectsV2(ok).ok(), qPrintable(S3Xml::parseListObjectsV2(ok).error().message()));
}

void TestAwsXmlLimits::shallowNestingInsideTextStillReads()
{
    // A text element holding a few child elements reads as their text joined (as before).
    const QByteArray body = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a<b>b<c>c</c></b>d"
                            "</Key><Size>1</Size></Contents></ListBucketResult>";
    const Result<ListPage> r = S3Xml::parseListObjectsV2(body);
    QVERIFY2(r.ok(), qPrintable(r.error().message()));
    QCOMPARE(r.value().entries.size(), 1);
    QCOMPARE(r.value().entries.first().key, QStringLiteral("abcd"));
}

void TestAwsXmlLimits::hugeTextRefused()
{
    // One key of 64 MiB: far beyond S3's 1024-byte key; refused without building the string.
    const QByteArray body = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>"
        + QByteArray(AwsXml::kMaxTextChars + 1, 'k') + "</Key><Size>1</Size></Contents></ListBucketResult>";
    const Error e = S3Xml::parseListObjectsV2(body).error();
    QCOMPARE(e.code(), QStringLiteral("MalformedXML"));
    QVERIFY2(e.message().contains(QLatin1String("text")), qPrintable(e.message()));
}

void TestAwsXmlLimits::hugeBodyRefused()
{
    QByteArray body = "<ListBucketResult><IsTruncated>false</IsTruncated>";
    const QByteArray row = "<Contents><Key>k</Key><Size>1</Size></Contents>";
    while (body.size() <= AwsXml::kMaxBodyBytes)
        body += row;
    body += "</ListBucketResult>";
    const Error e = S3Xml::parseListObjectsV2(body).error();
    QCOMPARE(e.code(), QStringLiteral("MalformedXML"));
    QVERIFY2(e.message().contains(QLatin1String("MiB")), qPrintable(e.message()));
}

SKYDECK_TEST_MAIN(TestAwsXmlLimits)
#include "tst_aws_xml_limits.moc"
