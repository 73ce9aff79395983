#include "FileOps.h"

#include "Md5.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

namespace skydeck::fileops {

namespace {
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

Status preparePartFile(const QString &partPath, qint64 size)
{
    const QFileInfo fi(partPath);
    if (!QDir().mkpath(fi.absolutePath()))
        return localError(QStringLiteral("cannot create folder"), fi.absolutePath(), QStringLiteral("mkdir failed"));
    if (fi.exists() || fi.isSymLink())
        QFile::remove(partPath);
    QFile f(partPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return localError(QStringLiteral("cannot write"), partPath, f.errorString());
    if (!f.resize(size))
        return localError(QStringLiteral("cannot allocate"), partPath, f.errorString());
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
    return partPath + QStringLiteral(".json");
}

Result<QList<int>> resumeOrPrepare(const QString &partPath, const DownloadJournal &want)
{
    QFile j(journalPath(partPath));
    const QFileInfo part(partPath);
    if (!want.etag.isEmpty() && part.isFile() && !part.isSymLink() && part.size() == want.size
        && j.open(QIODevice::ReadOnly)) {
        const QJsonObject o = QJsonDocument::fromJson(j.read(1 << 20)).object();
        if (o.value(QStringLiteral("etag")).toString() == want.etag
            && qint64(o.value(QStringLiteral("size")).toDouble()) == want.size
            && qint64(o.value(QStringLiteral("partSize")).toDouble()) == want.partSize) {
            QList<int> done;
            const int count = want.partSize > 0 ? int((want.size + want.partSize - 1) / want.partSize) : 0;
            for (const QJsonValue &v : o.value(QStringLiteral("done")).toArray()) {
                const int i = v.toInt(-1);
                if (i >= 0 && i < count && !done.contains(i))
                    done.append(i);
            }
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
