#pragma once

#include "Result.h"
#include "StorageTypes.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace skydeck::aws {

// The <Error> document S3 answers a failed request with.
struct S3ErrorDocument {
    QString code;
    QString message;
    QString region;    // AuthorizationHeaderMalformed, PermanentRedirect
    QString endpoint;  // PermanentRedirect
    QString requestId;
};

// Parsers for S3's XML answers. Each checks the whole document (a malformed or truncated body is a
// Server error, never a partial result) and never trusts a value as anything but text.
namespace S3Xml {

// Returns false when body is not an <Error> document.
bool parseError(const QByteArray &body, S3ErrorDocument *out);

Result<QList<Bucket>> parseListBuckets(const QByteArray &body);
// ListObjectsV2; keys, prefixes and the start-after value are URL-decoded when the answer says
// EncodingType=url.
Result<ListPage> parseListObjectsV2(const QByteArray &body);
Result<QString> parseInitiateMultipartUpload(const QByteArray &body);
// The ETag, without quotes; empty when a well-formed answer carries none (the upload completed).
Result<QString> parseCompleteMultipartUpload(const QByteArray &body);
// One page of ListParts: the parts, and the marker of the next page when truncated.
Result<QList<UploadedPart>> parseListParts(const QByteArray &body, QString *nextMarker, bool *truncated);
// One page of ListMultipartUploads (keys URL-decoded when EncodingType=url).
Result<MultipartUploadPage> parseListMultipartUploads(const QByteArray &body);
Result<QString> parseCopyObjectResult(const QByteArray &body);         // the ETag, without quotes
Result<QList<DeleteFailure>> parseDeleteResult(const QByteArray &body, int *deletedCount = nullptr);

// Whether a key can be named in a DeleteObjects body: XML 1.0 cannot carry most control
// characters, so such keys are deleted one DELETE each (S3Client::deleteObjects does).
bool batchDeletable(const QString &key);
Result<QByteArray> deleteObjectsRequest(const QStringList &keys, bool quiet = true);
Result<QByteArray> completeMultipartRequest(const QList<UploadedPart> &parts);
QByteArray createBucketRequest(const QString &region);  // empty for us-east-1

QString unquoteEtag(const QString &etag);
QString urlDecode(const QString &s);  // S3's encoding-type=url: '+' is a space, %XX a byte
QDateTime parseTimestamp(const QString &s);  // ISO 8601 with milliseconds

} // namespace S3Xml
} // namespace skydeck::aws
