#include "TransfersLogging.h"

Q_LOGGING_CATEGORY(lcTransfersUi, "skydeck.ui.transfers")
