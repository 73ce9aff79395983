#pragma once

#include <QSortFilterProxyModel>

namespace skydeck::ui {

// Filters and groups InstanceModel's rows for the pane: provider ("" = all), state (all, running,
// stopped, changing), GPU only, and a text that matches name, id, IPs, type, region or account.
// Grouping by account or by region sorts by the group first (then by the user's sort column) and
// shows the group's name only on its first row, in bold, so the groups read as sections.
class InstanceFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class StateFilter { All, Running, Stopped, Changing };
    enum class GroupBy { None, Account, Region };

    explicit InstanceFilterProxy(QObject *parent = nullptr);

    void setProviderFilter(const QString &provider);
    void setStateFilter(StateFilter state);
    void setGpuOnly(bool gpuOnly);
    void setText(const QString &text);
    void setGroupBy(GroupBy group);
    GroupBy groupBy() const { return m_group; }
    // The source column that shows the group (Account or Location), -1 when not grouping.
    int groupColumn() const;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString groupKey(const QModelIndex &sourceIndex) const;
    void refilter();

    QString m_provider;
    StateFilter m_state = StateFilter::All;
    bool m_gpuOnly = false;
    QString m_text;
    GroupBy m_group = GroupBy::None;
};

} // namespace skydeck::ui
