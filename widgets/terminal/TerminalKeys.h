#pragma once

struct VTerm;
class QKeyEvent;

namespace skydeck {

// Hands a key press to libvterm as a key (arrows, F-keys, keypad...) or as characters with
// modifiers; libvterm encodes it for the current modes (application cursor keys, keypad mode).
// False for keys a terminal does not send (lone modifiers, media keys).
bool encodeKeyEvent(VTerm *vt, const QKeyEvent *event);

} // namespace skydeck
