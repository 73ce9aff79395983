#include "ObjectListModel.h"

#include "DisplayText.h"

#include "BucketsLogging.h"
#include "ObjectMime.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QIcon>
#include <QLocale>
#include <QMimeData>

#include <algorithm>
#include <cstring>

namespace skydeck::ui {

namespace {
constexpr size_t kMaxBatch = 20000;      // rows inserted per flush at most
constexpr size_t kMaxPending = 100000;   // stop asking for pages while this many wait to be inserted
constexpr int kMaxInsertRanges = 16;     // more scattered insert positions than this: merge + layoutChanged

int compareNames(QByteArrayView a, QByteArrayView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    const int c = n ? std::memcmp(a.data(), b.data(), size_t(n)) : 0;
    if (c != 0)
        return c;
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

QByteArray foldAscii(QByteArrayView in)
{
    QByteArray out(in.data(), in.size());
    for (char &ch : out)
        if (ch >= 'A' && ch <= 'Z')
            ch = char(ch - 'A' + 'a');
    return out;
}
} // namespace

ObjectListModel::ObjectListModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_flushTimer.setInterval(16);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ObjectListModel::flush);
}

ObjectListModel::~ObjectListModel()
{
    m_future.cancel();
}

void ObjectListModel::setSource(ProviderWorker *worker, StorageClient *client, const QString &accountId)
{
    m_worker = worker;
    m_client = client;
    m_accountId = accountId;
    clear();
}

void ObjectListModel::clear()
{
    m_future.cancel();
    ++m_generation;
    m_flushTimer.stop();
    beginResetModel();
    m_store.clear();
    std::vector<quint32>().swap(m_order);
    std::vector<quint32>().swap(m_pending);
    endResetModel();
    m_continuation.clear();
    m_guard = ListingGuard(ListingGuard::Limits::objects());
    m_hasMore = false;
    m_inFlight = false;
    m_idsInNameOrder = true;
    m_error = Error();
    setState(State::Idle);
}

void ObjectListModel::setLocation(const QString &bucket, const QString &prefix, const QString &namePrefix)
{
    clear();
    m_bucket = bucket;
    m_prefix = prefix;
    m_namePrefix = namePrefix;
    if (m_bucket.isEmpty())
        return;
    m_hasMore = true;
    setState(State::Loading);
    requestPage();
}

void ObjectListModel::refresh()
{
    setLocation(m_bucket, m_prefix, m_namePrefix);
}

void ObjectListModel::retry()
{
    if (m_state != State::Failed)
        return;
    m_error = Error();
    m_hasMore = true;
    setState(m_store.count() ? State::Streaming : State::Loading);
    requestPage();
}

void ObjectListModel::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void ObjectListModel::requestPage()
{
    if (m_inFlight || !m_hasMore || m_bucket.isEmpty())
        return;
    if (!m_worker || !m_client) {
        m_hasMore = false;
        m_error = Error(Error::Category::InvalidInput, tr("No storage client for this account"));
        setState(State::Failed);
        Q_EMIT listingFailed(m_error);
        return;
    }
    ListRequest req;
    req.bucket = m_bucket;
    req.prefix = m_prefix + m_namePrefix;
    req.continuation = m_continuation;
    req.maxKeys = m_pageSize;
    m_inFlight = true;
    const quint64 generation = m_generation;
    StorageClient *client = m_client.data();
    m_future = m_worker->run<ListPage>([client, req](const CancelToken &token, Callback<ListPage> done) {
        client->listObjects(req, token, std::move(done));
    });
    whenDone(m_future, this, [this, generation](Result<ListPage> r) { onPage(generation, std::move(r)); });
}

void ObjectListModel::onPage(quint64 generation, Result<ListPage> result)
{
    if (generation != m_generation)
        return;  // an answer for a location we have left
    m_inFlight = false;
    if (!result.ok()) {
        m_error = result.error();
        if (m_error.context().isEmpty())
            m_error.setContext(QStringLiteral("listing %1/%2").arg(m_bucket, m_prefix + m_namePrefix));
        qCWarning(lcBuckets) << "listing failed:" << m_error.toString();
        m_hasMore = false;
        flush();
        setState(State::Failed);
        Q_EMIT listingFailed(m_error);
        return;
    }
    ListPage page = result.takeValue();
    const bool first = m_store.count() == 0 && m_continuation.isEmpty();
    const QString asked = m_prefix + m_namePrefix;
    const QString where = QStringLiteral("listing %1/%2").arg(m_bucket, asked);
    Error refused;
    m_continuation = page.nextContinuation;
    m_hasMore = page.truncated && !m_continuation.isEmpty();
    // A page with a token seen before, or one that goes back over keys already listed, is not shown
    // (its keys would repeat).
    Status paging = m_guard.nextPage(m_hasMore ? m_continuation : QString(), page.entries.size());
    if (paging.ok())
        paging = m_guard.checkOrder(page.entries);
    if (!paging.ok()) {
        refused = Error(paging.error()).setContext(where);
        page.entries.clear();
    }
    m_pending.reserve(m_pending.size() + size_t(page.entries.size()));
    for (const ObjectEntry &e : std::as_const(page.entries)) {
        if (!ListingGuard::underPrefix(e.key, asked)) {
            // Never shown as a child of this folder (an action on it would reach outside it).
            if (!refused.isError())
                refused = ListingGuard::outsidePrefix(e.key, asked, where);
            continue;
        }
        if (e.key == m_prefix)
            continue;  // the folder's own marker object ("dir/") is not a child of itself
        const quint32 id = m_store.append(e, m_prefix);
        if (m_idsInNameOrder && id > 0 && compareNames(m_store.name(id - 1), m_store.name(id)) >= 0)
            setIdsInNameOrder(false);  // a server that does not list in key order
        m_pending.push_back(id);
    }
    if (refused.isError()) {
        // What was listed inside the folder stays; the listing stops here, with the reason.
        m_error = refused;
        qCWarning(lcBuckets) << "listing stopped:" << m_error.toString();
        m_hasMore = false;
        flush();
        setState(State::Failed);
        Q_EMIT listingFailed(m_error);
        return;
    }
    if (m_hasMore)
        setState(State::Streaming);
    if (m_autoStream && m_hasMore && m_pending.size() < kMaxPending)
        requestPage();
    if (first)
        flush();  // the first page shows at once
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();  // flush() also reports completion
}

void ObjectListModel::flush()
{
    if (!m_pending.empty()) {
        std::vector<quint32> batch;
        if (m_pending.size() <= kMaxBatch) {
            batch.swap(m_pending);
        } else {
            batch.assign(m_pending.begin(), m_pending.begin() + qsizetype(kMaxBatch));
            m_pending.erase(m_pending.begin(), m_pending.begin() + qsizetype(kMaxBatch));
        }
        insertBatch(std::move(batch));
        Q_EMIT progress(loadedCount() - pendingCount());
    }
    if (!m_pending.empty()) {
        m_flushTimer.start();
    } else if (m_autoStream && m_hasMore && !m_inFlight && m_state != State::Failed) {
        requestPage();  // resumed after back-pressure
    }
    if (!m_hasMore && !m_inFlight && m_pending.empty() && m_state != State::Failed && m_state != State::Idle
        && m_state != State::Complete) {
        setState(State::Complete);
        Q_EMIT completed();
    }
}

bool ObjectListModel::passesFilter(quint32 id) const
{
    if (m_filterFolded.isEmpty())
        return true;
    const QByteArrayView name = m_store.name(id);
    const auto lower = [](char ch) { return (ch >= 'A' && ch <= 'Z') ? char(ch - 'A' + 'a') : ch; };
    return std::search(name.begin(), name.end(), m_filterFolded.cbegin(), m_filterFolded.cend(),
                       [&](char x, char y) { return lower(x) == y; })
           != name.end();
}

void ObjectListModel::setIdsInNameOrder(bool on)
{
    if (on == m_idsInNameOrder)
        return;
    // Only ever switched off during a listing: the comparator changes to byte comparison of names,
    // which orders the same rows the same way for all rows seen so far that were in order.
    m_idsInNameOrder = on;
}

bool ObjectListModel::lessThan(quint32 a, quint32 b) const
{
    const auto &ra = m_store.row(a);
    const auto &rb = m_store.row(b);
    if (ra.isPrefix != rb.isPrefix)
        return ra.isPrefix;  // folders first, in either order
    int c = 0;
    switch (m_sortColumn) {
    case SizeColumn:
        c = ra.size < rb.size ? -1 : (ra.size > rb.size ? 1 : 0);
        break;
    case ModifiedColumn:
        c = ra.modifiedMs < rb.modifiedMs ? -1 : (ra.modifiedMs > rb.modifiedMs ? 1 : 0);
        break;
    case ClassColumn:
        if (ra.storageClass != rb.storageClass)
            c = QString::compare(m_store.storageClassName(ra.storageClass), m_store.storageClassName(rb.storageClass));
        break;
    default:
        break;
    }
    if (c == 0) {
        // Rows arrive in the server's key order, so while that holds the id order is the name order.
        if (m_idsInNameOrder)
            c = a < b ? -1 : (a > b ? 1 : 0);
        else
            c = compareNames(m_store.name(a), m_store.name(b));
    }
    return m_sortOrder == Qt::AscendingOrder ? c < 0 : c > 0;
}

void ObjectListModel::insertBatch(std::vector<quint32> batch)
{
    if (!m_filterFolded.isEmpty())
        batch.erase(std::remove_if(batch.begin(), batch.end(), [this](quint32 id) { return !passesFilter(id); }),
                    batch.end());
    if (batch.empty())
        return;
    const auto less = [this](quint32 a, quint32 b) { return lessThan(a, b); };
    std::stable_sort(batch.begin(), batch.end(), less);

    const int n = int(m_order.size());
    if (m_order.empty() || !less(batch.front(), m_order.back())) {
        // The common case (server order = name order): the whole batch goes at the end.
        beginInsertRows({}, n, n + int(batch.size()) - 1);
        m_order.insert(m_order.end(), batch.begin(), batch.end());
        endInsertRows();
        return;
    }
    // Where each batch row goes; runs sharing a position become one insert.
    std::vector<std::pair<size_t, size_t>> groups;  // (position in m_order, first index in batch)
    for (size_t i = 0; i < batch.size(); ++i) {
        const size_t pos = size_t(std::upper_bound(m_order.begin(), m_order.end(), batch[i], less) - m_order.begin());
        if (groups.empty() || groups.back().first != pos)
            groups.emplace_back(pos, i);
        if (int(groups.size()) > kMaxInsertRanges)
            break;
    }
    if (int(groups.size()) <= kMaxInsertRanges) {
        for (size_t g = groups.size(); g-- > 0;) {
            const size_t pos = groups[g].first;
            const size_t from = groups[g].second;
            const size_t to = g + 1 < groups.size() ? groups[g + 1].second : batch.size();
            beginInsertRows({}, int(pos), int(pos + (to - from)) - 1);
            m_order.insert(m_order.begin() + qsizetype(pos), batch.begin() + qsizetype(from),
                           batch.begin() + qsizetype(to));
            endInsertRows();
        }
        return;
    }
    // Scattered (e.g. sorted by size): append, then merge into place as one layout change.
    beginInsertRows({}, n, n + int(batch.size()) - 1);
    m_order.insert(m_order.end(), batch.begin(), batch.end());
    endInsertRows();
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const std::vector<quint32> oldOrder = m_order;
    std::inplace_merge(m_order.begin(), m_order.begin() + n, m_order.end(), less);
    remapPersistent(oldOrder);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ObjectListModel::remapPersistent(const std::vector<quint32> &oldOrder)
{
    const QModelIndexList from = persistentIndexList();
    if (from.isEmpty())
        return;
    QHash<quint32, int> newRow;
    for (const QModelIndex &idx : from)
        newRow.insert(oldOrder[size_t(idx.row())], -1);
    for (size_t i = 0; i < m_order.size(); ++i) {
        auto it = newRow.find(m_order[i]);
        if (it != newRow.end())
            it.value() = int(i);
    }
    QModelIndexList to;
    to.reserve(from.size());
    for (const QModelIndex &idx : from) {
        const int r = newRow.value(oldOrder[size_t(idx.row())], -1);
        to.append(r < 0 ? QModelIndex() : index(r, idx.column()));
    }
    changePersistentIndexList(from, to);
}

void ObjectListModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const std::vector<quint32> oldOrder = m_order;
    sortOrder(m_order);
    remapPersistent(oldOrder);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ObjectListModel::sortOrder(std::vector<quint32> &order) const
{
    if (m_sortColumn == NameColumn && m_idsInNameOrder) {
        // Ids are in name order: sort the integers, then folders first (stable), O(n log n) on ints.
        std::sort(order.begin(), order.end());
        const auto mid = std::stable_partition(order.begin(), order.end(),
                                               [this](quint32 id) { return m_store.row(id).isPrefix; });
        if (m_sortOrder == Qt::DescendingOrder) {
            std::reverse(order.begin(), mid);
            std::reverse(mid, order.end());
        }
        return;
    }
    std::stable_sort(order.begin(), order.end(), [this](quint32 a, quint32 b) { return lessThan(a, b); });
}

void ObjectListModel::setSubstringFilter(const QString &text)
{
    if (text == m_filter)
        return;
    m_filter = text;
    m_filterFolded = foldAscii(text.toUtf8());
    rebuildOrder();
}

void ObjectListModel::rebuildOrder()
{
    beginResetModel();
    m_order.clear();
    // Everything received except what still waits in m_pending (it is inserted by flush()).
    std::vector<char> isPending(m_store.count(), 0);
    for (quint32 id : m_pending)
        isPending[id] = 1;
    for (quint32 id = 0; id < m_store.count(); ++id)
        if (!isPending[id] && passesFilter(id))
            m_order.push_back(id);
    sortOrder(m_order);
    endResetModel();
}

size_t ObjectListModel::memoryUsage() const
{
    return m_store.memoryUsage() + m_order.capacity() * sizeof(quint32) + m_pending.capacity() * sizeof(quint32);
}

QString ObjectListModel::keyAt(int row) const
{
    if (row < 0 || size_t(row) >= m_order.size())
        return {};
    return m_prefix + m_store.nameString(m_order[size_t(row)]);
}

bool ObjectListModel::isPrefixAt(int row) const
{
    if (row < 0 || size_t(row) >= m_order.size())
        return false;
    return m_store.row(m_order[size_t(row)]).isPrefix;
}

ObjectEntry ObjectListModel::entryAt(int row) const
{
    ObjectEntry e;
    if (row < 0 || size_t(row) >= m_order.size())
        return e;
    const quint32 id = m_order[size_t(row)];
    const auto &r = m_store.row(id);
    e.key = m_prefix + m_store.nameString(id);
    e.size = r.size;
    if (r.modifiedMs)
        e.modified = QDateTime::fromMSecsSinceEpoch(r.modifiedMs, Qt::UTC);
    e.storageClass = m_store.storageClassName(r.storageClass);
    e.isPrefix = r.isPrefix;
    return e;
}

int ObjectListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int ObjectListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ObjectListModel::formatSize(qint64 bytes)
{
    if (bytes >= 0 && bytes < 1024)  // Qt says "1 bytes"
        return bytes == 1 ? tr("1 byte") : tr("%1 bytes").arg(bytes);
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QVariant ObjectListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const quint32 id = m_order[size_t(index.row())];
    const auto &r = m_store.row(id);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: {
            QString name = m_store.nameString(id);
            if (r.isPrefix && name.endsWith(QLatin1Char('/')))
                name.chop(1);
            return name;
        }
        case SizeColumn:
            return r.isPrefix ? QString() : formatSize(r.size);
        case ModifiedColumn:
            return r.modifiedMs ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.modifiedMs).toLocalTime(),
                                                     QLocale::ShortFormat)
                                : QString();
        case ClassColumn:
            return m_store.storageClassName(r.storageClass);
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() == NameColumn) {
            static const QIcon folder(QStringLiteral(":/icons/folder.svg"));
            static const QIcon file(QStringLiteral(":/icons/file.svg"));
            return r.isPrefix ? folder : file;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case Qt::ToolTipRole:
        return plainToolTip(m_prefix + m_store.nameString(id));
    case KeyRole:
        return QString(m_prefix + m_store.nameString(id));
    case IsPrefixRole:
        return r.isPrefix;
    case SizeRole:
        return r.size;
    case ModifiedRole:
        return r.modifiedMs ? QDateTime::fromMSecsSinceEpoch(r.modifiedMs, Qt::UTC) : QDateTime();
    case NameRole:
        return m_store.nameString(id);
    default:
        return {};
    }
}

QVariant ObjectListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case SizeColumn: return tr("Size");
    case ModifiedColumn: return tr("Modified");
    case ClassColumn: return tr("Storage class");
    default: return {};
    }
}

Qt::ItemFlags ObjectListModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

bool ObjectListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_inFlight && m_state != State::Failed && m_worker && m_client;
}

void ObjectListModel::fetchMore(const QModelIndex &parent)
{
    if (!parent.isValid())
        requestPage();
}

QStringList ObjectListModel::mimeTypes() const
{
    return ObjectMime::formats();
}

QMimeData *ObjectListModel::mimeData(const QModelIndexList &indexes) const
{
    QList<ObjectRef> refs;
    QList<int> rows;
    for (const QModelIndex &i : indexes)
        if (i.isValid() && !rows.contains(i.row()))
            rows.append(i.row());
    std::sort(rows.begin(), rows.end());
    for (int r : std::as_const(rows))
        refs.append(ObjectRef{keyAt(r), isPrefixAt(r), isPrefixAt(r) ? -1 : entryAt(r).size});
    if (refs.isEmpty())
        return nullptr;
    if (m_mimeFactory)
        return m_mimeFactory(ObjectDragPayload{m_accountId, m_bucket, m_prefix, refs});
    return ObjectMime::encode(m_accountId, m_bucket, m_prefix, refs);
}

Qt::DropActions ObjectListModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

} // namespace skydeck::ui
