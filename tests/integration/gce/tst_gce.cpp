// GceClient against the Compute Engine + OAuth 2.0 test server (tests/servers/gce_server.py, the
// "gce" peer of scripts/peers.sh): accounts from the generated key file and ADC, aggregatedList
// pages, every action through its zone operation, failed operations, expired and short-lived
// tokens, throttling, launch.
#include "AccountRegistry.h"
#include "ComputeClient.h"
#include "GcpConfig.h"
#include "GcpProvider.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;

class TestGce : public QObject
{
    Q_OBJECT

    QString m_endpoint, m_control, m_key, m_adc;
    QTemporaryDir m_home;
    std::unique_ptr<AccountRegistry> m_registry;
    QNetworkAccessManager m_nam;
    int m_accounts = 0;

    // The test server's control API (loopback, no auth), answered synchronously.
    QJsonObject control(const QString &what, const QJsonObject &body = {}, bool post = true)
    {
        QNetworkRequest req(QUrl(m_control + QLatin1Char('/') + what));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = post ? m_nam.post(req, QJsonDocument(body).toJson()) : m_nam.get(req);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(30000);
        const QByteArray data = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        if (status != 200)
            qWarning() << "control" << what << status << data;
        return QJsonDocument::fromJson(data).object();
    }
    int stat(const char *name) { return control(QStringLiteral("stats"), {}, false).value(QLatin1String(name)).toInt(); }

    // An account for the generated service-account key, found by discovery as a user's would be.
    QString addAccount(const QMap<QString, QString> &settings = {}, const QString &keyFile = {})
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), keyFile.isEmpty() ? m_key : keyFile);
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), m_home.filePath(QStringLiteral("no-gcloud")));
        const QList<Account> found = gcp::discoverAccounts(env, m_home.path());
        if (found.size() != 1)
            return {};
        Account a = found.first();
        a.id += QStringLiteral("#") + QString::number(++m_accounts);  // a fresh client (and token cache) per test
        a.settings.insert(QStringLiteral("operationPollMs"), QStringLiteral("100"));
        for (auto it = settings.cbegin(); it != settings.cend(); ++it)
            a.settings.insert(it.key(), it.value());
        m_registry->addAccount(a);
        return a.id;
    }

    template <typename T>
    Result<T> run(const QString &id, std::function<void(ComputeClient *, const CancelToken &, Callback<T>)> fn)
    {
        ComputeClient *c = m_registry->compute(id);
        if (!c)
            return Error(Error::Category::Local, QStringLiteral("no compute client"));
        return waitFor(m_registry->worker(id)->run<T>([c, fn](const CancelToken &t, Callback<T> done) { fn(c, t, std::move(done)); }));
    }
    template <typename T>
    QFuture<Result<T>> start(const QString &id, std::function<void(ComputeClient *, const CancelToken &, Callback<T>)> fn)
    {
        ComputeClient *c = m_registry->compute(id);
        return m_registry->worker(id)->run<T>([c, fn](const CancelToken &t, Callback<T> done) { fn(c, t, std::move(done)); });
    }

    Result<QList<Instance>> listAll(const QString &id, int *pages = nullptr)
    {
        QList<Instance> all;
        QString token;
        int n = 0;
        do {
            const Result<InstancePage> page = run<InstancePage>(id, [token](ComputeClient *c, const CancelToken &t, Callback<InstancePage> d) {
                c->listInstances(QStringLiteral("*"), token, t, std::move(d));
            });
            if (!page.ok())
                return page.error();
            all += page.value().instances;
            token = page.value().nextPageToken;
            ++n;
        } while (!token.isEmpty() && n < 1000);
        if (pages)
            *pages = n;
        return all;
    }

    Result<Instance> get(const QString &id, const QString &zone, const QString &name)
    {
        Instance in;
        in.resource = QStringLiteral("projects/skydeck-test/zones/%1/instances/%2").arg(zone, name);
        in.name = name;
        return run<Instance>(id, [in](ComputeClient *c, const CancelToken &t, Callback<Instance> d) { c->getInstance(in, t, std::move(d)); });
    }

    Status act(const QString &id, const Instance &in, InstanceAction action)
    {
        return run<Done>(id, [in, action](ComputeClient *c, const CancelToken &t, Callback<Done> d) { c->act(in, action, t, std::move(d)); });
    }

    void seed(const QJsonArray &instances, const QJsonArray &zones = {})
    {
        QJsonObject body{{QStringLiteral("instances"), instances}};
        if (!zones.isEmpty())
            body.insert(QStringLiteral("zones"), zones);
        control(QStringLiteral("seed"), body);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_GCE_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_GCE_CONTROL");
        SKYDECK_REQUIRE_PEER(m_key, "SKYDECK_TEST_GCE_KEY");
        SKYDECK_REQUIRE_PEER(m_adc, "SKYDECK_TEST_GCE_ADC");
        QVERIFY(m_home.isValid());
        gcp::registerProviders();
        QVERIFY(AccountRegistry::hasCompute(QStringLiteral("gcp")));
        m_registry = std::make_unique<AccountRegistry>();
        control(QStringLiteral("reset"));
        control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 0.15}});
    }

    void cleanup()
    {
        control(QStringLiteral("throttle"), {{QStringLiteral("count"), 0}});
        control(QStringLiteral("config"), {{QStringLiteral("tokenLifetime"), 3600}});
    }

    void cleanupTestCase() { m_registry.reset(); }

    void pagination()
    {
        // 1,234 VMs over 12 zones, plus two zones with none (each page warns NO_RESULTS_ON_PAGE for them).
        QJsonArray zones;
        for (const char *z : {"us-central1-a", "us-central1-b", "us-central1-c", "us-east1-b", "us-east1-c", "us-east4-a",
                              "us-west1-b", "us-west4-a", "europe-west1-b", "europe-west4-a", "asia-east1-a", "asia-northeast1-a",
                              "southamerica-east1-a", "australia-southeast1-a"})
            zones.append(QLatin1String(z));
        QJsonArray populated = zones;
        populated.removeLast();
        populated.removeLast();
        control(QStringLiteral("seed"), {{QStringLiteral("generate"), 1234}, {QStringLiteral("zones"), zones},
                                         {QStringLiteral("generateZones"), populated}});

        const QString id = addAccount({{QStringLiteral("pageSize"), QStringLiteral("100")}});
        QVERIFY(!id.isEmpty());
        const Result<QStringList> scopes = run<QStringList>(id, [](ComputeClient *c, const CancelToken &t, Callback<QStringList> d) {
            c->listScopes(t, std::move(d));
        });
        QVERIFY(scopes.ok());
        QCOMPARE(scopes.value(), QStringList{QStringLiteral("*")});

        const int pagesBefore = stat("list_pages");
        QElapsedTimer timer;
        timer.start();
        int pages = 0;
        const Result<QList<Instance>> all = listAll(id, &pages);
        const qint64 ms = timer.elapsed();
        QVERIFY2(all.ok(), qPrintable(all.error().toString()));
        QCOMPARE(all.value().size(), 1234);
        QCOMPARE(pages, 13);
        QCOMPARE(stat("list_pages") - pagesBefore, 13);
        qInfo("aggregatedList: 1234 instances in %d pages of 100 in %lld ms", pages, ms);

        QSet<QString> keys, ids, zonesSeen;
        int running = 0, stopped = 0, t4 = 0, spot = 0, withIp = 0;
        for (const Instance &in : all.value()) {
            keys.insert(in.key());
            ids.insert(in.id);
            zonesSeen.insert(in.zone);
            QCOMPARE(in.provider, QStringLiteral("gcp"));
            QCOMPARE(in.accountId, id);
            QVERIFY(in.resource.startsWith(QLatin1String("projects/skydeck-test/zones/") + in.zone + QLatin1String("/instances/")));
            QCOMPARE(in.region, in.zone.left(in.zone.lastIndexOf(QLatin1Char('-'))));
            QVERIFY(!in.privateIp.isEmpty());
            QVERIFY(in.launched.isValid());
            running += in.state == InstanceState::Running;
            stopped += in.state == InstanceState::Stopped;
            spot += in.spot;
            withIp += !in.publicIp.isEmpty();
            if (in.machineType == QLatin1String("n1-standard-8")) {
                QCOMPARE(in.gpu.model, QStringLiteral("T4"));
                QVERIFY(in.gpu.count == 1 || in.gpu.count == 2);
                ++t4;
            }
            if (in.machineType == QLatin1String("e2-medium"))
                QCOMPARE(in.gpu.count, 0);
            if (in.state == InstanceState::Running)
                QVERIFY(!in.publicIp.isEmpty());  // the ephemeral IP exists only while running
        }
        QCOMPARE(keys.size(), 1234);  // no instance twice across pages
        QCOMPARE(ids.size(), 1234);
        QCOMPARE(zonesSeen.size(), 12);
        QCOMPARE(running, 617);       // generated: RUNNING, TERMINATED, RUNNING, SUSPENDED, ...
        QCOMPARE(stopped, 617);       // TERMINATED and SUSPENDED
        QCOMPARE(t4, 309);
        QCOMPARE(spot, 412);
        QCOMPARE(withIp, running);

        // Pages of the largest size Compute Engine allows: 3 pages.
        const QString big = addAccount();
        QVERIFY(listAll(big, &pages).ok());
        QCOMPARE(pages, 3);
    }

    void badPageToken()
    {
        const QString id = addAccount();
        const Result<InstancePage> r = run<InstancePage>(id, [](ComputeClient *c, const CancelToken &t, Callback<InstancePage> d) {
            c->listInstances(QStringLiteral("*"), QStringLiteral("not+a/token="), t, std::move(d));
        });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::InvalidInput);
        QCOMPARE(r.error().httpStatus(), 400);
    }

    void everyActionThroughItsOperation()
    {
        seed(QJsonArray{
            QJsonObject{{QStringLiteral("zone"), QStringLiteral("us-central1-a")}, {QStringLiteral("name"), QStringLiteral("act-a")},
                        {QStringLiteral("machineType"), QStringLiteral("n1-standard-8")}, {QStringLiteral("status"), QStringLiteral("RUNNING")},
                        {QStringLiteral("gpus"), QJsonArray{QStringLiteral("nvidia-tesla-v100"), 4}}},
            QJsonObject{{QStringLiteral("zone"), QStringLiteral("us-central1-a")}, {QStringLiteral("name"), QStringLiteral("act-b")},
                        {QStringLiteral("status"), QStringLiteral("TERMINATED")}},
            QJsonObject{{QStringLiteral("zone"), QStringLiteral("europe-west4-a")}, {QStringLiteral("name"), QStringLiteral("act-c")},
                        {QStringLiteral("machineType"), QStringLiteral("g2-standard-4")}, {QStringLiteral("status"), QStringLiteral("SUSPENDED")}}});
        const QString id = addAccount();

        Result<Instance> a = get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-a"));
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QCOMPARE(a.value().state, InstanceState::Running);
        QCOMPARE(a.value().gpu.count, 4);
        QCOMPARE(a.value().gpu.model, QStringLiteral("V100"));
        const QDateTime firstStart = a.value().launched;

        // Stop, watching the states go by while the operation runs.
        const int pollsBefore = stat("operation_polls");
        const Instance snapshot = a.value();
        QFuture<Status> stopping = start<Done>(id, [snapshot](ComputeClient *c, const CancelToken &t, Callback<Done> d) {
            c->act(snapshot, InstanceAction::Stop, t, std::move(d));
        });
        QSet<QString> seen;
        while (!stopping.isFinished()) {
            const Result<Instance> now = get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-a"));
            QVERIFY(now.ok());
            seen.insert(now.value().providerState);
        }
        const Status stopped = waitFor(stopping);
        QVERIFY2(stopped.ok(), qPrintable(stopped.error().toString()));
        QVERIFY2(seen.contains(QStringLiteral("STOPPING")), qPrintable(QStringList(seen.values()).join(',')));
        QVERIFY(stat("operation_polls") > pollsBefore);  // the operation was followed, not assumed
        a = get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-a"));
        QCOMPARE(a.value().providerState, QStringLiteral("TERMINATED"));
        QCOMPARE(a.value().state, InstanceState::Stopped);
        QVERIFY(a.value().publicIp.isEmpty());

        // Start: STAGING then RUNNING, a new external IP and start time.
        QVERIFY(act(id, a.value(), InstanceAction::Start).ok());
        a = get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-a"));
        QCOMPARE(a.value().state, InstanceState::Running);
        QVERIFY(!a.value().publicIp.isEmpty());
        QVERIFY(a.value().launched > firstStart);

        // Reboot (instances.reset) keeps it running.
        const Status reset = act(id, a.value(), InstanceAction::Reboot);
        QVERIFY2(reset.ok(), qPrintable(reset.error().toString()));
        QCOMPARE(get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-a")).value().state, InstanceState::Running);

        // Reset of a stopped VM: Compute Engine refuses it at once (400 resourceNotReady).
        Result<Instance> b = get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-b"));
        const Status refused = act(id, b.value(), InstanceAction::Reboot);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().category(), Error::Category::Conflict);
        QCOMPARE(refused.error().code(), QStringLiteral("resourceNotReady"));
        QVERIFY(refused.error().toString().contains(QLatin1String("act-b")));

        // Start on a SUSPENDED VM resumes it.
        Result<Instance> c = get(id, QStringLiteral("europe-west4-a"), QStringLiteral("act-c"));
        QCOMPARE(c.value().state, InstanceState::Stopped);
        QCOMPARE(c.value().providerState, QStringLiteral("SUSPENDED"));
        QVERIFY(act(id, c.value(), InstanceAction::Start).ok());
        QCOMPARE(get(id, QStringLiteral("europe-west4-a"), QStringLiteral("act-c")).value().state, InstanceState::Running);

        // Terminate deletes it: then it answers as Terminated and is gone from the list.
        QVERIFY(act(id, b.value(), InstanceAction::Terminate).ok());
        QTRY_COMPARE_WITH_TIMEOUT(get(id, QStringLiteral("us-central1-a"), QStringLiteral("act-b")).value().state,
                                  InstanceState::Terminated, 10000);
        const Result<QList<Instance>> left = listAll(id);
        QVERIFY(left.ok());
        QCOMPARE(left.value().size(), 2);

        // An instance that never existed: the action fails with notFound.
        Instance ghost = b.value();
        ghost.resource = QStringLiteral("projects/skydeck-test/zones/us-central1-a/instances/ghost");
        const Status none = act(id, ghost, InstanceAction::Start);
        QCOMPARE(none.error().category(), Error::Category::NotFound);
        // A resource that is not an instance path is refused before any request.
        ghost.resource = QStringLiteral("projects/skydeck-test/zones/us-central1-a/instances/../../x");
        QCOMPARE(act(id, ghost, InstanceAction::Start).error().code(), QStringLiteral("BadResource"));
    }

    void failedOperationSurfacesItsError()
    {
        seed(QJsonArray{QJsonObject{{QStringLiteral("zone"), QStringLiteral("us-east1-b")}, {QStringLiteral("name"), QStringLiteral("no-room")},
                                    {QStringLiteral("machineType"), QStringLiteral("a2-highgpu-1g")},
                                    {QStringLiteral("status"), QStringLiteral("TERMINATED")}}});
        control(QStringLiteral("fail-next-operation"),
                {{QStringLiteral("operationType"), QStringLiteral("start")},
                 {QStringLiteral("code"), QStringLiteral("ZONE_RESOURCE_POOL_EXHAUSTED")},
                 {QStringLiteral("message"), QStringLiteral("The zone 'projects/skydeck-test/zones/us-east1-b' does not have enough "
                                                            "resources available to fulfill the request.  Try a different zone, or try again later.")},
                 {QStringLiteral("httpErrorStatusCode"), 503}});
        const QString id = addAccount();
        const Instance in = get(id, QStringLiteral("us-east1-b"), QStringLiteral("no-room")).value();
        const Status r = act(id, in, InstanceAction::Start);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("ZONE_RESOURCE_POOL_EXHAUSTED"));
        QCOMPARE(r.error().httpStatus(), 503);
        QVERIFY(r.error().message().contains(QLatin1String("does not have enough resources")));
        QVERIFY(r.error().toString().contains(QLatin1String("no-room")));
        QCOMPARE(get(id, QStringLiteral("us-east1-b"), QStringLiteral("no-room")).value().state, InstanceState::Stopped);
        // The next start goes through.
        QVERIFY(act(id, in, InstanceAction::Start).ok());
        QCOMPARE(get(id, QStringLiteral("us-east1-b"), QStringLiteral("no-room")).value().state, InstanceState::Running);
    }

    void expiredTokenRefreshedTransparently()
    {
        const QString id = addAccount();
        QVERIFY(listAll(id).ok());
        const int jwt = stat("token_jwt"), unauthorized = stat("unauthorized");
        control(QStringLiteral("expire-tokens"));  // the server forgets every token it issued
        const Result<QList<Instance>> again = listAll(id);
        QVERIFY2(again.ok(), qPrintable(again.error().toString()));
        QCOMPARE(stat("unauthorized"), unauthorized + 1);  // one 401 ...
        QCOMPARE(stat("token_jwt"), jwt + 1);              // ... one new token, and the call went through
        QVERIFY(listAll(id).ok());
        QCOMPARE(stat("token_jwt"), jwt + 1);              // cached from then on
    }

    void shortLivedTokenRenewedBeforeExpiry()
    {
        control(QStringLiteral("config"), {{QStringLiteral("tokenLifetime"), 2}});
        const QString id = addAccount();
        const int jwt = stat("token_jwt");
        QVERIFY(listAll(id).ok());
        QCOMPARE(stat("token_jwt"), jwt + 1);
        const int unauthorized = stat("unauthorized");
        QElapsedTimer t;
        t.start();
        // Keep listing for 5 s: the 2 s tokens are renewed ahead of expiry, never refused.
        int calls = 0;
        QTRY_VERIFY_WITH_TIMEOUT((listAll(id).ok() && ++calls && t.elapsed() > 5000), 10000);
        QCOMPARE(stat("unauthorized"), unauthorized);
        const int fetched = stat("token_jwt") - jwt;
        QVERIFY2(fetched >= 3, qPrintable(QString::number(fetched)));
        qInfo("2 s tokens: %d fetched over %lld ms and %d listings, no 401", fetched, t.elapsed(), calls);
    }

    void throttlingRetried()
    {
        const QString id = addAccount();
        QVERIFY(listAll(id).ok());
        // 429 RESOURCE_EXHAUSTED with Retry-After: 1, twice.
        int throttled = stat("throttled");
        control(QStringLiteral("throttle"), {{QStringLiteral("count"), 2}, {QStringLiteral("status"), 429}, {QStringLiteral("retryAfter"), 1}});
        QElapsedTimer t;
        t.start();
        QVERIFY(listAll(id).ok());
        const qint64 ms429 = t.elapsed();
        QCOMPARE(stat("throttled"), throttled + 2);
        QVERIFY2(ms429 >= 2000, qPrintable(QString::number(ms429)));  // Retry-After honoured each time
        // 403 rateLimitExceeded (no Retry-After): retried with backoff too.
        throttled = stat("throttled");
        control(QStringLiteral("throttle"), {{QStringLiteral("count"), 3}, {QStringLiteral("status"), 403}});
        t.restart();
        QVERIFY(listAll(id).ok());
        QCOMPARE(stat("throttled"), throttled + 3);
        qInfo("throttling: 2 x 429 (Retry-After 1) took %lld ms, 3 x 403 rateLimitExceeded %lld ms", ms429, t.elapsed());
        // Throttled beyond the retry budget: a Throttled error, not a hang.
        control(QStringLiteral("throttle"), {{QStringLiteral("count"), 50}, {QStringLiteral("status"), 403}});
        const Result<QList<Instance>> r = listAll(id);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Throttled);
        QCOMPARE(r.error().code(), QStringLiteral("rateLimitExceeded"));
    }

    void applicationDefaultCredentials()
    {
        // ADC as `gcloud auth application-default login` leaves it, in a gcloud config dir.
        QTemporaryDir gcloud;
        QVERIFY(QFile::copy(m_adc, gcloud.filePath(QStringLiteral("application_default_credentials.json"))));
        QProcessEnvironment env;
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), gcloud.path());
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        QList<Account> found = gcp::discoverAccounts(env, m_home.path());
        QCOMPARE(found.size(), 1);
        Account a = found.first();
        QCOMPARE(a.id, QStringLiteral("gcp:adc"));
        QCOMPARE(a.setting(QStringLiteral("type")), QStringLiteral("authorized_user"));
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("skydeck-test"));  // quota_project_id
        m_registry->addAccount(a);
        const int refreshes = stat("token_refresh");
        const Result<QList<Instance>> r = listAll(a.id);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(stat("token_refresh"), refreshes + 1);
        // An expired token: refreshed with the refresh token again.
        control(QStringLiteral("expire-tokens"));
        QVERIFY(listAll(a.id).ok());
        QCOMPARE(stat("token_refresh"), refreshes + 2);

        // A revoked refresh token: an Auth error naming invalid_grant, no retry storm.
        a.id = QStringLiteral("gcp:adc:revoked");
        a.secrets.insert(QStringLiteral("refreshToken"), QStringLiteral("1//revoked"));
        m_registry->addAccount(a);
        const int errors = stat("token_errors");
        const Result<QList<Instance>> revoked = listAll(a.id);
        QVERIFY(!revoked.ok());
        QCOMPARE(revoked.error().category(), Error::Category::Auth);
        QCOMPARE(revoked.error().code(), QStringLiteral("invalid_grant"));
        QCOMPARE(stat("token_errors"), errors + 1);
    }

    void impersonatedServiceAccountAdc()
    {
        // ADC of type impersonated_service_account (what `gcloud auth application-default login
        // --impersonate-service-account SA` writes), once with the ADC user and once with the key's
        // service account as source_credentials: the source's token buys the target's at the file's
        // generateAccessToken URL, and Compute sees the target.
        const QString target = QStringLiteral("deployer@skydeck-test.iam.gserviceaccount.com");
        const QString base = m_control.section(QStringLiteral("/_control"), 0, 0);
        const QString url = base + QStringLiteral("/v1/projects/-/serviceAccounts/") + target + QStringLiteral(":generateAccessToken");
        for (const QString &sourceFile : {m_adc, m_key}) {
            QFile in(sourceFile);
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QJsonObject adc{{QStringLiteral("type"), QStringLiteral("impersonated_service_account")},
                                  {QStringLiteral("service_account_impersonation_url"), url},
                                  {QStringLiteral("delegates"), QJsonArray()},
                                  {QStringLiteral("source_credentials"), QJsonDocument::fromJson(in.readAll()).object()}};
            QTemporaryDir dir;
            QFile out(dir.filePath(QStringLiteral("impersonated.json")));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(adc).toJson());
            out.close();
            const QString id = addAccount({}, out.fileName());
            QVERIFY(!id.isEmpty());
            const int minted = stat("iam_tokens");
            const Result<QList<Instance>> r = listAll(id);
            QVERIFY2(r.ok(), qPrintable(r.error().toString()));
            QCOMPARE(stat("iam_tokens"), minted + 1);
            QCOMPARE(control(QStringLiteral("stats"), {}, false).value(QLatin1String("last_principal")).toString(), target);
        }
    }

    void wrongKeyRefused()
    {
        // The same service account's name with another RSA key: the server's signature check refuses it.
        QTemporaryDir dir;
        QProcess p;
        p.start(QStringLiteral("openssl"), {QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"),
                                            QStringLiteral("-pkeyopt"), QStringLiteral("rsa_keygen_bits:2048")});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray otherPem = p.readAllStandardOutput();
        QVERIFY(otherPem.contains("PRIVATE KEY"));
        QFile in(m_key);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject key = QJsonDocument::fromJson(in.readAll()).object();
        key.insert(QStringLiteral("private_key"), QString::fromLatin1(otherPem));
        const QString path = dir.filePath(QStringLiteral("other.json"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(key).toJson());
        out.close();
        const QString id = addAccount({}, path);
        const Result<QList<Instance>> r = listAll(id);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Auth);
        QVERIFY2(r.error().message().contains(QLatin1String("Invalid JWT Signature")), qPrintable(r.error().toString()));
    }

    void launch()
    {
        seed({});
        const QString id = addAccount();
        LaunchRequest req;
        req.name = QStringLiteral("train-t4");
        req.zone = QStringLiteral("us-central1-b");
        req.machineType = QStringLiteral("n1-standard-8");
        req.image = QStringLiteral("pytorch-latest-gpu");
        req.diskGb = 150;
        req.spot = true;
        req.sshUser = QStringLiteral("alice");
        req.sshPublicKey = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx alice@laptop");
        req.accelerators = GpuInfo{2, QStringLiteral("nvidia-tesla-t4")};
        const Result<Instance> made = run<Instance>(id, [req](ComputeClient *c, const CancelToken &t, Callback<Instance> d) {
            c->launch(req, t, std::move(d));
        });
        QVERIFY2(made.ok(), qPrintable(made.error().toString()));
        const Instance &in = made.value();
        QCOMPARE(in.name, QStringLiteral("train-t4"));
        QCOMPARE(in.resource, QStringLiteral("projects/skydeck-test/zones/us-central1-b/instances/train-t4"));
        QCOMPARE(in.state, InstanceState::Pending);  // STAGING when the insert operation is DONE
        QCOMPARE(in.gpu.count, 2);
        QCOMPARE(in.gpu.model, QStringLiteral("T4"));
        QVERIFY(in.spot);
        QCOMPARE(in.sshUser, QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(get(id, in.zone, in.name).value().state, InstanceState::Running, 10000);

        // What Compute Engine stored: the boot disk, Spot scheduling, no live migration, the key.
        const QJsonObject stored = control(QStringLiteral("instance?zone=us-central1-b&name=train-t4"), {}, false);
        QCOMPARE(stored.value(QLatin1String("_image")).toString(),
                 QStringLiteral("projects/deeplearning-platform-release/global/images/family/pytorch-latest-gpu"));
        QCOMPARE(stored.value(QLatin1String("disks")).toArray().first().toObject().value(QLatin1String("diskSizeGb")).toString(),
                 QStringLiteral("150"));
        const QJsonObject sched = stored.value(QLatin1String("scheduling")).toObject();
        QCOMPARE(sched.value(QLatin1String("provisioningModel")).toString(), QStringLiteral("SPOT"));
        QCOMPARE(sched.value(QLatin1String("onHostMaintenance")).toString(), QStringLiteral("TERMINATE"));
        bool haveKey = false;
        for (const QJsonValue &m : stored.value(QLatin1String("metadata")).toObject().value(QLatin1String("items")).toArray())
            if (m.toObject().value(QLatin1String("key")).toString() == QLatin1String("ssh-keys"))
                haveKey = m.toObject().value(QLatin1String("value")).toString() == QLatin1String("alice:") + req.sshPublicKey;
        QVERIFY(haveKey);

        // The same name again: 409 alreadyExists.
        const Result<Instance> twice = run<Instance>(id, [req](ComputeClient *c, const CancelToken &t, Callback<Instance> d) {
            c->launch(req, t, std::move(d));
        });
        QCOMPARE(twice.error().category(), Error::Category::Conflict);
        QCOMPARE(twice.error().code(), QStringLiteral("alreadyExists"));

        // An A100 machine type: GPUs come with it, on-demand, no live migration.
        LaunchRequest a2;
        a2.name = QStringLiteral("a100-box");
        a2.zone = QStringLiteral("us-central1-b");
        a2.machineType = QStringLiteral("a2-highgpu-1g");
        const Result<Instance> a100 = run<Instance>(id, [a2](ComputeClient *c, const CancelToken &t, Callback<Instance> d) {
            c->launch(a2, t, std::move(d));
        });
        QVERIFY2(a100.ok(), qPrintable(a100.error().toString()));
        QVERIFY(!a100.value().spot);
        QCOMPARE(a100.value().gpu.model, QStringLiteral("A100 40GB"));

        // An unknown machine type: 400 from insert itself.
        LaunchRequest bad = a2;
        bad.name = QStringLiteral("bad-type");
        bad.machineType = QStringLiteral("n9-imaginary-8");
        const Result<Instance> badType = run<Instance>(id, [bad](ComputeClient *c, const CancelToken &t, Callback<Instance> d) {
            c->launch(bad, t, std::move(d));
        });
        QCOMPARE(badType.error().category(), Error::Category::InvalidInput);
        QVERIFY(badType.error().message().contains(QLatin1String("n9-imaginary-8")));

        // The insert operation fails (GPU quota): its error is the answer and no VM is left.
        control(QStringLiteral("fail-next-operation"),
                {{QStringLiteral("operationType"), QStringLiteral("insert")},
                 {QStringLiteral("code"), QStringLiteral("QUOTA_EXCEEDED")},
                 {QStringLiteral("message"), QStringLiteral("Quota 'NVIDIA_T4_GPUS' exceeded.  Limit: 2.0 in region us-central1.")},
                 {QStringLiteral("httpErrorStatusCode"), 403}});
        LaunchRequest quota = req;
        quota.name = QStringLiteral("over-quota");
        const Result<Instance> q = run<Instance>(id, [quota](ComputeClient *c, const CancelToken &t, Callback<Instance> d) {
            c->launch(quota, t, std::move(d));
        });
        QVERIFY(!q.ok());
        QCOMPARE(q.error().code(), QStringLiteral("QUOTA_EXCEEDED"));
        QVERIFY(q.error().message().contains(QLatin1String("NVIDIA_T4_GPUS")));
        QCOMPARE(get(id, QStringLiteral("us-central1-b"), QStringLiteral("over-quota")).value().state, InstanceState::Terminated);
    }

    void cancelWhileFollowingAnOperation()
    {
        seed(QJsonArray{QJsonObject{{QStringLiteral("zone"), QStringLiteral("us-central1-a")}, {QStringLiteral("name"), QStringLiteral("slow")},
                                    {QStringLiteral("status"), QStringLiteral("RUNNING")}}});
        control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 3}});
        const QString id = addAccount();
        const Instance in = get(id, QStringLiteral("us-central1-a"), QStringLiteral("slow")).value();
        QFuture<Status> f = start<Done>(id, [in](ComputeClient *c, const CancelToken &t, Callback<Done> d) {
            c->act(in, InstanceAction::Stop, t, std::move(d));
        });
        QTRY_VERIFY_WITH_TIMEOUT(get(id, QStringLiteral("us-central1-a"), QStringLiteral("slow")).value().providerState
                                     == QLatin1String("STOPPING"), 5000);
        QElapsedTimer t;
        t.start();
        f.cancel();
        const Status r = waitFor(f);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Cancelled);
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));  // not after the 6 s operation
        control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 0.15}});
    }
};

SKYDECK_TEST_MAIN(TestGce)
#include "tst_gce.moc"
