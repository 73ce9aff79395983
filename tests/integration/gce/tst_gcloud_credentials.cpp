// gcloud's own sign-in, written by gcloud and read by Skydeck, against the gce test server: the user
// credentials `gcloud auth activate-refresh-token` stores in credentials.db (the same code path that
// stores them after `gcloud auth login`), service-account impersonation as `gcloud config set
// auth/impersonate_service_account` configures it, impersonation refused, short-lived tokens renewed
// through a run of calls, a revoked refresh token, no active account and an account without
// credentials. gcloud runs each flow first against the same server: what it accepts and how it fails
// is what Skydeck is held to.
#include "AccountRegistry.h"
#include "ComputeClient.h"
#include "GcpConfig.h"
#include "GcpProvider.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;

namespace {
const QString kUser = QStringLiteral("alice@example.com");
const QString kTarget = QStringLiteral("deployer@skydeck-test.iam.gserviceaccount.com");
// A test OAuth client, given to gcloud as auth/client_id and auth/client_secret.
const QString kClientId = QStringLiteral("skydeck-gcloud-test.apps.googleusercontent.com");
const QString kClientSecret = QStringLiteral("gcloud-test-secret");
} // namespace

class TestGcloudCredentials : public QObject
{
    Q_OBJECT

    QString m_endpoint, m_control, m_base, m_gcloud, m_refreshToken;
    QTemporaryDir m_dir;
    std::unique_ptr<AccountRegistry> m_registry;
    QNetworkAccessManager m_nam;
    int m_accounts = 0;

    QString configDir() const { return m_dir.filePath(QStringLiteral("gcloud")); }

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
    QJsonObject stats() { return control(QStringLiteral("stats"), {}, false); }
    int stat(const char *name) { return stats().value(QLatin1String(name)).toInt(); }
    void allowImpersonation(const QStringList &who)
    {
        control(QStringLiteral("iam"), {{QStringLiteral("serviceAccount"), kTarget},
                                        {QStringLiteral("tokenCreators"), QJsonArray::fromStringList(who)}});
    }

    // The environment both gcloud and Skydeck run in: gcloud's directory, the Compute endpoint, the project.
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), configDir());
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), m_endpoint);
        env.insert(QStringLiteral("CLOUDSDK_CORE_PROJECT"), QStringLiteral("skydeck-test"));
        return env;
    }

    QByteArray gcloud(const QStringList &args, bool *ok, const QProcessEnvironment &extra = {}, QByteArray *err = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &k : {QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), QStringLiteral("CLOUDSDK_CORE_ACCOUNT"),
                                 QStringLiteral("CLOUDSDK_ACTIVE_CONFIG_NAME"), QStringLiteral("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT")})
            env.remove(k);
        const QProcessEnvironment ours = environment();
        for (const QString &k : ours.keys())
            env.insert(k, ours.value(k));
        for (const QString &k : extra.keys())
            env.insert(k, extra.value(k));
        env.insert(QStringLiteral("CLOUDSDK_CORE_DISABLE_PROMPTS"), QStringLiteral("1"));
        env.insert(QStringLiteral("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING"), QStringLiteral("true"));
        env.insert(QStringLiteral("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK"), QStringLiteral("true"));
        p.setProcessEnvironment(env);
        p.start(m_gcloud, args);
        const bool finished = p.waitForFinished(120000);
        *ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        const QByteArray stderrText = p.readAllStandardError();
        if (err)
            *err = stderrText;
        else if (!*ok)
            qWarning().noquote() << "gcloud" << args.join(QLatin1Char(' ')) << "failed:" << stderrText;
        return p.readAllStandardOutput();
    }

    QStringList gcloudList(bool *ok, QByteArray *err = nullptr)
    {
        const QByteArray out = gcloud({QStringLiteral("compute"), QStringLiteral("instances"), QStringLiteral("list"),
                                       QStringLiteral("--format=value(name)")}, ok, {}, err);
        QStringList names = QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        names.sort();
        return names;
    }

    // gcloud's active account as Skydeck discovers it, registered with a fresh client (and token cache).
    Result<QString> addGcloudAccount()
    {
        const Result<Account> found = gcp::accountFromGcloud(environment(), m_dir.path());
        if (!found.ok())
            return found.error();
        Account a = found.value();
        a.id += QStringLiteral("#") + QString::number(++m_accounts);
        m_registry->addAccount(a);
        return a.id;
    }

    Result<QStringList> skydeckList(const QString &id)
    {
        ComputeClient *c = m_registry->compute(id);
        QStringList names;
        QString token;
        do {
            const Result<InstancePage> page = waitFor(m_registry->worker(id)->run<InstancePage>(
                [c, token](const CancelToken &t, Callback<InstancePage> done) { c->listInstances(QStringLiteral("*"), token, t, std::move(done)); }));
            if (!page.ok())
                return page.error();
            for (const Instance &in : page.value().instances)
                names.append(in.name);
            token = page.value().nextPageToken;
        } while (!token.isEmpty());
        names.sort();
        return names;
    }

    // Lists for `ms` with both the server's and our clock running: every call must succeed.
    int keepListing(const QString &id, qint64 ms)
    {
        QElapsedTimer t;
        t.start();
        int calls = 0;
        while (t.elapsed() < ms) {
            const Result<QStringList> r = skydeckList(id);
            if (!r.ok()) {
                qWarning().noquote() << "call" << calls << "failed after" << t.elapsed() << "ms:" << r.error().toString();
                return -1;
            }
            ++calls;
        }
        return calls;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_GCE_ENDPOINT");
        SKYDECK_REQUIRE_PEER(m_control, "SKYDECK_TEST_GCE_CONTROL");
        m_base = m_control.section(QStringLiteral("/_control"), 0, 0);
        m_gcloud = QStandardPaths::findExecutable(QStringLiteral("gcloud"));
        if (m_gcloud.isEmpty())
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("gcloud (google-cloud-cli) is not installed"));
        QVERIFY(m_dir.isValid());
        control(QStringLiteral("reset"));
        control(QStringLiteral("config"), {{QStringLiteral("stepDelay"), 0.15}});
        control(QStringLiteral("seed"), {{QStringLiteral("generate"), 12}});

        // The user's refresh token, as the server's consent screen would have handed it to gcloud.
        m_refreshToken = QStringLiteral("1//0skydeck-alice-%1").arg(QRandomGenerator::global()->generate64(), 0, 16);
        control(QStringLiteral("user"), {{QStringLiteral("account"), kUser}, {QStringLiteral("refreshToken"), m_refreshToken},
                                         {QStringLiteral("clientId"), kClientId}, {QStringLiteral("clientSecret"), kClientSecret}});
        // gcloud checks it at the token endpoint (auth/token_host), stores it in credentials.db and
        // makes alice the active account: exactly what `gcloud auth login` leaves behind.
        QProcessEnvironment login;
        login.insert(QStringLiteral("CLOUDSDK_AUTH_TOKEN_HOST"), m_base + QStringLiteral("/token"));
        login.insert(QStringLiteral("CLOUDSDK_AUTH_CLIENT_ID"), kClientId);
        login.insert(QStringLiteral("CLOUDSDK_AUTH_CLIENT_SECRET"), kClientSecret);
        const int refreshes = stat("token_refresh");
        bool ok = false;
        gcloud({QStringLiteral("auth"), QStringLiteral("activate-refresh-token"), kUser, m_refreshToken}, &ok, login);
        QVERIFY2(ok, "gcloud refused the refresh token or the token endpoint");
        QCOMPARE(stat("token_refresh"), refreshes + 1);
        QVERIFY(QFileInfo::exists(configDir() + QStringLiteral("/credentials.db")));

        gcp::registerProviders();
        m_registry = std::make_unique<AccountRegistry>();
    }

    void cleanup()
    {
        control(QStringLiteral("config"), {{QStringLiteral("tokenLifetime"), 3600}});
        allowImpersonation({kUser});
    }

    void cleanupTestCase()
    {
        m_registry.reset();
        if (!m_control.isEmpty())
            control(QStringLiteral("reset"));
    }

    void userCredentialsWrittenByGcloud()
    {
        bool ok = false;
        const QStringList theirs = gcloudList(&ok);
        QVERIFY(ok);
        QCOMPARE(theirs.size(), 12);
        QCOMPARE(stats().value(QLatin1String("last_principal")).toString(), kUser);

        // Discovery finds the account gcloud made active, with the row gcloud wrote.
        const QList<Account> found = gcp::discoverAccounts(environment(), m_dir.path());
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().id, QStringLiteral("gcp:gcloud:") + kUser);
        QCOMPARE(found.first().setting(QStringLiteral("tokenUri")), m_base + QStringLiteral("/token"));
        QCOMPARE(found.first().secret(QStringLiteral("refreshToken")), m_refreshToken);

        const Result<QString> id = addGcloudAccount();
        QVERIFY2(id.ok(), qPrintable(id.error().toString()));
        const int refreshes = stat("token_refresh");
        const Result<QStringList> ours = skydeckList(id.value());
        QVERIFY2(ours.ok(), qPrintable(ours.error().toString()));
        QCOMPARE(ours.value(), theirs);
        QCOMPARE(stat("token_refresh"), refreshes + 1);  // the refresh-token grant, once, then cached
        QVERIFY(skydeckList(id.value()).ok());
        QCOMPARE(stat("token_refresh"), refreshes + 1);
        QCOMPARE(stats().value(QLatin1String("last_principal")).toString(), kUser);
    }

    void impersonationAsGcloudConfiguresIt()
    {
        allowImpersonation({kUser});
        bool ok = false;
        // gcloud writes both properties into the active configuration itself.
        gcloud({QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("api_endpoint_overrides/iamcredentials"),
                m_base + QLatin1Char('/')}, &ok);
        QVERIFY(ok);
        gcloud({QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("auth/impersonate_service_account"), kTarget}, &ok);
        QVERIFY(ok);
        int minted = stat("iam_tokens");
        const QStringList theirs = gcloudList(&ok);
        QVERIFY(ok);
        QVERIFY(stat("iam_tokens") > minted);
        QCOMPARE(stats().value(QLatin1String("last_principal")).toString(), kTarget);

        const Result<QString> id = addGcloudAccount();
        QVERIFY2(id.ok(), qPrintable(id.error().toString()));
        minted = stat("iam_tokens");
        const Result<QStringList> ours = skydeckList(id.value());
        QVERIFY2(ours.ok(), qPrintable(ours.error().toString()));
        QCOMPARE(ours.value(), theirs);
        QCOMPARE(stat("iam_tokens"), minted + 1);
        QCOMPARE(stats().value(QLatin1String("last_principal")).toString(), kTarget);  // the calls ran as the SA
        QVERIFY(skydeckList(id.value()).ok());
        QCOMPARE(stat("iam_tokens"), minted + 1);  // cached

        // The server forgets every token: the 401 brings a new impersonated token (and source token).
        control(QStringLiteral("expire-tokens"));
        const int refreshes = stat("token_refresh");
        QVERIFY(skydeckList(id.value()).ok());
        QCOMPARE(stat("iam_tokens"), minted + 2);
        QCOMPARE(stat("token_refresh"), refreshes + 1);
    }

    void impersonationRefused()
    {
        // Still impersonating (the configuration above), but alice lost roles/iam.serviceAccountTokenCreator.
        allowImpersonation({});
        bool ok = true;
        QByteArray err;
        gcloudList(&ok, &err);
        QVERIFY(!ok);
        QVERIFY2(err.contains("iam.serviceAccounts.getAccessToken"), err.constData());

        const Result<QString> id = addGcloudAccount();
        QVERIFY(id.ok());
        const int denied = stat("iam_denied");
        const Result<QStringList> r = skydeckList(id.value());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Permission);
        QCOMPARE(r.error().code(), QStringLiteral("PERMISSION_DENIED"));
        QCOMPARE(r.error().httpStatus(), 403);
        QVERIFY2(r.error().message().contains(kTarget), qPrintable(r.error().message()));
        QVERIFY2(r.error().message().contains(kUser), qPrintable(r.error().message()));
        QVERIFY2(r.error().message().contains(QStringLiteral("iam.serviceAccounts.getAccessToken")), qPrintable(r.error().message()));
        QCOMPARE(stat("iam_denied"), denied + 1);  // refused once, not retried
    }

    void shortLivedTokensRenewedThroughACallSequence()
    {
        // 2 s tokens from both the token endpoint and generateAccessToken: five seconds of calls with
        // the impersonated account, then with the plain user, each renewed ahead of expiry, none refused.
        control(QStringLiteral("config"), {{QStringLiteral("tokenLifetime"), 2}});
        Result<QString> id = addGcloudAccount();
        QVERIFY(id.ok());
        int unauthorized = stat("unauthorized");
        int minted = stat("iam_tokens");
        int refreshes = stat("token_refresh");
        int calls = keepListing(id.value(), 5000);
        QVERIFY(calls > 0);
        QCOMPARE(stat("unauthorized"), unauthorized);
        const int impersonated = stat("iam_tokens") - minted;
        const int sources = stat("token_refresh") - refreshes;
        QVERIFY2(impersonated >= 3, qPrintable(QString::number(impersonated)));
        QVERIFY2(sources >= 3, qPrintable(QString::number(sources)));
        qInfo("impersonated, 2 s tokens: %d calls, %d service-account and %d user tokens, no 401", calls, impersonated, sources);

        bool ok = false;
        gcloud({QStringLiteral("config"), QStringLiteral("unset"), QStringLiteral("auth/impersonate_service_account")}, &ok);
        QVERIFY(ok);
        id = addGcloudAccount();
        QVERIFY(id.ok());
        unauthorized = stat("unauthorized");
        refreshes = stat("token_refresh");
        calls = keepListing(id.value(), 5000);
        QVERIFY(calls > 0);
        QCOMPARE(stat("unauthorized"), unauthorized);
        const int renewed = stat("token_refresh") - refreshes;
        QVERIFY2(renewed >= 3, qPrintable(QString::number(renewed)));
        QCOMPARE(stats().value(QLatin1String("last_principal")).toString(), kUser);
        qInfo("gcloud user, 2 s tokens: %d calls, %d tokens, no 401", calls, renewed);
    }

    void revokedRefreshToken()
    {
        const Result<QString> id = addGcloudAccount();
        QVERIFY(id.ok());
        QVERIFY(skydeckList(id.value()).ok());
        control(QStringLiteral("revoke"), {{QStringLiteral("refreshToken"), m_refreshToken}});
        control(QStringLiteral("expire-tokens"));

        bool ok = true;
        QByteArray err;
        gcloudList(&ok, &err);
        QVERIFY(!ok);
        QVERIFY2(err.contains("invalid_grant") && err.contains("gcloud auth login"), err.constData());

        // The 401 makes Skydeck refresh; the refusal says what to run, and is not retried.
        const int errors = stat("token_errors");
        const Result<QStringList> r = skydeckList(id.value());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Auth);
        QCOMPARE(r.error().code(), QStringLiteral("invalid_grant"));
        QVERIFY2(r.error().message().contains(QStringLiteral("run gcloud auth login ") + kUser + QStringLiteral(" again")),
                 qPrintable(r.error().message()));
        QCOMPARE(stat("token_errors"), errors + 1);
    }

    void noActiveAccountOrNoCredentials()
    {
        bool ok = false;
        QByteArray err;
        gcloud({QStringLiteral("config"), QStringLiteral("unset"), QStringLiteral("account")}, &ok);
        QVERIFY(ok);
        gcloudList(&ok, &err);
        QVERIFY(!ok);
        QVERIFY2(err.contains("do not currently have an active account"), err.constData());
        Result<Account> a = gcp::accountFromGcloud(environment(), m_dir.path());
        QVERIFY(!a.ok());
        QCOMPARE(a.error().code(), QStringLiteral("NoActiveAccount"));
        QVERIFY(gcp::discoverAccounts(environment(), m_dir.path()).isEmpty());

        gcloud({QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("account"), QStringLiteral("bob@example.com")}, &ok);
        QVERIFY(ok);
        gcloudList(&ok, &err);
        QVERIFY(!ok);
        QVERIFY2(err.contains("does not have any valid credentials"), err.constData());
        a = gcp::accountFromGcloud(environment(), m_dir.path());
        QVERIFY(!a.ok());
        QCOMPARE(a.error().code(), QStringLiteral("NoCredentialsForAccount"));
        QVERIFY2(a.error().message().contains(QStringLiteral("gcloud auth login bob@example.com")), qPrintable(a.error().message()));
    }
};

SKYDECK_TEST_MAIN(TestGcloudCredentials)
#include "tst_gcloud_credentials.moc"
