#pragma once

#include "ListingGuard.h"

#include <memory>
#include "CliOptions.h"
#include "Output.h"

#include "AccountRegistry.h"
#include "ComputeTypes.h"
#include "Error.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <functional>

namespace skydeck::cli {

// `skydeck vm list|start|stop|reboot|terminate|launch` over every account with a compute client in
// the registry, through the ComputeClient interface only (any provider). Listing asks every
// account's scopes at once and each scope's pages in turn; an action first lists to resolve the IDs
// (instance id or name), acts on all of them at once, then (unless --no-wait) polls getInstance
// with backoff until each reaches its target state. launch builds the launch form's request from
// the options (launch::* conventions, the price catalog to check --gpu), calls
// ComputeClient::launch on the provider's one account and then polls like start, printing the
// instance's id, state and addresses. finished(exitCode) is emitted exactly once.
class VmCommand : public QObject
{
    Q_OBJECT
public:
    VmCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts, QObject *parent = nullptr);
    ~VmCommand() override;

    void start();
    void interrupt();  // Ctrl-C: cancels what is in flight, finishes with ExitInterrupted
    bool isFinished() const { return m_finished; }

    // Calls made to providers (listScopes, listInstances pages, act, getInstance): for measurements.
    int callCount() const { return m_calls; }

Q_SIGNALS:
    void finished(int exitCode);

private:
    // Lists every scope of every account; then() runs once all answered.
    void listEverything(std::function<void()> then);
    void listScope(const QString &accountId, const QString &scope, const QString &pageToken,
                   std::shared_ptr<ListingGuard> guard = {});
    void settleOne();  // one outstanding call ended
    void printList();
    void resolveAndAct();
    void launchInstance();
    // The request from the options, or the reason it cannot be made (a usage error).
    Result<LaunchRequest> launchRequest(const Account &account) const;
    QString launchedLine(const Instance &instance) const;
    void actOn(const Instance &instance);
    void poll(const Instance &instance, int delayMs, int stableMisses);
    void done(const Instance &instance, const QString &line);
    void abandon(const Instance &instance, const Error &error);  // this instance failed: report, count it done
    void failed(const Error &error);  // one line on stderr; the first sets the exit code
    void finishIfIdle();
    void finish(int code);

    Invocation m_inv;
    Output &m_out;
    AccountRegistry &m_accounts;
    InstanceAction m_action = InstanceAction::Start;
    QList<Instance> m_instances;
    QList<Error> m_errors;
    QList<std::function<void()>> m_cancels;  // cancels each call in flight
    std::function<void()> m_afterList;
    int m_outstanding = 0;  // calls in flight
    int m_acting = 0;       // instances not yet at their end
    int m_calls = 0;
    int m_exit = 0;         // the first failure's exit code
    bool m_finished = false;
    bool m_launching = false;
    QElapsedTimer m_clock;
};

} // namespace skydeck::cli
