#include "SftpStorage.h"

#include "Account.h"
#include "AccountRegistry.h"
#include "ProviderWorker.h"
#include "SftpLogging.h"

#include <QHash>
#include <QMutex>
#include <QUuid>

#include <optional>

namespace skydeck::ssh {

namespace {

QMutex s_mutex;
QHash<QString, std::shared_ptr<SftpClient>> &clients()
{
    static QHash<QString, std::shared_ptr<SftpClient>> map;
    return map;
}

// A streamed read hands over pieces of kChunkSize, written to the sink kSinkSlice at a time.
constexpr qint64 kChunkSize = 1024 * 1024;
constexpr qint64 kSinkSlice = 256 * 1024;

Error unsupported(const QString &what)
{
    return Error(Error::Category::InvalidInput, QStringLiteral("%1 is not available over SFTP").arg(what)).setRetryable(false);
}

QString parentOf(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

// uploadId = "<partSize>:<temporary path>"
QString makeUploadId(qint64 partSize, const QString &temp)
{
    return QString::number(partSize) + QLatin1Char(':') + temp;
}

bool parseUploadId(const QString &id, qint64 *partSize, QString *temp)
{
    const qsizetype colon = id.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    bool ok = false;
    *partSize = id.left(colon).toLongLong(&ok);
    *temp = id.mid(colon + 1);
    return ok && *partSize > 0 && temp->startsWith(QLatin1Char('/'));
}

} // namespace

SftpStorage::SftpStorage(std::shared_ptr<SftpClient> client, QObject *parent) : StorageClient(parent), m_client(std::move(client))
{
}

template <typename T, typename F>
void SftpStorage::follow(QFuture<Result<T>> future, const CancelToken &token, F &&cb)
{
    const QMetaObject::Connection c = token.onCancel(this, [future]() mutable { future.cancel(); });
    whenDone(future, this, [this, c, cb = std::forward<F>(cb)](Result<T> r) mutable {
        disconnect(c);
        cb(std::move(r));
    });
}

QString SftpStorage::temporaryPathFor(const QString &path)
{
    const QString dir = parentOf(path);
    const QString name = path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
    const QString id = QUuid::createUuid().toString(QUuid::Id128).left(12);
    const QString hidden = name.toUtf8().size() <= 200 ? QStringLiteral(".%1.skydeck-%2.part").arg(name, id)
                                                       : QStringLiteral(".skydeck-%1.part").arg(id);
    return (dir == QLatin1String("/") ? QString() : dir) + QLatin1Char('/') + hidden;
}

void SftpStorage::writeCreatingParents(const QString &path, const QByteArray &data, const ProgressFn &progress,
                                       const CancelToken &token, std::function<void(Status)> done)
{
    auto client = m_client;
    follow(m_client->write(path, 0, data, true, progress), token, [this, client, path, data, progress, token, done](Status r) {
        if (r.ok() || r.error().category() != Error::Category::NotFound)
            return done(r);
        // Like an object store: a key under folders that do not exist yet creates them.
        follow(client->makePath(parentOf(path)), token, [this, client, path, data, progress, token, done](Status made) {
            if (!made.ok())
                return done(made);
            follow(client->write(path, 0, data, true, progress), token, done);
        });
    });
}

void SftpStorage::listBuckets(const CancelToken &, Callback<QList<Bucket>> done)
{
    Bucket b;
    b.name = m_client->displayName();
    done(QList<Bucket>{b});
}

void SftpStorage::createBucket(const QString &, const QString &, const CancelToken &, Callback<Done> done)
{
    done(unsupported(QStringLiteral("creating a bucket")));
}

void SftpStorage::deleteBucket(const QString &, const CancelToken &, Callback<Done> done)
{
    done(unsupported(QStringLiteral("deleting a bucket")));
}

void SftpStorage::listObjects(const ListRequest &request, const CancelToken &token, Callback<ListPage> done)
{
    const QString prefix = request.prefix;
    const qsizetype slash = prefix.lastIndexOf(QLatin1Char('/'));
    const QString dirKey = prefix.left(slash + 1);  // "a/b/" or ""
    const QString dir = dirKey.isEmpty() ? QStringLiteral("/") : pathForKey(dirKey.chopped(1));
    if (request.delimiter.isEmpty()) {
        follow(m_client->walk(dir), token, [prefix, done](Result<SftpClient::Tree> r) {
            if (!r.ok())
                return done(r.error());
            ListPage page;
            for (const RemoteEntry &e : r->files) {
                const QString key = keyForPath(e.path);
                if (!key.startsWith(prefix))
                    continue;
                ObjectEntry o;
                o.key = key;
                o.size = e.size;
                o.modified = e.modified;
                o.etag = SftpClient::versionTag(e);
                page.entries.append(o);
            }
            if (!r->skippedLinks.isEmpty())
                qCWarning(lcSftp).noquote() << "skipped" << r->skippedLinks.size() << "symlinks under" << prefix
                                            << "(symlinks are not followed)";
            done(page);
        });
        return;
    }
    follow(m_client->list(dir), token, [prefix, dirKey, done](Result<QList<RemoteEntry>> r) {
        if (!r.ok())
            return done(r.error());
        ListPage page;
        for (const RemoteEntry &e : r.value()) {
            const QString key = dirKey + e.name + (e.isDirectory() ? QStringLiteral("/") : QString());
            if (!key.startsWith(prefix) || e.type == RemoteEntry::Type::Symlink || e.type == RemoteEntry::Type::Other)
                continue;
            ObjectEntry o;
            o.key = key;
            o.isPrefix = e.isDirectory();
            o.size = o.isPrefix ? 0 : e.size;
            o.modified = e.modified;
            if (!o.isPrefix)
                o.etag = SftpClient::versionTag(e);
            page.entries.append(o);
        }
        done(page);
    });
}

void SftpStorage::headObject(const QString &, const QString &key, const CancelToken &token, Callback<ObjectHead> done)
{
    const QString path = pathForKey(key);
    follow(m_client->stat(path), token, [path, done](Result<RemoteEntry> r) {
        if (!r.ok())
            return done(r.error());
        if (r->type == RemoteEntry::Type::Symlink)
            return done(Error(Error::Category::InvalidInput, QStringLiteral("is a symlink (not followed)")).setContext(path));
        if (r->type != RemoteEntry::Type::File)
            return done(Error(Error::Category::InvalidInput, QStringLiteral("not a regular file")).setContext(path));
        ObjectHead h;
        h.size = r->size;
        h.modified = r->modified;
        h.etag = SftpClient::versionTag(r.value());
        done(h);
    });
}

void SftpStorage::getObject(const GetRequest &request, const ProgressFn &progress, const CancelToken &token,
                            Callback<ObjectData> done)
{
    follow(m_client->read(pathForKey(request.key), request.offset, request.length, request.ifMatch, progress), token,
           [done](Result<QByteArray> r) {
               if (!r.ok())
                   return done(r.error());
               ObjectData d;
               d.head.size = -1;
               d.data = r.takeValue();
               done(d);
           });
}

void SftpStorage::getObjectInto(const GetRequest &request, std::shared_ptr<DataSink> sink, const ProgressFn &progress,
                                const CancelToken &token, Callback<ObjectHead> done)
{
    if (Status s = sink->begin(); !s.ok())
        return done(s.error());
    // Pieces are read on the session's thread and written to the sink on this one, in the order
    // they were posted; the read's answer is posted after the last of them, so it comes after
    // every write. A sink that fails cancels the read (what is in flight is drained first).
    struct Stream {
        std::optional<Error> failed;  // this thread only
        QFuture<Result<qint64>> read;
    };
    auto stream = std::make_shared<Stream>();
    // Owned by the pieces in flight; deleted on this thread.
    std::shared_ptr<QObject> writer(new QObject(), [](QObject *o) { o->deleteLater(); });
    auto onChunk = [writer, sink, stream](QByteArray chunk) {
        QMetaObject::invokeMethod(writer.get(), [sink, stream, chunk = std::move(chunk)] {
            if (stream->failed)
                return;
            // Written in slices: one pwrite of a megabyte or more cost several times the CPU of
            // the same bytes in 256 KiB writes here (large page-cache folios).
            for (qint64 at = 0; at < chunk.size(); at += kSinkSlice) {
                Status s = sink->write(chunk.constData() + at, std::min<qint64>(kSinkSlice, chunk.size() - at));
                if (!s.ok()) {
                    stream->failed = s.error();
                    stream->read.cancel();
                    return;
                }
            }
        });
    };
    stream->read = m_client->readChunks(pathForKey(request.key), request.offset, request.length, request.ifMatch,
                                        kChunkSize, std::move(onChunk), progress);
    follow(stream->read, token, [stream, writer, done](Result<qint64> r) {
        if (stream->failed)
            return done(*stream->failed);
        if (!r.ok())
            return done(r.error());
        ObjectHead head;
        head.size = -1;
        done(head);
    });
}

void SftpStorage::putObject(const QString &, const QString &key, const QByteArray &data, const PutOptions &,
                            const ProgressFn &progress, const CancelToken &token, Callback<PutResult> done)
{
    const QString path = pathForKey(key);
    const QString temp = temporaryPathFor(path);
    auto client = m_client;
    writeCreatingParents(temp, data, progress, token, [this, client, temp, path, token, done](Status r) {
        if (!r.ok()) {
            (void)client->remove(temp);
            return done(r.error());
        }
        follow(client->replace(temp, path), token, [client, temp, done](Status r2) {
            if (!r2.ok()) {
                (void)client->remove(temp);
                return done(r2.error());
            }
            done(PutResult{});
        });
    });
}

void SftpStorage::copyObject(const QString &, const QString &, const QString &, const QString &, const CancelToken &,
                             Callback<PutResult> done)
{
    done(unsupported(QStringLiteral("a server-side copy")));
}

void SftpStorage::deleteObjects(const QString &, const QStringList &keys, const CancelToken &token,
                                Callback<QList<DeleteFailure>> done)
{
    auto failures = std::make_shared<QList<DeleteFailure>>();
    auto left = std::make_shared<int>(int(keys.size()));
    if (keys.isEmpty())
        return done(*failures);
    for (const QString &key : keys) {
        follow(m_client->remove(pathForKey(key)), token, [key, failures, left, done](Status r) {
            if (!r.ok())
                failures->append(DeleteFailure{key, r.error().code(), r.error().message()});
            if (--*left == 0)
                done(*failures);
        });
    }
}

void SftpStorage::createMultipartUpload(const QString &, const QString &key, const PutOptions &options,
                                        const CancelToken &token, Callback<QString> uploadId)
{
    if (options.partSize <= 0)
        return uploadId(Error(Error::Category::InvalidInput, QStringLiteral("SFTP multipart uploads need the part size")));
    const QString temp = temporaryPathFor(pathForKey(key));
    const qint64 partSize = options.partSize;
    writeCreatingParents(temp, QByteArray(), {}, token, [temp, partSize, uploadId](Status r) {
        if (!r.ok())
            return uploadId(r.error());
        uploadId(makeUploadId(partSize, temp));
    });
}

void SftpStorage::uploadPart(const QString &, const QString &, const QString &uploadId, int partNumber,
                             const QByteArray &data, const QByteArray &, const ProgressFn &progress,
                             const CancelToken &token, Callback<UploadedPart> done)
{
    qint64 partSize = 0;
    QString temp;
    if (!parseUploadId(uploadId, &partSize, &temp))
        return done(Error(Error::Category::InvalidInput, QStringLiteral("not an SFTP upload id")));
    const qint64 size = data.size();
    follow(m_client->write(temp, qint64(partNumber - 1) * partSize, data, false, progress), token,
           [partNumber, size, done](Status r) {
               if (!r.ok())
                   return done(r.error());
               done(UploadedPart{partNumber, QString(), size});
           });
}

void SftpStorage::completeMultipartUpload(const QString &, const QString &key, const QString &uploadId,
                                          const QList<UploadedPart> &parts, const CancelToken &token,
                                          Callback<PutResult> done)
{
    qint64 partSize = 0;
    QString temp;
    if (!parseUploadId(uploadId, &partSize, &temp))
        return done(Error(Error::Category::InvalidInput, QStringLiteral("not an SFTP upload id")));
    qint64 expected = 0;
    for (const UploadedPart &p : parts)
        expected += p.size;
    const QString path = pathForKey(key);
    auto client = m_client;
    follow(m_client->stat(temp), token, [this, client, temp, path, expected, token, done](Result<RemoteEntry> r) {
        if (!r.ok())
            return done(r.error());
        if (r->size != expected)
            return done(Error(Error::Category::Integrity,
                              QStringLiteral("the uploaded file has %1 bytes on the server; %2 were sent").arg(r->size).arg(expected),
                              QStringLiteral("SizeMismatch"))
                            .setRetryable(true)
                            .setContext(path));
        follow(client->replace(temp, path), token, [done](Status r2) {
            if (!r2.ok())
                return done(r2.error());
            done(PutResult{});
        });
    });
}

void SftpStorage::abortMultipartUpload(const QString &, const QString &, const QString &uploadId, const CancelToken &token,
                                       Callback<Done> done)
{
    qint64 partSize = 0;
    QString temp;
    if (!parseUploadId(uploadId, &partSize, &temp))
        return done(Error(Error::Category::InvalidInput, QStringLiteral("not an SFTP upload id")));
    follow(m_client->remove(temp), token, [done](Status r) {
        if (!r.ok() && r.error().category() != Error::Category::NotFound)
            return done(r.error());
        done(Done{});
    });
}

Result<QUrl> SftpStorage::presignedGetUrl(const QString &, const QString &, int) const
{
    return unsupported(QStringLiteral("a share link"));
}

Account SftpStorage::accountFor(const QString &displayName)
{
    Account a;
    a.id = QStringLiteral("sftp:") + displayName;
    a.provider = QStringLiteral("sftp");
    a.displayName = QStringLiteral("SFTP · ") + displayName;
    a.source = QStringLiteral("ssh session");
    a.settings.insert(QStringLiteral("host"), displayName);
    return a;
}

void SftpStorage::attach(const QString &accountId, std::shared_ptr<SftpClient> client)
{
    QMutexLocker lock(&s_mutex);
    clients().insert(accountId, std::move(client));
}

void SftpStorage::detach(const QString &accountId)
{
    std::shared_ptr<SftpClient> gone;
    QMutexLocker lock(&s_mutex);
    gone = clients().take(accountId);
}

std::shared_ptr<SftpClient> SftpStorage::clientFor(const QString &accountId)
{
    QMutexLocker lock(&s_mutex);
    return clients().value(accountId);
}

void SftpStorage::registerProvider()
{
    AccountRegistry::registerStorageFactory(QStringLiteral("sftp"), [](const Account &account, QObject *parent) -> StorageClient * {
        std::shared_ptr<SftpClient> client = clientFor(account.id);
        if (!client)
            return nullptr;
        return new SftpStorage(std::move(client), parent);
    });
}

} // namespace skydeck::ssh
