#pragma once

#include <QString>

namespace skydeck::TerminalPaste {

// What a paste may send to the program: the text without any control character but TAB and line
// ends, as xterm (allowPasteControls: false) and foot do. Dropped: C0 controls other than TAB, LF and
// CR (ESC among them), DEL, and the C1 controls U+0080..U+009F (U+009B is an 8-bit CSI). So nothing
// in a paste can end the bracketed-paste bracket (ESC[201~ or CSI 201~), however it is nested or
// split, or be taken for a key. Line ends become CR, the Enter key: CRLF -> CR, LF -> CR.
// Pure and total (any input, including lone surrogates): the fuzzer calls it directly.
QString sanitize(const QString &text);

} // namespace skydeck::TerminalPaste
