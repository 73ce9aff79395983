#pragma once

#include "SshHandles.h"

#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>

namespace skydeck::ssh {

class SshConnection;

// Worker-thread half of a ShellChannel (private to the ssh library).
class ShellWorker : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxInFlight = 1024 * 1024;
    static constexpr qsizetype kMaxChunk = 256 * 1024;

    ShellWorker(int columns, int rows, std::shared_ptr<std::atomic<qint64>> inFlight);
    ~ShellWorker() override;

    // On the worker thread: start opening the channel on `connection`.
    void attach(SshConnection *connection);
    void write(const QByteArray &bytes);
    void resize(int columns, int rows);
    void setPaused(bool paused);
    void closeChannel();
    void wake();

Q_SIGNALS:
    void opened();
    void data(const QByteArray &bytes);
    void closed(const QString &reason);

private:
    bool pump();
    void finish(const QString &reason);

    enum class Step { Open, Pty, Shell, Running, Closing, Done };
    Step m_step = Step::Open;
    QPointer<SshConnection> m_conn;
    ChannelPtr m_channel;
    std::shared_ptr<std::atomic<qint64>> m_inFlight;
    QByteArray m_out;
    int m_columns, m_rows;
    int m_sentColumns, m_sentRows;
    bool m_paused = false;
    bool m_closeRequested = false;
};

} // namespace skydeck::ssh
