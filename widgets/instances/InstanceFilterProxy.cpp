#include "InstanceFilterProxy.h"

#include "ComputeTypes.h"
#include "InstanceModel.h"

#include <QFont>

namespace skydeck::ui {

InstanceFilterProxy::InstanceFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(InstanceModel::SortRole);
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void InstanceFilterProxy::refilter()
{
    invalidateFilter();
}

void InstanceFilterProxy::setProviderFilter(const QString &provider)
{
    if (m_provider == provider)
        return;
    m_provider = provider;
    refilter();
}

void InstanceFilterProxy::setStateFilter(StateFilter state)
{
    if (m_state == state)
        return;
    m_state = state;
    refilter();
}

void InstanceFilterProxy::setGpuOnly(bool gpuOnly)
{
    if (m_gpuOnly == gpuOnly)
        return;
    m_gpuOnly = gpuOnly;
    refilter();
}

void InstanceFilterProxy::setText(const QString &text)
{
    const QString t = text.trimmed();
    if (m_text == t)
        return;
    m_text = t;
    refilter();
}

void InstanceFilterProxy::setGroupBy(GroupBy group)
{
    if (m_group == group)
        return;
    m_group = group;
    invalidate();  // order and the group labels change
    if (sortColumn() < 0)
        sort(InstanceModel::NameColumn);
}

int InstanceFilterProxy::groupColumn() const
{
    switch (m_group) {
    case GroupBy::Account: return InstanceModel::AccountColumn;
    case GroupBy::Region: return InstanceModel::LocationColumn;
    case GroupBy::None: break;
    }
    return -1;
}

QString InstanceFilterProxy::groupKey(const QModelIndex &sourceIndex) const
{
    const int role = m_group == GroupBy::Account ? InstanceModel::GroupAccountRole : InstanceModel::GroupRegionRole;
    return sourceModel()->index(sourceIndex.row(), 0).data(role).toString();
}

bool InstanceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_provider.isEmpty() && idx.data(InstanceModel::ProviderRole).toString() != m_provider)
        return false;
    if (m_gpuOnly && !idx.data(InstanceModel::HasGpuRole).toBool())
        return false;
    if (m_state != StateFilter::All) {
        const auto s = InstanceState(idx.data(InstanceModel::StateRole).toInt());
        const bool busy = idx.data(InstanceModel::BusyRole).toBool();
        switch (m_state) {
        case StateFilter::Running:
            if (s != InstanceState::Running)
                return false;
            break;
        case StateFilter::Stopped:
            if (s != InstanceState::Stopped && s != InstanceState::StoppedBilled)
                return false;
            break;
        case StateFilter::Changing:
            if (!busy && !isTransitional(s))
                return false;
            break;
        case StateFilter::All:
            break;
        }
    }
    if (!m_text.isEmpty()) {
        static const int cols[] = {InstanceModel::AccountColumn, InstanceModel::LocationColumn, InstanceModel::NameColumn,
                                   InstanceModel::IdColumn, InstanceModel::TypeColumn, InstanceModel::GpuColumn,
                                   InstanceModel::PublicIpColumn, InstanceModel::PrivateIpColumn};
        bool any = false;
        for (int c : cols)
            if (sourceModel()->index(sourceRow, c, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive)) {
                any = true;
                break;
            }
        if (!any)
            return false;
    }
    return true;
}

bool InstanceFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_group != GroupBy::None) {
        const int c = QString::compare(groupKey(left), groupKey(right), Qt::CaseInsensitive);
        if (c != 0)
            // Groups stay in ascending order whichever way the column sorts.
            return sortOrder() == Qt::AscendingOrder ? c < 0 : c > 0;
    }
    const QVariant l = left.data(sortRole()), r = right.data(sortRole());
    if (l.userType() == QMetaType::QString || r.userType() == QMetaType::QString)
        return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
    return QVariant::compare(l, r) == QPartialOrdering::Less;
}

QVariant InstanceFilterProxy::data(const QModelIndex &index, int role) const
{
    const int gc = groupColumn();
    if (gc < 0 || index.column() != gc || (role != Qt::DisplayRole && role != Qt::FontRole))
        return QSortFilterProxyModel::data(index, role);
    const bool first = index.row() == 0
        || groupKey(mapToSource(index)) != groupKey(mapToSource(this->index(index.row() - 1, 0)));
    if (role == Qt::FontRole) {
        QFont f;
        f.setBold(first);
        return first ? QVariant(f) : QSortFilterProxyModel::data(index, role);
    }
    return first ? QSortFilterProxyModel::data(index, role) : QVariant(QString());
}

} // namespace skydeck::ui
