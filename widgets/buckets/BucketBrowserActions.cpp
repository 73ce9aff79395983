// The bucket browser's context-menu actions: dialogs in front of BucketOperations.
#include "BucketBrowser.h"

#include "BucketOperations.h"
#include "DisplayText.h"
#include "ObjectListModel.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QStandardPaths>

namespace skydeck::ui {

namespace {
bool validName(const QString &name)
{
    return !name.isEmpty() && !name.contains(QLatin1Char('/')) && name != QLatin1String(".")
           && name != QLatin1String("..");
}
} // namespace

void BucketBrowser::deleteSelected()
{
    const QList<ObjectRef> refs = selectedRefs();
    if (refs.isEmpty() || !m_ops)
        return;
    Q_EMIT activity(tr("Counting the objects to delete…"));
    const QString bucket = m_bucket;
    QPointer<BucketBrowser> self(this);
    m_ops->collectKeys(bucket, refs, [this, self, bucket, refs](Result<QStringList> keys) {
        if (!self)
            return;
        if (!keys.ok()) {
            reportError(keys.error());
            return;
        }
        const int n = int(keys.value().size());
        // A key is the uploader's text: shown escaped and as plain text, never as markup.
        const QString what = refs.size() == 1 ? displayText(refs.first().key)
                                              : tr("%n selected item(s)", nullptr, int(refs.size()));
        QMessageBox box(QMessageBox::Warning, tr("Delete objects"),
                        tr("Delete %1 from s3://%2?\n\nThis deletes %n object(s) and cannot be undone.", nullptr, n)
                            .arg(what, bucket),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("deleteConfirmation"));
        box.setTextFormat(Qt::PlainText);
        box.setDefaultButton(QMessageBox::Cancel);
        if (box.exec() != QMessageBox::Yes)
            return;
        Q_EMIT activity(tr("Deleting %n object(s)…", nullptr, n));
        m_ops->deleteKeys(bucket, keys.value(), [this, self, n](Result<Done> r) {
            if (!self)
                return;
            if (!r.ok())
                reportError(r.error());
            else
                Q_EMIT activity(tr("Deleted %n object(s)", nullptr, n));
            refresh();
        });
    });
}

void BucketBrowser::renameSelected()
{
    const QList<ObjectRef> refs = selectedRefs();
    if (refs.size() != 1 || !m_ops)
        return;
    const ObjectRef from = refs.first();
    QString oldName = from.key.mid(m_prefix.size());
    if (from.isPrefix)
        oldName.chop(1);
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename"),
                                               from.isPrefix ? tr("New folder name (every object under it is "
                                                                  "copied, then the old ones deleted):")
                                                             : tr("New name:"),
                                               QLineEdit::Normal, oldName, &ok).trimmed();
    if (!ok || name == oldName)
        return;
    if (!validName(name)) {
        reportError(Error(Error::Category::InvalidInput, tr("\"%1\" is not a valid name").arg(name)));
        return;
    }
    const QString newKey = m_prefix + name + (from.isPrefix ? QStringLiteral("/") : QString());
    QPointer<BucketBrowser> self(this);
    Q_EMIT activity(tr("Renaming %1…").arg(oldName));
    m_ops->rename(m_bucket, from, newKey, [this, self, name](Result<Done> r) {
        if (!self)
            return;
        if (!r.ok())
            reportError(r.error());
        else
            Q_EMIT activity(tr("Renamed to %1").arg(name));
        refresh();
    });
}

void BucketBrowser::newFolder()
{
    if (m_bucket.isEmpty() || !m_ops)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New folder"), tr("Folder name:"), QLineEdit::Normal,
                                               QString(), &ok).trimmed();
    if (!ok)
        return;
    if (!validName(name)) {
        reportError(Error(Error::Category::InvalidInput, tr("\"%1\" is not a valid folder name").arg(name)));
        return;
    }
    QPointer<BucketBrowser> self(this);
    m_ops->createFolder(m_bucket, m_prefix + name + QLatin1Char('/'), [this, self](Result<Done> r) {
        if (!self)
            return;
        if (!r.ok())
            reportError(r.error());
        refresh();
    });
}

void BucketBrowser::uploadFiles()
{
    if (m_bucket.isEmpty())
        return;
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Upload files to s3://%1/%2").arg(m_bucket, m_prefix));
    if (!files.isEmpty())
        uploadPaths(files, m_prefix);
}

void BucketBrowser::uploadFolder()
{
    if (m_bucket.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Upload a folder to s3://%1/%2").arg(m_bucket, m_prefix));
    if (!dir.isEmpty())
        uploadPaths({dir}, m_prefix);
}

void BucketBrowser::downloadSelected()
{
    const QList<ObjectRef> refs = selectedRefs();
    if (refs.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Download to folder"), QStandardPaths::writableLocation(QStandardPaths::DownloadLocation));
    if (!dir.isEmpty())
        downloadTo(refs, dir);
}

void BucketBrowser::copyPresignedUrl()
{
    const QList<ObjectRef> refs = selectedRefs();
    if (refs.size() != 1 || refs.first().isPrefix || !m_ops)
        return;
    const QList<QPair<QString, int>> choices{{tr("15 minutes"), 15 * 60},
                                             {tr("1 hour"), 3600},
                                             {tr("1 day"), 86400},
                                             {tr("7 days (the maximum)"), 7 * 86400}};
    QStringList labels;
    for (const auto &c : choices)
        labels.append(c.first);
    bool ok = false;
    const QString picked = QInputDialog::getItem(this, tr("Copy presigned URL"),
                                                 tr("Anyone with the link can download %1 until it expires. Expires in:")
                                                     .arg(refs.first().key),
                                                 labels, 1, false, &ok);
    if (!ok)
        return;
    const int seconds = choices.at(labels.indexOf(picked)).second;
    QPointer<BucketBrowser> self(this);
    m_ops->presign(m_bucket, refs.first().key, seconds, [this, self, picked](Result<QUrl> r) {
        if (!self)
            return;
        if (!r.ok()) {
            reportError(r.error());
            return;
        }
        QApplication::clipboard()->setText(r.value().toString(QUrl::FullyEncoded));
        Q_EMIT activity(tr("Presigned URL copied (expires in %1)").arg(picked));
    });
}

void BucketBrowser::showProperties()
{
    const QList<ObjectRef> refs = selectedRefs();
    if (refs.size() != 1 || refs.first().isPrefix || !m_ops)
        return;
    const QString key = refs.first().key;
    const QString bucket = m_bucket;
    QPointer<BucketBrowser> self(this);
    m_ops->head(bucket, key, [this, self, bucket, key](Result<ObjectHead> r) {
        if (!self)
            return;
        if (!r.ok()) {
            reportError(r.error());
            return;
        }
        const ObjectHead &h = r.value();
        auto *dlg = new QDialog(this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->setWindowTitle(tr("Properties of %1").arg(key.section(QLatin1Char('/'), -1)));
        auto *form = new QFormLayout(dlg);
        auto add = [dlg, form](const QString &label, const QString &value) {
            auto *l = new QLabel(value.isEmpty() ? QStringLiteral("—") : displayText(value), dlg);
            l->setTextFormat(Qt::PlainText);  // metadata is the uploader's text, never markup
            l->setTextInteractionFlags(Qt::TextSelectableByMouse);
            form->addRow(label, l);
        };
        const QLocale loc;
        add(tr("Location"), QStringLiteral("s3://%1/%2").arg(bucket, key));
        add(tr("Size"), tr("%1 (%2 bytes)").arg(ObjectListModel::formatSize(h.size), loc.toString(h.size)));
        add(tr("Modified"), loc.toString(h.modified.toLocalTime(), QLocale::LongFormat));
        add(tr("ETag"), h.etag);
        add(tr("Content type"), h.contentType);
        add(tr("Storage class"), h.storageClass.isEmpty() ? QStringLiteral("STANDARD") : h.storageClass);
        add(tr("Version"), h.versionId);
        for (auto it = h.metadata.cbegin(); it != h.metadata.cend(); ++it)
            add(tr("x-amz-meta-%1").arg(it.key()), it.value());
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dlg);
        connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
        form->addRow(buttons);
        dlg->show();
    });
}

} // namespace skydeck::ui
