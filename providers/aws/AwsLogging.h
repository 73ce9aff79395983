#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcS3)
Q_DECLARE_LOGGING_CATEGORY(lcEc2)
