#pragma once

#include "Account.h"

#include <QObject>

#include <memory>

namespace skydeck {

// The sandbox's EC2: moto's server (`python3 -m moto.server -H 127.0.0.1 -p PORT`, Python's moto
// package, found for python3 or /usr/bin/python3) seeded through plain EC2 Query requests with a
// few demo instances in us-east-1 (a g5.xlarge running, a g4dn.xlarge "notebook" stopped, a
// p3.2xlarge running). The account (sandbox:ec2) has only an EC2 endpoint: moto's S3 stays out of
// the bucket tree. moto keeps its state in memory, so every start seeds afresh. Without moto it
// answers unavailable() and the rest of the sandbox goes on. The server goes away with this object,
// and with the process (PR_SET_PDEATHSIG) if it dies.
class SandboxEc2 : public QObject
{
    Q_OBJECT
public:
    explicit SandboxEc2(const QString &directory, QObject *parent = nullptr);
    ~SandboxEc2() override;

    // Starts and seeds the server; answers with started() or unavailable(). Never blocks.
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
