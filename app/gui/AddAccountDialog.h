#pragma once

#include "Account.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace skydeck::gui {

// "Add S3 account": name, access key id, secret (to the keychain), region, endpoint URL (for
// S3-compatible services), path-style addressing.
class AddAccountDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AddAccountDialog(QWidget *parent = nullptr);

    // The account (without the secret) and the secret, valid after accept().
    Account account() const;
    QString secret() const;
    // Empty when the input is acceptable, else what is wrong.
    QString validate() const;

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *keyIdEdit() const { return m_keyId; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *regionEdit() const { return m_region; }
    QLineEdit *endpointEdit() const { return m_endpoint; }
    QCheckBox *pathStyleBox() const { return m_pathStyle; }

private:
    void updateState();

    QLineEdit *m_name;
    QLineEdit *m_keyId;
    QLineEdit *m_secret;
    QLineEdit *m_region;
    QLineEdit *m_endpoint;
    QCheckBox *m_pathStyle;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace skydeck::gui
