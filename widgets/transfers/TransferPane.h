#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QProgressBar;
class QTreeView;

namespace skydeck {
class TransferEngine;
}

namespace skydeck::ui {

class TransferQueueModel;

// The transfers panel: the queue with per-item progress, the total, and cancel / retry / clear
// finished / open containing folder.
class TransferPane : public QWidget
{
    Q_OBJECT
public:
    explicit TransferPane(TransferEngine *engine, QWidget *parent = nullptr);

    TransferQueueModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QAction *cancelAction() const { return m_cancel; }
    QAction *retryAction() const { return m_retry; }
    QAction *clearFinishedAction() const { return m_clear; }
    QAction *openFolderAction() const { return m_openFolder; }

    // The folder "open containing folder" shows for the current row (empty if none).
    QString containingFolder() const;

Q_SIGNALS:
    void summaryChanged(const QString &summary);  // "3 transfers · 42% · 12.3 MB/s"

private:
    QList<quint64> selectedIds() const;
    void updateActions();
    void updateTotals();

    TransferEngine *m_engine;
    TransferQueueModel *m_model;
    QTreeView *m_view;
    QProgressBar *m_total;
    QLabel *m_summary;
    QAction *m_cancel;
    QAction *m_retry;
    QAction *m_clear;
    QAction *m_openFolder;
};

} // namespace skydeck::ui
