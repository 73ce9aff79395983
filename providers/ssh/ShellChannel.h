#pragma once

#include "TerminalTransport.h"

#include <QPointer>

#include <atomic>
#include <memory>

namespace skydeck::ssh {

class SshSession;
class ShellWorker;

// An interactive shell on an SshSession, as the byte pipe under a terminal tab: a pty of type
// xterm-256color with the tab's size, then the user's login shell. Lives on the UI thread; the
// channel itself is driven by a ShellWorker on the session's worker thread.
//
// Output arrives in batches (up to 256 KiB per received()); at most ~1 MiB is in flight towards
// the UI, and setReceivePaused(true) stops reading altogether, so a flood (`yes`) backs up into
// the remote program through the SSH window instead of into our memory, and Ctrl+C still goes out.
//
// reconnect() (after closed()) connects the session again if it was lost and opens a new shell in
// this same object, so the tab stays. The session must outlive the channel.
class ShellChannel : public TerminalTransport
{
    Q_OBJECT
public:
    explicit ShellChannel(SshSession *session, QObject *parent = nullptr);
    ~ShellChannel() override;

    // Connects the session when needed (its questions go to whoever listens to it), then opens.
    void open(int columns = 80, int rows = 24);

    void write(const QByteArray &bytes) override;
    void resize(int columns, int rows) override;
    bool isOpen() const override { return m_open; }
    bool canReconnect() const override { return true; }
    void reconnect() override;
    void close() override;
    void setReceivePaused(bool paused) override;
    QString title() const override;

    SshSession *session() const { return m_session; }

private:
    void startShell();
    void onWorkerClosed(const QString &reason);
    void onData(const QByteArray &bytes);

    QPointer<SshSession> m_session;
    QPointer<ShellWorker> m_worker;
    std::shared_ptr<std::atomic<qint64>> m_inFlight;
    int m_columns = 80;
    int m_rows = 24;
    bool m_open = false;
    bool m_wantOpen = false;
    bool m_paused = false;
};

} // namespace skydeck::ssh
