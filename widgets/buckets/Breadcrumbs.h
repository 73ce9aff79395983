#pragma once

#include <QWidget>

class QHBoxLayout;

namespace skydeck::ui {

// "bucket › folder › sub" as flat buttons; clicking one goes to that prefix.
class Breadcrumbs : public QWidget
{
    Q_OBJECT
public:
    explicit Breadcrumbs(QWidget *parent = nullptr);
    void setLocation(const QString &bucket, const QString &prefix);

Q_SIGNALS:
    void prefixActivated(const QString &prefix);  // "" is the bucket's root

private:
    QHBoxLayout *m_layout;
};

} // namespace skydeck::ui
