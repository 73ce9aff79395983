// The terminal's colours: every ANSI colour but black readable on the terminal's background (WCAG
// contrast ratio), the palette resolving through them, and xterm's cube and greys unchanged.
#include "TestMain.h"

#include "TerminalCell.h"
#include "TerminalPalette.h"

using namespace skydeck;
namespace tp = skydeck::terminal_palette;

class TestTerminalPalette : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void contrastRatioMatchesWcag()
    {
        QCOMPARE(qRound(tp::contrastRatio(qRgb(0, 0, 0), qRgb(255, 255, 255)) * 10), 210);
        QCOMPARE(tp::contrastRatio(qRgb(10, 20, 30), qRgb(10, 20, 30)), 1.0);
        // xterm's blue on this background: the unreadable case that made the palette change.
        QVERIFY(tp::contrastRatio(qRgb(0, 0, 238), tp::defaultBackground) < 2.0);
    }

    void ansiColoursReadOnTheBackground_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<double>("minimum");
        for (int i = 1; i < 16; ++i)
            QTest::addRow("%d", i) << i << (i == 8 ? 3.0 : 4.5);  // 8: dim text, large-text level
    }

    void ansiColoursReadOnTheBackground()
    {
        QFETCH(int, index);
        QFETCH(double, minimum);
        const double ratio = tp::contrastRatio(tp::ansi[size_t(index)], tp::defaultBackground);
        QVERIFY2(ratio >= minimum, qPrintable(QStringLiteral("colour %1: %2").arg(index).arg(ratio)));
    }

    void defaultsAndBrightVariants()
    {
        QVERIFY(tp::contrastRatio(tp::defaultForeground, tp::defaultBackground) >= 12.0);
        // Colour 0 is a background: light text stays readable on it.
        QVERIFY(tp::contrastRatio(tp::defaultForeground, tp::ansi[0]) >= 12.0);
        // Each bright colour is lighter than its normal one (bold/bright stays visible).
        for (size_t i = 1; i < 8; ++i)
            QVERIFY2(tp::contrastRatio(tp::ansi[i + 8], tp::defaultBackground)
                         > tp::contrastRatio(tp::ansi[i], tp::defaultBackground),
                     qPrintable(QString::number(i)));
    }

    void paletteResolvesThroughTheAnsiColours()
    {
        for (int i = 0; i < 16; ++i)
            QCOMPARE(xtermPaletteColor(uint8_t(i)), tp::ansi[size_t(i)]);
        QCOMPARE(TerminalColor::indexed(4).resolve(0, 0), tp::ansi[4]);
        QCOMPARE(xtermPaletteColor(16), qRgb(0, 0, 0));
        QCOMPARE(xtermPaletteColor(196), qRgb(255, 0, 0));
        QCOMPARE(xtermPaletteColor(231), qRgb(255, 255, 255));
        QCOMPARE(xtermPaletteColor(232), qRgb(8, 8, 8));
        QCOMPARE(xtermPaletteColor(255), qRgb(238, 238, 238));
    }
};

SKYDECK_TEST_MAIN(TestTerminalPalette)
#include "tst_terminalpalette.moc"
