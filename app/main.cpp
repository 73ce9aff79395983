// Skydeck: the command line (ls, cp, rm, ...) when the first argument is a command, else the window.
#include "cli/Cli.h"
#ifdef SKYDECK_HAVE_GUI
#include "gui/Gui.h"
#endif

#include <cstdio>

int main(int argc, char **argv)
{
    if (skydeck::cli::isCliInvocation(argc, argv))
        return skydeck::cli::run(argc, argv);
#ifdef SKYDECK_HAVE_GUI
    return skydeck::gui::run(argc, argv);
#else
    std::fputs("skydeck: this build has no window (app/gui was not built); try 'skydeck --help'\n", stderr);
    return 1;
#endif
}
