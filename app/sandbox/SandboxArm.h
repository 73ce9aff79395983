#pragma once

#include "Account.h"

#include <QObject>

#include <memory>

namespace skydeck {

// The sandbox's Azure: tests/servers/arm_server.py (a loopback Azure Resource Manager with the
// identity platform's token endpoint on the same port; Python 3's standard library only) with a
// made-up tenant, service principal and subscription holding a few demo VMs (an A100 running, a T4
// deallocated, a Spot V100 stopped-but-billed, a CPU build box). VMs start, stop and delete there
// with real delays and async operations. The client secret is random per run and kept in memory.
// The server goes away with this object, and with the process (PR_SET_PDEATHSIG) if it dies.
class SandboxArm : public QObject
{
    Q_OBJECT
public:
    explicit SandboxArm(QObject *parent = nullptr);
    ~SandboxArm() override;

    static QString serverScript();  // <source dir>/tests/servers/arm_server.py ($SKYDECK_SOURCE_DIR wins)

    // Starts the server; answers with started() or unavailable(). Never blocks the calling thread.
    void start();
    void stop();
    bool isRunning() const;
    qint64 processId() const;  // 0 when not running

    // The labelled sandbox account for a running server at endpoint ("http://127.0.0.1:PORT").
    Account account() const;

Q_SIGNALS:
    void started(const skydeck::Account &account);
    void unavailable(const QString &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace skydeck
