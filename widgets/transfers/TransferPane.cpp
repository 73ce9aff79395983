#include "TransferPane.h"

#include "TransferEngine.h"
#include "TransferProgressDelegate.h"
#include "TransferQueueModel.h"

#include <QAction>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace skydeck::ui {

TransferPane::TransferPane(TransferEngine *engine, QWidget *parent)
    : QWidget(parent), m_engine(engine), m_model(new TransferQueueModel(this)), m_view(new QTreeView(this)),
      m_total(new QProgressBar(this)), m_summary(new QLabel(this))
{
    auto icon = [](const char *name) { return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name))); };
    m_cancel = new QAction(icon("cancel"), tr("Cancel"), this);
    m_retry = new QAction(icon("retry"), tr("Retry"), this);
    m_clear = new QAction(icon("clear"), tr("Clear finished"), this);
    m_openFolder = new QAction(icon("open-folder"), tr("Open containing folder"), this);
    connect(m_cancel, &QAction::triggered, this, [this] {
        for (quint64 id : selectedIds())
            m_engine->cancel(id);
    });
    connect(m_retry, &QAction::triggered, this, [this] {
        for (quint64 id : selectedIds())
            m_engine->retry(id);
    });
    connect(m_clear, &QAction::triggered, this, [this] { m_engine->clearFinished(); });
    connect(m_openFolder, &QAction::triggered, this, [this] {
        const QString dir = containingFolder();
        if (!dir.isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(dir));
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    for (QAction *a : {m_cancel, m_retry, m_clear, m_openFolder}) {
        auto *b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setAutoRaise(true);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        bar->addWidget(b);
    }
    bar->addStretch(1);
    bar->addWidget(m_summary);
    m_total->setRange(0, 1000);
    m_total->setMaximumWidth(240);
    m_total->setFormat(tr("%p% total"));
    bar->addWidget(m_total);
    layout->addLayout(bar);

    m_model->setEngine(engine);
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setItemDelegateForColumn(TransferQueueModel::ProgressColumn, new TransferProgressDelegate(m_view));
    m_view->header()->setStretchLastSection(true);
    m_view->header()->resizeSection(TransferQueueModel::NameColumn, 420);
    m_view->header()->resizeSection(TransferQueueModel::ProgressColumn, 160);
    m_view->header()->resizeSection(TransferQueueModel::SizeColumn, 90);
    m_view->header()->resizeSection(TransferQueueModel::SpeedColumn, 90);
    m_view->header()->resizeSection(TransferQueueModel::EtaColumn, 80);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QTreeView::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu(this);
        menu.addActions({m_cancel, m_retry, m_openFolder});
        menu.addSeparator();
        menu.addAction(m_clear);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
    layout->addWidget(m_view, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TransferPane::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &TransferPane::updateActions);
    connect(m_model, &TransferQueueModel::countsChanged, this, &TransferPane::updateTotals);
    connect(m_model, &TransferQueueModel::totalsChanged, this, &TransferPane::updateTotals);
    updateActions();
    updateTotals();
}

QList<quint64> TransferPane::selectedIds() const
{
    QList<quint64> ids;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
        ids.append(i.data(TransferQueueModel::IdRole).value<quint64>());
    return ids;
}

QString TransferPane::containingFolder() const
{
    const QModelIndex cur = m_view->currentIndex();
    if (!cur.isValid())
        return {};
    const QString path = cur.siblingAtColumn(0).data(TransferQueueModel::LocalPathRole).toString();
    return path.isEmpty() ? QString() : QFileInfo(path).absolutePath();
}

void TransferPane::updateActions()
{
    bool anyActive = false;
    bool anyRetryable = false;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows()) {
        const auto state = TransferState(i.data(TransferQueueModel::StateRole).toInt());
        anyActive |= !i.data(TransferQueueModel::FinishedRole).toBool();
        anyRetryable |= state == TransferState::Failed || state == TransferState::Cancelled;
    }
    m_cancel->setEnabled(anyActive);
    m_retry->setEnabled(anyRetryable);
    m_openFolder->setEnabled(!containingFolder().isEmpty());
    m_clear->setEnabled(m_model->rowCount() > m_model->activeCount());
}

void TransferPane::updateTotals()
{
    const QLocale loc;
    const qint64 done = m_model->totalDone();
    const qint64 total = m_model->totalBytes();
    m_total->setValue(total > 0 ? int(qBound(qint64(0), done * 1000 / total, qint64(1000))) : 0);
    QString text = tr("%n active", nullptr, m_model->activeCount());
    if (m_model->failedCount())
        text += tr(" · %n failed", nullptr, m_model->failedCount());
    if (m_model->totalSpeed() > 0 && m_model->activeCount())
        text += QStringLiteral(" · ") +
                loc.formattedDataSize(qint64(m_model->totalSpeed()), 1, QLocale::DataSizeTraditionalFormat) + tr("/s");
    m_summary->setText(text);
    updateActions();
    Q_EMIT summaryChanged(text);
}

} // namespace skydeck::ui
