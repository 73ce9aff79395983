#pragma once

#include <QDialog>
#include <QPointer>
#include <QWidget>

class QLineEdit;
class QSpinBox;
class QTableView;
class QToolButton;

namespace skydeck::ssh {
class PortForwardList;
}

namespace skydeck::ui {

class ForwardTableModel;

// Asks for a local forward: local port (0: any free port), remote host and port as seen from the host.
class AddForwardDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AddForwardDialog(QWidget *parent = nullptr);

    QSpinBox *localPortBox() const { return m_local; }
    QLineEdit *remoteHostEdit() const { return m_host; }
    QSpinBox *remotePortBox() const { return m_remote; }

private:
    QSpinBox *m_local;
    QLineEdit *m_host;
    QSpinBox *m_remote;
};

// The "Forwards" list of a session pane: a table (ForwardTableModel) with Add… and Remove.
class ForwardsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ForwardsPanel(ssh::PortForwardList *list, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    ForwardTableModel *model() const { return m_model; }
    QAction *addForwardAction() const { return m_add; }
    QAction *removeForwardAction() const { return m_remove; }

    // Opens the Add dialog (window-modal, not a nested event loop); accepting it adds the forward.
    void showAddDialog();
    void removeSelected();

private:
    QPointer<ssh::PortForwardList> m_list;
    ForwardTableModel *m_model;
    QTableView *m_view;
    QAction *m_add;
    QAction *m_remove;
};

} // namespace skydeck::ui
