#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSsh)
Q_DECLARE_LOGGING_CATEGORY(lcSshConfig)
Q_DECLARE_LOGGING_CATEGORY(lcSshForward)
