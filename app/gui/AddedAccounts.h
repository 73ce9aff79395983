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

// Accounts added in the UI ("Add S3 account"): non-secret settings in QSettings
// (group "accounts/added"), the secret access key in the keychain through CredentialStore.
class AddedAccounts : public QObject
{
    Q_OBJECT
public:
    AddedAccounts(AccountRegistry *registry, CredentialStore *store, QObject *parent = nullptr);

    // Registers every saved account; each secret is read from the keychain in the background and
    // the account registered once it arrives (a missing secret is reported, not guessed).
    void loadAll();
    // Saves the settings, writes the secret to the keychain, and registers the account.
    void add(const Account &account, const QString &secretAccessKey);
    void remove(const QString &accountId);

    static QString idForName(const QString &name);
    // Account::source of the accounts added in the window.
    static QString addedSource();

Q_SIGNALS:
    void message(const QString &text);
    void errorOccurred(const skydeck::Error &error);

private:
    QPointer<AccountRegistry> m_registry;
    QPointer<CredentialStore> m_store;
};

} // namespace skydeck::gui
