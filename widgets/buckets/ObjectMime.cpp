#include "ObjectMime.h"

#include "TransferEngine.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>

namespace skydeck::ui::ObjectMime {

QStringList formats()
{
    return {QString::fromLatin1(kFormat), QStringLiteral("text/plain")};
}

void fill(QMimeData *mime, const ObjectDragPayload &payload)
{
    QJsonArray items;
    QStringList urls;
    for (const ObjectRef &r : payload.refs) {
        items.append(QJsonObject{{QStringLiteral("key"), r.key},
                                 {QStringLiteral("prefix"), r.isPrefix},
                                 {QStringLiteral("size"), double(r.size)}});
        urls.append(payload.url(r.key));
    }
    const QJsonObject root{{QStringLiteral("account"), payload.accountId},
                           {QStringLiteral("bucket"), payload.bucket},
                           {QStringLiteral("base"), payload.basePrefix},
                           {QStringLiteral("scheme"), payload.scheme},
                           {QStringLiteral("items"), items}};
    mime->setData(QString::fromLatin1(kFormat), QJsonDocument(root).toJson(QJsonDocument::Compact));
    mime->setText(urls.join(QLatin1Char('\n')));
}

QMimeData *encode(const QString &accountId, const QString &bucket, const QString &basePrefix,
                  const QList<ObjectRef> &refs)
{
    auto *mime = new QMimeData;
    fill(mime, ObjectDragPayload{accountId, bucket, basePrefix, refs});
    return mime;
}

std::optional<ObjectDragPayload> decode(const QMimeData *mime)
{
    if (!mime || !mime->hasFormat(QString::fromLatin1(kFormat)))
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(mime->data(QString::fromLatin1(kFormat)), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject root = doc.object();
    ObjectDragPayload p;
    p.accountId = root.value(QStringLiteral("account")).toString();
    p.bucket = root.value(QStringLiteral("bucket")).toString();
    p.basePrefix = root.value(QStringLiteral("base")).toString();
    p.scheme = root.value(QStringLiteral("scheme")).toString(QStringLiteral("s3"));
    for (const QJsonValue &v : root.value(QStringLiteral("items")).toArray()) {
        const QJsonObject o = v.toObject();
        ObjectRef r{o.value(QStringLiteral("key")).toString(), o.value(QStringLiteral("prefix")).toBool(),
                    qint64(o.value(QStringLiteral("size")).toDouble(-1))};
        if (!r.key.isEmpty())
            p.refs.append(r);
    }
    if (p.accountId.isEmpty() || p.bucket.isEmpty() || p.refs.isEmpty())
        return std::nullopt;
    return p;
}

QString safeLocalName(const QString &keyOrPrefix, const QString &basePrefix)
{
    QString name = keyOrPrefix.startsWith(basePrefix) ? keyOrPrefix.mid(basePrefix.size()) : keyOrPrefix;
    if (name.endsWith(QLatin1Char('/')))
        name.chop(1);
    if (name.contains(QLatin1Char('/')))  // listed with a name filter deeper than base: keep the last part
        name = name.section(QLatin1Char('/'), -1);
    if (name.isEmpty() || name == QLatin1String(".") || name == QLatin1String("..") || name.contains(QChar(0))
        || name.contains(QLatin1Char('\\')) || name.toUtf8().size() > 255)
        return {};
    return name;
}

QStringList downloadTo(TransferEngine *engine, const ObjectDragPayload &payload, const QString &localDir)
{
    QStringList refused;
    const QDir dir(localDir);
    for (const ObjectRef &r : payload.refs) {
        const QString name = safeLocalName(r.key, payload.basePrefix);
        if (name.isEmpty()) {
            refused.append(r.key);
            continue;
        }
        if (r.isPrefix) {
            engine->downloadPrefix(payload.accountId, payload.bucket, r.key, dir.filePath(name));
        } else {
            TransferSpec spec;
            spec.kind = TransferKind::Download;
            spec.accountId = payload.accountId;
            spec.bucket = payload.bucket;
            spec.key = r.key;
            spec.localPath = dir.filePath(name);
            engine->enqueue(spec);
        }
    }
    return refused;
}

} // namespace skydeck::ui::ObjectMime
