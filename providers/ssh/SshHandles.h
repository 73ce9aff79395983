#pragma once

// RAII for every libssh2 handle: unique_ptr with a deleter that frees the handle. Channel and SFTP
// deleters free without waiting for the peer (libssh2 may answer EAGAIN on a non-blocking session;
// the handle is released either way when the session is freed).

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <memory>

namespace skydeck::ssh {

// libssh2_init()/libssh2_exit() once per process (thread-safe; call before the first session).
void ensureLibssh2Initialized();

struct SessionDeleter {
    void operator()(LIBSSH2_SESSION *s) const { libssh2_session_free(s); }
};
struct ChannelDeleter {
    void operator()(LIBSSH2_CHANNEL *c) const { libssh2_channel_free(c); }
};
struct SftpDeleter {
    void operator()(LIBSSH2_SFTP *s) const { libssh2_sftp_shutdown(s); }
};
struct SftpHandleDeleter {
    void operator()(LIBSSH2_SFTP_HANDLE *h) const { libssh2_sftp_close_handle(h); }
};
struct AgentDeleter {
    void operator()(LIBSSH2_AGENT *a) const
    {
        libssh2_agent_disconnect(a);
        libssh2_agent_free(a);
    }
};
struct KnownHostsDeleter {
    void operator()(LIBSSH2_KNOWNHOSTS *k) const { libssh2_knownhost_free(k); }
};

using SessionPtr = std::unique_ptr<LIBSSH2_SESSION, SessionDeleter>;
using ChannelPtr = std::unique_ptr<LIBSSH2_CHANNEL, ChannelDeleter>;
using SftpPtr = std::unique_ptr<LIBSSH2_SFTP, SftpDeleter>;
using SftpHandlePtr = std::unique_ptr<LIBSSH2_SFTP_HANDLE, SftpHandleDeleter>;
using AgentPtr = std::unique_ptr<LIBSSH2_AGENT, AgentDeleter>;
using KnownHostsPtr = std::unique_ptr<LIBSSH2_KNOWNHOSTS, KnownHostsDeleter>;

// A file descriptor closed on destruction.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(Fd &&o) noexcept : m_fd(o.release()) {}
    Fd &operator=(Fd &&o) noexcept
    {
        if (this != &o)
            reset(o.release());
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

} // namespace skydeck::ssh
