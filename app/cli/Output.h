#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QString>

namespace skydeck::cli {

// Where the command line writes: results on stdout (buffered), errors on stderr, and one updating
// progress line on stderr only when stderr is a terminal.
//
// Keys, names and messages come from servers, and a shared bucket must not be able to write to the
// user's terminal: every control character (ESC, CR, LF, BEL, C1 controls, bidi overrides) in a
// line is shown escaped (displayText: "\x1b"), on a terminal or not, so output is also one line per
// entry for scripts. Errors and progress are always escaped; setRaw(true) (--raw) prints results
// on stdout byte for byte, for scripts that want the keys exactly as stored.
class Output
{
public:
    Output();
    ~Output();

    void line(const QString &text);   // stdout, escaped (see above) unless raw
    // stdout as it is, newline added if missing: for text the program made itself (the help, JSON
    // whose strings are escaped by the encoder), never for names or messages from a server.
    void text(const QString &ownText);
    void error(const QString &text);  // stderr, "skydeck: " + text (clears the progress line first)

    void setRaw(bool raw) { m_raw = raw; }
    bool isRaw() const { return m_raw; }

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
    bool m_raw = false;
    bool m_progressShown = false;
    QElapsedTimer m_sinceProgress;
};

} // namespace skydeck::cli
