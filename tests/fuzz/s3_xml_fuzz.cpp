// S3's XML answers (providers/aws/S3Xml.h, S3Errors.h): every reader runs on every input (each
// checks its own root, so a real document exercises the one it belongs to and the others' refusals).
// Properties:
//  - a listing has no entry without a key (also after EncodingType=url decoding), no negative size,
//    and a token when truncated;
//  - what a reader took from a document is what is in it: the listing, bucket list and delete
//    result written back as XML read back the same;
//  - the keys of a listing, put in a DeleteObjects request, are the keys the request names (the
//    request is what S3 reads: a key that changes on the way deletes another object);
//  - an error document has a code, and s3Error() reports that code.
#include "FuzzSupport.h"

#include "S3Errors.h"
#include "S3Xml.h"

#include <QXmlStreamReader>
#include <QXmlStreamWriter>

using namespace skydeck;
using namespace skydeck::aws;
using skydeck::fuzz::bytes;

namespace {

// Text an XML 1.0 document can carry at all (else no writer can give it back, and the round trip
// does not apply).
bool xmlCarries(const QString &s)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t u = s[i].unicode();
        if (u < 0x20 && u != 0x9 && u != 0xA && u != 0xD)
            return false;
        if (u == 0xFFFE || u == 0xFFFF)
            return false;
        if (QChar::isHighSurrogate(u)) {
            if (i + 1 == s.size() || !QChar::isLowSurrogate(s[i + 1].unicode()))
                return false;
            ++i;
        } else if (QChar::isLowSurrogate(u)) {
            return false;
        }
    }
    return true;
}

// Element text as a faithful writer puts it: a carriage return as a character reference (a raw one
// reads back as a line feed, XML end-of-line handling).
void writeText(QXmlStreamWriter &w, const QString &name, const QString &text)
{
    w.writeStartElement(name);
    const QStringList pieces = text.split(QLatin1Char('\r'));
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        if (i > 0)
            w.writeEntityReference(QStringLiteral("#13"));
        if (!pieces[i].isEmpty())
            w.writeCharacters(pieces[i]);
    }
    w.writeEndElement();
}

QByteArray writeListing(const ListPage &page)
{
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("ListBucketResult"));
    w.writeTextElement(QStringLiteral("IsTruncated"), page.truncated ? QStringLiteral("true") : QStringLiteral("false"));
    if (page.truncated)
        writeText(w, QStringLiteral("NextContinuationToken"), page.nextContinuation);
    for (const ObjectEntry &e : page.entries) {
        if (e.isPrefix) {
            w.writeStartElement(QStringLiteral("CommonPrefixes"));
            writeText(w, QStringLiteral("Prefix"), e.key);
        } else {
            w.writeStartElement(QStringLiteral("Contents"));
            writeText(w, QStringLiteral("Key"), e.key);
            w.writeTextElement(QStringLiteral("Size"), QString::number(e.size));
            writeText(w, QStringLiteral("StorageClass"), e.storageClass);
        }
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

bool listingCarried(const ListPage &page)
{
    if (!xmlCarries(page.nextContinuation))
        return false;
    for (const ObjectEntry &e : page.entries)
        if (!xmlCarries(e.key) || !xmlCarries(e.storageClass))
            return false;
    return true;
}

void checkListing(const QByteArray &body)
{
    const Result<ListPage> r = S3Xml::parseListObjectsV2(body);
    if (!r.ok())
        return;
    const ListPage &page = r.value();
    FUZZ_CHECK(!page.truncated || !page.nextContinuation.isEmpty());
    FUZZ_CHECK(page.truncated || page.nextContinuation.isEmpty());
    QStringList keys;
    for (const ObjectEntry &e : page.entries) {
        FUZZ_CHECK(!e.key.isEmpty());
        FUZZ_CHECK(e.size >= 0);
        if (!e.isPrefix)
            keys << e.key;
    }
    if (!listingCarried(page))
        return;
    const Result<ListPage> again = S3Xml::parseListObjectsV2(writeListing(page));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.value().truncated == page.truncated);
    FUZZ_CHECK(again.value().nextContinuation == page.nextContinuation);
    FUZZ_CHECK(again.value().entries.size() == page.entries.size());
    for (qsizetype i = 0; i < page.entries.size(); ++i) {
        const ObjectEntry &a = page.entries[i];
        const ObjectEntry &b = again.value().entries[i];
        FUZZ_CHECK(a.key == b.key && a.isPrefix == b.isPrefix && a.size == b.size && a.storageClass == b.storageClass);
    }

    // Listed, then deleted in a batch: the request must name exactly these keys.
    if (keys.isEmpty() || keys.size() > 1000)
        return;
    const Result<QByteArray> request = S3Xml::deleteObjectsRequest(keys);
    if (!request.ok())
        return;  // refused (a key XML cannot carry): nothing is sent
    QXmlStreamReader xml(request.value());
    QStringList named;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("Key"))
            named << xml.readElementText();
    }
    FUZZ_CHECK(!xml.hasError());
    FUZZ_CHECK(named == keys);
}

void checkBuckets(const QByteArray &body)
{
    const Result<QList<Bucket>> r = S3Xml::parseListBuckets(body);
    if (!r.ok())
        return;
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("ListAllMyBucketsResult"));
    w.writeStartElement(QStringLiteral("Buckets"));
    for (const Bucket &b : r.value()) {
        FUZZ_CHECK(!b.name.isEmpty());
        if (!xmlCarries(b.name) || !xmlCarries(b.region))
            return;
        w.writeStartElement(QStringLiteral("Bucket"));
        writeText(w, QStringLiteral("Name"), b.name);
        writeText(w, QStringLiteral("BucketRegion"), b.region);
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    const Result<QList<Bucket>> again = S3Xml::parseListBuckets(out);
    FUZZ_CHECK(again.ok() && again.value().size() == r.value().size());
    for (qsizetype i = 0; i < r.value().size(); ++i)
        FUZZ_CHECK(again.value()[i].name == r.value()[i].name && again.value()[i].region == r.value()[i].region);
}

void checkDeleteResult(const QByteArray &body)
{
    int deleted = -1;
    const Result<QList<DeleteFailure>> r = S3Xml::parseDeleteResult(body, &deleted);
    if (!r.ok())
        return;
    FUZZ_CHECK(deleted >= 0);
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("DeleteResult"));
    for (int i = 0; i < deleted; ++i)
        w.writeEmptyElement(QStringLiteral("Deleted"));
    for (const DeleteFailure &f : r.value()) {
        if (!xmlCarries(f.key) || !xmlCarries(f.code) || !xmlCarries(f.message))
            return;
        w.writeStartElement(QStringLiteral("Error"));
        writeText(w, QStringLiteral("Key"), f.key);
        writeText(w, QStringLiteral("Code"), f.code);
        writeText(w, QStringLiteral("Message"), f.message);
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndDocument();
    int deletedAgain = -1;
    const Result<QList<DeleteFailure>> again = S3Xml::parseDeleteResult(out, &deletedAgain);
    FUZZ_CHECK(again.ok() && deletedAgain == deleted && again.value().size() == r.value().size());
    for (qsizetype i = 0; i < r.value().size(); ++i) {
        const DeleteFailure &a = r.value()[i];
        const DeleteFailure &b = again.value()[i];
        FUZZ_CHECK(a.key == b.key && a.code == b.code && a.message == b.message);
    }
}

void checkErrorDocument(const QByteArray &body)
{
    S3ErrorDocument doc;
    const bool isError = S3Xml::parseError(body, &doc);
    FUZZ_CHECK(!isError || !doc.code.isEmpty());
    for (const int status : {400, 403, 404, 503}) {
        HttpResponse response;
        response.status = status;
        response.body = body;
        const Error e = s3Error(response, QStringLiteral("s3://fuzz/key"));
        FUZZ_CHECK(e.isError());
        if (isError)
            FUZZ_CHECK(e.code() == doc.code);
        (void)isRetryableS3Response(response);
        (void)regionHint(response);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = bytes(data, size);
    checkListing(body);
    checkBuckets(body);
    checkDeleteResult(body);
    checkErrorDocument(body);
    (void)S3Xml::parseInitiateMultipartUpload(body);
    (void)S3Xml::parseCompleteMultipartUpload(body);
    (void)S3Xml::parseCopyObjectResult(body);
    return 0;
}
