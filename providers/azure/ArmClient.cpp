#include "ArmClient.h"

#include "AzureCredentials.h"
#include "AzureLogging.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

namespace skydeck::azure {

namespace {
Error badResource(const QString &resource)
{
    return Error(Error::Category::InvalidInput,
                 QStringLiteral("not an Azure VM resource id: %1").arg(resource), QStringLiteral("InvalidResourceId"));
}

bool plausibleResource(const QString &r)
{
    return r.startsWith(QLatin1String("/subscriptions/"), Qt::CaseInsensitive)
        && r.contains(QLatin1String("/providers/Microsoft.Compute/virtualMachines/"), Qt::CaseInsensitive)
        && !r.contains(QLatin1String("/../")) && !r.contains(QLatin1Char('?')) && !r.contains(QLatin1Char('#'));
}

QString actionVerb(InstanceAction a)
{
    switch (a) {
    case InstanceAction::Start: return QStringLiteral("start");
    case InstanceAction::Stop: return QStringLiteral("deallocate");
    case InstanceAction::Reboot: return QStringLiteral("restart");
    case InstanceAction::Terminate: return QStringLiteral("delete");
    }
    return {};
}
} // namespace

// An async operation being followed: its status URL, how, and for how long.
struct ArmClient::Poll {
    QUrl url;
    bool viaLocation = false;  // Location semantics: 202 = running, 200/204 = done, else the error document
    QString what;
    CancelToken token;
    Callback<Done> done;
    QElapsedTimer clock;
    int polls = 0;
    QMetaObject::Connection cancelConnection;
    QPointer<QTimer> timer;
    bool finished = false;

    void finish(Result<Done> r)
    {
        if (finished)
            return;
        finished = true;
        QObject::disconnect(cancelConnection);
        if (timer)
            timer->deleteLater();
        auto cb = std::move(done);
        cb(std::move(r));
    }
};

ArmClient::ArmClient(ArmConfig config, QObject *parent)
    : ComputeClient(parent), m_config(std::move(config)), m_http(new HttpClient(this))
{
    m_credentials = new AzureCredentials(m_config, m_http, this);
}

ArmClient::~ArmClient()
{
    // Calls in flight answer Cancelled while this object's members still exist.
    delete m_http;
    m_http = nullptr;
    delete m_credentials;
    m_credentials = nullptr;
}

QUrl ArmClient::armUrl(const QString &path, const char *apiVersion) const
{
    QUrl u = m_config.resourceManager;
    QString base = u.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    u.setPath(base + path);
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("api-version"), QString::fromLatin1(apiVersion));
    u.setQuery(q);
    return u;
}

Result<QUrl> ArmClient::trustedLink(const QString &link) const
{
    const QUrl u(link);
    const QUrl &ep = m_config.resourceManager;
    if (!u.isValid() || u.scheme() != ep.scheme() || u.host().compare(ep.host(), Qt::CaseInsensitive) != 0
        || u.port(u.scheme() == QLatin1String("https") ? 443 : 80) != ep.port(ep.scheme() == QLatin1String("https") ? 443 : 80))
        return Error(Error::Category::Server,
                     QStringLiteral("Resource Manager pointed at another host (%1); not following it with the token")
                         .arg(u.host()),
                     QStringLiteral("UntrustedLink"));
    return u;
}

void ArmClient::send(const QByteArray &method, const QUrl &url, const QByteArray &body, const CancelToken &token,
                     Callback<HttpResponse> done, bool renewed)
{
    m_credentials->token(token, [this, method, url, body, token, done = std::move(done), renewed](Result<QByteArray> bearer) mutable {
        if (!bearer.ok()) {
            done(bearer.error());
            return;
        }
        HttpRequest req;
        req.method = method;
        req.url = url;
        // A PUT is create-or-update: sending it again after a lost answer does the same.
        req.idempotent = method == "GET" || method == "PUT";
        req.setHeader("Authorization", "Bearer " + bearer.value());
        req.setHeader("Accept", "application/json");
        if (method == "POST" || method == "PUT")
            req.setHeader("Content-Type", "application/json");  // the actions take no body; PUT a resource document
        req.body = body;
        const QByteArray used = bearer.value();
        m_http->send(std::move(req), token,
                     [this, method, url, body, token, done = std::move(done), renewed, used](Result<HttpResponse> r) mutable {
                         if (r.ok() && r.value().status == 401 && !renewed && m_credentials) {
                             qCInfo(lcAzure).noquote()
                                 << "401" << armError(401, r.value().body).code() << "; renewing the token once";
                             m_credentials->invalidate(used);
                             send(method, url, body, token, std::move(done), true);
                             return;
                         }
                         done(std::move(r));
                     });
    });
}

void ArmClient::getJson(const QUrl &url, const CancelToken &token, Callback<QJsonObject> done)
{
    send("GET", url, {}, token, [done = std::move(done)](Result<HttpResponse> r) {
        if (!r.ok()) {
            done(r.error());
            return;
        }
        const HttpResponse &resp = r.value();
        if (!resp.isSuccess()) {
            done(armError(resp.status, resp.body));
            return;
        }
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(resp.body, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            done(Error(Error::Category::Server,
                       QStringLiteral("Resource Manager sent a malformed JSON document: %1").arg(pe.errorString()),
                       QStringLiteral("MalformedResponse"), resp.status));
            return;
        }
        done(doc.object());
    });
}

void ArmClient::listAll(const QUrl &url, const CancelToken &token, std::shared_ptr<QJsonArray> items,
                        Callback<QJsonArray> done, std::shared_ptr<ListingGuard> guard)
{
    if (!guard)
        guard = std::make_shared<ListingGuard>(ListingGuard::Limits::resources(), url.path());
    getJson(url, token, [this, token, items, guard, done = std::move(done)](Result<QJsonObject> r) mutable {
        if (!r.ok()) {
            done(r.error());
            return;
        }
        for (const QJsonValue &v : r.value().value(QStringLiteral("value")).toArray())
            items->append(v);
        const QString next = r.value().value(QStringLiteral("nextLink")).toString();
        if (const Status g = guard->nextPage(next, r.value().value(QStringLiteral("value")).toArray().size()); !g.ok()) {
            done(g.error());
            return;
        }
        if (next.isEmpty()) {
            done(*items);
            return;
        }
        Result<QUrl> link = trustedLink(next);
        if (!link.ok()) {
            done(link.error());
            return;
        }
        listAll(link.value(), token, items, std::move(done), guard);
    });
}

void ArmClient::loadNetwork(const CancelToken &token, Callback<ArmNetwork> done)
{
    struct Join {
        int pending = 2;
        ArmNetwork network;
        Error error;
        Callback<ArmNetwork> done;
    };
    auto join = std::make_shared<Join>();
    join->done = std::move(done);
    auto landed = [join](bool nics, Result<QJsonArray> r) {
        if (!r.ok())
            join->error = r.error();
        else
            for (const QJsonValue &v : r.value())
                nics ? join->network.addNetworkInterface(v.toObject()) : join->network.addPublicIp(v.toObject());
        if (--join->pending == 0)
            join->error.isError() ? join->done(join->error) : join->done(join->network);
    };
    const QString sub = QStringLiteral("/subscriptions/") + m_config.subscriptionId;
    listAll(armUrl(sub + QStringLiteral("/providers/Microsoft.Network/networkInterfaces"), kNetworkApiVersion), token,
            std::make_shared<QJsonArray>(), [landed](Result<QJsonArray> r) { landed(true, std::move(r)); });
    listAll(armUrl(sub + QStringLiteral("/providers/Microsoft.Network/publicIPAddresses"), kNetworkApiVersion), token,
            std::make_shared<QJsonArray>(), [landed](Result<QJsonArray> r) { landed(false, std::move(r)); });
}

void ArmClient::listScopes(const CancelToken &token, Callback<QStringList> done)
{
    if (token.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    if (const QString problem = m_config.problem(); !problem.isEmpty()) {
        done(Error(Error::Category::Auth, QStringLiteral("Azure account not usable: ") + problem,
                   QStringLiteral("InvalidConfiguration")));
        return;
    }
    done(QStringList{QStringLiteral("*")});
}

void ArmClient::listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                              Callback<InstancePage> done)
{
    if (const QString problem = m_config.problem(); !problem.isEmpty()) {
        done(Error(Error::Category::Auth, QStringLiteral("Azure account not usable: ") + problem,
                   QStringLiteral("InvalidConfiguration")));
        return;
    }
    if (scope != QLatin1String("*")) {
        done(Error(Error::Category::InvalidInput, QStringLiteral("Azure lists a whole subscription: scope must be \"*\""),
                   QStringLiteral("InvalidScope")));
        return;
    }
    QUrl pageUrl;
    if (pageToken.isEmpty()) {
        pageUrl = armUrl(QStringLiteral("/subscriptions/%1/providers/Microsoft.Compute/virtualMachines").arg(m_config.subscriptionId),
                         kComputeApiVersion);
        QUrlQuery q(pageUrl);
        q.addQueryItem(QStringLiteral("statusOnly"), QStringLiteral("true"));
        pageUrl.setQuery(q);
    } else {
        Result<QUrl> link = trustedLink(pageToken);
        if (!link.ok()) {
            done(link.error());
            return;
        }
        pageUrl = link.value();
    }

    struct Join {
        int pending = 1;
        Result<QJsonObject> page;
        std::optional<ArmNetwork> network;
        Callback<InstancePage> done;
    };
    auto join = std::make_shared<Join>();
    join->done = std::move(done);
    const bool refresh = pageToken.isEmpty() || !m_haveNetwork;
    auto finish = [this, join] {
        if (--join->pending > 0)
            return;
        if (!join->page.ok()) {
            Error e = join->page.error();
            e.setContext(QStringLiteral("listing the VMs of subscription %1").arg(m_config.subscriptionId));
            join->done(e);
            return;
        }
        if (join->network) {
            m_network = *join->network;
            m_haveNetwork = true;
        }
        InstancePage page;
        for (const QJsonValue &v : join->page.value().value(QStringLiteral("value")).toArray())
            page.instances.append(instanceFromVm(v.toObject(), m_config.accountId, m_network));
        page.nextPageToken = join->page.value().value(QStringLiteral("nextLink")).toString();
        join->done(page);
    };
    if (refresh) {
        ++join->pending;
        loadNetwork(token, [join, finish](Result<ArmNetwork> r) {
            if (r.ok())
                join->network = r.value();
            else  // e.g. a role that may read VMs but not the network: list them without addresses
                qCWarning(lcAzure).noquote() << "no addresses for the VMs:" << r.error().toString();
            finish();
        });
    }
    getJson(pageUrl, token, [join, finish](Result<QJsonObject> r) {
        join->page = std::move(r);
        finish();
    });
}

void ArmClient::addressesOf(const QJsonObject &vm, const CancelToken &token, Callback<ArmNetwork> done)
{
    const QString nicId = primaryNicId(vm);
    if (nicId.isEmpty() || !nicId.startsWith(QLatin1String("/subscriptions/"), Qt::CaseInsensitive)) {
        done(ArmNetwork{});
        return;
    }
    getJson(armUrl(nicId, kNetworkApiVersion), token, [this, token, done = std::move(done)](Result<QJsonObject> r) mutable {
        if (!r.ok()) {
            done(r.error());
            return;
        }
        auto net = std::make_shared<ArmNetwork>();
        net->addNetworkInterface(r.value());
        const QString nic = r.value().value(QStringLiteral("id")).toString().toLower();
        const QString pipId = net->publicIpIdByNic.value(nic);
        if (pipId.isEmpty()) {
            done(*net);
            return;
        }
        // The stored id is lower-cased; ARM resolves ids case-insensitively.
        getJson(armUrl(pipId, kNetworkApiVersion), token, [net, done = std::move(done)](Result<QJsonObject> p) {
            if (p.ok())
                net->addPublicIp(p.value());
            done(*net);
        });
    });
}

void ArmClient::getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done)
{
    if (!plausibleResource(instance.resource)) {
        done(badResource(instance.resource));
        return;
    }
    QUrl url = armUrl(instance.resource, kComputeApiVersion);
    QUrlQuery q(url);
    q.addQueryItem(QStringLiteral("$expand"), QStringLiteral("instanceView"));
    url.setQuery(q);
    getJson(url, token, [this, instance, token, done = std::move(done)](Result<QJsonObject> r) mutable {
        if (!r.ok()) {
            const QString code = r.error().code();
            if (r.error().category() == Error::Category::NotFound
                && (code == QLatin1String("ResourceNotFound") || code == QLatin1String("ResourceGroupNotFound"))) {
                Instance gone = instance;  // deleted: ARM forgets it, the model keeps the row until refresh
                gone.state = InstanceState::Terminated;
                gone.providerState = QStringLiteral("deleted");
                gone.publicIp.clear();
                done(gone);
                return;
            }
            Error e = r.error();
            e.setContext(instance.name);
            done(e);
            return;
        }
        const QJsonObject vm = r.value();
        addressesOf(vm, token, [this, vm, done = std::move(done)](Result<ArmNetwork> net) {
            if (!net.ok())
                qCWarning(lcAzure).noquote() << "no addresses for" << vm.value(QStringLiteral("name")).toString() << ':'
                                             << net.error().toString();
            done(instanceFromVm(vm, m_config.accountId, net.ok() ? net.value() : ArmNetwork{}));
        });
    });
}

void ArmClient::act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done)
{
    if (!plausibleResource(instance.resource)) {
        done(badResource(instance.resource));
        return;
    }
    const QString verb = actionVerb(action);
    const bool isDelete = action == InstanceAction::Terminate;
    const QUrl url = armUrl(isDelete ? instance.resource : instance.resource + QLatin1Char('/') + verb, kComputeApiVersion);
    const QString what = QStringLiteral("%1 %2").arg(verb, instance.name);
    qCInfo(lcAzure).noquote() << what;
    send(isDelete ? "DELETE" : "POST", url, {}, token, [this, what, token, done = std::move(done)](Result<HttpResponse> r) mutable {
        if (!r.ok()) {
            Error e = r.error();
            e.setContext(what);
            done(e);
            return;
        }
        const HttpResponse &resp = r.value();
        if (resp.status == 202 || resp.status == 201) {
            followOperation(resp, what, token, std::move(done));
            return;
        }
        if (resp.isSuccess()) {  // 200 or 204: done at once (or nothing to delete)
            done(Done{});
            return;
        }
        Error e = armError(resp.status, resp.body);
        e.setContext(what);
        done(e);
    });
}

void ArmClient::followOperation(const HttpResponse &accepted, const QString &what, const CancelToken &token,
                                Callback<Done> done)
{
    auto p = std::make_shared<Poll>();
    p->what = what;
    p->token = token;
    p->done = std::move(done);
    p->clock.start();
    QString link = QString::fromUtf8(accepted.header("Azure-AsyncOperation"));
    if (link.isEmpty()) {
        link = QString::fromUtf8(accepted.header("Location"));
        p->viaLocation = true;
    }
    if (link.isEmpty()) {  // accepted without a way to watch it: the state polling takes over
        qCInfo(lcAzure).noquote() << what << "accepted without an operation to follow";
        p->finish(Done{});
        return;
    }
    Result<QUrl> url = trustedLink(link);
    if (!url.ok()) {
        p->finish(url.error());
        return;
    }
    p->url = url.value();
    std::weak_ptr<Poll> weak = p;
    p->cancelConnection = token.onCancel(this, [weak] {
        if (auto live = weak.lock())
            live->finish(Error::cancelled());
    });
    int delay = HttpClient::parseRetryAfterMs(accepted.header("Retry-After"));
    if (delay < 0)
        delay = m_config.pollIntervalMs;
    p->timer = new QTimer(this);
    p->timer->setSingleShot(true);
    p->timer->setTimerType(Qt::PreciseTimer);  // never before the service's Retry-After
    connect(p->timer, &QTimer::timeout, this, [this, p] { poll(p); });
    Q_EMIT operationPolled(what, delay);
    p->timer->start(delay);
}

void ArmClient::poll(const std::shared_ptr<Poll> &p)
{
    if (p->finished)
        return;
    ++p->polls;
    send("GET", p->url, {}, p->token, [this, p](Result<HttpResponse> r) {
        if (p->finished)
            return;
        if (!r.ok()) {
            Error e = r.error();
            e.setContext(p->what);
            p->finish(e);
            return;
        }
        const HttpResponse &resp = r.value();
        bool running = false;
        if (p->viaLocation) {
            if (resp.status == 202) {
                running = true;
            } else if (resp.isSuccess()) {
                p->finish(Done{});
                return;
            } else {
                Error e = armError(resp.status, resp.body);
                e.setContext(p->what);
                p->finish(e);
                return;
            }
        } else {
            if (!resp.isSuccess()) {
                Error e = armError(resp.status, resp.body);
                e.setContext(p->what);
                p->finish(e);
                return;
            }
            const QJsonObject o = QJsonDocument::fromJson(resp.body).object();
            const QString status = o.value(QStringLiteral("status")).toString();
            if (status.compare(QLatin1String("Succeeded"), Qt::CaseInsensitive) == 0) {
                qCInfo(lcAzure).noquote() << p->what << "succeeded after" << p->clock.elapsed() << "ms," << p->polls << "polls";
                p->finish(Done{});
                return;
            }
            if (status.compare(QLatin1String("Failed"), Qt::CaseInsensitive) == 0
                || status.compare(QLatin1String("Canceled"), Qt::CaseInsensitive) == 0) {
                Error e = operationError(o.value(QStringLiteral("error")).toObject(), status);
                e.setContext(p->what);
                qCWarning(lcAzure).noquote() << e.toString();
                p->finish(e);
                return;
            }
            running = true;  // InProgress, or a provider's own word for "not yet"
        }
        if (running && p->clock.elapsed() > m_config.maxOperationMs) {
            Error e(Error::Category::Network,
                    QStringLiteral("still running after %1 min; see the Azure portal").arg(p->clock.elapsed() / 60000),
                    QStringLiteral("OperationTimeout"));
            e.setContext(p->what);
            p->finish(e);
            return;
        }
        int delay = HttpClient::parseRetryAfterMs(resp.header("Retry-After"));
        if (delay < 0)
            delay = m_config.pollIntervalMs;
        if (p->viaLocation) {
            if (const QString next = QString::fromUtf8(resp.header("Location")); !next.isEmpty()) {
                Result<QUrl> u = trustedLink(next);
                if (!u.ok()) {
                    p->finish(u.error());
                    return;
                }
                p->url = u.value();
            }
        }
        Q_EMIT operationPolled(p->what, delay);
        if (p->timer)
            p->timer->start(delay);
    });
}

} // namespace skydeck::azure
