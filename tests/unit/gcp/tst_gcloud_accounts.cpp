// gcloud's own sign-in as Skydeck finds it: the active account (CLOUDSDK_CORE_ACCOUNT, the active
// configuration's [core] account), its row in credentials.db (gcloud's SQLite store, read only),
// auth/token_host, service-account impersonation (auth/impersonate_service_account and ADC files of
// type impersonated_service_account), and the errors that say what to run.
#include "GcloudCredentialStore.h"
#include "GcpConfig.h"
#include "GcpCredentials.h"

#include "TestMain.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
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

// What `gcloud auth login` / `activate-refresh-token` store for a user (creds.py ToJsonGoogleAuth).
QJsonObject userRow(const QString &refresh, const QString &tokenUri = QStringLiteral("https://oauth2.googleapis.com/token"))
{
    return {{QStringLiteral("client_id"), QStringLiteral("32555940559.apps.googleusercontent.com")},
            {QStringLiteral("client_secret"), QStringLiteral("ZmssLNjJy2998hD4CTg2ejr2")},
            {QStringLiteral("refresh_token"), refresh},
            {QStringLiteral("revoke_uri"), QStringLiteral("https://oauth2.googleapis.com/revoke")},
            {QStringLiteral("scopes"), QJsonValue::Null},
            {QStringLiteral("token_uri"), tokenUri},
            {QStringLiteral("type"), QStringLiteral("authorized_user")},
            {QStringLiteral("universe_domain"), QStringLiteral("googleapis.com")}};
}

// credentials.db as gcloud's SqliteCredentialStore creates it, with these rows.
void writeStore(const QString &path, const QList<std::pair<QString, QJsonObject>> &rows)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString name = QStringLiteral("test-writer");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS \"credentials\" (account_id TEXT PRIMARY KEY, value BLOB)")));
        for (const auto &[account, value] : rows) {
            QVERIFY(q.prepare(QStringLiteral("REPLACE INTO \"credentials\" (account_id, value) VALUES (?,?)")));
            q.addBindValue(account);
            q.addBindValue(QJsonDocument(value).toJson());
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

QByteArray sha256(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256) : QByteArray();
}

QProcessEnvironment envFor(const QString &dir)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CLOUDSDK_CONFIG"), dir);
    return env;
}
} // namespace

class TestGcloudAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void activeUserAccount()
    {
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        writeStore(dir + QStringLiteral("/credentials.db"),
                   {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//alice"))},
                    {QStringLiteral("bob@example.com"), userRow(QStringLiteral("1//bob"))}});
        writeFile(dir + QStringLiteral("/active_config"), "work\n");
        writeFile(dir + QStringLiteral("/configurations/config_work"), "[core]\naccount = alice@example.com\nproject = proj-w\n");
        const QByteArray before = sha256(dir + QStringLiteral("/credentials.db"));

        const QList<Account> found = gcp::discoverAccounts(envFor(dir), home.path());
        QCOMPARE(found.size(), 1);
        const Account &a = found.first();
        QCOMPARE(a.id, QStringLiteral("gcp:gcloud:alice@example.com"));
        QCOMPARE(a.setting(QStringLiteral("type")), QStringLiteral("authorized_user"));
        QCOMPARE(a.setting(QStringLiteral("gcloudAccount")), QStringLiteral("alice@example.com"));
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("proj-w"));
        QCOMPARE(a.setting(QStringLiteral("tokenUri")), QStringLiteral("https://oauth2.googleapis.com/token"));
        QCOMPARE(a.setting(QStringLiteral("clientId")), QStringLiteral("32555940559.apps.googleusercontent.com"));
        QCOMPARE(a.setting(QStringLiteral("loginCommand")), QStringLiteral("gcloud auth login alice@example.com"));
        QVERIFY(a.setting(QStringLiteral("impersonateServiceAccount")).isEmpty());
        QCOMPARE(a.secret(QStringLiteral("refreshToken")), QStringLiteral("1//alice"));
        QCOMPARE(a.secret(QStringLiteral("clientSecret")), QStringLiteral("ZmssLNjJy2998hD4CTg2ejr2"));
        QVERIFY(!a.settings.values().contains(QStringLiteral("1//alice")));
        QVERIFY(a.displayName.contains(QStringLiteral("alice@example.com")));
        QVERIFY(a.source.contains(QStringLiteral("credentials.db")));
        // Read, never written: the file is byte for byte what it was.
        QCOMPARE(sha256(dir + QStringLiteral("/credentials.db")), before);

        // CLOUDSDK_CORE_ACCOUNT picks another row, as it does for gcloud.
        QProcessEnvironment env = envFor(dir);
        env.insert(QStringLiteral("CLOUDSDK_CORE_ACCOUNT"), QStringLiteral("bob@example.com"));
        const Result<Account> bob = gcp::accountFromGcloud(env, home.path());
        QVERIFY2(bob.ok(), qPrintable(bob.error().toString()));
        QCOMPARE(bob.value().secret(QStringLiteral("refreshToken")), QStringLiteral("1//bob"));
        // GcpAuthConfig takes it as a refresh-token sign-in with its login hint.
        const Result<gcp::GcpAuthConfig> auth = gcp::GcpAuthConfig::fromAccount(bob.value());
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().kind, gcp::GcpAuthConfig::Kind::AuthorizedUser);
        QCOMPARE(auth.value().loginCommand, QStringLiteral("gcloud auth login bob@example.com"));
        QCOMPARE(auth.value().signedInAs, QStringLiteral("bob@example.com"));
    }

    void tokenHostWins()
    {
        // creds.py GetEffectiveTokenUri: auth/token_host over the stored token_uri.
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        writeStore(dir + QStringLiteral("/credentials.db"),
                   {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//a"), QStringLiteral("https://stored.example/token"))}});
        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\naccount = alice@example.com\n");
        QCOMPARE(gcp::accountFromGcloud(envFor(dir), home.path()).value().setting(QStringLiteral("tokenUri")),
                 QStringLiteral("https://stored.example/token"));
        writeFile(dir + QStringLiteral("/configurations/config_default"),
                  "[core]\naccount = alice@example.com\n[auth]\ntoken_host = https://config.example/token\n");
        QCOMPARE(gcp::accountFromGcloud(envFor(dir), home.path()).value().setting(QStringLiteral("tokenUri")),
                 QStringLiteral("https://config.example/token"));
        QProcessEnvironment env = envFor(dir);
        env.insert(QStringLiteral("CLOUDSDK_AUTH_TOKEN_HOST"), QStringLiteral("http://127.0.0.1:9/token"));
        QCOMPARE(gcp::accountFromGcloud(env, home.path()).value().setting(QStringLiteral("tokenUri")),
                 QStringLiteral("http://127.0.0.1:9/token"));
        // Plain http elsewhere than loopback would carry the refresh token in the clear: refused.
        env.insert(QStringLiteral("CLOUDSDK_AUTH_TOKEN_HOST"), QStringLiteral("http://tokens.example/token"));
        QCOMPARE(gcp::accountFromGcloud(env, home.path()).error().code(), QStringLiteral("InsecureUrl"));
    }

    void serviceAccountRow()
    {
        // `gcloud auth activate-service-account --key-file` stores the key under the account's email.
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        const QString email = QStringLiteral("ci@proj-k.iam.gserviceaccount.com");
        writeStore(dir + QStringLiteral("/credentials.db"),
                   {{email, QJsonObject{{QStringLiteral("type"), QStringLiteral("service_account")},
                                        {QStringLiteral("client_email"), email},
                                        {QStringLiteral("private_key"), QLatin1String(kFakePem)},
                                        {QStringLiteral("private_key_id"), QStringLiteral("k1")},
                                        {QStringLiteral("client_id"), QStringLiteral("77")},
                                        {QStringLiteral("token_uri"), QStringLiteral("https://oauth2.googleapis.com/token")},
                                        {QStringLiteral("project_id"), QStringLiteral("proj-k")}}}});
        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\naccount = " + email.toUtf8() + "\n");
        const Result<Account> a = gcp::accountFromGcloud(envFor(dir), home.path());
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QCOMPARE(a.value().setting(QStringLiteral("type")), QStringLiteral("service_account"));
        QCOMPARE(a.value().setting(QStringLiteral("clientEmail")), email);
        QCOMPARE(a.value().setting(QStringLiteral("project")), QStringLiteral("proj-k"));
        QCOMPARE(a.value().secret(QStringLiteral("privateKey")), QLatin1String(kFakePem));
        QCOMPARE(a.value().setting(QStringLiteral("loginCommand")), QStringLiteral("gcloud auth activate-service-account ") + email);
    }

    void otherUniverse()
    {
        // Outside googleapis.com gcloud keys the row "account#universe_domain".
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        writeStore(dir + QStringLiteral("/credentials.db"),
                   {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//gdu"))},
                    {QStringLiteral("alice@example.com#s3nsapis.fr"), userRow(QStringLiteral("1//s3ns"))}});
        writeFile(dir + QStringLiteral("/configurations/config_default"),
                  "[core]\naccount = alice@example.com\nuniverse_domain = s3nsapis.fr\n");
        QCOMPARE(gcp::accountFromGcloud(envFor(dir), home.path()).value().secret(QStringLiteral("refreshToken")),
                 QStringLiteral("1//s3ns"));
        QCOMPARE(gcp::readGcloudCredentials(dir + QStringLiteral("/credentials.db"), QStringLiteral("alice@example.com"))
                     .value().value(QLatin1String("refresh_token")).toString(),
                 QStringLiteral("1//gdu"));
    }

    void clearErrors()
    {
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        // No gcloud at all: nothing listed, and the reason is "no active account".
        QVERIFY(gcp::discoverAccounts(envFor(dir), home.path()).isEmpty());
        QCOMPARE(gcp::accountFromGcloud(envFor(dir), home.path()).error().code(), QStringLiteral("NoActiveAccount"));

        // Signed in once, then `gcloud config unset account`.
        writeStore(dir + QStringLiteral("/credentials.db"), {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//a"))}});
        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\nproject = p\n");
        Result<Account> r = gcp::accountFromGcloud(envFor(dir), home.path());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::Auth);
        QCOMPARE(r.error().code(), QStringLiteral("NoActiveAccount"));
        QVERIFY2(r.error().message().contains(QStringLiteral("gcloud auth login")), qPrintable(r.error().message()));

        // An account gcloud holds no credentials for (`gcloud config set account bob@...`).
        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\naccount = bob@example.com\n");
        r = gcp::accountFromGcloud(envFor(dir), home.path());
        QCOMPARE(r.error().code(), QStringLiteral("NoCredentialsForAccount"));
        QVERIFY2(r.error().message().contains(QStringLiteral("gcloud auth login bob@example.com")), qPrintable(r.error().message()));
        QVERIFY(r.error().message().contains(QStringLiteral("credentials.db")));

        // An active account but no credentials.db at all.
        QVERIFY(QFile::remove(dir + QStringLiteral("/credentials.db")));
        r = gcp::accountFromGcloud(envFor(dir), home.path());
        QCOMPARE(r.error().code(), QStringLiteral("NoCredentialsForAccount"));
        QVERIFY(r.error().message().contains(QStringLiteral("gcloud auth login bob@example.com")));

        // Not an SQLite file: an error naming it, no crash.
        writeFile(dir + QStringLiteral("/credentials.db"), "this is not a database, it only has the name of one\n");
        r = gcp::accountFromGcloud(envFor(dir), home.path());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code(), QStringLiteral("BadCredentialStore"));
        QVERIFY(r.error().message().contains(QStringLiteral("credentials.db")));
    }

    void impersonationFromGcloudProperties()
    {
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        writeStore(dir + QStringLiteral("/credentials.db"), {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//a"))}});
        // `gcloud config set auth/impersonate_service_account` and an iamcredentials endpoint override.
        writeFile(dir + QStringLiteral("/configurations/config_default"),
                  "[core]\naccount = alice@example.com\nproject = p\n"
                  "[auth]\nimpersonate_service_account = hop@p.iam.gserviceaccount.com, deployer@p.iam.gserviceaccount.com\n");
        Result<Account> a = gcp::accountFromGcloud(envFor(dir), home.path());
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QCOMPARE(a.value().setting(QStringLiteral("impersonateServiceAccount")), QStringLiteral("deployer@p.iam.gserviceaccount.com"));
        QCOMPARE(a.value().setting(QStringLiteral("delegates")), QStringLiteral("hop@p.iam.gserviceaccount.com"));
        QCOMPARE(a.value().setting(QStringLiteral("impersonationUrl")),
                 QStringLiteral("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
                                "deployer@p.iam.gserviceaccount.com:generateAccessToken"));
        QVERIFY(a.value().displayName.contains(QStringLiteral("deployer@p.iam.gserviceaccount.com via alice@example.com")));

        // The environment wins over the file, as for every gcloud property.
        QProcessEnvironment env = envFor(dir);
        env.insert(QStringLiteral("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT"), QStringLiteral("ops@p.iam.gserviceaccount.com"));
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS"), QStringLiteral("http://127.0.0.1:9"));
        a = gcp::accountFromGcloud(env, home.path());
        QCOMPARE(a.value().setting(QStringLiteral("impersonateServiceAccount")), QStringLiteral("ops@p.iam.gserviceaccount.com"));
        QVERIFY(a.value().setting(QStringLiteral("delegates")).isEmpty());
        QCOMPARE(a.value().setting(QStringLiteral("impersonationUrl")),
                 QStringLiteral("http://127.0.0.1:9/v1/projects/-/serviceAccounts/ops@p.iam.gserviceaccount.com:generateAccessToken"));
        const Result<gcp::GcpAuthConfig> auth = gcp::GcpAuthConfig::fromAccount(a.value());
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().impersonate, QStringLiteral("ops@p.iam.gserviceaccount.com"));
        // The source signs in with the cloud-platform scope and no impersonation of its own.
        QVERIFY(auth.value().source().impersonate.isEmpty());
        QCOMPARE(auth.value().source().kind, gcp::GcpAuthConfig::Kind::AuthorizedUser);

        // An IAM endpoint that would carry the user's token in the clear is refused.
        env.insert(QStringLiteral("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS"), QStringLiteral("http://iam.example/"));
        QCOMPARE(gcp::accountFromGcloud(env, home.path()).error().code(), QStringLiteral("InsecureUrl"));
    }

    void impersonatedServiceAccountFile()
    {
        // What `gcloud auth application-default login --impersonate-service-account SA` writes.
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        const QString url = QStringLiteral("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
                                           "deployer@p.iam.gserviceaccount.com:generateAccessToken");
        QJsonObject source{{QStringLiteral("type"), QStringLiteral("authorized_user")},
                           {QStringLiteral("client_id"), QStringLiteral("764086051850-x.apps.googleusercontent.com")},
                           {QStringLiteral("client_secret"), QStringLiteral("d-secret")},
                           {QStringLiteral("refresh_token"), QStringLiteral("1//adc")}};
        QJsonObject adc{{QStringLiteral("type"), QStringLiteral("impersonated_service_account")},
                        {QStringLiteral("delegates"), QJsonArray{QStringLiteral("projects/-/serviceAccounts/hop@p.iam.gserviceaccount.com")}},
                        {QStringLiteral("service_account_impersonation_url"), url},
                        {QStringLiteral("source_credentials"), source},
                        {QStringLiteral("quota_project_id"), QStringLiteral("quota-p")}};
        writeFile(dir + QStringLiteral("/application_default_credentials.json"), QJsonDocument(adc).toJson());
        const QList<Account> found = gcp::discoverAccounts(envFor(dir), home.path());
        QCOMPARE(found.size(), 1);
        const Account &a = found.first();
        QCOMPARE(a.id, QStringLiteral("gcp:adc"));
        QCOMPARE(a.setting(QStringLiteral("type")), QStringLiteral("authorized_user"));
        QCOMPARE(a.setting(QStringLiteral("impersonateServiceAccount")), QStringLiteral("deployer@p.iam.gserviceaccount.com"));
        QCOMPARE(a.setting(QStringLiteral("delegates")), QStringLiteral("hop@p.iam.gserviceaccount.com"));
        QCOMPARE(a.setting(QStringLiteral("impersonationUrl")), url);
        QCOMPARE(a.setting(QStringLiteral("project")), QStringLiteral("quota-p"));
        QCOMPARE(a.setting(QStringLiteral("loginCommand")), QStringLiteral("gcloud auth application-default login"));
        QCOMPARE(a.secret(QStringLiteral("refreshToken")), QStringLiteral("1//adc"));

        // A URL that names no service account is refused with the file named.
        adc.insert(QStringLiteral("service_account_impersonation_url"), QStringLiteral("https://iamcredentials.googleapis.com/v1/nothing"));
        writeFile(dir + QStringLiteral("/application_default_credentials.json"), QJsonDocument(adc).toJson());
        const Result<Account> bad = gcp::accountFromCredentialsFile(dir + QStringLiteral("/application_default_credentials.json"), {}, {},
                                                                    envFor(dir), home.path());
        QCOMPARE(bad.error().code(), QStringLiteral("BadCredentialsFile"));
    }

    void orderAndDuplicates()
    {
        // GOOGLE_APPLICATION_CREDENTIALS, then the ADC file, then gcloud's active account; the latter
        // left out when it is the same sign-in as one already listed.
        QTemporaryDir home;
        const QString dir = home.filePath(QStringLiteral("gcloud"));
        QJsonObject adc = userRow(QStringLiteral("1//same"));
        writeFile(dir + QStringLiteral("/application_default_credentials.json"), QJsonDocument(adc).toJson());
        writeStore(dir + QStringLiteral("/credentials.db"), {{QStringLiteral("alice@example.com"), userRow(QStringLiteral("1//same"))},
                                                             {QStringLiteral("bob@example.com"), userRow(QStringLiteral("1//other"))}});
        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\naccount = alice@example.com\n");
        QList<Account> found = gcp::discoverAccounts(envFor(dir), home.path());
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().id, QStringLiteral("gcp:adc"));

        writeFile(dir + QStringLiteral("/configurations/config_default"), "[core]\naccount = bob@example.com\n");
        found = gcp::discoverAccounts(envFor(dir), home.path());
        QCOMPARE(found.size(), 2);
        QCOMPARE(found.at(0).id, QStringLiteral("gcp:adc"));
        QCOMPARE(found.at(1).id, QStringLiteral("gcp:gcloud:bob@example.com"));

        // Impersonating with the same user is another identity: listed.
        writeFile(dir + QStringLiteral("/configurations/config_default"),
                  "[core]\naccount = alice@example.com\n[auth]\nimpersonate_service_account = sa@p.iam.gserviceaccount.com\n");
        found = gcp::discoverAccounts(envFor(dir), home.path());
        QCOMPARE(found.size(), 2);
        QCOMPARE(found.at(1).setting(QStringLiteral("impersonateServiceAccount")), QStringLiteral("sa@p.iam.gserviceaccount.com"));
    }
};

SKYDECK_TEST_MAIN(TestGcloudAccounts)
#include "tst_gcloud_accounts.moc"
