#include "FileOps.h"

#include "LocalPath.h"
#include "Md5.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSaveFile>
#include <QStorageInfo>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

namespace skydeck::fileops {

namespace {
// A whole number from a journal, or -1 when it is not one a size can be (never a cast of an
// out-of-range double, which is undefined).
qint64 jsonInt64(const QJsonValue &v)
{
    const double d = v.toDouble(-1);
    if (!(d >= 0 && d < 9.0e15) || d != std::floor(d))
        return -1;
    return qint64(d);
}

Error localError(const QString &what, const QString &path, const QString &why)
{
    return Error(Error::Category::Local, QStringLiteral("%1 %2: %3").arg(what, QDir::toNativeSeparators(path), why));
}
} // namespace

Result<qint64> statFile(const QString &path)
{
    const QFileInfo fi(path);
    if (!fi.exists())
        return Error(Error::Category::NotFound, QStringLiteral("no such file: %1").arg(QDir::toNativeSeparators(path)));
    if (!fi.isFile())
        return localError(QStringLiteral("cannot upload"), path, QStringLiteral("not a regular file"));
    if (!fi.isReadable())
        return localError(QStringLiteral("cannot read"), path, QStringLiteral("permission denied"));
    return fi.size();
}

Result<Chunk> readChunk(const QString &path, qint64 offset, qint64 length)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return localError(QStringLiteral("cannot read"), path, f.errorString());
    if (!f.seek(offset))
        return localError(QStringLiteral("cannot read"), path, f.errorString());
    Chunk c;
    c.data = f.read(length);
    if (c.data.size() != length)
        return Error(Error::Category::Local,
                     QStringLiteral("%1 changed while being uploaded (read %2 of %3 bytes at offset %4)")
                         .arg(QDir::toNativeSeparators(path)).arg(c.data.size()).arg(length).arg(offset));
    c.md5 = Md5::of(c.data);
    return c;
}

Status checkFreeSpace(const QString &folder, qint64 needed)
{
    if (needed <= 0)
        return Done{};
    const QStorageInfo volume(folder);
    if (!volume.isValid() || !volume.isReady())
        return Done{};  // unknown: the writes will tell
    const qint64 available = volume.bytesAvailable();
    if (available >= 0 && available < needed)
        return Error(Error::Category::Local,
                     QStringLiteral("not enough free space in %1: the download needs %2 bytes, %3 are free")
                         .arg(QDir::toNativeSeparators(folder))
                         .arg(needed)
                         .arg(available),
                     QStringLiteral("NoSpace"));
    return Done{};
}

Status preparePartFile(const QString &partPath, qint64 size)
{
    const QFileInfo fi(partPath);
    if (!QDir().mkpath(fi.absolutePath()))
        return localError(QStringLiteral("cannot create folder"), fi.absolutePath(), QStringLiteral("mkdir failed"));
    // The size the server declared is checked against the free space, never allocated: a lying
    // HEAD must not leave a huge (sparse) file behind. Ranges are written at their offsets.
    if (const Status s = checkFreeSpace(fi.absolutePath(), size); !s.ok())
        return s;
    // The name is a working file's (LocalPath::workingPath): what is in its place is a leftover
    // of this same transfer, or a symlink planted there; either goes.
    if (fi.exists() || fi.isSymLink())
        QFile::remove(partPath);
    QFile f(partPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return localError(QStringLiteral("cannot write"), partPath, f.errorString());
    return Done{};
}

Status hashRange(const QString &path, qint64 offset, qint64 length, Md5 &md5)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return localError(QStringLiteral("cannot read back"), path, f.errorString());
    constexpr qint64 kChunk = 1024 * 1024;
    QByteArray buf(int(std::min(kChunk, std::max<qint64>(length, 1))), Qt::Uninitialized);
    while (length > 0) {
        const ssize_t n = ::pread(f.handle(), buf.data(), size_t(std::min<qint64>(length, buf.size())), off_t(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return localError(QStringLiteral("cannot read back"), path,
                              n < 0 ? QString::fromLocal8Bit(std::strerror(errno)) : QStringLiteral("file is shorter than expected"));
        md5.add(buf.constData(), n);
        offset += n;
        length -= n;
    }
    return Done{};
}

void checkpointJournal(const QString &partPath, const DownloadJournal &journal)
{
    QFile f(partPath);
    // On disk before the journal says so: a resume after a crash must not trust lost bytes.
    if (!f.open(QIODevice::ReadOnly) || ::fdatasync(f.handle()) != 0)
        return;
    writeJournal(partPath, journal);
}

Status finishDownload(const QString &partPath, const QString &target, qint64 size, const QString &md5Hex,
                      const QString &computedMd5Hex)
{
    QFile f(partPath);
    if (!f.open(QIODevice::ReadOnly))
        return localError(QStringLiteral("cannot read back"), partPath, f.errorString());
    if (f.size() != size)
        return Error(Error::Category::Integrity,
                     QStringLiteral("downloaded %1 bytes, expected %2").arg(f.size()).arg(size), QStringLiteral("SizeMismatch"));
    if (!md5Hex.isEmpty() && !computedMd5Hex.isEmpty()) {
        if (computedMd5Hex.compare(md5Hex, Qt::CaseInsensitive) != 0)
            return Error(Error::Category::Integrity,
                         QStringLiteral("MD5 of the downloaded data (%1) differs from the object's ETag (%2)")
                             .arg(computedMd5Hex, md5Hex),
                         QStringLiteral("ChecksumMismatch"));
    } else if (!md5Hex.isEmpty()) {
        Md5 m;
        QByteArray buf;
        while (!f.atEnd()) {
            buf = f.read(4 * 1024 * 1024);
            if (buf.isEmpty())
                return localError(QStringLiteral("cannot read back"), partPath, f.errorString());
            m.add(buf);
        }
        const QString got = QString::fromLatin1(m.result().toHex());
        if (got.compare(md5Hex, Qt::CaseInsensitive) != 0)
            return Error(Error::Category::Integrity,
                         QStringLiteral("MD5 of the downloaded data (%1) differs from the object's ETag (%2)").arg(got, md5Hex),
                         QStringLiteral("ChecksumMismatch"));
    }
    f.close();
    // rename(2) replaces the target atomically (and replaces a symlink, never follows it).
    if (std::rename(QFile::encodeName(partPath).constData(), QFile::encodeName(target).constData()) != 0)
        return localError(QStringLiteral("cannot rename to"), target, QString::fromLocal8Bit(std::strerror(errno)));
    QFile::remove(journalPath(partPath));
    return Done{};
}

QString journalPath(const QString &partPath)
{
    return LocalPath::journalPathFor(partPath);
}

Result<QList<int>> resumeOrPrepare(const QString &partPath, const DownloadJournal &want)
{
    QFile j(journalPath(partPath));
    const QFileInfo part(partPath);
    if (!want.etag.isEmpty() && part.isFile() && !part.isSymLink() && part.size() <= want.size
        && j.open(QIODevice::ReadOnly)) {
        const QJsonObject o = QJsonDocument::fromJson(j.read(1 << 20)).object();
        if (o.value(QStringLiteral("etag")).toString() == want.etag
            && jsonInt64(o.value(QStringLiteral("size"))) == want.size
            && jsonInt64(o.value(QStringLiteral("partSize"))) == want.partSize) {
            QList<int> done;
            const qint64 count64 = want.partSize > 0 ? want.size / want.partSize + (want.size % want.partSize != 0) : 0;
            const int count = int(std::min<qint64>(count64, 1 << 20));
            // A part counts only if the file holds all of it (the journal is written after an
            // fdatasync of the data, but a truncated or replaced file must not be trusted).
            QSet<int> seen;
            for (const QJsonValue &v : o.value(QStringLiteral("done")).toArray()) {
                const int i = v.toInt(-1);
                if (i < 0 || i >= count || seen.contains(i))
                    continue;
                // (i + 1) * partSize < size unless i is the last part: no overflow.
                const qint64 end = i + 1 >= count64 ? want.size : qint64(i + 1) * want.partSize;
                if (end > part.size())
                    continue;
                seen.insert(i);
                done.append(i);
            }
            const qint64 have = part.size();
            j.close();
            if (const Status s = checkFreeSpace(part.absolutePath(), want.size - have); !s.ok())
                return s.error();
            return done;
        }
    }
    j.close();
    QFile::remove(journalPath(partPath));
    const Status s = preparePartFile(partPath, want.size);
    if (!s.ok())
        return s.error();
    return QList<int>();
}

void writeJournal(const QString &partPath, const DownloadJournal &journal)
{
    QJsonArray done;
    for (int i : journal.done)
        done.append(i);
    const QJsonObject o{{QStringLiteral("etag"), journal.etag},
                        {QStringLiteral("size"), double(journal.size)},
                        {QStringLiteral("partSize"), double(journal.partSize)},
                        {QStringLiteral("done"), done}};
    QSaveFile f(journalPath(partPath));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

void discardPartFile(const QString &partPath)
{
    QFile::remove(partPath);
    QFile::remove(journalPath(partPath));
}

Status makeFolder(const QString &path)
{
    if (!QDir().mkpath(path))
        return localError(QStringLiteral("cannot create folder"), path, QStringLiteral("mkdir failed"));
    return Done{};
}

void removeFile(const QString &path)
{
    QFile::remove(path);
}

Result<QList<WalkedFile>> walkFolder(const QString &dir)
{
    const QFileInfo root(dir);
    if (!root.isDir())
        return Error(Error::Category::NotFound, QStringLiteral("no such folder: %1").arg(QDir::toNativeSeparators(dir)));
    const QDir base(root.absoluteFilePath());
    QList<WalkedFile> out;
    QDirIterator it(base.path(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo fi = it.fileInfo();
        if (!fi.isFile())
            continue;
        out.append({path, base.relativeFilePath(path)});
    }
    std::sort(out.begin(), out.end(), [](const WalkedFile &a, const WalkedFile &b) { return a.relativePath < b.relativePath; });
    return out;
}

} // namespace skydeck::fileops
