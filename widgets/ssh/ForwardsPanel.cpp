#include "ForwardsPanel.h"

#include "ForwardTableModel.h"
#include "PortForward.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace skydeck::ui {

AddForwardDialog::AddForwardDialog(QWidget *parent)
    : QDialog(parent), m_local(new QSpinBox(this)), m_host(new QLineEdit(this)), m_remote(new QSpinBox(this))
{
    setWindowTitle(tr("Add a local forward"));
    setObjectName(QStringLiteral("addForwardDialog"));
    m_local->setRange(0, 65535);
    m_local->setSpecialValueText(tr("any free port"));
    m_local->setObjectName(QStringLiteral("localPort"));
    m_host->setText(QStringLiteral("localhost"));
    m_host->setObjectName(QStringLiteral("remoteHost"));
    m_remote->setRange(1, 65535);
    m_remote->setValue(8888);
    m_remote->setObjectName(QStringLiteral("remotePort"));
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("Connections to 127.0.0.1 on this machine go through the SSH session to "
                               "the remote address, as the host sees it (like <tt>ssh -L</tt>)."), this));
    form->itemAt(0)->widget()->setProperty("wordWrap", true);
    form->addRow(tr("Local port:"), m_local);
    form->addRow(tr("Remote host:"), m_host);
    form->addRow(tr("Remote port:"), m_remote);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Forward"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_host, &QLineEdit::textChanged, this, [buttons](const QString &t) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!t.trimmed().isEmpty());
    });
    form->addRow(buttons);
}

ForwardsPanel::ForwardsPanel(ssh::PortForwardList *list, QWidget *parent)
    : QWidget(parent)
    , m_list(list)
    , m_model(new ForwardTableModel(list, this))
    , m_view(new QTableView(this))
    , m_add(new QAction(QIcon(QStringLiteral(":/icons/add-account.svg")), tr("Add forward…"), this))
    , m_remove(new QAction(QIcon(QStringLiteral(":/icons/delete.svg")), tr("Remove forward"), this))
{
    setObjectName(QStringLiteral("forwardsPanel"));
    m_view->setObjectName(QStringLiteral("forwardsTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(ForwardTableModel::StateColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->setColumnWidth(ForwardTableModel::LocalColumn, 150);
    m_view->setColumnWidth(ForwardTableModel::RemoteColumn, 200);
    m_view->setColumnWidth(ForwardTableModel::ConnectionsColumn, 140);
    m_view->setAlternatingRowColors(true);
    m_remove->setEnabled(false);
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_remove);

    auto *title = new QLabel(tr("<b>Forwards</b>"), this);
    auto *addButton = new QToolButton(this);
    addButton->setDefaultAction(m_add);
    addButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addButton->setObjectName(QStringLiteral("addForward"));
    auto *removeButton = new QToolButton(this);
    removeButton->setDefaultAction(m_remove);
    removeButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    removeButton->setObjectName(QStringLiteral("removeForward"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(title);
    bar->addStretch(1);
    bar->addWidget(addButton);
    bar->addWidget(removeButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_add, &QAction::triggered, this, &ForwardsPanel::showAddDialog);
    connect(m_remove, &QAction::triggered, this, &ForwardsPanel::removeSelected);
    auto updateRemove = [this] { m_remove->setEnabled(m_view->selectionModel()->hasSelection()); };
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, updateRemove);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, updateRemove);
}

void ForwardsPanel::showAddDialog()
{
    auto *dlg = new AddForwardDialog(this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, [this, dlg] {
        if (!m_list)
            return;
        ssh::PortForward::Spec spec;
        spec.localPort = quint16(dlg->localPortBox()->value());
        spec.remoteHost = dlg->remoteHostEdit()->text().trimmed();
        spec.remotePort = quint16(dlg->remotePortBox()->value());
        m_list->add(spec);
        m_view->selectRow(m_model->rowCount() - 1);
    });
    dlg->open();
}

void ForwardsPanel::removeSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty() || !m_list)
        return;
    if (ssh::PortForward *f = m_model->forwardAt(rows.first().row()))
        m_list->remove(f);
}

} // namespace skydeck::ui
