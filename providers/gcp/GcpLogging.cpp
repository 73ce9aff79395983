#include "GcpLogging.h"

Q_LOGGING_CATEGORY(lcGcp, "skydeck.gcp")
Q_LOGGING_CATEGORY(lcGce, "skydeck.gcp.compute")
