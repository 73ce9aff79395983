#pragma once

#include "Account.h"
#include "Result.h"

#include <QObject>

#include <memory>

namespace skydeck {

class SandboxArm;
class SandboxEc2;
class SandboxGce;
class SandboxSsh;

// The local sandbox: s3rver (and later the other peers and simulated compute endpoints) started on
// loopback and registered as clearly labelled accounts with a few demo buckets and files, so a
// newcomer can try everything with no cloud account. Stops what it started when destroyed.
//
// s3rver comes from <source dir>/scripts/peers-node (scripts/setup.sh installs it; the source dir
// is the build's, or $SKYDECK_SOURCE_DIR). Its data lives in
// AppLocalDataLocation/sandbox/s3rver and persists across runs; the demo buckets are created on
// the first start only, so what the user changes stays changed.
//
// It also starts a loopback sshd for the current user (SandboxSsh, keys in
// AppLocalDataLocation/sandbox/ssh) when OpenSSH's server is installed; that one answers on its own
// signals (ssh()->started / unavailable), and s3rver failing does not stop it. Likewise a loopback
// Azure Resource Manager with demo VMs (SandboxArm: arm()->started gives its account), and a loopback
// Compute Engine with demo VMs (SandboxGce: gce()->started), and moto's EC2 with demo instances
// (SandboxEc2: ec2()->started; left out with a reason when python3 has no moto).
class Sandbox : public QObject
{
    Q_OBJECT
public:
    explicit Sandbox(QObject *parent = nullptr);
    ~Sandbox() override;

    // Starts the peers in the background; answers with the sandbox accounts via started() or
    // failed(). Never blocks the calling thread. Calling it while running answers at once.
    void start();
    void stop();
    bool isRunning() const;
    QList<Account> accounts() const;

    // Where the sandbox keeps its data, and the s3rver program it runs.
    static QString dataDirectory();
    static QString s3rverProgram();
    qint64 s3rverProcessId() const;  // 0 when not running
    SandboxSsh *ssh() const;
    SandboxArm *arm() const;
    SandboxGce *gce() const;
    SandboxEc2 *ec2() const;

    // The S3 sandbox account for an endpoint ("http://127.0.0.1:PORT").
    static Account s3Account(const QString &endpoint);

Q_SIGNALS:
    void started(const QList<skydeck::Account> &accounts);
    void failed(const skydeck::Error &error);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace skydeck
