#pragma once

#include "Result.h"

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QMetaType>
#include <QString>

namespace skydeck {

// One entry of a remote directory (SFTP today), with lstat semantics: a symlink is reported as
// a symlink, never as what it points to.
struct RemoteEntry {
    enum class Type { File, Directory, Symlink, Other };
    QString name;             // as the server sent it (decoded as UTF-8); may hold any byte but '/'
    QString path;             // absolute, '/'-separated
    Type type = Type::Other;
    qint64 size = -1;         // -1 when the server did not say
    QDateTime modified;       // UTC; invalid when unknown
    quint32 permissions = 0;  // the mode's permission bits (07777)
    bool isDirectory() const { return type == Type::Directory; }
};

// A remote file system reached through a session (SFTP over SSH). Thread-safe facade: every call
// may come from any thread and answers through a QFuture (cancel it to stop the operation).
class RemoteFileSystem
{
public:
    virtual ~RemoteFileSystem() = default;

    virtual QString scheme() const = 0;       // "sftp"
    virtual QString displayName() const = 0;  // "user@host:port"

    // The directory a relative path starts from (the login directory).
    virtual QFuture<Result<QString>> homeDirectory() = 0;
    // The entries of a directory ("." and ".." left out), in the server's order.
    virtual QFuture<Result<QList<RemoteEntry>>> list(const QString &directory) = 0;
    virtual QFuture<Result<RemoteEntry>> stat(const QString &path) = 0;  // lstat: links are not followed
    virtual QFuture<Result<Done>> makeDirectory(const QString &path) = 0;
    virtual QFuture<Result<Done>> rename(const QString &from, const QString &to) = 0;
    // A file or symlink (never what it points to), or an empty directory.
    virtual QFuture<Result<Done>> remove(const QString &path) = 0;
    // A directory and everything under it (symlinks are removed, not followed). Answers with the
    // number of entries removed; the future's progress value counts them as they go.
    virtual QFuture<Result<qint64>> removeRecursive(const QString &path) = 0;
};

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::RemoteEntry)
