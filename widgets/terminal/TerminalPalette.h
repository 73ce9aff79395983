#pragma once

#include <QRgb>

#include <array>
#include <cstdint>

namespace skydeck::terminal_palette {

// The terminal's colours on its dark background, in one place. The 16 ANSI colours are chosen for
// contrast on defaultBackground (WCAG ratio at least 4.5 for 1-7 and 9-15, e.g. `ls` directories and
// a prompt's path in blue, 4 and 12); xterm's own blue (#0000ee) is about 1.9 there. Colours 16-255
// stay xterm's cube and greys (programs that use them pick exact shades).
inline constexpr QRgb defaultForeground = 0xffe5e5e5;
inline constexpr QRgb defaultBackground = 0xff18181b;

inline constexpr std::array<QRgb, 16> ansi = {
    0xff000000,  //  0 black (stays black: programs use it as a background behind light text)
    0xffe5534b,  //  1 red
    0xff3fb950,  //  2 green
    0xffd4a72c,  //  3 yellow
    0xff3b8eea,  //  4 blue
    0xffc768d8,  //  5 magenta
    0xff2bb7c9,  //  6 cyan
    0xffd4d4d8,  //  7 white (a little under the default foreground, so both show)
    0xff8b8b94,  //  8 bright black (comments, dim hints)
    0xffff7b72,  //  9 bright red
    0xff56d364,  // 10 bright green
    0xfff2cc60,  // 11 bright yellow
    0xff79b8ff,  // 12 bright blue
    0xffe29cf0,  // 13 bright magenta
    0xff56d4dd,  // 14 bright cyan
    0xffffffff,  // 15 bright white
};

// WCAG 2 contrast ratio of two colours (1 to 21), to keep the choices above honest in tests.
double contrastRatio(QRgb a, QRgb b);

} // namespace skydeck::terminal_palette
