// Credential and config discovery, rule by rule, with temporary ~/.aws files.
#include "AccountRegistry.h"
#include "AwsConfig.h"
#include "AwsProvider.h"
#include "ProviderWorker.h"
#include "S3Client.h"
#include "TestMain.h"

#include <QFile>
#include <QTemporaryDir>

using namespace skydeck;
using namespace skydeck::aws;

namespace {
void writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

const Account *find(const QList<Account> &list, const QString &id)
{
    for (const Account &a : list)
        if (a.id == id)
            return &a;
    return nullptr;
}

QStringList ids(const QList<Account> &list)
{
    QStringList out;
    for (const Account &a : list)
        out << a.id;
    return out;
}
} // namespace

class TestAwsConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void nothingFound();
    void environmentKeys();
    void profilesFromBothFiles();
    void activeProfileOrder();
    void regionPrecedence();
    void endpointPrecedence();
    void ignoreConfiguredEndpoints();
    void customFilePaths();
    void credentialsFileWinsOverConfig();
    void unusableProfilesListedWithTheReason();
    void envAccountUsesActiveProfileSettings();
    void accountForProfile();
    void iniSyntax();
    void s3ConfigFromAccount();
    void registryBuildsS3Client();

private:
    QProcessEnvironment m_env;
    std::unique_ptr<QTemporaryDir> m_home;
    QString aws(const QString &name) const { return m_home->path() + QStringLiteral("/.aws/") + name; }
};

void TestAwsConfig::init()
{
    m_env = QProcessEnvironment();  // empty: nothing leaks in from the machine running the test
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    QVERIFY(QDir(m_home->path()).mkpath(QStringLiteral(".aws")));
}

void TestAwsConfig::nothingFound()
{
    QVERIFY(discoverAccounts(m_env, m_home->path()).isEmpty());
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIAONLY"));  // no secret
    QVERIFY(discoverAccounts(m_env, m_home->path()).isEmpty());
}

void TestAwsConfig::environmentKeys()
{
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIAENV"));
    m_env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("envsecret"));
    m_env.insert(QStringLiteral("AWS_SESSION_TOKEN"), QStringLiteral("envtoken"));
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    QCOMPARE(list.size(), 1);
    const Account &a = list.first();
    QCOMPARE(a.id, QStringLiteral("aws:env"));
    QCOMPARE(a.provider, QStringLiteral("aws"));
    QCOMPARE(a.source, QStringLiteral("environment"));
    QCOMPARE(a.setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIAENV"));
    QCOMPARE(a.setting(QStringLiteral("region")), QStringLiteral("us-east-1"));
    QCOMPARE(a.setting(QStringLiteral("addressingStyle")), QStringLiteral("auto"));
    QVERIFY(!a.settings.contains(QStringLiteral("endpoint")));
    QCOMPARE(a.secret(QStringLiteral("secretAccessKey")), QStringLiteral("envsecret"));
    QCOMPARE(a.secret(QStringLiteral("sessionToken")), QStringLiteral("envtoken"));
    // Secrets never sit among the settings.
    for (const QString &v : a.settings)
        QVERIFY(v != QLatin1String("envsecret") && v != QLatin1String("envtoken"));
}

void TestAwsConfig::profilesFromBothFiles()
{
    writeFile(aws(QStringLiteral("credentials")),
              "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = defsecret\n\n"
              "[work]\naws_access_key_id=AKIAWORK\naws_secret_access_key=worksecret\naws_session_token=worktoken\n");
    writeFile(aws(QStringLiteral("config")),
              "[default]\nregion = eu-west-1\n\n"
              "[profile work]\nregion = ap-south-1\ns3 =\n    addressing_style = path\n    endpoint_url = http://minio.local:9000\n"
              "output = json\n");
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    QCOMPARE(ids(list), QStringList({QStringLiteral("aws:profile:default"), QStringLiteral("aws:profile:work")}));
    const Account *def = find(list, QStringLiteral("aws:profile:default"));
    QCOMPARE(def->setting(QStringLiteral("region")), QStringLiteral("eu-west-1"));
    QCOMPARE(def->setting(QStringLiteral("profile")), QStringLiteral("default"));
    QCOMPARE(def->setting(QStringLiteral("addressingStyle")), QStringLiteral("auto"));
    QCOMPARE(def->source, QStringLiteral("~/.aws/credentials"));
    QCOMPARE(def->displayName, QStringLiteral("AWS · default"));
    QVERIFY(!def->secrets.contains(QStringLiteral("sessionToken")));
    const Account *work = find(list, QStringLiteral("aws:profile:work"));
    QCOMPARE(work->setting(QStringLiteral("region")), QStringLiteral("ap-south-1"));
    QCOMPARE(work->setting(QStringLiteral("addressingStyle")), QStringLiteral("path"));
    QCOMPARE(work->setting(QStringLiteral("endpoint")), QStringLiteral("http://minio.local:9000"));
    QCOMPARE(work->setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIAWORK"));
    QCOMPARE(work->secret(QStringLiteral("secretAccessKey")), QStringLiteral("worksecret"));
    QCOMPARE(work->secret(QStringLiteral("sessionToken")), QStringLiteral("worktoken"));
}

void TestAwsConfig::activeProfileOrder()
{
    writeFile(aws(QStringLiteral("credentials")),
              "[alpha]\naws_access_key_id=A\naws_secret_access_key=a\n[default]\naws_access_key_id=D\naws_secret_access_key=d\n"
              "[zeta]\naws_access_key_id=Z\naws_secret_access_key=z\n");
    QCOMPARE(ids(discoverAccounts(m_env, m_home->path())).first(), QStringLiteral("aws:profile:default"));
    m_env.insert(QStringLiteral("AWS_DEFAULT_PROFILE"), QStringLiteral("zeta"));
    QCOMPARE(ids(discoverAccounts(m_env, m_home->path())),
             QStringList({QStringLiteral("aws:profile:zeta"), QStringLiteral("aws:profile:alpha"),
                          QStringLiteral("aws:profile:default")}));
    m_env.insert(QStringLiteral("AWS_PROFILE"), QStringLiteral("alpha"));  // beats AWS_DEFAULT_PROFILE
    QCOMPARE(ids(discoverAccounts(m_env, m_home->path())).first(), QStringLiteral("aws:profile:alpha"));
}

void TestAwsConfig::regionPrecedence()
{
    writeFile(aws(QStringLiteral("credentials")), "[default]\naws_access_key_id=D\naws_secret_access_key=d\n");
    writeFile(aws(QStringLiteral("config")), "[default]\nregion = eu-central-1\n");
    auto region = [&] { return discoverAccounts(m_env, m_home->path()).first().setting(QStringLiteral("region")); };
    QCOMPARE(region(), QStringLiteral("eu-central-1"));
    m_env.insert(QStringLiteral("AWS_DEFAULT_REGION"), QStringLiteral("us-west-2"));
    QCOMPARE(region(), QStringLiteral("us-west-2"));
    m_env.insert(QStringLiteral("AWS_REGION"), QStringLiteral("sa-east-1"));
    QCOMPARE(region(), QStringLiteral("sa-east-1"));
}

void TestAwsConfig::endpointPrecedence()
{
    writeFile(aws(QStringLiteral("credentials")), "[default]\naws_access_key_id=D\naws_secret_access_key=d\n");
    writeFile(aws(QStringLiteral("config")), "[default]\nendpoint_url = http://global.cfg\n");
    auto endpoint = [&] { return discoverAccounts(m_env, m_home->path()).first().setting(QStringLiteral("endpoint")); };
    QCOMPARE(endpoint(), QStringLiteral("http://global.cfg"));
    writeFile(aws(QStringLiteral("config")), "[default]\nendpoint_url = http://global.cfg\ns3 =\n  endpoint_url = http://s3.cfg\n");
    QCOMPARE(endpoint(), QStringLiteral("http://s3.cfg"));
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL"), QStringLiteral("http://global.env"));
    QCOMPARE(endpoint(), QStringLiteral("http://global.env"));
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_S3"), QStringLiteral("http://s3.env"));
    QCOMPARE(endpoint(), QStringLiteral("http://s3.env"));
}

void TestAwsConfig::ignoreConfiguredEndpoints()
{
    writeFile(aws(QStringLiteral("credentials")), "[default]\naws_access_key_id=D\naws_secret_access_key=d\n");
    writeFile(aws(QStringLiteral("config")), "[default]\nendpoint_url = http://global.cfg\n");
    m_env.insert(QStringLiteral("AWS_ENDPOINT_URL_S3"), QStringLiteral("http://s3.env"));
    m_env.insert(QStringLiteral("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), QStringLiteral("true"));
    QVERIFY(!discoverAccounts(m_env, m_home->path()).first().settings.contains(QStringLiteral("endpoint")));
}

void TestAwsConfig::customFilePaths()
{
    const QString creds = m_home->path() + QStringLiteral("/elsewhere-creds");
    const QString config = m_home->path() + QStringLiteral("/elsewhere-config");
    writeFile(creds, "[custom]\naws_access_key_id=C\naws_secret_access_key=c\n");
    writeFile(config, "[profile custom]\nregion = me-south-1\n");
    writeFile(aws(QStringLiteral("credentials")), "[default]\naws_access_key_id=D\naws_secret_access_key=d\n");
    m_env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), QStringLiteral("~/elsewhere-creds"));
    m_env.insert(QStringLiteral("AWS_CONFIG_FILE"), config);
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    QCOMPARE(ids(list), QStringList({QStringLiteral("aws:profile:custom")}));  // ~/.aws/credentials not read
    QCOMPARE(list.first().setting(QStringLiteral("region")), QStringLiteral("me-south-1"));
    QCOMPARE(list.first().source, QStringLiteral("~/elsewhere-creds"));
}

void TestAwsConfig::credentialsFileWinsOverConfig()
{
    writeFile(aws(QStringLiteral("credentials")), "[both]\naws_access_key_id=FROMCREDS\naws_secret_access_key=credsecret\n");
    writeFile(aws(QStringLiteral("config")),
              "[profile both]\naws_access_key_id=FROMCONFIG\naws_secret_access_key=configsecret\n"
              "[profile cfgonly]\naws_access_key_id=CFG\naws_secret_access_key=cfgsecret\n");
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    const Account *both = find(list, QStringLiteral("aws:profile:both"));
    QVERIFY(both);
    QCOMPARE(both->setting(QStringLiteral("accessKeyId")), QStringLiteral("FROMCREDS"));
    QCOMPARE(both->secret(QStringLiteral("secretAccessKey")), QStringLiteral("credsecret"));
    const Account *cfg = find(list, QStringLiteral("aws:profile:cfgonly"));
    QVERIFY(cfg);
    QCOMPARE(cfg->setting(QStringLiteral("accessKeyId")), QStringLiteral("CFG"));
    QCOMPARE(cfg->source, QStringLiteral("~/.aws/config"));
}

void TestAwsConfig::unusableProfilesListedWithTheReason()
{
    // A profile with no credential setting at all is skipped; one that asks for credentials it
    // cannot have (a source_profile that is not there, an SSO session without its start URL) is
    // listed as unusable, with botocore's reason, and refused when named.
    writeFile(aws(QStringLiteral("config")),
              "[profile plain]\nregion = eu-north-1\n"
              "[profile role]\nrole_arn = arn:aws:iam::123:role/x\nsource_profile = default\n"
              "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
              "[sso-session corp]\nsso_region = us-east-1\n");
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    QCOMPARE(ids(list), QStringList({QStringLiteral("aws:profile:role"), QStringLiteral("aws:profile:sso")}));
    QVERIFY(list[0].displayName.contains(QLatin1String("unusable")));
    QVERIFY(list[0].displayName.contains(QLatin1String("\"default\" referenced in the profile \"role\" does not exist")));
    QVERIFY(list[1].displayName.contains(QLatin1String("sso_start_url")));
    const Result<Account> r = skydeck::aws::accountForProfile(m_env, m_home->path(), QStringLiteral("role"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().category(), Error::Category::Auth);
    QVERIFY(r.error().message().contains(QLatin1String("role")));
    const Result<Account> plain = skydeck::aws::accountForProfile(m_env, m_home->path(), QStringLiteral("plain"));
    QVERIFY(!plain.ok());
    QCOMPARE(plain.error().code(), QStringLiteral("NoCredentials"));
}

void TestAwsConfig::envAccountUsesActiveProfileSettings()
{
    writeFile(aws(QStringLiteral("config")),
              "[profile dev]\nregion = eu-north-1\ns3 =\n  addressing_style = virtual\n");
    m_env.insert(QStringLiteral("AWS_PROFILE"), QStringLiteral("dev"));
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIAENV"));
    m_env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("envsecret"));
    const QList<Account> list = discoverAccounts(m_env, m_home->path());
    QCOMPARE(list.size(), 1);  // the dev profile itself has no keys
    QCOMPARE(list.first().id, QStringLiteral("aws:env"));
    QCOMPARE(list.first().setting(QStringLiteral("region")), QStringLiteral("eu-north-1"));
    QCOMPARE(list.first().setting(QStringLiteral("addressingStyle")), QStringLiteral("virtual"));
    QCOMPARE(list.first().setting(QStringLiteral("profile")), QStringLiteral("dev"));
}

void TestAwsConfig::accountForProfile()
{
    writeFile(aws(QStringLiteral("credentials")), "[work]\naws_access_key_id=AKIAWORK\naws_secret_access_key=worksecret\n");
    writeFile(aws(QStringLiteral("config")), "[profile work]\nregion = ca-central-1\n");
    m_env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIAENV"));
    m_env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("envsecret"));
    const Result<Account> r = skydeck::aws::accountForProfile(m_env, m_home->path(), QStringLiteral("work"));
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().id, QStringLiteral("aws:profile:work"));
    QCOMPARE(r.value().setting(QStringLiteral("accessKeyId")), QStringLiteral("AKIAWORK"));  // not the env keys
    QCOMPARE(r.value().setting(QStringLiteral("region")), QStringLiteral("ca-central-1"));
    const Result<Account> missing = skydeck::aws::accountForProfile(m_env, m_home->path(), QStringLiteral("nope"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().category(), Error::Category::NotFound);
    QVERIFY(missing.error().message().contains(QLatin1String("nope")));
    QVERIFY(!missing.error().message().contains(QLatin1String("worksecret")));
}

void TestAwsConfig::iniSyntax()
{
    const AwsIni ini = parseAwsIni(QStringLiteral(
        "# comment\r\n; another\r\nstray = ignored\r\n[default]\r\nregion = eu-west-3 # trailing comment\r\n"
        "s3 =\r\n  addressing_style = path\r\n  max_concurrent_requests = 20\r\nafter = top\r\n"
        "[profile   spaced  ]\r\nKEY = Value=With=Equals\r\n"));
    QCOMPARE(ini.value(QStringLiteral("default")).value(QStringLiteral("region")), QStringLiteral("eu-west-3"));
    QCOMPARE(ini.value(QStringLiteral("default")).value(QStringLiteral("s3.addressing_style")), QStringLiteral("path"));
    QCOMPARE(ini.value(QStringLiteral("default")).value(QStringLiteral("s3.max_concurrent_requests")), QStringLiteral("20"));
    QCOMPARE(ini.value(QStringLiteral("default")).value(QStringLiteral("after")), QStringLiteral("top"));
    QVERIFY(!ini.value(QStringLiteral("default")).contains(QStringLiteral("stray")));
    QCOMPARE(ini.value(QStringLiteral("profile spaced")).value(QStringLiteral("key")), QStringLiteral("Value=With=Equals"));
}

void TestAwsConfig::s3ConfigFromAccount()
{
    Account a;
    a.settings.insert(QStringLiteral("region"), QStringLiteral("eu-west-1"));
    a.settings.insert(QStringLiteral("endpoint"), QStringLiteral("minio.local:9000"));
    a.settings.insert(QStringLiteral("addressingStyle"), QStringLiteral("path"));
    a.settings.insert(QStringLiteral("accessKeyId"), QStringLiteral("AK"));
    a.secrets.insert(QStringLiteral("secretAccessKey"), QStringLiteral("SK"));
    a.secrets.insert(QStringLiteral("sessionToken"), QStringLiteral("TOK"));
    const S3Config c = S3Config::fromAccount(a);
    QCOMPARE(c.region, QStringLiteral("eu-west-1"));
    QCOMPARE(c.endpoint, QUrl(QStringLiteral("https://minio.local:9000")));
    QCOMPARE(c.addressing, S3Config::Addressing::Path);
    QCOMPARE(c.credentials.accessKeyId, QStringLiteral("AK"));
    QCOMPARE(c.credentials.secretAccessKey, QStringLiteral("SK"));
    QCOMPARE(c.credentials.sessionToken, QStringLiteral("TOK"));
    QCOMPARE(S3Config::parseAddressing(QStringLiteral("VIRTUAL")), S3Config::Addressing::Virtual);
    QCOMPARE(S3Config::parseAddressing(QStringLiteral("whatever")), S3Config::Addressing::Auto);
}

void TestAwsConfig::registryBuildsS3Client()
{
    skydeck::aws::registerProviders();
    QVERIFY(AccountRegistry::hasStorage(QStringLiteral("aws")));
    writeFile(aws(QStringLiteral("credentials")), "[default]\naws_access_key_id=AK\naws_secret_access_key=SK\n");
    writeFile(aws(QStringLiteral("config")), "[default]\nregion = eu-west-2\n");
    const QList<Account> found = discoverAccounts(m_env, m_home->path());
    QCOMPARE(found.size(), 1);
    AccountRegistry registry;
    registry.addAccount(found.first());
    StorageClient *storage = registry.storage(found.first().id);
    QVERIFY(storage);
    auto *s3 = qobject_cast<S3Client *>(storage);
    QVERIFY(s3);
    QCOMPARE(s3->scheme(), QStringLiteral("s3"));
    QCOMPARE(s3->config().region, QStringLiteral("eu-west-2"));
    QCOMPARE(s3->config().credentials.accessKeyId, QStringLiteral("AK"));
    QCOMPARE(s3->thread(), registry.worker(found.first().id)->thread());  // lives on the account's worker
    QCOMPARE(s3->http()->thread(), s3->thread());
}

SKYDECK_TEST_MAIN(TestAwsConfig)
#include "tst_aws_config.moc"
