#include "TerminalPaste.h"

namespace skydeck::TerminalPaste {

QString sanitize(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c == u'\r' || c == u'\n') {
            out += QLatin1Char('\r');
            if (c == u'\r' && i + 1 < text.size() && text[i + 1] == QLatin1Char('\n'))
                ++i;  // CRLF: one Enter
        } else if (c == u'\t' || (c >= 0x20 && c < 0x7f) || c > 0x9f) {
            out += QChar(c);
        }
        // else: C0 (ESC included), DEL or C1: dropped
    }
    return out;
}

} // namespace skydeck::TerminalPaste
