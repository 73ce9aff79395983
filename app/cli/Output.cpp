#include "Output.h"

#include "DisplayText.h"

#include <QLocale>

#include <cstdio>
#include <unistd.h>

namespace skydeck::cli {

Output::Output() : m_tty(::isatty(STDERR_FILENO) == 1) {}

Output::~Output()
{
    clearProgress();
    flush();
}

void Output::line(const QString &text)
{
    clearProgress();  // when stdout and stderr share a terminal, the line must not land after it
    const QByteArray bytes = (m_raw ? text : displayText(text, true)).toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
}

void Output::text(const QString &ownText)
{
    clearProgress();
    QByteArray bytes = ownText.toUtf8();
    if (!bytes.endsWith('\n'))
        bytes += '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
}

void Output::error(const QString &text)
{
    clearProgress();
    std::fflush(stdout);
    const QByteArray bytes = QByteArrayLiteral("skydeck: ") + displayText(text).toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
}

void Output::progress(const QString &text, bool force)
{
    if (!m_tty)
        return;
    if (!force && m_sinceProgress.isValid() && m_sinceProgress.elapsed() < 125)
        return;
    m_sinceProgress.start();
    const QByteArray bytes = QByteArrayLiteral("\r") + displayText(text).toUtf8() + QByteArrayLiteral("\x1b[K");
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
    m_progressShown = true;
}

void Output::clearProgress()
{
    if (!m_progressShown)
        return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    m_progressShown = false;
}

void Output::flush()
{
    std::fflush(stdout);
    std::fflush(stderr);
}

QString Output::timestamp(const QDateTime &utc)
{
    if (!utc.isValid())
        return QStringLiteral("                   ");
    return utc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString Output::humanSize(qint64 bytes)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0)
        return QString::number(bytes) + QStringLiteral(" B");
    return QString::number(v, 'f', v < 10 ? 1 : 0) + QLatin1Char(' ') + QLatin1String(units[u]);
}

} // namespace skydeck::cli
