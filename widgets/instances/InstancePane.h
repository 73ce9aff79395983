#pragma once

#include "ComputeTypes.h"
#include "Error.h"
#include "InstanceSsh.h"

#include <QPointer>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace skydeck {
class AccountRegistry;
}

namespace skydeck::ui {

class InstanceFilterProxy;
class InstanceModel;

// The VMs pane: every instance of every compute account in one table (InstanceModel through
// InstanceFilterProxy), a toolbar (Start, Stop, Reboot, Terminate…, Launch…, SSH, Jupyter, Refresh)
// acting on the selected rows, the filters (provider, state, GPU only, text) and grouping (none,
// account, region). Auto-refresh runs only while the pane is visible.
//
// SSH and Jupyter don't open anything themselves: they emit the target (address, user, key, jump
// host by the provider's conventions, see InstanceSsh.h) for the main window's SSH pane.
class InstancePane : public QWidget
{
    Q_OBJECT
public:
    explicit InstancePane(AccountRegistry *registry, QWidget *parent = nullptr);
    ~InstancePane() override;

    InstanceModel *model() const { return m_model; }
    InstanceFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QLabel *statusLabel() const { return m_status; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *rebootAction() const { return m_reboot; }
    QAction *terminateAction() const { return m_terminate; }
    QAction *launchAction() const { return m_launch; }
    QAction *sshAction() const { return m_ssh; }
    QAction *jupyterAction() const { return m_jupyter; }
    QAction *refreshAction() const { return m_refresh; }
    QComboBox *providerFilter() const { return m_providerBox; }
    QComboBox *stateFilter() const { return m_stateBox; }
    QCheckBox *gpuFilter() const { return m_gpuBox; }
    QLineEdit *textFilter() const { return m_text; }
    QComboBox *groupBox() const { return m_groupBox; }

    // Keys (Instance::key) of the selected rows, in view order.
    QStringList selectedKeys() const;
    // Selects the row of `key` (if shown).
    void selectKey(const QString &key);

Q_SIGNALS:
    void sshRequested(const skydeck::ui::InstanceSshTarget &target);
    void jupyterRequested(const skydeck::ui::InstanceSshTarget &target);
    void errorOccurred(const skydeck::Error &error);
    void activity(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void buildToolbar();
    void actOnSelection(InstanceAction action);
    void terminateSelected();
    void launch();
    void openSsh(bool jupyter);
    void updateActions();
    void updateStatus();
    QList<Instance> selectedInstances() const;

    QPointer<AccountRegistry> m_registry;
    InstanceModel *m_model;
    InstanceFilterProxy *m_proxy;
    QTableView *m_view;
    QLabel *m_status;
    QComboBox *m_providerBox = nullptr;
    QComboBox *m_stateBox = nullptr;
    QCheckBox *m_gpuBox = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_groupBox = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_reboot = nullptr;
    QAction *m_terminate = nullptr;
    QAction *m_launch = nullptr;
    QAction *m_ssh = nullptr;
    QAction *m_jupyter = nullptr;
    QAction *m_refresh = nullptr;
    QLayout *m_toolbarLayout = nullptr;
    bool m_shownOnce = false;
};

} // namespace skydeck::ui
