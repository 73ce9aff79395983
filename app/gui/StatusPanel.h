#pragma once

#include "Error.h"

#include <QWidget>

class QLabel;
class QToolButton;

namespace skydeck::gui {

// The status bar's permanent part: what runs in the background ("2 requests · 3 transfers") and
// the last error (click to clear; the tooltip has the whole text).
class StatusPanel : public QWidget
{
    Q_OBJECT
public:
    explicit StatusPanel(QWidget *parent = nullptr);

    void setRequests(int running);
    void setTransfers(int active, const QString &summary);
    void setLastError(const Error &error);
    void clearError();

    QString activityText() const;
    QString errorText() const;

private:
    void updateActivity();

    int m_requests = 0;
    int m_transfers = 0;
    QString m_transferSummary;
    QLabel *m_activity;
    QToolButton *m_error;
};

} // namespace skydeck::gui
