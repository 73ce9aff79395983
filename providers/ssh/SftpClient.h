#pragma once

#include "RemoteFileSystem.h"
#include "StorageClient.h"

#include <QPointer>

#include <functional>
#include <memory>

namespace skydeck::ssh {

class SshSession;

// SFTP on a ready SshSession. Thread-safe: every call posts an operation to the session's worker
// (an SftpWorker pump, created on first use) and answers through a QFuture; cancelling the future
// stops the operation (open handles are closed). Errors are skydeck::Error: NotFound, Permission,
// Conflict (exists, not empty), Network (session lost), Integrity (a file changed under a read).
//
// File contents move with libssh2's pipelining: many 30 kB SFTP requests in flight per channel
// (reads ask about 1 MiB ahead, as OpenSSH's sftp does, capped at the range end; writes keep a
// sliding window of about 2 MB in flight), and `bulkChannels` SFTP
// channels carry parts side by side, spread over a few SSH connections (setTransferConnections).
// A cancelled read or write finishes the requests in flight before it answers, so the channel
// stays usable.
class SftpClient : public RemoteFileSystem
{
public:
    explicit SftpClient(SshSession *session, int bulkChannels = 4);
    ~SftpClient() override;

    SftpClient(const SftpClient &) = delete;
    SftpClient &operator=(const SftpClient &) = delete;

    // Connections to the host that carry file contents, the session's own included (default 1,
    // or SKYDECK_SFTP_CONNECTIONS): the extra ones are opened with the session's host key and
    // credentials when transfers overlap and closed when idle (see SftpLanes). 1: the session only.
    void setTransferConnections(int connections);
    int transferConnections() const;

    QString scheme() const override { return QStringLiteral("sftp"); }
    QString displayName() const override { return m_displayName; }

    QFuture<Result<QString>> homeDirectory() override;
    QFuture<Result<QList<RemoteEntry>>> list(const QString &directory) override;
    QFuture<Result<RemoteEntry>> stat(const QString &path) override;
    QFuture<Result<Done>> makeDirectory(const QString &path) override;
    QFuture<Result<Done>> rename(const QString &from, const QString &to) override;
    QFuture<Result<Done>> remove(const QString &path) override;
    QFuture<Result<qint64>> removeRecursive(const QString &path) override;

    // Creates a directory and its missing parents (like mkdir -p); an existing directory is fine.
    QFuture<Result<Done>> makePath(const QString &path);

    // Every regular file under directory (recursive), with paths; symlinks are never followed
    // (they are left out and counted in skippedLinks).
    struct Tree {
        QList<RemoteEntry> files;
        QList<QString> directories;
        QList<QString> skippedLinks;
    };
    QFuture<Result<Tree>> walk(const QString &directory);

    // length bytes from offset (length -1: to the end). `version` (from versionTag(), may be
    // empty) must still match the file when it is opened, or the read fails with Conflict.
    QFuture<Result<QByteArray>> read(const QString &path, qint64 offset, qint64 length, const QString &version = {},
                                     ProgressFn progress = {});
    // The same read handed over in pieces of chunkSize bytes (the last may be shorter), in order,
    // as they arrive: onChunk runs on the session's worker thread, and every piece was handed over
    // before the future answers (with the byte count). No buffer the size of the range.
    using ChunkFn = std::function<void(QByteArray chunk)>;
    QFuture<Result<qint64>> readChunks(const QString &path, qint64 offset, qint64 length, const QString &version,
                                       qint64 chunkSize, ChunkFn onChunk, ProgressFn progress = {});
    // Writes data at offset (creating the file, mode 0644; truncate: empty it first).
    QFuture<Result<Done>> write(const QString &path, qint64 offset, const QByteArray &data, bool truncate,
                                ProgressFn progress = {});
    // Renames over an existing file (SFTP v3 rename refuses an existing target: it is removed
    // first, so this is not atomic).
    QFuture<Result<Done>> replace(const QString &from, const QString &to);

    // A file's version for read(): size and modification time.
    static QString versionTag(const RemoteEntry &entry);

private:
    struct Shared;
    std::shared_ptr<Shared> d;
    QString m_displayName;
};

} // namespace skydeck::ssh
