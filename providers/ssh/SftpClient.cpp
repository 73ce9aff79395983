#include "SftpClient.h"

#include "DisplayText.h"

#include "SftpLanes.h"
#include "SftpLogging.h"
#include "SftpOp.h"
#include "SftpWorker.h"
#include "SshConnection.h"
#include "SshSession.h"


#include <algorithm>
#include <atomic>
#include <climits>
#include <utility>
#include <sys/stat.h>

namespace skydeck::ssh {

namespace {

// libssh2 asks ahead 4x the buffer: 1 MiB, about 35 requests of 30000 bytes in flight per
// channel. With 2 MiB (8 MiB ahead, and libssh2 opening the window 8x that) sshd used twice the
// CPU per byte: its output buffers grew to megabytes and every packet moved them.
constexpr qint64 kMaxReadBuffer = 256LL * 1024;
// Bytes of a write in flight per channel: 64 of libssh2 1.10's 30000-byte write requests, about
// what OpenSSH's sftp keeps in flight (64 x 32 KiB) and what sshd's 2 MiB channel window admits.
constexpr qint64 kWriteWindow = 64LL * 30000;
// SFTP channels for file contents on each extra transfer connection (SftpLanes).
constexpr int kLaneBulkChannels = 2;

QString fxName(unsigned long fx)
{
    switch (fx) {
    case LIBSSH2_FX_EOF: return QStringLiteral("SSH_FX_EOF");
    case LIBSSH2_FX_NO_SUCH_FILE: return QStringLiteral("SSH_FX_NO_SUCH_FILE");
    case LIBSSH2_FX_PERMISSION_DENIED: return QStringLiteral("SSH_FX_PERMISSION_DENIED");
    case LIBSSH2_FX_FAILURE: return QStringLiteral("SSH_FX_FAILURE");
    case LIBSSH2_FX_BAD_MESSAGE: return QStringLiteral("SSH_FX_BAD_MESSAGE");
    case LIBSSH2_FX_OP_UNSUPPORTED: return QStringLiteral("SSH_FX_OP_UNSUPPORTED");
    case LIBSSH2_FX_NO_SUCH_PATH: return QStringLiteral("SSH_FX_NO_SUCH_PATH");
    case LIBSSH2_FX_FILE_ALREADY_EXISTS: return QStringLiteral("SSH_FX_FILE_ALREADY_EXISTS");
    case LIBSSH2_FX_WRITE_PROTECT: return QStringLiteral("SSH_FX_WRITE_PROTECT");
    case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return QStringLiteral("SSH_FX_NO_SPACE_ON_FILESYSTEM");
    case LIBSSH2_FX_QUOTA_EXCEEDED: return QStringLiteral("SSH_FX_QUOTA_EXCEEDED");
    case LIBSSH2_FX_DIR_NOT_EMPTY: return QStringLiteral("SSH_FX_DIR_NOT_EMPTY");
    case LIBSSH2_FX_NOT_A_DIRECTORY: return QStringLiteral("SSH_FX_NOT_A_DIRECTORY");
    default: return QStringLiteral("SSH_FX_%1").arg(fx);
    }
}

QByteArray enc(const QString &path)
{
    return path.toUtf8();
}

QString joinPath(const QString &dir, const QString &name)
{
    return dir.endsWith(QLatin1Char('/')) ? QString(dir + name) : QString(dir + QLatin1Char('/') + name);
}

RemoteEntry toEntry(const QString &dir, const QString &name, const LIBSSH2_SFTP_ATTRIBUTES &a)
{
    RemoteEntry e;
    e.name = name;
    e.path = joinPath(dir, name);
    if (a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) {
        e.permissions = quint32(a.permissions & 07777);
        switch (a.permissions & LIBSSH2_SFTP_S_IFMT) {
        case LIBSSH2_SFTP_S_IFREG: e.type = RemoteEntry::Type::File; break;
        case LIBSSH2_SFTP_S_IFDIR: e.type = RemoteEntry::Type::Directory; break;
        case LIBSSH2_SFTP_S_IFLNK: e.type = RemoteEntry::Type::Symlink; break;
        default: e.type = RemoteEntry::Type::Other; break;
        }
    }
    if (a.flags & LIBSSH2_SFTP_ATTR_SIZE)
        e.size = qint64(a.filesize);
    if (a.flags & LIBSSH2_SFTP_ATTR_ACMODTIME)
        e.modified = QDateTime::fromSecsSinceEpoch(qint64(a.mtime), Qt::UTC);
    return e;
}

// libssh2 answers a NULL handle with the reason in the session's last errno.
int lastErrno(const SftpContext &c)
{
    return libssh2_session_last_errno(c.session);
}

template <typename T>
using Body = typename FnOp<T>::Body;

// Opens path (returns true once handles[slot] holds it; on failure sets err).
bool openHandle(SftpContext &c, std::vector<SftpHandlePtr> &handles, size_t slot, const QString &path,
                unsigned long flags, long mode, int type, std::optional<Error> &err)
{
    if (handles.size() > slot && handles[slot])
        return true;
    const QByteArray p = enc(path);
    LIBSSH2_SFTP_HANDLE *h = libssh2_sftp_open_ex(c.sftp, p.constData(), unsigned(p.size()), flags, mode, type);
    if (!h) {
        const int rc = lastErrno(c);
        if (rc != LIBSSH2_ERROR_EAGAIN)
            err = c.error(rc, type == LIBSSH2_SFTP_OPENDIR ? QStringLiteral("cannot list") : QStringLiteral("cannot open"), path);
        return false;
    }
    if (handles.size() <= slot)
        handles.resize(slot + 1);
    handles[slot].reset(h);
    return true;
}

// What a directory listing or a walk may hold before it is refused as a server that never ends.
constexpr qsizetype kMaxEntriesPerDirectory = 1000000;
constexpr qsizetype kMaxEntriesPerWalk = 5000000;
constexpr qsizetype kMaxPathBytes = 4096;

Error unsafeName(const QString &dir, const QString &name)
{
    Error e(Error::Category::Server,
            QStringLiteral("the server listed \"%1\" in %2, which is not a plain file name (it holds a '/' or a NUL); "
                           "nothing under %2 was acted on")
                .arg(displayText(name), displayText(dir)),
            QStringLiteral("UnsafeRemoteName"));
    e.setRetryable(false);
    return e;
}

Error tooMany(const QString &dir, const QString &what)
{
    Error e(Error::Category::Server, QStringLiteral("%1 (at %2): stopped there").arg(what, displayText(dir)),
            QStringLiteral("TooManyEntries"));
    e.setRetryable(false);
    return e;
}

// Reads a whole directory through handles[0] (opened here), then closes it. Used by list, walk
// and removeRecursive. done() once `entries` is complete. Names with '/' or NUL and endless
// directories end it with an error (the handle is closed by its owner's reset).
struct DirReader {
    QString dir;
    QList<RemoteEntry> entries;
    bool opened = false;
    bool finished = false;

    // nullopt: call again; an Error (category None on success) when finished.
    std::optional<Error> step(SftpContext &c, std::vector<SftpHandlePtr> &handles, bool &progress)
    {
        std::optional<Error> err;
        if (!opened) {
            if (!openHandle(c, handles, 0, dir, 0, 0, LIBSSH2_SFTP_OPENDIR, err))
                return err;
            opened = true;
            progress = true;
        }
        if (!finished) {
            QByteArray name(4096, Qt::Uninitialized);
            for (;;) {
                LIBSSH2_SFTP_ATTRIBUTES attrs{};
                const int n = libssh2_sftp_readdir_ex(handles[0].get(), name.data(), size_t(name.size()), nullptr, 0, &attrs);
                if (n == LIBSSH2_ERROR_EAGAIN)
                    return std::nullopt;
                if (n < 0)
                    return c.error(n, QStringLiteral("cannot list"), dir);
                if (n == 0)
                    break;
                progress = true;
                const QByteArray raw(name.constData(), n);
                const QString entry = QString::fromUtf8(raw);
                if (entry == QLatin1String(".") || entry == QLatin1String(".."))
                    continue;
                // A server may lie: a "name" with a '/' or a NUL would make every path built from it
                // point somewhere else (a delete of dir/../x). Such a listing is refused whole.
                if (raw.contains('/') || raw.contains('\0'))
                    return unsafeName(dir, entry);
                if (entries.size() >= kMaxEntriesPerDirectory)
                    return tooMany(dir, QStringLiteral("more than %1 entries in one directory").arg(kMaxEntriesPerDirectory));
                entries.append(toEntry(dir, entry, attrs));
            }
            finished = true;
        }
        if (!closeHandle(handles[0]))
            return std::nullopt;
        opened = false;
        return Error();
    }
};

// Walks a tree breadth-first, one directory at a time.
struct TreeWalker {
    QList<QString> pending;
    QList<RemoteEntry> all;        // every entry below the root (lstat)
    QList<QString> directories;    // below the root, parents before children
    std::optional<DirReader> reader;

    explicit TreeWalker(const QString &root) { pending.append(root); }

    std::optional<Error> step(SftpContext &c, std::vector<SftpHandlePtr> &handles, bool &progress)
    {
        while (!pending.isEmpty() || reader) {
            if (!reader) {
                reader.emplace();
                reader->dir = pending.takeFirst();
            }
            std::optional<Error> r = reader->step(c, handles, progress);
            if (!r)
                return std::nullopt;
            if (r->isError())
                return r;
            if (all.size() + reader->entries.size() > kMaxEntriesPerWalk)
                return tooMany(reader->dir, QStringLiteral("more than %1 entries under one folder").arg(kMaxEntriesPerWalk));
            for (const RemoteEntry &e : std::as_const(reader->entries)) {
                all.append(e);
                if (e.isDirectory()) {
                    if (e.path.toUtf8().size() > kMaxPathBytes)
                        return tooMany(e.path, QStringLiteral("a path longer than %1 bytes").arg(kMaxPathBytes));
                    directories.append(e.path);
                    pending.append(e.path);
                }
            }
            reader.reset();
        }
        return Error();
    }
};

} // namespace

Error SftpContext::error(int rc, const QString &what, const QString &path) const
{
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && sftp) {
        const unsigned long fx = libssh2_sftp_last_error(sftp);
        Error::Category cat = Error::Category::Server;
        QString reason;
        switch (fx) {
        case LIBSSH2_FX_NO_SUCH_FILE:
        case LIBSSH2_FX_NO_SUCH_PATH:
            cat = Error::Category::NotFound;
            reason = QStringLiteral("no such file or directory");
            break;
        case LIBSSH2_FX_PERMISSION_DENIED:
        case LIBSSH2_FX_WRITE_PROTECT:
            cat = Error::Category::Permission;
            reason = QStringLiteral("permission denied");
            break;
        case LIBSSH2_FX_FILE_ALREADY_EXISTS:
            cat = Error::Category::Conflict;
            reason = QStringLiteral("already exists");
            break;
        case LIBSSH2_FX_DIR_NOT_EMPTY:
            cat = Error::Category::Conflict;
            reason = QStringLiteral("the directory is not empty");
            break;
        case LIBSSH2_FX_NOT_A_DIRECTORY:
            cat = Error::Category::Conflict;
            reason = QStringLiteral("not a directory");
            break;
        case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
        case LIBSSH2_FX_QUOTA_EXCEEDED:
            reason = QStringLiteral("no space left on the server");
            break;
        case LIBSSH2_FX_FAILURE:
            // OpenSSH answers a generic failure for, e.g., mkdir of an existing name or rmdir of
            // a directory that is not empty.
            cat = Error::Category::Conflict;
            reason = QStringLiteral("the server refused (it may exist already or not be empty)");
            break;
        default:
            reason = QStringLiteral("the server answered %1").arg(fxName(fx));
            break;
        }
        Error e(cat, QStringLiteral("%1: %2").arg(what, reason), fxName(fx));
        e.setRetryable(false);
        e.setContext(path);
        return e;
    }
    if (conn && conn->checkFatal(rc, "sftp"))
        return Error(Error::Category::Network, conn->endReason().isEmpty() ? QStringLiteral("connection lost") : conn->endReason())
            .setContext(path);
    Error e = conn ? conn->sessionError(rc, what) : Error(Error::Category::Network, what);
    e.setContext(path);
    return e;
}

struct SftpClient::Shared {
    QPointer<SshSession> session;
    QPointer<SftpWorker> worker;      // on the session's worker thread only
    SshConnection *workerConn = nullptr;
    std::unique_ptr<SftpLanes> lanes;  // on the session's worker thread only
    int bulkChannels = 4;
    std::atomic<int> extraConnections{SftpLanes::defaultExtraConnections()};

    template <typename T>
    QFuture<Result<T>> submit(bool bulk, Body<T> body, const std::shared_ptr<Shared> &self,
                              std::shared_ptr<QPromise<Result<T>>> promise = {})
    {
        if (!promise)
            promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        auto op = std::make_shared<FnOp<T>>(promise, std::move(body));
        op->bulk = bulk;
        SshSession *s = session.data();
        if (!s || !s->connection()) {
            op->abandon(Error(Error::Category::Network, QStringLiteral("not connected")));
            return future;
        }
        s->post([self, op](SshConnection &c) {
            if (!c.isReady()) {
                op->abandon(Error(Error::Category::Network, QStringLiteral("%1 is not connected").arg(c.host().displayName())));
                return;
            }
            if (!self->worker || self->workerConn != &c) {
                self->lanes.reset();
                self->worker = new SftpWorker(&c, self->bulkChannels);
                self->workerConn = &c;
                // The transfer connections end with this one.
                QObject::connect(&c, &SshConnection::sessionEnding, self->worker, [weak = std::weak_ptr<Shared>(self)] {
                    if (auto shared = weak.lock())
                        shared->lanes.reset();
                });
            }
            const int extra = self->extraConnections.load();
            if (op->bulk && extra > 0) {
                if (!self->lanes)
                    self->lanes = std::make_unique<SftpLanes>(&c, extra, kLaneBulkChannels);
                if (self->lanes->dispatch(self->worker->bulkLoad()->load(), op))
                    return;
            }
            self->worker->enqueue(op);
        });
        return future;
    }
};

SftpClient::SftpClient(SshSession *session, int bulkChannels) : d(std::make_shared<Shared>())
{
    d->session = session;
    d->bulkChannels = std::clamp(bulkChannels, 1, 16);
    if (session)
        m_displayName = session->host().displayName();
}

SftpClient::~SftpClient()
{
    if (SshSession *s = d->session.data())
        s->post([d = d](SshConnection &) {
            d->lanes.reset();
            delete d->worker.data();
        });
}

void SftpClient::setTransferConnections(int connections)
{
    d->extraConnections.store(std::clamp(connections, 1, 16) - 1);
}

int SftpClient::transferConnections() const
{
    return d->extraConnections.load() + 1;
}

QString SftpClient::versionTag(const RemoteEntry &entry)
{
    return QStringLiteral("%1-%2").arg(entry.size).arg(entry.modified.isValid() ? entry.modified.toSecsSinceEpoch() : 0);
}

QFuture<Result<QString>> SftpClient::homeDirectory()
{
    return d->submit<QString>(false, [](SftpContext &c, std::vector<SftpHandlePtr> &, bool &) -> std::optional<Result<QString>> {
        char buf[4096];
        const int n = libssh2_sftp_symlink_ex(c.sftp, ".", 1, buf, sizeof buf - 1, LIBSSH2_SFTP_REALPATH);
        if (n == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (n < 0)
            return Result<QString>(c.error(n, QStringLiteral("cannot resolve the home directory"), QStringLiteral(".")));
        return Result<QString>(QString::fromUtf8(buf, n));
    }, d);
}

QFuture<Result<QList<RemoteEntry>>> SftpClient::list(const QString &directory)
{
    auto reader = std::make_shared<DirReader>();
    reader->dir = directory;
    return d->submit<QList<RemoteEntry>>(false, [reader](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress)
                                                    -> std::optional<Result<QList<RemoteEntry>>> {
        std::optional<Error> r = reader->step(c, h, progress);
        if (!r)
            return std::nullopt;
        if (r->isError())
            return Result<QList<RemoteEntry>>(*r);
        return Result<QList<RemoteEntry>>(reader->entries);
    }, d);
}

QFuture<Result<RemoteEntry>> SftpClient::stat(const QString &path)
{
    return d->submit<RemoteEntry>(false, [path](SftpContext &c, std::vector<SftpHandlePtr> &, bool &) -> std::optional<Result<RemoteEntry>> {
        const QByteArray p = enc(path);
        LIBSSH2_SFTP_ATTRIBUTES a{};
        const int rc = libssh2_sftp_stat_ex(c.sftp, p.constData(), unsigned(p.size()), LIBSSH2_SFTP_LSTAT, &a);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (rc < 0)
            return Result<RemoteEntry>(c.error(rc, QStringLiteral("cannot stat"), path));
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        RemoteEntry e = toEntry(path.left(std::max<qsizetype>(slash, 1)), path.mid(slash + 1), a);
        e.path = path;
        return Result<RemoteEntry>(e);
    }, d);
}

QFuture<Result<Done>> SftpClient::makeDirectory(const QString &path)
{
    return d->submit<Done>(false, [path](SftpContext &c, std::vector<SftpHandlePtr> &, bool &) -> std::optional<Status> {
        const QByteArray p = enc(path);
        const int rc = libssh2_sftp_mkdir_ex(c.sftp, p.constData(), unsigned(p.size()), 0755);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (rc < 0)
            return Status(c.error(rc, QStringLiteral("cannot create the directory"), path));
        return Status(Done{});
    }, d);
}

QFuture<Result<Done>> SftpClient::makePath(const QString &path)
{
    QStringList prefixes;
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString at;
    for (const QString &part : parts) {
        at += QLatin1Char('/') + part;
        prefixes.append(at);
    }
    auto next = std::make_shared<int>(0);
    return d->submit<Done>(false, [path, prefixes, next](SftpContext &c, std::vector<SftpHandlePtr> &, bool &progress) -> std::optional<Status> {
        while (*next < prefixes.size()) {
            const QByteArray p = enc(prefixes[*next]);
            const int rc = libssh2_sftp_mkdir_ex(c.sftp, p.constData(), unsigned(p.size()), 0755);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0 && rc != LIBSSH2_ERROR_SFTP_PROTOCOL)
                return Status(c.error(rc, QStringLiteral("cannot create the directory"), prefixes[*next]));
            ++*next;
            progress = true;
        }
        // Whatever mkdir said on the way (exists, permission on a parent), the result must be a directory.
        const QByteArray p = enc(path);
        LIBSSH2_SFTP_ATTRIBUTES a{};
        const int rc = libssh2_sftp_stat_ex(c.sftp, p.constData(), unsigned(p.size()), LIBSSH2_SFTP_STAT, &a);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (rc < 0)
            return Status(c.error(rc, QStringLiteral("cannot create the directory"), path));
        if (!LIBSSH2_SFTP_S_ISDIR(a.permissions))
            return Status(Error(Error::Category::Conflict, QStringLiteral("exists and is not a directory")).setContext(path));
        return Status(Done{});
    }, d);
}

QFuture<Result<Done>> SftpClient::rename(const QString &from, const QString &to)
{
    return d->submit<Done>(false, [from, to](SftpContext &c, std::vector<SftpHandlePtr> &, bool &) -> std::optional<Status> {
        const QByteArray a = enc(from), b = enc(to);
        const int rc = libssh2_sftp_rename_ex(c.sftp, a.constData(), unsigned(a.size()), b.constData(), unsigned(b.size()),
                                              LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (rc < 0)
            return Status(c.error(rc, QStringLiteral("cannot rename to %1").arg(to), from));
        return Status(Done{});
    }, d);
}

QFuture<Result<Done>> SftpClient::replace(const QString &from, const QString &to)
{
    enum class St { Rename, Unlink, RenameAgain };
    auto st = std::make_shared<St>(St::Rename);
    return d->submit<Done>(true, [from, to, st](SftpContext &c, std::vector<SftpHandlePtr> &, bool &progress) -> std::optional<Status> {
        const QByteArray a = enc(from), b = enc(to);
        for (;;) {
            if (*st == St::Unlink) {
                const int rc = libssh2_sftp_unlink_ex(c.sftp, b.constData(), unsigned(b.size()));
                if (rc == LIBSSH2_ERROR_EAGAIN)
                    return std::nullopt;
                if (rc < 0 && !(rc == LIBSSH2_ERROR_SFTP_PROTOCOL && libssh2_sftp_last_error(c.sftp) == LIBSSH2_FX_NO_SUCH_FILE))
                    return Status(c.error(rc, QStringLiteral("cannot replace the existing file"), to));
                *st = St::RenameAgain;
                progress = true;
            }
            const int rc = libssh2_sftp_rename_ex(c.sftp, a.constData(), unsigned(a.size()), b.constData(), unsigned(b.size()),
                                                  LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc == 0)
                return Status(Done{});
            const unsigned long fx = rc == LIBSSH2_ERROR_SFTP_PROTOCOL ? libssh2_sftp_last_error(c.sftp) : 0;
            if (*st == St::Rename && (fx == LIBSSH2_FX_FAILURE || fx == LIBSSH2_FX_FILE_ALREADY_EXISTS)) {
                *st = St::Unlink;
                continue;
            }
            return Status(c.error(rc, QStringLiteral("cannot rename to %1").arg(to), from));
        }
    }, d);
}

QFuture<Result<Done>> SftpClient::remove(const QString &path)
{
    enum class St { Stat, Unlink, Rmdir };
    auto st = std::make_shared<St>(St::Stat);
    return d->submit<Done>(false, [path, st](SftpContext &c, std::vector<SftpHandlePtr> &, bool &) -> std::optional<Status> {
        const QByteArray p = enc(path);
        if (*st == St::Stat) {
            LIBSSH2_SFTP_ATTRIBUTES a{};
            const int rc = libssh2_sftp_stat_ex(c.sftp, p.constData(), unsigned(p.size()), LIBSSH2_SFTP_LSTAT, &a);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0)
                return Status(c.error(rc, QStringLiteral("cannot delete"), path));
            *st = LIBSSH2_SFTP_S_ISDIR(a.permissions) ? St::Rmdir : St::Unlink;
        }
        const int rc = *st == St::Rmdir ? libssh2_sftp_rmdir_ex(c.sftp, p.constData(), unsigned(p.size()))
                                        : libssh2_sftp_unlink_ex(c.sftp, p.constData(), unsigned(p.size()));
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return std::nullopt;
        if (rc < 0)
            return Status(c.error(rc, QStringLiteral("cannot delete"), path));
        return Status(Done{});
    }, d);
}

QFuture<Result<qint64>> SftpClient::removeRecursive(const QString &root)
{
    struct State {
        std::optional<TreeWalker> walker;
        bool walked = false;
        QList<QString> files;  // files and links, then directories deepest first, then root
        QList<QString> dirs;
        qint64 removed = 0;
        bool rootIsDir = true;
        bool statted = false;
    };
    auto st = std::make_shared<State>();
    // Progress through the future: the body reports on the promise FnOp answers with.
    auto promise = std::make_shared<QPromise<Result<qint64>>>();
    std::weak_ptr<QPromise<Result<qint64>>> weak = promise;
    return d->submit<qint64>(false, [root, st, weak](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress) -> std::optional<Result<qint64>> {
        if (!st->statted) {
            const QByteArray p = enc(root);
            LIBSSH2_SFTP_ATTRIBUTES a{};
            const int rc = libssh2_sftp_stat_ex(c.sftp, p.constData(), unsigned(p.size()), LIBSSH2_SFTP_LSTAT, &a);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0)
                return Result<qint64>(c.error(rc, QStringLiteral("cannot delete"), root));
            st->statted = true;
            if (auto pr = weak.lock())
                pr->setProgressRange(0, INT_MAX);
            st->rootIsDir = LIBSSH2_SFTP_S_ISDIR(a.permissions);
            if (!st->rootIsDir) {
                st->walked = true;
                st->files.append(root);
            } else {
                st->walker.emplace(root);
            }
        }
        if (!st->walked) {
            std::optional<Error> r = st->walker->step(c, h, progress);
            if (!r)
                return std::nullopt;
            if (r->isError())
                return Result<qint64>(*r);
            for (const RemoteEntry &e : std::as_const(st->walker->all))
                if (!e.isDirectory())
                    st->files.append(e.path);
            st->dirs = st->walker->directories;
            std::reverse(st->dirs.begin(), st->dirs.end());  // children before parents
            st->dirs.append(root);
            st->walker.reset();
            st->walked = true;
        }
        while (!st->files.isEmpty()) {
            const QByteArray p = enc(st->files.first());
            const int rc = libssh2_sftp_unlink_ex(c.sftp, p.constData(), unsigned(p.size()));
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0)
                return Result<qint64>(c.error(rc, QStringLiteral("cannot delete"), st->files.first()));
            st->files.removeFirst();
            ++st->removed;
            progress = true;
            if (auto pr = weak.lock())
                pr->setProgressValue(int(std::min<qint64>(st->removed, INT_MAX)));
        }
        while (!st->dirs.isEmpty()) {
            const QByteArray p = enc(st->dirs.first());
            const int rc = libssh2_sftp_rmdir_ex(c.sftp, p.constData(), unsigned(p.size()));
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0)
                return Result<qint64>(c.error(rc, QStringLiteral("cannot delete the directory"), st->dirs.first()));
            st->dirs.removeFirst();
            ++st->removed;
            progress = true;
        }
        return Result<qint64>(st->removed);
    }, d, promise);
}

QFuture<Result<SftpClient::Tree>> SftpClient::walk(const QString &directory)
{
    auto walker = std::make_shared<TreeWalker>(directory);
    return d->submit<Tree>(false, [walker](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress) -> std::optional<Result<Tree>> {
        std::optional<Error> r = walker->step(c, h, progress);
        if (!r)
            return std::nullopt;
        if (r->isError())
            return Result<Tree>(*r);
        Tree t;
        t.directories = walker->directories;
        for (const RemoteEntry &e : std::as_const(walker->all)) {
            if (e.type == RemoteEntry::Type::File)
                t.files.append(e);
            else if (e.type == RemoteEntry::Type::Symlink)
                t.skippedLinks.append(e.path);
        }
        if (!t.skippedLinks.isEmpty())
            qCInfo(lcSftp).noquote() << "walk of" << walker->all.size() << "entries skipped" << t.skippedLinks.size()
                                     << "symlinks (never followed)";
        return Result<Tree>(t);
    }, d);
}

namespace {

// A ranged read: the state machine behind read() and readChunks(). Bytes go into `data`, whole
// (chunkSize 0) or in pieces of chunkSize handed to onChunk as each fills.
struct RangeRead {
    QString path;
    qint64 offset = 0;
    qint64 length = 0;  // -1: to the end (set from the size once open)
    QString version;
    ProgressFn progressFn;
    qint64 chunkSize = 0;
    SftpClient::ChunkFn onChunk;

    bool checked = false;
    QByteArray data;
    qint64 dataStart = 0;  // range offset of data[0]
    qint64 got = 0;
    qint64 asked = 0;      // libssh2 has requested at most this much of the range

    // nullopt: call again; an Error (category None once every byte arrived) when finished.
    std::optional<Error> step(SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress)
    {
        std::optional<Error> err;
        if (!openHandle(c, h, 0, path, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE, err))
            return err;
        LIBSSH2_SFTP_HANDLE *handle = h[0].get();
        if (!checked) {
            LIBSSH2_SFTP_ATTRIBUTES a{};
            const int rc = libssh2_sftp_fstat_ex(handle, &a, 0);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (rc < 0)
                return c.error(rc, QStringLiteral("cannot stat"), path);
            const RemoteEntry e = toEntry(QStringLiteral("/"), QString(), a);
            if (e.type == RemoteEntry::Type::Directory)
                return Error(Error::Category::InvalidInput, QStringLiteral("is a directory")).setContext(path);
            if (!version.isEmpty() && SftpClient::versionTag(e) != version)
                return Error(Error::Category::Conflict, QStringLiteral("the file changed on the server during the transfer"),
                             QStringLiteral("PreconditionFailed"))
                    .setRetryable(false)
                    .setContext(path);
            if (length < 0)
                length = std::max<qint64>(0, e.size - offset);
            if (chunkSize <= 0)
                data.resize(length);
            libssh2_sftp_seek64(handle, libssh2_uint64_t(offset));
            checked = true;
            progress = true;
        }
        for (;;) {
            // Cancelled, the range ends where libssh2's requests end: their answers are read
            // (not left to the close, which would drop a request half written to the channel).
            const qint64 end = c.canceled ? std::min(length, asked) : length;
            if (got >= end)
                break;
            if (chunkSize > 0 && got - dataStart >= data.size()) {
                if (!data.isEmpty())
                    onChunk(std::exchange(data, QByteArray()));
                dataStart = got;
                data.resize(std::min(chunkSize, length - got));
            }
            // Never ask past the range (libssh2 requests up to 4x the buffer ahead), and keep the
            // read-ahead near OpenSSH's: sshd's buffers (and the memmoves in them) grow with it.
            const qint64 remaining = end - got;
            const qint64 room = data.size() - (got - dataStart);
            const qint64 buffer = std::min(room, remaining < 4 ? remaining : std::min(remaining / 4, kMaxReadBuffer));
            // Cancelled, the end stays where it was: the few bytes a small buffer may still ask
            // for past it (fully sent by the time data comes back) are left to the close, or the
            // end would creep on a few bytes a call for ever.
            if (!c.canceled)
                asked = std::max(asked, got + 4 * buffer);
            const ssize_t n = libssh2_sftp_read(handle, data.data() + (got - dataStart), size_t(buffer));
            if (n == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (n < 0)
                return c.error(int(n), QStringLiteral("read failed"), path);
            if (n == 0)
                return Error(Error::Category::Integrity,
                             QStringLiteral("the file ended after %1 bytes; expected %2 (changed on the server?)")
                                 .arg(offset + got).arg(offset + length))
                    .setRetryable(true)
                    .setContext(path);
            got += n;
            progress = true;
            if (progressFn)
                progressFn(got, length);
        }
        if (got < length)
            return Error::cancelled();
        if (chunkSize > 0 && !data.isEmpty())
            onChunk(std::exchange(data, QByteArray()));
        return Error();
    }
};

} // namespace

QFuture<Result<QByteArray>> SftpClient::read(const QString &path, qint64 offset, qint64 length, const QString &version,
                                             ProgressFn progressFn)
{
    auto st = std::make_shared<RangeRead>(RangeRead{path, offset, length, version, std::move(progressFn), 0, {}});
    return d->submit<QByteArray>(true, [st](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress) -> std::optional<Result<QByteArray>> {
        std::optional<Error> r = st->step(c, h, progress);
        if (!r)
            return std::nullopt;
        if (r->isError())
            return Result<QByteArray>(*r);
        return Result<QByteArray>(std::move(st->data));
    }, d);
}

QFuture<Result<qint64>> SftpClient::readChunks(const QString &path, qint64 offset, qint64 length, const QString &version,
                                               qint64 chunkSize, ChunkFn onChunk, ProgressFn progressFn)
{
    auto st = std::make_shared<RangeRead>(RangeRead{path, offset, length, version, std::move(progressFn),
                                                    std::max<qint64>(chunkSize, 1), std::move(onChunk)});
    return d->submit<qint64>(true, [st](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress) -> std::optional<Result<qint64>> {
        std::optional<Error> r = st->step(c, h, progress);
        if (!r)
            return std::nullopt;
        if (r->isError())
            return Result<qint64>(*r);
        return Result<qint64>(st->got);
    }, d);
}

QFuture<Result<Done>> SftpClient::write(const QString &path, qint64 offset, const QByteArray &data, bool truncate,
                                        ProgressFn progressFn)
{
    struct State {
        bool seeked = false;
        qint64 acked = 0;   // bytes the server confirmed
        qint64 handed = 0;  // bytes given to libssh2 so far (acked + in flight)
    };
    auto st = std::make_shared<State>();
    unsigned long flags = LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT;
    if (truncate)
        flags |= LIBSSH2_FXF_TRUNC;
    return d->submit<Done>(true, [=](SftpContext &c, std::vector<SftpHandlePtr> &h, bool &progress) -> std::optional<Status> {
        std::optional<Error> err;
        if (!openHandle(c, h, 0, path, flags, 0644, LIBSSH2_SFTP_OPENFILE, err))
            return err ? std::optional<Status>(*err) : std::nullopt;
        LIBSSH2_SFTP_HANDLE *handle = h[0].get();
        if (!st->seeked) {
            libssh2_sftp_seek64(handle, libssh2_uint64_t(offset));
            st->seeked = true;
            progress = true;
        }
        const qint64 size = data.size();
        for (;;) {
            // A sliding window: libssh2 1.10 turns the bytes past what it already holds into
            // 30000-byte requests and answers with the acknowledged bytes (one request per call),
            // so each call tops the window up by what was just acknowledged. Cancelled, the window
            // stops growing and what is in flight is finished: handing the call up early would
            // leave requests (maybe one half written to the channel) behind, and the close that
            // follows would flush them into a broken SFTP stream.
            const qint64 end = c.canceled ? st->handed : std::min(size, st->acked + kWriteWindow);
            if (st->acked >= end)
                break;
            st->handed = std::max(st->handed, end);
            const ssize_t n = libssh2_sftp_write(handle, data.constData() + st->acked, size_t(end - st->acked));
            if (n == LIBSSH2_ERROR_EAGAIN)
                return std::nullopt;
            if (n < 0)
                return Status(c.error(int(n), QStringLiteral("write failed"), path));
            // 0: the call only resumed sending (nothing acknowledged yet); go on.
            st->acked += n;
            progress = true;
            if (progressFn && n > 0)
                progressFn(st->acked, size);
        }
        if (st->acked < size)
            return Status(Error::cancelled());
        return Status(Done{});
    }, d);
}

} // namespace skydeck::ssh
