#include "S3Xml.h"

#include "AwsXml.h"

#include <QXmlStreamReader>
#include <QXmlStreamWriter>

#include <functional>

namespace skydeck::aws::S3Xml {

namespace {

using AwsXml::malformed;

// The S3 parsers read element texts only (never whole subtrees); an <Error> root is an error document.
// The root element's name is not checked, as the AWS SDKs do not check it: S3-compatible servers
// name some answers differently (moto and LocalStack answer <CompleteMultipartUploadResponse> for
// AWS's <CompleteMultipartUploadResult>), and a completed upload must not be reported as failed
// for it. `root` only documents what AWS sends.
using ElementFn = std::function<void(const QStringList &path, QXmlStreamReader &xml)>;

Result<Done> walk(const QByteArray &body, const QString &root, const QString &what, const ElementFn &onElement)
{
    // The error document is the one answer whose root decides what it is.
    const bool errorDocument = root == QLatin1String("Error");
    return AwsXml::walk(body, errorDocument ? root : QString(), what, [&](const QStringList &path, QXmlStreamReader &xml) {
        onElement(path, xml);
        return false;
    }, !errorDocument);
}

using AwsXml::text;

} // namespace

QString unquoteEtag(const QString &etag)
{
    QString e = etag.trimmed();
    if (e.startsWith(QLatin1String("&quot;")))
        e = e.mid(6);
    if (e.endsWith(QLatin1String("&quot;")))
        e.chop(6);
    if (e.size() >= 2 && e.startsWith(QLatin1Char('"')) && e.endsWith(QLatin1Char('"')))
        e = e.mid(1, e.size() - 2);
    return e;
}

QString urlDecode(const QString &s)
{
    QByteArray b = s.toUtf8();
    b.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(b));
}

QDateTime parseTimestamp(const QString &s)
{
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(s, Qt::ISODate);
    return t.toUTC();
}

bool parseError(const QByteArray &body, S3ErrorDocument *out)
{
    S3ErrorDocument doc;
    const Result<Done> r = walk(body, QStringLiteral("Error"), QStringLiteral("error"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() != 1)
                                        return;
                                    const QString &n = path.first();
                                    if (n == QLatin1String("Code"))
                                        doc.code = text(xml);
                                    else if (n == QLatin1String("Message"))
                                        doc.message = text(xml);
                                    else if (n == QLatin1String("Region"))
                                        doc.region = text(xml);
                                    else if (n == QLatin1String("Endpoint"))
                                        doc.endpoint = text(xml);
                                    else if (n == QLatin1String("RequestId"))
                                        doc.requestId = text(xml);
                                });
    if (!r.ok() || doc.code.isEmpty())
        return false;
    if (out)
        *out = doc;
    return true;
}

Result<QList<Bucket>> parseListBuckets(const QByteArray &body)
{
    QList<Bucket> buckets;
    const Result<Done> r = walk(body, QStringLiteral("ListAllMyBucketsResult"), QStringLiteral("ListBuckets"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() == 2 && path[0] == QLatin1String("Buckets")
                                        && path[1] == QLatin1String("Bucket")) {
                                        buckets.append(Bucket{});
                                    } else if (path.size() == 3 && path[1] == QLatin1String("Bucket") && !buckets.isEmpty()) {
                                        if (path[2] == QLatin1String("Name"))
                                            buckets.last().name = text(xml);
                                        else if (path[2] == QLatin1String("CreationDate"))
                                            buckets.last().created = parseTimestamp(text(xml));
                                        else if (path[2] == QLatin1String("BucketRegion"))
                                            buckets.last().region = text(xml);
                                    }
                                });
    if (!r.ok())
        return r.error();
    for (const Bucket &b : buckets)
        if (b.name.isEmpty())
            return malformed(QStringLiteral("ListBuckets"), QStringLiteral("a bucket without a name"));
    return buckets;
}

Result<ListPage> parseListObjectsV2(const QByteArray &body)
{
    ListPage page;
    QString encoding;
    bool sawTruncated = false;
    QList<qsizetype> objectRows;
    QList<qsizetype> prefixRows;
    bool badNumber = false;
    const Result<Done> r = walk(
        body, QStringLiteral("ListBucketResult"), QStringLiteral("ListObjectsV2"),
        [&](const QStringList &path, QXmlStreamReader &xml) {
            if (path.size() == 1) {
                const QString &n = path[0];
                if (n == QLatin1String("Contents")) {
                    objectRows.append(page.entries.size());
                    page.entries.append(ObjectEntry{});
                } else if (n == QLatin1String("CommonPrefixes")) {
                    prefixRows.append(page.entries.size());
                    ObjectEntry e;
                    e.isPrefix = true;
                    page.entries.append(e);
                } else if (n == QLatin1String("IsTruncated")) {
                    page.truncated = text(xml).trimmed() == QLatin1String("true");
                    sawTruncated = true;
                } else if (n == QLatin1String("NextContinuationToken")) {
                    page.nextContinuation = text(xml);
                } else if (n == QLatin1String("EncodingType")) {
                    encoding = text(xml).trimmed();
                }
                return;
            }
            if (path.size() != 2 || page.entries.isEmpty())
                return;
            ObjectEntry &e = page.entries.last();
            const QString &n = path[1];
            if (path[0] == QLatin1String("Contents") && !e.isPrefix) {
                if (n == QLatin1String("Key")) {
                    e.key = text(xml);
                } else if (n == QLatin1String("Size")) {
                    bool ok = false;
                    e.size = text(xml).trimmed().toLongLong(&ok);
                    if (!ok || e.size < 0)
                        badNumber = true;
                } else if (n == QLatin1String("LastModified")) {
                    e.modified = parseTimestamp(text(xml));
                } else if (n == QLatin1String("ETag")) {
                    e.etag = unquoteEtag(text(xml));
                } else if (n == QLatin1String("StorageClass")) {
                    e.storageClass = text(xml);
                }
            } else if (path[0] == QLatin1String("CommonPrefixes") && e.isPrefix && n == QLatin1String("Prefix")) {
                e.key = text(xml);
            }
        });
    if (!r.ok())
        return r.error();
    const QString what = QStringLiteral("ListObjectsV2");
    if (!sawTruncated)
        return malformed(what, QStringLiteral("no IsTruncated element"));
    if (badNumber)
        return malformed(what, QStringLiteral("an object size that is not a number"));
    if (page.truncated && page.nextContinuation.isEmpty())
        return malformed(what, QStringLiteral("a truncated listing without a continuation token"));
    if (!page.truncated)
        page.nextContinuation.clear();
    const bool urlEncoded = encoding.compare(QLatin1String("url"), Qt::CaseInsensitive) == 0;
    for (ObjectEntry &e : page.entries) {
        if (e.key.isEmpty())
            return malformed(what, e.isPrefix ? QStringLiteral("a common prefix without a value")
                                              : QStringLiteral("an object without a key"));
        if (urlEncoded)
            e.key = urlDecode(e.key);
    }
    return page;
}

Result<QString> parseInitiateMultipartUpload(const QByteArray &body)
{
    QString id;
    const Result<Done> r = walk(body, QStringLiteral("InitiateMultipartUploadResult"),
                                QStringLiteral("CreateMultipartUpload"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() == 1 && path[0] == QLatin1String("UploadId"))
                                        id = text(xml).trimmed();
                                });
    if (!r.ok())
        return r.error();
    if (id.isEmpty())
        return malformed(QStringLiteral("CreateMultipartUpload"), QStringLiteral("no UploadId"));
    return id;
}

namespace {
Result<QString> parseEtagDocument(const QByteArray &body, const QString &root, const QString &what)
{
    QString etag;
    bool seen = false;
    const Result<Done> r = walk(body, root, what, [&](const QStringList &path, QXmlStreamReader &xml) {
        if (path.size() == 1 && path[0] == QLatin1String("ETag")) {
            etag = unquoteEtag(text(xml));
            seen = true;
        }
    });
    if (!r.ok())
        return r.error();
    if (!seen)
        return malformed(what, QStringLiteral("no ETag"));
    return etag;
}
} // namespace

Result<QString> parseCompleteMultipartUpload(const QByteArray &body)
{
    Result<QString> etag = parseEtagDocument(body, QStringLiteral("CompleteMultipartUploadResult"),
                                             QStringLiteral("CompleteMultipartUpload"));
    // A well-formed answer without an ETag: the upload did complete; the caller asks HEAD for it.
    if (!etag.ok() && etag.error().message().endsWith(QLatin1String("no ETag")))
        return QString();
    return etag;
}

Result<QList<UploadedPart>> parseListParts(const QByteArray &body, QString *nextMarker, bool *truncated)
{
    QList<UploadedPart> parts;
    QString next;
    bool more = false;
    const Result<Done> r = walk(body, QStringLiteral("ListPartsResult"), QStringLiteral("ListParts"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() == 1 && path[0] == QLatin1String("Part")) {
                                        parts.append(UploadedPart{});
                                    } else if (path.size() == 2 && path[0] == QLatin1String("Part") && !parts.isEmpty()) {
                                        UploadedPart &p = parts.last();
                                        if (path[1] == QLatin1String("PartNumber"))
                                            p.number = text(xml).trimmed().toInt();
                                        else if (path[1] == QLatin1String("ETag"))
                                            p.etag = unquoteEtag(text(xml));
                                        else if (path[1] == QLatin1String("Size"))
                                            p.size = text(xml).trimmed().toLongLong();
                                    } else if (path.size() == 1 && path[0] == QLatin1String("NextPartNumberMarker")) {
                                        next = text(xml).trimmed();
                                    } else if (path.size() == 1 && path[0] == QLatin1String("IsTruncated")) {
                                        more = text(xml).trimmed() == QLatin1String("true");
                                    }
                                });
    if (!r.ok())
        return r.error();
    for (const UploadedPart &p : parts)
        if (p.number < 1 || p.number > 10000 || p.size < 0)
            return malformed(QStringLiteral("ListParts"), QStringLiteral("a part numbered %1 of %2 bytes").arg(p.number).arg(p.size));
    if (nextMarker)
        *nextMarker = next;
    if (truncated)
        *truncated = more;
    return parts;
}

Result<MultipartUploadPage> parseListMultipartUploads(const QByteArray &body)
{
    MultipartUploadPage page;
    bool urlEncoded = false;
    const Result<Done> r = walk(body, QStringLiteral("ListMultipartUploadsResult"), QStringLiteral("ListMultipartUploads"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() == 1) {
                                        const QString &n = path[0];
                                        if (n == QLatin1String("Upload"))
                                            page.uploads.append(MultipartUploadInfo{});
                                        else if (n == QLatin1String("NextKeyMarker"))
                                            page.nextKeyMarker = text(xml);
                                        else if (n == QLatin1String("NextUploadIdMarker"))
                                            page.nextUploadIdMarker = text(xml).trimmed();
                                        else if (n == QLatin1String("IsTruncated"))
                                            page.truncated = text(xml).trimmed() == QLatin1String("true");
                                        else if (n == QLatin1String("EncodingType"))
                                            urlEncoded = text(xml).trimmed() == QLatin1String("url");
                                    } else if (path.size() == 2 && path[0] == QLatin1String("Upload") && !page.uploads.isEmpty()) {
                                        MultipartUploadInfo &u = page.uploads.last();
                                        if (path[1] == QLatin1String("Key"))
                                            u.key = text(xml);
                                        else if (path[1] == QLatin1String("UploadId"))
                                            u.uploadId = text(xml).trimmed();
                                        else if (path[1] == QLatin1String("Initiated"))
                                            u.initiated = parseTimestamp(text(xml).trimmed());
                                        else if (path[1] == QLatin1String("StorageClass"))
                                            u.storageClass = text(xml).trimmed();
                                    }
                                });
    if (!r.ok())
        return r.error();
    if (urlEncoded) {
        page.nextKeyMarker = urlDecode(page.nextKeyMarker);
        for (MultipartUploadInfo &u : page.uploads)
            u.key = urlDecode(u.key);
    }
    return page;
}

Result<QString> parseCopyObjectResult(const QByteArray &body)
{
    return parseEtagDocument(body, QStringLiteral("CopyObjectResult"), QStringLiteral("CopyObject"));
}

Result<QList<DeleteFailure>> parseDeleteResult(const QByteArray &body, int *deletedCount)
{
    QList<DeleteFailure> failures;
    int deleted = 0;
    const Result<Done> r = walk(body, QStringLiteral("DeleteResult"), QStringLiteral("DeleteObjects"),
                                [&](const QStringList &path, QXmlStreamReader &xml) {
                                    if (path.size() == 1 && path[0] == QLatin1String("Deleted"))
                                        ++deleted;
                                    else if (path.size() == 1 && path[0] == QLatin1String("Error"))
                                        failures.append(DeleteFailure{});
                                    else if (path.size() == 2 && path[0] == QLatin1String("Error") && !failures.isEmpty()) {
                                        if (path[1] == QLatin1String("Key"))
                                            failures.last().key = text(xml);
                                        else if (path[1] == QLatin1String("Code"))
                                            failures.last().code = text(xml);
                                        else if (path[1] == QLatin1String("Message"))
                                            failures.last().message = text(xml);
                                    }
                                });
    if (!r.ok())
        return r.error();
    if (deletedCount)
        *deletedCount = deleted;
    return failures;
}

namespace {
// XML 1.0 cannot carry these characters at all, escaped or not.
bool xmlSafe(const QString &s)
{
    for (QChar c : s) {
        const ushort u = c.unicode();
        if (u < 0x20 && u != 0x9 && u != 0xA && u != 0xD)
            return false;
        if (u == 0xFFFE || u == 0xFFFF)
            return false;
    }
    return true;
}

// <Key> as S3 must read it back. XML end-of-line handling turns a raw carriage return into a line
// feed (CR LF into one LF), and QXmlStreamWriter writes CR raw in text: "a\rb" would name the key
// "a\nb" and delete that one. AWS asks for CR as a character reference; so does this.
void writeKey(QXmlStreamWriter &w, const QString &key)
{
    w.writeStartElement(QStringLiteral("Key"));
    qsizetype from = 0;
    for (qsizetype cr = key.indexOf(QLatin1Char('\r')); cr >= 0; cr = key.indexOf(QLatin1Char('\r'), from)) {
        if (cr > from)
            w.writeCharacters(key.mid(from, cr - from));
        w.writeEntityReference(QStringLiteral("#13"));
        from = cr + 1;
    }
    if (from < key.size())
        w.writeCharacters(key.mid(from));
    w.writeEndElement();
}
} // namespace

bool batchDeletable(const QString &key)
{
    return !key.isEmpty() && xmlSafe(key);
}

Result<QByteArray> deleteObjectsRequest(const QStringList &keys, bool quiet)
{
    if (keys.isEmpty() || keys.size() > 1000)
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("A batch delete takes 1 to 1000 keys (got %1)").arg(keys.size()));
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("Delete"));
    w.writeDefaultNamespace(QStringLiteral("http://s3.amazonaws.com/doc/2006-03-01/"));
    if (quiet)
        w.writeTextElement(QStringLiteral("Quiet"), QStringLiteral("true"));
    for (const QString &k : keys) {
        if (k.isEmpty() || !xmlSafe(k))
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("This key cannot be deleted in a batch (empty or holds control characters)"));
        w.writeStartElement(QStringLiteral("Object"));
        writeKey(w, k);
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

Result<QByteArray> completeMultipartRequest(const QList<UploadedPart> &parts)
{
    if (parts.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("A multipart upload needs at least one part"));
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("CompleteMultipartUpload"));
    w.writeDefaultNamespace(QStringLiteral("http://s3.amazonaws.com/doc/2006-03-01/"));
    int last = 0;
    for (const UploadedPart &p : parts) {
        if (p.number <= last || p.number > 10000)
            return Error(Error::Category::InvalidInput,
                         QStringLiteral("Part numbers must ascend from 1 to 10000 (part %1)").arg(p.number));
        last = p.number;
        w.writeStartElement(QStringLiteral("Part"));
        w.writeTextElement(QStringLiteral("PartNumber"), QString::number(p.number));
        w.writeTextElement(QStringLiteral("ETag"), QLatin1Char('"') + p.etag + QLatin1Char('"'));
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

QByteArray createBucketRequest(const QString &region)
{
    if (region.isEmpty() || region == QLatin1String("us-east-1"))
        return {};
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("CreateBucketConfiguration"));
    w.writeDefaultNamespace(QStringLiteral("http://s3.amazonaws.com/doc/2006-03-01/"));
    w.writeTextElement(QStringLiteral("LocationConstraint"), region);
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

} // namespace skydeck::aws::S3Xml
