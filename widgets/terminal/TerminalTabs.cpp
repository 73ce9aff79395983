#include "TerminalTabs.h"

#include "TerminalTransport.h"
#include "TerminalWidget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace skydeck {

namespace {
// One tab: the terminal and, under it, the bar shown once the stream ended.
class TerminalPage : public QWidget
{
public:
    TerminalPage(TerminalTransport *transport, QWidget *parent)
        : QWidget(parent)
        , terminal(new TerminalWidget(this))
        , bar(new QWidget(this))
        , message(new QLabel(bar))
        , reconnect(new QPushButton(QObject::tr("Reconnect"), bar))
    {
        transport->setParent(this);
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(0);
        layout->addWidget(terminal, 1);
        auto *barLayout = new QHBoxLayout(bar);
        barLayout->addWidget(message, 1);
        barLayout->addWidget(reconnect);
        layout->addWidget(bar);
        bar->hide();
        bar->setObjectName(QStringLiteral("terminalClosedBar"));
        reconnect->setObjectName(QStringLiteral("terminalReconnect"));
        message->setTextFormat(Qt::PlainText);  // the reason may quote the server: never markup
        message->setWordWrap(true);             // a refused login's reason is long: wrap, never widen the window
        terminal->setTransport(transport);
        QObject::connect(transport, &TerminalTransport::closed, this, [this, transport](const QString &reason) {
            message->setText(reason.isEmpty() ? QObject::tr("The session ended.") : reason);
            reconnect->setVisible(transport->canReconnect());
            bar->show();
        });
        QObject::connect(transport, &TerminalTransport::opened, bar, &QWidget::hide);
        QObject::connect(reconnect, &QPushButton::clicked, transport, [this, transport] {
            bar->hide();
            transport->reconnect();
            terminal->setFocus();
        });
    }

    TerminalWidget *terminal;
    QWidget *bar;
    QLabel *message;
    QPushButton *reconnect;
};
} // namespace

TerminalTabs::TerminalTabs(QWidget *parent)
    : QTabWidget(parent)
{
    setTabsClosable(true);
    setMovable(true);
    setDocumentMode(true);
    connect(this, &QTabWidget::tabCloseRequested, this, &TerminalTabs::closeTab);
}

TerminalWidget *TerminalTabs::addTerminal(TerminalTransport *transport)
{
    auto *page = new TerminalPage(transport, this);
    const int index = addTab(page, transport->title());
    auto relabel = [this, page](const QString &title) {
        const int i = indexOf(page);
        if (i >= 0)
            setTabText(i, title);
    };
    connect(page->terminal, &TerminalWidget::titleChanged, this, relabel);
    // A font picked in one tab's menu goes to every tab.
    connect(page->terminal, &TerminalWidget::fontChosen, this, [this](const QFont &font) {
        for (int i = 0; i < count(); ++i)
            if (TerminalWidget *t = terminalAt(i))
                t->setTerminalFont(font);
    });
    connect(transport, &TerminalTransport::opened, this, [relabel, transport] { relabel(transport->title()); });
    setCurrentIndex(index);
    page->terminal->setFocus();
    return page->terminal;
}

TerminalWidget *TerminalTabs::terminalAt(int index) const
{
    auto *page = dynamic_cast<TerminalPage *>(widget(index));
    return page ? page->terminal : nullptr;
}

void TerminalTabs::closeTab(int index)
{
    QWidget *page = widget(index);
    if (!page)
        return;
    if (TerminalWidget *t = terminalAt(index); t && t->transport() && t->transport()->isOpen())
        t->transport()->close();
    removeTab(index);
    page->deleteLater();
    if (count() == 0)
        Q_EMIT lastTabClosed();
}

} // namespace skydeck
