#pragma once

#include "Error.h"
#include "ObjectMime.h"

#include <QMimeData>
#include <QPointer>
#include <QUrl>

#include <memory>

class QWidget;

namespace skydeck {
class ProviderWorker;
class StorageClient;
class TransferEngine;
} // namespace skydeck

namespace skydeck::ui {

class DragStaging;

// Limits of dragging objects out to another application (QSettings, group "buckets").
struct DragOutSettings {
    static constexpr qint64 kDefaultMaxBytes = 512LL * 1024 * 1024;
    static constexpr int kDefaultMaxWaitSeconds = 300;

    qint64 maxBytes = kDefaultMaxBytes;         // buckets/dragOutMaxBytes
    int maxWaitSeconds = kDefaultMaxWaitSeconds;  // buckets/dragOutMaxWaitSeconds
    QString stagingRoot;                        // CacheLocation + "/drag"

    static DragOutSettings load();
    // Removes staging folders (stagingRoot/<uuid>) older than maxAgeSeconds, on the thread pool.
    static void removeOldStaging(const QString &stagingRoot, qint64 maxAgeSeconds = 24 * 3600);
};

// The mime data the bucket browser drags: the internal formats of ObjectMime (identities, s3://
// text) plus `text/uri-list`, so that Nautilus, Dolphin, Thunar and other file managers accept the
// drop as files.
//
// The URLs are produced lazily: only when a drop target asks for `text/uri-list` does
// retrieveData() download the selection (DragStaging: through the TransferEngine, so ranged,
// verified, `.part`-renamed, hostile keys refused) into stagingRoot/<uuid>/ and answer with the
// file:// URLs of the staged top-level items; the file manager then copies them where they were
// dropped. Skydeck's own drop targets never ask for it (they use the internal format), so drops
// inside the app stage nothing. The answer is kept: asking again returns the same URLs.
//
// Why retrieveData() waits in a QEventLoop, against the rule of no nested loops: QMimeData's
// contract is synchronous (X11's XDND selection request, Wayland's data offer and OLE's GetData
// all end in one call that must return the bytes), and a file promise (XdndDirectSave, macOS'
// NSFilePromiseProvider) is not exposed by Qt. So the wait is confined to this one call and
// bounded: the listing is cut short past maxBytes, the wait ends after maxWaitSeconds, a
// window-modal progress dialog (after 400 ms) can cancel it (Cancel or Escape), the window's
// other input is blocked meanwhile, and a second request while it runs gets no data.
//
// A selection whose listed sizes are already over maxBytes does not offer `text/uri-list` at all;
// one that turns out larger once its folders are listed yields no URLs. Both say why through
// notice() ("use Download to…"); the drag keeps its internal formats either way.
class ObjectDragMime : public QMimeData
{
    Q_OBJECT
public:
    ObjectDragMime(const ObjectDragPayload &payload, TransferEngine *engine, ProviderWorker *worker,
                   StorageClient *client, const DragOutSettings &settings, QWidget *dialogParent = nullptr);
    ~ObjectDragMime() override;

    static constexpr char kUriList[] = "text/uri-list";

    // Whether text/uri-list is offered (there is an engine and the known sizes fit the cap).
    bool offersFiles() const { return m_offersFiles; }
    QString stagingDir() const { return m_stagingDir; }
    // Why the last request for text/uri-list gave fewer items than dragged, or none.
    Error lastError() const { return m_error; }
    bool staged() const { return m_finished && !m_urls.isEmpty(); }

    QStringList formats() const override;
    bool hasFormat(const QString &mimeType) const override;

Q_SIGNALS:
    void notice(const skydeck::Error &error);

protected:
    QVariant retrieveData(const QString &mimeType, QMetaType type) const override;

private:
    QList<QUrl> stage();

    ObjectDragPayload m_payload;
    QPointer<TransferEngine> m_engine;
    QPointer<ProviderWorker> m_worker;
    QPointer<StorageClient> m_client;
    DragOutSettings m_settings;
    QPointer<QWidget> m_dialogParent;
    QString m_stagingDir;
    bool m_offersFiles = false;
    bool m_busy = false;
    bool m_finished = false;
    QList<QUrl> m_urls;
    Error m_error;
};

} // namespace skydeck::ui
