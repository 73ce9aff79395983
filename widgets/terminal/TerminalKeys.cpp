#include "TerminalKeys.h"

#include <QKeyEvent>

#include <vterm.h>

namespace skydeck {

namespace {
VTermModifier modifiersOf(const QKeyEvent *event)
{
    int mod = VTERM_MOD_NONE;
    const Qt::KeyboardModifiers m = event->modifiers();
    if (m & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (m & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (m & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return VTermModifier(mod);
}

VTermKey keypadKey(int key)
{
    switch (key) {
    case Qt::Key_0: return VTERM_KEY_KP_0;
    case Qt::Key_1: return VTERM_KEY_KP_1;
    case Qt::Key_2: return VTERM_KEY_KP_2;
    case Qt::Key_3: return VTERM_KEY_KP_3;
    case Qt::Key_4: return VTERM_KEY_KP_4;
    case Qt::Key_5: return VTERM_KEY_KP_5;
    case Qt::Key_6: return VTERM_KEY_KP_6;
    case Qt::Key_7: return VTERM_KEY_KP_7;
    case Qt::Key_8: return VTERM_KEY_KP_8;
    case Qt::Key_9: return VTERM_KEY_KP_9;
    case Qt::Key_Asterisk: return VTERM_KEY_KP_MULT;
    case Qt::Key_Plus: return VTERM_KEY_KP_PLUS;
    case Qt::Key_Comma: return VTERM_KEY_KP_COMMA;
    case Qt::Key_Minus: return VTERM_KEY_KP_MINUS;
    case Qt::Key_Period: return VTERM_KEY_KP_PERIOD;
    case Qt::Key_Slash: return VTERM_KEY_KP_DIVIDE;
    case Qt::Key_Enter: return VTERM_KEY_KP_ENTER;
    case Qt::Key_Equal: return VTERM_KEY_KP_EQUAL;
    default: return VTERM_KEY_NONE;
    }
}

VTermKey specialKey(int key)
{
    switch (key) {
    case Qt::Key_Return: return VTERM_KEY_ENTER;
    case Qt::Key_Enter: return VTERM_KEY_ENTER;
    case Qt::Key_Tab: return VTERM_KEY_TAB;
    case Qt::Key_Backtab: return VTERM_KEY_TAB;
    case Qt::Key_Backspace: return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape: return VTERM_KEY_ESCAPE;
    case Qt::Key_Up: return VTERM_KEY_UP;
    case Qt::Key_Down: return VTERM_KEY_DOWN;
    case Qt::Key_Left: return VTERM_KEY_LEFT;
    case Qt::Key_Right: return VTERM_KEY_RIGHT;
    case Qt::Key_Insert: return VTERM_KEY_INS;
    case Qt::Key_Delete: return VTERM_KEY_DEL;
    case Qt::Key_Home: return VTERM_KEY_HOME;
    case Qt::Key_End: return VTERM_KEY_END;
    case Qt::Key_PageUp: return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown: return VTERM_KEY_PAGEDOWN;
    default:
        if (key >= Qt::Key_F1 && key <= Qt::Key_F35)
            return VTermKey(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
        return VTERM_KEY_NONE;
    }
}
} // namespace

bool encodeKeyEvent(VTerm *vt, const QKeyEvent *event)
{
    VTermModifier mod = modifiersOf(event);
    const int key = event->key();
    if (event->modifiers() & Qt::KeypadModifier) {
        if (const VTermKey k = keypadKey(key); k != VTERM_KEY_NONE) {
            vterm_keyboard_key(vt, k, mod);
            return true;
        }
    }
    if (VTermKey k = specialKey(key); k != VTERM_KEY_NONE) {
        if (key == Qt::Key_Backtab)
            mod = VTermModifier(mod | VTERM_MOD_SHIFT);
        vterm_keyboard_key(vt, k, mod);
        return true;
    }
    // Ctrl (and Ctrl+Alt) with a letter or one of @[\]^_ : libvterm makes the control character.
    if ((mod & VTERM_MOD_CTRL) && key >= 0x40 && key < 0x7f) {
        const char32_t c = (key >= 'A' && key <= 'Z') ? char32_t(key - 'A' + 'a') : char32_t(key);
        vterm_keyboard_unichar(vt, c, mod);
        return true;
    }
    if ((mod & VTERM_MOD_CTRL) && key == Qt::Key_Space) {
        vterm_keyboard_unichar(vt, 0, VTERM_MOD_NONE); // Ctrl+Space is NUL
        return true;
    }
    const QString text = event->text();
    if (text.isEmpty())
        return false;
    for (const char32_t cp : text.toUcs4()) {
        if (cp < 0x20 || cp == 0x7f) {
            vterm_keyboard_unichar(vt, cp, VTERM_MOD_NONE);
            continue;
        }
        vterm_keyboard_unichar(vt, cp, VTermModifier(mod & ~VTERM_MOD_CTRL));
    }
    return true;
}

} // namespace skydeck
