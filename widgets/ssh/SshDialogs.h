#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace skydeck::ssh {
struct HostKeyCheck;
struct KbdIntQuestion;
}

namespace skydeck::ui {

// A host key the known_hosts files do not have: host, key type and SHA256 fingerprint, with
// Accept (remember it in Skydeck's known_hosts) and Cancel (the connection is refused).
class HostKeyDialog : public QDialog
{
    Q_OBJECT
public:
    HostKeyDialog(const QString &sessionName, const ssh::HostKeyCheck &check, QWidget *parent = nullptr);
    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    QPushButton *m_accept;
    QPushButton *m_cancel;
};

// A changed (or revoked) host key: a red refusal naming the file and line of the known key.
// Deliberately no way to connect from here: the user edits known_hosts if the change is expected.
// A host known with a key of another type than the one shown is a changed host too.
class HostKeyRefusalDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Reason { Changed, Revoked };
    HostKeyRefusalDialog(const QString &sessionName, const QString &message, Reason reason = Reason::Changed,
                         QWidget *parent = nullptr);
};

// keyboard-interactive prompts Skydeck does not answer itself (a verification code, a second
// factor, several prompts at once): the server's name and instruction as plain text, one field per
// prompt, hidden unless the server allows echo. Never filled with the kept password.
class KbdIntDialog : public QDialog
{
    Q_OBJECT
public:
    KbdIntDialog(const QString &sessionName, const ssh::KbdIntQuestion &question, QWidget *parent = nullptr);
    QStringList answers() const;
    const QList<QLineEdit *> &fields() const { return m_fields; }

private:
    QList<QLineEdit *> m_fields;
};

// A password (with "Remember in keychain") or a key passphrase.
class SecretDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Kind { Password, Passphrase };
    // `canRemember`: a keychain is available (the checkbox is shown only for passwords).
    SecretDialog(Kind kind, const QString &prompt, bool canRemember, QWidget *parent = nullptr);

    Kind kind() const { return m_kind; }
    QString secret() const;
    bool remember() const;
    QLineEdit *secretEdit() const { return m_edit; }
    QCheckBox *rememberBox() const { return m_remember; }

private:
    Kind m_kind;
    bool m_canRemember;
    QLineEdit *m_edit;
    QCheckBox *m_remember;
};

} // namespace skydeck::ui
