#pragma once

#include "Command.h"

#include "CloudUrl.h"
#include "TransferTypes.h"

#include <QHash>

#include <memory>

namespace skydeck {
class TransferEngine;
}

namespace skydeck::cli {

// skydeck cp [-r] SRC DST
//   local -> s3   a file (DST ending in '/' keeps the file name) or, with -r, a folder's tree
//   s3 -> local   an object or, with -r, every object under a prefix (hostile keys are refused
//                 by the engine's LocalPath mapping, never written outside DST)
//   s3 -> s3      server-side copy of an object or, with -r, of every object under a prefix
// Uploads and downloads go through the TransferEngine (parallel parts, checksums, .part files);
// one "upload: A to B" line per finished file on stdout, an updating progress line on stderr.
class CopyCommand : public Command
{
    Q_OBJECT
public:
    CopyCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts, const QString &accountId,
                QObject *parent = nullptr);
    ~CopyCommand() override;

    void start() override;
    void interrupt() override;

private:
    void startUpload();
    void startDownload();
    void startServerCopy();
    void copyPage();
    void pumpCopies();
    void watchEngine();
    void onTransferChanged(const TransferStatus &status);
    void onEngineIdle();
    void finishWithFailures();
    void recordFailure(const Error &error);

    CloudUrl m_src;
    CloudUrl m_dst;
    TransferEngine *m_engine = nullptr;
    QHash<quint64, bool> m_reported;  // transfers whose end was printed
    int m_total = 0;
    int m_done = 0;
    int m_failed = 0;
    Error m_firstError;

    // s3 -> s3 -r
    QString m_srcPrefix;
    QString m_dstPrefix;
    std::unique_ptr<PrefixWalk> m_walk;  // keys outside the source prefix are never copied
    QStringList m_pendingKeys;
    bool m_listingDone = false;
    bool m_listing = false;
    int m_inFlight = 0;
};

} // namespace skydeck::cli
