// Every AWS credential flow against a server that speaks its protocol:
//  - STS AssumeRole (source_profile, credential_source, mfa_serial, refresh before expiry) and
//    AssumeRoleWithWebIdentity against moto's STS (scripts/peers.sh ec2:
//    SKYDECK_TEST_MOTO_STS_ENDPOINT); the credentials got are checked with moto's GetCallerIdentity
//    (it names the assumed role and session) and used for S3 against the same moto;
//  - the AWS CLI's own ~/.aws/cli/cache, written by the real `aws` for the same role, read back;
//  - IAM Identity Center GetRoleCredentials against tests/servers/sso_portal_server.py, with the
//    token `aws sso login` leaves in ~/.aws/sso/cache;
//  - the EC2 instance role through IMDSv2 against tests/servers/imds_server.py.
// The two test servers are started here (python3, standard library); each was checked with the
// real AWS CLI (see the README's "AWS credentials" section).
#include "AwsConfig.h"
#include "AwsCredentialSpec.h"
#include "CredentialProvider.h"
#include "HttpClient.h"
#include "Peers.h"
#include "S3Client.h"
#include "TestMain.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

const QString kAccount = QStringLiteral("123456789012");

QString sourceDir()
{
    return qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK));
}

void writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

template <typename T>
struct Outcome {
    std::optional<Result<T>> result;
    Callback<T> callback()
    {
        return [this](Result<T> r) { result = std::move(r); };
    }
    QString error() const { return result && !result->ok() ? result->error().toString() : QString(); }
};

// A test server of tests/servers started on a free port; stopped with the object.
class ScriptServer
{
public:
    ~ScriptServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    bool start(const QString &script, const QStringList &args)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral("python3"), QStringList{sourceDir() + QStringLiteral("/tests/servers/") + script} + args);
        if (!m_process.waitForStarted(5000))
            return false;
        QByteArray line;
        while (!line.contains('\n') && m_process.waitForReadyRead(10000))
            line += m_process.readAll();
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("PORT (\\d+)")).match(QString::fromLatin1(line));
        if (!m.hasMatch())
            return false;
        m_endpoint = QStringLiteral("http://127.0.0.1:") + m.captured(1);
        return true;
    }
    QString endpoint() const { return m_endpoint; }

private:
    QProcess m_process;
    QString m_endpoint;
};

} // namespace

class TestAwsCredentialsLive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void assumeRoleWithSourceProfile();
    void assumeRoleAsksForTheMfaCode();
    void assumeRoleRefreshedBeforeExpiry();
    void assumeRoleWithCredentialSourceEnvironment();
    void webIdentityFromTheEnvironment();
    void awsCliCacheIsRead();
    void ssoTokenCacheAndGetRoleCredentials();
    void ssoExpiredOrRefusedSaysToSignIn();
    void instanceRoleThroughImdsV2();
    void instanceWithoutRole();

private:
    bool requireSts();
    CredentialSpec spec(const QString &profile);
    Result<Credentials> fetch(CredentialProvider *p);
    QString callerArn(const Credentials &c);
    QJsonObject stats(const QString &endpoint);
    QString config() const { return m_home->path() + QStringLiteral("/.aws/config"); }

    QString m_sts;
    QProcessEnvironment m_env;
    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<QObject> m_owner;
    HttpClient *m_http = nullptr;
};

void TestAwsCredentialsLive::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_owner = std::make_unique<QObject>();
    m_http = new HttpClient(m_owner.get());
    m_env = QProcessEnvironment();
    m_env.insert(QStringLiteral("AWS_REGION"), QStringLiteral("us-east-1"));
    m_sts = test::peerValue("SKYDECK_TEST_MOTO_STS_ENDPOINT");
    if (!m_sts.isEmpty())
        m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_STS"), m_sts);
    CredentialProvider::clearSharedCache();
    CredentialProvider::setRefreshMarginMs(CredentialProvider::kDefaultRefreshMarginMs);
    setMfaPrompt({});
}

void TestAwsCredentialsLive::cleanup()
{
    m_owner.reset();
    setMfaPrompt({});
    CredentialProvider::clearSharedCache();
}

bool TestAwsCredentialsLive::requireSts()
{
    QString sts;
    [&] { SKYDECK_REQUIRE_PEER(sts, "SKYDECK_TEST_MOTO_STS_ENDPOINT"); }();
    return !sts.isEmpty();
}

CredentialSpec TestAwsCredentialsLive::spec(const QString &profile)
{
    const Result<Account> a = profile.isEmpty() ? activeAccount(m_env, m_home->path())
                                                : accountForProfile(m_env, m_home->path(), profile);
    if (!a.ok()) {
        CredentialSpec s;
        s.kind = CredentialSpec::Kind::Invalid;
        s.error = a.error().toString();
        return s;
    }
    return CredentialSpec::fromAccount(a.value());
}

Result<Credentials> TestAwsCredentialsLive::fetch(CredentialProvider *p)
{
    Outcome<Credentials> got;
    p->credentials({}, got.callback());
    if (!QTest::qWaitFor([&] { return got.result.has_value(); }, 20000))
        return Error(Error::Category::Network, QStringLiteral("no answer in 20 s"));
    return *got.result;
}

// moto's GetCallerIdentity names the assumed role and session of credentials it issued.
QString TestAwsCredentialsLive::callerArn(const Credentials &c)
{
    HttpRequest r;
    r.method = "POST";
    r.url = QUrl(m_sts + QLatin1Char('/'));
    r.body = SigV4::formBody({{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}});
    r.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    r.prepare = [c](HttpRequest &req) {
        SigV4::signQueryPost(req, c, QStringLiteral("us-east-1"), QStringLiteral("sts"), QDateTime::currentDateTimeUtc());
    };
    Outcome<HttpResponse> got;
    m_http->send(std::move(r), {}, got.callback());
    if (!QTest::qWaitFor([&] { return got.result.has_value(); }, 20000) || !got.result->ok())
        return {};
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("<Arn>([^<]*)</Arn>")).match(QString::fromUtf8(got.result->value().body));
    return m.captured(1);
}

QJsonObject TestAwsCredentialsLive::stats(const QString &endpoint)
{
    HttpRequest r;
    r.url = QUrl(endpoint + QStringLiteral("/_control/stats"));
    Outcome<HttpResponse> got;
    m_http->send(std::move(r), {}, got.callback());
    if (!QTest::qWaitFor([&] { return got.result.has_value(); }, 10000) || !got.result->ok())
        return {};
    return QJsonDocument::fromJson(got.result->value().body).object();
}

void TestAwsCredentialsLive::assumeRoleWithSourceProfile()
{
    if (!requireSts())
        return;
    writeFile(m_home->path() + QStringLiteral("/.aws/credentials"),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    writeFile(config(), "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/skydeck-dev\n"
                        "role_session_name = skydeck-test\nsource_profile = base\n");
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_S3"), m_sts);
    const Result<Account> account = accountForProfile(m_env, m_home->path(), QStringLiteral("dev"));
    QVERIFY2(account.ok(), qPrintable(account.ok() ? QString() : account.error().toString()));
    QCOMPARE(account->displayName, QStringLiteral("AWS · dev (role via profile base)"));

    // An S3 client of that account signs with the role's credentials.
    S3Client s3(S3Config::fromAccount(account.value()));
    QVERIFY(s3.credentialProvider());
    Outcome<QList<Bucket>> buckets;
    s3.listBuckets({}, buckets.callback());
    QTRY_VERIFY_WITH_TIMEOUT(buckets.result.has_value(), 20000);
    QVERIFY2(buckets.result->ok(), qPrintable(buckets.error()));
    const Credentials used = s3.credentialProvider()->current();
    QVERIFY(used.accessKeyId != QLatin1String("AKIDBASE"));
    QVERIFY(!used.sessionToken.isEmpty());
    QVERIFY(used.expires());
    QCOMPARE(callerArn(used), QStringLiteral("arn:aws:sts::123456789012:assumed-role/skydeck-dev/skydeck-test"));

    // A second client of the account (a transfer's) does not assume the role again.
    S3Client other(S3Config::fromAccount(account.value()));
    const Result<Credentials> shared = fetch(other.credentialProvider());
    QVERIFY(shared.ok());
    QVERIFY(shared->sameAs(used));
    QCOMPARE(s3.credentialProvider()->fetchCount() + other.credentialProvider()->fetchCount(), 1);
}

void TestAwsCredentialsLive::assumeRoleAsksForTheMfaCode()
{
    if (!requireSts())
        return;
    writeFile(m_home->path() + QStringLiteral("/.aws/credentials"),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    writeFile(config(), "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
                        "role_session_name = with-mfa\nsource_profile = base\n"
                        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n");
    const CredentialSpec s = spec(QStringLiteral("admin"));
    QCOMPARE(s.kind, CredentialSpec::Kind::AssumeRole);

    // Nothing installed to ask: a clear error, no call.
    const Result<Credentials> none = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!none.ok());
    QCOMPARE(none.error().code(), QStringLiteral("MfaCodeNeeded"));

    // Declined.
    setMfaPrompt([](const MfaQuestion &, MfaAnswer answer) {
        answer(Error(Error::Category::Cancelled, QStringLiteral("declined by the user")));
    });
    const Result<Credentials> declined = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!declined.ok());
    QVERIFY2(declined.error().message().contains(QLatin1String("declined")), qPrintable(declined.error().toString()));

    // Answered from another thread, as a dialog would: asked once, for the device's ARN.
    auto asked = std::make_shared<std::atomic_int>(0);
    auto prompt = std::make_shared<QString>();
    std::thread answerer;
    const auto joinAnswerer = qScopeGuard([&answerer] {
        setMfaPrompt({});  // before the thread it names goes
        if (answerer.joinable())
            answerer.join();
    });
    setMfaPrompt([asked, prompt, &answerer](const MfaQuestion &q, MfaAnswer answer) {
        ++*asked;
        *prompt = q.prompt();
        if (answerer.joinable())  // asked again: a test failure below, not a crash here
            answerer.join();
        answerer = std::thread([answer] { answer(QStringLiteral("123456")); });
    });
    CredentialProvider *p = createCredentialProvider(s, m_owner.get());
    const Result<Credentials> c = fetch(p);
    if (answerer.joinable())
        answerer.join();
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QCOMPARE(asked->load(), 1);
    QCOMPARE(*prompt, QStringLiteral("Enter MFA code for arn:aws:iam::123456789012:mfa/alice: "));
    QCOMPARE(callerArn(c.value()), QStringLiteral("arn:aws:sts::123456789012:assumed-role/admin/with-mfa"));
    // Cached: neither this provider nor another of the account asks again while they are valid.
    QVERIFY(fetch(p).ok());
    QVERIFY(fetch(createCredentialProvider(s, m_owner.get())).ok());
    QCOMPARE(asked->load(), 1);
}

void TestAwsCredentialsLive::assumeRoleRefreshedBeforeExpiry()
{
    if (!requireSts())
        return;
    writeFile(m_home->path() + QStringLiteral("/.aws/credentials"),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    // moto honours DurationSeconds below AWS's 900 s minimum: six seconds of life.
    writeFile(config(), "[profile short]\nrole_arn = arn:aws:iam::123456789012:role/short\n"
                        "role_session_name = short-lived\nsource_profile = base\nduration_seconds = 6\n");
    CredentialProvider *p = createCredentialProvider(spec(QStringLiteral("short")), m_owner.get());
    const Result<Credentials> first = fetch(p);
    QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
    QVERIFY(QDateTime::currentDateTimeUtc().secsTo(first->expiration) <= 7);
    QTest::qSleep(3100);  // past half their life (at most three seconds), well before their end
    const Result<Credentials> stillOld = fetch(p);  // answered at once, the refresh runs meanwhile
    QVERIFY(stillOld.ok());
    QVERIFY(stillOld->sameAs(first.value()));
    QTRY_VERIFY_WITH_TIMEOUT(!p->current().sameAs(first.value()), 10000);
    QCOMPARE(p->fetchCount(), 2);
    QVERIFY(p->current().expiration > first->expiration);
    QCOMPARE(callerArn(p->current()), QStringLiteral("arn:aws:sts::123456789012:assumed-role/short/short-lived"));
}

void TestAwsCredentialsLive::assumeRoleWithCredentialSourceEnvironment()
{
    if (!requireSts())
        return;
    writeFile(config(), "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nrole_session_name = ci-run\n"
                        "credential_source = Environment\n");
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIDENV"));
    m_env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("env-secret"));
    const Result<Credentials> c = fetch(createCredentialProvider(spec(QStringLiteral("ci")), m_owner.get()));
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QCOMPARE(callerArn(c.value()), QStringLiteral("arn:aws:sts::123456789012:assumed-role/ci/ci-run"));
}

void TestAwsCredentialsLive::webIdentityFromTheEnvironment()
{
    if (!requireSts())
        return;
    const QString tokenFile = m_home->path() + QStringLiteral("/token");
    m_env.insert(QStringLiteral("AWS_WEB_IDENTITY_TOKEN_FILE"), tokenFile);
    m_env.insert(QStringLiteral("AWS_ROLE_ARN"), QStringLiteral("arn:aws:iam::123456789012:role/pod-role"));
    m_env.insert(QStringLiteral("AWS_ROLE_SESSION_NAME"), QStringLiteral("pod-session"));
    const CredentialSpec s = spec({});
    QCOMPARE(s.kind, CredentialSpec::Kind::WebIdentity);

    // The token file is read at each fetch: missing, it says so.
    const Result<Credentials> missing = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code(), QStringLiteral("NoWebIdentityToken"));

    writeFile(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpza3lkZWNrIn0.c2ln\n");
    CredentialProvider::clearSharedCache();
    const Result<Credentials> c = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QVERIFY(c->expires());
    QCOMPARE(callerArn(c.value()), QStringLiteral("arn:aws:sts::123456789012:assumed-role/pod-role/pod-session"));
}

void TestAwsCredentialsLive::awsCliCacheIsRead()
{
    if (!requireSts())
        return;
    const QString aws = QStandardPaths::findExecutable(QStringLiteral("aws"));
    if (aws.isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("the AWS CLI (aws) is not installed"));
    writeFile(m_home->path() + QStringLiteral("/.aws/credentials"),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    writeFile(config(), "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/cli-dev\nsource_profile = base\n"
                        "duration_seconds = 3600\n");
    // The AWS CLI assumes the role and writes ~/.aws/cli/cache/<sha1 of the call's arguments>.json.
    QProcess cli;
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("HOME"), m_home->path());
    env.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    env.insert(QStringLiteral("AWS_DEFAULT_REGION"), QStringLiteral("us-east-1"));  // the AWS CLI v1 reads no AWS_REGION
    cli.setProcessEnvironment(env);
    cli.start(aws, {QStringLiteral("sts"), QStringLiteral("get-caller-identity"), QStringLiteral("--profile"),
                    QStringLiteral("dev"), QStringLiteral("--output"), QStringLiteral("json")});
    QVERIFY(cli.waitForFinished(60000));
    const QByteArray said = cli.readAllStandardError();
    // AWS_ENDPOINT_URL_STS came with botocore 1.31 / the AWS CLI v2.13: an older CLI (Debian 12's
    // 2.9) asks the real sts.us-east-1.amazonaws.com, which this check cannot use.
    if (cli.exitCode() != 0 && said.contains("amazonaws.com"))
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("%1 does not honour AWS_ENDPOINT_URL_STS (too old): %2").arg(aws, QString::fromUtf8(said.trimmed())));
    QVERIFY2(cli.exitCode() == 0, said.constData());
    const QString arn = QJsonDocument::fromJson(cli.readAllStandardOutput()).object().value(QLatin1String("Arn")).toString();
    QVERIFY2(arn.startsWith(QLatin1String("arn:aws:sts::123456789012:assumed-role/cli-dev/")), qPrintable(arn));

    const QDir cache(m_home->path() + QStringLiteral("/.aws/cli/cache"));
    const QStringList files = cache.entryList({QStringLiteral("*.json")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    QFile f(cache.filePath(files.first()));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString cachedKey = QJsonDocument::fromJson(f.readAll())
                                  .object()
                                  .value(QLatin1String("Credentials"))
                                  .toObject()
                                  .value(QLatin1String("AccessKeyId"))
                                  .toString();
    QVERIFY(!cachedKey.isEmpty());

    // Skydeck finds the same file by the same name and uses what the CLI got.
    CredentialProvider *p = createCredentialProvider(spec(QStringLiteral("dev")), m_owner.get());
    const Result<Credentials> c = fetch(p);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    QCOMPARE(c->accessKeyId, cachedKey);
    QCOMPARE(callerArn(c.value()), arn);
}

void TestAwsCredentialsLive::ssoTokenCacheAndGetRoleCredentials()
{
    ScriptServer portal;
    QVERIFY(portal.start(QStringLiteral("sso_portal_server.py"),
                         {QStringLiteral("--token"), QStringLiteral("sso-access-token"), QStringLiteral("--account"),
                          QStringLiteral("111122223333"), QStringLiteral("--role"), QStringLiteral("Developer")}));
    writeFile(config(), "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n"
                        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
                        "sso_registration_scopes = sso:account:access\n");
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_SSO"), portal.endpoint());
    // What `aws sso login --sso-session corp` leaves: ~/.aws/sso/cache/<sha1("corp")>.json.
    const QString tokenFile = m_home->path() + QStringLiteral("/.aws/sso/cache/")
        + QString::fromLatin1(QCryptographicHash::hash("corp", QCryptographicHash::Sha1).toHex()) + QStringLiteral(".json");
    const QByteArray expiresAt = QDateTime::currentDateTimeUtc().addSecs(8 * 3600).toString(Qt::ISODate).toUtf8();
    writeFile(tokenFile, "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", "
                         "\"accessToken\": \"sso-access-token\", \"expiresAt\": \"" + expiresAt + "\"}");

    const CredentialSpec s = spec(QStringLiteral("dev"));
    QCOMPARE(s.kind, CredentialSpec::Kind::Sso);
    CredentialProvider *p = createCredentialProvider(s, m_owner.get());
    const Result<Credentials> c = fetch(p);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    const QJsonObject st = stats(portal.endpoint());
    QCOMPARE(st.value(QLatin1String("getRoleCredentials")).toInt(), 1);
    QCOMPARE(c->accessKeyId, st.value(QLatin1String("issued")).toArray().first().toString());
    QVERIFY(c->expires());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(c->expiration) - 3600) < 60);
    QVERIFY(fetch(p).ok());
    QCOMPARE(stats(portal.endpoint()).value(QLatin1String("getRoleCredentials")).toInt(), 1);  // cached
}

void TestAwsCredentialsLive::ssoExpiredOrRefusedSaysToSignIn()
{
    ScriptServer portal;
    QVERIFY(portal.start(QStringLiteral("sso_portal_server.py"),
                         {QStringLiteral("--token"), QStringLiteral("good-token"), QStringLiteral("--role"),
                          QStringLiteral("R"), QStringLiteral("--account"), QStringLiteral("111122223333")}));
    writeFile(config(), "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                        "sso_account_id = 111122223333\nsso_role_name = R\n");
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_SSO"), portal.endpoint());
    const CredentialSpec s = spec(QStringLiteral("legacy"));
    QCOMPARE(s.kind, CredentialSpec::Kind::Sso);

    // Never signed in.
    Result<Credentials> c = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code(), QStringLiteral("SsoTokenMissing"));
    QVERIFY2(c.error().message().contains(QLatin1String("aws sso login --profile legacy")), qPrintable(c.error().toString()));

    // Signed in long ago: the token expired (the legacy form's file is named after the start URL).
    const QString tokenFile = m_home->path() + QStringLiteral("/.aws/sso/cache/")
        + QString::fromLatin1(QCryptographicHash::hash("https://legacy.awsapps.com/start", QCryptographicHash::Sha1).toHex())
        + QStringLiteral(".json");
    writeFile(tokenFile, "{\"startUrl\": \"https://legacy.awsapps.com/start\", \"region\": \"us-east-1\", "
                         "\"accessToken\": \"good-token\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}");
    CredentialProvider::clearSharedCache();
    c = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code(), QStringLiteral("SsoTokenExpired"));
    QCOMPARE(stats(portal.endpoint()).value(QLatin1String("getRoleCredentials")).toInt(), 0);

    // A token the portal no longer accepts (signed out elsewhere): 401 UnauthorizedException.
    const QByteArray expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate).toUtf8();
    writeFile(tokenFile, "{\"startUrl\": \"https://legacy.awsapps.com/start\", \"region\": \"us-east-1\", "
                         "\"accessToken\": \"revoked-token\", \"expiresAt\": \"" + expiresAt + "\"}");
    CredentialProvider::clearSharedCache();
    c = fetch(createCredentialProvider(s, m_owner.get()));
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code(), QStringLiteral("SsoTokenExpired"));
    QVERIFY2(c.error().message().contains(QLatin1String("aws sso login")), qPrintable(c.error().toString()));
    QVERIFY(!c.error().toString().contains(QLatin1String("revoked-token")));
    QCOMPARE(stats(portal.endpoint()).value(QLatin1String("unauthorized")).toInt(), 1);
}

void TestAwsCredentialsLive::instanceRoleThroughImdsV2()
{
    ScriptServer imds;
    QVERIFY(imds.start(QStringLiteral("imds_server.py"), {QStringLiteral("--role"), QStringLiteral("web-server")}));
    m_env.insert(QStringLiteral("AWS_EC2_METADATA_SERVICE_ENDPOINT"), imds.endpoint());
    // No keys, no profile: the instance role is the account.
    const Result<Account> account = activeAccount(m_env, m_home->path());
    QVERIFY2(account.ok(), qPrintable(account.ok() ? QString() : account.error().toString()));
    QCOMPARE(account->id, QStringLiteral("aws:instance-role"));
    CredentialProvider *p = createCredentialProvider(CredentialSpec::fromAccount(account.value()), m_owner.get());
    const Result<Credentials> c = fetch(p);
    QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().toString()));
    const QJsonObject st = stats(imds.endpoint());
    QCOMPARE(st.value(QLatin1String("tokens")).toInt(), 1);        // PUT /latest/api/token
    QCOMPARE(st.value(QLatin1String("unauthorized")).toInt(), 0);  // every GET carried it
    QCOMPARE(c->accessKeyId, st.value(QLatin1String("issued")).toArray().first().toString());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(c->expiration) - 6 * 3600) < 60);

    // AWS_EC2_METADATA_DISABLED turns it off.
    m_env.insert(QStringLiteral("AWS_EC2_METADATA_DISABLED"), QStringLiteral("true"));
    QVERIFY(!activeAccount(m_env, m_home->path()).ok());
    m_env.remove(QStringLiteral("AWS_EC2_METADATA_DISABLED"));

    // A role assumed with the instance's credentials (credential_source = Ec2InstanceMetadata).
    if (m_sts.isEmpty())
        return;
    writeFile(config(), "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
                        "role_session_name = from-instance\ncredential_source = Ec2InstanceMetadata\n");
    CredentialProvider::clearSharedCache();
    const Result<Credentials> role = fetch(createCredentialProvider(spec(QStringLiteral("deploy")), m_owner.get()));
    QVERIFY2(role.ok(), qPrintable(role.ok() ? QString() : role.error().toString()));
    QCOMPARE(callerArn(role.value()), QStringLiteral("arn:aws:sts::123456789012:assumed-role/deploy/from-instance"));
    QCOMPARE(stats(imds.endpoint()).value(QLatin1String("credentials")).toInt(), 2);
}

void TestAwsCredentialsLive::instanceWithoutRole()
{
    ScriptServer imds;
    QVERIFY(imds.start(QStringLiteral("imds_server.py"), {QStringLiteral("--no-role")}));
    m_env.insert(QStringLiteral("AWS_EC2_METADATA_SERVICE_ENDPOINT"), imds.endpoint());
    const Result<Credentials> c = fetch(createCredentialProvider(spec({}), m_owner.get()));
    QVERIFY(!c.ok());
    QCOMPARE(c.error().code(), QStringLiteral("NoInstanceRole"));
}

SKYDECK_TEST_MAIN(TestAwsCredentialsLive)
#include "tst_aws_credentials_live.moc"
