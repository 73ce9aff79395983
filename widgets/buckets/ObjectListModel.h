#pragma once

#include "ProviderWorker.h"
#include "StorageClient.h"

#include "Error.h"
#include "ListingGuard.h"
#include "ObjectMime.h"
#include "ObjectRowStore.h"
#include "Result.h"
#include "StorageTypes.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QFuture>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <vector>

namespace skydeck::ui {

// The listing of one bucket prefix: folders (common prefixes) and objects, lazy and paged.
//
// setLocation() asks for the first page at once; canFetchMore()/fetchMore() ask for the next one,
// and with autoStream (the default) the rest keeps streaming in the background after the first
// page arrives. Arriving rows are stored compactly (ObjectRowStore) and inserted into the view in
// batches at most once per frame (batchInterval, 16 ms), sorted and merged into place, so a
// 1,000,000-object prefix opens at once and stays responsive while it streams.
//
// Filtering: a name prefix narrows the listing on the server (ListObjectsV2 prefix); a substring
// filter (case-insensitive) narrows it locally.
class ObjectListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SizeColumn, ModifiedColumn, ClassColumn, ColumnCount };
    enum Role {
        KeyRole = Qt::UserRole + 1,  // QString, the full key
        IsPrefixRole,                // bool
        SizeRole,                    // qint64
        ModifiedRole,                // QDateTime (UTC)
        NameRole,                    // QString, the name relative to the prefix
    };
    enum class State { Idle, Loading, Streaming, Complete, Failed };
    Q_ENUM(State)

    explicit ObjectListModel(QObject *parent = nullptr);
    ~ObjectListModel() override;

    // Where listings come from. The client lives on `worker` (see ProviderWorker::run).
    void setSource(ProviderWorker *worker, StorageClient *client, const QString &accountId);
    QString accountId() const { return m_accountId; }
    ProviderWorker *worker() const { return m_worker; }
    StorageClient *client() const { return m_client; }

    // Lists bucket/prefix (prefix empty or ending with '/'); namePrefix narrows it on the server.
    void setLocation(const QString &bucket, const QString &prefix, const QString &namePrefix = {});
    QString bucket() const { return m_bucket; }
    QString prefix() const { return m_prefix; }
    QString namePrefix() const { return m_namePrefix; }
    void refresh();
    // After a failure: asks again for the page that failed, keeping the rows already listed.
    void retry();
    void clear();

    void setSubstringFilter(const QString &text);
    QString substringFilter() const { return m_filter; }

    void setAutoStream(bool on) { m_autoStream = on; }
    void setPageSize(int keys) { m_pageSize = keys; }
    void setBatchInterval(int ms) { m_flushTimer.setInterval(ms); }

    State state() const { return m_state; }
    Error lastError() const { return m_error; }
    bool isComplete() const { return m_state == State::Complete; }
    qsizetype loadedCount() const { return qsizetype(m_store.count()); }  // received, before the filter
    qsizetype pendingCount() const { return qsizetype(m_pending.size()); }
    size_t memoryUsage() const;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    QString keyAt(int row) const;
    bool isPrefixAt(int row) const;
    ObjectEntry entryAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;
    // What mimeData() builds for the dragged rows (default: ObjectMime::encode, identities only).
    // The browser installs one that makes an ObjectDragMime, which external file managers can use.
    using MimeFactory = std::function<QMimeData *(const ObjectDragPayload &payload)>;
    void setMimeFactory(MimeFactory factory) { m_mimeFactory = std::move(factory); }

    static QString formatSize(qint64 bytes);

Q_SIGNALS:
    void stateChanged(skydeck::ui::ObjectListModel::State state);
    void listingFailed(const skydeck::Error &error);
    void progress(qsizetype loaded);  // rows received so far (throttled to the batch interval)
    void completed();

private:
    void requestPage();
    void onPage(quint64 generation, Result<ListPage> result);
    void flush();
    void insertBatch(std::vector<quint32> batch);
    bool lessThan(quint32 a, quint32 b) const;
    bool passesFilter(quint32 id) const;
    void rebuildOrder();
    void sortOrder(std::vector<quint32> &order) const;
    void setState(State s);
    void setIdsInNameOrder(bool on);
    void remapPersistent(const std::vector<quint32> &oldOrder);

    QPointer<ProviderWorker> m_worker;
    QPointer<StorageClient> m_client;
    QString m_accountId;
    QString m_bucket;
    QString m_prefix;
    QString m_namePrefix;
    QString m_filter;
    QByteArray m_filterFolded;  // lower-case UTF-8

    ObjectRowStore m_store;
    std::vector<quint32> m_order;    // visible rows: ids into m_store, filtered and sorted
    std::vector<quint32> m_pending;  // received, not yet in m_order
    QString m_continuation;
    ListingGuard m_guard;  // this location's paging: a lying server cannot keep it listing for ever
    bool m_hasMore = false;
    bool m_inFlight = false;
    bool m_autoStream = true;
    bool m_idsInNameOrder = true;  // rows arrived in key order (S3 lists in UTF-8 byte order)
    int m_pageSize = 1000;
    quint64 m_generation = 0;
    QFuture<Result<ListPage>> m_future;
    State m_state = State::Idle;
    Error m_error;
    QTimer m_flushTimer;
    int m_sortColumn = NameColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    MimeFactory m_mimeFactory;
};

} // namespace skydeck::ui
