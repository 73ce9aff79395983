#pragma once

namespace skydeck::azure {

// Registers the "azure" compute factory (ArmClient) with AccountRegistry. Safe to call more than once.
void registerProviders();

} // namespace skydeck::azure
