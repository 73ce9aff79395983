#include "AwsLogging.h"

Q_LOGGING_CATEGORY(lcS3, "skydeck.s3")
