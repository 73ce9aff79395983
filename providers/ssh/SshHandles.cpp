#include "SshHandles.h"

#include <unistd.h>

#include <mutex>

namespace skydeck::ssh {

void ensureLibssh2Initialized()
{
    static std::once_flag once;
    std::call_once(once, [] {
        libssh2_init(0);
        std::atexit([] { libssh2_exit(); });
    });
}

void Fd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

} // namespace skydeck::ssh
