#pragma once

#include "Account.h"
#include "Error.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace skydeck::gui {

class AccountCheck;

// "Add account": a name and a provider, then that provider's credentials:
//  - AWS / S3-compatible: access key id, secret access key (to the keychain), region, endpoint URL,
//    path-style addressing;
//  - Google Cloud: a service-account key file (chosen with a file dialog; its path is kept and the
//    file read when the account is used, like GOOGLE_APPLICATION_CREDENTIALS: the key stays where
//    the user keeps it, one copy, and revoking it means deleting the file);
//  - Azure: a service principal: tenant, client id, client secret (to the keychain), subscription,
//    and the cloud's sign-in and Resource Manager endpoints (the public cloud's by default).
// "Validate" and OK prove the credentials with one call on a background worker (AccountCheck); the
// provider's error is shown in the dialog as plain text and nothing is accepted until a check
// passed. Cancel works while a check runs (it aborts the call).
class AddAccountDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AddAccountDialog(QWidget *parent = nullptr);
    ~AddAccountDialog() override;

    // The account (settings only, no secret), valid after accept(). For a key file, the key's
    // settings (project, client email...) as the check resolved them.
    Account account() const;
    // The secret that goes to the keychain (AWS secret access key, Azure client secret); empty for a
    // Google Cloud key file.
    QString secret() const;
    // The name of that secret in Account::secrets ("secretAccessKey", "clientSecret").
    QString secretName() const;
    // Empty when the input is acceptable, else what is wrong.
    QString validate() const;

    // Starts the check (what the Validate button does).
    void startCheck();
    bool isChecking() const;
    // True once the current input passed a check.
    bool isVerified() const { return m_verified; }

    QComboBox *providerBox() const { return m_provider; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *keyIdEdit() const { return m_keyId; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *regionEdit() const { return m_region; }
    QLineEdit *endpointEdit() const { return m_endpoint; }
    QCheckBox *pathStyleBox() const { return m_pathStyle; }
    QLineEdit *gcpKeyFileEdit() const { return m_gcpKeyFile; }
    QLineEdit *azureTenantEdit() const { return m_azTenant; }
    QLineEdit *azureClientIdEdit() const { return m_azClientId; }
    QLineEdit *azureSecretEdit() const { return m_azSecret; }
    QLineEdit *azureSubscriptionEdit() const { return m_azSubscription; }
    QLineEdit *azureAuthorityEdit() const { return m_azAuthority; }
    QLineEdit *azureEndpointEdit() const { return m_azEndpoint; }
    QPushButton *validateButton() const { return m_validate; }
    QLabel *statusLabel() const { return m_status; }

    void accept() override;
    void reject() override;

private:
    QString provider() const;
    Account candidate() const;  // with the secret, for the check
    void inputChanged();
    void updateState();
    void onChecked(const Account &account, const Error &error);
    void chooseKeyFile();

    QComboBox *m_provider;
    QLineEdit *m_name;
    QStackedWidget *m_pages;
    // AWS
    QLineEdit *m_keyId;
    QLineEdit *m_secret;
    QLineEdit *m_region;
    QLineEdit *m_endpoint;
    QCheckBox *m_pathStyle;
    // Google Cloud
    QLineEdit *m_gcpKeyFile;
    // Azure
    QLineEdit *m_azTenant;
    QLineEdit *m_azClientId;
    QLineEdit *m_azSecret;
    QLineEdit *m_azSubscription;
    QLineEdit *m_azAuthority;
    QLineEdit *m_azEndpoint;

    QLabel *m_problem;
    QLabel *m_status;
    QPushButton *m_validate;
    QDialogButtonBox *m_buttons;
    AccountCheck *m_check;
    Account m_checked;       // what the last successful check resolved
    bool m_verified = false;
    bool m_acceptAfterCheck = false;
};

} // namespace skydeck::gui
