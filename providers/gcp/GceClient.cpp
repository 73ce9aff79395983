#include "GceClient.h"

#include "Account.h"
#include "GceJson.h"
#include "GcpConfig.h"
#include "GcpLogging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace skydeck::gcp {

GceConfig GceConfig::fromAccount(const Account &account)
{
    GceConfig c;
    c.project = account.setting(QStringLiteral("project"));
    QString endpoint = account.setting(QStringLiteral("computeEndpoint"), QLatin1String(kDefaultComputeEndpoint));
    if (!endpoint.endsWith(QLatin1Char('/')))
        endpoint += QLatin1Char('/');
    c.endpoint = QUrl(endpoint);
    bool ok = false;
    const int pageSize = account.setting(QStringLiteral("pageSize")).toInt(&ok);
    if (ok && pageSize > 0)
        c.pageSize = std::min(pageSize, 500);
    const int pollMs = account.setting(QStringLiteral("operationPollMs")).toInt(&ok);
    if (ok && pollMs > 0)
        c.operationPollMs = pollMs;
    return c;
}

GceClient::GceClient(const Account &account, QObject *parent)
    : ComputeClient(parent), m_accountId(account.id), m_config(GceConfig::fromAccount(account)),
      m_http(new HttpClient(this))
{
    if (account.allowsInsecureHttp())
        m_http->setAllowInsecureHttp(true);
    // 429 is retried by the HTTP layer already; Compute Engine also answers 403 with the reasons
    // rateLimitExceeded / userRateLimitExceeded when a per-minute quota is hit.
    m_http->setRetryClassifier([](const HttpResponse &r) {
        if (r.status != 403)
            return false;
        const QString reason = errorReason(r.body);
        return reason == QLatin1String("rateLimitExceeded") || reason == QLatin1String("userRateLimitExceeded");
    });
    Result<GcpAuthConfig> auth = GcpAuthConfig::fromAccount(account);
    m_credentials = new GcpCredentials(auth.ok() ? auth.value() : GcpAuthConfig{}, m_http, this);
    if (!auth.ok())
        m_configError = auth.error();
    else if (Error e = checkSecureUrl(m_config.endpoint, QStringLiteral("the Compute Engine endpoint")); e.isError())
        m_configError = e;
    else if (m_config.project.isEmpty())
        m_configError = Error(Error::Category::InvalidInput,
                              QStringLiteral("no Google Cloud project: set CLOUDSDK_CORE_PROJECT or "
                                             "gcloud config set project PROJECT"),
                              QStringLiteral("NoProject"));
}

GceClient::~GceClient() = default;

Error GceClient::checkResource(const QString &resource) const
{
    // projects/P/zones/Z/instances/NAME, each segment a plain word: nothing can steer the URL elsewhere.
    static const QRegularExpression re(
        QStringLiteral("^projects/[A-Za-z0-9.:_-]+/zones/[a-z0-9-]+/instances/[a-z0-9-]+$"));
    if (re.match(resource).hasMatch())
        return {};
    return Error(Error::Category::InvalidInput, QStringLiteral("not a Compute Engine instance: \"%1\"").arg(resource),
                 QStringLiteral("BadResource"));
}

void GceClient::call(const QByteArray &method, const QString &path, const QUrlQuery &query, const QJsonObject &body,
                     const CancelToken &token, Callback<QJsonObject> done, bool retriedAuth)
{
    if (m_configError.isError()) {
        done(m_configError);
        return;
    }
    m_credentials->accessToken(token, [this, method, path, query, body, token, done = std::move(done),
                                       retriedAuth](Result<QByteArray> bearer) mutable {
        if (!bearer.ok()) {
            done(bearer.error());
            return;
        }
        HttpRequest req;
        req.method = method;
        req.url = QUrl(m_config.endpoint.toString() + path);
        if (!query.isEmpty())
            req.url.setQuery(query);
        req.setHeader("Authorization", "Bearer " + bearer.value());
        req.setHeader("Accept", "application/json");
        if (method == "POST" || !body.isEmpty()) {
            req.setHeader("Content-Type", "application/json");
            req.body = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        req.idempotent = method == "GET";
        const QByteArray used = bearer.value();
        m_http->send(std::move(req), token, [this, method, path, query, body, token, done = std::move(done), retriedAuth,
                                             used](Result<HttpResponse> r) mutable {
            if (!r.ok()) {
                done(Error(r.error()).setContext(QStringLiteral("Compute Engine")));
                return;
            }
            const HttpResponse &resp = r.value();
            if (resp.status == 401 && !retriedAuth) {
                // Expired or revoked before we thought: one more try with a fresh token.
                m_credentials->invalidate(used);
                call(method, path, query, body, token, std::move(done), true);
                return;
            }
            if (!resp.isSuccess()) {
                done(errorFromResponse(resp.status, resp.body));
                return;
            }
            QJsonParseError perr;
            const QJsonDocument doc = QJsonDocument::fromJson(resp.body, &perr);
            if (!doc.isObject()) {
                done(Error(Error::Category::Server, QStringLiteral("Compute Engine sent no JSON object: ") + perr.errorString(),
                           QStringLiteral("BadResponse"), resp.status));
                return;
            }
            done(doc.object());
        });
    });
}

void GceClient::listScopes(const CancelToken &token, Callback<QStringList> done)
{
    if (token.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    done(QStringList{QStringLiteral("*")});  // aggregatedList covers every zone of the project
}

void GceClient::listInstances(const QString &scope, const QString &pageToken, const CancelToken &token,
                              Callback<InstancePage> done)
{
    if (scope != QLatin1String("*")) {
        done(Error(Error::Category::InvalidInput, QStringLiteral("Compute Engine lists every zone at once (scope \"*\")"),
                   QStringLiteral("BadScope")));
        return;
    }
    // https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("maxResults"), QString::number(m_config.pageSize));
    q.addQueryItem(QStringLiteral("returnPartialSuccess"), QStringLiteral("true"));
    if (!pageToken.isEmpty())
        q.addQueryItem(QStringLiteral("pageToken"), QString::fromLatin1(QUrl::toPercentEncoding(pageToken)));
    const QString path = QStringLiteral("projects/%1/aggregated/instances").arg(m_config.project);
    call("GET", path, q, {}, token, [this, done = std::move(done)](Result<QJsonObject> r) {
        if (!r.ok()) {
            done(Error(r.error()).setContext(QStringLiteral("listing Compute Engine instances")));
            return;
        }
        const QJsonObject &o = r.value();
        InstancePage page;
        const QJsonObject items = o.value(QLatin1String("items")).toObject();
        for (auto it = items.begin(); it != items.end(); ++it) {
            const QJsonObject scoped = it.value().toObject();
            const QJsonArray instances = scoped.value(QLatin1String("instances")).toArray();
            for (const QJsonValue &v : instances)
                page.instances.append(instanceFromJson(v.toObject(), m_accountId, m_config.project));
            const QString warning = scoped.value(QLatin1String("warning")).toObject().value(QLatin1String("code")).toString();
            if (!warning.isEmpty() && warning != QLatin1String("NO_RESULTS_ON_PAGE"))
                qCWarning(lcGce) << it.key() << warning
                                 << scoped.value(QLatin1String("warning")).toObject().value(QLatin1String("message")).toString();
        }
        const QJsonArray unreachable = o.value(QLatin1String("unreachables")).toArray();
        for (const QJsonValue &u : unreachable)
            qCWarning(lcGce) << "unreachable scope" << u.toString();
        page.nextPageToken = o.value(QLatin1String("nextPageToken")).toString();
        done(std::move(page));
    });
}

void GceClient::fetchInstance(const QString &resource, const CancelToken &token, Callback<Instance> done)
{
    if (Error e = checkResource(resource); e.isError()) {
        done(e);
        return;
    }
    // https://cloud.google.com/compute/docs/reference/rest/v1/instances/get
    call("GET", resource, {}, {}, token, [this, resource, done = std::move(done)](Result<QJsonObject> r) {
        if (!r.ok()) {
            done(Error(r.error()).setContext(resource));
            return;
        }
        done(instanceFromJson(r.value(), m_accountId, m_config.project));
    });
}

void GceClient::getInstance(const Instance &instance, const CancelToken &token, Callback<Instance> done)
{
    fetchInstance(instance.resource, token, [instance, done = std::move(done)](Result<Instance> r) {
        if (!r.ok() && r.error().category() == Error::Category::NotFound && r.error().httpStatus() == 404) {
            Instance gone = instance;
            gone.state = InstanceState::Terminated;
            gone.providerState = QStringLiteral("DELETED");
            gone.publicIp.clear();
            done(std::move(gone));
            return;
        }
        done(std::move(r));
    });
}

void GceClient::followOperation(const QJsonObject &operation, int delayMs, const CancelToken &token,
                                Callback<QJsonObject> done)
{
    if (operation.value(QLatin1String("status")).toString() == QLatin1String("DONE")) {
        done(operation);
        return;
    }
    if (token.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    const QString zone = lastSegment(operation.value(QLatin1String("zone")).toString());
    const QString name = operation.value(QLatin1String("name")).toString();
    static const QRegularExpression word(QStringLiteral("^[A-Za-z0-9-]+$"));
    if (!word.match(zone).hasMatch() || !word.match(name).hasMatch()) {
        done(Error(Error::Category::Server, QStringLiteral("Compute Engine sent an operation without zone or name"),
                   QStringLiteral("BadOperation")));
        return;
    }
    // The wait between polls, and an early answer when the caller cancels meanwhile.
    auto answered = std::make_shared<bool>(false);
    auto shared = std::make_shared<Callback<QJsonObject>>(std::move(done));
    const QMetaObject::Connection cancelled = token.onCancel(this, [answered, shared] {
        if (*answered)
            return;
        *answered = true;
        (*shared)(Error::cancelled());
    });
    QTimer::singleShot(delayMs, this, [this, zone, name, delayMs, token, answered, shared, cancelled] {
        QObject::disconnect(cancelled);
        if (*answered)
            return;
        *answered = true;
        ++m_operationPolls;
        // https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/get
        const QString path = QStringLiteral("projects/%1/zones/%2/operations/%3").arg(m_config.project, zone, name);
        call("GET", path, {}, {}, token, [this, delayMs, token, shared](Result<QJsonObject> r) {
            if (!r.ok()) {
                (*shared)(r.error());
                return;
            }
            const int next = std::min(m_config.operationPollMaxMs, delayMs * 8 / 5);
            followOperation(r.value(), next, token, std::move(*shared));
        });
    });
}

void GceClient::act(const Instance &instance, InstanceAction action, const CancelToken &token, Callback<Done> done)
{
    if (Error e = checkResource(instance.resource); e.isError()) {
        done(e);
        return;
    }
    QByteArray method = "POST";
    QString path = instance.resource;
    QString verb;
    switch (action) {
    case InstanceAction::Start:
        // A suspended VM is resumed, not started (start refuses it).
        verb = instance.providerState == QLatin1String("SUSPENDED") ? QStringLiteral("resume") : QStringLiteral("start");
        break;
    case InstanceAction::Stop: verb = QStringLiteral("stop"); break;
    case InstanceAction::Reboot: verb = QStringLiteral("reset"); break;
    case InstanceAction::Terminate: verb = QStringLiteral("delete"); method = "DELETE"; break;
    }
    if (method == "POST")
        path += QLatin1Char('/') + verb;
    const QString context = QStringLiteral("%1 %2").arg(verb, instance.name.isEmpty() ? instance.resource : instance.name);
    qCInfo(lcGce) << verb << instance.resource;
    call(method, path, {}, {}, token, [this, token, context, done = std::move(done)](Result<QJsonObject> r) mutable {
        if (!r.ok()) {
            done(Error(r.error()).setContext(context));
            return;
        }
        followOperation(r.value(), m_config.operationPollMs, token,
                        [context, done = std::move(done)](Result<QJsonObject> op) {
                            if (!op.ok()) {
                                done(Error(op.error()).setContext(context));
                                return;
                            }
                            if (Error e = operationError(op.value()); e.isError()) {
                                qCWarning(lcGce) << context << "failed:" << e.toString();
                                done(e.setContext(context));
                                return;
                            }
                            done(Done{});
                        });
    });
}

void GceClient::launch(const LaunchRequest &request, const CancelToken &token, Callback<Instance> done)
{
    Result<QJsonObject> body = insertBody(request);
    if (!body.ok()) {
        done(body.error());
        return;
    }
    const QString zonePath = QStringLiteral("projects/%1/zones/%2").arg(m_config.project, request.zone);
    const QString resource = zonePath + QStringLiteral("/instances/") + request.name;
    if (Error e = checkResource(resource); e.isError()) {
        done(e);
        return;
    }
    const QString context = QStringLiteral("launch ") + request.name;
    qCInfo(lcGce) << "insert" << resource << request.machineType;
    // https://cloud.google.com/compute/docs/reference/rest/v1/instances/insert
    call("POST", zonePath + QStringLiteral("/instances"), {}, body.value(), token,
         [this, token, resource, context, done = std::move(done)](Result<QJsonObject> r) mutable {
             if (!r.ok()) {
                 done(Error(r.error()).setContext(context));
                 return;
             }
             followOperation(r.value(), m_config.operationPollMs, token,
                             [this, token, resource, context, done = std::move(done)](Result<QJsonObject> op) mutable {
                                 if (!op.ok()) {
                                     done(Error(op.error()).setContext(context));
                                     return;
                                 }
                                 if (Error e = operationError(op.value()); e.isError()) {
                                     done(e.setContext(context));
                                     return;
                                 }
                                 fetchInstance(resource, token, std::move(done));
                             });
         });
}

} // namespace skydeck::gcp
