#pragma once

#include <QByteArray>

#include <cstdint>

namespace skydeck {

// Works around two bugs of libvterm 0.1.4 (Debian 12) a remote program could trigger, both found by
// tests/fuzz/terminal_fuzz:
// - a CSI with more than 16 parameters (e.g. ESC [ followed by 20 ';') overruns libvterm's
//   argument array inside the VTerm struct (heap corruption, crash in vterm_free): separators past
//   the 15th are turned into '0' so the parameters merge instead;
// - a hang: REP (CSI Pn b, "repeat the previous
// character") loops forever when the previous glyph had width 0: nothing printed yet, or a lone
// combining mark / zero-width character. `printf '\e[b'` from any remote program would freeze the
// UI thread. Found by tests/fuzz/terminal_fuzz.
//
// The guard follows the escape-sequence structure across writes (ground, ESC, CSI, strings) as
// libvterm's parser does (bytes it ignores inside an escape, such as ESC 0xFF [ b, included) and
// tracks whether the last printed character certainly has a width; a REP after anything else has
// its final byte replaced so libvterm ignores it. A REP after ASCII or any spacing character (what
// ncurses emits for runs of '─' and the like) passes unchanged.
class TerminalInputGuard
{
public:
    // True when `data` needed a change: then `fixed` holds the bytes to feed instead.
    bool filter(const char *data, qsizetype size, QByteArray &fixed);
    // True between sequences and characters: bytes fed now start a sequence of their own.
    bool atGround() const { return m_state == State::Ground && m_utf8Left == 0; }
    // After CAN was fed to libvterm: whatever sequence or character was open is abandoned.
    void cancelled()
    {
        m_state = State::Ground;
        m_utf8Left = 0;
    }

private:
    enum class State : uint8_t { Ground, Escape, Csi, String, StringEscape };
    // What to put in place of byte `c` (0: keep it).
    char step(unsigned char c);
    void endCharacter(char32_t cp);

    State m_state = State::Ground;
    bool m_previousHasWidth = false;
    bool m_csiPlain = true;
    int m_csiSeparators = 0;
    int m_utf8Left = 0;
    char32_t m_codePoint = 0;
};

} // namespace skydeck
