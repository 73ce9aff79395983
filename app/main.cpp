// Skydeck: the command line (ls, cp, rm, ...) when the first argument is a command, else the window.
#include "cli/Cli.h"
#include "gui/Gui.h"

int main(int argc, char **argv)
{
    if (skydeck::cli::isCliInvocation(argc, argv))
        return skydeck::cli::run(argc, argv);
    return skydeck::gui::run(argc, argv);
}
