#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QMimeData;

namespace skydeck {
class TransferEngine;
}

namespace skydeck::ui {

// One dragged or selected object or prefix.
struct ObjectRef {
    QString key;          // full key; a prefix ends with '/'
    bool isPrefix = false;
    qint64 size = -1;     // objects: size when known
};

// What a drag out of the bucket browser carries.
//
// Mechanism (and why): an object is not a local file, and downloading everything up front at
// drag start would stall or waste gigabytes. So the drag carries the objects' identities in
// `application/x-skydeck-objects` (JSON: account id, bucket, base prefix, keys) and, for other
// applications, `text/plain` with s3://bucket/key lines (pastes into a terminal or the CLI).
// A Skydeck drop target (a folder chosen in the app, the "Download to..." action, tests) turns the
// identities into TransferEngine downloads with downloadTo(), so the bytes go through the engine
// (ranged, verified, .part files, hostile keys refused); it never asks for `text/uri-list`.
// For external file managers the browser drags an ObjectDragMime (ObjectDragMime.h), which adds
// `text/uri-list` and downloads the selection into a staging folder only when a drop target asks
// for those URLs (size-capped), then hands out file:// URLs of the staged copies.
struct ObjectDragPayload {
    QString accountId;
    QString bucket;
    QString basePrefix;   // the prefix the objects were listed under
    QList<ObjectRef> refs;
    QString scheme = QStringLiteral("s3");  // how a key is shown: "s3://bucket/key", "sftp://host/path"

    // A key as a URL for text and messages ("s3://bucket/key").
    QString url(const QString &key) const { return scheme + QStringLiteral("://") + bucket + QLatin1Char('/') + key; }
};

namespace ObjectMime {
inline constexpr char kFormat[] = "application/x-skydeck-objects";

QStringList formats();
// Puts the payload's internal format and its text/plain s3:// lines into mime.
void fill(QMimeData *mime, const ObjectDragPayload &payload);
QMimeData *encode(const QString &accountId, const QString &bucket, const QString &basePrefix,
                  const QList<ObjectRef> &refs);
std::optional<ObjectDragPayload> decode(const QMimeData *mime);

// A safe single path component for a key's last segment, or empty when it cannot be one
// (empty, ".", "..", NUL, a separator, over 255 bytes).
QString safeLocalName(const QString &keyOrPrefix, const QString &basePrefix);

// Queues downloads of the payload into localDir: objects with TransferEngine::enqueue, prefixes
// with downloadPrefix (recursive). Returns the names refused as unsafe local paths.
QStringList downloadTo(TransferEngine *engine, const ObjectDragPayload &payload, const QString &localDir);
} // namespace ObjectMime

} // namespace skydeck::ui
