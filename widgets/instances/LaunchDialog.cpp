#include "LaunchDialog.h"

#include "DisplayText.h"
#include "PriceCatalog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace skydeck::ui {

QList<LaunchDialog::ImageChoice> LaunchDialog::images(const QString &provider)
{
    return launch::images(provider);
}

LaunchDialog::LaunchDialog(const QList<AccountChoice> &accounts, QWidget *parent)
    : QDialog(parent), m_accounts(accounts), m_account(new QComboBox(this)), m_region(new QComboBox(this)),
      m_name(new QLineEdit(this)), m_type(new QComboBox(this)), m_accel(new QComboBox(this)),
      m_accelCount(new QSpinBox(this)), m_image(new QComboBox(this)), m_disk(new QSpinBox(this)),
      m_spot(new QCheckBox(tr("Spot / preemptible (cheaper, may be stopped by the provider)"), this)),
      m_keyName(new QLineEdit(this)), m_sshUser(new QLineEdit(this)), m_sshKey(new QLineEdit(this)),
      m_sshFrom(new QLineEdit(this)), m_problem(new QLabel(this)),
      m_keyLabel(new QLabel(tr("Key pair"), this)), m_userLabel(new QLabel(tr("SSH user"), this)),
      m_pubKeyLabel(new QLabel(tr("SSH public key"), this)), m_accelLabel(new QLabel(tr("GPUs (N1)"), this)),
      m_price(new QLabel(this)), m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("launchDialog"));
    setWindowTitle(tr("Launch instance"));
    setMinimumWidth(560);
    for (const AccountChoice &a : accounts)
        m_account->addItem(a.name, a.id);
    m_region->setEditable(true);
    m_region->setObjectName(QStringLiteral("launchRegion"));
    m_name->setObjectName(QStringLiteral("launchName"));
    m_name->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9][A-Za-z0-9-_.]{0,62}")), m_name));
    m_name->setPlaceholderText(tr("gpu-training-1"));
    m_type->setObjectName(QStringLiteral("launchType"));
    m_image->setEditable(true);
    m_image->setObjectName(QStringLiteral("launchImage"));
    m_image->setToolTip(tr("Pick a deep-learning image or type an AMI id / GCE image or family URL"));
    m_disk->setRange(10, 65536);
    m_disk->setValue(100);
    m_disk->setSuffix(tr(" GB"));
    m_accelCount->setRange(1, 8);
    m_keyName->setPlaceholderText(tr("an EC2 key pair name (for SSH)"));
    m_sshKey->setObjectName(QStringLiteral("launchSshKey"));
    m_sshKey->setText(launch::defaultPublicKeyPath(QDir::homePath()));
    m_sshKey->setPlaceholderText(tr("path to a .pub file"));
    m_sshUser->setObjectName(QStringLiteral("launchSshUser"));
    m_sshFrom->setObjectName(QStringLiteral("launchSshFrom"));
    // Azure: the VM's security group lets SSH in from this prefix only; never the whole internet by default.
    m_sshFrom->setText(launch::sshSourceFromEnvironment(QProcessEnvironment::systemEnvironment()));
    m_sshFrom->setPlaceholderText(tr("your public address, e.g. 203.0.113.7 (empty: no SSH from the internet)"));
    m_sshFrom->setToolTip(tr("The address SSH is allowed from in the VM's network security group. Prefilled with the "
                             "address your SSH session comes from when that is a public one; left empty, SSH stays "
                             "closed (Azure's default rules) until you allow it."));
    m_problem->setObjectName(QStringLiteral("launchProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextFormat(Qt::PlainText);
    m_price->setObjectName(QStringLiteral("launchPrice"));
    m_price->setWordWrap(true);

    auto *accelRow = new QHBoxLayout;
    accelRow->addWidget(m_accelCount);
    accelRow->addWidget(new QLabel(QStringLiteral("×"), this));
    accelRow->addWidget(m_accel, 1);

    auto *form = new QFormLayout;
    m_form = form;
    m_accelRow = accelRow;
    form->addRow(tr("Account"), m_account);
    form->addRow(tr("Region / zone"), m_region);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Machine type"), m_type);
    form->addRow(m_accelLabel, accelRow);
    form->addRow(tr("Image"), m_image);
    form->addRow(tr("Disk"), m_disk);
    form->addRow(QString(), m_spot);
    form->addRow(m_keyLabel, m_keyName);
    form->addRow(m_userLabel, m_sshUser);
    form->addRow(m_pubKeyLabel, m_sshKey);
    form->addRow(tr("SSH from"), m_sshFrom);
    form->addRow(tr("Price"), m_price);
    form->addRow(QString(), m_problem);

    QPushButton *launch = m_buttons->addButton(tr("Launch"), QDialogButtonBox::AcceptRole);
    launch->setObjectName(QStringLiteral("launchButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);

    connect(m_account, &QComboBox::currentIndexChanged, this, &LaunchDialog::onAccountChanged);
    for (QComboBox *c : {m_type, m_accel, m_region})
        connect(c, &QComboBox::currentTextChanged, this, &LaunchDialog::updatePrice);
    connect(m_accelCount, &QSpinBox::valueChanged, this, &LaunchDialog::updatePrice);
    connect(m_spot, &QCheckBox::toggled, this, &LaunchDialog::updatePrice);
    connect(m_name, &QLineEdit::textChanged, this, &LaunchDialog::validate);
    for (QLineEdit *e : {m_sshKey, m_sshFrom, m_sshUser})
        connect(e, &QLineEdit::textChanged, this, &LaunchDialog::validate);
    connect(m_image, &QComboBox::currentTextChanged, this, &LaunchDialog::validate);
    onAccountChanged();
}

QString LaunchDialog::accountId() const
{
    return m_account->currentData().toString();
}

QString LaunchDialog::provider() const
{
    const int i = m_account->currentIndex();
    return i >= 0 && i < m_accounts.size() ? m_accounts.at(i).provider : QString();
}

void LaunchDialog::onAccountChanged()
{
    const QString p = provider();
    const PriceCatalog &catalog = PriceCatalog::shipped();
    const bool gcp = p == QLatin1String("gcp");
    const bool azure = p == QLatin1String("azure");
    m_type->clear();
    // GPU types first, then the CPU ones.
    QList<PriceCatalog::Machine> machines = catalog.machines(p);
    std::stable_partition(machines.begin(), machines.end(), [](const PriceCatalog::Machine &m) { return m.gpu.count > 0; });
    for (const PriceCatalog::Machine &m : machines) {
        QString label = m.type;
        if (m.gpu.count > 0)
            label += QStringLiteral(" — %1 × %2").arg(m.gpu.count).arg(m.gpu.model);
        label += tr(", %1 vCPU, %2 GiB").arg(m.vcpus).arg(m.memoryGiB);
        m_type->addItem(label, m.type);
    }
    m_region->clear();
    const int ai = m_account->currentIndex();
    const QString accountRegion = ai >= 0 && ai < m_accounts.size() ? m_accounts.at(ai).region : QString();
    QStringList regions;
    for (const QString &r : catalog.regions(p))
        regions << (gcp ? r + QStringLiteral("-a") : r);
    if (!accountRegion.isEmpty()) {
        regions.removeAll(accountRegion);
        regions.prepend(accountRegion);
    }
    m_region->addItems(regions);
    m_accel->clear();
    m_accel->addItem(tr("none"), QString());
    for (const QString &a : catalog.acceleratorTypes(p))
        m_accel->addItem(QStringLiteral("%1 (%2)").arg(PriceCatalog::gceAcceleratorName(a), a), a);
    m_image->clear();
    for (const ImageChoice &i : images(p))
        m_image->addItem(i.label, i.image);
    m_sshUser->setText(launch::defaultSshUser(p, QProcessEnvironment::systemEnvironment()));
    m_form->setRowVisible(m_accelRow, gcp);
    m_form->setRowVisible(m_sshUser, gcp || azure);
    m_form->setRowVisible(m_sshKey, gcp || azure);
    m_form->setRowVisible(m_sshFrom, azure);
    m_form->setRowVisible(m_keyName, !gcp && !azure);
    updatePrice();
}

LaunchRequest LaunchDialog::request() const
{
    LaunchRequest r;
    const QString p = provider();
    r.name = m_name->text().trimmed();
    const QString where = m_region->currentText().trimmed();
    if (p == QLatin1String("gcp")) {
        r.zone = where;
        r.region = PriceCatalog::regionOf(p, where);
    } else if (p == QLatin1String("azure")) {
        r.region = PriceCatalog::regionOf(p, where);  // a location: eastus
    } else {
        r.region = PriceCatalog::regionOf(p, where);
        if (where != r.region)
            r.zone = where;
    }
    r.machineType = m_type->currentData().toString();
    // An image picked from the list carries its URL; a typed one is taken as typed.
    const int ii = m_image->findText(m_image->currentText());
    r.image = ii >= 0 ? m_image->itemData(ii).toString() : m_image->currentText().trimmed();
    r.diskGb = m_disk->value();
    r.spot = m_spot->isChecked();
    if (p == QLatin1String("gcp") || p == QLatin1String("azure")) {
        r.sshUser = m_sshUser->text().trimmed();
        if (const QString path = m_sshKey->text().trimmed(); !path.isEmpty()) {
            const Result<QString> key = launch::readPublicKey(path);  // a public key only, never a private one
            if (key.ok())
                r.sshPublicKey = key.value();
        }
    }
    if (p == QLatin1String("azure")) {
        const Result<QString> from = launch::normaliseCidr(m_sshFrom->text());
        r.sshFrom = from.ok() ? from.value() : QString();
    }
    if (p == QLatin1String("gcp")) {
        const QString accel = m_accel->currentData().toString();
        if (!accel.isEmpty() && r.machineType.startsWith(QLatin1String("n1-")))
            r.accelerators = GpuInfo{m_accelCount->value(), accel};
    } else {
        r.keyName = m_keyName->text().trimmed();
    }
    return r;
}

QString LaunchDialog::priceText() const
{
    return m_price->text();
}

void LaunchDialog::updatePrice()
{
    const QString p = provider();
    const bool n1 = m_type->currentData().toString().startsWith(QLatin1String("n1-"));
    m_accel->setEnabled(n1);
    m_accelCount->setEnabled(n1 && !m_accel->currentData().toString().isEmpty());
    const LaunchRequest r = request();
    QString missing;
    const std::optional<PriceQuote> q =
        PriceCatalog::shipped().quote(p, r.zone.isEmpty() ? r.region : r.zone, r.machineType, r.spot, r.accelerators, &missing);
    if (q) {
        m_price->setText(tr("<b>$%1 per hour</b> (%2 list price in %3; catalog snapshot, date unknown: hover for its source)")
                             .arg(q->perHour, 0, 'f', q->perHour < 1 ? 3 : 2)
                             .arg(r.spot ? tr("spot") : tr("on-demand"), q->region.toHtmlEscaped()));
        m_price->setToolTip(plainToolTip(q->sourceText()));
    } else {
        m_price->setText(QStringLiteral("— ") + missing.toHtmlEscaped());
        m_price->setToolTip(QString());
    }
    validate();
}

QString LaunchDialog::problem() const
{
    const QString p = provider();
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the instance a name.");
    if (m_type->currentData().toString().isEmpty() || m_image->currentText().trimmed().isEmpty()
        || m_region->currentText().trimmed().isEmpty())
        return tr("Choose a machine type, an image and a region.");
    if (p == QLatin1String("gcp") && m_region->currentText().count(QLatin1Char('-')) < 2)
        return tr("Compute Engine needs a zone (us-central1-a), not a region.");
    if (p == QLatin1String("gcp") || p == QLatin1String("azure")) {
        const QString path = m_sshKey->text().trimmed();
        if (!path.isEmpty())
            if (const Result<QString> key = launch::readPublicKey(path); !key.ok())
                return key.error().message();
    }
    if (p == QLatin1String("azure")) {
        if (m_sshKey->text().trimmed().isEmpty())
            return tr("Azure needs an SSH public key (password sign-in stays off).");
        if (m_sshUser->text().trimmed().isEmpty())
            return tr("Give the VM's admin user.");
        if (!m_sshFrom->text().trimmed().isEmpty())
            if (const Result<QString> from = launch::normaliseCidr(m_sshFrom->text()); !from.ok())
                return from.error().message();
    }
    return {};
}

void LaunchDialog::validate()
{
    const QString why = problem();
    QString note = why;
    if (why.isEmpty() && provider() == QLatin1String("azure")) {
        const Result<QString> from = launch::normaliseCidr(m_sshFrom->text());
        if (m_sshFrom->text().trimmed().isEmpty())
            note = tr("No SSH from the internet: give the address you connect from to allow it.");
        else if (from.ok() && launch::isWholeInternet(from.value()))
            note = tr("SSH will be open to the whole internet (%1).").arg(from.value());
    }
    m_problem->setText(note);
    m_problem->setVisible(!note.isEmpty());
    for (QAbstractButton *b : m_buttons->buttons())
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(why.isEmpty());
}

} // namespace skydeck::ui
