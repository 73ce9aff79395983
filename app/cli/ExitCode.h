#pragma once

#include "Error.h"

namespace skydeck::cli {

// The command line's exit codes (documented in `skydeck --help` and the README).
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,     // anything else: conflict, server error, local file error, partial failure
    ExitUsage = 2,       // bad arguments or an invalid URL
    ExitNotFound = 3,    // no such bucket, object, prefix, local file or instance
    ExitAuth = 4,        // missing or rejected credentials, permission denied
    ExitNetwork = 5,     // endpoint unreachable, connection reset, timeout
    ExitInterrupted = 130,  // Ctrl-C
};

int exitCodeFor(const Error &error);

} // namespace skydeck::cli
