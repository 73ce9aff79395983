#include "AddAccountDialog.h"

#include "AddedAccounts.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>

namespace skydeck::gui {

AddAccountDialog::AddAccountDialog(QWidget *parent)
    : QDialog(parent), m_name(new QLineEdit(this)), m_keyId(new QLineEdit(this)), m_secret(new QLineEdit(this)),
      m_region(new QLineEdit(QStringLiteral("us-east-1"), this)), m_endpoint(new QLineEdit(this)),
      m_pathStyle(new QCheckBox(tr("Path-style addressing (endpoint/bucket/key)"), this)), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add S3 account"));
    m_name->setPlaceholderText(tr("e.g. work, minio-lab"));
    m_keyId->setPlaceholderText(QStringLiteral("AKIA…"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setPlaceholderText(tr("stored in the system keychain"));
    m_endpoint->setPlaceholderText(tr("empty for AWS; https://minio.example:9000 for S3-compatible"));
    m_problem->setForegroundRole(QPalette::PlaceholderText);
    m_problem->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add account"));

    auto *form = new QFormLayout(this);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Access key ID"), m_keyId);
    form->addRow(tr("Secret access key"), m_secret);
    form->addRow(tr("Region"), m_region);
    form->addRow(tr("Endpoint URL"), m_endpoint);
    form->addRow(QString(), m_pathStyle);
    form->addRow(m_problem);
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_name, m_keyId, m_secret, m_region, m_endpoint})
        connect(e, &QLineEdit::textChanged, this, &AddAccountDialog::updateState);
    // An endpoint usually means an S3-compatible service, where path-style is the safe default.
    connect(m_endpoint, &QLineEdit::textEdited, this, [this](const QString &t) { m_pathStyle->setChecked(!t.isEmpty()); });
    updateState();
    setMinimumWidth(520);
}

QString AddAccountDialog::validate() const
{
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the account a name.");
    if (m_keyId->text().trimmed().isEmpty())
        return tr("Enter the access key ID.");
    if (m_secret->text().isEmpty())
        return tr("Enter the secret access key.");
    if (m_region->text().trimmed().contains(QLatin1Char(' ')))
        return tr("The region has no spaces (e.g. eu-west-1).");
    const QString ep = m_endpoint->text().trimmed();
    if (!ep.isEmpty()) {
        const QUrl u(ep, QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https"))
            || u.host().isEmpty())
            return tr("The endpoint must be an http:// or https:// URL.");
    }
    return {};
}

void AddAccountDialog::updateState()
{
    const QString problem = validate();
    m_problem->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

Account AddAccountDialog::account() const
{
    Account a;
    const QString name = m_name->text().trimmed();
    a.id = AddedAccounts::idForName(name);
    a.provider = QStringLiteral("aws");
    a.displayName = name;
    a.source = AddedAccounts::addedSource();
    const QString region = m_region->text().trimmed();
    a.settings.insert(QStringLiteral("region"), region.isEmpty() ? QStringLiteral("us-east-1") : region);
    a.settings.insert(QStringLiteral("accessKeyId"), m_keyId->text().trimmed());
    if (!m_endpoint->text().trimmed().isEmpty())
        a.settings.insert(QStringLiteral("endpoint"), m_endpoint->text().trimmed());
    a.settings.insert(QStringLiteral("addressingStyle"),
                      m_pathStyle->isChecked() ? QStringLiteral("path") : QStringLiteral("auto"));
    return a;
}

QString AddAccountDialog::secret() const
{
    return m_secret->text();
}

} // namespace skydeck::gui
