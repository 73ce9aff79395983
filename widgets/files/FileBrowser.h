#pragma once

#include "RemoteFileSystem.h"

#include <QWidget>

#include <memory>

class QLineEdit;
class QMimeData;
class QTreeView;
class QLabel;

namespace skydeck {

class ProviderWorker;
class RemoteFileModel;
class StorageClient;
class TransferEngine;

// A remote file browser (SFTP) beside a terminal or on its own: a path bar, up, refresh, new
// folder, rename, delete (confirmed, with the number of items), uploads by dropping files and
// folders from a file manager (file URLs, recursive), "Download to…" and dragging files and folders
// out to a file manager (ObjectDragMime: staged through the engine when the drop asks for files,
// size-capped, links refused). Every transfer goes through the TransferEngine, so it shows in the
// transfers pane with progress, cancel and retry.
//
// The engine reaches the host through a storage account (`accountId`, provider "sftp") whose keys
// are absolute paths without the leading '/'; `bucket` is the host label it shows.
class FileBrowser : public QWidget
{
    Q_OBJECT
public:
    FileBrowser(std::shared_ptr<RemoteFileSystem> fs, TransferEngine *engine, QString accountId, QWidget *parent = nullptr);
    ~FileBrowser() override;

    RemoteFileModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QString directory() const;

    void navigate(const QString &path);
    void goUp();
    void refresh();
    // Queues uploads of local files and folders into the current directory.
    void uploadLocal(const QStringList &localPaths);
    // Queues downloads of the given remote entries into localDir (folders recursively).
    void downloadTo(const QList<RemoteEntry> &entries, const QString &localDir);

    static QString keyFor(const QString &remotePath);

    // Enables dragging out to other applications: the account's worker and storage client (the
    // "sftp:" account above) list folders for the staging. Without them a drag carries only the
    // internal format and sftp:// text.
    void setDragOut(ProviderWorker *worker, StorageClient *client);
    // What a drag of these entries carries (links are left out: they are not followed).
    QMimeData *dragMimeData(const QList<RemoteEntry> &entries);

Q_SIGNALS:
    void errorOccurred(const skydeck::Error &error);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    friend class RemoteTreeView;
    void startDragOut();
    QList<RemoteEntry> selectedEntries() const;
    void makeFolder();
    void renameSelected();
    void deleteSelected();
    void downloadSelected();
    void showError(const Error &error);

    std::shared_ptr<RemoteFileSystem> m_fs;
    TransferEngine *m_engine = nullptr;
    QString m_accountId;
    RemoteFileModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_path = nullptr;
    QLabel *m_status = nullptr;
    ProviderWorker *m_worker = nullptr;
    StorageClient *m_client = nullptr;
};

} // namespace skydeck
