// Interop with Google's own client on the same test server: `gcloud` (google-cloud-cli, on these
// machines' image) signs in with the generated service-account key at its token_uri, pages through
// aggregatedList, and follows zone operations: what it lists matches what GceClient lists, and an
// action by either is seen by the other. Keeps the test server honest about the protocol.
#include "AccountRegistry.h"
#include "ComputeClient.h"
#include "GcpConfig.h"
#include "GcpProvider.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;

class TestGceGcloud : public QObject
{
    Q_OBJECT

    QString m_endpoint, m_control, m_key, m_gcloud;
    QTemporaryDir m_dir;
    std::unique_ptr<AccountRegistry> m_registry;
    QString m_id;
    QNetworkAccessManager m_nam;

    void control(const QString &what, const QJsonObject &body)
    {
        QNetworkRequest req(QUrl(m_control + QLatin1Char('/') + what));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = m_nam.post(req, QJsonDocument(body).toJson());
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            QVERIFY(done.wait(30000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }

    QByteArray gcloud(const QStringList &args, bool *ok)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), m_dir.filePath(QStringLiteral("gcloud")));
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        env.insert(QStringLiteral("CLOUDSDK_CORE_PROJECT"), QStringLiteral("skydeck-test"));
        env.insert(QStringLiteral("CLOUDSDK_CORE_DISABLE_PROMPTS"), QStringLiteral("1"));
        env.insert(QStringLiteral("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING"), QStringLiteral("true"));
        env.insert(QStringLiteral("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK"), QStringLiteral("true"));
        env.remove(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"));
        p.setProcessEnvironment(env);
        p.start(m_gcloud, args);
        const bool finished = p.waitForFinished(120000);
        *ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (!*ok)
            qWarning().noquote() << "gcloud" << args.join(QLatin1Char(' ')) << "failed:" << p.readAllStandardError();
        return p.readAllStandardOutput();
    }

    template <typename T>
    Result<T> run(std::function<void(ComputeClient *, const CancelToken &, Callback<T>)> fn)
    {
        ComputeClient *c = m_registry->compute(m_id);
        return waitFor(m_registry->worker(m_id)->run<T>([c, fn](const CancelToken &t, Callback<T> done) { fn(c, t, std::move(done)); }));
    }

    // name -> status, as GceClient lists them (pages of 10).
    QMap<QString, QString> skydeckList()
    {
        QMap<QString, QString> out;
        QString token;
        do {
            const Result<InstancePage> page = run<InstancePage>([token](ComputeClient *c, const CancelToken &t, Callback<InstancePage> d) {
                c->listInstances(QStringLiteral("*"), token, t, std::move(d));
            });
            if (!page.ok())
                return {};
            for (const Instance &in : page.value().instances)
                out.insert(in.zone + QLatin1Char('/') + in.name, in.providerState);
            token = page.value().nextPageToken;
        } while (!token.isEmpty());
        return out;
    }

    QMap<QString, QString> gcloudList()
    {
        bool ok = false;
        // A small page size: gcloud follows nextPageToken itself.
        const QByteArray json = gcloud({QStringLiteral("compute"), QStringLiteral("instances"), QStringLiteral("list"),
                                        QStringLiteral("--page-size=7"), QStringLiteral("--format=json")}, &ok);
        QMap<QString, QString> out;
        if (!ok)
            return out;
        for (const QJsonValue &v : QJsonDocument::fromJson(json).array()) {
            const QJsonObject o = v.toObject();
            const QString zone = o.value(QLatin1String("zone")).toString().section(QLatin1Char('/'), -1);
            out.insert(zone + QLatin1Char('/') + o.value(QLatin1String("name")).toString(), o.value(QLatin1String("status")).toString());
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_GCE_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_GCE_CONTROL");
        SKYDECK_REQUIRE_PEER(m_key, "SKYDECK_TEST_GCE_KEY");
        m_gcloud = QStandardPaths::findExecutable(QStringLiteral("gcloud"));
        if (m_gcloud.isEmpty())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("gcloud (google-cloud-cli) is not installed"));
        QVERIFY(m_dir.isValid());
        control(QStringLiteral("reset"), {});
        control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 0.2}});
        control(QStringLiteral("seed"), {{QStringLiteral("generate"), 30}});

        bool ok = false;
        gcloud({QStringLiteral("auth"), QStringLiteral("activate-service-account"), QStringLiteral("--key-file"), m_key}, &ok);
        QVERIFY2(ok, "gcloud refused the key or the token endpoint");

        gcp::registerProviders();
        m_registry = std::make_unique<AccountRegistry>();
        QProcessEnvironment env;
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), m_key);
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), m_dir.filePath(QStringLiteral("none")));
        QList<Account> found = gcp::discoverAccounts(env, m_dir.path());
        QCOMPARE(found.size(), 1);
        found.first().settings.insert(QStringLiteral("pageSize"), QStringLiteral("10"));
        found.first().settings.insert(QStringLiteral("operationPollMs"), QStringLiteral("100"));
        m_id = found.first().id;
        m_registry->addAccount(found.first());
    }

    void cleanupTestCase()
    {
        m_registry.reset();
        if (!m_control.isEmpty())
            control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 0.3}});
    }

    void sameListing()
    {
        const QMap<QString, QString> ours = skydeckList();
        const QMap<QString, QString> theirs = gcloudList();
        QCOMPARE(ours.size(), 30);
        QCOMPARE(theirs, ours);
    }

    void actionsSeenBothWays()
    {
        // gcloud stops a running VM (following its operation); GceClient sees it stopped.
        const QMap<QString, QString> before = skydeckList();
        const QString running = before.key(QStringLiteral("RUNNING"));
        const QString stopped = before.key(QStringLiteral("TERMINATED"));
        QVERIFY(!running.isEmpty() && !stopped.isEmpty());
        bool ok = false;
        gcloud({QStringLiteral("compute"), QStringLiteral("instances"), QStringLiteral("stop"), running.section(QLatin1Char('/'), 1),
                QStringLiteral("--zone"), running.section(QLatin1Char('/'), 0, 0)}, &ok);
        QVERIFY(ok);
        QCOMPARE(skydeckList().value(running), QStringLiteral("TERMINATED"));

        // GceClient starts a stopped one; gcloud describes it running.
        Instance in;
        in.name = stopped.section(QLatin1Char('/'), 1);
        in.resource = QStringLiteral("projects/skydeck-test/zones/%1/instances/%2").arg(stopped.section(QLatin1Char('/'), 0, 0), in.name);
        in.providerState = QStringLiteral("TERMINATED");
        const Status started = run<Done>([in](ComputeClient *c, const CancelToken &t, Callback<Done> d) {
            c->act(in, InstanceAction::Start, t, std::move(d));
        });
        QVERIFY2(started.ok(), qPrintable(started.error().toString()));
        const QByteArray json = gcloud({QStringLiteral("compute"), QStringLiteral("instances"), QStringLiteral("describe"), in.name,
                                        QStringLiteral("--zone"), stopped.section(QLatin1Char('/'), 0, 0), QStringLiteral("--format=json")},
                                       &ok);
        QVERIFY(ok);
        const QJsonObject described = QJsonDocument::fromJson(json).object();
        QCOMPARE(described.value(QLatin1String("status")).toString(), QStringLiteral("RUNNING"));
        QVERIFY(!described.value(QLatin1String("networkInterfaces")).toArray().first().toObject()
                     .value(QLatin1String("accessConfigs")).toArray().first().toObject().value(QLatin1String("natIP")).toString().isEmpty());
        QCOMPARE(gcloudList(), skydeckList());
    }
};

SKYDECK_TEST_MAIN(TestGceGcloud)
#include "tst_gce_gcloud.moc"
