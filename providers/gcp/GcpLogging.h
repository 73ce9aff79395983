#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcGcp)      // skydeck.gcp: credentials, tokens, discovery
Q_DECLARE_LOGGING_CATEGORY(lcGce)      // skydeck.gcp.compute: Compute Engine
