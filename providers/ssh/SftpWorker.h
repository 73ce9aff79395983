#pragma once

#include "SftpOp.h"

#include <QObject>
#include <QPointer>

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

namespace skydeck::ssh {

class SshConnection;

// The worker-thread half of an SftpClient: a pump on the session's connection that runs SFTP
// operations. Channel 0 carries listings and metadata so they never wait behind file contents;
// the other channels carry reads and writes (each op on the least busy one), so several parts of
// a transfer are in flight at once besides libssh2's own pipelining inside each read and write.
// Channels are opened on first use. Parented to the connection; freed with it.
class SftpWorker : public QObject
{
public:
    SftpWorker(SshConnection *conn, int bulkChannels);
    ~SftpWorker() override;

    void enqueue(std::shared_ptr<SftpOp> op);
    // Bulk operations queued or running here (read from any thread; SftpLanes balances on it).
    std::shared_ptr<const std::atomic<int>> bulkLoad() const { return m_bulkLoad; }

private:
    struct Channel {
        SftpPtr sftp;
        std::deque<std::shared_ptr<SftpOp>> queue;
    };

    bool pump();
    bool pumpChannel(Channel &ch);
    void abandonAll(const Error &error);
    void finished(const SftpOp &op);

    QPointer<SshConnection> m_conn;
    std::vector<Channel> m_channels;  // [0] metadata, [1..] bulk
    Channel *m_initializing = nullptr; // libssh2_sftp_init keeps its state in the session: one at a time
    Channel *m_sending = nullptr;      // its call left a half-sent packet: only it goes on
    bool m_dead = false;
    std::shared_ptr<std::atomic<int>> m_bulkLoad = std::make_shared<std::atomic<int>>(0);
};

} // namespace skydeck::ssh
