// libFuzzer harness for the terminal input path: bytes from a (hostile) program into
// TerminalEmulation, interleaved with what the user side does at the same time: resizes (which
// push and pop scrollback lines), reading every cell and scrollback line as the painter does,
// keys, pastes and mouse reports. The input is a list of records; the first byte of each says
// what it is (see the switch). Build and run: tests/fuzz/README.md.
#include "TerminalEmulation.h"

#include <QGuiApplication>
#include <QKeyEvent>

#include <cstdint>
#include <cstdlib>
#include <vector>

using skydeck::TerminalCell;
using skydeck::TerminalEmulation;

namespace {
void readEverything(TerminalEmulation &e)
{
    static std::vector<TerminalCell> cells;
    for (int r = 0; r < e.rows(); ++r) {
        e.screenLine(r, cells);
        for (const TerminalCell &c : cells)
            (void)c.text();
    }
    const int history = e.scrollback().size();
    if (history > 0) {
        e.scrollback().line(history - 1, e.columns(), cells);
        e.scrollback().line(0, 3, cells);
    }
    (void)e.takeDamage();
    (void)e.cursor();
    (void)e.takePushedLines();
}

constexpr Qt::Key kKeys[] = {Qt::Key_Up, Qt::Key_Down, Qt::Key_Left, Qt::Key_Right, Qt::Key_Return, Qt::Key_Tab,
                             Qt::Key_Backspace, Qt::Key_Escape, Qt::Key_Home, Qt::Key_End, Qt::Key_PageUp,
                             Qt::Key_Delete, Qt::Key_F1, Qt::Key_F12, Qt::Key_A, Qt::Key_C, Qt::Key_BracketLeft,
                             Qt::Key_Space, Qt::Key_5, Qt::Key_Enter};
} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    // Never destroyed: a static QGuiApplication torn down at exit() crashes in Qt's input devices.
    new QGuiApplication(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    TerminalEmulation e(24, 80);
    e.setAllowTitle(data[0] & 1);
    e.setAllowClipboardWrite(data[0] & 2);
    e.setScrollbackLines(data[0] & 4 ? 50 : 1000);
    size_t i = 1;
    auto remaining = [&] { return size - i; };
    while (i < size) {
        const uint8_t op = data[i++];
        if (op < 0xF0) { // program output: up to 4*op+1 bytes
            const size_t n = std::min<size_t>(size_t(op) * 4 + 1, remaining());
            // Through a QByteArray, as the widget does: libvterm 0.1.4 strncpy()s an unfinished
            // string (OSC/DCS at the end of a write) with a length that can run past the bytes it
            // was given, up to a NUL; a QByteArray always has one (see README.md).
            e.feed(QByteArray(reinterpret_cast<const char *>(data + i), qsizetype(n)));
            i += n;
            continue;
        }
        switch (op) {
        case 0xF0: // resize
            if (remaining() >= 2) {
                e.resize(1 + data[i] % 100, 1 + data[i + 1] % 200);
                i += 2;
            }
            break;
        case 0xF1:
            readEverything(e);
            break;
        case 0xF2: { // paste up to 32 bytes
            const size_t n = std::min<size_t>(32, remaining());
            e.paste(QString::fromUtf8(reinterpret_cast<const char *>(data + i), qsizetype(n)));
            i += n;
            break;
        }
        case 0xF3: // mouse
            if (remaining() >= 3) {
                e.mouseMove(data[i], data[i + 1], Qt::KeyboardModifiers::fromInt(int(data[i + 2] & 7) << 25));
                e.mouseButton(1 + data[i + 2] % 5, data[i + 2] & 8, Qt::NoModifier);
                i += 3;
            }
            break;
        case 0xF4: // a key with modifiers
            if (remaining() >= 2) {
                const Qt::Key key = kKeys[data[i] % (sizeof(kKeys) / sizeof(kKeys[0]))];
                const auto mods = Qt::KeyboardModifiers::fromInt(int(data[i + 1] & 0x2f) << 25);
                QKeyEvent ev(QEvent::KeyPress, key, mods, data[i + 1] & 0x80 ? QStringLiteral("x") : QString());
                e.sendKey(&ev);
                i += 2;
            }
            break;
        case 0xF5:
            (void)e.bracketedPaste();
            e.focusChanged(data[i - 1] & 1);
            break;
        default:
            break;
        }
        (void)e.takeUnsentOutput();
    }
    readEverything(e);
    return 0;
}
