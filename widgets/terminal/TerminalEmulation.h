#pragma once

#include "TerminalCell.h"
#include "TerminalInputGuard.h"
#include "TerminalScrollback.h"
#include "TerminalTransport.h"

#include <QByteArray>
#include <QObject>
#include <QPoint>
#include <QPointer>
#include <QString>

#include <memory>
#include <vector>

struct VTerm;
struct VTermScreen;
class QKeyEvent;

namespace skydeck {

// Bytes in, screen out (Konsole's Emulation/Screen seam): libvterm's VTerm and VTermScreen plus
// our scrollback. Knows nothing about painting. Whatever libvterm answers (keys, DA/DSR replies,
// bracketed paste marks, mouse reports) is written to the transport, if one is set.
//
// Rows: 0..rows()-1 are the screen; scrollback lines are addressed from the oldest (index 0).
// Security: a program cannot set the window title or touch the clipboard (OSC 52) unless the
// matching allow* setting is on; the terminal never reports the title or clipboard back otherwise.
class TerminalEmulation : public QObject
{
    Q_OBJECT
public:
    enum class MouseMode { None, Click, Drag, Move };
    enum class CursorShape { Block, Underline, Bar };

    explicit TerminalEmulation(int rows = 24, int columns = 80, QObject *parent = nullptr);
    ~TerminalEmulation() override;

    void setTransport(TerminalTransport *transport);
    TerminalTransport *transport() const { return m_transport; }

    // Parses bytes from the program. Damage, cursor and properties are up to date on return.
    // `data` must lie inside a NUL-terminated buffer (a slice of a QByteArray is): libvterm 0.1.4
    // strncpy()s an unfinished OSC/DCS string with a length that can run past the given bytes.
    void feed(const QByteArray &bytes);
    void feed(const char *data, qsizetype size);
    void resize(int rows, int columns);
    int rows() const { return m_rows; }
    int columns() const { return m_columns; }

    // --- screen contents
    TerminalCell cell(int row, int column) const;
    // Screen row `row` into `out` (columns() cells).
    void screenLine(int row, std::vector<TerminalCell> &out) const;
    // Plain text of a screen row, trailing blanks trimmed, wide chars once.
    QString screenLineText(int row) const;
    const TerminalScrollback &scrollback() const { return m_scrollback; }
    void setScrollbackLines(int lines) { m_scrollback.setMaxLines(lines); }
    // Lines pushed into the scrollback since the last call (the view keeps its place with it).
    int takePushedLines();

    // --- damage: the screen rows changed since the last takeDamage(), as [first, last] (inclusive).
    bool hasDamage() const { return m_damageFirst <= m_damageLast; }
    std::pair<int, int> takeDamage();

    // --- state
    QPoint cursor() const { return m_cursor; } // x = column, y = row
    bool cursorVisible() const { return m_cursorVisible; }
    CursorShape cursorShape() const { return m_cursorShape; }
    bool isAlternateScreen() const { return m_altScreen; }
    bool isReverseVideo() const { return m_reverseVideo; }
    MouseMode mouseMode() const { return m_mouseMode; }
    bool bracketedPaste();
    QString title() const { return m_title; }

    // --- settings (off by default)
    void setAllowTitle(bool allow) { m_allowTitle = allow; }
    void setAllowClipboardWrite(bool allow) { m_allowClipboardWrite = allow; }
    bool allowsTitle() const { return m_allowTitle; }
    bool allowsClipboardWrite() const { return m_allowClipboardWrite; }

    // --- input (encoded by libvterm, written to the transport)
    // False when the key is not one the terminal sends (e.g. a lone modifier).
    bool sendKey(const QKeyEvent *event);
    void sendText(const QString &text);
    // A paste: control characters dropped and line ends made CR (TerminalPaste::sanitize), then
    // wrapped in ESC[200~ ... ESC[201~ when the program turned bracketed paste on. Nothing is sent
    // when no text is left.
    void paste(const QString &text);
    // Mouse reports (only sent when the program enabled mouse reporting). button 1..3, 4/5 wheel.
    void mouseMove(int row, int column, Qt::KeyboardModifiers modifiers);
    void mouseButton(int button, bool pressed, Qt::KeyboardModifiers modifiers);
    void focusChanged(bool in);

    // Bytes libvterm produced with no transport set (tests and the fuzzer read them).
    QByteArray takeUnsentOutput();

Q_SIGNALS:
    void titleChanged(const QString &title);
    void bell();
    // A program asked (OSC 52) to put text on the clipboard; only when allowed.
    void clipboardWriteRequested(const QString &text);

private:
    struct VTermDeleter
    {
        void operator()(VTerm *vt) const;
    };
    friend struct TerminalCallbacks;

    void damageRows(int first, int lastExclusive);
    void flushOutput();
    void onOsc(const char *command, size_t length);

    std::unique_ptr<VTerm, VTermDeleter> m_vt;
    VTermScreen *m_screen = nullptr; // owned by m_vt
    QPointer<TerminalTransport> m_transport;
    TerminalScrollback m_scrollback;
    TerminalInputGuard m_inputGuard;
    QByteArray m_output;
    bool m_probing = false;
    int m_rows;
    int m_columns;
    int m_damageFirst;
    int m_damageLast = -1;
    int m_pushedLines = 0;
    QPoint m_cursor;
    bool m_cursorVisible = true;
    CursorShape m_cursorShape = CursorShape::Block;
    bool m_altScreen = false;
    bool m_reverseVideo = false;
    MouseMode m_mouseMode = MouseMode::None;
    QString m_title;
    bool m_allowTitle = false;
    bool m_allowClipboardWrite = false;
    mutable std::vector<TerminalCell> m_scratch;
};

} // namespace skydeck
