#pragma once

namespace skydeck::aws {

// Registers the "aws" storage (S3Client) and compute (Ec2Client) factories with AccountRegistry. Safe
// to call more than once.
void registerProviders();

} // namespace skydeck::aws
