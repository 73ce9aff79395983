#include "ObjectDragMime.h"

#include "BucketsLogging.h"
#include "DragStaging.h"
#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TransferEngine.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QApplication>
#include <QLocale>
#include <QProgressDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

namespace skydeck::ui {

DragOutSettings DragOutSettings::load()
{
    const QSettings s;
    DragOutSettings d;
    d.maxBytes = s.value(QStringLiteral("buckets/dragOutMaxBytes"), kDefaultMaxBytes).toLongLong();
    d.maxWaitSeconds = s.value(QStringLiteral("buckets/dragOutMaxWaitSeconds"), kDefaultMaxWaitSeconds).toInt();
    if (d.maxWaitSeconds <= 0)
        d.maxWaitSeconds = kDefaultMaxWaitSeconds;
    d.stagingRoot = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/drag");
    return d;
}

void DragOutSettings::removeOldStaging(const QString &stagingRoot, qint64 maxAgeSeconds)
{
    if (stagingRoot.isEmpty())
        return;
    (void)QtConcurrent::run([stagingRoot, maxAgeSeconds] {
        const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-maxAgeSeconds);
        const QDir root(stagingRoot);
        int removed = 0;
        for (const QFileInfo &fi : root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks)) {
            // Only our own <uuid> folders, never anything else that might sit there.
            if (QUuid::fromString(fi.fileName()).isNull() || fi.lastModified().toUTC() >= cutoff)
                continue;
            if (QDir(fi.absoluteFilePath()).removeRecursively())
                ++removed;
        }
        if (removed)
            qCInfo(lcBuckets) << "drag out: removed" << removed << "old staging folders from" << stagingRoot;
    });
}

ObjectDragMime::ObjectDragMime(const ObjectDragPayload &payload, TransferEngine *engine, ProviderWorker *worker,
                               StorageClient *client, const DragOutSettings &settings, QWidget *dialogParent)
    : m_payload(payload), m_engine(engine), m_worker(worker), m_client(client), m_settings(settings),
      m_dialogParent(dialogParent)
{
    ObjectMime::fill(this, payload);
    m_stagingDir = QDir(settings.stagingRoot).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces));
    qint64 known = 0;
    for (const ObjectRef &r : payload.refs)
        if (!r.isPrefix)
            known += qMax<qint64>(r.size, 0);
    m_offersFiles = engine && worker && client && !settings.stagingRoot.isEmpty() && known <= settings.maxBytes;
    if (engine && !m_offersFiles && known > settings.maxBytes)
        m_error = Error(Error::Category::InvalidInput,
                        tr("The selection is over %1 (the limit for dragging to another application); "
                           "use \"Download to…\" instead")
                            .arg(QLocale().formattedDataSize(settings.maxBytes)));
}

ObjectDragMime::~ObjectDragMime() = default;

QStringList ObjectDragMime::formats() const
{
    QStringList f = QMimeData::formats();
    if (m_offersFiles && !f.contains(QLatin1String(kUriList)))
        f.append(QString::fromLatin1(kUriList));
    return f;
}

bool ObjectDragMime::hasFormat(const QString &mimeType) const
{
    return formats().contains(mimeType);
}

QVariant ObjectDragMime::retrieveData(const QString &mimeType, QMetaType type) const
{
    if (mimeType != QLatin1String(kUriList))
        return QMimeData::retrieveData(mimeType, type);
    if (!m_offersFiles)
        return {};
    // Producing the data on request is what retrieveData() is for; Qt declares it const.
    const QList<QUrl> urls = const_cast<ObjectDragMime *>(this)->stage();
    if (urls.isEmpty())
        return {};
    if (type.id() == QMetaType::QByteArray || type.id() == QMetaType::QString) {
        QByteArray bytes;
        for (const QUrl &u : urls)
            bytes += u.toEncoded() + "\r\n";
        return type.id() == QMetaType::QString ? QVariant(QString::fromUtf8(bytes)) : QVariant(bytes);
    }
    QVariantList list;
    for (const QUrl &u : urls)
        list.append(u);
    return list;
}

QList<QUrl> ObjectDragMime::stage()
{
    if (m_finished)
        return m_urls;
    if (m_busy)  // asked again while the first request waits (a nested event): no data yet
        return {};
    m_busy = true;

    DragStaging staging(m_engine, m_worker, m_client, m_payload, m_settings.maxBytes, m_stagingDir);
    QEventLoop loop;
    connect(&staging, &DragStaging::finished, &loop, &QEventLoop::quit);

    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &staging, [&staging, this] {
        staging.cancel(Error(Error::Category::Cancelled,
                             tr("Gave up after %n second(s) of downloading for the drop", nullptr, m_settings.maxWaitSeconds)));
    });
    deadline.start(m_settings.maxWaitSeconds * 1000);
    // If the engine or the account goes away meanwhile, stop waiting.
    if (m_engine)
        connect(m_engine, &QObject::destroyed, &staging, [&staging] { staging.cancel(); });

    std::unique_ptr<QProgressDialog> dialog;
    if (qobject_cast<QApplication *>(QCoreApplication::instance())) {
        dialog = std::make_unique<QProgressDialog>(
            tr("Downloading %n item(s) for the drop…", nullptr, int(m_payload.refs.size())), tr("Cancel"), 0, 0,
            m_dialogParent);
        dialog->setWindowTitle(tr("Dragging out of %1").arg(m_payload.url(QString())));
        dialog->setWindowModality(m_dialogParent ? Qt::WindowModal : Qt::ApplicationModal);
        dialog->setMinimumDuration(400);
        dialog->setAutoClose(false);
        dialog->setAutoReset(false);
        connect(dialog.get(), &QProgressDialog::canceled, &staging, [&staging] { staging.cancel(); });
        connect(dialog.get(), &QDialog::rejected, &staging, [&staging] { staging.cancel(); });
        QProgressDialog *d = dialog.get();
        connect(&staging, &DragStaging::progress, d, [d](qint64 done, qint64 total) {
            // In KiB: QProgressDialog counts in int.
            d->setMaximum(int(qMax<qint64>(total / 1024, 1)));
            d->setValue(int(qMin(done, total) / 1024));
        });
        QApplication::setOverrideCursor(Qt::BusyCursor);
    }

    staging.start();
    if (staging.outcome() == DragStaging::Outcome::Running)
        loop.exec();
    if (dialog)
        QApplication::restoreOverrideCursor();

    m_busy = false;
    m_finished = true;
    m_urls = staging.urls();
    m_error = staging.error();
    if (m_error.isError())
        Q_EMIT notice(m_error);
    return m_urls;
}

} // namespace skydeck::ui
