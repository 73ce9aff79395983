#include "SshPane.h"

#include "CredentialStore.h"
#include "DisplayText.h"
#include "ForwardsPanel.h"
#include "JupyterLauncher.h"
#include "PortForward.h"
#include "ShellChannel.h"
#include "SshDialogs.h"
#include "SshPaneLogging.h"
#include "SshSession.h"
#include "TerminalTabs.h"
#include "TerminalWidget.h"

#include <QAction>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace skydeck::ui {

using ssh::SshSession;

namespace {
QToolButton *toolButton(QAction *action, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setAutoRaise(true);
    return b;
}
} // namespace

SshPane::SshPane(const ssh::SshHostConfig &host, CredentialStore *store, QWidget *parent)
    : QWidget(parent)
    , m_host(host)
    , m_store(store)
    , m_session(new SshSession(host, this))
    , m_forwardList(new ssh::PortForwardList(m_session, this))
    , m_jupyter(new JupyterLauncher(m_session, m_forwardList, this))
    , m_status(new QLabel(this))
    , m_vertical(new QSplitter(Qt::Vertical, this))
    , m_horizontal(new QSplitter(Qt::Horizontal, m_vertical))
    , m_tabs(new TerminalTabs(m_horizontal))
    , m_forwardsPanel(new ForwardsPanel(m_forwardList, m_vertical))
    , m_newShell(new QAction(QIcon(QStringLiteral(":/icons/terminal.svg")), tr("New shell tab"), this))
    , m_openJupyter(new QAction(QIcon(QStringLiteral(":/icons/jupyter.svg")), tr("Open Jupyter"), this))
    , m_disconnect(new QAction(QIcon(QStringLiteral(":/icons/cancel.svg")), tr("Disconnect"), this))
{
    setObjectName(QStringLiteral("sshPane"));
    m_session->setCredentialStore(store);
    m_tabs->setObjectName(QStringLiteral("sshTerminalTabs"));
    m_status->setObjectName(QStringLiteral("sshStatus"));
    m_status->setTextFormat(Qt::PlainText);  // messages carry the server's words: never markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);

    m_newShell->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_newShell->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_newShell->setToolTip(tr("Another shell on the same connection"));
    m_openJupyter->setToolTip(tr("Find (or start) Jupyter on the host, forward a local port to it and open the browser"));
    addAction(m_newShell);
    connect(m_newShell, &QAction::triggered, this, [this] { openShell(); });
    connect(m_openJupyter, &QAction::triggered, this, &SshPane::openJupyter);
    connect(m_disconnect, &QAction::triggered, m_session, &SshSession::disconnectFromHost);

    auto *title = new QLabel(QStringLiteral("<b>%1</b>").arg(host.displayName().toHtmlEscaped()), this);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 4, 6, 2);
    bar->setSpacing(14);
    bar->addWidget(title);
    bar->addWidget(m_status, 1);
    bar->addWidget(toolButton(m_newShell, this));
    bar->addWidget(toolButton(m_openJupyter, this));
    bar->addWidget(toolButton(m_disconnect, this));

    m_horizontal->addWidget(m_tabs);
    m_horizontal->setStretchFactor(0, 3);
    m_vertical->addWidget(m_horizontal);
    m_vertical->addWidget(m_forwardsPanel);
    m_vertical->setStretchFactor(0, 5);
    m_vertical->setStretchFactor(1, 1);
    m_vertical->setSizes({600, 140});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_vertical, 1);

    connectSessionQuestions();
    connect(m_session, &SshSession::stateChanged, this, &SshPane::onStateChanged);
    connect(m_session, &SshSession::failed, this, &SshPane::onFailed);
    connect(m_session, &SshSession::disconnected, this, [this](const QString &reason) {
        setStatus(tr("Disconnected: %1 — Reconnect in the tab").arg(reason), true);
    });
    connect(m_session, &SshSession::ready, this, [this] {
        // Forwards that died with the previous connection listen again.
        for (ssh::PortForward *f : m_forwardList->forwards())
            if (f->state() == ssh::PortForward::State::Failed)
                f->start();
    });

    connect(m_jupyter, &JupyterLauncher::progress, this, [this](const QString &m) { setStatus(m); });
    connect(m_jupyter, &JupyterLauncher::failed, this, [this](const Error &e) {
        setStatus(e.toString(), true);
        Q_EMIT errorOccurred(e);
    });
    connect(m_jupyter, &JupyterLauncher::noServerRunning, this, [this](const JupyterProgram &program) {
        const QString name = jupyterKindName(program.kind);
        auto *box = new QMessageBox(QMessageBox::Question, tr("Open Jupyter"),
                                    tr("No Jupyter server is running on %1.\n\nStart %2 (%3) there in the background, "
                                       "on 127.0.0.1 with a new token (log in ~/.skydeck/)?")
                                        .arg(m_host.alias, name, displayText(program.path)),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("startJupyterQuestion"));
        box->setTextFormat(Qt::PlainText);  // a path from the host: never markup
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->button(QMessageBox::Yes)->setText(tr("Start %1").arg(name));
        connect(box, &QMessageBox::finished, this, [this, box] {
            if (box->clickedButton() == box->button(QMessageBox::Yes))
                m_jupyter->startServer();
            else
                setStatus(tr("Connected"));
        });
        box->open();
    });
    connect(m_jupyter, &JupyterLauncher::readyToOpen, this, [this](const QUrl &url, const JupyterServer &server) {
        // The URL carries the token: shown without it, never logged.
        QUrl shown = url;
        shown.setQuery(QString());
        setStatus(tr("Jupyter (%1 on the host) opened at %2").arg(server.url, shown.toString()));
        qCInfo(lcSshPane) << "opening jupyter through" << shown.toString();
        QDesktopServices::openUrl(url);
    });

    onStateChanged();
}

SshPane::~SshPane()
{
    // Channels and forwards go before the session they run on (children die after this body).
    delete m_vertical;
    delete m_jupyter;
    delete m_forwardList;
}

void SshPane::setSideWidget(QWidget *widget)
{
    // Added after the splitter was laid out, a widget gets its size hint (a file list asks for most
    // of the width, leaving the terminal a sliver): give the terminals 3/5, or keep the width the
    // side had when this replaces a previous side widget (rebuilt on reconnect).
    const QList<int> before = m_horizontal->sizes();
    int total = 0;
    for (int w : before)
        total += w;
    const int previousSide = before.size() > 1 ? before.last() : 0;
    m_horizontal->addWidget(widget);
    const int index = m_horizontal->indexOf(widget);
    m_horizontal->setStretchFactor(index, 2);
    QList<int> sizes(m_horizontal->count(), 0);
    if (total <= 0)
        total = 1000;  // not shown yet: QSplitter scales these to its width
    sizes[index] = previousSide > 0 ? previousSide : total * 2 / 5;
    sizes[0] = std::max(total - sizes[index], 0);
    m_horizontal->setSizes(sizes);
}

void SshPane::connectSessionQuestions()
{
    const QString name = m_host.displayName();
    connect(m_session, &SshSession::hostKeyQuestion, this, [this, name](const ssh::HostKeyCheck &check) {
        auto *dlg = new HostKeyDialog(name, check, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        connect(dlg, &QDialog::finished, m_session, [this](int result) { m_session->answerHostKey(result == QDialog::Accepted); });
        dlg->open();
    });
    connect(m_session, &SshSession::passwordNeeded, this, [this](const QString &prompt) {
        auto *dlg = new SecretDialog(SecretDialog::Kind::Password, prompt, m_store && !m_store->isSessionOnly(), this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        connect(dlg, &QDialog::finished, m_session, [this, dlg](int result) {
            // An empty answer cancels authentication.
            m_session->answerPassword(result == QDialog::Accepted ? dlg->secret() : QString(),
                                      result == QDialog::Accepted && dlg->remember());
            dlg->secretEdit()->clear();
        });
        dlg->open();
    });
    connect(m_session, &SshSession::keyboardInteractiveQuestion, this, [this, name](const ssh::KbdIntQuestion &question) {
        auto *dlg = new KbdIntDialog(name, question, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        connect(dlg, &QDialog::finished, m_session, [this, dlg](int result) {
            // Cancel (no answers) ends the login.
            m_session->answerKeyboardInteractive(result == QDialog::Accepted ? dlg->answers() : QStringList());
            for (QLineEdit *f : dlg->fields())
                f->clear();
        });
        dlg->open();
    });
    connect(m_session, &SshSession::passphraseNeeded, this, [this](const QString &keyFile) {
        auto *dlg = new SecretDialog(SecretDialog::Kind::Passphrase, keyFile, false, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        connect(dlg, &QDialog::finished, m_session, [this, dlg](int result) {
            // An empty answer skips this key.
            m_session->answerPassphrase(result == QDialog::Accepted ? dlg->secret() : QString());
            dlg->secretEdit()->clear();
        });
        dlg->open();
    });
}

void SshPane::start()
{
    if (m_started)
        return;
    m_started = true;
    if (!m_store || m_store->isSessionOnly()) {
        openShell();
        return;
    }
    setStatus(tr("Looking for a kept password…"));
    m_store->read(SshSession::credentialAccount(m_host), QStringLiteral("password"), this, [this](Result<QString> r) {
        if (r.ok() && !r.value().isEmpty()) {
            m_session->setPassword(r.value());
            m_passwordFromKeychain = true;
        }
        openShell();
    });
}

ssh::ShellChannel *SshPane::openShell()
{
    m_started = true;
    auto *channel = new ssh::ShellChannel(m_session);
    TerminalWidget *term = m_tabs->addTerminal(channel);
    m_tabs->setCurrentWidget(m_tabs->widget(m_tabs->count() - 1));
    term->setFocus();
    m_opening << channel;
    auto settled = [this, channel] {
        m_opening.removeAll(channel);
        updateActions();
    };
    connect(channel, &ssh::ShellChannel::opened, this, settled);
    connect(channel, &ssh::ShellChannel::closed, this, settled);
    connect(channel, &QObject::destroyed, this, [this] {
        m_opening.removeAll(nullptr);
        updateActions();
    });
    updateActions();
    const int cols = term->columns() > 1 ? term->columns() : 80;
    const int rows = term->rows() > 1 ? term->rows() : 24;
    channel->open(cols, rows);
    return channel;
}

void SshPane::openJupyter()
{
    if (!m_session->isReady() || !m_opening.isEmpty()) {
        setStatus(tr("Not connected yet: wait for the shell (or Reconnect) first."), true);
        return;
    }
    m_jupyter->open();
}

void SshPane::onStateChanged()
{
    updateActions();
    const SshSession::State s = m_session->state();
    switch (s) {
    case SshSession::State::Connecting:
        setStatus(tr("Connecting to %1…").arg(m_host.displayName()));
        break;
    case SshSession::State::AwaitingAnswer:
        setStatus(tr("Waiting for your answer…"));
        break;
    case SshSession::State::Ready:
        setStatus(tr("Connected"));
        Q_EMIT activity(tr("Connected to %1").arg(m_host.displayName()));
        break;
    case SshSession::State::Disconnected:
        if (m_status->text().isEmpty())
            setStatus(tr("Not connected"));
        break;
    }
}

void SshPane::updateActions()
{
    m_opening.removeAll(nullptr);
    m_openJupyter->setEnabled(m_session->isReady() && m_opening.isEmpty());
    m_disconnect->setEnabled(m_session->state() != SshSession::State::Disconnected);
}

void SshPane::onFailed(const Error &error)
{
    Error e = error;
    if (e.context().isEmpty())
        e.setContext(m_host.displayName());
    QString text = e.toString();
    if (e.category() == Error::Category::Auth) {
        // A refused password (typed or kept) is asked for on Reconnect, not tried again as is.
        m_session->setPassword(QString());
        if (m_passwordFromKeychain)
            text += tr(" (the password kept in the keychain was refused; Reconnect to type it)");
        m_passwordFromKeychain = false;
    }
    setStatus(text, true);
    Q_EMIT errorOccurred(e);
    if (e.code() == QLatin1String("HostKeyChanged") || e.code() == QLatin1String("HostKeyRevoked")) {
        const auto reason = e.code() == QLatin1String("HostKeyRevoked") ? HostKeyRefusalDialog::Reason::Revoked
                                                                          : HostKeyRefusalDialog::Reason::Changed;
        auto *dlg = new HostKeyRefusalDialog(m_host.displayName(), e.message(), reason, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->open();
    }
}

void SshPane::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace skydeck::ui
