#pragma once

// Use SKYDECK_TEST_MAIN(Class) (console) or SKYDECK_GUI_TEST_MAIN(Class) instead of QTEST_MAIN:
// every test gets private config/cache/data dirs.
#include <QCoreApplication>
#include <QStandardPaths>
#include <QtTest>

#define SKYDECK_TEST_MAIN_IMPL(AppClass, TestObject)                                                      \
    int main(int argc, char **argv)                                                                       \
    {                                                                                                     \
        QStandardPaths::setTestModeEnabled(true);                                                         \
        AppClass app(argc, argv);                                                                         \
        app.setApplicationName(QStringLiteral("skydeck-test"));                                          \
        app.setOrganizationName(QStringLiteral("skydeck-test"));                                         \
        TestObject tc;                                                                                    \
        QTEST_SET_MAIN_SOURCE_PATH                                                                        \
        return QTest::qExec(&tc, argc, argv);                                                             \
    }

#define SKYDECK_TEST_MAIN(TestObject) SKYDECK_TEST_MAIN_IMPL(QCoreApplication, TestObject)
// GUI tests: include GuiTestMain.h and use SKYDECK_GUI_TEST_MAIN(Class).
