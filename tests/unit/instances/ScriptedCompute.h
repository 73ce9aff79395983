#pragma once

// TEST DOUBLE, never shipped: an in-memory ComputeClient for InstanceModel's unit tests (paging,
// batching, pruning, failures, the poll after an action). The real providers are tested against
// moto (EC2) and the protocol servers in tests/servers/; the GUI test uses moto.
//
// The "world" is shared with the test thread behind a mutex. A state change after an action lands
// `transitionMs` later, read lazily (no timers), like a cloud's pending → running.

#include "AccountRegistry.h"
#include "ComputeClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMutex>
#include <QTimer>

#include <memory>

namespace skydeck::test {

struct ScriptedWorld {
    struct Vm {
        Instance instance;
        InstanceState next = InstanceState::Unknown;
        qint64 nextAtMs = 0;
    };
    QMutex mutex;
    QElapsedTimer clock;
    QStringList scopes;
    QHash<QString, QList<Vm>> vms;  // scope → instances
    QStringList failingScopes;
    int pageSize = 2;
    int delayMs = 5;
    int transitionMs = 150;
    int listCalls = 0;
    int getCalls = 0;

    ScriptedWorld() { clock.start(); }

    static Instance make(const QString &accountId, const QString &scope, const QString &id, InstanceState s,
                         const QString &type = QStringLiteral("g4dn.xlarge"))
    {
        Instance i;
        i.provider = QStringLiteral("aws");
        i.accountId = accountId;
        i.region = scope;
        i.zone = scope + QLatin1Char('a');
        i.id = id;
        i.resource = id;
        i.name = QStringLiteral("vm-") + id;
        i.state = s;
        i.machineType = type;
        i.privateIp = QStringLiteral("10.0.0.1");
        if (s == InstanceState::Running) {
            i.publicIp = QStringLiteral("198.51.100.7");
            i.launched = QDateTime::currentDateTimeUtc().addSecs(-3700);
        }
        return i;
    }

    void settle(Vm &vm)  // under the mutex
    {
        if (vm.next != InstanceState::Unknown && clock.elapsed() >= vm.nextAtMs) {
            vm.instance.state = vm.next;
            vm.next = InstanceState::Unknown;
        }
    }
    Vm *find(const QString &resource)  // under the mutex
    {
        for (auto &list : vms)
            for (Vm &vm : list)
                if (vm.instance.resource == resource) {
                    settle(vm);
                    return &vm;
                }
        return nullptr;
    }
};

class ScriptedCompute : public ComputeClient
{
public:
    ScriptedCompute(std::shared_ptr<ScriptedWorld> world, QObject *parent) : ComputeClient(parent), m_world(std::move(world)) {}

    QString provider() const override { return QStringLiteral("aws"); }

    void listScopes(const CancelToken &, Callback<QStringList> done) override
    {
        QStringList scopes;
        {
            QMutexLocker l(&m_world->mutex);
            scopes = m_world->scopes;
        }
        later([done, scopes] { done(scopes); });
    }

    void listInstances(const QString &scope, const QString &pageToken, const CancelToken &,
                       Callback<InstancePage> done) override
    {
        QMutexLocker l(&m_world->mutex);
        ++m_world->listCalls;
        if (m_world->failingScopes.contains(scope)) {
            later([done, scope] { done(Error(Error::Category::Server, QStringLiteral("scope %1 is down").arg(scope))); });
            return;
        }
        auto &list = m_world->vms[scope];
        const int from = pageToken.isEmpty() ? 0 : pageToken.toInt();
        InstancePage page;
        for (int i = from; i < list.size() && i < from + m_world->pageSize; ++i) {
            m_world->settle(list[i]);
            page.instances << list[i].instance;
        }
        if (from + m_world->pageSize < list.size())
            page.nextPageToken = QString::number(from + m_world->pageSize);
        later([done, page] { done(page); });
    }

    void getInstance(const Instance &instance, const CancelToken &, Callback<Instance> done) override
    {
        QMutexLocker l(&m_world->mutex);
        ++m_world->getCalls;
        ScriptedWorld::Vm *vm = m_world->find(instance.resource);
        if (!vm) {
            later([done] { done(Error(Error::Category::NotFound, QStringLiteral("InvalidInstanceID.NotFound"))); });
            return;
        }
        const Instance now = vm->instance;
        later([done, now] { done(now); });
    }

    void act(const Instance &instance, InstanceAction action, const CancelToken &, Callback<Done> done) override
    {
        QMutexLocker l(&m_world->mutex);
        ScriptedWorld::Vm *vm = m_world->find(instance.resource);
        if (!vm) {
            later([done] { done(Error(Error::Category::NotFound, QStringLiteral("InvalidInstanceID.NotFound"))); });
            return;
        }
        const InstanceState s = vm->instance.state;
        auto refuse = [&] {
            later([done] { done(Error(Error::Category::Conflict, QStringLiteral("IncorrectInstanceState"))); });
        };
        const qint64 at = m_world->clock.elapsed() + m_world->transitionMs;
        switch (action) {
        case InstanceAction::Start:
            if (s != InstanceState::Stopped)
                return refuse();
            vm->instance.state = InstanceState::Pending;
            vm->next = InstanceState::Running;
            break;
        case InstanceAction::Stop:
            if (s != InstanceState::Running)
                return refuse();
            vm->instance.state = InstanceState::Stopping;
            vm->next = InstanceState::Stopped;
            break;
        case InstanceAction::Reboot:
            if (s != InstanceState::Running)
                return refuse();
            break;
        case InstanceAction::Terminate:
            vm->instance.state = InstanceState::Terminating;
            vm->next = InstanceState::Terminated;
            break;
        }
        vm->nextAtMs = at;
        later([done] { done(Done{}); });
    }

    void launch(const LaunchRequest &request, const CancelToken &, Callback<Instance> done) override
    {
        QMutexLocker l(&m_world->mutex);
        Instance i = ScriptedWorld::make(QString(), request.region, QStringLiteral("i-new%1").arg(m_world->vms[request.region].size()),
                                         InstanceState::Pending, request.machineType);
        i.accountId = m_accountId;
        i.name = request.name;
        ScriptedWorld::Vm vm{i, InstanceState::Running, m_world->clock.elapsed() + m_world->transitionMs};
        m_world->vms[request.region].append(vm);
        later([done, i] { done(i); });
    }

    QString m_accountId;

private:
    template <typename F>
    void later(F &&f)
    {
        QTimer::singleShot(m_world->delayMs, this, std::forward<F>(f));
    }
    std::shared_ptr<ScriptedWorld> m_world;
};

} // namespace skydeck::test
