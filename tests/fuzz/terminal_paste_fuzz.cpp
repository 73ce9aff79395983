// The terminal's paste filter (TerminalEmulation::paste): text from the clipboard, which a web page
// or a document may have filled, on its way to the program in the terminal. The first input byte
// picks bracketed paste (ESC[?2004h fed first) and how the rest becomes text (UTF-8, or UTF-16 with
// lone surrogates); the rest is the pasted text.
// Properties: what reaches the program is TerminalPaste::sanitize(text) as UTF-8, bracketed
// between ESC[200~ and ESC[201~ when the program asked for bracketed paste (nothing at all when the
// sanitized text is empty); inside, no ESC, no C0 control but TAB and CR, no DEL and no C1 control
// (U+0080..U+009F), so a paste can neither end the bracket early nor send a control sequence of its
// own, however the end mark is nested or split; sanitize is idempotent.
#include "FuzzSupport.h"

#include "TerminalEmulation.h"
#include "TerminalPaste.h"

#include <QGuiApplication>

using skydeck::TerminalEmulation;
using skydeck::fuzz::bytes;

namespace {
const QByteArray kStart = QByteArrayLiteral("\x1b[200~");
const QByteArray kEnd = QByteArrayLiteral("\x1b[201~");

void checkText(const QByteArray &inside)
{
    const QString text = QString::fromUtf8(inside);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        FUZZ_CHECK(u >= 0x20 || u == u'\t' || u == u'\r');
        FUZZ_CHECK(u != 0x7f);
        FUZZ_CHECK(u < 0x80 || u > 0x9f);
    }
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    skydeck::fuzz::quietLogging();
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    // Never destroyed: a static QGuiApplication torn down at exit() crashes in Qt's input devices.
    new QGuiApplication(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const bool bracketed = data[0] & 1;
    const QByteArray rest = bytes(data + 1, size - 1);
    QString text;
    if (data[0] & 2) {
        for (qsizetype i = 0; i + 1 < rest.size(); i += 2)
            text += QChar(char16_t(uint8_t(rest[i]) | uint8_t(rest[i + 1]) << 8));
    } else {
        text = QString::fromUtf8(rest);
    }
    TerminalEmulation e(24, 80);
    if (bracketed)
        e.feed(QByteArrayLiteral("\x1b[?2004h"));
    (void)e.takeUnsentOutput();
    FUZZ_CHECK(e.bracketedPaste() == bracketed);

    e.paste(text);
    const QByteArray sent = e.takeUnsentOutput();
    const QString clean = skydeck::TerminalPaste::sanitize(text);
    FUZZ_CHECK(skydeck::TerminalPaste::sanitize(clean) == clean);
    if (clean.isEmpty()) {
        FUZZ_CHECK(sent.isEmpty());
        return 0;
    }
    QByteArray inside = sent;
    if (bracketed) {
        FUZZ_CHECK(sent.startsWith(kStart) && sent.endsWith(kEnd));
        inside = sent.mid(kStart.size(), sent.size() - kStart.size() - kEnd.size());
    }
    FUZZ_CHECK(inside == clean.toUtf8());
    checkText(inside);
    return 0;
}
