#pragma once

#include "TerminalEmulation.h"

#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QFont>
#include <QHash>
#include <QImage>
#include <QPointer>
#include <QTimer>

#include <vector>

class QMenu;

namespace skydeck {

class TerminalTransport;

// A terminal pane: paints TerminalEmulation's screen and scrollback with QPainter.
//
// Painting: each view row is rendered once into a backing image when it changes (damaged rows
// only), runs of same-style text are drawn with one drawText, code points that do not fit the
// grid in the primary font (CJK, emoji, symbols from fallback fonts) are drawn one per cell;
// the per-code-point "fits the grid" answer is cached, Qt's raster engine caches the glyphs.
// Repaints are coalesced to at most one per frame (16 ms).
//
// Floods: received bytes are queued and parsed in slices (≤ 1 MiB and ≤ 8 ms per event-loop turn,
// the rest from a zero timer), so `yes` or `cat` of a 100 MB log keeps the UI responsive and a
// Ctrl+C goes out at once; past 4 MiB queued the transport is paused (setReceivePaused).
//
// Keys: Ctrl+Shift+C / Ctrl+Shift+V copy and paste, Shift+Insert pastes the X selection,
// Ctrl+= / Ctrl+- / Ctrl+0 zoom, Shift+PageUp/PageDown scroll. Mouse: select (double click: word,
// triple: line; selecting copies to the X selection), middle click pastes the X selection; when
// the program asked for mouse reports they go to it instead, unless Shift is held. The context menu
// (right click; Shift+right click while a program takes the mouse) has copy/paste, zoom, the font
// (QFontDialog, monospaced; saved for new terminals) and the two permissions a remote program
// does not have unless the user gives them: setting the window title and writing the clipboard.
class TerminalWidget : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit TerminalWidget(QWidget *parent = nullptr);
    ~TerminalWidget() override;

    // The byte pipe (not owned). Output is parsed, keys and replies written, resizes forwarded.
    void setTransport(TerminalTransport *transport);
    TerminalTransport *transport() const { return m_transport; }
    TerminalEmulation &emulation() { return m_emulation; }

    void setTerminalFont(const QFont &font);
    QFont terminalFont() const { return m_font; }
    void zoomIn();
    void zoomOut();
    void resetZoom();
    QSize cellSize() const { return QSize(m_cellWidth, m_cellHeight); }
    int columns() const { return m_emulation.columns(); }
    int rows() const { return m_emulation.rows(); }

    bool hasSelection() const { return m_selecting || m_selStart != m_selEnd; }
    QString selectedText() const;
    void clearSelection();
    void copy();
    void paste();
    void pasteSelection();

    // The context menu's choices, also for tests. Each is saved in QSettings ("terminal/...").
    QMenu *createContextMenu(QWidget *parent);
    void chooseFont();
    void setAllowRemoteTitle(bool allow);
    void setAllowClipboardWrite(bool allow);
    bool allowsRemoteTitle() const;
    bool allowsClipboardWrite() const;

    // Lines the view is scrolled back into the history (0: following the output).
    int scrollOffset() const { return m_scrollOffset; }
    void scrollToBottom();
    // Bytes received and not parsed yet.
    qsizetype pendingInput() const { return m_pending.size() - m_pendingPos; }
    // Frames painted so far (tests and benchmarks).
    int framesPainted() const { return m_frames; }

Q_SIGNALS:
    void gridResized(int columns, int rows);
    void framePainted();
    // Everything received so far is parsed.
    void inputDrained();
    void titleChanged(const QString &title);
    // The user picked a font in this terminal's menu (TerminalTabs applies it to its other tabs).
    void fontChosen(const QFont &font);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool focusNextPrevChild(bool next) override;

private:
    // A position in the whole history: line number since the start (scrollback lines dropped at
    // the top keep their numbers) and column.
    struct TextPos
    {
        int64_t line = 0;
        int column = 0;
        friend bool operator==(const TextPos &a, const TextPos &b) { return a.line == b.line && a.column == b.column; }
        friend bool operator!=(const TextPos &a, const TextPos &b) { return !(a == b); }
        friend bool operator<(const TextPos &a, const TextPos &b)
        {
            return a.line < b.line || (a.line == b.line && a.column < b.column);
        }
    };
    enum class SelectionMode { Character, Word, Line };

    void onReceived(const QByteArray &bytes);
    void processInput();
    void collectDamage();
    void scheduleFrame();
    void markAllDirty();
    void relayout();
    void updateScrollBar();
    void renderRow(QPainter &painter, int viewRow);
    bool fitsGrid(char32_t ch);
    const QFont &fontFor(uint8_t flags) const;

    int64_t firstLineNumber() const;
    int64_t lineNumberOfViewRow(int viewRow) const;
    // The cells of history line `line`; false when it scrolled out of the history.
    bool lineCells(int64_t line, std::vector<TerminalCell> &out) const;
    TextPos textPosAt(const QPoint &point) const;
    bool sendsMouse(const QMouseEvent *event) const;
    int viewRowAt(int y) const;
    void reportMouse(const QMouseEvent *event, bool pressed, bool release);
    void extendSelection(const TextPos &pos);
    void selectionRange(TextPos &start, TextPos &end) const;
    void selectionToPrimary();

    TerminalEmulation m_emulation;
    QPointer<TerminalTransport> m_transport;

    QFont m_font;
    QFont m_fonts[4]; // regular, bold, italic, bold italic
    int m_baseFontSize = 11;
    int m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    QHash<char32_t, bool> m_fitsGrid;
    QRgb m_defaultFg;
    QRgb m_defaultBg;

    QImage m_backing;
    std::vector<char> m_dirty;
    std::vector<TerminalCell> m_line;
    QTimer m_frameTimer;
    QElapsedTimer m_sinceFrame;
    int m_frames = 0;
    int m_scrollOffset = 0;
    bool m_updatingScrollBar = false;

    QByteArray m_pending;
    qsizetype m_pendingPos = 0;
    QTimer m_feedTimer;
    bool m_receivePaused = false;

    TextPos m_selStart;
    TextPos m_selEnd;
    TextPos m_selAnchor;
    bool m_selecting = false;
    SelectionMode m_selMode = SelectionMode::Character;
    QElapsedTimer m_sinceDoubleClick;
    bool m_mouseReporting = false;
};

} // namespace skydeck
