#include "AwsMfaDialog.h"

#include "CredentialProvider.h"

#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QPointer>

#include <memory>

namespace skydeck::gui {

namespace {

Error declined()
{
    return Error(Error::Category::Cancelled, QObject::tr("declined in the window"), QStringLiteral("MfaCodeNeeded"));
}

void ask(QWidget *window, const aws::MfaQuestion &question, const aws::MfaAnswer &answer)
{
    auto *dialog = new QInputDialog(window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(QObject::tr("MFA code for %1").arg(question.profile.isEmpty() ? question.roleArn : question.profile));
    dialog->setLabelText(question.prompt());
    dialog->setTextEchoMode(QLineEdit::Password);
    auto answered = std::make_shared<bool>(false);
    QObject::connect(dialog, &QInputDialog::textValueSelected, dialog, [answer, answered](const QString &code) {
        if (*answered)
            return;
        *answered = true;
        if (code.trimmed().isEmpty())
            answer(declined());
        else
            answer(code.trimmed());
    });
    QObject::connect(dialog, &QDialog::finished, dialog, [answer, answered] {
        if (*answered)
            return;
        *answered = true;
        answer(declined());
    });
    dialog->open();
}

} // namespace

void installAwsMfaDialog(QWidget *window)
{
    QPointer<QWidget> target(window);
    aws::setMfaPrompt([target](const aws::MfaQuestion &question, aws::MfaAnswer answer) {
        // Asked on a worker thread: the dialog is made on the UI thread (the application object
        // outlives the window, so the event is never posted to a window being destroyed).
        QMetaObject::invokeMethod(
            qApp, [target, question, answer] {
                if (target)
                    ask(target, question, answer);
                else
                    answer(declined());
            },
            Qt::QueuedConnection);
    });
}

} // namespace skydeck::gui
