#include "CliLogging.h"

Q_LOGGING_CATEGORY(lcCli, "skydeck.cli")
