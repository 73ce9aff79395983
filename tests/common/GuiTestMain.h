#pragma once

#include "TestMain.h"

#include <QApplication>

#define SKYDECK_GUI_TEST_MAIN(TestObject) SKYDECK_TEST_MAIN_IMPL(QApplication, TestObject)
