#include "LocalPtyTransport.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

Q_LOGGING_CATEGORY(lcPty, "skydeck.local.pty")

extern char **environ;

namespace skydeck {

namespace {
constexpr qsizetype kReadChunk = 64 * 1024;
// One notifier activation reads at most this much, so one busy pty cannot starve the event loop.
constexpr qsizetype kReadPerActivation = 512 * 1024;

// argv/envp prepared before fork(): the child only calls async-signal-safe functions.
struct ExecArgs
{
    std::vector<std::string> storage;
    std::vector<char *> argv;
    std::vector<char *> envp;
};

ExecArgs makeExecArgs(const QString &program, const QStringList &arguments)
{
    ExecArgs a;
    std::vector<std::string> args;
    args.push_back(program.toStdString());
    for (const QString &arg : arguments)
        args.push_back(arg.toStdString());
    std::vector<std::string> env;
    for (char **e = environ; e && *e; ++e) {
        const std::string entry(*e);
        if (entry.rfind("TERM=", 0) == 0 || entry.rfind("COLORTERM=", 0) == 0 || entry.rfind("COLUMNS=", 0) == 0
            || entry.rfind("LINES=", 0) == 0)
            continue;
        env.push_back(entry);
    }
    env.emplace_back("TERM=xterm-256color");
    env.emplace_back("COLORTERM=truecolor");
    a.storage.reserve(args.size() + env.size());
    for (auto &s : args)
        a.storage.push_back(std::move(s));
    const size_t argc = a.storage.size();
    for (auto &s : env)
        a.storage.push_back(std::move(s));
    for (size_t i = 0; i < a.storage.size(); ++i)
        (i < argc ? a.argv : a.envp).push_back(a.storage[i].data());
    a.argv.push_back(nullptr);
    a.envp.push_back(nullptr);
    return a;
}
} // namespace

LocalPtyTransport::LocalPtyTransport(QObject *parent)
    : TerminalTransport(parent)
{
}

LocalPtyTransport::~LocalPtyTransport()
{
    delete m_readNotifier;
    delete m_writeNotifier;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (m_pid > 0) {
        ::kill(m_pid, SIGHUP);
        reapChild(false);
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            reapChild(true);
        }
    }
}

bool LocalPtyTransport::start(const QString &program, const QStringList &arguments, int columns, int rows)
{
    if (m_fd >= 0 || m_pid > 0) {
        m_error = QStringLiteral("already started");
        return false;
    }
    m_exitCode = -1;
    ExecArgs exec = makeExecArgs(program, arguments);
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(qBound(1, columns, 4096));
    ws.ws_row = static_cast<unsigned short>(qBound(1, rows, 4096));
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid < 0) {
        m_error = QStringLiteral("Cannot open a pseudo-terminal: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (pid == 0) {
        ::execvpe(exec.argv[0], exec.argv.data(), exec.envp.data());
        ::_exit(127);
    }
    m_pid = pid;
    m_fd = master;
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    m_title = QFileInfo(program).fileName();
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &LocalPtyTransport::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &LocalPtyTransport::onWritable);
    qCDebug(lcPty) << "started" << program << "pid" << pid << columns << "x" << rows;
    Q_EMIT opened();
    return true;
}

void LocalPtyTransport::write(const QByteArray &bytes)
{
    if (m_fd < 0 || bytes.isEmpty())
        return;
    m_pendingWrite.append(bytes);
    flushWrites();
}

void LocalPtyTransport::flushWrites()
{
    while (m_fd >= 0 && !m_pendingWrite.isEmpty()) {
        const ssize_t n = ::write(m_fd, m_pendingWrite.constData(), size_t(m_pendingWrite.size()));
        if (n > 0) {
            m_pendingWrite.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        qCDebug(lcPty) << "write failed" << std::strerror(errno);
        m_pendingWrite.clear();
        break;
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(!m_pendingWrite.isEmpty());
}

void LocalPtyTransport::onWritable()
{
    flushWrites();
}

void LocalPtyTransport::onReadable()
{
    QByteArray data;
    bool eof = false;
    while (data.size() < kReadPerActivation) {
        const qsizetype old = data.size();
        data.resize(old + kReadChunk);
        const ssize_t n = ::read(m_fd, data.data() + old, size_t(kReadChunk));
        if (n > 0) {
            data.resize(old + n);
            continue;
        }
        data.resize(old);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        eof = true; // EIO: every slave descriptor is closed (the program exited)
        break;
    }
    if (!data.isEmpty())
        Q_EMIT received(data);
    if (eof)
        finish(QString());
}

void LocalPtyTransport::resize(int columns, int rows)
{
    if (m_fd < 0)
        return;
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(qBound(1, columns, 4096));
    ws.ws_row = static_cast<unsigned short>(qBound(1, rows, 4096));
    if (::ioctl(m_fd, TIOCSWINSZ, &ws) != 0)
        qCDebug(lcPty) << "TIOCSWINSZ failed" << std::strerror(errno);
}

void LocalPtyTransport::setReceivePaused(bool paused)
{
    m_paused = paused;
    if (m_readNotifier)
        m_readNotifier->setEnabled(!paused);
}

void LocalPtyTransport::close()
{
    if (m_fd < 0)
        return;
    if (m_pid > 0)
        ::kill(m_pid, SIGHUP);
    finish(QString());
}

void LocalPtyTransport::finish(const QString &reason)
{
    if (m_fd < 0)
        return;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    ::close(m_fd);
    m_fd = -1;
    m_pendingWrite.clear();
    // The program closed its side; it may still be exiting. Reap it, polling briefly if needed,
    // then report the end once with its status.
    reapChild(false);
    if (m_pid <= 0) {
        Q_EMIT closed(m_exitCode == 0 ? reason : QStringLiteral("exited with status %1").arg(m_exitCode));
        return;
    }
    m_reapTimer = new QTimer(this);
    m_reapTimer->setInterval(20);
    auto tries = std::make_shared<int>(0);
    connect(m_reapTimer, &QTimer::timeout, this, [this, reason, tries] {
        reapChild(false);
        if (m_pid > 0 && ++*tries == 100) { // 2 s after hang-up: make sure it ends
            ::kill(m_pid, SIGKILL);
            reapChild(true);
        }
        if (m_pid > 0)
            return;
        m_reapTimer->deleteLater();
        m_reapTimer = nullptr;
        Q_EMIT closed(m_exitCode == 0 ? reason : QStringLiteral("exited with status %1").arg(m_exitCode));
    });
    m_reapTimer->start();
}

void LocalPtyTransport::reapChild(bool wait)
{
    if (m_pid <= 0)
        return;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(m_pid, &status, wait ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return;
    if (r == m_pid)
        m_exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    m_pid = -1;
}

} // namespace skydeck
