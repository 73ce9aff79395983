#pragma once

#include "Account.h"

#include <QObject>

#include <memory>

namespace skydeck {

// The sandbox's Google Cloud: tests/servers/gce_server.py (a loopback Compute Engine v1 with
// Google's OAuth 2.0 token endpoint on the same port; Python 3's standard library and the openssl
// command) holding a few demo VMs (a T4 training box running, an A100 stopped, a Spot L4, a CPU
// box). The service account's RSA key is generated once with `openssl genpkey` into a private
// (0700) directory; the server writes the key file whose token_uri is itself, and the account is
// read from it as GOOGLE_APPLICATION_CREDENTIALS would be. VMs move through PROVISIONING, STAGING,
// RUNNING, STOPPING, TERMINATED with real delays and zone operations. The server goes away with
// this object, and with the process (PR_SET_PDEATHSIG) if it dies.
class SandboxGce : public QObject
{
    Q_OBJECT
public:
    explicit SandboxGce(const QString &directory, QObject *parent = nullptr);
    ~SandboxGce() override;

    static QString serverScript();  // <source dir>/tests/servers/gce_server.py ($SKYDECK_SOURCE_DIR wins)

    // Makes the key if missing and starts the server; answers with started() or unavailable().
    // Never blocks the calling thread.
    void start();
    void stop();
    bool isRunning() const;
    qint64 processId() const;  // 0 when not running

    // The labelled sandbox account of the running server (empty id when not running).
    Account account() const;

Q_SIGNALS:
    void started(const skydeck::Account &account);
    void unavailable(const QString &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace skydeck
