#include "SshPaneLogging.h"

Q_LOGGING_CATEGORY(lcSshPane, "skydeck.ui.ssh")
