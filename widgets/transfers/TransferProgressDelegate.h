#pragma once

#include <QStyledItemDelegate>

namespace skydeck::ui {

// Draws TransferQueueModel::ProgressRole as a progress bar with the style (palette-aware).
class TransferProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace skydeck::ui
