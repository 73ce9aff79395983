#include "CliAccount.h"

#include "AwsConfig.h"


namespace skydeck::cli {

Result<Account> resolveAccount(const Invocation &inv, const QProcessEnvironment &environment, const QString &home)
{
    QProcessEnvironment env = environment;
    if (!inv.endpointUrl.isEmpty())
        env.insert(QStringLiteral("AWS_ENDPOINT_URL_S3"), inv.endpointUrl);  // the most specific one wins
    if (!inv.region.isEmpty())
        env.insert(QStringLiteral("AWS_REGION"), inv.region);

    Account account;
    if (!inv.profile.isEmpty()) {
        Result<Account> a = aws::accountForProfile(env, home, inv.profile);
        if (!a.ok())
            return a;
        account = a.value();
    } else {
        // The environment's keys, else the active profile, else the instance role, as the AWS CLI
        // does: never another profile.
        Result<Account> a = aws::activeAccount(env, home);
        if (!a.ok())
            return a;
        account = a.value();
    }
    if (!inv.endpointUrl.isEmpty())
        account.settings.insert(QStringLiteral("endpoint"), inv.endpointUrl);
    if (!inv.region.isEmpty())
        account.settings.insert(QStringLiteral("region"), inv.region);
    if (inv.allowInsecureHttp)
        account.settings.insert(QStringLiteral("allowInsecureHttp"), QStringLiteral("true"));
    return account;
}

} // namespace skydeck::cli
