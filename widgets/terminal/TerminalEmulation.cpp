#include "TerminalEmulation.h"

#include "TerminalKeys.h"
#include "TerminalLogging.h"
#include "TerminalPaste.h"
#include "TerminalTransport.h"

#include <QKeyEvent>

#include <vterm.h>

#include <algorithm>

namespace skydeck {

namespace {
// libvterm 0.1.4 writes through a NULL pointer when a wide character meets a one-column screen
// (found by the fuzzer): never narrower than two columns.
constexpr int kMinColumns = 2;
// Output a program provoked with nobody listening is kept for tests, up to this much.
constexpr qsizetype kMaxUnsentOutput = 1 << 20;

TerminalColor fromVTermColor(const VTermColor &c)
{
    if (VTERM_COLOR_IS_DEFAULT_FG(&c))
        return TerminalColor::defaultForeground();
    if (VTERM_COLOR_IS_DEFAULT_BG(&c))
        return TerminalColor::defaultBackground();
    if (VTERM_COLOR_IS_INDEXED(&c))
        return TerminalColor::indexed(c.indexed.idx);
    return TerminalColor::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

TerminalCell fromVTermCell(const VTermScreenCell &c)
{
    TerminalCell t;
    if (c.chars[0] == uint32_t(-1)) {
        t.width = 0;
    } else {
        t.ch = c.chars[0] <= 0x10FFFF ? char32_t(c.chars[0]) : char32_t(0xFFFD);
        if (t.ch && c.chars[1] && c.chars[1] <= 0x10FFFF)
            t.combining = char32_t(c.chars[1]);
        t.width = c.width == 2 ? 2 : 1;
    }
    uint8_t f = 0;
    if (c.attrs.bold)
        f |= CellFlag::Bold;
    if (c.attrs.italic)
        f |= CellFlag::Italic;
    if (c.attrs.underline == VTERM_UNDERLINE_DOUBLE)
        f |= CellFlag::DoubleUnderline;
    else if (c.attrs.underline)
        f |= CellFlag::Underline;
    if (c.attrs.reverse)
        f |= CellFlag::Reverse;
    if (c.attrs.strike)
        f |= CellFlag::Strike;
    if (c.attrs.blink)
        f |= CellFlag::Blink;
    t.flags = f;
    t.fg = fromVTermColor(c.fg);
    t.bg = fromVTermColor(c.bg);
    return t;
}

VTermModifier toVTermModifier(Qt::KeyboardModifiers m)
{
    int mod = VTERM_MOD_NONE;
    if (m & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (m & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (m & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return VTermModifier(mod);
}
} // namespace

// libvterm's C callbacks, friends of TerminalEmulation.
struct TerminalCallbacks
{
    static TerminalEmulation *self(void *user) { return static_cast<TerminalEmulation *>(user); }

    static void output(const char *s, size_t len, void *user)
    {
        TerminalEmulation *e = self(user);
        if (e->m_probing || e->m_output.size() < kMaxUnsentOutput || e->m_transport)
            e->m_output.append(s, qsizetype(len));
    }
    static int damage(VTermRect rect, void *user)
    {
        self(user)->damageRows(rect.start_row, rect.end_row);
        return 1;
    }
    static int movecursor(VTermPos pos, VTermPos, int visible, void *user)
    {
        TerminalEmulation *e = self(user);
        e->m_cursor = QPoint(pos.col, pos.row);
        e->m_cursorVisible = visible;
        return 1;
    }
    static int settermprop(VTermProp prop, VTermValue *val, void *user)
    {
        TerminalEmulation *e = self(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            e->m_cursorVisible = val->boolean;
            break;
        case VTERM_PROP_ALTSCREEN:
            e->m_altScreen = val->boolean;
            e->damageRows(0, e->m_rows);
            break;
        case VTERM_PROP_REVERSE:
            e->m_reverseVideo = val->boolean;
            e->damageRows(0, e->m_rows);
            break;
        case VTERM_PROP_CURSORSHAPE:
            e->m_cursorShape = val->number == VTERM_PROP_CURSORSHAPE_UNDERLINE ? TerminalEmulation::CursorShape::Underline
                : val->number == VTERM_PROP_CURSORSHAPE_BAR_LEFT            ? TerminalEmulation::CursorShape::Bar
                                                                            : TerminalEmulation::CursorShape::Block;
            break;
        case VTERM_PROP_MOUSE:
            e->m_mouseMode = val->number == VTERM_PROP_MOUSE_CLICK ? TerminalEmulation::MouseMode::Click
                : val->number == VTERM_PROP_MOUSE_DRAG             ? TerminalEmulation::MouseMode::Drag
                : val->number == VTERM_PROP_MOUSE_MOVE             ? TerminalEmulation::MouseMode::Move
                                                                   : TerminalEmulation::MouseMode::None;
            break;
        case VTERM_PROP_TITLE:
            if (e->m_allowTitle && val->string) {
                const QString t = QString::fromUtf8(val->string).left(256);
                if (t != e->m_title) {
                    e->m_title = t;
                    Q_EMIT e->titleChanged(t);
                }
            }
            break;
        default:
            break;
        }
        return 1;
    }
    static int bell(void *user)
    {
        Q_EMIT self(user)->bell();
        return 1;
    }
    static int resize(int rows, int cols, void *user)
    {
        TerminalEmulation *e = self(user);
        e->m_rows = rows;
        e->m_columns = cols;
        return 1;
    }
    static int pushline(int cols, const VTermScreenCell *cells, void *user)
    {
        TerminalEmulation *e = self(user);
        std::vector<TerminalCell> &line = e->m_scratch;
        line.resize(size_t(std::max(0, cols)));
        for (int i = 0; i < cols; ++i)
            line[size_t(i)] = fromVTermCell(cells[i]);
        e->m_scrollback.push(line.data(), cols);
        ++e->m_pushedLines;
        return 1;
    }
    static int popline(int cols, VTermScreenCell *cells, void *user)
    {
        TerminalEmulation *e = self(user);
        std::vector<TerminalCell> &line = e->m_scratch;
        line.assign(size_t(std::max(0, cols)), TerminalCell{});
        if (cols <= 0 || !e->m_scrollback.pop(line.data(), cols))
            return 0;
        if (line.back().width == 2) // a wide character cut by a narrower screen
            line.back() = TerminalCell{};
        VTermColor defaultFg, defaultBg;
        vterm_state_get_default_colors(vterm_obtain_state(e->m_vt.get()), &defaultFg, &defaultBg);
        for (int i = 0; i < cols; ++i) {
            const TerminalCell &t = line[size_t(i)];
            VTermScreenCell &c = cells[i];
            c = VTermScreenCell{};
            if (t.width == 0) {
                c.chars[0] = uint32_t(-1);
            } else {
                c.chars[0] = t.ch;
                c.chars[1] = t.combining;
            }
            c.width = char(t.width == 2 ? 2 : 1);
            c.attrs.bold = (t.flags & CellFlag::Bold) != 0;
            c.attrs.italic = (t.flags & CellFlag::Italic) != 0;
            c.attrs.underline = (t.flags & CellFlag::DoubleUnderline) ? VTERM_UNDERLINE_DOUBLE
                : (t.flags & CellFlag::Underline)                    ? VTERM_UNDERLINE_SINGLE
                                                                     : VTERM_UNDERLINE_OFF;
            c.attrs.reverse = (t.flags & CellFlag::Reverse) != 0;
            c.attrs.strike = (t.flags & CellFlag::Strike) != 0;
            c.attrs.blink = (t.flags & CellFlag::Blink) != 0;
            auto toV = [&](TerminalColor tc, VTermColor &v) {
                switch (tc.kind()) {
                case TerminalColor::Kind::DefaultForeground:
                    v = defaultFg;
                    break;
                case TerminalColor::Kind::DefaultBackground:
                    v = defaultBg;
                    break;
                case TerminalColor::Kind::Indexed:
                    vterm_color_indexed(&v, tc.index());
                    break;
                case TerminalColor::Kind::Rgb: {
                    const QRgb rgb = tc.resolve(0, 0);
                    vterm_color_rgb(&v, uint8_t(qRed(rgb)), uint8_t(qGreen(rgb)), uint8_t(qBlue(rgb)));
                    break;
                }
                }
            };
            toV(t.fg, c.fg);
            toV(t.bg, c.bg);
        }
        return 1;
    }
    static int osc(const char *command, size_t cmdlen, void *user)
    {
        self(user)->onOsc(command, cmdlen);
        return 1;
    }
};

namespace {
const VTermScreenCallbacks kScreenCallbacks = {
    &TerminalCallbacks::damage,
    nullptr, // moverect: libvterm damages the destination instead
    &TerminalCallbacks::movecursor,
    &TerminalCallbacks::settermprop,
    &TerminalCallbacks::bell,
    &TerminalCallbacks::resize,
    &TerminalCallbacks::pushline,
    &TerminalCallbacks::popline,
};
const VTermParserCallbacks kFallbacks = {
    nullptr, nullptr, nullptr, nullptr, &TerminalCallbacks::osc, nullptr, nullptr,
};
} // namespace

void TerminalEmulation::VTermDeleter::operator()(VTerm *vt) const
{
    vterm_free(vt);
}

TerminalEmulation::TerminalEmulation(int rows, int columns, QObject *parent)
    : QObject(parent)
    , m_rows(std::clamp(rows, 1, 1000))
    , m_columns(std::clamp(columns, kMinColumns, 1000))
    , m_damageFirst(0)
{
    m_vt.reset(vterm_new(m_rows, m_columns));
    vterm_set_utf8(m_vt.get(), 1);
    vterm_output_set_callback(m_vt.get(), &TerminalCallbacks::output, this);
    m_screen = vterm_obtain_screen(m_vt.get());
    vterm_screen_set_callbacks(m_screen, &kScreenCallbacks, this);
    vterm_screen_set_unrecognised_fallbacks(m_screen, &kFallbacks, this);
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
    m_damageFirst = 0;
    m_damageLast = m_rows - 1;
}

TerminalEmulation::~TerminalEmulation() = default;

void TerminalEmulation::setTransport(TerminalTransport *transport)
{
    m_transport = transport;
    flushOutput();
}

void TerminalEmulation::feed(const QByteArray &bytes)
{
    feed(bytes.constData(), bytes.size());
}

void TerminalEmulation::feed(const char *data, qsizetype size)
{
    if (size <= 0)
        return;
    QByteArray fixed;
    if (m_inputGuard.filter(data, size, fixed)) {
        qCDebug(lcTerminal) << "ignored a REP with no previous glyph (libvterm 0.1.4 would hang)";
        vterm_input_write(m_vt.get(), fixed.constData(), size_t(fixed.size()));
    } else {
        vterm_input_write(m_vt.get(), data, size_t(size));
    }
    vterm_screen_flush_damage(m_screen);
    flushOutput();
}

void TerminalEmulation::resize(int rows, int columns)
{
    rows = std::clamp(rows, 1, 1000);
    columns = std::clamp(columns, kMinColumns, 1000);
    if (rows == m_rows && columns == m_columns)
        return;
    const bool rowsChanged = rows != m_rows;
    vterm_set_size(m_vt.get(), rows, columns);
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(m_vt.get()), &pos);
    if (rowsChanged) {
        // Two libvterm 0.1.4 bugs a remote program sets up and a resize springs (both found by
        // tests/fuzz/terminal_fuzz, inputs in crashes/terminal):
        // - it keeps the lowest written line on screen when rows go, pushing the lines above it to
        //   the scrollback, and moves the cursor up with them past the top: a cursor on a negative
        //   row, and the next character in insert mode (or ICH) writes through NULL;
        // - it keeps a scrolling region (DECSTBM) whose top is now below the screen: the next
        //   scroll memmoves a negative length.
        // So, as xterm does on a resize, the margins go back to the whole screen (CSI r), and the
        // cursor is put back where it was, on the top row if libvterm left it above. A sequence the
        // program had left open is cancelled first (CAN) so these cannot join it; its rest then
        // shows as text.
        QByteArray fix;
        if (!m_inputGuard.atGround())
            fix += '\x18';
        fix += "\x1b[r\x1b[" + QByteArray::number(std::max(pos.row, 0) + 1) + ';' + QByteArray::number(pos.col + 1) + 'H';
        vterm_input_write(m_vt.get(), fix.constData(), size_t(fix.size()));
        m_inputGuard.cancelled();
        vterm_state_get_cursorpos(vterm_obtain_state(m_vt.get()), &pos);
    }
    vterm_screen_flush_damage(m_screen);
    m_rows = rows;
    m_columns = columns;
    m_cursor = QPoint(pos.col, pos.row);
    damageRows(0, m_rows);
    flushOutput();
}

TerminalCell TerminalEmulation::cell(int row, int column) const
{
    if (row < 0 || row >= m_rows || column < 0 || column >= m_columns)
        return TerminalCell{};
    VTermScreenCell c;
    if (!vterm_screen_get_cell(m_screen, VTermPos{row, column}, &c))
        return TerminalCell{};
    return fromVTermCell(c);
}

void TerminalEmulation::screenLine(int row, std::vector<TerminalCell> &out) const
{
    out.resize(size_t(m_columns));
    for (int c = 0; c < m_columns; ++c)
        out[size_t(c)] = cell(row, c);
}

QString TerminalEmulation::screenLineText(int row) const
{
    screenLine(row, m_scratch);
    QString s;
    for (const TerminalCell &c : m_scratch)
        s += c.text();
    while (s.endsWith(QLatin1Char(' ')))
        s.chop(1);
    return s;
}

int TerminalEmulation::takePushedLines()
{
    return std::exchange(m_pushedLines, 0);
}

std::pair<int, int> TerminalEmulation::takeDamage()
{
    const std::pair<int, int> d{m_damageFirst, std::min(m_damageLast, m_rows - 1)};
    m_damageFirst = m_rows;
    m_damageLast = -1;
    return d;
}

void TerminalEmulation::damageRows(int first, int lastExclusive)
{
    first = std::max(0, first);
    const int last = std::min(m_rows, lastExclusive) - 1;
    if (first > last)
        return;
    m_damageFirst = std::min(m_damageFirst, first);
    m_damageLast = std::max(m_damageLast, last);
}

bool TerminalEmulation::bracketedPaste()
{
    // libvterm keeps the mode private; it shows in what a paste start would send.
    const qsizetype before = m_output.size();
    m_probing = true;
    vterm_keyboard_start_paste(m_vt.get());
    m_probing = false;
    const bool on = m_output.size() > before;
    m_output.truncate(before);
    return on;
}

bool TerminalEmulation::sendKey(const QKeyEvent *event)
{
    const bool sent = encodeKeyEvent(m_vt.get(), event);
    flushOutput();
    return sent;
}

void TerminalEmulation::sendText(const QString &text)
{
    for (const char32_t cp : text.toUcs4())
        vterm_keyboard_unichar(m_vt.get(), cp, VTERM_MOD_NONE);
    flushOutput();
}

void TerminalEmulation::paste(const QString &text)
{
    // Text only: no control character can end the bracket early or act as a key (TerminalPaste.h).
    const QString t = TerminalPaste::sanitize(text);
    if (t.isEmpty())
        return;
    vterm_keyboard_start_paste(m_vt.get());
    m_output.append(t.toUtf8());
    vterm_keyboard_end_paste(m_vt.get());
    flushOutput();
}

// libvterm 0.1.4 reports buttons even when no mouse mode is on: the guard is ours.
void TerminalEmulation::mouseMove(int row, int column, Qt::KeyboardModifiers modifiers)
{
    if (m_mouseMode == MouseMode::None)
        return;
    vterm_mouse_move(m_vt.get(), std::clamp(row, 0, m_rows - 1), std::clamp(column, 0, m_columns - 1),
                     toVTermModifier(modifiers));
    flushOutput();
}

void TerminalEmulation::mouseButton(int button, bool pressed, Qt::KeyboardModifiers modifiers)
{
    if (m_mouseMode == MouseMode::None)
        return;
    vterm_mouse_button(m_vt.get(), button, pressed, toVTermModifier(modifiers));
    flushOutput();
}

void TerminalEmulation::focusChanged(bool in)
{
    VTermState *state = vterm_obtain_state(m_vt.get());
    if (in)
        vterm_state_focus_in(state);
    else
        vterm_state_focus_out(state);
    flushOutput();
}

QByteArray TerminalEmulation::takeUnsentOutput()
{
    return std::exchange(m_output, QByteArray());
}

void TerminalEmulation::flushOutput()
{
    if (m_output.isEmpty() || !m_transport)
        return;
    const QByteArray out = std::exchange(m_output, QByteArray());
    m_transport->write(out);
}

void TerminalEmulation::onOsc(const char *command, size_t length)
{
    const QByteArray osc(command, qsizetype(length));
    qCDebug(lcTerminal) << "OSC" << osc.left(16) << length << "bytes";
    if (!osc.startsWith("52;"))
        return;
    // OSC 52 ; targets ; base64 — a query ("?") is never answered: reading the clipboard is refused.
    const qsizetype semi = osc.indexOf(';', 3);
    if (semi < 0 || !m_allowClipboardWrite)
        return;
    const QByteArray payload = osc.mid(semi + 1);
    if (payload == "?")
        return;
    const auto decoded = QByteArray::fromBase64Encoding(payload, QByteArray::AbortOnBase64DecodingErrors);
    if (decoded)
        Q_EMIT clipboardWriteRequested(QString::fromUtf8(*decoded));
}

} // namespace skydeck
