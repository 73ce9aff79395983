#pragma once

#include "AwsCredentialSpec.h"
#include "CancelToken.h"
#include "Result.h"
#include "SigV4.h"

#include <QDateTime>
#include <QObject>

#include <functional>
#include <list>
#include <memory>
#include <optional>

namespace skydeck::aws {

// ---- MFA codes -----------------------------------------------------------------------------------

// A role with mfa_serial needs a code from the user's device each time it is assumed.
struct MfaQuestion {
    QString profile;  // the profile whose role asks
    QString serial;   // mfa_serial: the device's ARN (or a hardware token's serial)
    QString roleArn;
    // What the AWS CLI asks: "Enter MFA code for arn:aws:iam::123456789012:mfa/me: "
    QString prompt() const { return QStringLiteral("Enter MFA code for %1: ").arg(serial); }
};
// The user's answer: the code, or an error saying why there is none (declined, no terminal). Call
// it once, from any thread.
using MfaAnswer = std::function<void(Result<QString> code)>;
// Asks the user (the window's dialog, the command line's terminal). Called on a provider's worker
// thread; it must not block that thread for long: hand the question to the UI and answer later.
using MfaPrompt = std::function<void(const MfaQuestion &question, MfaAnswer answer)>;

// The process's one way to ask for MFA codes (the GUI and the CLI install theirs at start). Without
// one, a role with mfa_serial fails with a clear error.
void setMfaPrompt(MfaPrompt prompt);

// ---- providers -------------------------------------------------------------------------------------

// Where one client's signers get their credentials. Lives on the client's worker thread (a child
// of the client), no widgets. Credentials that expire are cached until shortly before they do
// (refreshMargin(): five minutes, or half their lifetime when that is shorter) and fetched again
// then; until they actually expire, callers keep getting the old ones while the new ones are
// fetched, so a transfer never waits for a refresh it does not need. Concurrent callers share one
// fetch, and so do the clients of one account on other threads (a process-wide cache keyed by
// what the credentials are for): a transfer's extra connections do not assume the role again or
// ask for a second MFA code. Secrets are never logged, written to disk or put in error texts.
class CredentialProvider : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kDefaultRefreshMarginMs = 5 * 60 * 1000;

    explicit CredentialProvider(QObject *parent = nullptr);
    ~CredentialProvider() override;

    // Credentials to sign with: cached ones that have not expired, else a fetch. Answers exactly
    // once, on this object's thread, on every path (cancel included).
    void credentials(const CancelToken &token, Callback<Credentials> done);

    // What is cached now (empty when nothing was fetched yet), without waiting: the HTTP layer's
    // retries re-sign with it. Starts a background refresh when the margin is reached.
    Credentials current();

    // A server refused `refused` as expired (ExpiredToken, RequestExpired, ...): forget them, here
    // and in the process-wide cache, unless a newer set already replaced them; the next
    // credentials() fetches anew.
    void invalidate(const Credentials &refused);

    // "role arn:aws:iam::123:role/x via profile base", "credential_process of profile p", ...
    virtual QString describe() const = 0;

    int fetchCount() const { return m_fetches; }

    // How long before expiry credentials are refreshed (process-wide; tests shorten it).
    static void setRefreshMarginMs(qint64 ms);
    static qint64 refreshMarginMs();
    // Forgets every credential the process cached (tests).
    static void clearSharedCache();

    // When `c`, obtained at `obtained`, should be refreshed: refreshMarginMs() before it expires,
    // or half its lifetime when that is shorter. Invalid for credentials that do not expire.
    static QDateTime refreshTime(const Credentials &c, const QDateTime &obtained);

protected:
    // Fetches a new set. Answers once, on this thread; `token` is cancelled when the provider goes.
    virtual void fetch(const CancelToken &token, Callback<Credentials> done) = 0;
    // Key in the process-wide cache; empty: not shared (static keys).
    virtual QString sharedKey() const { return {}; }

private:
    struct Waiter;
    struct Entry {
        Credentials creds;
        QDateTime refreshAt;  // invalid: never
    };
    friend struct SharedCache;

    const QString &key();  // sharedKey(), asked once (never from the destructor)
    bool usable(const QDateTime &now) const;
    bool fresh(const QDateTime &now) const;
    void startRefresh();
    void adopt(const Entry &entry);
    void finishRefresh(const Result<Credentials> &result, const QDateTime &refreshAt);
    void onFetched(Result<Credentials> result);
    void onFlightLanded(const Result<Credentials> &result, const QDateTime &refreshAt, bool leaderGone);

    Entry m_entry;
    bool m_refreshing = false;
    bool m_leading = false;  // this provider fetches for the process-wide cache's key
    quint64 m_id = 0;
    QString m_key;
    bool m_keyKnown = false;
    CancelToken m_life;
    std::list<std::shared_ptr<Waiter>> m_waiters;
    int m_fetches = 0;
};

// The provider for a spec (its sources built as children). Lives on parent's thread.
CredentialProvider *createCredentialProvider(const CredentialSpec &spec, QObject *parent);
// What a client (S3, EC2) signs with: its spec when it has one, else its static keys, else nothing
// (nullptr: anonymous requests).
CredentialProvider *createClientCredentials(const std::optional<CredentialSpec> &source, const Credentials &keys,
                                            QObject *parent);

// The AWS CLI's timestamps: "2026-01-02T03:04:05Z", with fractions or an offset, or the
// "...UTC" form its JSON cache writes. Invalid when unreadable.
QDateTime parseAwsTime(const QString &text);

// The codes with which AWS refuses expired credentials (aws-sdk-go's credsExpiredCodes, and S3's
// TokenRefreshRequired): the signer refreshes once and retries.
bool isExpiredCredentialsCode(const QString &code);

} // namespace skydeck::aws
