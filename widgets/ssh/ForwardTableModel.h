#pragma once

#include <QAbstractTableModel>
#include <QPointer>

namespace skydeck::ssh {
class PortForward;
class PortForwardList;
}

namespace skydeck::ui {

// The local forwards of one SSH session as a table: local address → remote host:port, state
// (with the error when it failed), connections (active / total). Follows the list's add/remove
// and each forward's state and connection counts.
class ForwardTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { LocalColumn, RemoteColumn, StateColumn, ConnectionsColumn, ColumnCount };

    explicit ForwardTableModel(ssh::PortForwardList *list, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    ssh::PortForward *forwardAt(int row) const;

private:
    void track(ssh::PortForward *forward);
    void changed(ssh::PortForward *forward);

    QPointer<ssh::PortForwardList> m_list;
    QList<ssh::PortForward *> m_rows;
};

} // namespace skydeck::ui
