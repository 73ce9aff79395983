#include "TerminalLogging.h"

Q_LOGGING_CATEGORY(lcTerminal, "skydeck.terminal")
