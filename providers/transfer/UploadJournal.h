#pragma once

#include "PartPlanner.h"
#include "Result.h"
#include "StorageTypes.h"
#include "TransferTypes.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// The resume journal of a multipart upload: which upload id on the service holds the parts of
// which local file, so that an upload interrupted by a crash, a `kill -9` or a dropped connection
// resumes (ListParts says which parts the service has; only the others are sent again). One small
// JSON file per transfer in the engine's journal folder (the app's data folder by default), named
// by a hash of the account, bucket, key and local path. Blocking file work: pool threads only.
namespace skydeck::transfer {

struct UploadJournal {
    QString accountId;
    QString bucket;
    QString key;
    QString localPath;
    QString uploadId;
    qint64 fileSize = -1;
    qint64 fileMtimeMs = -1;  // the file as it was when the upload began: a changed file starts over
    qint64 partSize = 0;

    // Whether this journal describes an upload of `spec`'s file as it is now, cut into partSize parts.
    bool matches(const TransferSpec &spec, qint64 size, qint64 mtimeMs, qint64 partSize) const;
};

QString uploadJournalPath(const QString &folder, const TransferSpec &spec);
std::optional<UploadJournal> readUploadJournal(const QString &path);  // nullopt: none, or unreadable
void writeUploadJournal(const QString &path, const UploadJournal &journal);  // best effort
void removeUploadJournal(const QString &path);

// A local file's modification time in ms since the epoch (-1 when it cannot be read).
qint64 fileMtimeMs(const QString &path);

// Of the parts the service reports, those that are exactly this file's parts now: the right size
// and an ETag that is the MD5 of the bytes read back from the file. Answers the part indexes
// (0-based) with their raw MD5s; anything else is sent again.
struct VerifiedPart {
    int index = 0;
    QByteArray md5;
    QString etag;
};
Result<QList<VerifiedPart>> verifyUploadedParts(const QString &path, const PartPlan &plan,
                                                const QList<UploadedPart> &serverParts);

} // namespace skydeck::transfer
