#pragma once

namespace skydeck::gcp {

// Registers the "gcp" compute factory (GceClient) with AccountRegistry. Safe to call more than once.
void registerProviders();

} // namespace skydeck::gcp
