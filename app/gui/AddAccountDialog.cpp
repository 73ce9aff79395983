#include "AddAccountDialog.h"

#include "AccountCheck.h"
#include "AddedAccounts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace skydeck::gui {

namespace {
const QString kAws = QStringLiteral("aws");
const QString kGcp = QStringLiteral("gcp");
const QString kAzure = QStringLiteral("azure");

QString checkUrl(const QString &text, const QString &what)
{
    const QUrl u(text, QUrl::StrictMode);
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) || u.host().isEmpty())
        return AddAccountDialog::tr("%1 must be an http:// or https:// URL.").arg(what);
    return {};
}
} // namespace

AddAccountDialog::AddAccountDialog(QWidget *parent)
    : QDialog(parent), m_provider(new QComboBox(this)), m_name(new QLineEdit(this)), m_pages(new QStackedWidget(this)),
      m_keyId(new QLineEdit(this)), m_secret(new QLineEdit(this)),
      m_region(new QLineEdit(QStringLiteral("us-east-1"), this)), m_endpoint(new QLineEdit(this)),
      m_pathStyle(new QCheckBox(tr("Path-style addressing (endpoint/bucket/key)"), this)),
      m_gcpKeyFile(new QLineEdit(this)), m_azTenant(new QLineEdit(this)), m_azClientId(new QLineEdit(this)),
      m_azSecret(new QLineEdit(this)), m_azSubscription(new QLineEdit(this)),
      m_azAuthority(new QLineEdit(QStringLiteral("https://login.microsoftonline.com"), this)),
      m_azEndpoint(new QLineEdit(QStringLiteral("https://management.azure.com"), this)), m_problem(new QLabel(this)),
      m_status(new QLabel(this)), m_validate(new QPushButton(tr("Validate"), this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)),
      m_check(new AccountCheck(this))
{
    setWindowTitle(tr("Add account"));
    m_provider->setObjectName(QStringLiteral("provider"));
    m_provider->addItem(tr("AWS or S3-compatible (access keys)"), kAws);
    m_provider->addItem(tr("Google Cloud (service-account key file)"), kGcp);
    m_provider->addItem(tr("Azure (service principal)"), kAzure);
    m_name->setPlaceholderText(tr("e.g. work, minio-lab"));

    // AWS
    m_keyId->setPlaceholderText(QStringLiteral("AKIA…"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setPlaceholderText(tr("stored in the system keychain"));
    m_endpoint->setPlaceholderText(tr("empty for AWS; https://minio.example:9000 for S3-compatible"));
    auto *aws = new QWidget(m_pages);
    auto *awsForm = new QFormLayout(aws);
    awsForm->setContentsMargins(0, 0, 0, 0);
    awsForm->addRow(tr("Access key ID"), m_keyId);
    awsForm->addRow(tr("Secret access key"), m_secret);
    awsForm->addRow(tr("Region"), m_region);
    awsForm->addRow(tr("Endpoint URL"), m_endpoint);
    awsForm->addRow(QString(), m_pathStyle);
    m_pages->addWidget(aws);

    // Google Cloud
    m_gcpKeyFile->setPlaceholderText(tr("the service account's JSON key"));
    auto *browse = new QPushButton(tr("Choose…"), this);
    browse->setObjectName(QStringLiteral("chooseKeyFile"));
    connect(browse, &QPushButton::clicked, this, &AddAccountDialog::chooseKeyFile);
    auto *gcp = new QWidget(m_pages);
    auto *gcpForm = new QFormLayout(gcp);
    gcpForm->setContentsMargins(0, 0, 0, 0);
    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_gcpKeyFile, 1);
    keyRow->addWidget(browse);
    gcpForm->addRow(tr("Key file"), keyRow);
    auto *gcpNote = new QLabel(tr("The file stays where it is and is read when the account is used; Skydeck keeps "
                                  "its path only. The project is the key's own."),
                               gcp);
    gcpNote->setWordWrap(true);
    gcpNote->setForegroundRole(QPalette::PlaceholderText);
    gcpForm->addRow(gcpNote);
    m_pages->addWidget(gcp);

    // Azure
    m_azTenant->setPlaceholderText(tr("directory (tenant) ID"));
    m_azClientId->setPlaceholderText(tr("application (client) ID"));
    m_azSecret->setEchoMode(QLineEdit::Password);
    m_azSecret->setPlaceholderText(tr("stored in the system keychain"));
    m_azSubscription->setPlaceholderText(tr("subscription ID"));
    auto *az = new QWidget(m_pages);
    auto *azForm = new QFormLayout(az);
    azForm->setContentsMargins(0, 0, 0, 0);
    azForm->addRow(tr("Tenant ID"), m_azTenant);
    azForm->addRow(tr("Client ID"), m_azClientId);
    azForm->addRow(tr("Client secret"), m_azSecret);
    azForm->addRow(tr("Subscription ID"), m_azSubscription);
    azForm->addRow(tr("Sign-in endpoint"), m_azAuthority);
    azForm->addRow(tr("Resource Manager"), m_azEndpoint);
    m_pages->addWidget(az);

    m_problem->setForegroundRole(QPalette::PlaceholderText);
    m_problem->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("checkStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);  // the provider's words, never interpreted as markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_validate->setObjectName(QStringLiteral("validate"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add account"));
    m_buttons->addButton(m_validate, QDialogButtonBox::ActionRole);

    auto *top = new QFormLayout;
    top->addRow(tr("Provider"), m_provider);
    top->addRow(tr("Name"), m_name);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_pages);
    layout->addWidget(m_problem);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    // One label column for the top form and every page, so the fields line up when the page changes.
    QList<QWidget *> labels;
    for (QFormLayout *f : {top, awsForm, gcpForm, azForm})
        for (int row = 0; row < f->rowCount(); ++row)
            if (QLayoutItem *item = f->itemAt(row, QFormLayout::LabelRole); item && item->widget())
                labels << item->widget();
    int labelWidth = 0;
    for (QWidget *l : std::as_const(labels))
        labelWidth = std::max(labelWidth, l->sizeHint().width());
    for (QWidget *l : std::as_const(labels))
        l->setMinimumWidth(labelWidth);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &AddAccountDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &AddAccountDialog::reject);
    connect(m_validate, &QPushButton::clicked, this, &AddAccountDialog::startCheck);
    connect(m_check, &AccountCheck::finished, this, &AddAccountDialog::onChecked);
    connect(m_provider, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_pages->setCurrentIndex(i);
        inputChanged();
    });
    for (QLineEdit *e : {m_name, m_keyId, m_secret, m_region, m_endpoint, m_gcpKeyFile, m_azTenant, m_azClientId,
                         m_azSecret, m_azSubscription, m_azAuthority, m_azEndpoint})
        connect(e, &QLineEdit::textChanged, this, &AddAccountDialog::inputChanged);
    connect(m_pathStyle, &QCheckBox::toggled, this, &AddAccountDialog::inputChanged);
    // An endpoint usually means an S3-compatible service, where path-style is the safe default.
    connect(m_endpoint, &QLineEdit::textEdited, this, [this](const QString &t) { m_pathStyle->setChecked(!t.isEmpty()); });
    updateState();
    setMinimumWidth(560);
}

AddAccountDialog::~AddAccountDialog() = default;

QString AddAccountDialog::provider() const
{
    return m_provider->currentData().toString();
}

QString AddAccountDialog::validate() const
{
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the account a name.");
    const QString p = provider();
    if (p == kGcp) {
        if (m_gcpKeyFile->text().trimmed().isEmpty())
            return tr("Choose the service account's key file.");
        return {};
    }
    if (p == kAzure) {
        if (m_azTenant->text().trimmed().isEmpty())
            return tr("Enter the tenant ID.");
        if (m_azClientId->text().trimmed().isEmpty())
            return tr("Enter the client ID.");
        if (m_azSecret->text().isEmpty())
            return tr("Enter the client secret.");
        if (m_azSubscription->text().trimmed().isEmpty())
            return tr("Enter the subscription ID.");
        if (const QString e = checkUrl(m_azAuthority->text().trimmed(), tr("The sign-in endpoint")); !e.isEmpty())
            return e;
        return checkUrl(m_azEndpoint->text().trimmed(), tr("Resource Manager"));
    }
    if (m_keyId->text().trimmed().isEmpty())
        return tr("Enter the access key ID.");
    if (m_secret->text().isEmpty())
        return tr("Enter the secret access key.");
    if (m_region->text().trimmed().contains(QLatin1Char(' ')))
        return tr("The region has no spaces (e.g. eu-west-1).");
    const QString ep = m_endpoint->text().trimmed();
    if (!ep.isEmpty())
        return checkUrl(ep, tr("The endpoint"));
    return {};
}

void AddAccountDialog::inputChanged()
{
    // What was proven no longer matches what is typed: check again (a running check is dropped).
    m_verified = false;
    m_acceptAfterCheck = false;
    if (m_check->isRunning())
        m_check->cancel();
    m_status->clear();
    updateState();
}

void AddAccountDialog::updateState()
{
    const QString problem = validate();
    m_problem->setText(problem);
    const bool checking = m_check->isRunning();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty() && !checking);
    m_validate->setEnabled(problem.isEmpty() && !checking);
}

Account AddAccountDialog::candidate() const
{
    Account a;
    const QString name = m_name->text().trimmed();
    const QString p = provider();
    a.id = AddedAccounts::idForName(name, p);
    a.provider = p;
    a.displayName = name;
    a.source = AddedAccounts::addedSource();
    if (p == kGcp) {
        a.settings.insert(QStringLiteral("keyFile"), m_gcpKeyFile->text().trimmed());
    } else if (p == kAzure) {
        a.settings.insert(QStringLiteral("credential"), QStringLiteral("secret"));
        a.settings.insert(QStringLiteral("tenantId"), m_azTenant->text().trimmed());
        a.settings.insert(QStringLiteral("clientId"), m_azClientId->text().trimmed());
        a.settings.insert(QStringLiteral("subscriptionId"), m_azSubscription->text().trimmed());
        a.settings.insert(QStringLiteral("authorityHost"), m_azAuthority->text().trimmed());
        a.settings.insert(QStringLiteral("endpoint"), m_azEndpoint->text().trimmed());
        a.secrets.insert(QStringLiteral("clientSecret"), m_azSecret->text());
    } else {
        const QString region = m_region->text().trimmed();
        a.settings.insert(QStringLiteral("region"), region.isEmpty() ? QStringLiteral("us-east-1") : region);
        a.settings.insert(QStringLiteral("accessKeyId"), m_keyId->text().trimmed());
        if (!m_endpoint->text().trimmed().isEmpty())
            a.settings.insert(QStringLiteral("endpoint"), m_endpoint->text().trimmed());
        a.settings.insert(QStringLiteral("addressingStyle"),
                          m_pathStyle->isChecked() ? QStringLiteral("path") : QStringLiteral("auto"));
        a.secrets.insert(QStringLiteral("secretAccessKey"), m_secret->text());
    }
    return a;
}

Account AddAccountDialog::account() const
{
    Account a = m_verified ? m_checked : candidate();
    if (a.provider == kGcp) {
        // Only the path is kept; the key's settings and secret are read from the file when used.
        const QString keyFile = a.setting(QStringLiteral("keyFile"), m_gcpKeyFile->text().trimmed());
        Account kept;
        kept.id = a.id;
        kept.provider = a.provider;
        kept.displayName = a.displayName;
        kept.source = a.source;
        kept.settings.insert(QStringLiteral("keyFile"), keyFile);
        return kept;
    }
    a.secrets.clear();  // the secret goes to the keychain, never into settings
    return a;
}

QString AddAccountDialog::secretName() const
{
    const QString p = provider();
    if (p == kAws)
        return QStringLiteral("secretAccessKey");
    if (p == kAzure)
        return QStringLiteral("clientSecret");
    return {};
}

QString AddAccountDialog::secret() const
{
    const QString p = provider();
    if (p == kAws)
        return m_secret->text();
    if (p == kAzure)
        return m_azSecret->text();
    return {};
}

bool AddAccountDialog::isChecking() const
{
    return m_check->isRunning();
}

void AddAccountDialog::startCheck()
{
    if (!validate().isEmpty())
        return;
    m_verified = false;
    m_status->setText(tr("Checking the credentials with %1…").arg(m_provider->currentText()));
    m_check->start(candidate());
    updateState();
}

void AddAccountDialog::onChecked(const Account &account, const Error &error)
{
    if (error.isError()) {
        m_acceptAfterCheck = false;
        QString text;
        switch (error.category()) {
        case Error::Category::Network:
            text = tr("Could not reach the provider (network): %1").arg(error.toString());
            break;
        case Error::Category::Auth:
        case Error::Category::Permission:
            text = tr("The provider refused these credentials: %1").arg(error.toString());
            break;
        default:  // a key file that cannot be read, a malformed answer, a server error...
            text = tr("The check failed: %1").arg(error.toString());
            break;
        }
        m_status->setText(text);
        updateState();
        return;
    }
    m_verified = true;
    m_checked = account;
    m_status->setText(tr("The credentials work."));
    updateState();
    if (m_acceptAfterCheck) {
        m_acceptAfterCheck = false;
        QDialog::accept();
    }
}

void AddAccountDialog::accept()
{
    if (!validate().isEmpty())
        return;
    if (m_verified) {
        QDialog::accept();
        return;
    }
    // OK checks first and closes only when the check passes.
    m_acceptAfterCheck = true;
    startCheck();
}

void AddAccountDialog::reject()
{
    m_acceptAfterCheck = false;
    m_check->cancel();  // aborts the call; the dialog never waits for it
    QDialog::reject();
}

void AddAccountDialog::chooseKeyFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Service account key file"), QString(),
                                                      tr("JSON key (*.json);;All files (*)"));
    if (!path.isEmpty())
        m_gcpKeyFile->setText(path);
}

} // namespace skydeck::gui
