#pragma once

#include "ComputeTypes.h"
#include "LaunchOptions.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace skydeck::ui {

// The short launch form for EC2, Compute Engine and Azure: account, region (EC2, Azure) or zone
// (GCE), name, machine type from the price catalog (GPUs and list price shown), GCE accelerators for
// N1 types, image (the providers' deep-learning images offered, any other typed), disk size,
// spot/preemptible, EC2 key pair or the SSH user and public key (GCE, Azure), and for Azure the
// address SSH is allowed from (prefilled with the SSH client's address when it is a public one;
// empty: SSH stays closed). The price per hour and its source are shown before Launch. The
// conventions are launch::* (LaunchOptions.h), shared with `skydeck vm launch`.
class LaunchDialog : public QDialog
{
    Q_OBJECT
public:
    struct AccountChoice {
        QString id;
        QString name;
        QString provider;  // "aws", "gcp" or "azure"
        QString region;    // the account's default region/zone, if any
    };
    using ImageChoice = launch::ImageChoice;

    LaunchDialog(const QList<AccountChoice> &accounts, QWidget *parent = nullptr);

    QString accountId() const;
    QString provider() const;
    LaunchRequest request() const;
    QString priceText() const;  // what the price line shows

    static QList<ImageChoice> images(const QString &provider);

    QComboBox *machineTypes() const { return m_type; }
    QComboBox *regionBox() const { return m_region; }
    QCheckBox *spotBox() const { return m_spot; }
    QComboBox *acceleratorBox() const { return m_accel; }
    QSpinBox *acceleratorCount() const { return m_accelCount; }
    QComboBox *accountBox() const { return m_account; }
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *imageBox() const { return m_image; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    QLineEdit *sshKeyEdit() const { return m_sshKey; }
    QLineEdit *sshFromEdit() const { return m_sshFrom; }
    QLineEdit *sshUserEdit() const { return m_sshUser; }
    QString problem() const;  // why Launch is disabled (empty when it is not)

private:
    void onAccountChanged();
    void updatePrice();
    void validate();

    QList<AccountChoice> m_accounts;
    QComboBox *m_account;
    QComboBox *m_region;
    QLineEdit *m_name;
    QComboBox *m_type;
    QComboBox *m_accel;
    QSpinBox *m_accelCount;
    QComboBox *m_image;
    QSpinBox *m_disk;
    QCheckBox *m_spot;
    QLineEdit *m_keyName;
    QLineEdit *m_sshUser;
    QLineEdit *m_sshKey;
    QLineEdit *m_sshFrom;
    QLabel *m_problem;
    QLabel *m_keyLabel;
    QLabel *m_userLabel;
    QLabel *m_pubKeyLabel;
    QLabel *m_accelLabel;
    QLabel *m_price;
    QDialogButtonBox *m_buttons;
    QFormLayout *m_form = nullptr;
    QLayout *m_accelRow = nullptr;
};

} // namespace skydeck::ui
