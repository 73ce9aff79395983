#include "BucketsLogging.h"

Q_LOGGING_CATEGORY(lcBuckets, "skydeck.ui.buckets")
