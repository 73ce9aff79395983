#include "TransferProgressDelegate.h"

#include "TransferQueueModel.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionProgressBar>

namespace skydeck::ui {

void TransferProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    const int perMille = index.data(TransferQueueModel::ProgressRole).toInt();
    QStyleOptionViewItem base(option);
    initStyleOption(&base, index);
    base.text.clear();
    const QWidget *w = option.widget;
    QStyle *style = w ? w->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &base, painter, w);  // selection background
    const bool finished = index.data(TransferQueueModel::FinishedRole).toBool();
    if (perMille < 0 && finished)
        return;  // failed or cancelled before the size was known: no bar to show

    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.state = option.state | QStyle::State_Horizontal;
    bar.direction = option.direction;
    bar.fontMetrics = option.fontMetrics;
    bar.palette = option.palette;
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = qMax(perMille, 0);
    bar.textVisible = true;
    bar.text = perMille < 0 ? tr("waiting") : index.data(Qt::DisplayRole).toString();
    bar.textAlignment = Qt::AlignCenter;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, w);
}

} // namespace skydeck::ui
