#include "SshLogging.h"

Q_LOGGING_CATEGORY(lcSsh, "skydeck.ssh")
Q_LOGGING_CATEGORY(lcSshConfig, "skydeck.ssh.config")
Q_LOGGING_CATEGORY(lcSshForward, "skydeck.ssh.forward")
