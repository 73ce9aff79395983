#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace skydeck {

struct Bucket {
    QString name;
    QString region;      // empty when unknown until asked
    QDateTime created;   // UTC
};

// One row of a listing: an object, or a common prefix ("folder") when isPrefix.
struct ObjectEntry {
    QString key;           // full key; for a prefix it ends with the delimiter
    qint64 size = 0;
    QDateTime modified;    // UTC
    QString etag;          // without quotes
    QString storageClass;  // STANDARD, GLACIER, ... (implicitly shared strings)
    bool isPrefix = false;
};

struct ListRequest {
    QString bucket;
    QString prefix;
    QString delimiter = QStringLiteral("/");  // empty: a flat, recursive listing
    QString continuation;                      // from the previous page
    int maxKeys = 1000;
};

struct ListPage {
    QList<ObjectEntry> entries;  // prefixes and objects of this page, in the server's order
    QString nextContinuation;    // empty when this was the last page
    bool truncated = false;
};

struct ObjectHead {
    qint64 size = 0;
    QString etag;          // without quotes
    QDateTime modified;
    QString contentType;
    QString storageClass;
    QString versionId;
    QMap<QString, QString> metadata;  // user metadata, names lower-case without prefix
};

struct GetRequest {
    QString bucket;
    QString key;
    qint64 offset = 0;
    qint64 length = -1;  // -1: to the end
    QString ifMatch;     // ETag the object must still have (ranged downloads of a changing object)
};

struct ObjectData {
    QByteArray data;
    ObjectHead head;     // from the response headers (size = whole object size when known)
};

struct PutOptions {
    QString contentType;
    QString storageClass;        // empty: the bucket default
    QByteArray contentMd5;       // raw 16 bytes; sent as Content-MD5 so the server verifies
    QMap<QString, QString> metadata;
    // Multipart uploads: the size of every part but the last (set by the transfer engine), for
    // stores that write parts at offsets (SFTP).
    qint64 partSize = 0;
};

struct PutResult {
    QString etag;  // without quotes
    QString versionId;
};

struct UploadedPart {
    int number = 0;      // 1-based
    QString etag;        // without quotes (S3) or block id (Azure)
    qint64 size = 0;
};

// An unfinished multipart upload (it bills for its parts until completed or aborted).
struct MultipartUploadInfo {
    QString key;
    QString uploadId;
    QDateTime initiated;  // UTC
    QString storageClass;
};

struct MultipartUploadPage {
    QList<MultipartUploadInfo> uploads;
    QString nextKeyMarker;       // with nextUploadIdMarker: where the next page starts
    QString nextUploadIdMarker;
    bool truncated = false;
};

struct DeleteFailure {
    QString key;
    QString code;
    QString message;
};

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::ObjectEntry)
