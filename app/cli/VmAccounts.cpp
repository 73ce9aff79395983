#include "VmAccounts.h"

#include "AccountRegistry.h"
#include "AwsConfig.h"
#include "AzureConfig.h"
#include "CliLogging.h"
#include "GcpConfig.h"

#include <QSet>

namespace skydeck::cli {

namespace {

QList<Account> awsAccounts(const Invocation &inv, const QProcessEnvironment &environment, const QString &home)
{
    QProcessEnvironment env = environment;
    if (!inv.region.isEmpty())
        env.insert(QStringLiteral("AWS_REGION"), inv.region);
    QList<Account> found;
    if (!inv.profile.isEmpty()) {
        const Result<Account> a = aws::accountForProfile(env, home, inv.profile);
        if (a.ok())
            found.append(a.value());
        else
            qCInfo(lcCli).noquote() << a.error().toString();
    } else {
        found = aws::discoverAccounts(env, home);
    }
    QList<Account> out;
    QSet<QString> keys;
    for (Account a : std::as_const(found)) {
        if (!inv.endpointUrl.isEmpty())
            a.settings.insert(QStringLiteral("ec2Endpoint"), inv.endpointUrl);
        // An S3-compatible store (MinIO, R2, s3rver: an S3 endpoint and no EC2 one) has no EC2: the
        // window's VM pane skips it too.
        if (!a.setting(QStringLiteral("endpoint")).isEmpty() && a.setting(QStringLiteral("ec2Endpoint")).isEmpty()) {
            qCDebug(lcCli) << "skipping" << a.id << ": an S3-compatible endpoint without an EC2 one";
            continue;
        }
        if (!inv.region.isEmpty())
            a.settings.insert(QStringLiteral("regionPinned"), QStringLiteral("true"));
        // The same keys found twice (the environment's and a profile's) are one account; a role,
        // SSO or process account is told apart by what it is (its source's keys are not its own).
        const bool isStatic = a.setting(QStringLiteral("credentialKind"), QStringLiteral("static")) == QLatin1String("static");
        const QString identity = isStatic ? a.setting(QStringLiteral("accessKeyId")) : a.setting(QStringLiteral("credentials"));
        const QString key = identity + QLatin1Char('|') + a.setting(QStringLiteral("ec2Endpoint"));
        if (keys.contains(key)) {
            qCDebug(lcCli) << "skipping" << a.id << ": same credentials as an account already listed";
            continue;
        }
        keys.insert(key);
        out.append(a);
    }
    return out;
}

} // namespace

QList<Account> computeAccounts(const Invocation &inv, const QProcessEnvironment &env, const QString &home)
{
    QList<Account> all;
    auto wanted = [&](const QString &provider) {
        return (inv.provider.isEmpty() || inv.provider == provider) && AccountRegistry::hasCompute(provider);
    };
    if (wanted(QStringLiteral("aws")))
        all += awsAccounts(inv, env, home);
    if (wanted(QStringLiteral("gcp")))
        all += gcp::discoverAccounts(env, home);
    if (wanted(QStringLiteral("azure")))
        all += azure::discoverAccounts(env, home);
    if (inv.allowInsecureHttp)
        for (Account &a : all)
            a.settings.insert(QStringLiteral("allowInsecureHttp"), QStringLiteral("true"));
    return all;
}

} // namespace skydeck::cli
