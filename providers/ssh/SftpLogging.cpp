#include "SftpLogging.h"

Q_LOGGING_CATEGORY(lcSftp, "skydeck.ssh.sftp")
