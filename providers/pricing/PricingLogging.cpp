#include "PricingLogging.h"

Q_LOGGING_CATEGORY(lcPricing, "skydeck.pricing")
