#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QPushButton;

namespace skydeck::gui {

// "Connect to host…": [user@]host[:port] (a ~/.ssh/config alias works too) and whether to keep
// it in the SSH hosts list. No password here: the session asks when it needs one.
class ConnectHostDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectHostDialog(QWidget *parent = nullptr);

    QString target() const;
    bool saveInList() const;
    QLineEdit *targetEdit() const { return m_target; }
    QCheckBox *saveBox() const { return m_save; }

private:
    QLineEdit *m_target;
    QCheckBox *m_save;
    QPushButton *m_ok;
};

} // namespace skydeck::gui
