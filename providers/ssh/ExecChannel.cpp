#include "ExecChannel.h"

#include "SshConnection.h"
#include "SshLogging.h"
#include "SshSession.h"

#include <QPromise>

namespace skydeck::ssh {

namespace {

// Worker-thread state machine of one command.
class ExecWorker : public QObject
{
public:
    ExecWorker(SshConnection *conn, QByteArray command, QByteArray input, qsizetype maxOutput,
               std::shared_ptr<QPromise<Result<ExecResult>>> promise)
        : QObject(conn), m_conn(conn), m_command(std::move(command)), m_input(std::move(input)),
          m_maxOutput(maxOutput), m_promise(std::move(promise))
    {
        connect(conn, &SshConnection::sessionEnding, this, [this] {
            m_channel.reset();
            finish(Error(Error::Category::Network, m_conn->endReason()));
        });
        conn->addPump(this, [this] { return pump(); });
    }
    ~ExecWorker() override
    {
        if (m_conn)
            m_conn->retire(std::move(m_channel));
    }

private:
    enum class Step { Open, Exec, Input, Output, Close, Done };

    bool pump()
    {
        if (m_step == Step::Done)
            return false;
        const bool inSetup = m_step == Step::Open || m_step == Step::Exec;
        // A cancel waits for the setup call in progress: abandoning it after EAGAIN would leave
        // libssh2's session-wide channel-open state to the next channel opened on this session.
        if (m_promise->isCanceled() && !(inSetup && m_setupStarted)) {
            finish(Error::cancelled());
            return true;
        }
        // Open and exec wait for replies: one channel in setup at a time (SshConnection).
        if (inSetup && !m_conn->acquireSetup(this))
            return false;
        m_setupStarted = inSetup;
        LIBSSH2_SESSION *s = m_conn->session();
        const auto failed = [this](int rc, const QString &what) {
            if (!m_conn->checkFatal(rc, "exec"))
                finish(m_conn->sessionError(rc, what));
        };
        bool progress = false;
        if (m_step == Step::Open) {
            LIBSSH2_CHANNEL *c = libssh2_channel_open_session(s);
            if (!c) {
                const int rc = libssh2_session_last_errno(s);
                if (rc != LIBSSH2_ERROR_EAGAIN)
                    failed(rc, QStringLiteral("cannot open a channel"));
                return false;
            }
            m_channel.reset(c);
            m_step = Step::Exec;
        }
        LIBSSH2_CHANNEL *ch = m_channel.get();
        if (m_step == Step::Exec) {
            const int rc = libssh2_channel_process_startup(ch, "exec", 4, m_command.constData(), unsigned(m_command.size()));
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return true;
            if (rc != 0) {
                failed(rc, QStringLiteral("the server refused to run the command"));
                return true;
            }
            m_step = Step::Input;
            m_setupStarted = false;
            m_conn->releaseSetup(this);
            progress = true;
        }
        if (m_step == Step::Input) {
            while (!m_input.isEmpty()) {
                const ssize_t w = libssh2_channel_write(ch, m_input.constData(), size_t(m_input.size()));
                if (w == LIBSSH2_ERROR_EAGAIN)
                    break;
                if (w < 0) {
                    failed(int(w), QStringLiteral("write"));
                    return true;
                }
                m_input.remove(0, w);
                progress = true;
            }
            if (m_input.isEmpty()) {
                const int rc = libssh2_channel_send_eof(ch);
                if (rc == 0)
                    m_step = Step::Output;
                else if (rc != LIBSSH2_ERROR_EAGAIN) {
                    failed(rc, QStringLiteral("eof"));
                    return true;
                }
            }
        }
        // Reading may send a window adjust: not while a packet of ours is half sent.
        if ((m_step == Step::Output || m_step == Step::Input) && !m_conn->outboundBlocked()) {
            char buf[32 * 1024];
            for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
                QByteArray &out = stream ? m_result.standardError : m_result.standardOutput;
                for (;;) {
                    const ssize_t n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf);
                    if (n > 0) {
                        const qsizetype room = m_maxOutput - out.size();
                        if (room < n)
                            m_result.outputTruncated = true;
                        out.append(buf, qMin<qsizetype>(room, n));
                        progress = true;
                        continue;
                    }
                    if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                        failed(int(n), QStringLiteral("read"));
                        return true;
                    }
                    break;
                }
            }
            if (m_step == Step::Output && libssh2_channel_eof(ch))
                m_step = Step::Close;
        }
        if (m_step == Step::Close) {
            int rc = libssh2_channel_close(ch);
            if (rc == 0)
                rc = libssh2_channel_wait_closed(ch);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return progress;
            char *sig = nullptr;
            libssh2_channel_get_exit_signal(ch, &sig, nullptr, nullptr, nullptr, nullptr, nullptr);
            if (sig) {
                m_result.exitSignal = QString::fromLatin1(sig);
                libssh2_free(m_conn->session(), sig);
            } else {
                m_result.exitStatus = libssh2_channel_get_exit_status(ch);
            }
            finish(m_result);
            return true;
        }
        return progress;
    }

    void finish(Result<ExecResult> r)
    {
        if (m_step == Step::Done)
            return;
        m_step = Step::Done;
        m_promise->addResult(std::move(r));
        m_promise->finish();
        if (m_conn) {
            m_conn->removePumps(this);
            m_conn->retire(std::move(m_channel));
        }
        deleteLater();
    }

    QPointer<SshConnection> m_conn;
    QByteArray m_command;
    QByteArray m_input;
    qsizetype m_maxOutput;
    std::shared_ptr<QPromise<Result<ExecResult>>> m_promise;
    ChannelPtr m_channel;
    ExecResult m_result;
    Step m_step = Step::Open;
    bool m_setupStarted = false;  // a setup call was made and may be pending (EAGAIN)
};

} // namespace

QFuture<Result<ExecResult>> ExecChannel::run(SshSession *session, const QString &command,
                                             const QByteArray &standardInput, qsizetype maxOutput)
{
    auto promise = std::make_shared<QPromise<Result<ExecResult>>>();
    promise->start();
    QFuture<Result<ExecResult>> future = promise->future();
    if (!session || !session->connection()) {
        promise->addResult(Error(Error::Category::Network, QStringLiteral("not connected")));
        promise->finish();
        return future;
    }
    session->post([promise, cmd = command.toUtf8(), standardInput, maxOutput](SshConnection &c) {
        if (!c.isReady()) {
            promise->addResult(Error(Error::Category::Network, QStringLiteral("%1 is not connected").arg(c.host().displayName())));
            promise->finish();
            return;
        }
        new ExecWorker(&c, cmd, standardInput, maxOutput, promise);
    });
    return future;
}

} // namespace skydeck::ssh
