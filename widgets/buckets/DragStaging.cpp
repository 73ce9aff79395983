#include "DragStaging.h"

#include "BucketOperations.h"
#include "BucketsLogging.h"
#include "LocalPath.h"
#include "TransferEngine.h"

#include <QDir>
#include <QLocale>
#include <QSet>

namespace skydeck::ui {

DragStaging::DragStaging(TransferEngine *engine, ProviderWorker *worker, StorageClient *client,
                         ObjectDragPayload payload, qint64 maxBytes, QString stagingDir, QObject *parent)
    : QObject(parent), m_engine(engine), m_ops(new BucketOperations(worker, client, this)),
      m_payload(std::move(payload)), m_maxBytes(maxBytes), m_dir(std::move(stagingDir))
{
}

DragStaging::~DragStaging()
{
    if (m_outcome == Outcome::Running)
        cancel();
}

void DragStaging::start()
{
    if (m_outcome != Outcome::Idle)
        return;
    m_outcome = Outcome::Running;
    if (!m_engine) {
        m_error = Error(Error::Category::InvalidInput, tr("No transfer engine"));
        finish(Outcome::Failed);
        return;
    }
    QStringList prefixes;
    for (const ObjectRef &r : std::as_const(m_payload.refs)) {
        if (r.isPrefix)
            prefixes.append(r.key);
        else
            m_total += qMax<qint64>(r.size, 0);
    }
    if (m_total > m_maxBytes) {
        finish(Outcome::OverCap);
        return;
    }
    m_listsPending = int(prefixes.size());
    if (m_listsPending == 0) {
        download();
        return;
    }
    const qint64 room = m_maxBytes - m_total;
    for (const QString &p : std::as_const(prefixes))
        m_ops->listTree(m_payload.bucket, p, room, [this, p](Result<QList<ObjectEntry>> r) { listed(p, std::move(r)); });
}

void DragStaging::listed(const QString &prefix, Result<QList<ObjectEntry>> result)
{
    if (m_outcome != Outcome::Running)
        return;
    if (!result.ok()) {
        m_error = Error(result.error()).setContext(tr("listing %1").arg(m_payload.url(prefix)));
        finish(Outcome::Failed);
        return;
    }
    for (const ObjectEntry &e : result.value())
        m_total += qMax<qint64>(e.size, 0);
    m_trees.insert(prefix, result.value());
    if (m_total > m_maxBytes) {
        finish(Outcome::OverCap);
        return;
    }
    if (--m_listsPending == 0)
        download();
}

void DragStaging::refuse(const QString &key, const QString &why)
{
    m_refused.append(key);
    if (!m_error.isError())
        m_error = Error(Error::Category::InvalidInput, why).setContext(m_payload.url(LocalPath::displayKey(key)));
}

void DragStaging::download()
{
    if (!QDir().mkpath(m_dir)) {
        m_error = Error(Error::Category::Local, tr("Cannot create the staging folder %1").arg(m_dir));
        finish(Outcome::Failed);
        return;
    }
    connect(m_engine, &TransferEngine::transferChanged, this, &DragStaging::transferChanged);
    const QDir dir(m_dir);
    QSet<QString> names;
    m_queuing = true;
    for (const ObjectRef &r : std::as_const(m_payload.refs)) {
        const QString name = ObjectMime::safeLocalName(r.key, m_payload.basePrefix);
        if (name.isEmpty()) {
            refuse(r.key, tr("refused object key: it cannot be a local file name"));
            continue;
        }
        if (names.contains(name)) {  // an object "x" and a folder "x/" side by side
            refuse(r.key, tr("another dragged item already has the local name %1").arg(name));
            continue;
        }
        names.insert(name);
        const int item = int(m_items.size());
        m_items.append(Item{dir.filePath(name)});
        if (!r.isPrefix) {
            queue(item, r.key, m_items.last().localPath, r.size, QString());
            continue;
        }
        const QString folder = m_items.last().localPath;
        if (!QDir().mkpath(folder)) {
            m_items[item].failed = true;
            m_error = Error(Error::Category::Local, tr("Cannot create the staging folder %1").arg(folder));
            continue;
        }
        for (const ObjectEntry &e : m_trees.value(r.key)) {
            const QString rel = LocalPath::relativeKey(e.key, r.key);
            if (rel.isNull()) {  // not under the folder (BucketOperations already refuses such listings)
                refuse(e.key, tr("refused object key: it is not under the dragged folder"));
                continue;
            }
            if (rel.isEmpty())
                continue;  // the folder's own marker object
            const Result<MappedPath> mapped = LocalPath::map(folder, rel);
            if (!mapped.ok()) {
                qCWarning(lcBuckets).noquote() << "drag out:" << mapped.error().toString();
                refuse(e.key, mapped.error().message());
                continue;
            }
            if (mapped->isDirectory)
                QDir().mkpath(mapped->path);
            else
                queue(item, e.key, mapped->path, e.size, e.etag);
        }
    }
    m_queuing = false;
    qCInfo(lcBuckets) << "drag out: staging" << m_itemOf.size() << "downloads," << m_total << "bytes in" << m_dir;
    Q_EMIT progress(0, m_total);
    if (m_running == 0)
        finish(Outcome::Staged);
}

void DragStaging::queue(int item, const QString &key, const QString &localPath, qint64 size, const QString &etag)
{
    TransferSpec spec;
    spec.kind = TransferKind::Download;
    spec.accountId = m_payload.accountId;
    spec.bucket = m_payload.bucket;
    spec.key = key;
    spec.localPath = localPath;
    spec.knownSize = size;
    spec.knownEtag = etag;
    const quint64 id = m_engine->enqueue(spec);
    m_itemOf.insert(id, item);
    ++m_running;
    const TransferStatus now = m_engine->status(id);
    if (now.isFinished())  // refused at once (an unknown account): no transferChanged follows
        transferChanged(now);
}

void DragStaging::transferChanged(const TransferStatus &status)
{
    const auto it = m_itemOf.constFind(status.id);
    if (it == m_itemOf.cend() || m_outcome != Outcome::Running)
        return;
    const qint64 before = m_bytesDone.value(status.id, 0);
    m_doneBytes += status.bytesDone - before;
    m_bytesDone.insert(status.id, status.bytesDone);
    Q_EMIT progress(m_doneBytes, m_total);
    if (!status.isFinished())
        return;
    Item &item = m_items[it.value()];
    m_itemOf.erase(it);
    --m_running;
    if (status.state != TransferState::Done) {
        item.failed = true;
        if (!m_error.isError() || m_error.category() == Error::Category::InvalidInput)
            m_error = status.error;
    }
    if (m_running == 0 && !m_queuing)
        finish(Outcome::Staged);
}

void DragStaging::cancel(const Error &why)
{
    if (m_outcome != Outcome::Running)
        return;
    m_error = why;
    // Stop listening first: cancelling answers synchronously with transferChanged.
    if (m_engine) {
        disconnect(m_engine, nullptr, this, nullptr);
        for (auto it = m_itemOf.cbegin(); it != m_itemOf.cend(); ++it)
            m_engine->cancel(it.key());
    }
    m_itemOf.clear();
    finish(Outcome::Cancelled);
}

void DragStaging::finish(Outcome outcome)
{
    if (m_outcome != Outcome::Running)
        return;  // finished() is emitted once
    if (outcome == Outcome::OverCap) {
        const QLocale loc;
        m_error = Error(Error::Category::InvalidInput,
                        tr("The selection is over %1 (the limit for dragging to another application); "
                           "use \"Download to…\" instead")
                            .arg(loc.formattedDataSize(m_maxBytes)));
    }
    if (outcome == Outcome::Staged) {
        for (const Item &i : std::as_const(m_items))
            if (!i.failed)
                m_urls.append(QUrl::fromLocalFile(i.localPath));
        if (m_urls.isEmpty() && !m_payload.refs.isEmpty())
            outcome = Outcome::Failed;
        if (m_refused.size() > 1 && m_error.category() == Error::Category::InvalidInput)
            m_error = Error(Error::Category::InvalidInput,
                            tr("%n key(s) cannot be local file names and were skipped; the first: %1", nullptr,
                               int(m_refused.size()))
                                .arg(m_error.toString()));
    }
    m_outcome = outcome;
    if (m_engine)
        disconnect(m_engine, nullptr, this, nullptr);
    qCInfo(lcBuckets) << "drag out:" << outcome << m_urls.size() << "items" << (m_error.isError() ? m_error.toString() : QString());
    Q_EMIT finished();
}

} // namespace skydeck::ui
