#include "AzureLogging.h"

Q_LOGGING_CATEGORY(lcAzure, "skydeck.azure")
