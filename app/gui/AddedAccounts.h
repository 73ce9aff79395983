#pragma once

#include "Account.h"
#include "Error.h"

#include <QObject>
#include <QPointer>

namespace skydeck {
class AccountRegistry;
class CredentialStore;
}

namespace skydeck::gui {

// Accounts added in the UI ("Add account"): non-secret settings in QSettings (group
// "accounts/added", with the provider), the one secret in the keychain through CredentialStore:
// AWS "secretAccessKey", Azure "clientSecret". A Google Cloud key-file account keeps the file's
// path only; the file is read when the account is loaded, as GOOGLE_APPLICATION_CREDENTIALS is.
class AddedAccounts : public QObject
{
    Q_OBJECT
public:
    AddedAccounts(AccountRegistry *registry, CredentialStore *store, QObject *parent = nullptr);

    // Registers every saved account; each secret is read from the keychain in the background and
    // the account registered once it arrives (a missing secret is reported, not guessed).
    void loadAll();
    // Saves the settings, writes the secret to the keychain under `secretName` (none when empty), and
    // registers the account (for a key file, as read from the file).
    void add(const Account &account, const QString &secretName, const QString &secret);
    void add(const Account &account, const QString &secretAccessKey)
    {
        add(account, QStringLiteral("secretAccessKey"), secretAccessKey);
    }
    void remove(const QString &accountId);

    // "<provider>:added:<slug of name>".
    static QString idForName(const QString &name, const QString &provider = QStringLiteral("aws"));
    // Account::source of the accounts added in the window.
    static QString addedSource();

Q_SIGNALS:
    void message(const QString &text);
    void errorOccurred(const skydeck::Error &error);

private:
    void registerResolved(Account account);
    QPointer<AccountRegistry> m_registry;
    QPointer<CredentialStore> m_store;
};

} // namespace skydeck::gui
