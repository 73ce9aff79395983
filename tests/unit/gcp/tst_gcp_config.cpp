// Google Cloud account discovery: key files, application default credentials, gcloud's active
// configuration, project and endpoint precedence, secrets kept out of settings.
#include "GcpConfig.h"

#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace skydeck;

namespace {
const char *kFakePem = "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n";

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
}

QByteArray serviceAccountKey(const QString &email, const QString &project, const QString &tokenUri = {})
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("service_account")},
                  {QStringLiteral("project_id"), project},
                  {QStringLiteral("private_key_id"), QStringLiteral("abc123")},
                  {QStringLiteral("private_key"), QLatin1String(kFakePem)},
                  {QStringLiteral("client_email"), email},
                  {QStringLiteral("client_id"), QStringLiteral("1122")}};
    if (!tokenUri.isEmpty())
        o.insert(QStringLiteral("token_uri"), tokenUri);
    return QJsonDocument(o).toJson();
}

QByteArray authorizedUser(const QString &quotaProject = {})
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("authorized_user")},
                  {QStringLiteral("client_id"), QStringLiteral("764086051850-x.apps.googleusercontent.com")},
                  {QStringLiteral("client_secret"), QStringLiteral("d-secret")},
                  {QStringLiteral("refresh_token"), QStringLiteral("1//refresh")}};
    if (!quotaProject.isEmpty())
        o.insert(QStringLiteral("quota_project_id"), quotaProject);
    return QJsonDocument(o).toJson();
}
} // namespace

class TestGcpConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nothingFound()
    {
        QTemporaryDir home;
        QVERIFY(gcp::discoverAccounts(QProcessEnvironment(), home.path()).isEmpty());
    }

    void serviceAccountFromEnvironment()
    {
        QTemporaryDir home;
        const QString key = home.filePath(QStringLiteral("sa.json"));
        writeFile(key, serviceAccountKey(QStringLiteral("bot@proj-a.iam.gserviceaccount.com"), QStringLiteral("proj-a")));
        QProcessEnvironment env;
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), key);
        const QList<Account> found = gcp::discoverAccounts(env, home.path());
        QCOMPARE(found.size(), 1);
        const Account &a = found.first();
        QCOMPARE(a.id, QStringLiteral("gcp:key:bot@proj-a.iam.gserviceaccount.com"));
        QCOMPARE(a.provider, QStringLiteral("gcp"));
        QCOMPARE(a.setting(QStringLiteral("type")), QStringLiteral("service_account"));
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("proj-a"));
        QCOMPARE(a.setting(QStringLiteral("tokenUri")), QStringLiteral("https://oauth2.googleapis.com/token"));
        QCOMPARE(a.setting(QStringLiteral("computeEndpoint")), QStringLiteral("https://compute.googleapis.com/compute/v1/"));
        QCOMPARE(a.setting(QStringLiteral("privateKeyId")), QStringLiteral("abc123"));
        QCOMPARE(a.secret(QStringLiteral("privateKey")), QLatin1String(kFakePem));
        // The key is a secret: in no setting.
        for (auto it = a.settings.cbegin(); it != a.settings.cend(); ++it)
            QVERIFY2(!it.value().contains(QLatin1String("PRIVATE KEY")), qPrintable(it.key()));
        QVERIFY(a.displayName.contains(QLatin1String("proj-a")));
    }

    void projectPrecedence()
    {
        QTemporaryDir home;
        const QString key = home.filePath(QStringLiteral("sa.json"));
        writeFile(key, serviceAccountKey(QStringLiteral("bot@p.iam.gserviceaccount.com"), QStringLiteral("from-key")));
        const QString gcloud = home.filePath(QStringLiteral(".config/gcloud"));
        writeFile(gcloud + QStringLiteral("/active_config"), "work\n");
        writeFile(gcloud + QStringLiteral("/configurations/config_work"),
                  "[core]\naccount = me@example.com\nproject = from-gcloud\n\n[api_endpoint_overrides]\n"
                  "compute = https://compute.example.test/compute/v1/\n");
        writeFile(gcloud + QStringLiteral("/configurations/config_default"), "[core]\nproject = from-default\n");
        QProcessEnvironment env;
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), key);
        QCOMPARE(gcp::discoverAccounts(env, home.path()).first().setting(QStringLiteral("project")), QStringLiteral("from-key"));
        // The configuration's endpoint override applies.
        QCOMPARE(gcp::discoverAccounts(env, home.path()).first().setting(QStringLiteral("computeEndpoint")),
                 QStringLiteral("https://compute.example.test/compute/v1/"));
        env.insert(QStringLiteral("CLOUDSDK_CORE_PROJECT"), QStringLiteral("from-env"));
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), QStringLiteral("http://127.0.0.1:9/compute/v1/"));
        const Account a = gcp::discoverAccounts(env, home.path()).first();
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("from-env"));
        QCOMPARE(a.setting(QStringLiteral("computeEndpoint")), QStringLiteral("http://127.0.0.1:9/compute/v1/"));

        // ADC without a quota project: the active configuration's project; CLOUDSDK_ACTIVE_CONFIG_NAME picks another.
        writeFile(gcloud + QStringLiteral("/application_default_credentials.json"), authorizedUser());
        QProcessEnvironment env2;
        QList<Account> found = gcp::discoverAccounts(env2, home.path());
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().id, QStringLiteral("gcp:adc"));
        QCOMPARE(found.first().setting(QStringLiteral("project")), QStringLiteral("from-gcloud"));
        QVERIFY(found.first().displayName.contains(QLatin1String("me@example.com")));
        env2.insert(QStringLiteral("CLOUDSDK_ACTIVE_CONFIG_NAME"), QStringLiteral("default"));
        QCOMPARE(gcp::discoverAccounts(env2, home.path()).first().setting(QStringLiteral("project")),
                 QStringLiteral("from-default"));
        // A configuration name that walks out of the directory is ignored.
        env2.insert(QStringLiteral("CLOUDSDK_ACTIVE_CONFIG_NAME"), QStringLiteral("../../x"));
        QCOMPARE(gcp::discoverAccounts(env2, home.path()).first().setting(QStringLiteral("project")), QString());
    }

    void applicationDefaultCredentials()
    {
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("elsewhere"));
        writeFile(dir + QStringLiteral("/application_default_credentials.json"), authorizedUser(QStringLiteral("quota-p")));
        QProcessEnvironment env;
        env.insert(QStringLiteral("CLOUDSDK_CONFIG"), dir);
        const QList<Account> found = gcp::discoverAccounts(env, home.path());
        QCOMPARE(found.size(), 1);
        const Account &a = found.first();
        QCOMPARE(a.setting(QStringLiteral("type")), QStringLiteral("authorized_user"));
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("quota-p"));
        QCOMPARE(a.setting(QStringLiteral("clientId")), QStringLiteral("764086051850-x.apps.googleusercontent.com"));
        QCOMPARE(a.secret(QStringLiteral("clientSecret")), QStringLiteral("d-secret"));
        QCOMPARE(a.secret(QStringLiteral("refreshToken")), QStringLiteral("1//refresh"));
        QVERIFY(!a.settings.values().contains(QStringLiteral("1//refresh")));
        QVERIFY(!a.settings.values().contains(QStringLiteral("d-secret")));

        // The same file named by GOOGLE_APPLICATION_CREDENTIALS is one account, not two.
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), dir + QStringLiteral("/application_default_credentials.json"));
        QCOMPARE(gcp::discoverAccounts(env, home.path()).size(), 1);
        // A different key file beside it: two accounts, the explicit one first.
        const QString key = home.filePath(QStringLiteral("sa.json"));
        writeFile(key, serviceAccountKey(QStringLiteral("bot@p.iam.gserviceaccount.com"), QStringLiteral("p")));
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), key);
        const QList<Account> two = gcp::discoverAccounts(env, home.path());
        QCOMPARE(two.size(), 2);
        QCOMPARE(two.at(0).id, QStringLiteral("gcp:key:bot@p.iam.gserviceaccount.com"));
        QCOMPARE(two.at(1).id, QStringLiteral("gcp:adc"));
    }

    void refusedFiles()
    {
        QTemporaryDir home;
        QProcessEnvironment env;
        // A key whose token_uri would send the signed assertion over plain http to another host.
        const QString key = home.filePath(QStringLiteral("sa.json"));
        writeFile(key, serviceAccountKey(QStringLiteral("bot@p.iam.gserviceaccount.com"), QStringLiteral("p"),
                                         QStringLiteral("http://token.example.com/token")));
        Result<Account> a = gcp::accountFromCredentialsFile(key, {}, QStringLiteral("t"), env, home.path());
        QVERIFY(!a.ok());
        QCOMPARE(a.error().code(), QStringLiteral("InsecureUrl"));
        // Loopback http is allowed (test servers).
        writeFile(key, serviceAccountKey(QStringLiteral("bot@p.iam.gserviceaccount.com"), QStringLiteral("p"),
                                         QStringLiteral("http://127.0.0.1:8080/token")));
        QVERIFY(gcp::accountFromCredentialsFile(key, {}, QStringLiteral("t"), env, home.path()).ok());
        // Not JSON, an unsupported type, a key without its private key, a missing file.
        writeFile(key, "not json");
        QCOMPARE(gcp::accountFromCredentialsFile(key, {}, QStringLiteral("t"), env, home.path()).error().code(),
                 QStringLiteral("BadCredentialsFile"));
        writeFile(key, R"({"type": "external_account"})");
        QCOMPARE(gcp::accountFromCredentialsFile(key, {}, QStringLiteral("t"), env, home.path()).error().code(),
                 QStringLiteral("UnsupportedCredentials"));
        writeFile(key, R"({"type": "service_account", "client_email": "x@y"})");
        QCOMPARE(gcp::accountFromCredentialsFile(key, {}, QStringLiteral("t"), env, home.path()).error().code(),
                 QStringLiteral("BadCredentialsFile"));
        env.insert(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS"), home.filePath(QStringLiteral("missing.json")));
        QVERIFY(gcp::discoverAccounts(env, home.path()).isEmpty());
    }

    void gcloudIni()
    {
        const gcp::GcloudIni ini = gcp::parseGcloudIni(
            QStringLiteral("# comment\n[core]\nproject = p1\naccount=me@x\n\n[compute]\nzone = us-central1-a\nnot a pair\n"));
        QCOMPARE(ini.value(QStringLiteral("core")).value(QStringLiteral("project")), QStringLiteral("p1"));
        QCOMPARE(ini.value(QStringLiteral("core")).value(QStringLiteral("account")), QStringLiteral("me@x"));
        QCOMPARE(ini.value(QStringLiteral("compute")).value(QStringLiteral("zone")), QStringLiteral("us-central1-a"));
        QCOMPARE(ini.value(QStringLiteral("compute")).size(), 1);
    }

    void secureUrls()
    {
        QVERIFY(!gcp::checkSecureUrl(QUrl(QStringLiteral("https://compute.googleapis.com/compute/v1/")), QStringLiteral("x")).isError());
        QVERIFY(!gcp::checkSecureUrl(QUrl(QStringLiteral("http://localhost:1/")), QStringLiteral("x")).isError());
        QVERIFY(!gcp::checkSecureUrl(QUrl(QStringLiteral("http://[::1]:1/")), QStringLiteral("x")).isError());
        QVERIFY(gcp::checkSecureUrl(QUrl(QStringLiteral("http://10.0.0.1/")), QStringLiteral("x")).isError());
        QVERIFY(gcp::checkSecureUrl(QUrl(QStringLiteral("ftp://127.0.0.1/")), QStringLiteral("x")).isError());
        QVERIFY(gcp::checkSecureUrl(QUrl(QStringLiteral("nonsense")), QStringLiteral("x")).isError());
    }
};

SKYDECK_TEST_MAIN(TestGcpConfig)
#include "tst_gcp_config.moc"
