#pragma once

namespace skydeck::cli {

// True when argv asks for the command line: a command (ls, cp, rm, ...), --version or --help.
bool isCliInvocation(int argc, char **argv);
// Runs the command line; returns the process exit code.
int run(int argc, char **argv);

} // namespace skydeck::cli
