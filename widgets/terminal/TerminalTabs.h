#pragma once

#include <QTabWidget>

namespace skydeck {

class TerminalTransport;
class TerminalWidget;

// Several terminals side by side in tabs. A tab's label is its transport's title (or the title a
// program set, when the user allowed that). When a transport closes, the tab stays with the last
// screen and a bar saying why, with "Reconnect" when the transport can reconnect in place.
class TerminalTabs : public QTabWidget
{
    Q_OBJECT
public:
    explicit TerminalTabs(QWidget *parent = nullptr);

    // Takes ownership of `transport` (reparented to the tab). Returns the new terminal.
    TerminalWidget *addTerminal(TerminalTransport *transport);
    TerminalWidget *terminalAt(int index) const;
    TerminalWidget *currentTerminal() const { return terminalAt(currentIndex()); }

Q_SIGNALS:
    void lastTabClosed();

private:
    void closeTab(int index);
};

} // namespace skydeck
