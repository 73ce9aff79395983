#pragma once

#include "Error.h"
#include "StorageTypes.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace skydeck {

enum class TransferKind { Upload, Download };
enum class TransferState { Queued, Running, Verifying, Done, Failed, Cancelled };

// What to move. An upload reads localPath and writes bucket/key; a download reads bucket/key and
// writes localPath (through localPath + ".part", renamed only when complete and verified).
struct TransferSpec {
    TransferKind kind = TransferKind::Upload;
    QString accountId;
    QString bucket;
    QString key;
    QString localPath;
    PutOptions options;  // uploads: content type, storage class, metadata
    // Downloads: the object's size and ETag when a listing gave them (-1/empty: unknown). With
    // both known the engine skips its HEAD request; every range still carries If-Match.
    qint64 knownSize = -1;
    QString knownEtag;
};

// A snapshot of one transfer, for models and the CLI's progress line.
struct TransferStatus {
    quint64 id = 0;
    TransferSpec spec;
    TransferState state = TransferState::Queued;
    qint64 bytesDone = 0;
    qint64 bytesTotal = -1;       // -1 until known
    double bytesPerSecond = 0;    // smoothed over the last seconds
    int partsDone = 0;
    int partsTotal = 0;
    Error error;                  // set when Failed (or a note when Done with a warning)
    QDateTime started;
    QDateTime finished;

    bool isFinished() const
    {
        return state == TransferState::Done || state == TransferState::Failed || state == TransferState::Cancelled;
    }
};

QString transferStateName(TransferState state);

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::TransferStatus)
