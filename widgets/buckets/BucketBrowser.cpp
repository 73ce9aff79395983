#include "BucketBrowser.h"

#include "Breadcrumbs.h"
#include "BucketOperations.h"
#include "BucketsLogging.h"
#include "ObjectDragMime.h"
#include "ObjectListModel.h"
#include "TransferEngine.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QToolButton>
#include <QTableView>
#include <QVBoxLayout>

namespace skydeck::ui {

namespace {
// The object list: accepts local files and folders dropped on it (on a folder row: into that
// folder), and drags selected rows out (the model's mimeData). A QTableView, not a QTreeView:
// a flat list needs no per-row layout items, which keeps inserting into 1,000,000 rows cheap
// (bench_object_model: QTreeView spent most frames relaying out its row items).
class ObjectView : public QTableView
{
public:
    ObjectView(BucketBrowser *browser, QWidget *parent) : QTableView(parent), m_browser(browser) {}

protected:
    static bool hasLocalFiles(const QMimeData *mime)
    {
        // Our own drag (checked first: asking an ObjectDragMime for its URLs would download them).
        if (!mime || mime->hasFormat(QString::fromLatin1(ObjectMime::kFormat)) || !mime->hasUrls())
            return false;
        for (const QUrl &u : mime->urls())
            if (u.isLocalFile())
                return true;
        return false;
    }
    QString targetPrefix(const QPoint &pos) const
    {
        const QModelIndex idx = indexAt(pos);
        if (idx.isValid() && idx.data(ObjectListModel::IsPrefixRole).toBool())
            return idx.data(ObjectListModel::KeyRole).toString();
        return m_browser->prefix();
    }
    void dragEnterEvent(QDragEnterEvent *e) override
    {
        if (hasLocalFiles(e->mimeData()) && !m_browser->bucket().isEmpty()) {
            e->setDropAction(Qt::CopyAction);
            e->accept();
        } else {
            e->ignore();
        }
    }
    void dragMoveEvent(QDragMoveEvent *e) override
    {
        if (hasLocalFiles(e->mimeData()) && !m_browser->bucket().isEmpty()) {
            e->setDropAction(Qt::CopyAction);
            e->accept();
        } else {
            e->ignore();
        }
    }
    void dropEvent(QDropEvent *e) override
    {
        if (m_browser->uploadDropped(e->mimeData(), targetPrefix(e->position().toPoint()))) {
            e->setDropAction(Qt::CopyAction);
            e->accept();
        } else {
            e->ignore();
        }
    }

private:
    BucketBrowser *m_browser;
};
} // namespace

BucketBrowser::BucketBrowser(TransferEngine *engine, QWidget *parent)
    : QWidget(parent), m_engine(engine), m_model(new ObjectListModel(this))
{
    createActions();
    buildUi();
    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(250);
    connect(&m_filterDelay, &QTimer::timeout, this, &BucketBrowser::applyFilter);
    connect(m_model, &ObjectListModel::stateChanged, this, &BucketBrowser::updateState);
    connect(m_model, &ObjectListModel::progress, this, &BucketBrowser::updateState);
    connect(m_model, &ObjectListModel::listingFailed, this, &BucketBrowser::reportError);
    m_model->setMimeFactory([this](const ObjectDragPayload &payload) { return dragMimeData(payload); });
    updateState();
    updateActions();
}

BucketBrowser::~BucketBrowser() = default;

void BucketBrowser::createActions()
{
    auto make = [this](const QString &text, const char *icon, const QKeySequence &key, auto slot) {
        auto *a = new QAction(QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(icon))), text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    m_refresh = make(tr("Refresh"), "refresh", QKeySequence(Qt::Key_F5), &BucketBrowser::refresh);
    m_back = make(tr("Back"), "back", QKeySequence(Qt::ALT | Qt::Key_Left), &BucketBrowser::goBack);
    m_forward = make(tr("Forward"), "forward", QKeySequence(Qt::ALT | Qt::Key_Right), &BucketBrowser::goForward);
    m_up = make(tr("Parent folder"), "up", QKeySequence(Qt::ALT | Qt::Key_Up), &BucketBrowser::goUp);
    m_focusFilter = make(tr("Filter / location"), "filter", QKeySequence(Qt::CTRL | Qt::Key_L), [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    m_delete = make(tr("Delete…"), "delete", QKeySequence(QKeySequence::Delete), &BucketBrowser::deleteSelected);
    m_rename = make(tr("Rename…"), "rename", QKeySequence(Qt::Key_F2), &BucketBrowser::renameSelected);
    m_newFolder = make(tr("New folder…"), "new-folder", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
                       &BucketBrowser::newFolder);
    m_upload = make(tr("Upload files…"), "upload", QKeySequence(Qt::CTRL | Qt::Key_U), &BucketBrowser::uploadFiles);
    m_uploadFolder = make(tr("Upload folder…"), "upload-folder", {}, &BucketBrowser::uploadFolder);
    m_download = make(tr("Download to…"), "download", {}, &BucketBrowser::downloadSelected);
    m_copyUrl = make(tr("Copy presigned URL…"), "link", {}, &BucketBrowser::copyPresignedUrl);
    m_properties = make(tr("Properties"), "properties", QKeySequence(Qt::ALT | Qt::Key_Return),
                        &BucketBrowser::showProperties);
}

void BucketBrowser::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    for (QAction *a : {m_back, m_forward, m_up, m_refresh}) {
        auto *b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setAutoRaise(true);
        bar->addWidget(b);
    }
    m_crumbs = new Breadcrumbs(this);
    connect(m_crumbs, &Breadcrumbs::prefixActivated, this, [this](const QString &p) { setLocation(m_bucket, p); });
    bar->addWidget(m_crumbs, 1);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter: prefix, or *contains (Ctrl+L)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(260);
    m_filter->addAction(QIcon(QStringLiteral(":/icons/filter.svg")), QLineEdit::LeadingPosition);
    connect(m_filter, &QLineEdit::textChanged, this, [this] { m_filterDelay.start(); });
    connect(m_filter, &QLineEdit::returnPressed, this, &BucketBrowser::applyFilter);
    bar->addWidget(m_filter);
    layout->addLayout(bar);

    m_banner = new QFrame(this);
    static_cast<QFrame *>(m_banner)->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::AlternateBase);
    auto *bl = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry = new QPushButton(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("Retry"), m_banner);
    connect(m_retry, &QPushButton::clicked, this, [this] {
        if (m_model->state() == ObjectListModel::State::Failed)
            m_model->retry();
        else
            m_model->refresh();
    });
    bl->addWidget(m_bannerText, 1);
    bl->addWidget(m_retry);
    layout->addWidget(m_banner);

    m_view = new ObjectView(this, this);
    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setTabKeyNavigation(false);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ObjectListModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setDragEnabled(true);
    m_view->setAcceptDrops(true);
    m_view->setDropIndicatorShown(true);
    m_view->setDragDropMode(QAbstractItemView::DragDrop);
    m_view->setDefaultDropAction(Qt::CopyAction);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(ObjectListModel::NameColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->resizeSection(ObjectListModel::SizeColumn, 100);
    m_view->horizontalHeader()->resizeSection(ObjectListModel::ModifiedColumn, 170);
    m_view->horizontalHeader()->resizeSection(ObjectListModel::ClassColumn, 130);
    connect(m_view, &QTableView::customContextMenuRequested, this, &BucketBrowser::showContextMenu);
    connect(m_view, &QTableView::activated, this, &BucketBrowser::activated);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &BucketBrowser::updateActions);
    layout->addWidget(m_view, 1);

    m_statusLine = new QLabel(this);
    m_statusLine->setTextFormat(Qt::PlainText);  // names and messages from the server, never markup
    m_statusLine->setContentsMargins(6, 0, 6, 2);
    m_statusLine->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_statusLine);
}

void BucketBrowser::setAccount(const QString &accountId, ProviderWorker *worker, StorageClient *client)
{
    m_accountId = accountId;
    m_worker = worker;
    m_client = client;
    delete m_ops;
    m_ops = new BucketOperations(worker, client, this);
    connect(m_ops, &BucketOperations::runningChanged, this, &BucketBrowser::runningChanged);
    m_model->setSource(worker, client, accountId);
    m_backStack.clear();
    m_forwardStack.clear();
    m_bucket.clear();
    m_prefix.clear();
    m_crumbs->setLocation({}, {});
    updateState();
    updateActions();
}

void BucketBrowser::setLocation(const QString &bucket, const QString &prefix)
{
    if (!m_bucket.isEmpty() && (bucket != m_bucket || prefix != m_prefix)) {
        m_backStack.append({m_bucket, m_prefix});
        m_forwardStack.clear();
    }
    go({bucket, prefix});
}

void BucketBrowser::go(const Place &place)
{
    m_bucket = place.bucket;
    m_prefix = place.prefix;
    if (!m_prefix.isEmpty() && !m_prefix.endsWith(QLatin1Char('/')))
        m_prefix += QLatin1Char('/');
    {
        const QSignalBlocker block(m_filter);
        m_filter->clear();
    }
    m_model->setSubstringFilter({});
    m_model->setLocation(m_bucket, m_prefix);
    m_crumbs->setLocation(m_bucket, m_prefix);
    updateActions();
    updateState();
    Q_EMIT locationChanged(m_accountId, m_bucket, m_prefix);
}

void BucketBrowser::refresh()
{
    if (!m_bucket.isEmpty())
        m_model->refresh();
}

void BucketBrowser::goBack()
{
    if (m_backStack.isEmpty())
        return;
    m_forwardStack.append({m_bucket, m_prefix});
    go(m_backStack.takeLast());
}

void BucketBrowser::goForward()
{
    if (m_forwardStack.isEmpty())
        return;
    m_backStack.append({m_bucket, m_prefix});
    go(m_forwardStack.takeLast());
}

void BucketBrowser::goUp()
{
    if (m_prefix.isEmpty())
        return;
    QString p = m_prefix;
    p.chop(1);
    const qsizetype slash = p.lastIndexOf(QLatin1Char('/'));
    setLocation(m_bucket, slash < 0 ? QString() : p.left(slash + 1));
}

void BucketBrowser::applyFilter()
{
    m_filterDelay.stop();
    // "abc" lists names starting with abc on the server; "abc*xyz" then keeps those containing xyz.
    const QString text = m_filter->text();
    const qsizetype star = text.indexOf(QLatin1Char('*'));
    const QString serverPrefix = star < 0 ? text : text.left(star);
    const QString substring = star < 0 ? QString() : text.mid(star + 1).remove(QLatin1Char('*'));
    if (serverPrefix != m_model->namePrefix())
        m_model->setLocation(m_bucket, m_prefix, serverPrefix);
    m_model->setSubstringFilter(substring);
    updateState();
}

void BucketBrowser::activated(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    if (index.data(ObjectListModel::IsPrefixRole).toBool())
        setLocation(m_bucket, index.data(ObjectListModel::KeyRole).toString());
    else
        showProperties();
}

QList<ObjectRef> BucketBrowser::selectedRefs() const
{
    QList<ObjectRef> refs;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(ObjectListModel::NameColumn);
    for (const QModelIndex &i : rows)
        refs.append(ObjectRef{i.data(ObjectListModel::KeyRole).toString(),
                              i.data(ObjectListModel::IsPrefixRole).toBool(),
                              i.data(ObjectListModel::SizeRole).toLongLong()});
    return refs;
}

int BucketBrowser::runningOperations() const
{
    return m_ops ? m_ops->running() : 0;
}

void BucketBrowser::reportError(const Error &error)
{
    Q_EMIT errorOccurred(error);
    updateState();
}

void BucketBrowser::updateState()
{
    using State = ObjectListModel::State;
    const State s = m_model->state();
    const QLocale loc;
    QString status;
    if (m_bucket.isEmpty()) {
        status = m_accountId.isEmpty() ? tr("Choose an account and a bucket on the left.")
                                       : tr("Choose a bucket on the left.");
    } else {
        status = tr("%1 items").arg(loc.toString(m_model->rowCount()));
        if (m_model->rowCount() != m_model->loadedCount() && !m_model->substringFilter().isEmpty())
            status += tr(" shown of %1 listed").arg(loc.toString(m_model->loadedCount()));
        if (s == State::Loading || s == State::Streaming)
            status += tr(" · listing…");
    }
    m_statusLine->setText(status);

    if (s == State::Failed) {
        const Error e = m_model->lastError();
        QString hint;
        switch (e.category()) {
        case Error::Category::Auth: hint = tr("Check the account's credentials."); break;
        case Error::Category::Permission: hint = tr("This account is not allowed to list here."); break;
        case Error::Category::Network: hint = tr("Check the network or the endpoint."); break;
        case Error::Category::NotFound: hint = tr("The bucket does not exist (any more)."); break;
        default: break;
        }
        m_bannerText->setText(tr("<b>Listing failed.</b> %1 %2")
                                  .arg(e.toString().toHtmlEscaped(), hint.toHtmlEscaped()));
        m_retry->setVisible(true);
        m_banner->setVisible(true);
    } else if (s == State::Complete && m_model->rowCount() == 0) {
        m_bannerText->setText(m_model->namePrefix().isEmpty() && m_model->substringFilter().isEmpty()
                                  ? tr("This folder is empty. Drop files here to upload them.")
                                  : tr("Nothing matches the filter."));
        m_retry->setVisible(false);
        m_banner->setVisible(true);
    } else {
        m_banner->setVisible(false);
    }
}

void BucketBrowser::updateActions()
{
    const bool inBucket = !m_bucket.isEmpty();
    const QList<ObjectRef> sel = m_view ? selectedRefs() : QList<ObjectRef>();
    const bool one = sel.size() == 1;
    const bool oneObject = one && !sel.first().isPrefix;
    m_back->setEnabled(!m_backStack.isEmpty());
    m_forward->setEnabled(!m_forwardStack.isEmpty());
    m_up->setEnabled(inBucket && !m_prefix.isEmpty());
    m_refresh->setEnabled(inBucket);
    m_delete->setEnabled(!sel.isEmpty());
    m_rename->setEnabled(one);
    m_newFolder->setEnabled(inBucket);
    m_upload->setEnabled(inBucket && m_engine);
    m_uploadFolder->setEnabled(inBucket && m_engine);
    m_download->setEnabled(!sel.isEmpty() && m_engine);
    m_copyUrl->setEnabled(oneObject);
    m_properties->setEnabled(oneObject);
}

void BucketBrowser::showContextMenu(const QPoint &pos)
{
    updateActions();
    QMenu menu(this);
    menu.addAction(m_download);
    menu.addAction(m_upload);
    menu.addAction(m_uploadFolder);
    menu.addSeparator();
    menu.addAction(m_newFolder);
    menu.addAction(m_rename);
    menu.addAction(m_delete);
    menu.addSeparator();
    menu.addAction(m_copyUrl);
    menu.addAction(m_properties);
    menu.addSeparator();
    menu.addAction(m_refresh);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

bool BucketBrowser::uploadDropped(const QMimeData *mime, const QString &targetPrefix)
{
    if (!mime || mime->hasFormat(QString::fromLatin1(ObjectMime::kFormat)) || !mime->hasUrls() || m_bucket.isEmpty()
        || !m_engine)
        return false;
    QStringList paths;
    for (const QUrl &u : mime->urls())
        if (u.isLocalFile())
            paths.append(u.toLocalFile());
    if (paths.isEmpty())
        return false;
    uploadPaths(paths, targetPrefix);
    return true;
}

void BucketBrowser::uploadPaths(const QStringList &localPaths, const QString &targetPrefix)
{
    int files = 0;
    int folders = 0;
    for (const QString &path : localPaths) {
        const QFileInfo fi(path);
        const QString name = fi.fileName();
        if (name.isEmpty())
            continue;
        if (fi.isDir()) {
            m_engine->uploadFolder(m_accountId, fi.absoluteFilePath(), m_bucket, targetPrefix + name + QLatin1Char('/'));
            ++folders;
        } else if (fi.isFile()) {
            TransferSpec spec;
            spec.kind = TransferKind::Upload;
            spec.accountId = m_accountId;
            spec.bucket = m_bucket;
            spec.key = targetPrefix + name;
            spec.localPath = fi.absoluteFilePath();
            m_engine->enqueue(spec);
            ++files;
        }
    }
    qCInfo(lcBuckets) << "upload queued:" << files << "files," << folders << "folders to" << m_bucket << targetPrefix;
    Q_EMIT activity(tr("Uploading %n file(s)", nullptr, files) +
                    (folders ? tr(" and %n folder(s)", nullptr, folders) : QString()));
}

QMimeData *BucketBrowser::dragMimeData(const ObjectDragPayload &payload)
{
    const DragOutSettings settings = DragOutSettings::load();
    DragOutSettings::removeOldStaging(settings.stagingRoot);
    auto *mime = new ObjectDragMime(payload, m_engine, m_worker, m_client, settings, window());
    // Queued: shown after the drop that asked for the files has returned.
    connect(mime, &ObjectDragMime::notice, this, &BucketBrowser::dragOutNotice, Qt::QueuedConnection);
    if (!mime->offersFiles() && mime->lastError().isError())
        Q_EMIT activity(mime->lastError().message());
    return mime;
}

void BucketBrowser::dragOutNotice(const Error &error)
{
    reportError(error);
    if (error.category() == Error::Category::Cancelled)
        return;
    auto *box = new QMessageBox(QMessageBox::Information, tr("Dragging out of s3://%1").arg(m_bucket),
                                error.toString(), QMessageBox::Ok, this);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->show();
}

void BucketBrowser::downloadTo(const QList<ObjectRef> &refs, const QString &localDir)
{
    if (!m_engine || refs.isEmpty())
        return;
    ObjectDragPayload payload{m_accountId, m_bucket, m_prefix, refs};
    const QStringList refused = ObjectMime::downloadTo(m_engine, payload, localDir);
    if (!refused.isEmpty())
        reportError(Error(Error::Category::InvalidInput,
                          tr("%n key(s) cannot be a local file name and were skipped: %1", nullptr,
                             int(refused.size()))
                              .arg(refused.first())));
    Q_EMIT activity(tr("Downloading %n item(s) to %1", nullptr, int(refs.size() - refused.size())).arg(localDir));
}

} // namespace skydeck::ui
