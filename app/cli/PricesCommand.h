#pragma once

#include "CliOptions.h"
#include "Output.h"

namespace skydeck {
class PriceCatalog;
}

namespace skydeck::cli {

// `skydeck prices [--provider aws|gcp|azure] [--region R] [--json] [TYPE...]`: the shipped price
// catalog's rows (PriceCatalog), one per line: provider, type, region, GPUs, on-demand and spot $/h
// as the source writes them (Compute Engine's A2/A3/G2 with their GPU-only row added) and where
// they come from (file and lines, catalog commit). Compute Engine's GPU-only rows are listed as
// "(GPU only)" when no TYPE is asked for. A TYPE (or a region) the catalog lacks is named on stderr,
// "no price in the catalog for TYPE in REGION", and the exit code is 3; nothing is guessed.
// No account and no network: it runs at once and returns the exit code.
int runPrices(const Invocation &invocation, Output &out);
int runPrices(const Invocation &invocation, Output &out, const PriceCatalog &catalog);

} // namespace skydeck::cli
