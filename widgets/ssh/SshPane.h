#pragma once

#include "Error.h"
#include "SshConfig.h"

#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QSplitter;

namespace skydeck {
class CredentialStore;
class TerminalTabs;
namespace ssh {
class PortForwardList;
class ShellChannel;
class SshSession;
}
}

namespace skydeck::ui {

class ForwardsPanel;
class JupyterLauncher;

// Everything about one SSH host in one pane: a status line with actions (new shell tab, Open
// Jupyter, disconnect), the terminal tabs (each a ShellChannel on the same SshSession; a closed
// tab keeps its screen with the reason and a Reconnect button), the SFTP browser beside them
// when available, and the session's local forwards below.
//
// The session's questions are answered with dialogs opened window-modal on the UI thread (never
// a nested event loop): a new host key (Accept / Cancel), a password ("Remember in keychain" →
// CredentialStore, only when ticked), a key passphrase. A changed host key is shown as a red
// refusal naming the file and line of the old key, with no way to connect anyway.
class SshPane : public QWidget
{
    Q_OBJECT
public:
    // `store` may be null (no keychain: passwords are asked each time).
    SshPane(const ssh::SshHostConfig &host, CredentialStore *store, QWidget *parent = nullptr);
    ~SshPane() override;

    // Opens the first shell tab (connecting, after a look in the keychain for a kept password).
    void start();
    ssh::ShellChannel *openShell();

    ssh::SshSession *session() const { return m_session; }
    const ssh::SshHostConfig &host() const { return m_host; }
    TerminalTabs *tabs() const { return m_tabs; }
    ForwardsPanel *forwards() const { return m_forwardsPanel; }
    ssh::PortForwardList *forwardList() const { return m_forwardList; }
    JupyterLauncher *jupyter() const { return m_jupyter; }
    QLabel *statusLabel() const { return m_status; }
    QAction *newShellAction() const { return m_newShell; }
    QAction *openJupyterAction() const { return m_openJupyter; }
    QAction *disconnectAction() const { return m_disconnect; }

    // Hook for the SFTP browser (widgets/files): shown beside the terminals.
    void setSideWidget(QWidget *widget);

Q_SIGNALS:
    void errorOccurred(const skydeck::Error &error);
    void activity(const QString &message);

private:
    void connectSessionQuestions();
    void onStateChanged();
    void onFailed(const Error &error);
    void setStatus(const QString &text, bool error = false);
    void openJupyter();
    void updateActions();

    ssh::SshHostConfig m_host;
    QPointer<CredentialStore> m_store;
    ssh::SshSession *m_session;
    ssh::PortForwardList *m_forwardList;
    JupyterLauncher *m_jupyter;
    QLabel *m_status;
    QSplitter *m_vertical;
    QSplitter *m_horizontal;
    TerminalTabs *m_tabs;
    ForwardsPanel *m_forwardsPanel;
    QAction *m_newShell;
    QAction *m_openJupyter;
    QAction *m_disconnect;
    // Shells whose channel is being set up: an exec started meanwhile trips a libssh2 1.10
    // problem with concurrent channel requests (the connection drops), so Open Jupyter waits.
    QList<QPointer<ssh::ShellChannel>> m_opening;
    bool m_passwordFromKeychain = false;
    bool m_started = false;
};

} // namespace skydeck::ui
