#pragma once

// Which credentials a profile gives, decided the way the AWS CLI v2 decides it (botocore's
// create_credential_resolver and ProfileProviderBuilder, credentials.py; checked against botocore
// 1.43 and the AWS CLI 2.9 on Debian 12). Private to providers/aws.
#include "AwsConfigFiles.h"
#include "AwsCredentialSpec.h"

#include <optional>

namespace skydeck::aws {

// For one profile, the first of (botocore's order):
//  1. role_arn (without web_identity_token_file): AssumeRole with source_profile (its own chain:
//     static keys or a profile without role_arn resolve through 2-6, else another role) or
//     credential_source (Environment, Ec2InstanceMetadata; EcsContainer is not supported);
//  2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME) when
//     envEnabled, else the profile's web_identity_token_file + role_arn (+ role_session_name);
//  3. SSO: sso_account_id / sso_role_name with sso_session ([sso-session NAME]) or the legacy
//     sso_start_url + sso_region;
//  4. static keys in the credentials file;
//  5. credential_process;
//  6. static keys in the config file.
// nullopt when none applies. A profile that asks for one of them but cannot have it (a missing
// source_profile, a loop, a half-configured SSO profile) answers Kind::Invalid with botocore's
// reason. envEnabled is false for a profile named explicitly (--profile): botocore then ignores
// the environment's keys and web identity variables.
std::optional<CredentialSpec> resolveProfileCredentials(const QProcessEnvironment &env, const AwsFiles &files,
                                                        const QString &home, const QString &profile, bool envEnabled);

// AWS_EC2_METADATA_DISABLED=true (or the profile's ec2_metadata_disabled... not a botocore key:
// only the variable counts).
bool instanceMetadataDisabled(const QProcessEnvironment &env);

// Whether this looks like an EC2 instance, so the instance role is worth a try: an endpoint set
// for the metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT or the profile's
// ec2_metadata_service_endpoint), or the firmware says so (/sys/devices/virtual/dmi/id/sys_vendor
// "Amazon EC2", board_asset_tag "i-…", /sys/hypervisor/uuid "ec2…"). A laptop never waits for
// 169.254.169.254.
bool instanceMetadataHinted(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile);

// The instance role through IMDSv2 at AWS_EC2_METADATA_SERVICE_ENDPOINT, the profile's
// ec2_metadata_service_endpoint, or http://169.254.169.254 (http://[fd00:ec2::254] with
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6).
CredentialSpec instanceMetadataSpec(const QProcessEnvironment &env, const AwsFiles &files, const QString &profile);

} // namespace skydeck::aws
