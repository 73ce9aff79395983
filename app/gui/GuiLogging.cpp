#include "GuiLogging.h"

Q_LOGGING_CATEGORY(lcUi, "skydeck.ui")
