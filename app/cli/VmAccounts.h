#pragma once

#include "CliOptions.h"

#include "Account.h"

#include <QList>
#include <QProcessEnvironment>

namespace skydeck::cli {

// The accounts `skydeck vm` searches: every AWS, Google Cloud and Azure account found where their
// own tools look (environment, ~/.aws, gcloud's credentials, Azure's service-principal variables),
// restricted to --provider, with one account per AWS key (the environment's keys and a profile with
// the same keys are one account; an S3-compatible store, with an S3 endpoint and no EC2 one, is
// left out). AWS: --profile picks one profile, --region lists only that region, --endpoint-url is
// the EC2 endpoint. Only providers with a registered compute factory count.
QList<Account> computeAccounts(const Invocation &invocation, const QProcessEnvironment &env, const QString &home);

} // namespace skydeck::cli
