#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace skydeck {

// The byte pipe under a terminal tab (Konsole's Pty seam): an SSH shell channel, a container exec
// stream or a local pty. The terminal emulation writes keystrokes and the window size into it and
// feeds whatever it receives to libvterm; it knows nothing about what is on the other side.
//
// Threading: a transport lives on the UI thread (an SSH channel forwards to its session's worker
// with queued calls). received() may deliver any amount of bytes at once; a transport should batch
// a flood into chunks of a few KiB to a few hundred KiB rather than one signal per read.
class TerminalTransport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Bytes the user typed or pasted (already encoded by the emulation). Never blocks.
    virtual void write(const QByteArray &bytes) = 0;
    // The visible grid changed: the remote pty learns it (SIGWINCH on the other side).
    virtual void resize(int columns, int rows) = 0;
    // Whether bytes flow. After closed() a transport may support reconnect() (SSH: same tab).
    virtual bool isOpen() const = 0;
    virtual bool canReconnect() const { return false; }
    virtual void reconnect() {}
    // Ends the stream (the remote side sees EOF / hang-up). closed() follows.
    virtual void close() = 0;
    // Flow control for a consumer that falls behind (a flood of output): while paused a transport
    // stops reading, so the remote side blocks on its own writes instead of filling our memory.
    // A transport that cannot pause may ignore it.
    virtual void setReceivePaused(bool paused) { Q_UNUSED(paused) }
    // A short label for the tab ("gpu-box", "bash"): never contains secrets.
    virtual QString title() const = 0;

Q_SIGNALS:
    void opened();
    void received(const QByteArray &bytes);
    // The stream ended: empty reason for a normal exit, else a sentence for the user
    // ("Connection to gpu-box lost: connection reset by peer").
    void closed(const QString &reason);
};

} // namespace skydeck
