#pragma once

#include "Account.h"
#include "Result.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>

namespace skydeck::aws {

// The AWS accounts a user already has, found the way the AWS CLI finds them:
//  - AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN): account "aws:env";
//  - every profile of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
//    ~/.aws/credentials, sections "[name]") and the config file (AWS_CONFIG_FILE, default
//    ~/.aws/config, sections "[profile name]" and "[default]") that gives credentials, by botocore's
//    order (AwsCredentialResolver.h): role_arn, web identity, SSO, keys in the credentials file,
//    credential_process, keys in the config file: account "aws:profile:<name>", its display name
//    saying the kind ("AWS · prod (role via profile base)"). A profile that asks for credentials it
//    cannot have (a missing source_profile, a half-configured SSO) is listed as unusable, with the
//    reason; one without any credential setting is skipped;
//  - the active profile also takes AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN (even without a
//    section: a pod's service account);
//  - "aws:instance-role" (IMDSv2) when neither the environment nor the active profile gives
//    credentials and this looks like an EC2 instance (instanceMetadataHinted), unless
//    AWS_EC2_METADATA_DISABLED=true;
//  - region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`, then us-east-1;
//  - endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's nested `s3 = endpoint_url`, then
//    its `endpoint_url` (all ignored with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true);
//  - EC2 endpoint (setting ec2Endpoint): AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the profile's nested
//    `ec2 = endpoint_url`, then its `endpoint_url` (same switch to ignore them); STS and the SSO
//    portal likewise (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO, `sts =`, `sso =`);
//  - addressing style: the profile's nested `s3 = addressing_style` (path | virtual | auto).
// The environment account takes its region/endpoint from the active profile (AWS_PROFILE, then
// AWS_DEFAULT_PROFILE, then "default"). Order: the environment account, the active profile, then
// the rest by name, then the instance role.
// Settings: region, endpoint, ec2Endpoint, addressingStyle, profile, credentialKind, credentials
// (the CredentialSpec as JSON, no secret in it), accessKeyId (static keys, or those a role is
// assumed with) (and regionPinned = "true", set by the user, not found here: EC2 lists only
// `region` instead of every enabled region). Secrets (memory only): secretAccessKey, sessionToken.
QList<Account> discoverAccounts(const QProcessEnvironment &env, const QString &home);

// The account the CLI uses without --profile: the environment's keys, else the active profile's
// credentials, else the instance role; an unusable active profile or none at all is an Auth error
// that says why.
Result<Account> activeAccount(const QProcessEnvironment &env, const QString &home);

// The account the CLI's --profile NAME means (an explicit profile beats the environment's keys and
// web identity variables; one without credentials falls back to the instance role on EC2).
Result<Account> accountForProfile(const QProcessEnvironment &env, const QString &home, const QString &profileName);

// One parsed INI-style AWS file: section -> key -> value; a nested block ("s3 =" followed by
// indented "key = value" lines) is stored as "s3.key".
using AwsIni = QMap<QString, QMap<QString, QString>>;
AwsIni parseAwsIni(const QString &text);

} // namespace skydeck::aws
