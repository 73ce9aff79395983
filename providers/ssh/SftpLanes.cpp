#include "SftpLanes.h"

#include "ProviderWorker.h"
#include "SftpLogging.h"
#include "SftpWorker.h"
#include "SshConnection.h"

#include <QTimer>

#include <algorithm>

namespace skydeck::ssh {

namespace {

constexpr int kIdleCloseMs = 30000;
enum LaneState : int { Connecting, Ready, Dead };

} // namespace

struct SftpLanes::Lane {
    std::unique_ptr<ProviderWorker> thread;
    SshConnection *conn = nullptr;                    // lives on thread
    QPointer<SftpWorker> sftp;                        // touched only on thread
    std::shared_ptr<const std::atomic<int>> load;     // sftp's bulk ops
    std::shared_ptr<std::atomic<int>> state = std::make_shared<std::atomic<int>>(Connecting);
    std::atomic<int> posted{0};                       // handed over, not yet queued there

    ~Lane()
    {
        thread.reset();  // deletes the connection (and its SFTP worker) on its thread, then joins
    }
    int busy() const { return load->load(std::memory_order_relaxed) + posted.load(std::memory_order_relaxed); }
};

int SftpLanes::defaultExtraConnections()
{
    // SKYDECK_SFTP_CONNECTIONS: connections per host for transfers, the first one included.
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("SKYDECK_SFTP_CONNECTIONS", &ok);
    if (ok)
        return std::clamp(n, 1, 16) - 1;
    // Opt-in: extra connections showed no gain on a 2-core loopback (sshd shares the cores), and a
    // user's server sees each as a login (MaxStartups, fail2ban). Worth trying against a remote
    // host when one connection's crypto thread is the limit.
    return 0;
}

SftpLanes::SftpLanes(SshConnection *primary, int extraConnections, int bulkChannels)
    : m_primary(primary), m_extra(std::max(0, extraConnections)), m_bulkChannels(std::max(1, bulkChannels))
{
}

SftpLanes::~SftpLanes()
{
    delete m_idle;
    m_lanes.clear();
}

void SftpLanes::openLane()
{
    SshConnection *primary = m_primary.data();
    if (!primary || !primary->isReady())
        return;
    auto lane = std::make_unique<Lane>();
    const int number = int(m_lanes.size()) + 2;
    lane->thread = std::make_unique<ProviderWorker>(QStringLiteral("sftp:%1:%2").arg(primary->host().alias).arg(number));
    const SshConnection::Options options = primary->siblingOptions();
    QObject *ctx = lane->thread->context();
    const int bulk = m_bulkChannels;
    const auto state = lane->state;
    Lane *l = lane.get();
    lane->conn = lane->thread->create<SshConnection>([options, ctx, bulk, state, l, number] {
        auto *c = new SshConnection(options, ctx);
        // Questions were the first connection's to ask: here each is answered "no" (queued, not
        // inside the step that asked), which ends this lane.
        QObject::connect(c, &SshConnection::hostKeyQuestion, c, [c] { c->answerHostKey(false); }, Qt::QueuedConnection);
        QObject::connect(c, &SshConnection::passwordNeeded, c, [c] { c->answerPassword(QString()); }, Qt::QueuedConnection);
        QObject::connect(c, &SshConnection::passphraseNeeded, c, [c] { c->answerPassphrase(QString()); }, Qt::QueuedConnection);
        QObject::connect(c, &SshConnection::ready, c, [state, number] {
            qCInfo(lcSftp) << "transfer connection" << number << "ready";
            state->store(Ready);
        });
        QObject::connect(c, &SshConnection::failed, c, [state, number](const Error &e) {
            qCInfo(lcSftp).noquote() << "transfer connection" << number << "not used:" << e.toString();
            state->store(Dead);
        });
        QObject::connect(c, &SshConnection::closed, c, [state, number](const QString &reason) {
            qCInfo(lcSftp).noquote() << "transfer connection" << number << "closed:" << reason;
            state->store(Dead);
        });
        l->sftp = new SftpWorker(c, bulk);
        l->load = l->sftp->bulkLoad();
        QMetaObject::invokeMethod(c, &SshConnection::start, Qt::QueuedConnection);
        return c;
    });
    m_lanes.push_back(std::move(lane));
}

bool SftpLanes::dispatch(int primaryLoad, const std::shared_ptr<SftpOp> &op)
{
    if (m_extra <= 0 || !m_primary || !m_primary->host().proxyJump.isEmpty())
        return false;
    if (!m_idle) {
        m_idle = new QTimer();
        m_idle->setSingleShot(true);
        m_idle->setInterval(kIdleCloseMs);
        QObject::connect(m_idle, &QTimer::timeout, m_idle, [this] { closeIdle(); });
    }
    m_idle->start();
    // Lanes that failed or were closed make room for new ones, a bounded number of times (a
    // server refusing extra sessions, MaxSessions/MaxStartups, is not asked again and again).
    for (auto it = m_lanes.begin(); it != m_lanes.end();) {
        if ((*it)->state->load() == Dead && (*it)->busy() == 0) {
            ++m_failures;
            it = m_lanes.erase(it);
        } else {
            ++it;
        }
    }
    // A bulk op while another runs: a file in parts, or several files. One more lane per op.
    if (primaryLoad >= 1 && int(m_lanes.size()) < m_extra && m_failures < 2 * m_extra)
        openLane();
    Lane *best = nullptr;
    int bestLoad = primaryLoad;
    for (const auto &l : m_lanes) {
        if (l->state->load() != Ready)
            continue;
        if (const int b = l->busy(); b < bestLoad) {
            best = l.get();
            bestLoad = b;
        }
    }
    if (!best)
        return false;
    best->posted.fetch_add(1);
    const bool posted = QMetaObject::invokeMethod(best->conn, [best, op] {
        best->posted.fetch_sub(1);
        if (best->sftp)
            best->sftp->enqueue(op);
        else
            op->abandon(Error(Error::Category::Network, QStringLiteral("the transfer connection closed")));
    });
    if (!posted) {
        best->posted.fetch_sub(1);
        return false;
    }
    return true;
}

void SftpLanes::closeIdle()
{
    const bool busy = std::any_of(m_lanes.begin(), m_lanes.end(), [](const auto &l) { return l->busy() > 0; });
    if (busy) {
        m_idle->start();
        return;
    }
    if (!m_lanes.empty())
        qCDebug(lcSftp) << "closing" << m_lanes.size() << "idle transfer connections";
    m_lanes.clear();
    m_failures = 0;
}

} // namespace skydeck::ssh
