#pragma once

#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

// Blocking file work for the transfer engine. Every function here runs on a pool thread, never on
// the engine's (UI) thread.
namespace skydeck {
class Md5;
}

namespace skydeck::fileops {

struct Chunk {
    QByteArray data;
    QByteArray md5;  // raw 16 bytes
};

struct WalkedFile {
    QString path;          // absolute
    QString relativePath;  // '/'-separated, relative to the walked folder
};

// The size of a regular, readable file.
Result<qint64> statFile(const QString &path);
// `length` bytes at `offset`, with their MD5. Fails if the file is shorter (it changed).
Result<Chunk> readChunk(const QString &path, qint64 offset, qint64 length);
// Creates the parent folders and an empty `partPath` of `size` bytes (an existing one, or a
// symlink in its place, is removed first).
Status preparePartFile(const QString &partPath, qint64 size);
// The resume journal of a download: "<target>.part.json" next to the .part file, naming the
// object version (ETag, size) and the part size, and which parts are in the .part file already.
struct DownloadJournal {
    QString etag;
    qint64 size = 0;
    qint64 partSize = 0;
    QList<int> done;  // part indexes written
};
QString journalPath(const QString &partPath);
// When a .part and its journal match this object version and part size, keeps them and answers
// the parts already there; otherwise starts a fresh .part (preparePartFile) and answers none.
Result<QList<int>> resumeOrPrepare(const QString &partPath, const DownloadJournal &want);
// Best effort: a journal that cannot be written only means no resume.
void writeJournal(const QString &partPath, const DownloadJournal &journal);
// Removes a .part file and its journal.
void discardPartFile(const QString &partPath);

// Feeds `length` bytes of the file from `offset` to md5 (a download's parts, in order, while the
// rest is still arriving; they are in the page cache).
Status hashRange(const QString &path, qint64 offset, qint64 length, Md5 &md5);
// A resume checkpoint: the .part's data on disk (fdatasync), then the journal naming the parts.
// Best effort, like writeJournal.
void checkpointJournal(const QString &partPath, const DownloadJournal &journal);
// Checks the size and, when md5Hex is not empty, the MD5 (computedMd5Hex, or read back from the
// file when that is empty), then renames over the target.
Status finishDownload(const QString &partPath, const QString &target, qint64 size, const QString &md5Hex,
                      const QString &computedMd5Hex = QString());
Status makeFolder(const QString &path);
void removeFile(const QString &path);
// Every regular file under dir (symlinked folders are not followed), sorted by relative path.
Result<QList<WalkedFile>> walkFolder(const QString &dir);

} // namespace skydeck::fileops
