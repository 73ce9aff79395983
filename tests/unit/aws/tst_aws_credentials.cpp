// Which credentials a profile gives (botocore's order), credential_process end to end with a real
// child process, the AWS CLI's cache and token file names, and an S3 request that is refused as
// expired and renewed without failing. The network flows (STS, SSO, IMDS) are in
// tests/integration/credentials.
#include "AwsConfig.h"
#include "AwsCredentialSpec.h"
#include "CredentialProvider.h"
#include "CredentialProviders.h"
#include "FakeS3Server.h"
#include "HttpClient.h"
#include "S3Client.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <optional>

using namespace skydeck;
using namespace skydeck::aws;

namespace {

void writeFile(const QString &path, const QByteArray &text, bool executable = false)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFile::ExeOwner);
}

template <typename T>
struct Outcome {
    std::optional<Result<T>> result;
    Callback<T> callback()
    {
        return [this](Result<T> r) { result = std::move(r); };
    }
};

// A credential process that counts its runs in DIR/count and prints keys numbered after the run:
// AKIDPROC<n>, valid for LIFETIME seconds.
const QByteArray kProcessScript =
    "#!/bin/sh\n"
    "dir=$1; life=$2\n"
    "n=$(cat \"$dir/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n >\"$dir/count\"\n"
    "exp=$(date -u -d \"+$life seconds\" +%Y-%m-%dT%H:%M:%SZ)\n"
    "printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC%s\", \"SecretAccessKey\": \"proc-secret-%s\", "
    "\"SessionToken\": \"proc-token-%s\", \"Expiration\": \"%s\"}\\n' $n $n $n $exp\n";

} // namespace

class TestAwsCredentials : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void chainOrder();
    void invalidProfilesSayWhy();
    void accountsForEveryKind();
    void secretsStayOutOfSettings();
    void cliCacheAndTokenFileNames();
    void stsResponseParsed();
    void processCredentialsCachedAndShared();
    void processCredentialsRefreshedBeforeExpiry();
    void processFailuresSayWhy();
    void expiredTokenRenewedWithoutFailing();

private:
    CredentialSpec spec(const QString &profile);
    QString processCommand(int lifetimeSeconds) const;
    int processRuns() const;

    QProcessEnvironment m_env;
    std::unique_ptr<QTemporaryDir> m_home;
    QString aws(const QString &name) const { return m_home->path() + QStringLiteral("/.aws/") + name; }
};

void TestAwsCredentials::init()
{
    m_env = QProcessEnvironment();
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    QVERIFY(QDir(m_home->path()).mkpath(QStringLiteral(".aws")));
    writeFile(m_home->path() + QStringLiteral("/proc.sh"), kProcessScript, true);
    CredentialProvider::clearSharedCache();
    CredentialProvider::setRefreshMarginMs(CredentialProvider::kDefaultRefreshMarginMs);
    ProcessCredentialProvider::setTimeoutMs(ProcessCredentialProvider::kDefaultTimeoutMs);
}

void TestAwsCredentials::cleanup()
{
    CredentialProvider::clearSharedCache();
}

CredentialSpec TestAwsCredentials::spec(const QString &profile)
{
    const Result<Account> a = accountForProfile(m_env, m_home->path(), profile);
    if (!a.ok()) {
        CredentialSpec s;
        s.kind = CredentialSpec::Kind::Invalid;
        s.error = a.error().message();
        return s;
    }
    return CredentialSpec::fromAccount(a.value());
}

QString TestAwsCredentials::processCommand(int lifetimeSeconds) const
{
    return QStringLiteral("\"%1/proc.sh\" \"%1\" %2").arg(m_home->path()).arg(lifetimeSeconds);
}

int TestAwsCredentials::processRuns() const
{
    QFile f(m_home->path() + QStringLiteral("/count"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
}

void TestAwsCredentials::chainOrder()
{
    writeFile(aws(QStringLiteral("credentials")),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
              "[keysandprocess]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n");
    writeFile(aws(QStringLiteral("config")),
              "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n"
              "mfa_serial = arn:aws:iam::123456789012:mfa/me\nduration_seconds = 900\nregion = eu-west-1\n"
              "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = role\n"
              "[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n"
              "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = ~/token\n"
              "source_profile = base\n"
              "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = R\n"
              "aws_access_key_id = AKIDIGNORED\naws_secret_access_key = ignored\n"
              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
              "[profile keysandprocess]\ncredential_process = /bin/false\n"
              "[profile process]\ncredential_process = /opt/bin/creds --json\n"
              "aws_access_key_id = AKIDCFG\naws_secret_access_key = cfg-secret\n"
              "[profile cfgkeys]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfg-secret\n");
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIDENV"));
    m_env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("env-secret"));

    // role_arn + source_profile: AssumeRole asked with the base profile's keys.
    const CredentialSpec role = spec(QStringLiteral("role"));
    QCOMPARE(role.kind, CredentialSpec::Kind::AssumeRole);
    QCOMPARE(role.roleArn, QStringLiteral("arn:aws:iam::123456789012:role/dev"));
    QCOMPARE(role.mfaSerial, QStringLiteral("arn:aws:iam::123456789012:mfa/me"));
    QCOMPARE(role.durationSeconds, 900);
    QCOMPARE(role.stsRegion, QStringLiteral("eu-west-1"));
    QCOMPARE(role.stsEndpoint, QUrl(QStringLiteral("https://sts.eu-west-1.amazonaws.com")));
    QVERIFY(role.source);
    QCOMPARE(role.source->kind, CredentialSpec::Kind::Static);
    QCOMPARE(role.source->accessKeyId, QStringLiteral("AKIDBASE"));
    QCOMPARE(role.source->secretAccessKey, QStringLiteral("base-secret"));

    // A role assumed with another role's credentials.
    const CredentialSpec chained = spec(QStringLiteral("chained"));
    QCOMPARE(chained.kind, CredentialSpec::Kind::AssumeRole);
    QVERIFY(chained.source && chained.source->kind == CredentialSpec::Kind::AssumeRole);
    QVERIFY(chained.source->source && chained.source->source->accessKeyId == QLatin1String("AKIDBASE"));

    // credential_source = Environment: the environment's keys.
    const CredentialSpec envrole = spec(QStringLiteral("envrole"));
    QCOMPARE(envrole.kind, CredentialSpec::Kind::AssumeRole);
    QVERIFY(envrole.source);
    QCOMPARE(envrole.source->accessKeyId, QStringLiteral("AKIDENV"));
    QCOMPARE(envrole.source->secretAccessKey, QStringLiteral("env-secret"));

    // role_arn with web_identity_token_file is web identity (source_profile ignored), ~ expanded.
    const CredentialSpec web = spec(QStringLiteral("web"));
    QCOMPARE(web.kind, CredentialSpec::Kind::WebIdentity);
    QCOMPARE(web.webIdentityTokenFile, m_home->path() + QStringLiteral("/token"));
    QCOMPARE(web.roleArn, QStringLiteral("arn:aws:iam::123456789012:role/web"));

    // SSO before static keys; the sso-session's start URL and region.
    const CredentialSpec sso = spec(QStringLiteral("sso"));
    QCOMPARE(sso.kind, CredentialSpec::Kind::Sso);
    QCOMPARE(sso.ssoStartUrl, QStringLiteral("https://corp.awsapps.com/start"));
    QCOMPARE(sso.ssoRegion, QStringLiteral("eu-west-1"));
    QCOMPARE(sso.ssoPortalEndpoint, QUrl(QStringLiteral("https://portal.sso.eu-west-1.amazonaws.com")));
    QCOMPARE(sso.ssoTokenCacheDir, m_home->path() + QStringLiteral("/.aws/sso/cache"));

    // Keys in the credentials file before credential_process, which comes before keys in the config.
    const CredentialSpec fileKeys = spec(QStringLiteral("keysandprocess"));
    QCOMPARE(fileKeys.kind, CredentialSpec::Kind::Static);
    QCOMPARE(fileKeys.accessKeyId, QStringLiteral("AKIDFILE"));
    const CredentialSpec process = spec(QStringLiteral("process"));
    QCOMPARE(process.kind, CredentialSpec::Kind::Process);
    QCOMPARE(process.command, QStringLiteral("/opt/bin/creds --json"));
    const CredentialSpec cfgKeys = spec(QStringLiteral("cfgkeys"));
    QCOMPARE(cfgKeys.kind, CredentialSpec::Kind::Static);
    QCOMPARE(cfgKeys.secretAccessKey, QStringLiteral("cfg-secret"));

    // Without --profile the environment's keys come first; AWS_WEB_IDENTITY_TOKEN_FILE applies to
    // the active profile (even one without a section).
    m_env.remove(QStringLiteral("AWS_ACCESS_KEY_ID"));
    m_env.insert(QStringLiteral("AWS_WEB_IDENTITY_TOKEN_FILE"), QStringLiteral("/var/run/token"));
    m_env.insert(QStringLiteral("AWS_ROLE_ARN"), QStringLiteral("arn:aws:iam::123456789012:role/pod"));
    m_env.insert(QStringLiteral("AWS_ROLE_SESSION_NAME"), QStringLiteral("pod-session"));
    const Result<Account> active = activeAccount(m_env, m_home->path());
    QVERIFY2(active.ok(), qPrintable(active.ok() ? QString() : active.error().message()));
    const CredentialSpec pod = CredentialSpec::fromAccount(active.value());
    QCOMPARE(pod.kind, CredentialSpec::Kind::WebIdentity);
    QCOMPARE(pod.webIdentityTokenFile, QStringLiteral("/var/run/token"));
    QCOMPARE(pod.roleSessionName, QStringLiteral("pod-session"));
}

void TestAwsCredentials::invalidProfilesSayWhy()
{
    writeFile(aws(QStringLiteral("config")),
              "[profile loop1]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop2\n"
              "[profile loop2]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop1\n"
              "[profile missing]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nope\n"
              "[profile both]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop1\ncredential_source = Environment\n"
              "[profile halfsso]\nsso_account_id = 111122223333\n"
              "[profile ecs]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = EcsContainer\n");
    const struct {
        const char *profile;
        const char *says;
    } cases[] = {{"loop1", "infinite loop"}, {"missing", "\"nope\""}, {"both", "both source_profile and credential_source"},
                 {"halfsso", "sso_role_name"}, {"ecs", "EcsContainer"}};
    for (const auto &c : cases) {
        const Result<Account> a = accountForProfile(m_env, m_home->path(), QLatin1String(c.profile));
        QVERIFY2(!a.ok(), c.profile);
        QCOMPARE(a.error().category(), Error::Category::Auth);
        QVERIFY2(a.error().message().contains(QLatin1String(c.says)), qPrintable(a.error().message()));
    }
}

void TestAwsCredentials::accountsForEveryKind()
{
    writeFile(aws(QStringLiteral("credentials")), "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n");
    writeFile(aws(QStringLiteral("config")),
              "[profile role]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n"
              "[profile proc]\ncredential_process = /bin/true\n"
              "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
              "[sso-session corp]\nsso_start_url = https://x/start\nsso_region = us-east-1\n"
              "[profile plain]\nregion = eu-north-1\n");
    QStringList names;
    for (const Account &a : discoverAccounts(m_env, m_home->path()))
        names << a.displayName;
    QCOMPARE(names, QStringList({QStringLiteral("AWS · base"), QStringLiteral("AWS · proc (process)"),
                                 QStringLiteral("AWS · role (role via profile base)"), QStringLiteral("AWS · sso (SSO)")}));
}

void TestAwsCredentials::secretsStayOutOfSettings()
{
    writeFile(aws(QStringLiteral("credentials")),
              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = very-secret-base\naws_session_token = tok-secret\n");
    writeFile(aws(QStringLiteral("config")), "[profile role]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n");
    const Result<Account> a = accountForProfile(m_env, m_home->path(), QStringLiteral("role"));
    QVERIFY(a.ok());
    for (const QString &v : a->settings) {
        QVERIFY(!v.contains(QLatin1String("very-secret-base")));
        QVERIFY(!v.contains(QLatin1String("tok-secret")));
    }
    QCOMPARE(a->secret(QStringLiteral("secretAccessKey")), QStringLiteral("very-secret-base"));
    // Back from the settings and secrets, the chain is whole again.
    const CredentialSpec back = CredentialSpec::fromAccount(a.value());
    QCOMPARE(back.kind, CredentialSpec::Kind::AssumeRole);
    QVERIFY(back.source);
    QCOMPARE(back.source->secretAccessKey, QStringLiteral("very-secret-base"));
    QCOMPARE(back.source->sessionToken, QStringLiteral("tok-secret"));
}

void TestAwsCredentials::cliCacheAndTokenFileNames()
{
    // The names botocore 1.43 gives (python3: sha1(json.dumps(args, sort_keys=True)) for AssumeRole,
    // with separators=(',', ':') for SSO; sha1 of the sso-session name for the token).
    CredentialSpec role;
    role.kind = CredentialSpec::Kind::AssumeRole;
    role.roleArn = QStringLiteral("arn:aws:iam::123456789012:role/dev");
    role.mfaSerial = QStringLiteral("arn:aws:iam::123456789012:mfa/me");
    role.durationSeconds = 900;
    role.cliCacheDir = QStringLiteral("/c");
    QCOMPARE(pythonJsonDumps({{QStringLiteral("RoleArn"), role.roleArn},
                              {QStringLiteral("SerialNumber"), role.mfaSerial},
                              {QStringLiteral("DurationSeconds"), 900}},
                             false),
             QByteArray("{\"DurationSeconds\": 900, \"RoleArn\": \"arn:aws:iam::123456789012:role/dev\", "
                        "\"SerialNumber\": \"arn:aws:iam::123456789012:mfa/me\"}"));
    StsCredentialProvider sts(role, nullptr);
    QCOMPARE(sts.cliCacheFile(), QStringLiteral("/c/f553547be3b424bae2be1ea2373a87f9d5242349.json"));
    QVERIFY(sts.sessionName().startsWith(QLatin1String("skydeck-")));
    const QueryItems params = sts.requestParams(QStringLiteral("123456"), {});
    QVERIFY(params.contains({QByteArray("Action"), QByteArray("AssumeRole")}));
    QVERIFY(params.contains({QByteArray("SerialNumber"), QByteArray("arn:aws:iam::123456789012:mfa/me")}));
    QVERIFY(params.contains({QByteArray("TokenCode"), QByteArray("123456")}));
    QVERIFY(params.contains({QByteArray("DurationSeconds"), QByteArray("900")}));

    CredentialSpec sso;
    sso.kind = CredentialSpec::Kind::Sso;
    sso.ssoSession = QStringLiteral("corp");
    sso.ssoAccountId = QStringLiteral("111122223333");
    sso.ssoRoleName = QStringLiteral("R");
    sso.ssoTokenCacheDir = QStringLiteral("/t");
    sso.cliCacheDir = QStringLiteral("/c");
    SsoCredentialProvider p(sso, nullptr);
    QCOMPARE(p.tokenFile(), QStringLiteral("/t/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"));
    QCOMPARE(p.cliCacheFile(), QStringLiteral("/c/0822db8fb778bb338d5f4bcb9a4a7d478386f216.json"));
}

void TestAwsCredentials::stsResponseParsed()
{
    // The example response of https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    HttpResponse ok;
    ok.status = 200;
    ok.body = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n<AssumeRoleResult>\n"
              "<SourceIdentity>Alice</SourceIdentity>\n<AssumedRoleUser>\n"
              "<Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>\n"
              "<AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>\n</AssumedRoleUser>\n<Credentials>\n"
              "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
              "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"
              "<SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764</SessionToken>\n"
              "<Expiration>2019-11-09T13:34:41Z</Expiration>\n</Credentials>\n"
              "<PackedPolicySize>6</PackedPolicySize>\n</AssumeRoleResult>\n<ResponseMetadata>\n"
              "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ResponseMetadata>\n</AssumeRoleResponse>";
    const Result<Credentials> c = StsCredentialProvider::parseResponse(ok, QStringLiteral("AssumeRole"), QStringLiteral("t"));
    QVERIFY(c.ok());
    QCOMPARE(c->accessKeyId, QStringLiteral("ASIAIOSFODNN7EXAMPLE"));
    QCOMPARE(c->sessionToken, QStringLiteral("AQoDYXdzEPT//////////wEXAMPLEtc764"));
    QCOMPARE(c->expiration, QDateTime(QDate(2019, 11, 9), QTime(13, 34, 41), QTimeZone::utc()));

    HttpResponse refused;
    refused.status = 403;
    refused.body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                   "<Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time "
                   "pass code.</Message></Error><RequestId>x</RequestId></ErrorResponse>";
    const Result<Credentials> e = StsCredentialProvider::parseResponse(refused, QStringLiteral("AssumeRole"), QStringLiteral("t"));
    QVERIFY(!e.ok());
    QCOMPARE(e.error().code(), QStringLiteral("AccessDenied"));
    QVERIFY(e.error().message().contains(QLatin1String("MFA")));
}

void TestAwsCredentials::processCredentialsCachedAndShared()
{
    writeFile(aws(QStringLiteral("config")), "[profile p]\ncredential_process = " + processCommand(3600).toUtf8() + "\n");
    const CredentialSpec s = spec(QStringLiteral("p"));
    QCOMPARE(s.kind, CredentialSpec::Kind::Process);
    QObject owner;
    CredentialProvider *a = createCredentialProvider(s, &owner);
    Outcome<Credentials> first;
    a->credentials({}, first.callback());
    QTRY_VERIFY(first.result.has_value());
    QVERIFY2(first.result->ok(), qPrintable(first.result->ok() ? QString() : first.result->error().message()));
    QCOMPARE(first.result->value().accessKeyId, QStringLiteral("AKIDPROC1"));
    QCOMPARE(first.result->value().secretAccessKey, QStringLiteral("proc-secret-1"));
    QCOMPARE(first.result->value().sessionToken, QStringLiteral("proc-token-1"));
    QVERIFY(first.result->value().expires());

    Outcome<Credentials> again;
    a->credentials({}, again.callback());
    QVERIFY(again.result.has_value());  // from the cache, at once
    QCOMPARE(again.result->value().accessKeyId, QStringLiteral("AKIDPROC1"));

    // Another client of the same account (a transfer's second connection) shares them.
    CredentialProvider *b = createCredentialProvider(s, &owner);
    Outcome<Credentials> other;
    b->credentials({}, other.callback());
    QTRY_VERIFY(other.result.has_value());
    QCOMPARE(other.result->value().accessKeyId, QStringLiteral("AKIDPROC1"));
    QCOMPARE(processRuns(), 1);
}

void TestAwsCredentials::processCredentialsRefreshedBeforeExpiry()
{
    writeFile(aws(QStringLiteral("config")), "[profile p]\ncredential_process = " + processCommand(6).toUtf8() + "\n");
    QObject owner;
    CredentialProvider *p = createCredentialProvider(spec(QStringLiteral("p")), &owner);
    Outcome<Credentials> first;
    p->credentials({}, first.callback());
    QTRY_VERIFY(first.result.has_value());
    QCOMPARE(first.result->value().accessKeyId, QStringLiteral("AKIDPROC1"));
    // Five to six seconds of life (the script's clock is read in whole seconds): refreshed after
    // half of it (at most three seconds), while the old ones still answer at once.
    QTest::qSleep(3100);
    Outcome<Credentials> later;
    p->credentials({}, later.callback());
    QVERIFY(later.result.has_value());
    QCOMPARE(later.result->value().accessKeyId, QStringLiteral("AKIDPROC1"));
    QTRY_COMPARE(p->current().accessKeyId, QStringLiteral("AKIDPROC2"));
    QCOMPARE(p->fetchCount(), 2);
}

void TestAwsCredentials::processFailuresSayWhy()
{
    const QString dir = m_home->path();
    writeFile(dir + QStringLiteral("/fail.sh"),
              "#!/bin/sh\necho '{\"AccessKeyId\": \"AKIDLEAK\", \"SecretAccessKey\": \"leaked-secret\"}'\n"
              "echo 'session expired: run corp-login' >&2\nexit 3\n",
              true);
    writeFile(dir + QStringLiteral("/v2.sh"),
              "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"leaked-secret\"}'\n", true);
    writeFile(dir + QStringLiteral("/slow.sh"), "#!/bin/sh\nexec sleep 30\n", true);
    ProcessCredentialProvider::setTimeoutMs(700);
    const struct {
        const char *script;
        const char *code;
        const char *says;
    } cases[] = {{"fail.sh", "CredentialProcessFailed", "exited with status 3: session expired: run corp-login"},
                 {"v2.sh", "CredentialProcessBadOutput", "unsupported Version 2"},
                 {"slow.sh", "CredentialProcessTimeout", "did not finish"},
                 {"absent.sh", "CredentialProcessFailed", "could not be started"}};
    for (const auto &c : cases) {
        CredentialSpec s;
        s.kind = CredentialSpec::Kind::Process;
        s.profile = QStringLiteral("p");
        s.command = dir + QLatin1Char('/') + QLatin1String(c.script);
        QObject owner;
        CredentialProvider *p = createCredentialProvider(s, &owner);
        Outcome<Credentials> got;
        p->credentials({}, got.callback());
        QTRY_VERIFY_WITH_TIMEOUT(got.result.has_value(), 5000);
        QVERIFY2(!got.result->ok(), c.script);
        const Error &e = got.result->error();
        QCOMPARE(e.code(), QLatin1String(c.code));
        QCOMPARE(e.category(), Error::Category::Auth);
        QVERIFY2(e.message().contains(QLatin1String(c.says)), qPrintable(e.message()));
        QVERIFY2(!e.toString().contains(QLatin1String("leaked-secret")), qPrintable(e.toString()));
    }
}

void TestAwsCredentials::expiredTokenRenewedWithoutFailing()
{
    // S3 answers 400 ExpiredToken when temporary credentials ran out in flight
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): the client forgets
    // them, runs the process again and sends the part once more, signed with the new keys.
    FakeS3Server server;
    FakeResponse expired;
    expired.status = 400;
    expired.headers = {{"Content-Type", "application/xml"}};
    expired.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>ExpiredToken</Code>"
                   "<Message>The provided token has expired.</Message><RequestId>1</RequestId></Error>";
    server.queue(expired);
    FakeResponse stored;
    stored.headers = {{"ETag", "\"5d41402abc4b2a76b9719d911017c592\""}};
    server.queue(stored);

    S3Config c;
    c.endpoint = QUrl(server.endpoint());
    c.addressing = S3Config::Addressing::Path;
    CredentialSpec s;
    s.kind = CredentialSpec::Kind::Process;
    s.command = processCommand(3600);
    c.credentialSource = s;
    S3Client client(c);
    Outcome<PutResult> put;
    client.putObject(QStringLiteral("bucket"), QStringLiteral("part.bin"), QByteArray("hello"), {}, {}, {}, put.callback());
    QTRY_VERIFY(put.result.has_value());
    QVERIFY2(put.result->ok(), qPrintable(put.result->ok() ? QString() : put.result->error().toString()));
    QCOMPARE(server.requests.size(), 2);
    QVERIFY(server.requests[0].header("Authorization").contains("Credential=AKIDPROC1/"));
    QCOMPARE(server.requests[0].header("x-amz-security-token"), QByteArray("proc-token-1"));
    QVERIFY(server.requests[1].header("Authorization").contains("Credential=AKIDPROC2/"));
    QCOMPARE(server.requests[1].header("x-amz-security-token"), QByteArray("proc-token-2"));
    QCOMPARE(server.requests[1].body, QByteArray("hello"));
    QCOMPARE(processRuns(), 2);

    // Refused again right after renewing: that is not expiry, the error comes back.
    server.queue(expired);
    server.queue(expired);
    Outcome<PutResult> again;
    client.putObject(QStringLiteral("bucket"), QStringLiteral("part.bin"), QByteArray("hello"), {}, {}, {}, again.callback());
    QTRY_VERIFY(again.result.has_value());
    QVERIFY(!again.result->ok());
    QCOMPARE(again.result->error().code(), QStringLiteral("ExpiredToken"));
    QCOMPARE(server.requests.size(), 4);
}

SKYDECK_TEST_MAIN(TestAwsCredentials)
#include "tst_aws_credentials.moc"
