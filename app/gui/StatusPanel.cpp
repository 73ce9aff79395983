#include "StatusPanel.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QToolButton>

namespace skydeck::gui {

StatusPanel::StatusPanel(QWidget *parent) : QWidget(parent), m_activity(new QLabel(this)), m_error(new QToolButton(this))
{
    auto *l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    m_error->setAutoRaise(true);
    m_error->setIcon(QIcon(QStringLiteral(":/icons/error.svg")));
    m_error->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_error->setVisible(false);
    m_error->setMaximumWidth(520);
    connect(m_error, &QToolButton::clicked, this, &StatusPanel::clearError);
    l->addWidget(m_error);
    l->addWidget(m_activity);
    updateActivity();
}

void StatusPanel::setRequests(int running)
{
    m_requests = running;
    updateActivity();
}

void StatusPanel::setTransfers(int active, const QString &summary)
{
    m_transfers = active;
    m_transferSummary = summary;
    updateActivity();
}

void StatusPanel::updateActivity()
{
    QStringList parts;
    if (m_requests > 0)
        parts.append(tr("%n request(s) running", nullptr, m_requests));
    if (m_transfers > 0)
        parts.append(m_transferSummary.isEmpty() ? tr("%n transfer(s)", nullptr, m_transfers)
                                                 : tr("Transfers: %1").arg(m_transferSummary));
    m_activity->setText(parts.isEmpty() ? tr("Idle") : parts.join(QStringLiteral(" · ")));
}

void StatusPanel::setLastError(const Error &error)
{
    if (!error.isError() || error.category() == Error::Category::Cancelled)
        return;
    const QString text = error.toString();
    m_error->setText(m_error->fontMetrics().elidedText(tr("Last error: %1").arg(text), Qt::ElideRight, 480));
    m_error->setToolTip(tr("%1\n\nClick to dismiss.").arg(text));
    m_error->setVisible(true);
}

void StatusPanel::clearError()
{
    m_error->setVisible(false);
    m_error->setToolTip(QString());
    m_error->setText(QString());
}

QString StatusPanel::activityText() const
{
    return m_activity->text();
}

QString StatusPanel::errorText() const
{
    return m_error->isVisible() ? m_error->toolTip() : QString();
}

} // namespace skydeck::gui
