#include "DisplayText.h"

#include <QStringList>

namespace skydeck {

namespace {

bool isUnsafe(char16_t c, bool keepTab)
{
    if (c == u'\t')
        return !keepTab;
    if (c < 0x20 || c == 0x7f)
        return true;  // C0 controls (ESC, CR, LF, BEL...) and DEL
    if (c >= 0x80 && c <= 0x9f)
        return true;  // C1 controls: CSI (0x9b), OSC (0x9d), ST (0x9c)...
    // Bidirectional embeddings/overrides and isolates; line and paragraph separators.
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029
        || c == 0x200e || c == 0x200f || c == 0x061c;
}

} // namespace

bool needsEscaping(const QString &text, bool keepTab)
{
    for (const QChar c : text)
        if (isUnsafe(c.unicode(), keepTab))
            return true;
    return false;
}

QString displayText(const QString &text, bool keepTab)
{
    if (!needsEscaping(text, keepTab))
        return text;
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!isUnsafe(u, keepTab))
            out += c;
        else if (u <= 0xff)
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
        else
            out += QStringLiteral("\\u%1").arg(uint(u), 4, 16, QLatin1Char('0'));
    }
    return out;
}

QString plainToolTip(const QString &text)
{
    QStringList lines;
    for (const QString &line : text.split(QLatin1Char('\n')))
        lines.append(displayText(line, true).toHtmlEscaped());
    return QStringLiteral("<qt>") + lines.join(QStringLiteral("<br>")) + QStringLiteral("</qt>");
}

} // namespace skydeck
