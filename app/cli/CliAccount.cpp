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
        const QList<Account> found = aws::discoverAccounts(env, home);
        if (found.isEmpty())
            return Error(Error::Category::Auth,
                         QStringLiteral("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                                        "or add a profile to ~/.aws/credentials (and use --profile or AWS_PROFILE)"),
                         QStringLiteral("NoCredentials"));
        account = found.first();  // the environment's keys, else the active profile, as the AWS CLI does
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
