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
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace skydeck::ui {

QList<LaunchDialog::ImageChoice> LaunchDialog::images(const QString &provider)
{
    if (provider == QLatin1String("aws"))
        // EC2 resolves "resolve:ssm:<public parameter>" to the region's current AMI at launch.
        return {
            {tr("Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)"),
             QStringLiteral("resolve:ssm:/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id")},
            {tr("Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.3 (Ubuntu 22.04)"),
             QStringLiteral("resolve:ssm:/aws/service/deeplearning/ami/x86_64/oss-nvidia-driver-gpu-pytorch-2.3-ubuntu-22.04/latest/ami-id")},
            {tr("Ubuntu Server 22.04 LTS"),
             QStringLiteral("resolve:ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id")},
            {tr("Amazon Linux 2023"),
             QStringLiteral("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")},
        };
    if (provider == QLatin1String("gcp"))
        return {
            {tr("Deep Learning VM: CUDA 12.1, Python 3.10 (Debian 11)"),
             QStringLiteral("projects/deeplearning-platform-release/global/images/family/common-cu121-debian-11-py310")},
            {tr("Deep Learning VM: PyTorch, GPU (Debian 11)"),
             QStringLiteral("projects/deeplearning-platform-release/global/images/family/pytorch-latest-gpu-debian-11-py310")},
            {tr("Ubuntu 22.04 LTS"), QStringLiteral("projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts")},
            {tr("Debian 12"), QStringLiteral("projects/debian-cloud/global/images/family/debian-12")},
        };
    return {};
}

LaunchDialog::LaunchDialog(const QList<AccountChoice> &accounts, QWidget *parent)
    : QDialog(parent), m_accounts(accounts), m_account(new QComboBox(this)), m_region(new QComboBox(this)),
      m_name(new QLineEdit(this)), m_type(new QComboBox(this)), m_accel(new QComboBox(this)),
      m_accelCount(new QSpinBox(this)), m_image(new QComboBox(this)), m_disk(new QSpinBox(this)),
      m_spot(new QCheckBox(tr("Spot / preemptible (cheaper, may be stopped by the provider)"), this)),
      m_keyName(new QLineEdit(this)), m_sshUser(new QLineEdit(this)), m_sshKey(new QLineEdit(this)),
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
    m_sshUser->setText(qEnvironmentVariable("USER"));
    const QString pub = QDir::home().filePath(QStringLiteral(".ssh/id_ed25519.pub"));
    m_sshKey->setText(QFile::exists(pub) ? pub : QString());
    m_sshKey->setPlaceholderText(tr("path to a .pub file"));
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
    form->addRow(tr("Price"), m_price);

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
    m_form->setRowVisible(m_accelRow, gcp);
    m_form->setRowVisible(m_sshUser, gcp);
    m_form->setRowVisible(m_sshKey, gcp);
    m_form->setRowVisible(m_keyName, !gcp);
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
    if (p == QLatin1String("gcp")) {
        r.sshUser = m_sshUser->text().trimmed();
        QFile f(m_sshKey->text().trimmed());
        if (!m_sshKey->text().trimmed().isEmpty() && f.open(QIODevice::ReadOnly))
            r.sshPublicKey = QString::fromUtf8(f.readAll()).trimmed();  // a public key: not a secret
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

void LaunchDialog::validate()
{
    bool ok = !m_name->text().trimmed().isEmpty() && !m_type->currentData().toString().isEmpty()
        && !m_image->currentText().trimmed().isEmpty() && !m_region->currentText().trimmed().isEmpty();
    if (provider() == QLatin1String("gcp"))
        ok = ok && m_region->currentText().count(QLatin1Char('-')) >= 2;  // a zone, not a region
    for (QAbstractButton *b : m_buttons->buttons())
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(ok);
}

} // namespace skydeck::ui
