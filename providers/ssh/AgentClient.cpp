#include "AgentClient.h"

#include "SshWire.h"

#include <QDeadlineTimer>
#include <QFile>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace skydeck::ssh {

namespace {

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

// Waits until fd is ready for `events` or the deadline passes; false on timeout or error.
bool waitFor(int fd, short events, const QDeadlineTimer &deadline)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const qint64 left = deadline.remainingTime();
        const int rc = ::poll(&p, 1, left < 0 ? -1 : int(qMin<qint64>(left, 60000)));
        if (rc > 0)
            return true;
        if (rc == 0 && deadline.hasExpired())
            return false;
        if (rc < 0 && errno != EINTR)
            return false;
    }
}

} // namespace

AgentClient::AgentClient(QString socketPath, int timeoutMs) : m_path(std::move(socketPath)), m_timeoutMs(timeoutMs) {}

Error AgentClient::error(const QString &message) const
{
    Error e(Error::Category::Local, message, QStringLiteral("AgentError"));
    e.setContext(QStringLiteral("ssh-agent at %1").arg(m_path));
    return e;
}

Status AgentClient::connect()
{
    if (m_fd.valid())
        return Done{};
    const QByteArray path = QFile::encodeName(m_path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.isEmpty() || size_t(path.size()) >= sizeof addr.sun_path)
        return error(QStringLiteral("not a usable socket path"));
    std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return error(errnoText(errno));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0)
        return error(QStringLiteral("cannot connect: %1").arg(errnoText(errno)));
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0)
        return error(errnoText(errno));
    m_fd = std::move(fd);
    return Done{};
}

Result<QByteArray> AgentClient::request(const QByteArray &body, int timeoutMs)
{
    if (const Status s = connect(); !s.ok())
        return s.error();
    const QDeadlineTimer deadline(timeoutMs);
    QByteArray out;
    wire::putU32(out, uint32_t(body.size()));
    out += body;
    qsizetype sent = 0;
    while (sent < out.size()) {
        const ssize_t n = ::send(m_fd.get(), out.constData() + sent, size_t(out.size() - sent), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!waitFor(m_fd.get(), POLLOUT, deadline))
                break;
            continue;
        }
        m_fd.reset();
        return error(QStringLiteral("cannot send to the agent: %1").arg(errnoText(errno)));
    }
    if (sent < out.size()) {
        m_fd.reset();
        return error(QStringLiteral("the agent did not take the request in %1 s").arg(timeoutMs / 1000));
    }
    // The answer: uint32 length, then that many bytes.
    QByteArray in;
    qsizetype want = 4;
    bool haveLength = false;
    char buf[16384];
    while (in.size() < want) {
        const ssize_t n = ::recv(m_fd.get(), buf, size_t(qMin<qsizetype>(qsizetype(sizeof buf), want - in.size())), 0);
        if (n > 0) {
            in.append(buf, n);
            if (!haveLength && in.size() == 4) {
                haveLength = true;
                wire::Reader r(in);
                const uint32_t length = r.u32();
                if (length == 0 || length > uint32_t(kMaxMessage)) {
                    m_fd.reset();
                    return error(QStringLiteral("the agent answered a message of %1 bytes").arg(length));
                }
                want = 4 + qsizetype(length);
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!waitFor(m_fd.get(), POLLIN, deadline)) {
                m_fd.reset();
                return error(QStringLiteral("no answer from the agent in %1 s").arg(timeoutMs / 1000));
            }
            continue;
        }
        m_fd.reset();
        return error(n == 0 ? QStringLiteral("the agent closed the connection")
                            : QStringLiteral("cannot read from the agent: %1").arg(errnoText(errno)));
    }
    return in.mid(4);
}

Result<QList<AgentClient::Identity>> AgentClient::identities()
{
    const Result<QByteArray> answer = request(QByteArray(1, char(RequestIdentities)), m_timeoutMs);
    if (!answer.ok())
        return answer.error();
    if (std::optional<QList<Identity>> ids = parseIdentities(answer.value()))
        return *ids;
    if (!answer->isEmpty() && uint8_t(answer->at(0)) == Failure)
        return error(QStringLiteral("the agent refused to list its keys"));
    return error(QStringLiteral("the agent's list of keys is malformed"));
}

Result<QByteArray> AgentClient::sign(QByteArrayView blob, QByteArrayView data, uint32_t flags, int timeoutMs)
{
    const Result<QByteArray> answer = request(signRequest(blob, data, flags), timeoutMs);
    if (!answer.ok())
        return answer.error();
    if (std::optional<QByteArray> sig = parseSignResponse(answer.value()))
        return *sig;
    if (!answer->isEmpty() && uint8_t(answer->at(0)) != SignResponse)
        return error(QStringLiteral("the agent refused to sign"));
    return error(QStringLiteral("the agent's signature is malformed"));
}

std::optional<QList<AgentClient::Identity>> AgentClient::parseIdentities(QByteArrayView message)
{
    wire::Reader r(message);
    if (r.byte() != IdentitiesAnswer)
        return std::nullopt;
    const uint32_t count = r.u32();
    if (!r.ok() || count > kMaxIdentities)
        return std::nullopt;
    QList<Identity> out;
    for (uint32_t i = 0; i < count; ++i) {
        const QByteArrayView blob = r.string();
        const QByteArrayView comment = r.string();
        if (!r.ok() || blob.isEmpty() || wire::firstString(blob).isEmpty())
            return std::nullopt;
        out << Identity{blob.toByteArray(), QString::fromUtf8(wire::clip(comment, 1024))};
    }
    if (!r.atEnd())
        return std::nullopt;
    return out;
}

std::optional<QByteArray> AgentClient::parseSignResponse(QByteArrayView message)
{
    wire::Reader r(message);
    if (r.byte() != SignResponse)
        return std::nullopt;
    const QByteArrayView sig = r.string();
    QByteArray algorithm;
    QByteArray signature;
    if (!r.ok() || !r.atEnd() || !splitSignature(sig, &algorithm, &signature))
        return std::nullopt;
    return sig.toByteArray();
}

QByteArray AgentClient::signRequest(QByteArrayView blob, QByteArrayView data, uint32_t flags)
{
    QByteArray body(1, char(SignRequest));
    wire::putString(body, blob);
    wire::putString(body, data);
    wire::putU32(body, flags);
    return body;
}

bool AgentClient::splitSignature(QByteArrayView blob, QByteArray *algorithm, QByteArray *signature)
{
    wire::Reader r(blob);
    const QByteArrayView alg = r.string();
    const QByteArrayView sig = r.string();
    if (!r.ok() || !r.atEnd() || alg.isEmpty() || sig.isEmpty())
        return false;
    *algorithm = alg.toByteArray();
    *signature = sig.toByteArray();
    return true;
}

uint32_t AgentClient::flagsFor(QByteArrayView algorithm)
{
    if (algorithm == "rsa-sha2-512")
        return RsaSha2_512;
    if (algorithm == "rsa-sha2-256")
        return RsaSha2_256;
    return 0;
}

} // namespace skydeck::ssh
