#pragma once

namespace skydeck::gui {

// Opens the main window (with --sandbox, or with no cloud account configured, the local sandbox).
int run(int argc, char **argv);

} // namespace skydeck::gui
