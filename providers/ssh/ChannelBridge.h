#pragma once

#include "Error.h"
#include "SshHandles.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QSocketNotifier;

namespace skydeck::ssh {

class SshConnection;

// Pumps bytes both ways between a local stream socket (a forwarded TCP connection, or one end of
// the socketpair a ProxyJump session runs over) and an SSH channel, without blocking: each
// direction holds at most one buffer (256 KiB) so a slow side pushes back on the other through
// the SSH window. Lives on the session's worker thread; deletes itself once finished().
class ChannelBridge : public QObject
{
    Q_OBJECT
public:
    using Opener = std::function<LIBSSH2_CHANNEL *(LIBSSH2_SESSION *)>;

    // Takes ownership of `fd` (made non-blocking). `opener` is retried until the channel opens.
    ChannelBridge(SshConnection *connection, int fd, Opener opener, QObject *parent = nullptr);
    ~ChannelBridge() override;

    quint64 bytesToRemote() const { return m_bytesUp; }
    quint64 bytesFromRemote() const { return m_bytesDown; }

Q_SIGNALS:
    void opened();
    void failed(const skydeck::Error &error);  // the channel could not be opened
    void finished();                           // both directions ended (or the session went away)

private:
    bool pump();
    void finish();
    void updateNotifiers();

    QPointer<SshConnection> m_conn;
    Fd m_fd;
    Opener m_opener;
    ChannelPtr m_channel;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_toChannel;
    QByteArray m_toSocket;
    bool m_socketEof = false;
    bool m_eofSent = false;
    bool m_channelEof = false;
    bool m_shutWr = false;
    bool m_done = false;
    quint64 m_bytesUp = 0;
    quint64 m_bytesDown = 0;
};

} // namespace skydeck::ssh
