// S3's XML answers: listings (hostile keys included), malformed and truncated documents, error
// documents and their mapping to Error.
#include "S3Errors.h"
#include "S3Xml.h"
#include "TestMain.h"

#include <QXmlStreamReader>

using namespace skydeck;
using namespace skydeck::aws;

namespace {
const QByteArray kListHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                             "<Name>b</Name><Prefix></Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>";

QByteArray contents(const QByteArray &key, qint64 size = 5)
{
    return "<Contents><Key>" + key + "</Key><LastModified>2024-02-29T12:34:56.789Z</LastModified>"
           "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>" + QByteArray::number(size)
        + "</Size><StorageClass>GLACIER</StorageClass></Contents>";
}

HttpResponse response(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    return r;
}
} // namespace

class TestS3Xml : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listing();
    void listingUrlEncoded();
    void hostileKeys();
    void truncatedListingWithoutToken();
    void malformed_data();
    void malformed();
    void listBuckets();
    void multipartAndCopy();
    void answersOfOtherNamesAreReadByContent();
    void listPartsAndUploads();
    void deleteResult();
    void requestBodies();
    void deleteRequestKeepsCarriageReturns();
    void errorDocuments_data();
    void errorDocuments();
    void headErrorsByStatus();
    void retryClassifierAndRegionHint();
};

void TestS3Xml::listing()
{
    const QByteArray body = kListHead + "<IsTruncated>true</IsTruncated>"
        + contents("a/file.txt", 1234) + "<CommonPrefixes><Prefix>a/sub/</Prefix></CommonPrefixes>"
        + "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>";
    const Result<ListPage> page = S3Xml::parseListObjectsV2(body);
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    QCOMPARE(page.value().entries.size(), 2);
    const ObjectEntry &o = page.value().entries[0];
    QCOMPARE(o.key, QStringLiteral("a/file.txt"));
    QCOMPARE(o.size, 1234);
    QCOMPARE(o.etag, QStringLiteral("9b2cf535f27731c974343645a3985328"));
    QCOMPARE(o.storageClass, QStringLiteral("GLACIER"));
    QCOMPARE(o.modified, QDateTime(QDate(2024, 2, 29), QTime(12, 34, 56, 789), Qt::UTC));
    QVERIFY(!o.isPrefix);
    QVERIFY(page.value().entries[1].isPrefix);
    QCOMPARE(page.value().entries[1].key, QStringLiteral("a/sub/"));
    QVERIFY(page.value().truncated);
    QCOMPARE(page.value().nextContinuation, QStringLiteral("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));

    const Result<ListPage> last = S3Xml::parseListObjectsV2(kListHead + "<IsTruncated>false</IsTruncated></ListBucketResult>");
    QVERIFY(last.ok());
    QVERIFY(last.value().entries.isEmpty());
    QVERIFY(!last.value().truncated);
    QVERIFY(last.value().nextContinuation.isEmpty());
}

void TestS3Xml::listingUrlEncoded()
{
    const QByteArray body = kListHead + "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
        + contents("dir/a+b%2Bc%20d%E2%9C%93.txt") + "<CommonPrefixes><Prefix>sp%20ace/</Prefix></CommonPrefixes></ListBucketResult>";
    const Result<ListPage> page = S3Xml::parseListObjectsV2(body);
    QVERIFY(page.ok());
    QCOMPARE(page.value().entries[0].key, QString::fromUtf8("dir/a b+c d\xe2\x9c\x93.txt"));
    QCOMPARE(page.value().entries[1].key, QStringLiteral("sp ace/"));
    // Without EncodingType the same text is taken literally.
    const Result<ListPage> literal = S3Xml::parseListObjectsV2(kListHead + "<IsTruncated>false</IsTruncated>"
                                                                + contents("a+b%20c") + "</ListBucketResult>");
    QVERIFY(literal.ok());
    QCOMPARE(literal.value().entries[0].key, QStringLiteral("a+b%20c"));
}

void TestS3Xml::hostileKeys()
{
    const QByteArray longKey = "very/" + QByteArray(5000, 'k');
    const QByteArray body = kListHead + "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
        + contents("..%2Fx") + contents("a%2F..%2F..%2Fb") + contents("nul%00byte") + contents("%2Fetc%2Fpasswd")
        + contents(longKey) + contents("%FF%FE") + contents("%E2%80%AEevil") + "</ListBucketResult>";
    const Result<ListPage> page = S3Xml::parseListObjectsV2(body);
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    const QList<ObjectEntry> &e = page.value().entries;
    QCOMPARE(e.size(), 7);
    // Keys are data: decoded faithfully, never interpreted (LocalPath refuses them on download).
    QCOMPARE(e[0].key, QStringLiteral("../x"));
    QCOMPARE(e[1].key, QStringLiteral("a/../../b"));
    QCOMPARE(e[2].key.size(), 8);
    QCOMPARE(e[2].key.at(3), QChar(0));
    QCOMPARE(e[3].key, QStringLiteral("/etc/passwd"));
    QCOMPARE(e[4].key.size(), longKey.size());
    QVERIFY(!e[5].key.isEmpty());  // invalid UTF-8 becomes replacement characters, not a crash
    QCOMPARE(e[6].key, QString::fromUtf8("\xe2\x80\xae" "evil"));
}

void TestS3Xml::truncatedListingWithoutToken()
{
    const Result<ListPage> page = S3Xml::parseListObjectsV2(kListHead + "<IsTruncated>true</IsTruncated>" + contents("a")
                                                             + "</ListBucketResult>");
    QVERIFY(!page.ok());
    QCOMPARE(page.error().category(), Error::Category::Server);
    QVERIFY(page.error().message().contains(QLatin1String("continuation")));
}

void TestS3Xml::malformed_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray whole = kListHead + "<IsTruncated>true</IsTruncated>" + contents("a") + contents("b")
        + "<NextContinuationToken>t</NextContinuationToken></ListBucketResult>";
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>");
    QTest::newRow("not xml") << QByteArray("{\"json\": true}");
    QTest::newRow("mismatched tags") << QByteArray(kListHead + "<IsTruncated>false</Truncated></ListBucketResult>");
    QTest::newRow("no IsTruncated") << QByteArray(kListHead + contents("a") + "</ListBucketResult>");
    QTest::newRow("bad size") << QByteArray(kListHead + "<IsTruncated>false</IsTruncated>" + contents("a").replace("<Size>5", "<Size>five")
                                            + "</ListBucketResult>");
    QTest::newRow("negative size") << QByteArray(kListHead + "<IsTruncated>false</IsTruncated>" + contents("a", -1) + "</ListBucketResult>");
    QTest::newRow("missing key") << QByteArray(kListHead + "<IsTruncated>false</IsTruncated><Contents><Size>1</Size></Contents></ListBucketResult>");
    QTest::newRow("entity bomb") << QByteArray("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
                                               "<ListBucketResult><IsTruncated>false</IsTruncated>" + contents("&b;") + "</ListBucketResult>");
    // Every cut of a whole document is refused, never taken as a shorter listing.
    for (qsizetype cut : {qsizetype(10), kListHead.size(), whole.size() / 2, whole.size() - 30, whole.size() - 1})
        QTest::newRow(qPrintable(QStringLiteral("truncated at %1").arg(cut))) << whole.left(cut);
}

void TestS3Xml::malformed()
{
    QFETCH(QByteArray, body);
    const Result<ListPage> page = S3Xml::parseListObjectsV2(body);
    if (page.ok() && QTest::currentDataTag() == QLatin1String("entity bomb")) {
        // Qt does not expand internal entities in element text beyond the declared ones; what it
        // returns must at least be bounded.
        QVERIFY(page.value().entries.value(0).key.size() < 1000);
        return;
    }
    QVERIFY2(!page.ok(), QTest::currentDataTag());
    QCOMPARE(page.error().category(), Error::Category::Server);
    QVERIFY(page.error().message().contains(QLatin1String("malformed")));
}

void TestS3Xml::listBuckets()
{
    const QByteArray body = "<ListAllMyBucketsResult><Owner><ID>x</ID></Owner><Buckets>"
                            "<Bucket><Name>one</Name><CreationDate>2020-01-02T03:04:05.000Z</CreationDate></Bucket>"
                            "<Bucket><Name>two.dotted</Name><CreationDate>2021-01-02T03:04:05Z</CreationDate><BucketRegion>eu-west-1</BucketRegion></Bucket>"
                            "</Buckets></ListAllMyBucketsResult>";
    const Result<QList<Bucket>> r = S3Xml::parseListBuckets(body);
    QVERIFY(r.ok());
    QCOMPARE(r.value().size(), 2);
    QCOMPARE(r.value()[0].name, QStringLiteral("one"));
    QCOMPARE(r.value()[0].created, QDateTime(QDate(2020, 1, 2), QTime(3, 4, 5), Qt::UTC));
    QCOMPARE(r.value()[1].region, QStringLiteral("eu-west-1"));
    QVERIFY(!S3Xml::parseListBuckets(body.left(body.size() - 12)).ok());
    QVERIFY(!S3Xml::parseListBuckets("<ListAllMyBucketsResult><Buckets><Bucket></Bucket></Buckets></ListAllMyBucketsResult>").ok());
}

void TestS3Xml::multipartAndCopy()
{
    const Result<QString> id = S3Xml::parseInitiateMultipartUpload(
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>");
    QVERIFY(id.ok());
    QCOMPARE(id.value(), QStringLiteral("VXBsb2FkIElE"));
    QVERIFY(!S3Xml::parseInitiateMultipartUpload("<InitiateMultipartUploadResult><Bucket>b</Bucket></InitiateMultipartUploadResult>").ok());
    const Result<QString> etag = S3Xml::parseCompleteMultipartUpload(
        "<CompleteMultipartUploadResult><Location>x</Location><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>");
    QVERIFY(etag.ok());
    QCOMPARE(etag.value(), QStringLiteral("3858f62230ac3c915f300c664312c11f-9"));
    // A 200 whose body is an error document is not a success.
    QVERIFY(!S3Xml::parseCompleteMultipartUpload("<Error><Code>InternalError</Code><Message>m</Message></Error>").ok());
    const Result<QString> copy = S3Xml::parseCopyObjectResult(
        "<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>");
    QVERIFY(copy.ok());
    QCOMPARE(copy.value(), QStringLiteral("9b2cf535f27731c974343645a3985328"));
    QVERIFY(!S3Xml::parseCopyObjectResult("<CopyObjectResult><LastModified>x</LastModified>").ok());
}

// moto and LocalStack answer <CompleteMultipartUploadResponse>: the AWS SDKs read such answers by
// their content, so a completed upload is never reported as failed for its root's name. An answer
// without an ETag is a completion too (the client then asks HEAD).
void TestS3Xml::answersOfOtherNamesAreReadByContent()
{
    const Result<QString> moto = S3Xml::parseCompleteMultipartUpload(
        "<CompleteMultipartUploadResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key>"
        "<ETag>&quot;0f343b0931126a20f133d67c2b018a3b-2&quot;</ETag></CompleteMultipartUploadResponse>");
    QVERIFY2(moto.ok(), qPrintable(moto.error().toString()));
    QCOMPARE(moto.value(), QStringLiteral("0f343b0931126a20f133d67c2b018a3b-2"));
    const Result<QString> noEtag = S3Xml::parseCompleteMultipartUpload("<CompleteMultipartUploadResult><Bucket>b</Bucket></CompleteMultipartUploadResult>");
    QVERIFY(noEtag.ok());
    QVERIFY(noEtag.value().isEmpty());
    QVERIFY(!S3Xml::parseCompleteMultipartUpload("<CompleteMultipartUploadResult><ETag>x</ETag>").ok());  // truncated
    const Result<QString> init = S3Xml::parseInitiateMultipartUpload("<InitiateMultipartUploadResponse><UploadId>u1</UploadId></InitiateMultipartUploadResponse>");
    QVERIFY(init.ok());
    QCOMPARE(init.value(), QStringLiteral("u1"));
}

void TestS3Xml::listPartsAndUploads()
{
    QString next;
    bool truncated = false;
    const Result<QList<UploadedPart>> parts = S3Xml::parseListParts(
        "<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><PartNumberMarker>0</PartNumberMarker>"
        "<NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
        "<Part><PartNumber>1</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"aa\"</ETag><Size>5242880</Size></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>&quot;bb&quot;</ETag><Size>7</Size></Part></ListPartsResult>",
        &next, &truncated);
    QVERIFY2(parts.ok(), qPrintable(parts.error().toString()));
    QCOMPARE(parts->size(), 2);
    QCOMPARE(parts->at(0).number, 1);
    QCOMPARE(parts->at(0).etag, QStringLiteral("aa"));
    QCOMPARE(parts->at(0).size, qint64(5242880));
    QCOMPARE(parts->at(1).etag, QStringLiteral("bb"));
    QCOMPARE(next, QStringLiteral("2"));
    QVERIFY(truncated);
    // A part number S3 cannot have is a malformed answer, not a part.
    QVERIFY(!S3Xml::parseListParts("<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>0</PartNumber><Size>1</Size></Part>"
                                   "</ListPartsResult>", &next, &truncated).ok());
    QVERIFY(!S3Xml::parseListParts("<ListPartsResult><Part><PartNumber>10001</PartNumber></Part></ListPartsResult>", &next, &truncated).ok());

    const Result<MultipartUploadPage> uploads = S3Xml::parseListMultipartUploads(
        "<ListMultipartUploadsResult><Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
        "<NextKeyMarker>runs%2Fb+c</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker><EncodingType>url</EncodingType>"
        "<MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>"
        "<Upload><Key>runs%2Fa</Key><UploadId>u1</UploadId><Initiated>2024-05-01T10:00:00.000Z</Initiated><StorageClass>STANDARD</StorageClass></Upload>"
        "<Upload><Key>runs%2Fb+c</Key><UploadId>u2</UploadId><Initiated>2024-05-02T10:00:00.000Z</Initiated></Upload>"
        "</ListMultipartUploadsResult>");
    QVERIFY2(uploads.ok(), qPrintable(uploads.error().toString()));
    QCOMPARE(uploads->uploads.size(), 2);
    QCOMPARE(uploads->uploads[0].key, QStringLiteral("runs/a"));
    QCOMPARE(uploads->uploads[1].key, QStringLiteral("runs/b c"));
    QCOMPARE(uploads->uploads[0].initiated, QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC));
    QCOMPARE(uploads->nextKeyMarker, QStringLiteral("runs/b c"));
    QCOMPARE(uploads->nextUploadIdMarker, QStringLiteral("u2"));
    QVERIFY(uploads->truncated);
}

void TestS3Xml::deleteResult()
{
    int deleted = -1;
    const Result<QList<DeleteFailure>> r = S3Xml::parseDeleteResult(
        "<DeleteResult><Deleted><Key>a</Key></Deleted><Deleted><Key>b</Key></Deleted>"
        "<Error><Key>c &amp; d</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>",
        &deleted);
    QVERIFY(r.ok());
    QCOMPARE(deleted, 2);
    QCOMPARE(r.value().size(), 1);
    QCOMPARE(r.value()[0].key, QStringLiteral("c & d"));
    QCOMPARE(r.value()[0].code, QStringLiteral("AccessDenied"));
    QVERIFY(!S3Xml::parseDeleteResult("<DeleteResult><Deleted><Key>a</Key></Deleted>").ok());
}

void TestS3Xml::requestBodies()
{
    const Result<QByteArray> del = S3Xml::deleteObjectsRequest({QStringLiteral("a&b<c>\"d'"), QStringLiteral("ü ✓/x")});
    QVERIFY(del.ok());
    QVERIFY2(del.value().contains("<Key>a&amp;b&lt;c&gt;&quot;d'</Key>"), del.value().constData());
    QVERIFY(del.value().contains("<Quiet>true</Quiet>"));
    QVERIFY(QString::fromUtf8(del.value()).contains(QStringLiteral("<Key>ü ✓/x</Key>")));
    QCOMPARE(S3Xml::deleteObjectsRequest({}).error().category(), Error::Category::InvalidInput);
    QStringList many;
    for (int i = 0; i < 1001; ++i)
        many << QString::number(i);
    QCOMPARE(S3Xml::deleteObjectsRequest(many).error().category(), Error::Category::InvalidInput);
    QCOMPARE(S3Xml::deleteObjectsRequest({QString(QChar(0)) + QStringLiteral("x")}).error().category(),
             Error::Category::InvalidInput);

    const Result<QByteArray> complete = S3Xml::completeMultipartRequest(
        {UploadedPart{1, QStringLiteral("aaa"), 5}, UploadedPart{2, QStringLiteral("bbb"), 5}});
    QVERIFY(complete.ok());
    QVERIFY(complete.value().contains("<Part><PartNumber>1</PartNumber><ETag>\"aaa\"</ETag></Part>")
            || complete.value().contains("<Part><PartNumber>1</PartNumber><ETag>&quot;aaa&quot;</ETag></Part>"));
    QVERIFY(!S3Xml::completeMultipartRequest({}).ok());
    QVERIFY(!S3Xml::completeMultipartRequest({UploadedPart{2, QStringLiteral("b"), 1}, UploadedPart{1, QStringLiteral("a"), 1}}).ok());

    QVERIFY(S3Xml::createBucketRequest(QStringLiteral("us-east-1")).isEmpty());
    QVERIFY(S3Xml::createBucketRequest(QStringLiteral("eu-west-1")).contains("<LocationConstraint>eu-west-1</LocationConstraint>"));
}

// A key with a carriage return, listed (S3 sends it URL-encoded) and then deleted in a batch: the
// request must name that key, not the one with a line feed XML reads a raw CR as (found by the
// s3_xml fuzz target: tests/fuzz/crashes/s3_xml).
void TestS3Xml::deleteRequestKeepsCarriageReturns()
{
    const QStringList keys = {QStringLiteral("a\rb"), QStringLiteral("c\r\nd"), QStringLiteral("\r"),
                              QStringLiteral("e\nf"), QStringLiteral("tab\tend\r")};
    const Result<QByteArray> del = S3Xml::deleteObjectsRequest(keys);
    QVERIFY(del.ok());
    QVERIFY2(!del.value().contains('\r'), del.value().constData());
    QXmlStreamReader xml(del.value());
    QStringList named;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("Key"))
            named << xml.readElementText();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(named, keys);
}

void TestS3Xml::errorDocuments_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("category");
    using C = Error::Category;
    const QList<std::tuple<const char *, int, C>> rows = {
        {"NoSuchKey", 404, C::NotFound}, {"NoSuchBucket", 404, C::NotFound}, {"NoSuchUpload", 404, C::NotFound},
        {"AccessDenied", 403, C::Permission}, {"AllAccessDisabled", 403, C::Permission},
        {"InvalidAccessKeyId", 403, C::Auth}, {"SignatureDoesNotMatch", 403, C::Auth}, {"ExpiredToken", 400, C::Auth},
        {"InvalidToken", 400, C::Auth}, {"BucketAlreadyExists", 409, C::Conflict},
        {"BucketAlreadyOwnedByYou", 409, C::Conflict}, {"BucketNotEmpty", 409, C::Conflict},
        {"InvalidBucketState", 409, C::Conflict}, {"SlowDown", 503, C::Throttled}, {"Throttling", 400, C::Throttled},
        {"RequestLimitExceeded", 400, C::Throttled}, {"InternalError", 500, C::Server},
        {"ServiceUnavailable", 503, C::Server}, {"BadDigest", 400, C::Integrity}, {"PreconditionFailed", 412, C::Conflict},
        {"SomethingNew", 418, C::Server}, {"SomethingNew400", 400, C::InvalidInput},
    };
    for (const auto &[code, status, cat] : rows)
        QTest::newRow(code) << QString::fromLatin1(code) << status << int(cat);
}

void TestS3Xml::errorDocuments()
{
    QFETCH(QString, code);
    QFETCH(int, status);
    QFETCH(int, category);
    const QByteArray body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code.toUtf8()
        + "</Code><Message>Words from S3 about " + code.toUtf8() + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
    const Error e = s3Error(response(status, body), QStringLiteral("s3://b/k"));
    QCOMPARE(int(e.category()), category);
    QCOMPARE(e.code(), code);
    QCOMPARE(e.httpStatus(), status);
    QVERIFY(e.toString().startsWith(QLatin1String("s3://b/k: Words from S3 about")));
}

void TestS3Xml::headErrorsByStatus()
{
    QCOMPARE(s3Error(response(404, {}), {}).category(), Error::Category::NotFound);
    QCOMPARE(s3Error(response(403, {}), {}).category(), Error::Category::Permission);
    QCOMPARE(s3Error(response(412, {}), {}).category(), Error::Category::Conflict);
    QCOMPARE(s3Error(response(503, {}), {}).category(), Error::Category::Throttled);
    QCOMPARE(s3Error(response(500, "<html>oops"), {}).category(), Error::Category::Server);
    const Error truncated = s3Error(response(500, "<Error><Code>InternalError</Code><Mess"), {});
    QCOMPARE(truncated.category(), Error::Category::Server);
    QVERIFY(truncated.message().contains(QLatin1String("unreadable")));
}

void TestS3Xml::retryClassifierAndRegionHint()
{
    QVERIFY(isRetryableS3Response(response(400, "<Error><Code>RequestTimeout</Code><Message>m</Message></Error>")));
    QVERIFY(isRetryableS3Response(response(400, "<Error><Code>SlowDown</Code></Error>")));
    QVERIFY(!isRetryableS3Response(response(400, "<Error><Code>InvalidArgument</Code></Error>")));
    QVERIFY(!isRetryableS3Response(response(404, "<Error><Code>NoSuchKey</Code></Error>")));
    QVERIFY(!isRetryableS3Response(response(400, {})));

    HttpResponse redirect = response(301, {});
    redirect.headers.append(std::make_pair(QByteArray("x-amz-bucket-region"), QByteArray("eu-central-1")));
    QCOMPARE(regionHint(redirect), QStringLiteral("eu-central-1"));
    QCOMPARE(regionHint(response(400, "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; "
                                      "expecting 'ap-northeast-1'</Message><Region>ap-northeast-1</Region></Error>")),
             QStringLiteral("ap-northeast-1"));
    QVERIFY(regionHint(response(400, "<Error><Code>InvalidArgument</Code></Error>")).isEmpty());
}

SKYDECK_TEST_MAIN(TestS3Xml)
#include "tst_s3_xml.moc"
