#include "TerminalCell.h"

#include "TerminalPalette.h"

#include <array>

namespace skydeck {

namespace {
std::array<QRgb, 256> makeXtermPalette()
{
    std::array<QRgb, 256> p{};
    for (size_t i = 0; i < terminal_palette::ansi.size(); ++i)
        p[i] = terminal_palette::ansi[i];
    static constexpr int level[6] = {0, 95, 135, 175, 215, 255};
    for (int i = 0; i < 216; ++i)
        p[size_t(16 + i)] = qRgb(level[i / 36], level[(i / 6) % 6], level[i % 6]);
    for (int i = 0; i < 24; ++i) {
        const int v = 8 + 10 * i;
        p[size_t(232 + i)] = qRgb(v, v, v);
    }
    return p;
}
} // namespace

QRgb xtermPaletteColor(uint8_t index)
{
    static const std::array<QRgb, 256> palette = makeXtermPalette();
    return palette[index];
}

QRgb TerminalColor::resolve(QRgb defaultForeground, QRgb defaultBackground) const
{
    switch (kind()) {
    case Kind::DefaultForeground:
        return defaultForeground;
    case Kind::DefaultBackground:
        return defaultBackground;
    case Kind::Indexed:
        return xtermPaletteColor(index());
    case Kind::Rgb:
        return qRgb(int((m_packed >> 16) & 0xff), int((m_packed >> 8) & 0xff), int(m_packed & 0xff));
    }
    return defaultForeground;
}

QString TerminalCell::text() const
{
    if (width == 0)
        return QString();
    if (ch == 0)
        return QStringLiteral(" ");
    QString s;
    const char32_t cps[2] = {ch, combining};
    s = QString::fromUcs4(cps, combining ? 2 : 1);
    return s;
}

} // namespace skydeck
