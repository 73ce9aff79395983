#include "ExitCode.h"

namespace skydeck::cli {

int exitCodeFor(const Error &error)
{
    switch (error.category()) {
    case Error::Category::None: return ExitOk;
    case Error::Category::InvalidInput: return ExitUsage;
    case Error::Category::NotFound: return ExitNotFound;
    case Error::Category::Auth:
    case Error::Category::Permission: return ExitAuth;
    case Error::Category::Network: return ExitNetwork;
    case Error::Category::Cancelled: return ExitInterrupted;
    case Error::Category::Conflict:
    case Error::Category::Throttled:
    case Error::Category::Server:
    case Error::Category::Integrity:
    case Error::Category::Local: return ExitFailure;
    }
    return ExitFailure;
}

} // namespace skydeck::cli
