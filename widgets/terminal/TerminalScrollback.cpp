#include "TerminalScrollback.h"

#include <algorithm>

namespace skydeck {

TerminalScrollback::TerminalScrollback(int maxLines)
    : m_maxLines(std::max(0, maxLines))
{
}

void TerminalScrollback::setMaxLines(int maxLines)
{
    m_maxLines = std::max(0, maxLines);
    while (int(m_lines.size()) > m_maxLines) {
        m_lines.pop_front();
        ++m_dropped;
    }
}

void TerminalScrollback::clear()
{
    m_dropped += int64_t(m_lines.size());
    m_lines.clear();
}

void TerminalScrollback::push(const TerminalCell *cells, int count)
{
    if (m_maxLines == 0) {
        ++m_dropped;
        return;
    }
    count = std::min(count, 0xffff);
    int used = count;
    while (used > 0 && cells[used - 1].isBlank())
        --used;
    Line line;
    line.chars.resize(size_t(used));
    for (int i = 0; i < used; ++i) {
        const TerminalCell &c = cells[i];
        line.chars[size_t(i)] = c.width == 0 ? kWideTail : c.ch;
        if (c.combining)
            line.combining.emplace_back(uint16_t(i), c.combining);
        if (line.runs.empty() || line.runs.back().flags != c.flags || !(line.runs.back().fg == c.fg)
            || !(line.runs.back().bg == c.bg))
            line.runs.push_back(Run{uint16_t(i), c.flags, c.fg, c.bg});
    }
    line.chars.shrink_to_fit();
    line.runs.shrink_to_fit();
    if (int(m_lines.size()) >= m_maxLines) {
        m_lines.pop_front();
        ++m_dropped;
    }
    m_lines.push_back(std::move(line));
}

void TerminalScrollback::line(int index, int columns, std::vector<TerminalCell> &out) const
{
    out.assign(size_t(std::max(0, columns)), TerminalCell{});
    if (index < 0 || index >= int(m_lines.size()))
        return;
    const Line &l = m_lines[size_t(index)];
    if (out.size() < l.chars.size())
        out.resize(l.chars.size());
    size_t run = 0;
    for (size_t i = 0; i < l.chars.size(); ++i) {
        while (run + 1 < l.runs.size() && l.runs[run + 1].start <= i)
            ++run;
        TerminalCell &c = out[i];
        const Run &r = l.runs[run];
        c.flags = r.flags;
        c.fg = r.fg;
        c.bg = r.bg;
        if (l.chars[i] == kWideTail) {
            c.width = 0;
            if (i > 0)
                out[i - 1].width = 2;
        } else {
            c.ch = l.chars[i];
        }
    }
    for (const auto &[col, mark] : l.combining)
        if (col < out.size())
            out[col].combining = mark;
}

bool TerminalScrollback::pop(TerminalCell *cells, int count)
{
    if (m_lines.empty())
        return false;
    std::vector<TerminalCell> tmp;
    line(int(m_lines.size()) - 1, count, tmp);
    std::copy_n(tmp.begin(), std::min<size_t>(size_t(count), tmp.size()), cells);
    m_lines.pop_back();
    return true;
}

size_t TerminalScrollback::memoryBytes() const
{
    size_t bytes = sizeof(*this);
    for (const Line &l : m_lines)
        bytes += sizeof(Line) + l.chars.capacity() * sizeof(char32_t) + l.runs.capacity() * sizeof(Run)
            + l.combining.capacity() * sizeof(std::pair<uint16_t, char32_t>);
    return bytes;
}

} // namespace skydeck
