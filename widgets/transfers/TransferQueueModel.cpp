#include "TransferQueueModel.h"

#include "DisplayText.h"

#include "TransferEngine.h"

#include <QFileInfo>
#include <QIcon>
#include <QLocale>

namespace skydeck::ui {

TransferQueueModel::TransferQueueModel(QObject *parent) : QAbstractTableModel(parent) {}

void TransferQueueModel::setEngine(TransferEngine *engine)
{
    if (m_engine)
        disconnect(m_engine, nullptr, this, nullptr);
    beginResetModel();
    m_engine = engine;
    m_rows.clear();
    m_rowOf.clear();
    if (m_engine) {
        const QList<TransferStatus> all = m_engine->transfers();
        for (const TransferStatus &s : all) {
            m_rowOf.insert(s.id, int(m_rows.size()));
            m_rows.push_back(s);
        }
    }
    endResetModel();
    if (!m_engine)
        return;
    connect(m_engine, &TransferEngine::transferAdded, this, &TransferQueueModel::onAdded);
    connect(m_engine, &TransferEngine::transferChanged, this, &TransferQueueModel::onChanged);
    connect(m_engine, &TransferEngine::transferRemoved, this, &TransferQueueModel::onRemoved);
    connect(m_engine, &TransferEngine::totalsChanged, this, &TransferQueueModel::onTotals);
    Q_EMIT countsChanged(activeCount(), failedCount());
}

TransferStatus TransferQueueModel::statusAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size())
        return {};
    return m_rows[size_t(row)];
}

int TransferQueueModel::activeCount() const
{
    int n = 0;
    for (const auto &s : m_rows)
        n += s.isFinished() ? 0 : 1;
    return n;
}

int TransferQueueModel::failedCount() const
{
    int n = 0;
    for (const auto &s : m_rows)
        n += s.state == TransferState::Failed ? 1 : 0;
    return n;
}

void TransferQueueModel::onAdded(const TransferStatus &status)
{
    if (m_rowOf.contains(status.id)) {
        onChanged(status);
        return;
    }
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(status);
    m_rowOf.insert(status.id, row);
    endInsertRows();
    Q_EMIT countsChanged(activeCount(), failedCount());
}

void TransferQueueModel::onChanged(const TransferStatus &status)
{
    const int row = m_rowOf.value(status.id, -1);
    if (row < 0) {
        onAdded(status);
        return;
    }
    const bool stateChanged = m_rows[size_t(row)].state != status.state;
    m_rows[size_t(row)] = status;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (stateChanged)
        Q_EMIT countsChanged(activeCount(), failedCount());
}

void TransferQueueModel::onRemoved(quint64 id)
{
    const int row = m_rowOf.value(id, -1);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    m_rowOf.remove(id);
    reindexFrom(row);
    endRemoveRows();
    Q_EMIT countsChanged(activeCount(), failedCount());
}

void TransferQueueModel::reindexFrom(int row)
{
    for (size_t i = size_t(row); i < m_rows.size(); ++i)
        m_rowOf[m_rows[i].id] = int(i);
}

void TransferQueueModel::onTotals(qint64 done, qint64 total, double speed)
{
    m_totalDone = done;
    m_totalBytes = total;
    m_totalSpeed = speed;
    Q_EMIT totalsChanged(done, total, speed);
}

QString TransferQueueModel::formatEta(qint64 seconds)
{
    if (seconds < 0)
        return QString();
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

int TransferQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TransferQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TransferQueueModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TransferStatus &s = m_rows[size_t(index.row())];
    const bool upload = s.spec.kind == TransferKind::Upload;
    const int perMille = s.bytesTotal > 0 ? int(qBound(qint64(0), s.bytesDone * 1000 / s.bytesTotal, qint64(1000)))
                                          : (s.state == TransferState::Done ? 1000 : -1);
    const QLocale loc;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return upload ? QStringLiteral("%1 → s3://%2/%3").arg(QFileInfo(s.spec.localPath).fileName(), s.spec.bucket, s.spec.key)
                          : QStringLiteral("s3://%1/%2 → %3").arg(s.spec.bucket, s.spec.key, s.spec.localPath);
        case ProgressColumn:
            return perMille < 0 ? QString() : QStringLiteral("%1%").arg(perMille / 10);
        case SizeColumn:
            return s.bytesTotal < 0 ? QString() : loc.formattedDataSize(s.bytesTotal, 1, QLocale::DataSizeTraditionalFormat);
        case SpeedColumn:
            return s.state == TransferState::Running && s.bytesPerSecond > 0
                       ? loc.formattedDataSize(qint64(s.bytesPerSecond), 1, QLocale::DataSizeTraditionalFormat) + tr("/s")
                       : QString();
        case EtaColumn:
            if (s.state == TransferState::Running && s.bytesPerSecond > 0 && s.bytesTotal > 0)
                return formatEta(qint64(double(s.bytesTotal - s.bytesDone) / s.bytesPerSecond));
            return QString();
        case StateColumn:
            if (s.state == TransferState::Failed && s.error.isError())
                return tr("Failed: %1").arg(s.error.toString());
            {
                QString name = transferStateName(s.state);
                if (!name.isEmpty())
                    name[0] = name[0].toUpper();
                return name;
            }
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() == NameColumn) {
            static const QIcon up(QStringLiteral(":/icons/upload.svg"));
            static const QIcon down(QStringLiteral(":/icons/download.svg"));
            return upload ? up : down;
        }
        if (index.column() == StateColumn && s.state == TransferState::Failed) {
            static const QIcon err(QStringLiteral(":/icons/error.svg"));
            return err;
        }
        return {};
    case Qt::ToolTipRole:
        return plainToolTip(s.error.isError() ? s.error.toString() : data(index, Qt::DisplayRole).toString());
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == SpeedColumn || index.column() == EtaColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case IdRole:
        return QVariant::fromValue(s.id);
    case ProgressRole:
        return perMille;
    case StateRole:
        return int(s.state);
    case FinishedRole:
        return s.isFinished();
    case LocalPathRole:
        return s.spec.localPath;
    case ErrorRole:
        return s.error.isError() ? s.error.toString() : QString();
    default:
        return {};
    }
}

QVariant TransferQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Transfer");
    case ProgressColumn: return tr("Progress");
    case SizeColumn: return tr("Size");
    case SpeedColumn: return tr("Speed");
    case EtaColumn: return tr("ETA");
    case StateColumn: return tr("State");
    default: return {};
    }
}

} // namespace skydeck::ui
