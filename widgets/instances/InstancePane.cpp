#include "InstancePane.h"

#include "AccountRegistry.h"
#include "InstanceFilterProxy.h"
#include "InstanceModel.h"
#include "InstancesLogging.h"
#include "LaunchDialog.h"
#include "TerminateDialog.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace skydeck::ui {

namespace {

QToolButton *toolButton(QAction *a, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setDefaultAction(a);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setAutoRaise(true);
    return b;
}

bool isStopped(InstanceState s)
{
    return s == InstanceState::Stopped || s == InstanceState::StoppedBilled;
}

} // namespace

InstancePane::InstancePane(AccountRegistry *registry, QWidget *parent)
    : QWidget(parent), m_registry(registry), m_model(new InstanceModel(registry, this)),
      m_proxy(new InstanceFilterProxy(this)), m_view(new QTableView(this)), m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("instancePane"));
    m_proxy->setSourceModel(m_model);
    m_view->setObjectName(QStringLiteral("instanceView"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(InstanceModel::NameColumn, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->setColumnHidden(InstanceModel::ProviderColumn, false);
    const int widths[InstanceModel::ColumnCount] = {95, 150, 120, 150, 150, 150, 140, 110, 115, 100, 90, 80, 70};
    for (int c = 0; c < InstanceModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
    m_status->setObjectName(QStringLiteral("instanceStatus"));
    m_status->setTextFormat(Qt::PlainText);  // names and messages from the server, never markup
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    buildToolbar();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(m_toolbarLayout);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &InstancePane::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &InstancePane::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &InstancePane::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &InstancePane::updateStatus);
    connect(m_model, &InstanceModel::refreshStarted, this, &InstancePane::updateStatus);
    connect(m_model, &InstanceModel::refreshFinished, this, &InstancePane::updateStatus);
    connect(m_model, &InstanceModel::errorOccurred, this, &InstancePane::errorOccurred);
    connect(m_model, &InstanceModel::activity, this, &InstancePane::activity);
    connect(m_model, &InstanceModel::launched, this, [this](const QString &key) { selectKey(key); });
    connect(m_view, &QTableView::doubleClicked, this, [this] { openSsh(false); });
    updateActions();
    updateStatus();
}

InstancePane::~InstancePane() = default;

void InstancePane::buildToolbar()
{
    m_start = new QAction(QIcon(QStringLiteral(":/icons/vm-start.svg")), tr("Start"), this);
    m_stop = new QAction(QIcon(QStringLiteral(":/icons/vm-stop.svg")), tr("Stop"), this);
    m_reboot = new QAction(QIcon(QStringLiteral(":/icons/vm-reboot.svg")), tr("Reboot"), this);
    m_terminate = new QAction(QIcon(QStringLiteral(":/icons/delete.svg")), tr("Terminate…"), this);
    m_launch = new QAction(QIcon(QStringLiteral(":/icons/vm-launch.svg")), tr("Launch…"), this);
    m_ssh = new QAction(QIcon(QStringLiteral(":/icons/terminal.svg")), tr("SSH"), this);
    m_jupyter = new QAction(QIcon(QStringLiteral(":/icons/jupyter.svg")), tr("Jupyter"), this);
    m_refresh = new QAction(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("Refresh"), this);
    m_start->setObjectName(QStringLiteral("startInstance"));
    m_stop->setObjectName(QStringLiteral("stopInstance"));
    m_reboot->setObjectName(QStringLiteral("rebootInstance"));
    m_terminate->setObjectName(QStringLiteral("terminateInstance"));
    m_launch->setObjectName(QStringLiteral("launchInstance"));
    m_ssh->setObjectName(QStringLiteral("sshInstance"));
    m_jupyter->setObjectName(QStringLiteral("jupyterInstance"));
    m_refresh->setObjectName(QStringLiteral("refreshInstances"));
    m_start->setToolTip(tr("Start the selected stopped instances"));
    m_stop->setToolTip(tr("Stop the selected running instances.\nAzure: Stop deallocates the VM, so its compute "
                          "stops billing; a VM only \"stopped\" (from inside the OS) is still billed."));
    m_reboot->setToolTip(tr("Reboot the selected running instances"));
    m_terminate->setToolTip(tr("Terminate (delete) one instance, after typing its name"));
    m_launch->setToolTip(tr("Launch a new instance on EC2, Compute Engine or Azure"));
    m_ssh->setToolTip(tr("Open a terminal on the instance (public IP, or private through the account's jump host)"));
    m_jupyter->setToolTip(tr("Open Jupyter on the instance through an SSH tunnel"));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_refresh->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_refresh);
    connect(m_start, &QAction::triggered, this, [this] { actOnSelection(InstanceAction::Start); });
    connect(m_stop, &QAction::triggered, this, [this] { actOnSelection(InstanceAction::Stop); });
    connect(m_reboot, &QAction::triggered, this, [this] { actOnSelection(InstanceAction::Reboot); });
    connect(m_terminate, &QAction::triggered, this, &InstancePane::terminateSelected);
    connect(m_launch, &QAction::triggered, this, &InstancePane::launch);
    connect(m_ssh, &QAction::triggered, this, [this] { openSsh(false); });
    connect(m_jupyter, &QAction::triggered, this, [this] { openSsh(true); });
    connect(m_refresh, &QAction::triggered, m_model, &InstanceModel::refresh);

    m_providerBox = new QComboBox(this);
    m_providerBox->setObjectName(QStringLiteral("providerFilter"));
    m_providerBox->addItem(tr("All providers"), QString());
    m_providerBox->addItem(QStringLiteral("AWS EC2"), QStringLiteral("aws"));
    m_providerBox->addItem(QStringLiteral("Compute Engine"), QStringLiteral("gcp"));
    m_providerBox->addItem(QStringLiteral("Azure"), QStringLiteral("azure"));
    connect(m_providerBox, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setProviderFilter(m_providerBox->currentData().toString()); });
    m_stateBox = new QComboBox(this);
    m_stateBox->setObjectName(QStringLiteral("stateFilter"));
    m_stateBox->addItem(tr("Any state"), int(InstanceFilterProxy::StateFilter::All));
    m_stateBox->addItem(tr("Running"), int(InstanceFilterProxy::StateFilter::Running));
    m_stateBox->addItem(tr("Stopped"), int(InstanceFilterProxy::StateFilter::Stopped));
    m_stateBox->addItem(tr("Changing"), int(InstanceFilterProxy::StateFilter::Changing));
    connect(m_stateBox, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setStateFilter(InstanceFilterProxy::StateFilter(m_stateBox->currentData().toInt()));
    });
    m_gpuBox = new QCheckBox(tr("GPU only"), this);
    m_gpuBox->setObjectName(QStringLiteral("gpuFilter"));
    connect(m_gpuBox, &QCheckBox::toggled, m_proxy, &InstanceFilterProxy::setGpuOnly);
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("instanceFilterText"));
    m_text->setPlaceholderText(tr("Filter: name, id, IP, type, region…"));
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, m_proxy, &InstanceFilterProxy::setText);
    m_groupBox = new QComboBox(this);
    m_groupBox->setObjectName(QStringLiteral("groupBy"));
    m_groupBox->addItem(tr("No grouping"), int(InstanceFilterProxy::GroupBy::None));
    m_groupBox->addItem(tr("Group by account"), int(InstanceFilterProxy::GroupBy::Account));
    m_groupBox->addItem(tr("Group by region"), int(InstanceFilterProxy::GroupBy::Region));
    connect(m_groupBox, &QComboBox::currentIndexChanged, this, [this] {
        const auto g = InstanceFilterProxy::GroupBy(m_groupBox->currentData().toInt());
        m_proxy->setGroupBy(g);
        // The group's column first, so the sections read down the left edge.
        QHeaderView *h = m_view->horizontalHeader();
        const int gc = m_proxy->groupColumn();
        h->moveSection(h->visualIndex(InstanceModel::AccountColumn), 1);
        h->moveSection(h->visualIndex(InstanceModel::LocationColumn), 2);
        if (gc >= 0)
            h->moveSection(h->visualIndex(gc), 0);
    });

    // Actions on the first row, the filters and grouping on the second.
    auto *actions = new QHBoxLayout;
    actions->setSpacing(4);
    for (QAction *a : {m_start, m_stop, m_reboot, m_terminate})
        actions->addWidget(toolButton(a, this));
    actions->addSpacing(12);
    for (QAction *a : {m_launch, m_ssh, m_jupyter})
        actions->addWidget(toolButton(a, this));
    actions->addStretch(1);
    actions->addWidget(toolButton(m_refresh, this));
    auto *filters = new QHBoxLayout;
    filters->setSpacing(6);
    filters->addWidget(m_text, 1);
    filters->addWidget(m_providerBox);
    filters->addWidget(m_stateBox);
    filters->addWidget(m_gpuBox);
    filters->addWidget(m_groupBox);
    auto *bar = new QVBoxLayout;
    bar->setContentsMargins(6, 4, 6, 2);
    bar->setSpacing(4);
    bar->addLayout(actions);
    bar->addLayout(filters);
    m_toolbarLayout = bar;
}

QStringList InstancePane::selectedKeys() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList keys;
    for (const QModelIndex &i : rows)
        keys << i.data(InstanceModel::KeyRole).toString();
    return keys;
}

QList<Instance> InstancePane::selectedInstances() const
{
    QList<Instance> out;
    for (const QString &k : selectedKeys()) {
        const int row = m_model->rowForKey(k);
        if (row >= 0)
            out << m_model->instance(row);
    }
    return out;
}

void InstancePane::selectKey(const QString &key)
{
    const int row = m_model->rowForKey(key);
    if (row < 0)
        return;
    const QModelIndex pi = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!pi.isValid())
        return;
    m_view->selectionModel()->select(pi, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->setCurrentIndex(pi);
    m_view->scrollTo(pi);
}

void InstancePane::actOnSelection(InstanceAction action)
{
    QStringList keys;
    bool azureStop = false;
    for (const QString &k : selectedKeys()) {
        const int row = m_model->rowForKey(k);
        if (row < 0 || m_model->index(row, 0).data(InstanceModel::BusyRole).toBool())
            continue;
        const Instance i = m_model->instance(row);
        const bool fits = action == InstanceAction::Start ? isStopped(i.state)
            : action == InstanceAction::Stop            ? (i.state == InstanceState::Running || i.state == InstanceState::StoppedBilled
                                                || i.state == InstanceState::Pending)
                                                         : i.state == InstanceState::Running;
        if (!fits)
            continue;
        azureStop = azureStop || (action == InstanceAction::Stop && i.provider == QLatin1String("azure"));
        keys << k;
    }
    if (keys.isEmpty()) {
        m_status->setText(tr("Nothing to %1 in the selection.").arg(InstanceModel::actionVerb(action).chopped(3)));
        return;
    }
    m_model->act(keys, action);
    if (azureStop)
        m_status->setText(tr("Azure: Stop deallocates the VM, so its compute stops billing. A VM shown as "
                             "\"stopped (still billed)\" was stopped from inside and still costs money."));
    updateActions();
}

void InstancePane::terminateSelected()
{
    const QList<Instance> sel = selectedInstances();
    if (sel.size() != 1)
        return;
    const Instance i = sel.first();
    auto *dlg = new TerminateDialog(i.provider, i.name, i.id, this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    const QString key = i.key();
    connect(dlg, &QDialog::accepted, this, [this, key] { m_model->act({key}, InstanceAction::Terminate); });
    dlg->open();
}

void InstancePane::launch()
{
    if (!m_registry)
        return;
    QList<LaunchDialog::AccountChoice> choices;
    for (const Account &a : m_registry->accounts())
        if ((a.provider == QLatin1String("aws") || a.provider == QLatin1String("gcp") || a.provider == QLatin1String("azure"))
            && InstanceModel::listsAccount(a))
            choices.append({a.id, a.displayName.isEmpty() ? a.id : a.displayName, a.provider,
                            a.setting(a.provider == QLatin1String("gcp") ? QStringLiteral("zone") : QStringLiteral("region"))});
    if (choices.isEmpty()) {
        m_status->setText(tr("No EC2, Compute Engine or Azure account to launch in."));
        return;
    }
    auto *dlg = new LaunchDialog(choices, this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, [this, dlg] { m_model->launch(dlg->accountId(), dlg->request()); });
    dlg->open();
}

void InstancePane::openSsh(bool jupyter)
{
    const QList<Instance> sel = selectedInstances();
    if (sel.size() != 1 || !m_registry)
        return;
    const Instance i = sel.first();
    const Account *account = m_registry->account(i.accountId);
    if (!account)
        return;
    const InstanceSshTarget t = sshTargetFor(i, *account);
    if (!t.ok()) {
        m_status->setText(t.error);
        Q_EMIT errorOccurred(Error(Error::Category::InvalidInput, t.error));
        return;
    }
    qCInfo(lcInstances) << (jupyter ? "jupyter" : "ssh") << "to" << t.host.displayName() << "for" << i.key();
    if (jupyter)
        Q_EMIT jupyterRequested(t);
    else
        Q_EMIT sshRequested(t);
}

void InstancePane::updateActions()
{
    const QList<Instance> sel = selectedInstances();
    bool anyStopped = false, anyRunning = false, anyStoppable = false;
    for (const Instance &i : sel) {
        const int row = m_model->rowForKey(i.key());
        if (row >= 0 && m_model->index(row, 0).data(InstanceModel::BusyRole).toBool())
            continue;
        anyStopped = anyStopped || isStopped(i.state);
        anyRunning = anyRunning || i.state == InstanceState::Running;
        anyStoppable = anyStoppable || i.state == InstanceState::Running || i.state == InstanceState::StoppedBilled
            || i.state == InstanceState::Pending;
    }
    m_start->setEnabled(anyStopped);
    m_stop->setEnabled(anyStoppable);
    m_reboot->setEnabled(anyRunning);
    const bool one = sel.size() == 1;
    m_terminate->setEnabled(one && sel.first().state != InstanceState::Terminated
                            && sel.first().state != InstanceState::Terminating);
    const bool oneRunning = one && sel.first().state == InstanceState::Running;
    m_ssh->setEnabled(oneRunning);
    m_jupyter->setEnabled(oneRunning);
}

void InstancePane::updateStatus()
{
    const int n = m_model->rowCount();
    QString text = m_model->isRefreshing() ? tr("Listing instances… %n so far", nullptr, n) : tr("%n instance(s)", nullptr, n);
    const auto errors = m_model->accountErrors();
    for (auto it = errors.begin(); it != errors.end(); ++it)
        text += QStringLiteral(" · ") + tr("%1: %2").arg(m_model->accountName(it.key()), it.value().message());
    text += QStringLiteral(" · ")
        + tr("$/h: SkyPilot's list-price catalog, a snapshot of unknown date (hover a price for its source)");
    m_status->setText(text);
}

void InstancePane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_shownOnce) {
        m_shownOnce = true;
        m_model->refresh();
    }
    m_model->setAutoRefreshActive(true);
}

void InstancePane::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_model->setAutoRefreshActive(false);
}

} // namespace skydeck::ui
