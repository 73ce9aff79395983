#pragma once

#include "Result.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <memory>

namespace skydeck {
struct Account;
}

namespace skydeck::aws {

// How one AWS account gets its credentials, as resolved from the user's files and environment when
// the account was found (AwsConfig): a value with no secrets but the static keys at the end of a
// chain, carried in the Account (settings "credentials" as JSON, "accessKeyId"; secrets
// "secretAccessKey", "sessionToken") and turned into a CredentialProvider on the client's worker.
//
// Kinds, named after the AWS CLI's own words:
//  - static: aws_access_key_id/aws_secret_access_key (a profile, the environment, an account added
//    in the window);
//  - process: credential_process, a command printing JSON (Version 1);
//  - assume-role: role_arn with source_profile (another spec: `source`) or credential_source;
//  - web-identity: AssumeRoleWithWebIdentity with a token file (profile or AWS_WEB_IDENTITY_TOKEN_FILE);
//  - sso: IAM Identity Center (sso_session or the legacy sso_start_url) and the AWS CLI's token cache;
//  - imds: the EC2 instance's role through the instance metadata service (IMDSv2);
//  - invalid: the profile is there but cannot give credentials (the reason in `error`).
struct CredentialSpec {
    enum class Kind { Static, Process, AssumeRole, WebIdentity, Sso, Imds, Invalid };

    Kind kind = Kind::Static;
    QString profile;  // where this step was configured ("" for the environment / the instance)
    QString origin;   // for static keys: "environment", "~/.aws/credentials", ... (shown, not used)

    // static (secretAccessKey and sessionToken are secrets: never in toJson())
    QString accessKeyId;
    QString secretAccessKey;
    QString sessionToken;

    // process
    QString command;

    // assume-role and web-identity
    QString roleArn;
    QString roleSessionName;  // empty: one is made up ("skydeck-<unix time>")
    QString externalId;
    QString mfaSerial;
    int durationSeconds = 0;  // 0: the service's default (one hour)
    QString webIdentityTokenFile;
    QUrl stsEndpoint;         // where AssumeRole* goes (a regional STS endpoint, or the user's)
    QString stsRegion;        // what it is signed for
    std::shared_ptr<CredentialSpec> source;  // assume-role: the credentials it is asked with

    // sso
    QString ssoStartUrl;
    QString ssoRegion;
    QString ssoAccountId;
    QString ssoRoleName;
    QString ssoSession;  // the [sso-session NAME]; empty for the legacy form
    QUrl ssoPortalEndpoint;
    QString ssoTokenCacheDir;  // ~/.aws/sso/cache

    // imds
    QUrl imdsEndpoint;  // http://169.254.169.254 unless AWS_EC2_METADATA_SERVICE_ENDPOINT says otherwise

    // The AWS CLI's credential cache (~/.aws/cli/cache): read for assume-role, web-identity and sso
    // when what it holds is still valid; never written. Empty: not read.
    QString cliCacheDir;
    bool allowInsecureHttp = false;  // the account's allowInsecureHttp (STS/SSO endpoints over http://)

    // invalid
    QString error;

    static QString kindName(Kind kind);  // "static", "process", "assume-role", ...
    // What the account list shows: "static keys", "process", "role via profile base", "SSO",
    // "web identity", "EC2 instance role", "role via the environment's keys".
    QString describe() const;
    // The static keys at the end of the chain (this one or a source's), or nullptr.
    const CredentialSpec *leaf() const;
    CredentialSpec *leaf();

    QJsonObject toJson() const;  // no secret in it
    static CredentialSpec fromJson(const QJsonObject &json);

    // Into an account: settings "credentials" (JSON), "credentialKind", and the leaf's static keys
    // (setting "accessKeyId", secrets "secretAccessKey"/"sessionToken").
    void store(Account &account) const;
    // From an account: its "credentials" setting, else static keys from accessKeyId/secretAccessKey.
    static CredentialSpec fromAccount(const Account &account);
};

} // namespace skydeck::aws
