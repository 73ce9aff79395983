#include "TerminalWidget.h"

#include "TerminalLogging.h"
#include "TerminalPalette.h"
#include "TerminalTransport.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSettings>
#include <QStyleHints>

#include <algorithm>
#include <cmath>

namespace skydeck {

namespace {
constexpr qsizetype kSlice = 64 * 1024;               // one vterm_input_write
constexpr qsizetype kMaxPerTurn = 1024 * 1024;        // per event-loop turn
constexpr qint64 kMaxNsPerTurn = 8'000'000;           // 8 ms
constexpr qsizetype kPauseAbove = 4 * 1024 * 1024;    // queued: ask the transport to pause
constexpr qsizetype kResumeBelow = 1024 * 1024;
constexpr int kFrameMs = 16;

bool isWordChar(char32_t c)
{
    if (c == 0)
        return false;
    if (c > 0x7f)
        return QChar::isLetterOrNumber(c) || c >= 0x2E80;
    return std::isalnum(int(c)) || std::strchr("-_.~/:@+%#?=&", int(c)) != nullptr;
}
} // namespace

TerminalWidget::TerminalWidget(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);

    const QSettings settings;
    m_emulation.setAllowTitle(settings.value(QStringLiteral("terminal/allowRemoteTitle"), false).toBool());
    m_emulation.setAllowClipboardWrite(settings.value(QStringLiteral("terminal/allowClipboardWrite"), false).toBool());
    m_emulation.setScrollbackLines(settings.value(QStringLiteral("terminal/scrollbackLines"), 10000).toInt());
    m_defaultFg = terminal_palette::defaultForeground;
    m_defaultBg = terminal_palette::defaultBackground;

    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QString family = settings.value(QStringLiteral("terminal/fontFamily")).toString();
    if (!family.isEmpty())
        font.setFamily(family);
    font.setPointSize(settings.value(QStringLiteral("terminal/fontSize"), 11).toInt());
    m_baseFontSize = font.pointSize();
    setTerminalFont(font);

    m_frameTimer.setSingleShot(true);
    connect(&m_frameTimer, &QTimer::timeout, this, [this] { viewport()->update(); });
    m_feedTimer.setSingleShot(true);
    m_feedTimer.setInterval(0);
    connect(&m_feedTimer, &QTimer::timeout, this, &TerminalWidget::processInput);
    m_sinceFrame.start();
    m_sinceDoubleClick.invalidate();

    connect(&m_emulation, &TerminalEmulation::titleChanged, this, &TerminalWidget::titleChanged);
    connect(&m_emulation, &TerminalEmulation::clipboardWriteRequested, this,
            [](const QString &text) { QGuiApplication::clipboard()->setText(text); });
}

TerminalWidget::~TerminalWidget() = default;

void TerminalWidget::setTransport(TerminalTransport *transport)
{
    if (m_transport)
        disconnect(m_transport, nullptr, this, nullptr);
    m_transport = transport;
    m_emulation.setTransport(transport);
    if (!transport)
        return;
    connect(transport, &TerminalTransport::received, this, &TerminalWidget::onReceived);
    transport->resize(m_emulation.columns(), m_emulation.rows());
}

// ---------------------------------------------------------------- input from the program

void TerminalWidget::onReceived(const QByteArray &bytes)
{
    if (m_pendingPos == m_pending.size()) {
        m_pending = bytes;
        m_pendingPos = 0;
    } else {
        m_pending.append(bytes);
    }
    if (!m_feedTimer.isActive())
        processInput();
}

void TerminalWidget::processInput()
{
    QElapsedTimer budget;
    budget.start();
    qsizetype done = 0;
    while (m_pendingPos < m_pending.size() && done < kMaxPerTurn && budget.nsecsElapsed() < kMaxNsPerTurn) {
        const qsizetype n = std::min(kSlice, m_pending.size() - m_pendingPos);
        m_emulation.feed(m_pending.constData() + m_pendingPos, n);
        m_pendingPos += n;
        done += n;
    }
    collectDamage();
    const qsizetype left = m_pending.size() - m_pendingPos;
    if (left == 0) {
        m_pending.clear();
        m_pendingPos = 0;
    } else if (m_pendingPos > kMaxPerTurn) {
        m_pending.remove(0, m_pendingPos);
        m_pendingPos = 0;
    }
    if (m_transport) {
        if (!m_receivePaused && left > kPauseAbove) {
            m_receivePaused = true;
            m_transport->setReceivePaused(true);
        } else if (m_receivePaused && left < kResumeBelow) {
            m_receivePaused = false;
            m_transport->setReceivePaused(false);
        }
    }
    if (left > 0)
        m_feedTimer.start();
    else
        Q_EMIT inputDrained();
}

void TerminalWidget::collectDamage()
{
    const int pushed = m_emulation.takePushedLines();
    if (pushed > 0 && m_scrollOffset > 0) {
        // Keep looking at the same lines while output scrolls by underneath.
        m_scrollOffset = std::min(m_scrollOffset + pushed, m_emulation.scrollback().size());
        markAllDirty();
    }
    if (m_emulation.hasDamage()) {
        const auto [first, last] = m_emulation.takeDamage();
        for (int r = first; r <= last; ++r) {
            const int v = r + m_scrollOffset;
            if (v >= 0 && v < int(m_dirty.size()))
                m_dirty[size_t(v)] = 1;
        }
    }
    if (pushed > 0 || m_scrollOffset > 0)
        updateScrollBar();
    scheduleFrame();
}

void TerminalWidget::scheduleFrame()
{
    if (m_frameTimer.isActive())
        return;
    const qint64 since = m_sinceFrame.elapsed();
    if (since >= kFrameMs)
        viewport()->update();
    else
        m_frameTimer.start(int(kFrameMs - since));
}

void TerminalWidget::markAllDirty()
{
    std::fill(m_dirty.begin(), m_dirty.end(), 1);
}

// ---------------------------------------------------------------- geometry and font

void TerminalWidget::setTerminalFont(const QFont &font)
{
    m_font = font;
    m_font.setStyleHint(QFont::Monospace, QFont::PreferDefault);
    m_font.setKerning(false);
    m_font.setFixedPitch(true);
    for (int i = 0; i < 4; ++i) {
        m_fonts[i] = m_font;
        m_fonts[i].setBold(i & 1);
        m_fonts[i].setItalic(i & 2);
    }
    const QFontMetricsF fm(m_font);
    m_cellWidth = std::max(1, int(std::ceil(fm.horizontalAdvance(QLatin1Char('M')))));
    m_cellHeight = std::max(1, int(std::ceil(fm.height())));
    m_ascent = int(std::ceil(fm.ascent()));
    m_fitsGrid.clear();
    verticalScrollBar()->setSingleStep(1);
    relayout();
}

void TerminalWidget::zoomIn()
{
    QFont f = m_font;
    f.setPointSize(std::min(72, f.pointSize() + 1));
    setTerminalFont(f);
}

void TerminalWidget::zoomOut()
{
    QFont f = m_font;
    f.setPointSize(std::max(5, f.pointSize() - 1));
    setTerminalFont(f);
}

void TerminalWidget::resetZoom()
{
    QFont f = m_font;
    f.setPointSize(m_baseFontSize);
    setTerminalFont(f);
}

void TerminalWidget::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
}

void TerminalWidget::relayout()
{
    const QSize area = viewport()->size();
    const int cols = std::max(2, area.width() / m_cellWidth);
    const int rows = std::max(1, area.height() / m_cellHeight);
    const qreal dpr = devicePixelRatioF();
    if (m_backing.size() != area * dpr) {
        m_backing = QImage(area * dpr, QImage::Format_RGB32);
        m_backing.setDevicePixelRatio(dpr);
        m_backing.fill(m_defaultBg);
    }
    m_dirty.assign(size_t(rows), 1);
    if (cols != m_emulation.columns() || rows != m_emulation.rows()) {
        m_emulation.resize(rows, cols);
        m_emulation.takeDamage();
        m_scrollOffset = std::min(m_scrollOffset, m_emulation.scrollback().size());
        if (m_transport)
            m_transport->resize(cols, rows);
        Q_EMIT gridResized(cols, rows);
    }
    m_dirty.assign(size_t(m_emulation.rows()), 1);
    updateScrollBar();
    viewport()->update();
}

void TerminalWidget::updateScrollBar()
{
    QScrollBar *bar = verticalScrollBar();
    const int history = m_emulation.scrollback().size();
    m_updatingScrollBar = true;
    bar->setRange(0, history);
    bar->setPageStep(m_emulation.rows());
    bar->setValue(history - m_scrollOffset);
    m_updatingScrollBar = false;
}

void TerminalWidget::scrollContentsBy(int, int)
{
    if (m_updatingScrollBar)
        return;
    const int history = m_emulation.scrollback().size();
    const int offset = std::clamp(history - verticalScrollBar()->value(), 0, history);
    if (offset == m_scrollOffset)
        return;
    m_scrollOffset = offset;
    markAllDirty();
    viewport()->update();
}

void TerminalWidget::scrollToBottom()
{
    if (m_scrollOffset == 0)
        return;
    m_scrollOffset = 0;
    markAllDirty();
    updateScrollBar();
    viewport()->update();
}

// ---------------------------------------------------------------- painting

const QFont &TerminalWidget::fontFor(uint8_t flags) const
{
    return m_fonts[((flags & CellFlag::Bold) ? 1 : 0) | ((flags & CellFlag::Italic) ? 2 : 0)];
}

bool TerminalWidget::fitsGrid(char32_t ch)
{
    if (ch >= 0x20 && ch < 0x7f)
        return true;
    const auto it = m_fitsGrid.constFind(ch);
    if (it != m_fitsGrid.constEnd())
        return *it;
    const QFontMetricsF fm(m_font);
    const bool fits = fm.inFontUcs4(uint(ch)) && std::abs(fm.horizontalAdvance(QString::fromUcs4(&ch, 1)) - m_cellWidth) < 0.5;
    m_fitsGrid.insert(ch, fits);
    return fits;
}

void TerminalWidget::renderRow(QPainter &p, int viewRow)
{
    const int64_t line = lineNumberOfViewRow(viewRow);
    if (!lineCells(line, m_line))
        m_line.assign(size_t(m_emulation.columns()), TerminalCell{});
    const int cols = std::min<int>(m_emulation.columns(), int(m_line.size()));
    const int y = viewRow * m_cellHeight;
    const bool reverseScreen = m_emulation.isReverseVideo();
    const QRgb screenBg = reverseScreen ? m_defaultFg : m_defaultBg;
    const QRgb screenFg = reverseScreen ? m_defaultBg : m_defaultFg;
    p.fillRect(QRect(0, y, viewport()->width(), m_cellHeight), QColor(screenBg));

    auto colours = [&](const TerminalCell &c, QRgb &fg, QRgb &bg) {
        fg = c.fg.resolve(screenFg, screenBg);
        bg = c.bg.resolve(screenFg, screenBg);
        if (c.fg.kind() == TerminalColor::Kind::DefaultBackground)
            fg = screenBg;
        if (c.bg.kind() == TerminalColor::Kind::DefaultForeground)
            bg = screenFg;
        if (c.flags & CellFlag::Reverse)
            std::swap(fg, bg);
    };

    // Backgrounds: runs of one colour.
    for (int c = 0; c < cols;) {
        QRgb fg, bg;
        colours(m_line[size_t(c)], fg, bg);
        int end = c + 1;
        for (; end < cols; ++end) {
            QRgb f2, b2;
            colours(m_line[size_t(end)], f2, b2);
            if (b2 != bg)
                break;
        }
        if (bg != screenBg)
            p.fillRect(QRect(c * m_cellWidth, y, (end - c) * m_cellWidth, m_cellHeight), QColor(bg));
        c = end;
    }

    // Text: runs of one style whose glyphs sit on the grid; the others one by one.
    QString run;
    for (int c = 0; c < cols;) {
        const TerminalCell &first = m_line[size_t(c)];
        if (first.width == 0 || (first.ch == 0 && !(first.flags & (CellFlag::Underline | CellFlag::DoubleUnderline | CellFlag::Strike)))) {
            ++c;
            continue;
        }
        QRgb fg, bg;
        colours(first, fg, bg);
        p.setPen(QColor(fg));
        p.setFont(fontFor(first.flags));
        int end = c;
        if (first.width == 2 || first.combining || (first.ch && !fitsGrid(first.ch))) {
            const int w = first.width == 2 ? 2 : 1;
            p.save();
            p.setClipRect(QRect(c * m_cellWidth, y, w * m_cellWidth, m_cellHeight));
            p.drawText(QPointF(c * m_cellWidth, y + m_ascent), first.text());
            p.restore();
            end = c + w;
        } else {
            run.clear();
            for (; end < cols; ++end) {
                const TerminalCell &t = m_line[size_t(end)];
                if (!t.sameStyle(first) || t.width != 1 || t.combining || (t.ch && !fitsGrid(t.ch)))
                    break;
                if (t.ch == 0 || t.ch == ' ')
                    run += QLatin1Char(' ');
                else if (t.ch < 0x10000)
                    run += QChar(char16_t(t.ch));
                else
                    run += QString::fromUcs4(&t.ch, 1);
            }
            if (run.trimmed().size() > 0)
                p.drawText(QPointF(c * m_cellWidth, y + m_ascent), run);
        }
        const int x0 = c * m_cellWidth;
        const int x1 = end * m_cellWidth;
        if (first.flags & (CellFlag::Underline | CellFlag::DoubleUnderline)) {
            const int uy = y + m_ascent + 2;
            p.fillRect(QRect(x0, uy, x1 - x0, 1), QColor(fg));
            if (first.flags & CellFlag::DoubleUnderline)
                p.fillRect(QRect(x0, uy + 2, x1 - x0, 1), QColor(fg));
        }
        if (first.flags & CellFlag::Strike)
            p.fillRect(QRect(x0, y + m_cellHeight / 2, x1 - x0, 1), QColor(fg));
        c = std::max(end, c + 1);
    }
}

void TerminalWidget::paintEvent(QPaintEvent *)
{
    m_frameTimer.stop();
    if (m_backing.isNull())
        relayout();
    {
        QPainter bp(&m_backing);
        for (int v = 0; v < int(m_dirty.size()); ++v) {
            if (!m_dirty[size_t(v)])
                continue;
            renderRow(bp, v);
            m_dirty[size_t(v)] = 0;
        }
        const int used = int(m_dirty.size()) * m_cellHeight;
        if (used < viewport()->height())
            bp.fillRect(QRect(0, used, viewport()->width(), viewport()->height() - used), QColor(m_defaultBg));
    }
    QPainter p(viewport());
    p.drawImage(0, 0, m_backing);

    if (hasSelection()) {
        TextPos s, e;
        selectionRange(s, e);
        const QColor highlight(100, 149, 237, 110);
        for (int v = 0; v < m_emulation.rows(); ++v) {
            const int64_t line = lineNumberOfViewRow(v);
            if (line < s.line || line > e.line)
                continue;
            const int c0 = line == s.line ? s.column : 0;
            const int c1 = line == e.line ? e.column : m_emulation.columns();
            if (c1 > c0)
                p.fillRect(QRect(c0 * m_cellWidth, v * m_cellHeight, (c1 - c0) * m_cellWidth, m_cellHeight), highlight);
        }
    }

    // The cursor: no blinking. A block when focused, an outline when not.
    const QPoint cur = m_emulation.cursor();
    const int cv = cur.y() + m_scrollOffset;
    if (m_emulation.cursorVisible() && cv >= 0 && cv < m_emulation.rows()) {
        const TerminalCell under = m_emulation.cell(cur.y(), cur.x());
        const int w = (under.width == 2 ? 2 : 1) * m_cellWidth;
        const QRect r(cur.x() * m_cellWidth, cv * m_cellHeight, w, m_cellHeight);
        const QColor colour(m_defaultFg);
        if (!hasFocus()) {
            p.setPen(colour);
            p.drawRect(r.adjusted(0, 0, -1, -1));
        } else if (m_emulation.cursorShape() == TerminalEmulation::CursorShape::Underline) {
            p.fillRect(QRect(r.left(), r.bottom() - 1, r.width(), 2), colour);
        } else if (m_emulation.cursorShape() == TerminalEmulation::CursorShape::Bar) {
            p.fillRect(QRect(r.left(), r.top(), 2, r.height()), colour);
        } else {
            p.fillRect(r, colour);
            if (under.ch) {
                p.setPen(QColor(m_defaultBg));
                p.setFont(fontFor(under.flags));
                p.drawText(QPointF(r.left(), r.top() + m_ascent), under.text());
            }
        }
    }
    ++m_frames;
    m_sinceFrame.restart();
    Q_EMIT framePainted();
}

// ---------------------------------------------------------------- history lines

int64_t TerminalWidget::firstLineNumber() const
{
    return m_emulation.scrollback().droppedLines();
}

int64_t TerminalWidget::lineNumberOfViewRow(int viewRow) const
{
    return firstLineNumber() + m_emulation.scrollback().size() - m_scrollOffset + viewRow;
}

bool TerminalWidget::lineCells(int64_t line, std::vector<TerminalCell> &out) const
{
    const int64_t h = line - firstLineNumber();
    const int history = m_emulation.scrollback().size();
    if (h < 0)
        return false;
    if (h < history) {
        m_emulation.scrollback().line(int(h), m_emulation.columns(), out);
        return true;
    }
    if (h - history >= m_emulation.rows())
        return false;
    m_emulation.screenLine(int(h - history), out);
    return true;
}

// ---------------------------------------------------------------- selection

int TerminalWidget::viewRowAt(int y) const
{
    return std::clamp(y / m_cellHeight, 0, m_emulation.rows() - 1);
}

TerminalWidget::TextPos TerminalWidget::textPosAt(const QPoint &point) const
{
    const int col = std::clamp((point.x() + m_cellWidth / 2) / m_cellWidth, 0, m_emulation.columns());
    return TextPos{lineNumberOfViewRow(viewRowAt(point.y())), col};
}

void TerminalWidget::selectionRange(TextPos &start, TextPos &end) const
{
    start = std::min(m_selStart, m_selEnd);
    end = std::max(m_selStart, m_selEnd);
}

void TerminalWidget::extendSelection(const TextPos &pos)
{
    TextPos a = m_selAnchor;
    TextPos b = pos;
    const bool forward = !(b < a);
    if (!forward)
        std::swap(a, b);
    if (m_selMode == SelectionMode::Line) {
        a.column = 0;
        b.column = m_emulation.columns();
    } else if (m_selMode == SelectionMode::Word) {
        std::vector<TerminalCell> cells;
        if (lineCells(a.line, cells)) {
            int c = std::min<int>(a.column, int(cells.size()) - 1);
            if (c >= 0 && isWordChar(cells[size_t(c)].ch))
                while (c > 0 && (isWordChar(cells[size_t(c - 1)].ch) || cells[size_t(c - 1)].width == 0))
                    --c;
            a.column = std::max(0, c);
        }
        if (lineCells(b.line, cells)) {
            int c = std::min<int>(b.column, int(cells.size()) - 1);
            if (c >= 0 && isWordChar(cells[size_t(c)].ch)) {
                while (c + 1 < int(cells.size()) && (isWordChar(cells[size_t(c + 1)].ch) || cells[size_t(c + 1)].width == 0))
                    ++c;
                b.column = c + 1;
            }
        }
    }
    m_selStart = a;
    m_selEnd = b;
    viewport()->update();
}

QString TerminalWidget::selectedText() const
{
    if (!hasSelection())
        return QString();
    TextPos s, e;
    selectionRange(s, e);
    QStringList lines;
    std::vector<TerminalCell> cells;
    for (int64_t line = s.line; line <= e.line; ++line) {
        if (!lineCells(line, cells))
            continue;
        const int c0 = line == s.line ? s.column : 0;
        const int c1 = std::min<int>(line == e.line ? e.column : int(cells.size()), int(cells.size()));
        QString text;
        for (int c = c0; c < c1; ++c)
            text += cells[size_t(c)].text();
        while (text.endsWith(QLatin1Char(' '))) // blank cells past the text are not spaces
            text.chop(1);
        lines << text;
    }
    return lines.join(QLatin1Char('\n'));
}

void TerminalWidget::clearSelection()
{
    m_selecting = false;
    m_selStart = m_selEnd = m_selAnchor = TextPos{};
    viewport()->update();
}

void TerminalWidget::copy()
{
    if (hasSelection())
        QGuiApplication::clipboard()->setText(selectedText(), QClipboard::Clipboard);
}

void TerminalWidget::selectionToPrimary()
{
    QClipboard *cb = QGuiApplication::clipboard();
    if (cb->supportsSelection() && hasSelection())
        cb->setText(selectedText(), QClipboard::Selection);
}

void TerminalWidget::paste()
{
    const QString text = QGuiApplication::clipboard()->text(QClipboard::Clipboard);
    if (!text.isEmpty()) {
        scrollToBottom();
        m_emulation.paste(text);
    }
}

void TerminalWidget::pasteSelection()
{
    QClipboard *cb = QGuiApplication::clipboard();
    const QString text = cb->text(cb->supportsSelection() ? QClipboard::Selection : QClipboard::Clipboard);
    if (!text.isEmpty()) {
        scrollToBottom();
        m_emulation.paste(text);
    }
}

// ---------------------------------------------------------------- keyboard

bool TerminalWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride) {
        // Keys belong to the program in the terminal, not to the window's shortcuts.
        auto *key = static_cast<QKeyEvent *>(event);
        const Qt::KeyboardModifiers mods = key->modifiers() & ~Qt::KeypadModifier;
        if (mods == Qt::NoModifier || mods == Qt::ShiftModifier || (mods & (Qt::ControlModifier | Qt::AltModifier))) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalWidget::focusNextPrevChild(bool)
{
    return false; // Tab goes to the program
}

void TerminalWidget::keyPressEvent(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    if (mods == (Qt::ControlModifier | Qt::ShiftModifier)) {
        if (key == Qt::Key_C) {
            copy();
            return;
        }
        if (key == Qt::Key_V) {
            paste();
            return;
        }
    }
    if (mods == Qt::ControlModifier || mods == (Qt::ControlModifier | Qt::ShiftModifier)) {
        if (key == Qt::Key_Equal || key == Qt::Key_Plus) {
            zoomIn();
            return;
        }
        if (key == Qt::Key_Minus) {
            zoomOut();
            return;
        }
        if (key == Qt::Key_0) {
            resetZoom();
            return;
        }
    }
    if (mods == Qt::ShiftModifier) {
        if (key == Qt::Key_Insert) {
            pasteSelection();
            return;
        }
        if (key == Qt::Key_PageUp || key == Qt::Key_PageDown) {
            QScrollBar *bar = verticalScrollBar();
            bar->setValue(bar->value() + (key == Qt::Key_PageUp ? -1 : 1) * std::max(1, m_emulation.rows() - 1));
            return;
        }
    }
    if (m_emulation.sendKey(event)) {
        scrollToBottom();
        event->accept();
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void TerminalWidget::inputMethodEvent(QInputMethodEvent *event)
{
    if (!event->commitString().isEmpty()) {
        scrollToBottom();
        m_emulation.sendText(event->commitString());
    }
    event->accept();
}

void TerminalWidget::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    m_emulation.focusChanged(true);
    viewport()->update();
}

void TerminalWidget::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    m_emulation.focusChanged(false);
    viewport()->update();
}

// ---------------------------------------------------------------- mouse

bool TerminalWidget::sendsMouse(const QMouseEvent *event) const
{
    return m_emulation.mouseMode() != TerminalEmulation::MouseMode::None && !(event->modifiers() & Qt::ShiftModifier)
        && m_scrollOffset == 0;
}

void TerminalWidget::reportMouse(const QMouseEvent *event, bool pressed, bool release)
{
    const QPoint pos = event->position().toPoint();
    const int row = viewRowAt(pos.y());
    const int col = std::clamp(pos.x() / m_cellWidth, 0, m_emulation.columns() - 1);
    m_emulation.mouseMove(row, col, event->modifiers());
    if (!pressed && !release)
        return;
    const int button = event->button() == Qt::LeftButton ? 1 : event->button() == Qt::MiddleButton ? 2
                     : event->button() == Qt::RightButton ? 3 : 0;
    if (button)
        m_emulation.mouseButton(button, pressed, event->modifiers());
}

void TerminalWidget::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    if (sendsMouse(event)) {
        m_mouseReporting = true;
        reportMouse(event, true, false);
        return;
    }
    m_mouseReporting = false;
    if (event->button() == Qt::MiddleButton) {
        pasteSelection();
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    const TextPos pos = textPosAt(event->position().toPoint());
    const bool triple = m_sinceDoubleClick.isValid()
        && m_sinceDoubleClick.elapsed() < QGuiApplication::styleHints()->mouseDoubleClickInterval();
    m_sinceDoubleClick.invalidate();
    if (triple) {
        m_selMode = SelectionMode::Line;
        m_selecting = true;
        extendSelection(pos);
        selectionToPrimary();
        return;
    }
    if (event->modifiers() & Qt::ShiftModifier && hasSelection() && m_emulation.mouseMode() == TerminalEmulation::MouseMode::None) {
        extendSelection(pos);
        return;
    }
    m_selMode = SelectionMode::Character;
    m_selAnchor = m_selStart = m_selEnd = pos;
    m_selecting = false;
    viewport()->update();
}

void TerminalWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (m_mouseReporting) {
        reportMouse(event, false, false);
        return;
    }
    if (!(event->buttons() & Qt::LeftButton))
        return;
    const QPoint p = event->position().toPoint();
    if (p.y() < 0)
        verticalScrollBar()->setValue(verticalScrollBar()->value() - 1);
    else if (p.y() > viewport()->height())
        verticalScrollBar()->setValue(verticalScrollBar()->value() + 1);
    m_selecting = true;
    extendSelection(textPosAt(p));
}

void TerminalWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_mouseReporting) {
        reportMouse(event, false, true);
        m_mouseReporting = false;
        return;
    }
    if (event->button() == Qt::LeftButton) {
        m_selecting = false;
        selectionToPrimary();
    }
}

void TerminalWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (sendsMouse(event)) {
        reportMouse(event, true, false);
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    m_sinceDoubleClick.start();
    m_selMode = SelectionMode::Word;
    const QPoint p = event->position().toPoint();
    TextPos pos{lineNumberOfViewRow(viewRowAt(p.y())), std::clamp(p.x() / m_cellWidth, 0, m_emulation.columns() - 1)};
    m_selAnchor = pos;
    m_selecting = true;
    extendSelection(pos);
    m_selecting = false;
    selectionToPrimary();
}

void TerminalWidget::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 40; // 3 lines per notch
    if (steps == 0)
        return;
    if (m_emulation.mouseMode() != TerminalEmulation::MouseMode::None && !(event->modifiers() & Qt::ShiftModifier)
        && m_scrollOffset == 0) {
        const QPoint pos = event->position().toPoint();
        m_emulation.mouseMove(viewRowAt(pos.y()), std::clamp(pos.x() / m_cellWidth, 0, m_emulation.columns() - 1),
                              event->modifiers());
        for (int i = 0; i < std::abs(steps) / 3 + 1; ++i)
            m_emulation.mouseButton(steps > 0 ? 4 : 5, true, event->modifiers());
        return;
    }
    verticalScrollBar()->setValue(verticalScrollBar()->value() - steps);
}

} // namespace skydeck
