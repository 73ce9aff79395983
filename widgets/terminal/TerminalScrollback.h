#pragma once

#include "TerminalCell.h"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace skydeck {

// Lines that scrolled off the top of the main screen, oldest first, capped at maxLines (the
// oldest are dropped). Stored compactly: one 32-bit code point per cell with trailing blanks
// trimmed, and the attributes run-length encoded (a typical 80-column line costs ~100 bytes).
class TerminalScrollback
{
public:
    explicit TerminalScrollback(int maxLines = 10000);

    void push(const TerminalCell *cells, int count);
    // Takes back the newest line into `cells` (padded with blanks to `count`); false when empty.
    bool pop(TerminalCell *cells, int count);

    int size() const { return int(m_lines.size()); }
    int maxLines() const { return m_maxLines; }
    void setMaxLines(int maxLines);
    void clear();
    // Lines dropped off the top since the start: line numbers stay stable while lines scroll by.
    int64_t droppedLines() const { return m_dropped; }

    // Line `index` (0 = oldest) as cells, padded with blanks to `columns` (never truncated below
    // its stored width).
    void line(int index, int columns, std::vector<TerminalCell> &out) const;
    size_t memoryBytes() const;

private:
    struct Run
    {
        uint16_t start;
        uint8_t flags;
        TerminalColor fg;
        TerminalColor bg;
    };
    struct Line
    {
        std::u32string chars; // kWideTail marks the right half of a wide character
        std::vector<Run> runs;
        std::vector<std::pair<uint16_t, char32_t>> combining;
    };
    static constexpr char32_t kWideTail = 0xFFFFFFFF;

    int m_maxLines;
    int64_t m_dropped = 0;
    std::deque<Line> m_lines;
};

} // namespace skydeck
