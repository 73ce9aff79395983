// The AWS CLI's shared files (providers/aws/AwsConfig.h). The input is, NUL-separated,
// ~/.aws/credentials and ~/.aws/config: each parsed with parseAwsIni(), then both written into a
// private home and read the way account discovery reads them (discoverAccounts, accountForProfile
// for every section). Properties: keys are lower-case and trimmed, never empty and hold no '=';
// every account found is an AWS profile account with a region, an addressing style of path,
// virtual or auto and a credential spec that reads back as its credentialKind: static keys have a
// key id and a secret (at the end of a role's chain too), a profile that cannot give credentials
// says why; accountForProfile agrees with discovery.
#include "FuzzSupport.h"

#include "AwsConfig.h"
#include "AwsCredentialSpec.h"

using namespace skydeck;
using namespace skydeck::aws;
using skydeck::fuzz::bytes;

namespace {

void checkIni(const AwsIni &ini)
{
    for (auto s = ini.cbegin(); s != ini.cend(); ++s) {
        FUZZ_CHECK(s.key() == s.key().trimmed());
        for (auto k = s.value().cbegin(); k != s.value().cend(); ++k) {
            FUZZ_CHECK(!k.key().isEmpty());
            FUZZ_CHECK(k.key() == k.key().toLower());
            FUZZ_CHECK(k.key() == k.key().trimmed());
            FUZZ_CHECK(!k.key().contains(QLatin1Char('=')));
            FUZZ_CHECK(k.value() == k.value().trimmed());
        }
    }
}

void checkAccount(const Account &a)
{
    FUZZ_CHECK(a.provider == QLatin1String("aws"));
    FUZZ_CHECK(a.id.startsWith(QLatin1String("aws:profile:")));
    FUZZ_CHECK(!a.setting(QStringLiteral("region")).isEmpty());
    const QString style = a.setting(QStringLiteral("addressingStyle"));
    FUZZ_CHECK(style == QLatin1String("path") || style == QLatin1String("virtual") || style == QLatin1String("auto"));
    const CredentialSpec spec = CredentialSpec::fromAccount(a);
    FUZZ_CHECK(CredentialSpec::kindName(spec.kind) == a.setting(QStringLiteral("credentialKind")));
    if (spec.kind == CredentialSpec::Kind::Invalid)
        FUZZ_CHECK(!spec.error.isEmpty());
    if (spec.kind == CredentialSpec::Kind::Static) {
        FUZZ_CHECK(!a.setting(QStringLiteral("accessKeyId")).isEmpty());
        FUZZ_CHECK(!a.secret(QStringLiteral("secretAccessKey")).isEmpty());
    }
    if (const CredentialSpec *leaf = spec.leaf())
        FUZZ_CHECK(!leaf->accessKeyId.isEmpty() && !leaf->secretAccessKey.isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> in = skydeck::fuzz::parts(bytes(data, size), 2);
    const AwsIni credentials = parseAwsIni(QString::fromUtf8(in[0]));
    const AwsIni config = parseAwsIni(QString::fromUtf8(in[1]));
    checkIni(credentials);
    checkIni(config);

    const QDir home = skydeck::fuzz::scratchDir();
    skydeck::fuzz::writeFile(home.filePath(QStringLiteral(".aws/credentials")), in[0]);
    skydeck::fuzz::writeFile(home.filePath(QStringLiteral(".aws/config")), in[1]);
    const QProcessEnvironment env;  // nothing from the environment: the files alone
    const QList<Account> accounts = discoverAccounts(env, home.path());
    for (const Account &a : accounts)
        checkAccount(a);

    QStringList profiles = credentials.keys();
    for (const QString &section : config.keys())
        profiles << (section.startsWith(QLatin1String("profile ")) ? section.mid(8) : section);
    for (const QString &name : profiles.mid(0, 32)) {
        const Result<Account> a = accountForProfile(env, home.path(), name);
        if (!a.ok())
            continue;
        checkAccount(a.value());
        bool discovered = false;
        for (const Account &d : accounts)
            discovered = discovered || d.id == a.value().id;
        FUZZ_CHECK(discovered);
    }
    return 0;
}
