#pragma once

#include <QPalette>

namespace skydeck::gui {

// A dark palette for Fusion (--dark, or SKYDECK_DARK=1). Every widget uses palette roles only,
// so the same code looks right in light and dark.
QPalette darkPalette();

} // namespace skydeck::gui
