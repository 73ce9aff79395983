#include "Breadcrumbs.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace skydeck::ui {

Breadcrumbs::Breadcrumbs(QWidget *parent) : QWidget(parent), m_layout(new QHBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void Breadcrumbs::setLocation(const QString &bucket, const QString &prefix)
{
    while (QLayoutItem *item = m_layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    auto addCrumb = [this](const QString &text, const QString &target, bool current) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setAutoRaise(true);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        QFont f = b->font();
        f.setBold(current);
        b->setFont(f);
        b->setAccessibleName(tr("Go to %1").arg(text));
        connect(b, &QToolButton::clicked, this, [this, target] { Q_EMIT prefixActivated(target); });
        m_layout->addWidget(b);
    };
    if (bucket.isEmpty()) {
        m_layout->addWidget(new QLabel(tr("No bucket selected"), this));
        m_layout->addStretch(1);
        return;
    }
    const QStringList parts = prefix.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    addCrumb(bucket, QString(), parts.isEmpty());
    QString acc;
    for (int i = 0; i < parts.size(); ++i) {
        auto *sep = new QLabel(QStringLiteral("›"), this);
        sep->setForegroundRole(QPalette::PlaceholderText);
        m_layout->addWidget(sep);
        acc += parts[i] + QLatin1Char('/');
        addCrumb(parts[i], acc, i == parts.size() - 1);
    }
    m_layout->addStretch(1);
}

} // namespace skydeck::ui
