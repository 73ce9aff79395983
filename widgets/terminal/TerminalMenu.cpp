// TerminalWidget's context menu and the choices it offers (font, remote permissions).
#include "TerminalWidget.h"

#include "TerminalLogging.h"

#include <QContextMenuEvent>
#include <QFontDialog>
#include <QMenu>
#include <QSettings>

namespace skydeck {

QMenu *TerminalWidget::createContextMenu(QWidget *parent)
{
    auto *menu = new QMenu(parent);
    QAction *copyAction = menu->addAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy"), this, &TerminalWidget::copy);
    copyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyAction->setEnabled(hasSelection());
    copyAction->setObjectName(QStringLiteral("copy"));
    QAction *pasteAction = menu->addAction(QIcon::fromTheme(QStringLiteral("edit-paste")), tr("Paste"), this, &TerminalWidget::paste);
    pasteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    pasteAction->setObjectName(QStringLiteral("paste"));
    menu->addSeparator();
    menu->addAction(tr("Zoom In"), this, &TerminalWidget::zoomIn)->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Equal));
    menu->addAction(tr("Zoom Out"), this, &TerminalWidget::zoomOut)->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    menu->addAction(tr("Reset Zoom"), this, &TerminalWidget::resetZoom)->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    menu->addAction(tr("Font…"), this, &TerminalWidget::chooseFont)->setObjectName(QStringLiteral("font"));
    menu->addSeparator();
    QAction *title = menu->addAction(tr("Let Programs Set the Window Title"));
    title->setObjectName(QStringLiteral("allowTitle"));
    title->setCheckable(true);
    title->setChecked(allowsRemoteTitle());
    connect(title, &QAction::toggled, this, &TerminalWidget::setAllowRemoteTitle);
    QAction *clip = menu->addAction(tr("Let Programs Write the Clipboard (OSC 52)"));
    clip->setObjectName(QStringLiteral("allowClipboard"));
    clip->setCheckable(true);
    clip->setChecked(allowsClipboardWrite());
    clip->setToolTip(tr("A program on the remote host could then replace what you copy and paste."));
    connect(clip, &QAction::toggled, this, &TerminalWidget::setAllowClipboardWrite);
    return menu;
}

void TerminalWidget::contextMenuEvent(QContextMenuEvent *event)
{
    // A program that reads the mouse gets the right button (reportMouse); Shift brings the menu.
    if (m_emulation.mouseMode() != TerminalEmulation::MouseMode::None && m_scrollOffset == 0
        && !(event->modifiers() & Qt::ShiftModifier)) {
        event->accept();
        return;
    }
    QMenu *menu = createContextMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
}

void TerminalWidget::chooseFont()
{
    auto *dialog = new QFontDialog(m_font, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOption(QFontDialog::MonospacedFonts);
    dialog->setWindowTitle(tr("Terminal Font"));
    connect(dialog, &QFontDialog::fontSelected, this, [this](const QFont &font) {
        QSettings settings;
        settings.setValue(QStringLiteral("terminal/fontFamily"), font.family());
        settings.setValue(QStringLiteral("terminal/fontSize"), font.pointSize());
        m_baseFontSize = font.pointSize();
        setTerminalFont(font);
        qCInfo(lcTerminal) << "font" << font.family() << font.pointSize();
        Q_EMIT fontChosen(font);
    });
    dialog->open();
}

bool TerminalWidget::allowsRemoteTitle() const
{
    return m_emulation.allowsTitle();
}

bool TerminalWidget::allowsClipboardWrite() const
{
    return m_emulation.allowsClipboardWrite();
}

void TerminalWidget::setAllowRemoteTitle(bool allow)
{
    m_emulation.setAllowTitle(allow);
    QSettings().setValue(QStringLiteral("terminal/allowRemoteTitle"), allow);
}

void TerminalWidget::setAllowClipboardWrite(bool allow)
{
    m_emulation.setAllowClipboardWrite(allow);
    QSettings().setValue(QStringLiteral("terminal/allowClipboardWrite"), allow);
}

} // namespace skydeck
