#include "InstancesLogging.h"

Q_LOGGING_CATEGORY(lcInstances, "skydeck.instances")
