#include "VmCommand.h"

#include "CliLogging.h"
#include "ExitCode.h"
#include "VmFormat.h"

#include "ComputeClient.h"
#include "LaunchOptions.h"
#include "Logging.h"
#include "PriceCatalog.h"
#include "ProviderWorker.h"

#include <QDir>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

namespace skydeck::cli {

namespace {

constexpr int kFirstPollMs = 250;
constexpr int kMaxPollMs = 5000;
constexpr qint64 kWaitLimitMs = 30 * 60 * 1000;  // GPU instances can take minutes; a stuck one ends the wait
constexpr int kStableMissesAllowed = 5;           // polls in a stable state other than the target

InstanceAction actionFor(const QString &word)
{
    if (word == QLatin1String("stop"))
        return InstanceAction::Stop;
    if (word == QLatin1String("reboot"))
        return InstanceAction::Reboot;
    if (word == QLatin1String("terminate"))
        return InstanceAction::Terminate;
    return InstanceAction::Start;
}

bool reached(InstanceAction action, InstanceState s)
{
    switch (action) {
    case InstanceAction::Start:
    case InstanceAction::Reboot: return s == InstanceState::Running;
    case InstanceAction::Stop: return s == InstanceState::Stopped || s == InstanceState::StoppedBilled;
    case InstanceAction::Terminate: return s == InstanceState::Terminated;
    }
    return false;
}

QString targetName(InstanceAction action)
{
    switch (action) {
    case InstanceAction::Start:
    case InstanceAction::Reboot: return QStringLiteral("running");
    case InstanceAction::Stop: return QStringLiteral("stopped");
    case InstanceAction::Terminate: return QStringLiteral("terminated");
    }
    return {};
}

QString verb(InstanceAction action)
{
    switch (action) {
    case InstanceAction::Start: return QStringLiteral("start");
    case InstanceAction::Stop: return QStringLiteral("stop");
    case InstanceAction::Reboot: return QStringLiteral("reboot");
    case InstanceAction::Terminate: return QStringLiteral("terminate");
    }
    return {};
}

} // namespace

VmCommand::VmCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts, QObject *parent)
    : QObject(parent), m_inv(invocation), m_out(output), m_accounts(accounts)
{
    m_action = actionFor(m_inv.args.value(0));
}

VmCommand::~VmCommand()
{
    for (const auto &cancel : std::as_const(m_cancels))
        cancel();
}

void VmCommand::start()
{
    m_clock.start();
    if (m_accounts.accounts().isEmpty()) {
        failed(Error(Error::Category::Auth,
                     QStringLiteral("no cloud account with VMs found%1: set AWS credentials (AWS_ACCESS_KEY_ID/"
                                    "AWS_SECRET_ACCESS_KEY or ~/.aws), GOOGLE_APPLICATION_CREDENTIALS or gcloud's "
                                    "application default credentials, or AZURE_TENANT_ID/AZURE_CLIENT_ID/"
                                    "AZURE_CLIENT_SECRET/AZURE_SUBSCRIPTION_ID")
                         .arg(m_inv.provider.isEmpty() ? QString() : QStringLiteral(" for ") + m_inv.provider),
                     QStringLiteral("NoCredentials")));
        return finish(m_exit);
    }
    if (m_inv.args.value(0) == QLatin1String("launch"))
        return launchInstance();
    const bool list = m_inv.args.value(0) == QLatin1String("list");
    listEverything([this, list] {
        if (list)
            printList();
        else
            resolveAndAct();
    });
}

void VmCommand::interrupt()
{
    for (const auto &cancel : std::as_const(m_cancels))
        cancel();
    m_cancels.clear();
    m_out.error(QStringLiteral("interrupted"));
    finish(ExitInterrupted);
}

// ---- listing ---------------------------------------------------------------------------------

void VmCommand::listEverything(std::function<void()> then)
{
    m_afterList = std::move(then);
    const QList<Account> accounts = m_accounts.accounts();
    for (const Account &a : accounts) {
        ComputeClient *client = m_accounts.compute(a.id);
        ProviderWorker *worker = m_accounts.worker(a.id);
        if (!client || !worker)
            continue;
        ++m_outstanding;
        ++m_calls;
        QFuture<Result<QStringList>> f = worker->run<QStringList>(
            [client](const CancelToken &t, Callback<QStringList> d) { client->listScopes(t, std::move(d)); });
        m_cancels.append([f]() mutable { f.cancel(); });
        const QString id = a.id;
        whenDone(f, this, [this, id](Result<QStringList> r) {
            if (!r.ok()) {
                Error e = r.error();
                if (e.context().isEmpty())
                    e.setContext(id);
                m_errors.append(e);
            } else {
                qCDebug(lcCli) << id << "scopes" << r.value();
                for (const QString &scope : r.value())
                    listScope(id, scope, {});
            }
            settleOne();
        });
    }
    if (m_outstanding == 0)
        QTimer::singleShot(0, this, [this] { settleOne(); });  // nothing to ask (no compute client)
}

void VmCommand::listScope(const QString &accountId, const QString &scope, const QString &pageToken,
                          std::shared_ptr<ListingGuard> guard)
{
    if (!guard)
        guard = std::make_shared<ListingGuard>(ListingGuard::Limits::resources(), QStringLiteral("%1 %2").arg(accountId, scope));
    ComputeClient *client = m_accounts.compute(accountId);
    ProviderWorker *worker = m_accounts.worker(accountId);
    ++m_outstanding;
    ++m_calls;
    QFuture<Result<InstancePage>> f = worker->run<InstancePage>([client, scope, pageToken](const CancelToken &t, Callback<InstancePage> d) {
        client->listInstances(scope, pageToken, t, std::move(d));
    });
    m_cancels.append([f]() mutable { f.cancel(); });
    whenDone(f, this, [this, accountId, scope, guard](Result<InstancePage> r) {
        if (r.ok()) {
            if (const Status g = guard->nextPage(r->nextPageToken, r->instances.size()); !g.ok()) {
                m_instances += r->instances;
                r = g.error();
            }
        }
        if (!r.ok()) {
            Error e = r.error();
            if (e.context().isEmpty())
                e.setContext(QStringLiteral("%1 %2").arg(accountId, scope));
            m_errors.append(e);
        } else {
            m_instances += r->instances;
            if (!r->nextPageToken.isEmpty())
                listScope(accountId, scope, r->nextPageToken, guard);
        }
        settleOne();
    });
}

void VmCommand::settleOne()
{
    if (m_finished)
        return;
    if (m_outstanding > 0)
        --m_outstanding;
    if (m_outstanding > 0 || !m_afterList)
        return;
    m_cancels.clear();
    qCDebug(lcCli) << "listed" << m_instances.size() << "instances in" << m_clock.elapsed() << "ms with" << m_calls
                   << "calls";
    // Interrupted or failed scopes: say so on stderr, one line each; what was listed still counts.
    for (const Error &e : std::as_const(m_errors))
        failed(e);
    std::function<void()> then = std::move(m_afterList);
    m_afterList = nullptr;
    then();
}

void VmCommand::printList()
{
    VmFormat::sort(m_instances);
    if (m_inv.json) {
        m_out.text(QString::fromUtf8(VmFormat::json(m_instances)));  // JSON escapes what it holds
    } else if (!m_instances.isEmpty()) {
        for (const QString &line : VmFormat::table(m_instances))
            m_out.line(line);
    }
    finish(m_exit);
}

// ---- actions ---------------------------------------------------------------------------------

void VmCommand::resolveAndAct()
{
    QList<Instance> chosen;
    bool unresolved = false;
    const QStringList ids = m_inv.args.mid(1);
    for (const QString &want : ids) {
        QList<Instance> byId;
        QList<Instance> byName;
        for (const Instance &in : std::as_const(m_instances)) {
            if (in.id == want || in.resource == want)
                byId.append(in);
            else if (in.name == want && in.state != InstanceState::Terminated)
                byName.append(in);  // a terminated instance's name is free for a new one
        }
        const QList<Instance> &match = byId.isEmpty() ? byName : byId;
        if (match.isEmpty()) {
            failed(Error(Error::Category::NotFound,
                         QStringLiteral("no instance with the id or name '%1' in %2 account(s)%3")
                             .arg(want)
                             .arg(m_accounts.accounts().size())
                             .arg(m_errors.isEmpty() ? QString() : QStringLiteral(" (some regions could not be listed)")),
                         QStringLiteral("InstanceNotFound")));
            unresolved = true;
            continue;
        }
        if (match.size() > 1) {
            QStringList where;
            for (const Instance &in : match)
                where.append(QStringLiteral("%1 in %2").arg(in.id, in.zone.isEmpty() ? in.region : in.zone));
            failed(Error(Error::Category::InvalidInput,
                         QStringLiteral("'%1' names %2 instances (%3): give the id").arg(want).arg(match.size()).arg(where.join(QStringLiteral(", ")))));
            unresolved = true;
            continue;
        }
        const bool twice = std::any_of(chosen.cbegin(), chosen.cend(), [&](const Instance &c) { return c.key() == match.first().key(); });
        if (!twice)
            chosen.append(match.first());
    }
    // A typo acts on nothing: the whole command is refused rather than half done.
    if (unresolved)
        return finish(m_exit);
    m_acting = int(chosen.size());
    for (const Instance &in : std::as_const(chosen))
        actOn(in);
}

void VmCommand::actOn(const Instance &instance)
{
    ComputeClient *client = m_accounts.compute(instance.accountId);
    ProviderWorker *worker = m_accounts.worker(instance.accountId);
    const InstanceAction action = m_action;
    ++m_calls;
    qCDebug(lcCli) << verb(action) << instance.key();
    QFuture<Result<Done>> f = worker->run<Done>([client, instance, action](const CancelToken &t, Callback<Done> d) {
        client->act(instance, action, t, std::move(d));
    });
    m_cancels.append([f]() mutable { f.cancel(); });
    whenDone(f, this, [this, instance](Result<Done> r) {
        if (m_finished)
            return;
        if (!r.ok())
            return abandon(instance, r.error());
        if (m_inv.noWait)
            return done(instance, QStringLiteral("%1: %2 requested").arg(VmFormat::label(instance), verb(m_action)));
        poll(instance, kFirstPollMs, 0);
    });
}

void VmCommand::poll(const Instance &instance, int delayMs, int stableMisses)
{
    QTimer::singleShot(delayMs, this, [this, instance, delayMs, stableMisses] {
        if (m_finished)
            return;
        ComputeClient *client = m_accounts.compute(instance.accountId);
        ProviderWorker *worker = m_accounts.worker(instance.accountId);
        ++m_calls;
        QFuture<Result<Instance>> f = worker->run<Instance>([client, instance](const CancelToken &t, Callback<Instance> d) {
            client->getInstance(instance, t, std::move(d));
        });
        m_cancels.append([f]() mutable { f.cancel(); });
        whenDone(f, this, [this, instance, delayMs, stableMisses](Result<Instance> r) {
            if (m_finished)
                return;
            const QString label = VmFormat::label(instance);
            if (!r.ok()) {
                // Deleted so fast it is gone already (Compute Engine, Azure): terminated.
                if (m_action == InstanceAction::Terminate && r.error().category() == Error::Category::NotFound)
                    return done(instance, QStringLiteral("%1: terminated").arg(label));
                return abandon(instance, r.error());
            }
            const InstanceState s = r->state;
            qCDebug(lcCli) << label << VmFormat::stateName(s) << r->providerState;
            if (reached(m_action, s)) {
                if (m_launching && m_inv.json) {
                    m_out.text(QString::fromUtf8(VmFormat::json({r.value()})));
                    return done(instance, QString());
                }
                return done(instance, m_launching ? launchedLine(r.value()) : QStringLiteral("%1: %2").arg(label, VmFormat::stateName(s)));
            }
            const int misses = isTransitional(s) ? 0 : stableMisses + 1;
            if (misses > kStableMissesAllowed)
                return abandon(instance, Error(Error::Category::Conflict,
                                    QStringLiteral("%1 stays %2 after %3 (wanted %4)")
                                        .arg(label, VmFormat::stateName(s), verb(m_action), targetName(m_action))));
            if (m_clock.elapsed() > kWaitLimitMs)
                return abandon(instance, Error(Error::Category::Server,
                                    QStringLiteral("%1 is still %2 after %3 min; stopped waiting (the %4 goes on)")
                                        .arg(label, VmFormat::stateName(s))
                                        .arg(kWaitLimitMs / 60000)
                                        .arg(verb(m_action))));
            poll(instance, std::min(delayMs * 2, kMaxPollMs), misses);
        });
    });
}

// ---- launch ----------------------------------------------------------------------------------

Result<LaunchRequest> VmCommand::launchRequest(const Account &account) const
{
    const QString p = account.provider;
    auto usage = [](const QString &why) { return Error(Error::Category::InvalidInput, why); };
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    LaunchRequest r;
    r.name = m_inv.name.isEmpty()
        ? QStringLiteral("skydeck-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'))
        : m_inv.name;
    r.machineType = m_inv.machineType;
    r.spot = m_inv.spot;
    if (m_inv.diskGb > 0)
        r.diskGb = m_inv.diskGb;
    r.image = m_inv.image.isEmpty() ? launch::images(p).value(0).image : m_inv.image;
    // Where: as the launch form reads its region/zone box.
    if (p == QLatin1String("gcp")) {
        r.zone = m_inv.zone.isEmpty() ? m_inv.region : m_inv.zone;
        r.region = PriceCatalog::regionOf(p, r.zone);
    } else if (p == QLatin1String("azure")) {
        r.region = PriceCatalog::regionOf(p, m_inv.region);
        r.zone = m_inv.zone;
    } else {
        r.zone = m_inv.zone;
        r.region = m_inv.region.isEmpty() ? PriceCatalog::regionOf(p, m_inv.zone) : m_inv.region;
        if (!r.zone.isEmpty() && PriceCatalog::regionOf(p, r.zone) != r.region)
            return usage(QStringLiteral("--zone %1 is not in --region %2").arg(r.zone, r.region));
    }
    // GPUs: attached to a Compute Engine N1 type; elsewhere the type's own, which --gpu must match.
    const PriceCatalog &catalog = PriceCatalog::shipped();
    if (!m_inv.gpu.isEmpty()) {
        const Result<GpuInfo> want = launch::parseGpu(m_inv.gpu);
        if (!want.ok())
            return want.error();
        const GpuInfo own = catalog.gpu(p, r.machineType);
        if (p == QLatin1String("gcp") && own.count == 0) {
            const QString type = PriceCatalog::gceAcceleratorType(PriceCatalog::gceAcceleratorName(want->model));
            if (type.isEmpty())
                return usage(QStringLiteral("--gpu: no Compute Engine accelerator is called %1 (T4, V100, P100, ...)").arg(want->model));
            if (!r.machineType.startsWith(QLatin1String("n1-")))
                return usage(QStringLiteral("--gpu attaches GPUs to N1 machine types; %1 takes none (A2, A3 and G2 carry "
                                            "their own)").arg(r.machineType));
            r.accelerators = GpuInfo{want->count, type};
        } else if (own.count == 0) {
            return usage(QStringLiteral("--gpu: %1 is not in the price catalog (skydeck prices --provider %2), so its GPUs "
                                        "cannot be checked; leave --gpu out").arg(r.machineType, p));
        } else if (own.count != want->count
                   || (own.model.compare(want->model, Qt::CaseInsensitive) != 0
                       && PriceCatalog::gceAcceleratorName(want->model).compare(own.model, Qt::CaseInsensitive) != 0)) {
            return usage(QStringLiteral("--gpu %1: %2 has %3 x %4 (its row in the price catalog)")
                             .arg(m_inv.gpu, r.machineType)
                             .arg(own.count)
                             .arg(own.model));
        }
    }
    // SSH: EC2 a key pair by name; Compute Engine and Azure a public key file (never a private key).
    if (p == QLatin1String("aws")) {
        if (m_inv.key.endsWith(QLatin1String(".pub")) || m_inv.key.contains(QLatin1Char('/')))
            return usage(QStringLiteral("EC2 takes a key pair name with --key (import %1 first: aws ec2 import-key-pair)").arg(m_inv.key));
        r.keyName = m_inv.key;
    } else {
        r.sshUser = launch::defaultSshUser(p, env);
        const QString path = m_inv.key.isEmpty() ? launch::defaultPublicKeyPath(QDir::homePath()) : m_inv.key;
        if (!path.isEmpty()) {
            const Result<QString> key = launch::readPublicKey(path);
            if (!key.ok())
                return Error(Error::Category::InvalidInput, key.error().message());
            r.sshPublicKey = key.value();
        } else if (p == QLatin1String("azure")) {
            return usage(QStringLiteral("Azure needs an SSH public key: --key FILE.pub (no ~/.ssh/id_ed25519.pub or id_rsa.pub found)"));
        }
    }
    if (p == QLatin1String("azure")) {
        if (m_inv.sshFromGiven) {
            const Result<QString> from = launch::normaliseCidr(m_inv.sshFrom);
            if (!from.ok())
                return Error(Error::Category::InvalidInput, QStringLiteral("--ssh-from: ") + from.error().message());
            r.sshFrom = from.value();
        } else {
            r.sshFrom = launch::sshSourceFromEnvironment(env);
        }
    }
    return r;
}

QString VmCommand::launchedLine(const Instance &in) const
{
    QString line = QStringLiteral("%1: %2").arg(VmFormat::label(in), VmFormat::stateName(in.state));
    if (!in.publicIp.isEmpty())
        line += QStringLiteral(", public %1").arg(in.publicIp);
    if (!in.privateIp.isEmpty())
        line += QStringLiteral(", private %1").arg(in.privateIp);
    return line;
}

void VmCommand::launchInstance()
{
    m_launching = true;
    m_action = InstanceAction::Start;  // polled until running, as a start
    QList<Account> accounts;
    for (const Account &a : m_accounts.accounts())
        if (a.provider == m_inv.provider && m_accounts.compute(a.id))
            accounts.append(a);
    if (accounts.size() != 1) {
        QStringList ids;
        for (const Account &a : std::as_const(accounts))
            ids << a.id;
        failed(accounts.isEmpty()
                   ? Error(Error::Category::Auth, QStringLiteral("no %1 account found to launch in").arg(m_inv.provider),
                           QStringLiteral("NoCredentials"))
                   : Error(Error::Category::InvalidInput,
                           QStringLiteral("several %1 accounts (%2): pick one (--profile for AWS)").arg(m_inv.provider, ids.join(QStringLiteral(", ")))));
        return finish(m_exit);
    }
    const Account account = accounts.first();
    Result<LaunchRequest> request = launchRequest(account);
    if (!request.ok()) {
        failed(request.error());
        return finish(m_exit);
    }
    const LaunchRequest r = request.value();
    // Said before anything is made: what it costs (or that the catalog has no price), and for Azure
    // whether SSH is open and from where.
    QString missing;
    const std::optional<PriceQuote> price =
        PriceCatalog::shipped().quote(account.provider, r.zone.isEmpty() || account.provider == QLatin1String("azure") ? r.region : r.zone,
                                      r.machineType, r.spot, r.accelerators, &missing);
    m_out.error(price ? QStringLiteral("launching %1: %2 %3, $%4/h %5 list price (%6; snapshot, date unknown)")
                            .arg(r.name, r.machineType, price->region, price->perHourText, r.spot ? QStringLiteral("spot") : QStringLiteral("on-demand"),
                                 price->breakdown())
                      : QStringLiteral("launching %1: %2 (%3)").arg(r.name, r.machineType, missing));
    if (account.provider == QLatin1String("azure")) {
        if (r.sshFrom.isEmpty())
            m_out.error(QStringLiteral("SSH stays closed: no --ssh-from given and this session's address is not known; "
                                       "add --ssh-from YOUR.PUBLIC.IP to allow it"));
        else if (launch::isWholeInternet(r.sshFrom))
            m_out.error(QStringLiteral("warning: SSH is open to the whole internet (--ssh-from %1)").arg(r.sshFrom));
        else
            m_out.error(QStringLiteral("SSH allowed from %1%2").arg(r.sshFrom, m_inv.sshFromGiven ? QString()
                                                                                                   : QStringLiteral(" (this SSH session's address)")));
    }
    ComputeClient *client = m_accounts.compute(account.id);
    ProviderWorker *worker = m_accounts.worker(account.id);
    ++m_calls;
    m_acting = 1;
    QFuture<Result<Instance>> f = worker->run<Instance>([client, r](const CancelToken &t, Callback<Instance> d) {
        client->launch(r, t, std::move(d));
    });
    m_cancels.append([f]() mutable { f.cancel(); });
    whenDone(f, this, [this](Result<Instance> made) {
        if (m_finished)
            return;
        if (!made.ok())
            return abandon(Instance(), made.error());
        const Instance in = made.value();
        if (m_inv.json) {
            // --json: the instance as vm list --json shows it, once it is running (or at once with --no-wait).
            if (m_inv.noWait || in.state == InstanceState::Running) {
                m_out.text(QString::fromUtf8(VmFormat::json({in})));
                return done(in, QString());
            }
        } else if (m_inv.noWait || in.state == InstanceState::Running) {
            return done(in, launchedLine(in));
        }
        poll(in, kFirstPollMs, 0);
    });
}

void VmCommand::done(const Instance &, const QString &line)
{
    if (!line.isEmpty())
        m_out.line(line);
    --m_acting;
    finishIfIdle();
}

void VmCommand::abandon(const Instance &instance, const Error &error)
{
    failed(error);
    done(instance, QString());
}

void VmCommand::failed(const Error &error)
{
    m_out.error(error.toString());
    if (m_exit == 0)
        m_exit = exitCodeFor(error) == ExitOk ? int(ExitFailure) : exitCodeFor(error);
}

void VmCommand::finishIfIdle()
{
    if (m_acting <= 0)
        // Queued: a failure reported right after done() must land before the exit code is taken.
        QTimer::singleShot(0, this, [this] { finish(m_exit); });
}

void VmCommand::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    m_out.flush();
    qCDebug(lcCli) << "vm" << m_inv.args.value(0) << "finished with" << code << "after" << m_clock.elapsed() << "ms,"
                   << m_calls << "calls";
    QTimer::singleShot(0, this, [this, code] { Q_EMIT finished(code); });
}

} // namespace skydeck::cli
