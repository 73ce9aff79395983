#include "TerminalPrompt.h"

#include <QByteArray>

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace skydeck::cli {

namespace {

constexpr qsizetype kMaxAnswer = 4096;
int s_interruptFd = -1;

// /dev/tty, closed on destruction.
class Tty
{
public:
    Tty() : m_fd(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {}
    ~Tty()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Tty(const Tty &) = delete;
    Tty &operator=(const Tty &) = delete;
    int fd() const { return m_fd; }
    void write(const QByteArray &bytes) const
    {
        for (qsizetype done = 0; done < bytes.size();) {
            const ssize_t n = ::write(m_fd, bytes.constData() + done, size_t(bytes.size() - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return;
            done += n;
        }
    }

private:
    int m_fd;
};

// Echo off on the terminal while alive (restored on every path), as for a password.
class EchoOff
{
public:
    EchoOff(int fd, bool on) : m_fd(fd)
    {
        m_active = on && ::tcgetattr(fd, &m_saved) == 0;
        if (!m_active)
            return;
        termios quiet = m_saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= tcflag_t(ECHONL);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ~EchoOff()
    {
        if (m_active)
            ::tcsetattr(m_fd, TCSANOW, &m_saved);
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;

private:
    int m_fd;
    bool m_active = false;
    termios m_saved{};
};

} // namespace

bool TerminalPrompt::available()
{
    const Tty tty;
    return tty.fd() >= 0 && ::isatty(tty.fd());
}

void TerminalPrompt::setInterruptFd(int fd)
{
    s_interruptFd = fd;
}

void TerminalPrompt::say(const QString &text)
{
    const Tty tty;
    if (tty.fd() >= 0)
        tty.write(text.toUtf8() + '\n');
}

std::optional<QString> TerminalPrompt::ask(const QString &prompt, bool hidden)
{
    const Tty tty;
    if (tty.fd() < 0 || !::isatty(tty.fd()))
        return std::nullopt;
    const EchoOff echo(tty.fd(), hidden);  // before the prompt: nothing typed after it is echoed
    tty.write(prompt.toUtf8());
    QByteArray line;
    for (;;) {
        pollfd fds[2] = {{tty.fd(), POLLIN, 0}, {s_interruptFd, POLLIN, 0}};
        const int ready = ::poll(fds, s_interruptFd >= 0 ? 2 : 1, -1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0 || (s_interruptFd >= 0 && (fds[1].revents & POLLIN)))
            return std::nullopt;  // Ctrl-C: the pipe keeps its byte, the command is interrupted
        char c = 0;
        const ssize_t n = ::read(tty.fd(), &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return std::nullopt;  // end of input
        if (c == '\n' || c == '\r')
            break;
        if (line.size() < kMaxAnswer)
            line += c;
    }
    return QString::fromUtf8(line);
}

} // namespace skydeck::cli
