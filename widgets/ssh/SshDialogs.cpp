#include "SshDialogs.h"

#include "KbdInteractive.h"
#include "KnownHosts.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace skydeck::ui {

namespace {
QLabel *wrapped(const QString &html, QWidget *parent)
{
    auto *l = new QLabel(html, parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}
} // namespace

HostKeyDialog::HostKeyDialog(const QString &sessionName, const ssh::HostKeyCheck &check, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("hostKeyDialog"));
    setWindowTitle(tr("New host key — %1").arg(sessionName));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(wrapped(tr("<b>Skydeck has never seen this host's key.</b><br>Check the fingerprint with "
                                 "the host's owner (or <tt>ssh-keygen -lf</tt> on the host) before accepting."),
                              this));
    auto *form = new QFormLayout;
    form->addRow(tr("Host:"), wrapped(check.host.toHtmlEscaped(), this));
    form->addRow(tr("Key type:"), wrapped(check.keyType.toHtmlEscaped(), this));
    auto *fp = wrapped(QStringLiteral("<tt>%1</tt>").arg(check.fingerprint.toHtmlEscaped()), this);
    fp->setObjectName(QStringLiteral("fingerprint"));
    form->addRow(tr("Fingerprint:"), fp);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(this);
    m_accept = buttons->addButton(tr("Accept and connect"), QDialogButtonBox::AcceptRole);
    m_accept->setObjectName(QStringLiteral("acceptHostKey"));
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setDefault(true);  // Enter does not accept a key by accident
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

HostKeyRefusalDialog::HostKeyRefusalDialog(const QString &sessionName, const QString &message, Reason reason,
                                           QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("hostKeyRefusal"));
    setWindowTitle(reason == Reason::Revoked ? tr("Host key revoked — connection refused")
                                             : tr("Host key changed — connection refused"));
    auto *layout = new QVBoxLayout(this);
    auto *head = new QHBoxLayout;
    auto *icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(48, 48));
    head->addWidget(icon, 0, Qt::AlignTop);
    auto *text = wrapped(QStringLiteral("<p style='color:#c62828'><b>%1</b></p><p style='color:#c62828'>%2</p>")
                             .arg(tr("Refused to connect to %1.").arg(sessionName).toHtmlEscaped(),
                                  message.toHtmlEscaped()),
                         this);
    text->setObjectName(QStringLiteral("refusalText"));
    text->setMinimumWidth(460);
    head->addWidget(text, 1);
    layout->addLayout(head);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

KbdIntDialog::KbdIntDialog(const QString &sessionName, const ssh::KbdIntQuestion &question, QWidget *parent)
    : QDialog(parent)
{
    using ssh::KbdIntQuestion;
    setObjectName(QStringLiteral("kbdIntDialog"));
    setWindowTitle(tr("%1 asks").arg(sessionName));
    auto *layout = new QVBoxLayout(this);
    const auto plain = [this](const QString &serverText, const char *name) {  // never rich text
        auto *l = new QLabel(KbdIntQuestion::printable(serverText, 400), this);
        l->setTextFormat(Qt::PlainText);
        l->setWordWrap(true);
        l->setObjectName(QLatin1String(name));
        return l;
    };
    auto *intro = new QLabel(tr("The server asks for more than the password (keyboard-interactive). "
                                "Answer only if you expect these questions."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    if (!KbdIntQuestion::printable(question.name).isEmpty())
        layout->addWidget(plain(question.name, "name"));
    if (!KbdIntQuestion::printable(question.instruction).isEmpty())
        layout->addWidget(plain(question.instruction, "instruction"));
    auto *form = new QFormLayout;
    for (const ssh::KbdIntPrompt &p : question.prompts) {
        auto *edit = new QLineEdit(this);
        edit->setEchoMode(p.echo ? QLineEdit::Normal : QLineEdit::Password);
        edit->setObjectName(QStringLiteral("answer%1").arg(m_fields.size()));
        auto *label = plain(p.text, "prompt");
        label->setBuddy(edit);
        form->addRow(label, edit);
        m_fields << edit;
    }
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

QStringList KbdIntDialog::answers() const
{
    QStringList out;
    for (const QLineEdit *f : m_fields)
        out << f->text();
    return out;
}

SecretDialog::SecretDialog(Kind kind, const QString &prompt, bool canRemember, QWidget *parent)
    : QDialog(parent), m_kind(kind), m_canRemember(canRemember), m_edit(new QLineEdit(this)), m_remember(new QCheckBox(tr("Remember in keychain"), this))
{
    setObjectName(kind == Kind::Password ? QStringLiteral("passwordDialog") : QStringLiteral("passphraseDialog"));
    setWindowTitle(kind == Kind::Password ? tr("SSH password") : tr("Key passphrase"));
    m_edit->setEchoMode(QLineEdit::Password);
    m_edit->setObjectName(QStringLiteral("secret"));
    m_remember->setObjectName(QStringLiteral("remember"));
    m_remember->setVisible(kind == Kind::Password && canRemember);
    m_remember->setToolTip(tr("Kept in the system keychain, never in Skydeck's settings."));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(wrapped(kind == Kind::Password
                                  ? prompt.toHtmlEscaped()
                                  : tr("Passphrase for the key <tt>%1</tt>:").arg(prompt.toHtmlEscaped()),
                              this));
    layout->addWidget(m_edit);
    layout->addWidget(m_remember);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

QString SecretDialog::secret() const
{
    return m_edit->text();
}

bool SecretDialog::remember() const
{
    return m_kind == Kind::Password && m_canRemember && m_remember->isChecked();
}

} // namespace skydeck::ui
