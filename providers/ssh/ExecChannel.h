#pragma once

#include "Result.h"

#include <QByteArray>
#include <QFuture>
#include <QString>

namespace skydeck::ssh {

class SshSession;

struct ExecResult {
    QByteArray standardOutput;
    QByteArray standardError;
    int exitStatus = -1;     // -1 when the command died of a signal
    QString exitSignal;      // "TERM", "KILL", ... or empty
    bool outputTruncated = false;
};

// Runs one command on a ready SshSession (an "exec" channel, no pty) and collects its output and
// exit status: `jupyter server list`, `nvidia-smi`, ... The future ends with an Error when the
// channel cannot be opened or the session drops; cancelling it closes the channel. Output beyond
// maxOutput bytes per stream is dropped (outputTruncated).
class ExecChannel
{
public:
    static QFuture<Result<ExecResult>> run(SshSession *session, const QString &command,
                                           const QByteArray &standardInput = {},
                                           qsizetype maxOutput = 64 * 1024 * 1024);
};

} // namespace skydeck::ssh
