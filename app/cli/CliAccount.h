#pragma once

#include "CliOptions.h"

#include "Account.h"
#include "Result.h"

#include <QProcessEnvironment>

namespace skydeck::cli {

// The account a command runs with, found as the AWS CLI finds it: --profile NAME, else
// AWS_PROFILE, else environment credentials, else the default profile of ~/.aws. --endpoint-url
// (like AWS_ENDPOINT_URL_S3, which it overrides) and --region apply on top. No credentials at all
// is an Auth error that says where they were looked for.
Result<Account> resolveAccount(const Invocation &invocation, const QProcessEnvironment &env, const QString &home);

} // namespace skydeck::cli
