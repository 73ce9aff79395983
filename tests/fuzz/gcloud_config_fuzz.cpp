// gcloud's files (providers/gcp/GcpConfig.h). The input is, NUL-separated: a configuration file
// (configurations/config_default, INI), a credentials file (a service-account key or an
// authorized_user document, JSON: GOOGLE_APPLICATION_CREDENTIALS or application default
// credentials) and active_config; written into a private gcloud directory and read with
// parseGcloudIni(), accountFromCredentialsFile() and discoverAccounts().
// Properties: INI keys and values are trimmed and keys never empty; an account from a credentials
// file is a gcp account of a supported type whose token URI passes checkSecureUrl(), with a compute
// endpoint; discovery finds it.
#include "FuzzSupport.h"

#include "GcpConfig.h"

using namespace skydeck;
using namespace skydeck::gcp;
using skydeck::fuzz::bytes;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> in = skydeck::fuzz::parts(bytes(data, size), 3);
    const GcloudIni ini = parseGcloudIni(QString::fromUtf8(in[0]));
    for (auto s = ini.cbegin(); s != ini.cend(); ++s) {
        FUZZ_CHECK(!s.key().isEmpty() && s.key() == s.key().trimmed());
        for (auto k = s.value().cbegin(); k != s.value().cend(); ++k)
            FUZZ_CHECK(!k.key().isEmpty() && k.key() == k.key().trimmed() && k.value() == k.value().trimmed());
    }

    const QDir home = skydeck::fuzz::scratchDir();
    const QString gcloud = home.filePath(QStringLiteral(".config/gcloud"));
    const QString keyFile = gcloud + QStringLiteral("/application_default_credentials.json");
    skydeck::fuzz::writeFile(gcloud + QStringLiteral("/configurations/config_default"), in[0]);
    skydeck::fuzz::writeFile(keyFile, in[1]);
    skydeck::fuzz::writeFile(gcloud + QStringLiteral("/active_config"), in[2]);
    const QProcessEnvironment env;
    (void)activeGcloudConfig(env, home.path());

    const Result<Account> a = accountFromCredentialsFile(keyFile, {}, QStringLiteral("fuzz"), env, home.path());
    const QList<Account> found = discoverAccounts(env, home.path());
    if (!a.ok()) {
        FUZZ_CHECK(found.isEmpty());
        return 0;
    }
    const Account &account = a.value();
    FUZZ_CHECK(account.provider == QLatin1String("gcp") && !account.id.isEmpty());
    const QString type = account.setting(QStringLiteral("type"));
    FUZZ_CHECK(type == QLatin1String("service_account") || type == QLatin1String("authorized_user"));
    FUZZ_CHECK(!checkSecureUrl(QUrl(account.setting(QStringLiteral("tokenUri"))), QStringLiteral("token_uri")).isError());
    FUZZ_CHECK(!account.setting(QStringLiteral("computeEndpoint")).isEmpty());
    FUZZ_CHECK(found.size() == 1 && found.first().id == QLatin1String("gcp:adc"));
    return 0;
}
