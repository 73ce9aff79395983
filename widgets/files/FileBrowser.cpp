#include "FileBrowser.h"

#include "ObjectDragMime.h"
#include "ProviderWorker.h"
#include "RemoteFileModel.h"
#include "TransferEngine.h"

#include <QAction>
#include <QDrag>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace skydeck {

namespace {

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

QString join(const QString &dir, const QString &name)
{
    return dir.endsWith(QLatin1Char('/')) ? QString(dir + name) : QString(dir + QLatin1Char('/') + name);
}

// A drag of ours (checked before asking for URLs: that would stage the selection).
bool isOwnDrag(const QMimeData *mime)
{
    return mime->hasFormat(QString::fromLatin1(ui::ObjectMime::kFormat));
}

} // namespace

// The view hands drags of selected rows to the browser, which knows the account behind them.
class RemoteTreeView : public QTreeView
{
public:
    explicit RemoteTreeView(FileBrowser *browser) : QTreeView(browser), m_browser(browser) {}

protected:
    void startDrag(Qt::DropActions) override { m_browser->startDragOut(); }

private:
    FileBrowser *m_browser;
};

FileBrowser::FileBrowser(std::shared_ptr<RemoteFileSystem> fs, TransferEngine *engine, QString accountId, QWidget *parent)
    : QWidget(parent), m_fs(std::move(fs)), m_engine(engine), m_accountId(std::move(accountId))
{
    m_model = new RemoteFileModel(m_fs, this);
    auto *bar = new QToolBar(this);
    auto *up = bar->addAction(QIcon::fromTheme(QStringLiteral("go-up")), tr("Up"), this, &FileBrowser::goUp);
    up->setObjectName(QStringLiteral("up"));
    bar->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"), this, &FileBrowser::refresh)->setObjectName(QStringLiteral("refresh"));
    bar->addAction(QIcon::fromTheme(QStringLiteral("folder-new")), tr("New Folder"), this, &FileBrowser::makeFolder)->setObjectName(QStringLiteral("mkdir"));
    bar->addAction(tr("Rename"), this, &FileBrowser::renameSelected)->setObjectName(QStringLiteral("rename"));
    bar->addAction(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Delete"), this, &FileBrowser::deleteSelected)->setObjectName(QStringLiteral("delete"));
    bar->addAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("Download to…"), this, &FileBrowser::downloadSelected)->setObjectName(QStringLiteral("download"));
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("path"));
    connect(m_path, &QLineEdit::returnPressed, this, [this] { navigate(m_path->text().trimmed()); });
    m_view = new RemoteTreeView(this);
    m_view->setDragEnabled(true);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setModel(m_model);
    m_view->header()->setSectionResizeMode(RemoteFileModel::NameColumn, QHeaderView::Stretch);
    m_view->header()->setStretchLastSection(false);
    m_view->viewport()->installEventFilter(this);
    m_view->setAcceptDrops(true);
    setAcceptDrops(true);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const RemoteEntry e = m_model->entry(index.row());
        if (e.isDirectory())
            navigate(e.path);
    });
    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText);  // names and messages from the server, never markup
    connect(m_model, &RemoteFileModel::failed, this, &FileBrowser::showError);
    connect(m_model, &RemoteFileModel::loaded, this, [this] { m_status->setText(tr("%n item(s)", nullptr, m_model->rowCount())); });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(bar);
    layout->addWidget(m_path);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    whenDone(m_fs->homeDirectory(), this, [this](Result<QString> home) {
        if (m_model->directory().isEmpty())
            navigate(home.ok() ? home.value() : QStringLiteral("/"));
    });
}

FileBrowser::~FileBrowser() = default;

QString FileBrowser::keyFor(const QString &remotePath)
{
    return remotePath.startsWith(QLatin1Char('/')) ? remotePath.mid(1) : remotePath;
}

QString FileBrowser::directory() const
{
    return m_model->directory();
}

void FileBrowser::navigate(const QString &path)
{
    if (path.isEmpty() || !path.startsWith(QLatin1Char('/')))
        return;
    m_path->setText(path);
    m_status->setText(tr("Listing…"));
    m_model->setDirectory(path);
    m_model->fetchMore({});
}

void FileBrowser::goUp()
{
    navigate(parentPath(directory()));
}

void FileBrowser::refresh()
{
    m_model->refresh();
}

void FileBrowser::showError(const Error &error)
{
    m_status->setText(error.toString());
    Q_EMIT errorOccurred(error);
}

QList<RemoteEntry> FileBrowser::selectedEntries() const
{
    QList<RemoteEntry> out;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
        out.append(m_model->entry(i.row()));
    return out;
}

void FileBrowser::makeFolder()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Folder"), tr("Name:"), QLineEdit::Normal, QString(), &ok);
    if (!ok || name.isEmpty())
        return;
    if (name.contains(QLatin1Char('/')) || name == QLatin1String(".") || name == QLatin1String(".."))
        return showError(Error(Error::Category::InvalidInput, tr("A folder name cannot contain '/' or be '.' or '..'")));
    whenDone(m_fs->makeDirectory(join(directory(), name)), this, [this](Status r) {
        if (!r.ok())
            return showError(r.error());
        refresh();
    });
}

void FileBrowser::renameSelected()
{
    const QList<RemoteEntry> sel = selectedEntries();
    if (sel.size() != 1)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename"), tr("New name:"), QLineEdit::Normal, sel.first().name, &ok);
    if (!ok || name.isEmpty() || name == sel.first().name)
        return;
    if (name.contains(QLatin1Char('/')))
        return showError(Error(Error::Category::InvalidInput, tr("A name cannot contain '/'")));
    whenDone(m_fs->rename(sel.first().path, join(directory(), name)), this, [this](Status r) {
        if (!r.ok())
            return showError(r.error());
        refresh();
    });
}

void FileBrowser::deleteSelected()
{
    const QList<RemoteEntry> sel = selectedEntries();
    if (sel.isEmpty())
        return;
    int folders = 0;
    for (const RemoteEntry &e : sel)
        folders += e.isDirectory() ? 1 : 0;
    QString text = tr("Delete %n item(s) from %1?", nullptr, int(sel.size())).arg(m_fs->displayName());
    if (folders > 0)
        text += QLatin1Char('\n') + tr("%n folder(s) will be deleted with everything in them.", nullptr, folders);
    if (QMessageBox::question(this, tr("Delete"), text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    auto left = std::make_shared<int>(int(sel.size()));
    for (const RemoteEntry &e : sel) {
        auto done = [this, left](const Error &err) {
            if (err.isError())
                showError(err);
            if (--*left == 0)
                refresh();
        };
        if (e.isDirectory())
            whenDone(m_fs->removeRecursive(e.path), this, [done](Result<qint64> r) { done(r.ok() ? Error() : r.error()); });
        else
            whenDone(m_fs->remove(e.path), this, [done](Status r) { done(r.ok() ? Error() : r.error()); });
    }
}

void FileBrowser::downloadSelected()
{
    const QList<RemoteEntry> sel = selectedEntries();
    if (sel.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Download to"));
    if (!dir.isEmpty())
        downloadTo(sel, dir);
}

void FileBrowser::downloadTo(const QList<RemoteEntry> &entries, const QString &localDir)
{
    for (const RemoteEntry &e : entries) {
        // The remote name is never trusted as a local path: a folder's name must be a plain,
        // printable segment; what is inside is mapped by the engine (LocalPath).
        bool plain = !e.name.isEmpty() && e.name != QLatin1String(".") && e.name != QLatin1String("..")
            && !e.name.contains(QLatin1Char('/')) && !e.name.contains(QLatin1Char('\\'));
        for (const QChar c : e.name)
            plain = plain && c.unicode() >= 0x20 && c.unicode() != 0x7f;
        if (!plain) {
            showError(Error(Error::Category::InvalidInput, tr("refused the remote name of %1").arg(e.path.toHtmlEscaped())));
            continue;
        }
        if (e.isDirectory()) {
            const QString target = QDir(localDir).filePath(e.name);
            QDir().mkpath(target);
            m_engine->downloadPrefix(m_accountId, m_fs->displayName(), keyFor(e.path), target);
        } else if (e.type == RemoteEntry::Type::File) {
            TransferSpec s;
            s.kind = TransferKind::Download;
            s.accountId = m_accountId;
            s.bucket = m_fs->displayName();
            s.key = keyFor(e.path);
            s.localPath = QDir(localDir).filePath(e.name);
            s.knownSize = e.size;
            m_engine->enqueue(s);
        } else {
            showError(Error(Error::Category::InvalidInput, tr("%1 is a link: links are not followed").arg(e.path)));
        }
    }
}

void FileBrowser::uploadLocal(const QStringList &localPaths)
{
    const QString dir = directory();
    for (const QString &p : localPaths) {
        const QFileInfo fi(p);
        if (fi.isDir()) {
            m_engine->uploadFolder(m_accountId, fi.absoluteFilePath(), m_fs->displayName(), keyFor(join(dir, fi.fileName())));
        } else if (fi.isFile()) {
            TransferSpec s;
            s.kind = TransferKind::Upload;
            s.accountId = m_accountId;
            s.bucket = m_fs->displayName();
            s.key = keyFor(join(dir, fi.fileName()));
            s.localPath = fi.absoluteFilePath();
            m_engine->enqueue(s);
        }
    }
    // Show the new entries once the queue drains.
    connect(m_engine, &TransferEngine::idle, this, &FileBrowser::refresh, Qt::SingleShotConnection);
}

void FileBrowser::setDragOut(ProviderWorker *worker, StorageClient *client)
{
    m_worker = worker;
    m_client = client;
}

QMimeData *FileBrowser::dragMimeData(const QList<RemoteEntry> &entries)
{
    const QString dir = directory();
    ui::ObjectDragPayload payload{m_accountId, m_fs->displayName(), dir == QLatin1String("/") ? QString() : keyFor(dir) + QLatin1Char('/'), {}};
    payload.scheme = QStringLiteral("sftp");
    for (const RemoteEntry &e : entries) {
        if (e.isDirectory())
            payload.refs.append({keyFor(e.path) + QLatin1Char('/'), true, -1});
        else if (e.type == RemoteEntry::Type::File)
            payload.refs.append({keyFor(e.path), false, e.size});
    }
    if (payload.refs.isEmpty())
        return nullptr;
    if (!m_engine || !m_worker || !m_client) {
        auto *mime = new QMimeData;
        ui::ObjectMime::fill(mime, payload);
        return mime;
    }
    const ui::DragOutSettings settings = ui::DragOutSettings::load();
    ui::DragOutSettings::removeOldStaging(settings.stagingRoot);
    auto *mime = new ui::ObjectDragMime(payload, m_engine, m_worker, m_client, settings, window());
    // Queued: shown after the drop that asked for the files has returned.
    connect(mime, &ui::ObjectDragMime::notice, this, &FileBrowser::showError, Qt::QueuedConnection);
    if (!mime->offersFiles() && mime->lastError().isError())
        m_status->setText(mime->lastError().message());
    return mime;
}

void FileBrowser::startDragOut()
{
    const QList<RemoteEntry> sel = selectedEntries();
    QMimeData *mime = dragMimeData(sel);
    if (!mime) {
        if (!sel.isEmpty())
            showError(Error(Error::Category::InvalidInput, tr("Links are not followed: drag the files they point to")));
        return;
    }
    auto *drag = new QDrag(m_view);
    drag->setMimeData(mime);
    drag->exec(Qt::CopyAction, Qt::CopyAction);
}

void FileBrowser::dragEnterEvent(QDragEnterEvent *event)
{
    if (!isOwnDrag(event->mimeData()) && event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void FileBrowser::dropEvent(QDropEvent *event)
{
    if (isOwnDrag(event->mimeData()))
        return;  // dropped back on itself: nothing to do (asking for its URLs would download it)
    QStringList paths;
    for (const QUrl &u : event->mimeData()->urls())
        if (u.isLocalFile())
            paths.append(u.toLocalFile());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    uploadLocal(paths);
}

bool FileBrowser::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
            auto *e = static_cast<QDropEvent *>(event);
            if (!isOwnDrag(e->mimeData()) && e->mimeData()->hasUrls()) {
                e->acceptProposedAction();
                return true;
            }
        } else if (event->type() == QEvent::Drop) {
            dropEvent(static_cast<QDropEvent *>(event));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace skydeck
