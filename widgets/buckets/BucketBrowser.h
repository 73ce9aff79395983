#pragma once

#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TransferEngine.h"

#include "Error.h"
#include "ObjectMime.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QMimeData;
class QPushButton;
class QTableView;

namespace skydeck::ui {

class Breadcrumbs;
class BucketOperations;
class ObjectListModel;

// The bucket browser pane: breadcrumbs, back/forward/up, a filter box, the object list, a context
// menu and drag and drop. Drops of local files/folders (text/uri-list with file:// URLs) upload
// through the TransferEngine; drags out carry the objects' identities (see ObjectMime.h) and, for
// file managers, text/uri-list staged on drop (see ObjectDragMime.h).
class BucketBrowser : public QWidget
{
    Q_OBJECT
public:
    explicit BucketBrowser(TransferEngine *engine, QWidget *parent = nullptr);
    ~BucketBrowser() override;

    void setAccount(const QString &accountId, ProviderWorker *worker, StorageClient *client);
    // Goes to bucket/prefix ("" or ending with '/'), remembered in the back history.
    void setLocation(const QString &bucket, const QString &prefix);
    QString accountId() const { return m_accountId; }
    QString bucket() const { return m_bucket; }
    QString prefix() const { return m_prefix; }

    ObjectListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QList<ObjectRef> selectedRefs() const;

    // Handles a drop of local files/folders (uploads into targetPrefix). Returns false when the
    // mime data holds nothing it can upload.
    bool uploadDropped(const QMimeData *mime, const QString &targetPrefix);
    // Queues downloads of the refs into localDir through the TransferEngine.
    void downloadTo(const QList<ObjectRef> &refs, const QString &localDir);
    // What a drag of the payload carries (the model's mimeData asks for it): an ObjectDragMime,
    // whose text/uri-list downloads the selection for an external file manager on drop.
    QMimeData *dragMimeData(const ObjectDragPayload &payload);
    void uploadPaths(const QStringList &localPaths, const QString &targetPrefix);

    // Actions with their shortcuts (also placed in the window's menus).
    QAction *refreshAction() const { return m_refresh; }
    QAction *backAction() const { return m_back; }
    QAction *forwardAction() const { return m_forward; }
    QAction *upAction() const { return m_up; }
    QAction *focusFilterAction() const { return m_focusFilter; }
    QAction *deleteAction() const { return m_delete; }
    QAction *renameAction() const { return m_rename; }
    QAction *newFolderAction() const { return m_newFolder; }
    QAction *uploadAction() const { return m_upload; }
    QAction *uploadFolderAction() const { return m_uploadFolder; }
    QAction *downloadAction() const { return m_download; }
    QAction *copyUrlAction() const { return m_copyUrl; }
    QAction *propertiesAction() const { return m_properties; }

    int runningOperations() const;

Q_SIGNALS:
    void locationChanged(const QString &accountId, const QString &bucket, const QString &prefix);
    void activity(const QString &message);           // a short note for the status bar
    void errorOccurred(const skydeck::Error &error); // the last error, for the status bar
    void runningChanged(int operations);

public Q_SLOTS:
    void refresh();
    void goBack();
    void goForward();
    void goUp();

private:
    struct Place {
        QString bucket;
        QString prefix;
    };
    void createActions();
    void buildUi();
    void go(const Place &place);
    void applyFilter();
    void updateState();
    void updateActions();
    void showContextMenu(const QPoint &pos);
    void activated(const QModelIndex &index);
    void reportError(const Error &error);
    void dragOutNotice(const Error &error);

    // Context menu actions (BucketBrowserActions.cpp).
    void deleteSelected();
    void renameSelected();
    void newFolder();
    void uploadFiles();
    void uploadFolder();
    void downloadSelected();
    void copyPresignedUrl();
    void showProperties();

    QPointer<TransferEngine> m_engine;
    QString m_accountId;
    QPointer<ProviderWorker> m_worker;
    QPointer<StorageClient> m_client;
    QString m_bucket;
    QString m_prefix;
    QList<Place> m_backStack;
    QList<Place> m_forwardStack;

    ObjectListModel *m_model = nullptr;
    BucketOperations *m_ops = nullptr;
    Breadcrumbs *m_crumbs = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_view = nullptr;
    QWidget *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QPushButton *m_retry = nullptr;
    QLabel *m_statusLine = nullptr;
    QTimer m_filterDelay;

    QAction *m_refresh = nullptr;
    QAction *m_back = nullptr;
    QAction *m_forward = nullptr;
    QAction *m_up = nullptr;
    QAction *m_focusFilter = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_rename = nullptr;
    QAction *m_newFolder = nullptr;
    QAction *m_upload = nullptr;
    QAction *m_uploadFolder = nullptr;
    QAction *m_download = nullptr;
    QAction *m_copyUrl = nullptr;
    QAction *m_properties = nullptr;
};

} // namespace skydeck::ui
