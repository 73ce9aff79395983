#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QString>

namespace skydeck::cli {

// Where the command line writes: results on stdout (buffered), errors on stderr, and one updating
// progress line on stderr only when stderr is a terminal.
class Output
{
public:
    Output();
    ~Output();

    void line(const QString &text);   // stdout
    void error(const QString &text);  // stderr, "skydeck: " + text (clears the progress line first)

    bool progressEnabled() const { return m_tty; }
    void setProgressEnabled(bool on) { m_tty = on; }
    // Replaces the progress line; at most ~8 times a second unless `force`.
    void progress(const QString &text, bool force = false);
    void clearProgress();
    void flush();

    // "2024-05-01 13:45:10" in local time, like `aws s3 ls`.
    static QString timestamp(const QDateTime &utc);
    // "1.5 MiB"
    static QString humanSize(qint64 bytes);

private:
    bool m_tty = false;
    bool m_progressShown = false;
    QElapsedTimer m_sinceProgress;
};

} // namespace skydeck::cli
