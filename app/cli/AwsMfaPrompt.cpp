#include "AwsMfaPrompt.h"

#include "CredentialProvider.h"
#include "TerminalPrompt.h"

#include <QThreadPool>

namespace skydeck::cli {

void installAwsMfaPrompt()
{
    aws::setMfaPrompt([](const aws::MfaQuestion &question, aws::MfaAnswer answer) {
        if (!TerminalPrompt::available()) {
            answer(Error(Error::Category::Auth,
                         QStringLiteral("no terminal to ask for it (run the command in a terminal, or use a "
                                        "profile without mfa_serial)"),
                         QStringLiteral("MfaCodeNeeded")));
            return;
        }
        const QString prompt = question.prompt();
        // Blocks while the user types: on a pool thread (joined when the application ends).
        QThreadPool::globalInstance()->start([prompt, answer = std::move(answer)] {
            const std::optional<QString> code = TerminalPrompt::ask(prompt, true);
            if (!code || code->trimmed().isEmpty())
                answer(Error(Error::Category::Cancelled, QStringLiteral("no code was typed")));
            else
                answer(code->trimmed());
        });
    });
}

} // namespace skydeck::cli
