#pragma once

#include "SftpOp.h"

#include <QPointer>

#include <atomic>
#include <memory>
#include <vector>

class QTimer;

namespace skydeck::ssh {

class SshConnection;
class SftpWorker;

// Extra SSH connections to the host of an SftpClient's session, for file contents (like lftp's
// pget or rclone's multi-thread streams). libssh2 does a session's crypto on the one thread that
// pumps it, and 1.10 ciphers 16 bytes per call: one connection tops out at what one core does, so
// the parts of big transfers are spread over a few connections, each on its own worker thread.
//
// A lane connects with the first connection's options (SshConnection::siblingOptions()): the host
// key pinned to the one the first connection verified, the same user, agent, identity files and
// working password. It asks no questions: a lane that would need one (a key's passphrase, a new
// password) fails, and its share of the work stays on the first connection. No lanes through
// ProxyJump. Lanes open when a bulk operation arrives while another is running (a big file in
// parts, or several files), and close after a while without work, or with the first connection.
//
// Lives on the first connection's worker thread (SftpClient's Shared creates and deletes it there).
class SftpLanes
{
public:
    // extraConnections: lanes besides the first connection (0: none).
    SftpLanes(SshConnection *primary, int extraConnections, int bulkChannels);
    ~SftpLanes();  // closes the lanes and joins their threads

    SftpLanes(const SftpLanes &) = delete;
    SftpLanes &operator=(const SftpLanes &) = delete;

    SshConnection *primary() const { return m_primary; }

    // A bulk op: true when a lane less busy than the first connection (primaryLoad bulk ops) took
    // it; false: run it on the first connection.
    bool dispatch(int primaryLoad, const std::shared_ptr<SftpOp> &op);

    static int defaultExtraConnections();

private:
    struct Lane;
    void openLane();
    void closeIdle();

    QPointer<SshConnection> m_primary;
    int m_extra = 0;
    int m_bulkChannels = 2;
    int m_failures = 0;
    std::vector<std::unique_ptr<Lane>> m_lanes;
    QTimer *m_idle = nullptr;
};

} // namespace skydeck::ssh
