#include "TerminalInputGuard.h"

#include <QChar>

namespace skydeck {

namespace {
constexpr unsigned char kEsc = 0x1b;
constexpr unsigned char kCan = 0x18;
constexpr unsigned char kSub = 0x1a;
constexpr unsigned char kBel = 0x07;
// An unimplemented CSI final: libvterm ignores "CSI Pn y".
constexpr char kNeutralFinal = 'y';
// libvterm keeps 16 CSI arguments.
constexpr int kMaxCsiSeparators = 15;
} // namespace

bool TerminalInputGuard::filter(const char *data, qsizetype size, QByteArray &fixed)
{
    bool changed = false;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data);
    for (qsizetype i = 0; i < size; ++i) {
        // Fast path: printable ASCII in the ground state (most of any output).
        if (m_state == State::Ground && m_utf8Left == 0 && bytes[i] >= 0x20 && bytes[i] < 0x7f) {
            qsizetype j = i + 1;
            while (j < size && bytes[j] >= 0x20 && bytes[j] < 0x7f)
                ++j;
            m_previousHasWidth = true;
            i = j - 1;
            continue;
        }
        const char replacement = step(bytes[i]);
        if (!replacement)
            continue;
        if (!changed) {
            fixed = QByteArray(data, size);
            changed = true;
        }
        fixed[i] = replacement;
    }
    return changed;
}

void TerminalInputGuard::endCharacter(char32_t cp)
{
    if (cp >= 0x80 && cp < 0xa0) { // C1 controls (UTF-8 encoded): no glyph
        return;
    }
    switch (QChar::category(cp)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Other_Format:
    case QChar::Other_NotAssigned:
    case QChar::Other_Surrogate:
        m_previousHasWidth = false; // may be a zero-width glyph for libvterm
        break;
    default:
        m_previousHasWidth = cp != 0xFFFD;
        break;
    }
}

char TerminalInputGuard::step(unsigned char c)
{
    switch (m_state) {
    case State::Ground:
        if (m_utf8Left > 0) {
            if ((c & 0xC0) == 0x80) {
                m_codePoint = (m_codePoint << 6) | (c & 0x3F);
                if (--m_utf8Left == 0)
                    endCharacter(m_codePoint);
                return 0;
            }
            m_utf8Left = 0;
            m_previousHasWidth = false; // truncated sequence: a replacement glyph or nothing
        }
        if (c == kEsc) {
            m_state = State::Escape;
        } else if (c < 0x20 || c == 0x7f) {
            // C0 controls move the cursor; the previous glyph stays what it was
        } else if (c < 0x80) {
            m_previousHasWidth = true;
        } else if (c >= 0xC2 && c <= 0xF4) {
            m_utf8Left = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            m_codePoint = c & (c >= 0xF0 ? 0x07 : c >= 0xE0 ? 0x0F : 0x1F);
        } else {
            m_previousHasWidth = false;
        }
        return 0;
    case State::Escape:
        if (c == '[') {
            m_state = State::Csi;
            m_csiPlain = true;
            m_csiSeparators = 0;
        } else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
            m_state = State::String;
        } else if (c == kEsc || (c >= 0x20 && c <= 0x2f) || (c < 0x20 && c != kCan && c != kSub) || c >= 0x7f) {
            // another ESC, an intermediate, a control executed inside the sequence, or DEL or a byte
            // 0x80..0xFF, which libvterm 0.1.4 ignores there: ESC 0xFF [ b is still REP
        } else {
            m_state = State::Ground;
        }
        return 0;
    case State::Csi:
        if (c == kEsc) {
            m_state = State::Escape;
        } else if (c == kCan || c == kSub) {
            m_state = State::Ground;
        } else if (c < 0x20 || c == 0x7f) {
            // executed inside the sequence
        } else if (c == ';' || c == ':') {
            if (++m_csiSeparators > kMaxCsiSeparators)
                return '0';
        } else if (c >= 0x3c && c <= 0x3f) {
            m_csiPlain = false; // a private leader: not REP
        } else if (c >= 0x20 && c <= 0x2f) {
            m_csiPlain = false; // an intermediate: not REP
        } else if (c >= 0x40 && c <= 0x7e) {
            m_state = State::Ground;
            return c == 'b' && m_csiPlain && !m_previousHasWidth ? kNeutralFinal : 0;
        } else if (c >= 0x80) {
            m_state = State::Ground;
        }
        return 0;
    case State::String:
        if (c == kBel || c == kCan || c == kSub)
            m_state = State::Ground;
        else if (c == kEsc)
            m_state = State::StringEscape;
        return 0;
    case State::StringEscape:
        if (c == '\\') {
            m_state = State::Ground;
            return 0;
        }
        m_state = State::Escape; // the string ended; this ESC starts a new sequence
        return step(c);
    }
    return 0;
}

} // namespace skydeck
