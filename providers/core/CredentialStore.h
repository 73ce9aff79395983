#pragma once

#include "Result.h"

#include <QHash>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcCredentials)

namespace skydeck {

// Secrets in the system keychain (QtKeychain: Secret Service / gnome-keyring, KWallet, ...).
//
// Keys are scoped "skydeck:<account id>:<name>"; the keys this store wrote are listed in QSettings
// (keychains cannot list), so removeAccount() can clear them. Every call is asynchronous and answers
// through its callback exactly once, on the thread that owns the store, unless `context` has been
// destroyed meanwhile (then nothing is called). Logs name the key, never the value.
//
// Writes time out (writeTimeoutMs); a failure that may mean "the keyring is not up yet" is retried
// once after retryDelayMs. With no keychain backend at all, sessionOnlyChanged(true) and
// backendUnavailable() are emitted once and secrets live in memory for this session only.
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    using ReadCallback = std::function<void(Result<QString>)>;
    using StatusCallback = std::function<void(Status)>;

    // `service` names the keychain entries' owner (default "skydeck"); `settingsGroup` is where the
    // list of written keys lives in QSettings.
    explicit CredentialStore(QObject *parent = nullptr);
    CredentialStore(const QString &service, const QString &settingsGroup, QObject *parent = nullptr);
    ~CredentialStore() override;

    static QString scopedKey(const QString &accountId, const QString &name);

    void read(const QString &accountId, const QString &name, QObject *context, ReadCallback done);
    void write(const QString &accountId, const QString &name, const QString &secret, QObject *context,
               StatusCallback done);
    void remove(const QString &accountId, const QString &name, QObject *context, StatusCallback done);
    // Removes every secret this store wrote for the account.
    void removeAccount(const QString &accountId, QObject *context, StatusCallback done);

    // Names written for an account (from settings; the values stay in the keychain).
    QStringList names(const QString &accountId) const;
    QStringList storedKeys() const;

    // True once no keychain backend was found: secrets are kept in memory for this session only.
    bool isSessionOnly() const { return m_sessionOnly; }
    // Skip the keychain from now on (e.g. the user chose not to store secrets on this machine).
    void useSessionOnly(const QString &reason);

    void setWriteTimeoutMs(int ms) { m_writeTimeoutMs = ms; }
    int writeTimeoutMs() const { return m_writeTimeoutMs; }
    void setRetryDelayMs(int ms) { m_retryDelayMs = ms; }

Q_SIGNALS:
    // Emitted once when the store falls back to session-only secrets; `reason` is for the user.
    void backendUnavailable(const QString &reason);
    void sessionOnlyChanged(bool sessionOnly);

private:
    struct Op;
    void start(const std::shared_ptr<Op> &op);
    void startJob(const std::shared_ptr<Op> &op);
    void onJobResult(const std::shared_ptr<Op> &op, int attempt, int code, const QString &errorString,
                     const QString &data);
    void runInMemory(const std::shared_ptr<Op> &op);
    void finish(const std::shared_ptr<Op> &op, Result<QString> result);
    void remember(const QString &key);
    void forget(const QString &key);

    QString m_service;
    QString m_settingsGroup;
    int m_writeTimeoutMs = 15000;
    int m_retryDelayMs = 1000;
    bool m_sessionOnly = false;
    QHash<QString, QString> m_sessionSecrets;  // key -> secret, only when session-only
};

} // namespace skydeck
