#pragma once

// The kinds of CredentialProvider (private to providers/aws; built by createCredentialProvider).
#include "CredentialProvider.h"

#include <QMutex>
#include <QPointer>
#include <QVariant>

#include <optional>

class QProcess;

namespace skydeck {
class HttpClient;
struct HttpResponse;
}

namespace skydeck::aws {

MfaPrompt mfaPrompt();  // what setMfaPrompt() installed (may be empty)

// Lets another thread hand work to an object that may be gone by then: post() queues fn on the
// owner's thread while the owner lives; close() (the owner's destructor) ends that, after which
// post() drops fn. The MFA answer comes back through one.
class Mailbox
{
public:
    explicit Mailbox(QObject *owner) : m_owner(owner) {}
    void post(std::function<void()> fn);
    void close();

private:
    QMutex m_lock;
    QObject *m_owner;
};

// Static keys (a profile's, the environment's, an account added in the window). Never expire.
class StaticCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    StaticCredentialProvider(const CredentialSpec &spec, QObject *parent);
    QString describe() const override;

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;

private:
    CredentialSpec m_spec;
};

// A profile that asks for credentials it cannot have: every call answers its reason.
class InvalidCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    InvalidCredentialProvider(const CredentialSpec &spec, QObject *parent);
    QString describe() const override;

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;

private:
    CredentialSpec m_spec;
};

// credential_process (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html):
// the command is split like a shell word list (no shell runs it), started with QProcess without
// blocking, its stdin closed; it must exit 0 within timeoutMs() and print JSON with Version 1,
// AccessKeyId, SecretAccessKey, optional SessionToken and Expiration (ISO 8601; credentials without
// one are kept for the session). A failure quotes the process's stderr (its stdout may hold
// secrets: never quoted).
class ProcessCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    static constexpr int kDefaultTimeoutMs = 60000;  // the AWS SDK for Go's default
    static constexpr qint64 kMaxOutputBytes = 1 << 20;

    ProcessCredentialProvider(const CredentialSpec &spec, QObject *parent);
    ~ProcessCredentialProvider() override;
    QString describe() const override;

    static void setTimeoutMs(int ms);  // tests
    static int timeoutMs();

    // The JSON a credential process printed, checked (tests).
    static Result<Credentials> parseOutput(const QByteArray &json, const QString &who);

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;
    QString sharedKey() const override;

private:
    CredentialSpec m_spec;
    QPointer<QProcess> m_process;
};

// STS AssumeRole (signed with the source's credentials, SigV4 service "sts") and
// AssumeRoleWithWebIdentity (unsigned, with the token file's contents), Query API version
// 2011-06-15 (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
// API_AssumeRoleWithWebIdentity.html). mfa_serial asks the MfaPrompt for a code. The AWS CLI's cache
// (~/.aws/cli/cache/<sha1 of the call's arguments>.json) is read first when it holds credentials
// still valid past the refresh margin; nothing is written there.
class StsCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    static constexpr const char *kApiVersion = "2011-06-15";

    StsCredentialProvider(const CredentialSpec &spec, QObject *parent);
    ~StsCredentialProvider() override;
    QString describe() const override;

    CredentialProvider *source() const { return m_source; }
    HttpClient *http() const { return m_http; }
    // The role session name sent (the configured one, else "skydeck-<unix time>").
    QString sessionName() const { return m_sessionName; }

    // The AWS CLI's cache file name for this role (botocore's JSON of the AssumeRole arguments,
    // sorted, hashed with SHA-1), or "" without a cache directory.
    QString cliCacheFile() const;
    // The form sent (tests): AssumeRole's or AssumeRoleWithWebIdentity's parameters.
    QueryItems requestParams(const QString &tokenCode, const QByteArray &webIdentityToken) const;
    // Credentials out of an AssumeRole* answer (tests).
    static Result<Credentials> parseResponse(const HttpResponse &response, const QString &action, const QString &who);

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;
    QString sharedKey() const override;

private:
    void withSource(const CancelToken &token, Callback<Credentials> done, bool retried);
    void askMfaThenCall(const Credentials &source, const CancelToken &token, Callback<Credentials> done, bool retried);
    void call(const Credentials &source, const QString &tokenCode, const QByteArray &webIdentityToken,
              const CancelToken &token, Callback<Credentials> done, bool retried);

    CredentialSpec m_spec;
    std::shared_ptr<Mailbox> m_mailbox;
    CredentialProvider *m_source = nullptr;  // AssumeRole: a child
    HttpClient *m_http = nullptr;
    QString m_sessionName;
};

// IAM Identity Center: the access token `aws sso login` left in ~/.aws/sso/cache/<sha1 of the
// session name, or of the start URL for the legacy form>.json (accessToken, expiresAt), exchanged
// for the account's role credentials with GetRoleCredentials (GET
// /federation/credentials?role_name=&account_id=, header x-amz-sso_bearer_token;
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html).
// An expired or refused token says to run aws sso login. The token is never refreshed here
// (that would write a new one to the cache).
class SsoCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    SsoCredentialProvider(const CredentialSpec &spec, QObject *parent);
    QString describe() const override;

    QString tokenFile() const;
    QString cliCacheFile() const;
    HttpClient *http() const { return m_http; }

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;
    QString sharedKey() const override;

private:
    QString loginHint() const;

    CredentialSpec m_spec;
    HttpClient *m_http = nullptr;
};

// The EC2 instance's role through IMDSv2 (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html,
// instance-metadata-security-credentials.html): PUT /latest/api/token with
// X-aws-ec2-metadata-token-ttl-seconds, then GET /latest/meta-data/iam/security-credentials/ and
// .../<role> with X-aws-ec2-metadata-token. One attempt, one second per request: off EC2 it fails
// at once.
class ImdsCredentialProvider : public CredentialProvider
{
    Q_OBJECT
public:
    static constexpr int kTimeoutMs = 1000;
    static constexpr int kTokenTtlSeconds = 21600;

    ImdsCredentialProvider(const CredentialSpec &spec, QObject *parent);
    QString describe() const override;
    HttpClient *http() const { return m_http; }

protected:
    void fetch(const CancelToken &token, Callback<Credentials> done) override;
    QString sharedKey() const override;

private:
    QUrl url(const QString &path) const;
    Error unreachable(const Error &cause) const;

    CredentialSpec m_spec;
    HttpClient *m_http = nullptr;
};

// botocore's json.dumps(args, sort_keys=True) of flat string/int arguments, with its separators
// (", " and ": " unless compact) and ASCII escapes: the AWS CLI's cache keys hash it.
QByteArray pythonJsonDumps(const QList<std::pair<QString, QVariant>> &args, bool compact);

// The AWS CLI's cached credentials in `file` ({"Credentials": {AccessKeyId, SecretAccessKey,
// SessionToken, Expiration}}), when they are still valid for longer than the refresh margin.
std::optional<Credentials> readCliCache(const QString &file);

} // namespace skydeck::aws
