#include "IncompleteUploadsDialog.h"

#include "BucketsLogging.h"
#include "DisplayText.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace skydeck::ui {

namespace {

constexpr int kUploadIdRole = Qt::UserRole + 1;
constexpr int kSizeRole = Qt::UserRole + 2;
constexpr int kMaxRowsSized = 500;  // ListParts for at most this many rows (one request each)

QString ageText(const QDateTime &started)
{
    if (!started.isValid())
        return QStringLiteral("—");
    const qint64 s = std::max<qint64>(0, started.secsTo(QDateTime::currentDateTimeUtc()));
    if (s < 3600)
        return QObject::tr("%1 min").arg(s / 60);
    if (s < 86400)
        return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return QObject::tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

} // namespace

IncompleteUploadsDialog::IncompleteUploadsDialog(ProviderWorker *worker, StorageClient *client, QString scheme,
                                                 QString bucket, QWidget *parent)
    : QDialog(parent), m_worker(worker), m_client(client), m_scheme(std::move(scheme)), m_bucket(std::move(bucket)),
      m_table(new QTableWidget(0, ColumnCount, this)), m_status(new QLabel(this)),
      m_refresh(new QPushButton(tr("Refresh"), this)), m_abort(new QPushButton(tr("Abort…"), this)),
      m_abortAll(new QPushButton(tr("Abort All…"), this))
{
    setObjectName(QStringLiteral("incompleteUploads"));
    setWindowTitle(tr("Incomplete uploads in %1://%2").arg(m_scheme, m_bucket));
    resize(820, 420);
    auto *layout = new QVBoxLayout(this);
    auto *note = new QLabel(tr("Multipart uploads that were started and never completed or aborted. Their parts "
                               "are stored and billed, but no object listing shows them."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Started"), tr("Age"), tr("Parts"), tr("Size")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(KeyColumn, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);
    m_status->setTextFormat(Qt::PlainText);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_refresh, QDialogButtonBox::ActionRole);
    buttons->addButton(m_abort, QDialogButtonBox::ActionRole);
    buttons->addButton(m_abortAll, QDialogButtonBox::ActionRole);
    m_abort->setObjectName(QStringLiteral("abortSelected"));
    m_abortAll->setObjectName(QStringLiteral("abortAll"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_refresh, &QPushButton::clicked, this, &IncompleteUploadsDialog::refresh);
    connect(m_abort, &QPushButton::clicked, this, &IncompleteUploadsDialog::abortSelected);
    connect(m_abortAll, &QPushButton::clicked, this, &IncompleteUploadsDialog::abortAll);
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_abort->setEnabled(!m_table->selectionModel()->selectedRows().isEmpty()); });
    m_abort->setEnabled(false);
    refresh();
}

template <typename T>
void IncompleteUploadsDialog::call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op,
                                   std::function<void(Result<T>)> then)
{
    if (!m_worker || !m_client) {
        then(Error(Error::Category::InvalidInput, tr("No storage client for this account")));
        return;
    }
    StorageClient *client = m_client.data();
    auto future = m_worker->run<T>([client, op = std::move(op)](const CancelToken &t, Callback<T> cb) { op(client, t, std::move(cb)); });
    whenDone(future, this, std::move(then));
}

void IncompleteUploadsDialog::refresh()
{
    ++m_generation;
    m_table->setRowCount(0);
    m_totalBytes = 0;
    m_sized = 0;
    m_guard = std::make_unique<ListingGuard>(ListingGuard::Limits::resources(),
                                             QStringLiteral("%1://%2").arg(m_scheme, m_bucket));
    m_status->setText(tr("Listing…"));
    m_abortAll->setEnabled(false);
    listPage(QString(), QString());
}

void IncompleteUploadsDialog::listPage(const QString &keyMarker, const QString &uploadIdMarker)
{
    const QString bucket = m_bucket;
    const quint64 gen = m_generation;
    call<MultipartUploadPage>(
        [bucket, keyMarker, uploadIdMarker](StorageClient *c, const CancelToken &t, Callback<MultipartUploadPage> done) {
            c->listMultipartUploads(bucket, QString(), keyMarker, uploadIdMarker, t, std::move(done));
        },
        [this, gen](Result<MultipartUploadPage> r) {
            if (gen != m_generation)
                return;
            const QString next = r.ok() && r->truncated ? r->nextKeyMarker + QChar(0) + r->nextUploadIdMarker : QString();
            if (r.ok()) {
                if (const Status g = m_guard->nextPage(next, r->uploads.size()); !g.ok())
                    r = g.error();
            }
            if (!r.ok()) {
                m_status->setText(r.error().toString());
                Q_EMIT failed(r.error());
                return;
            }
            for (const MultipartUploadInfo &u : r->uploads) {
                const int row = m_table->rowCount();
                m_table->insertRow(row);
                auto *key = new QTableWidgetItem(displayText(u.key));
                key->setData(Qt::UserRole, u.key);
                key->setData(kUploadIdRole, u.uploadId);
                key->setToolTip(plainToolTip(tr("%1\nupload id %2").arg(u.key, u.uploadId)));
                m_table->setItem(row, KeyColumn, key);
                m_table->setItem(row, StartedColumn, new QTableWidgetItem(
                                                         u.initiated.isValid() ? QLocale().toString(u.initiated.toLocalTime(), QLocale::ShortFormat)
                                                                               : QStringLiteral("—")));
                m_table->setItem(row, AgeColumn, new QTableWidgetItem(ageText(u.initiated)));
                m_table->setItem(row, PartsColumn, new QTableWidgetItem(QStringLiteral("…")));
                m_table->setItem(row, SizeColumn, new QTableWidgetItem(QStringLiteral("…")));
            }
            if (!next.isEmpty())
                return listPage(r->nextKeyMarker, r->nextUploadIdMarker);
            m_abortAll->setEnabled(m_table->rowCount() > 0);
            showStatus();
            Q_EMIT loaded(m_table->rowCount());
            if (m_table->rowCount() == 0)
                Q_EMIT sizesKnown(0);
            for (int row = 0; row < std::min(m_table->rowCount(), kMaxRowsSized); ++row)
                fetchSize(row);
        });
}

void IncompleteUploadsDialog::fetchSize(int row)
{
    const QString bucket = m_bucket;
    const QString key = m_table->item(row, KeyColumn)->data(Qt::UserRole).toString();
    const QString uploadId = m_table->item(row, KeyColumn)->data(kUploadIdRole).toString();
    const quint64 gen = m_generation;
    call<QList<UploadedPart>>(
        [bucket, key, uploadId](StorageClient *c, const CancelToken &t, Callback<QList<UploadedPart>> done) {
            c->listParts(bucket, key, uploadId, t, std::move(done));
        },
        [this, gen, uploadId](Result<QList<UploadedPart>> r) {
            if (gen != m_generation)
                return;
            for (int i = 0; i < m_table->rowCount(); ++i) {
                if (m_table->item(i, KeyColumn)->data(kUploadIdRole).toString() != uploadId)
                    continue;
                qint64 bytes = 0;
                if (r.ok())
                    for (const UploadedPart &p : r.value())
                        bytes += std::max<qint64>(0, p.size);
                m_table->item(i, PartsColumn)->setText(r.ok() ? QString::number(r->size()) : tr("?"));
                m_table->item(i, SizeColumn)->setText(r.ok() ? QLocale().formattedDataSize(bytes) : tr("?"));
                m_table->item(i, SizeColumn)->setData(kSizeRole, bytes);
                if (!r.ok())
                    m_table->item(i, SizeColumn)->setToolTip(plainToolTip(r.error().toString()));
                m_totalBytes += bytes;
                break;
            }
            ++m_sized;
            showStatus();
            if (m_sized == std::min(m_table->rowCount(), kMaxRowsSized))
                Q_EMIT sizesKnown(m_totalBytes);
        });
}

void IncompleteUploadsDialog::showStatus()
{
    const int n = m_table->rowCount();
    QString text = tr("%n incomplete upload(s)", nullptr, n);
    if (m_sized > 0)
        text += tr(", %1 stored in their parts").arg(QLocale().formattedDataSize(m_totalBytes));
    if (n > kMaxRowsSized)
        text += tr(" (sizes of the first %1 only)").arg(kMaxRowsSized);
    m_status->setText(text);
}

bool IncompleteUploadsDialog::confirm(int count)
{
    QMessageBox box(QMessageBox::Warning, tr("Abort uploads"),
                    tr("Abort %n incomplete upload(s) in %1://%2?\n\nTheir stored parts are deleted and stop being "
                       "billed. The objects they were becoming will never exist; an upload that is still running "
                       "somewhere will fail.", nullptr, count)
                        .arg(m_scheme, m_bucket),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("abortConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Yes;
}

void IncompleteUploadsDialog::abortSelected()
{
    QList<int> rows;
    for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
        rows.append(i.row());
    if (rows.isEmpty() || !confirm(int(rows.size())))
        return;
    abortRows(rows);
}

void IncompleteUploadsDialog::abortAll()
{
    QList<int> rows;
    for (int r = 0; r < m_table->rowCount(); ++r)
        rows.append(r);
    if (rows.isEmpty() || !confirm(int(rows.size())))
        return;
    abortRows(rows);
}

void IncompleteUploadsDialog::abortRows(QList<int> rows)
{
    auto pending = std::make_shared<QList<QPair<QString, QString>>>();
    for (int r : rows) {
        const QTableWidgetItem *item = m_table->item(r, KeyColumn);
        pending->append({item->data(Qt::UserRole).toString(), item->data(kUploadIdRole).toString()});
    }
    m_abort->setEnabled(false);
    m_abortAll->setEnabled(false);
    abortNext(pending, 0, 0);
}

void IncompleteUploadsDialog::abortNext(std::shared_ptr<QList<QPair<QString, QString>>> pending, int aborted, int failedCount)
{
    if (pending->isEmpty()) {
        qCInfo(lcBuckets) << "aborted" << aborted << "incomplete uploads in" << m_bucket << "," << failedCount << "failed";
        Q_EMIT abortsDone(aborted, failedCount);
        refresh();
        return;
    }
    const auto [key, uploadId] = pending->takeFirst();
    const QString bucket = m_bucket;
    call<Done>(
        [bucket, key, uploadId](StorageClient *c, const CancelToken &t, Callback<Done> done) {
            c->abortMultipartUpload(bucket, key, uploadId, t, std::move(done));
        },
        [this, pending, aborted, failedCount](Result<Done> r) {
            if (!r.ok()) {
                m_status->setText(r.error().toString());
                Q_EMIT failed(r.error());
            }
            abortNext(pending, aborted + (r.ok() ? 1 : 0), failedCount + (r.ok() ? 0 : 1));
        });
}

} // namespace skydeck::ui
