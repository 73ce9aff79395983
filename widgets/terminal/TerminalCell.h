#pragma once

#include <QRgb>
#include <QString>

#include <cstdint>

namespace skydeck {

// A colour as the program asked for it: the default foreground/background, one of the 256 xterm
// palette entries, or a 24-bit truecolour. Packed into 32 bits (kind in the top byte).
class TerminalColor
{
public:
    enum class Kind : uint8_t { DefaultForeground, DefaultBackground, Indexed, Rgb };

    constexpr TerminalColor() = default;
    static constexpr TerminalColor defaultForeground() { return TerminalColor(uint32_t(Kind::DefaultForeground) << 24); }
    static constexpr TerminalColor defaultBackground() { return TerminalColor(uint32_t(Kind::DefaultBackground) << 24); }
    static constexpr TerminalColor indexed(uint8_t index) { return TerminalColor((uint32_t(Kind::Indexed) << 24) | index); }
    static constexpr TerminalColor rgb(uint8_t r, uint8_t g, uint8_t b)
    {
        return TerminalColor((uint32_t(Kind::Rgb) << 24) | (uint32_t(r) << 16) | (uint32_t(g) << 8) | b);
    }

    constexpr Kind kind() const { return Kind(m_packed >> 24); }
    constexpr bool isDefault() const { return kind() == Kind::DefaultForeground || kind() == Kind::DefaultBackground; }
    constexpr uint8_t index() const { return uint8_t(m_packed & 0xff); }
    // The colour to paint: palette entries resolve through the xterm palette, defaults to the given ones.
    QRgb resolve(QRgb defaultForeground, QRgb defaultBackground) const;
    constexpr uint32_t packed() const { return m_packed; }
    friend constexpr bool operator==(TerminalColor a, TerminalColor b) { return a.m_packed == b.m_packed; }

private:
    explicit constexpr TerminalColor(uint32_t packed) : m_packed(packed) {}
    uint32_t m_packed = uint32_t(Kind::DefaultForeground) << 24;
};

// The 256-colour palette: the 16 ANSI colours of TerminalPalette.h, then xterm's 6x6x6 cube and 24 greys.
QRgb xtermPaletteColor(uint8_t index);

namespace CellFlag {
enum : uint8_t {
    Bold = 1,
    Italic = 2,
    Underline = 4,
    DoubleUnderline = 8,
    Reverse = 16,
    Strike = 32,
    Blink = 64,
};
}

// One grid cell. A wide character (CJK, most emoji) occupies two cells: the first has width 2,
// the second width 0 and no character.
struct TerminalCell
{
    char32_t ch = 0;       // 0: blank
    char32_t combining = 0; // the first combining mark / variation selector, if any
    uint8_t width = 1;
    uint8_t flags = 0;
    TerminalColor fg = TerminalColor::defaultForeground();
    TerminalColor bg = TerminalColor::defaultBackground();

    bool sameStyle(const TerminalCell &o) const { return flags == o.flags && fg == o.fg && bg == o.bg; }
    bool isBlank() const { return ch == 0 && width == 1 && flags == 0 && bg.isDefault(); }
    // The text of the cell ("" for the right half of a wide character, " " for a blank).
    QString text() const;
};

} // namespace skydeck
