#pragma once

#include <QString>

#include <optional>

namespace skydeck::cli {

// Questions on the controlling terminal (/dev/tty), where ssh asks them: the prompt is written
// there and the answer read from there (not from stdin, which may carry data), not echoed when
// hidden. Blocks the calling thread while the user types; Ctrl-C ends the wait (nullopt).
// Server text must be made printable (KbdIntQuestion::printable) before it is shown here.
class TerminalPrompt
{
public:
    // False when the process has no controlling terminal (a pipe, cron, CI): nobody to ask.
    static bool available();
    // One line typed on the terminal; nullopt without a terminal, at end of input or on Ctrl-C.
    static std::optional<QString> ask(const QString &prompt, bool hidden);
    // A line of text on the terminal (a keyboard-interactive name or instruction).
    static void say(const QString &text);
    // The read end of the CLI's signal pipe: readable once Ctrl-C was pressed.
    static void setInterruptFd(int fd);
};

} // namespace skydeck::cli
