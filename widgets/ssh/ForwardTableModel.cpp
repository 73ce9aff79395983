#include "ForwardTableModel.h"

#include "PortForward.h"

#include <QBrush>
#include <QColor>

namespace skydeck::ui {

using ssh::PortForward;

ForwardTableModel::ForwardTableModel(ssh::PortForwardList *list, QObject *parent)
    : QAbstractTableModel(parent), m_list(list)
{
    for (PortForward *f : list->forwards()) {
        m_rows << f;
        track(f);
    }
    connect(list, &ssh::PortForwardList::added, this, [this](PortForward *f) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
        m_rows << f;
        endInsertRows();
        track(f);
    });
    connect(list, &ssh::PortForwardList::removed, this, [this](PortForward *f) {
        const int row = int(m_rows.indexOf(f));
        if (row < 0)
            return;
        f->disconnect(this);
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    });
}

void ForwardTableModel::track(PortForward *f)
{
    connect(f, &PortForward::stateChanged, this, [this, f] { changed(f); });
    connect(f, &PortForward::connectionsChanged, this, [this, f] { changed(f); });
}

void ForwardTableModel::changed(PortForward *f)
{
    const int row = int(m_rows.indexOf(f));
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int ForwardTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ForwardTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

PortForward *ForwardTableModel::forwardAt(int row) const
{
    return m_rows.value(row);
}

QVariant ForwardTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const PortForward *f = m_rows.at(index.row());
    const PortForward::Spec spec = f->spec();
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case LocalColumn: {
            const quint16 port = f->localPort() ? f->localPort() : spec.localPort;
            return QStringLiteral("%1:%2").arg(spec.bindAddress.toString(),
                                               port ? QString::number(port) : QStringLiteral("(any)"));
        }
        case RemoteColumn:
            return QStringLiteral("%1:%2").arg(spec.remoteHost).arg(spec.remotePort);
        case StateColumn:
            switch (f->state()) {
            case PortForward::State::Stopped:
                return tr("Stopped");
            case PortForward::State::Starting:
                return tr("Starting…");
            case PortForward::State::Listening:
                return tr("Listening");
            case PortForward::State::Failed:
                return f->errorString().isEmpty() ? tr("Failed") : tr("Failed: %1").arg(f->errorString());
            }
            return {};
        case ConnectionsColumn:
            return tr("%1 open / %2 total").arg(f->activeConnections()).arg(f->totalConnections());
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return f->state() == PortForward::State::Failed ? f->errorString() : f->description();
    if (role == Qt::ForegroundRole && index.column() == StateColumn && f->state() == PortForward::State::Failed)
        return QBrush(QColor(0xc6, 0x28, 0x28));
    return {};
}

QVariant ForwardTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case LocalColumn:
        return tr("Local");
    case RemoteColumn:
        return tr("Remote (from the host)");
    case StateColumn:
        return tr("State");
    case ConnectionsColumn:
        return tr("Connections");
    default:
        return {};
    }
}

} // namespace skydeck::ui
