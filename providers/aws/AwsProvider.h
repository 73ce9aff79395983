#pragma once

namespace skydeck::aws {

// Registers the "aws" storage factory (S3Client) with AccountRegistry. Safe to call more than once.
void registerProviders();

} // namespace skydeck::aws
