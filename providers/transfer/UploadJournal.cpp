#include "UploadJournal.h"

#include "Md5.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cmath>

namespace skydeck::transfer {

namespace {
qint64 jsonInt64(const QJsonValue &v)
{
    const double d = v.toDouble(-1);
    if (!(d >= 0 && d < 9.0e15) || d != std::floor(d))
        return -1;
    return qint64(d);
}
} // namespace

bool UploadJournal::matches(const TransferSpec &spec, qint64 size, qint64 mtimeMs, qint64 wantPartSize) const
{
    return !uploadId.isEmpty() && accountId == spec.accountId && bucket == spec.bucket && key == spec.key
        && localPath == spec.localPath && fileSize == size && fileMtimeMs == mtimeMs && mtimeMs >= 0
        && partSize == wantPartSize;
}

QString uploadJournalPath(const QString &folder, const TransferSpec &spec)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &s : {spec.accountId, spec.bucket, spec.key, spec.localPath}) {
        h.addData(s.toUtf8());
        h.addData(QByteArrayView("\0", 1));
    }
    return folder + QStringLiteral("/upload-") + QString::fromLatin1(h.result().toHex().left(32)) + QStringLiteral(".json");
}

std::optional<UploadJournal> readUploadJournal(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(f.read(64 * 1024)).object();
    UploadJournal j;
    j.accountId = o.value(QStringLiteral("account")).toString();
    j.bucket = o.value(QStringLiteral("bucket")).toString();
    j.key = o.value(QStringLiteral("key")).toString();
    j.localPath = o.value(QStringLiteral("localPath")).toString();
    j.uploadId = o.value(QStringLiteral("uploadId")).toString();
    j.fileSize = jsonInt64(o.value(QStringLiteral("fileSize")));
    j.fileMtimeMs = jsonInt64(o.value(QStringLiteral("fileMtimeMs")));
    j.partSize = jsonInt64(o.value(QStringLiteral("partSize")));
    if (j.uploadId.isEmpty() || j.partSize <= 0)
        return std::nullopt;
    return j;
}

void writeUploadJournal(const QString &path, const UploadJournal &j)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QJsonObject o{{QStringLiteral("account"), j.accountId},
                        {QStringLiteral("bucket"), j.bucket},
                        {QStringLiteral("key"), j.key},
                        {QStringLiteral("localPath"), j.localPath},
                        {QStringLiteral("uploadId"), j.uploadId},
                        {QStringLiteral("fileSize"), double(j.fileSize)},
                        {QStringLiteral("fileMtimeMs"), double(j.fileMtimeMs)},
                        {QStringLiteral("partSize"), double(j.partSize)}};
    QSaveFile f(path);
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

void removeUploadJournal(const QString &path)
{
    QFile::remove(path);
}

qint64 fileMtimeMs(const QString &path)
{
    const QFileInfo fi(path);
    return fi.exists() ? fi.lastModified().toMSecsSinceEpoch() : -1;
}

Result<QList<VerifiedPart>> verifyUploadedParts(const QString &path, const PartPlan &plan,
                                                const QList<UploadedPart> &serverParts)
{
    QList<VerifiedPart> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error(Error::Category::Local, QStringLiteral("cannot read %1: %2").arg(QDir::toNativeSeparators(path), f.errorString()));
    for (const UploadedPart &p : serverParts) {
        const int index = p.number - 1;
        if (index < 0 || index >= plan.partCount || p.size != plan.length(index) || !Md5::isPlainMd5Etag(p.etag))
            continue;
        if (!f.seek(plan.offset(index)))
            continue;
        Md5 md5;
        qint64 left = p.size;
        bool ok = true;
        while (left > 0 && ok) {
            const QByteArray chunk = f.read(std::min<qint64>(left, 4 << 20));
            ok = !chunk.isEmpty();
            md5.add(chunk);
            left -= chunk.size();
        }
        if (!ok)
            continue;
        const QByteArray digest = md5.result();
        if (QString::fromLatin1(digest.toHex()).compare(p.etag, Qt::CaseInsensitive) != 0)
            continue;
        out.append({index, digest, p.etag});
    }
    return out;
}

} // namespace skydeck::transfer
