#pragma once

class QWidget;

namespace skydeck::gui {

// Installs the window's way to answer an AWS role's mfa_serial: a window-modal, non-blocking
// question over `window` ("Enter MFA code for <serial>: ", the code hidden), shown on the UI thread
// while the account's worker waits. Cancel, or the window gone, answers "declined".
void installAwsMfaDialog(QWidget *window);

} // namespace skydeck::gui
