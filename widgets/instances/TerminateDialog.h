#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace skydeck::ui {

// Terminate/delete behind a typed confirmation: the button is enabled only once the instance's
// name (its id when it has no name) is typed exactly.
class TerminateDialog : public QDialog
{
    Q_OBJECT
public:
    TerminateDialog(const QString &provider, const QString &name, const QString &id, QWidget *parent = nullptr);
    QString expected() const { return m_expected; }
    QLineEdit *input() const { return m_input; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    QString m_expected;
    QLineEdit *m_input;
    QDialogButtonBox *m_buttons;
};

} // namespace skydeck::ui
