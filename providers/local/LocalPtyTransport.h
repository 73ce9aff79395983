#pragma once

#include "TerminalTransport.h"

#include <QByteArray>
#include <QStringList>

#include <sys/types.h>

class QSocketNotifier;
class QTimer;

namespace skydeck {

// A local program on a new pseudo-terminal (forkpty): the "Local terminal" tab, and the transport
// the terminal tests and benchmarks run real programs through. Lives on the UI thread; reads are
// driven by a QSocketNotifier on the non-blocking master side, writes are queued when the pty is
// full. The child sees TERM=xterm-256color and COLORTERM=truecolor.
class LocalPtyTransport final : public TerminalTransport
{
    Q_OBJECT
public:
    explicit LocalPtyTransport(QObject *parent = nullptr);
    ~LocalPtyTransport() override;

    // Starts `program` (looked up in PATH) with `arguments` on a pty of the given size.
    // False with errorString() set when the pty or the fork fails; an exec failure shows up as
    // closed() with exit status 127.
    bool start(const QString &program, const QStringList &arguments, int columns = 80, int rows = 24);
    QString errorString() const { return m_error; }
    pid_t pid() const { return m_pid; }
    // The child's exit code once closed() was emitted (128+signal for a signal), else -1.
    int exitCode() const { return m_exitCode; }

    void write(const QByteArray &bytes) override;
    void resize(int columns, int rows) override;
    bool isOpen() const override { return m_fd >= 0; }
    void close() override;
    QString title() const override { return m_title; }
    void setReceivePaused(bool paused) override;

private:
    void onReadable();
    void onWritable();
    void flushWrites();
    void finish(const QString &reason);
    void reapChild(bool wait);

    int m_fd = -1;
    pid_t m_pid = -1;
    int m_exitCode = -1;
    bool m_paused = false;
    QString m_title;
    QString m_error;
    QByteArray m_pendingWrite;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_reapTimer = nullptr;
};

} // namespace skydeck
