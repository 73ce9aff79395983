#pragma once

namespace skydeck::cli {

// Installs the command line's way to answer an AWS role's mfa_serial: the AWS CLI's question
// ("Enter MFA code for <serial>: ") on the controlling terminal, not echoed, asked on a pool thread
// so the provider's worker keeps running. Without a terminal (a pipe, cron, CI) the role fails with
// an error saying so.
void installAwsMfaPrompt();

} // namespace skydeck::cli
