#pragma once

#include "TransferEngine.h"
#include "TransferTypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>

#include <vector>

namespace skydeck {
class TransferEngine;
}

namespace skydeck::ui {

// The transfers queue as rows, fed by TransferEngine's signals: name, state, progress (the
// delegate draws a bar from ProgressRole), size, speed, ETA and the error text.
class TransferQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ProgressColumn, SizeColumn, SpeedColumn, EtaColumn, StateColumn, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,  // quint64
        ProgressRole,               // int 0..1000 (per mille), -1 when unknown
        StateRole,                  // int (TransferState)
        FinishedRole,               // bool
        LocalPathRole,              // QString
        ErrorRole,                  // QString, empty when none
    };

    explicit TransferQueueModel(QObject *parent = nullptr);

    // Shows the engine's transfers and follows its signals.
    void setEngine(TransferEngine *engine);
    TransferEngine *engine() const { return m_engine; }

    int rowForId(quint64 id) const { return m_rowOf.value(id, -1); }
    TransferStatus statusAt(int row) const;
    qint64 totalDone() const { return m_totalDone; }
    qint64 totalBytes() const { return m_totalBytes; }
    double totalSpeed() const { return m_totalSpeed; }
    int activeCount() const;   // queued, running or verifying
    int failedCount() const;

    static QString formatEta(qint64 seconds);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void totalsChanged(qint64 done, qint64 total, double bytesPerSecond);
    void countsChanged(int active, int failed);

private:
    void onAdded(const TransferStatus &status);
    void onChanged(const TransferStatus &status);
    void onRemoved(quint64 id);
    void onTotals(qint64 done, qint64 total, double speed);
    void reindexFrom(int row);

    QPointer<TransferEngine> m_engine;
    std::vector<TransferStatus> m_rows;
    QHash<quint64, int> m_rowOf;
    qint64 m_totalDone = 0;
    qint64 m_totalBytes = 0;
    double m_totalSpeed = 0;
};

} // namespace skydeck::ui
