#include "AwsLogging.h"

Q_LOGGING_CATEGORY(lcS3, "skydeck.s3")
Q_LOGGING_CATEGORY(lcEc2, "skydeck.ec2")
Q_LOGGING_CATEGORY(lcAwsCredentials, "skydeck.aws.credentials")
