#pragma once

// The AWS CLI's files as AwsConfig and the credential resolver read them (private to providers/aws).
#include "AwsConfig.h"

#include <QProcessEnvironment>

namespace skydeck::aws {

struct AwsFiles {
    AwsIni credentials;  // section = profile name
    AwsIni config;       // section = profile name (the "profile " prefix removed)
    AwsIni ssoSessions;  // [sso-session NAME] sections of the config file, by NAME
    QString credentialsPath;
    QString configPath;

    bool hasProfile(const QString &profile) const;
    // One key of a profile as botocore's merged view has it: the credentials file wins over the
    // config file. Trimmed; "" when absent.
    QString value(const QString &profile, const QString &key) const;
    bool has(const QString &profile, const QString &key) const;
};

// AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config), each read
// through readSmallFile.
AwsFiles loadAwsFiles(const QProcessEnvironment &env, const QString &home);

// "~/.aws/config" for a path under home.
QString displayPath(const QString &path, const QString &home);

bool truthy(const QString &value);

// AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.
QString profileRegion(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile);

// A service's endpoint the way the AWS CLI finds it: AWS_ENDPOINT_URL_<envSuffix>, AWS_ENDPOINT_URL,
// the profile's nested `<service> = endpoint_url`, its `endpoint_url`; all ignored with
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's ignore_configured_endpoint_urls).
// "" when none is configured.
QString serviceEndpoint(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile,
                        const QString &service, const QString &envSuffix);

} // namespace skydeck::aws
