#include "ConnectHostDialog.h"

#include "SshHostList.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace skydeck::gui {

ConnectHostDialog::ConnectHostDialog(QWidget *parent)
    : QDialog(parent), m_target(new QLineEdit(this)), m_save(new QCheckBox(tr("Keep in the SSH hosts list"), this))
{
    setObjectName(QStringLiteral("connectHostDialog"));
    setWindowTitle(tr("Connect to SSH host"));
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setPlaceholderText(QStringLiteral("user@host:port"));
    m_save->setChecked(true);
    auto *layout = new QVBoxLayout(this);
    auto *help = new QLabel(tr("<b>[user@]host[:port]</b> — a ~/.ssh/config alias works too; its settings "
                               "(identity files, ProxyJump, keepalives) apply. Passwords are asked when needed "
                               "and kept only in the keychain, and only if you ask."),
                            this);
    help->setWordWrap(true);
    layout->addWidget(help);
    layout->addWidget(m_target);
    layout->addWidget(m_save);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Connect"));
    m_ok->setEnabled(false);
    connect(m_target, &QLineEdit::textChanged, this, [this] { m_ok->setEnabled(SshHostList::isValidTarget(target())); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

QString ConnectHostDialog::target() const
{
    return m_target->text().trimmed();
}

bool ConnectHostDialog::saveInList() const
{
    return m_save->isChecked();
}

} // namespace skydeck::gui
