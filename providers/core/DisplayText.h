#pragma once

#include <QString>

namespace skydeck {

// Text that came from a server or a file (object keys, bucket and host names, error messages)
// made safe to show on a terminal or in a widget: C0 controls (tab kept only where `keepTab`),
// DEL, C1 controls, and the bidirectional overrides and isolates that reorder what a reader sees
// ("Trojan Source") are written as visible escapes: \x1b, \x9b, \u202e. Nothing that a terminal
// would act on (OSC 52 clipboard writes, title changes, cursor moves, forged lines) survives.
// Widgets must also show it as plain text (Qt::PlainText), never as rich text.
QString displayText(const QString &text, bool keepTab = false);

// For a tool tip (Qt shows one as rich text when it merely looks like markup): the text escaped
// (displayText, its line breaks kept) inside rich text that shows it literally.
QString plainToolTip(const QString &text);

// Whether text holds anything displayText() would escape.
bool needsEscaping(const QString &text, bool keepTab = false);

} // namespace skydeck
