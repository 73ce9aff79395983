#include "TerminateDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace skydeck::ui {

TerminateDialog::TerminateDialog(const QString &provider, const QString &name, const QString &id, QWidget *parent)
    : QDialog(parent), m_expected(name.isEmpty() ? id : name), m_input(new QLineEdit(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("terminateDialog"));
    setWindowTitle(provider == QLatin1String("aws") ? tr("Terminate instance") : tr("Delete instance"));
    const QString what = provider == QLatin1String("aws")
        ? tr("Terminating <b>%1</b> (%2) deletes it and, unless set otherwise, its root disk. This cannot be undone.")
        : tr("Deleting <b>%1</b> (%2) removes the VM. This cannot be undone.");
    auto *text = new QLabel(what.arg(m_expected.toHtmlEscaped(), id.toHtmlEscaped()) + QStringLiteral("<br><br>")
                                + tr("Type <b>%1</b> to confirm:").arg(m_expected.toHtmlEscaped()),
                            this);
    text->setWordWrap(true);
    m_input->setObjectName(QStringLiteral("confirmName"));
    m_input->setPlaceholderText(m_expected);
    QPushButton *ok = m_buttons->addButton(windowTitle().section(QLatin1Char(' '), 0, 0), QDialogButtonBox::AcceptRole);
    ok->setObjectName(QStringLiteral("confirmButton"));
    ok->setEnabled(false);
    connect(m_input, &QLineEdit::textChanged, ok, [this, ok](const QString &t) { ok->setEnabled(t == m_expected); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_input->text() == m_expected)
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_input);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
}

} // namespace skydeck::ui
