#pragma once

#include "ListingGuard.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include <QDialog>
#include <QPointer>

#include <memory>

class QLabel;
class QPushButton;
class QTableWidget;

namespace skydeck::ui {

// A bucket's unfinished multipart uploads (they are billed as stored data until completed or
// aborted, and no listing of objects shows them): key, when it began, age, parts and size (from
// ListParts), with Abort for the selected ones and for all, each after a confirmation. Every call
// goes through the account's worker; nothing here blocks. Listing pages obey ListingGuard.
class IncompleteUploadsDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column { KeyColumn, StartedColumn, AgeColumn, PartsColumn, SizeColumn, ColumnCount };

    IncompleteUploadsDialog(ProviderWorker *worker, StorageClient *client, QString scheme, QString bucket,
                            QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QPushButton *abortButton() const { return m_abort; }
    QPushButton *abortAllButton() const { return m_abortAll; }

public Q_SLOTS:
    void refresh();
    void abortSelected();  // asks first
    void abortAll();       // asks first

Q_SIGNALS:
    void loaded(int uploads);        // the list (sizes may still be coming)
    void sizesKnown(qint64 bytes);   // every row's size is in
    void abortsDone(int aborted, int failed);
    void failed(const skydeck::Error &error);

private:
    void listPage(const QString &keyMarker, const QString &uploadIdMarker);
    void fetchSize(int row);
    void abortRows(QList<int> rows);
    void abortNext(std::shared_ptr<QList<QPair<QString, QString>>> pending, int aborted, int failedCount);
    void showStatus();
    bool confirm(int count);

    template <typename T>
    void call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op, std::function<void(Result<T>)> then);

    QPointer<ProviderWorker> m_worker;
    QPointer<StorageClient> m_client;
    QString m_scheme;
    QString m_bucket;
    std::unique_ptr<ListingGuard> m_guard;
    quint64 m_generation = 0;  // a refresh makes answers to the previous one stale
    qint64 m_totalBytes = 0;
    int m_sized = 0;
    QTableWidget *m_table = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_abort = nullptr;
    QPushButton *m_abortAll = nullptr;
};

} // namespace skydeck::ui
