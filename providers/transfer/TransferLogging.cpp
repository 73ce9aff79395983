#include "TransferLogging.h"

Q_LOGGING_CATEGORY(lcTransfer, "skydeck.transfer")
