#pragma once

#include "Account.h"
#include "Result.h"

#include <QObject>
#include <QProcess>

namespace skydeck {

// The local sandbox: s3rver (and later the other peers and simulated compute endpoints) started on
// loopback and registered as clearly labelled accounts with a few demo buckets and files, so a
// newcomer can try everything with no cloud account. Stops what it started when destroyed.
class Sandbox : public QObject
{
    Q_OBJECT
public:
    explicit Sandbox(QObject *parent = nullptr);
    ~Sandbox() override;

    // Starts the peers in the background; answers with the sandbox accounts via started() or
    // failed(). Never blocks the calling thread.
    void start();
    void stop();
    QList<Account> accounts() const;

Q_SIGNALS:
    void started(const QList<skydeck::Account> &accounts);
    void failed(const skydeck::Error &error);

private:
    struct Private;
    Private *d;
};

} // namespace skydeck
