// ListingGuard: the paging rules every listing loop obeys against a lying server.
#include "ListingGuard.h"
#include "TestMain.h"

using namespace skydeck;

class TestListingGuard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Pages in key order pass; a page that goes back over what was listed stops the listing. The
    // order is UTF-8's (the services'), not UTF-16's: U+FF5E sorts before U+1F4E6 in UTF-8.
    void pagesMustGoForwardInKeyOrder()
    {
        auto page = [](std::initializer_list<const char *> keys) {
            QList<ObjectEntry> out;
            for (const char *k : keys) {
                ObjectEntry e;
                e.key = QString::fromUtf8(k);
                out.append(e);
            }
            return out;
        };
        ListingGuard g(ListingGuard::Limits::objects(), QStringLiteral("s3://b/"));
        QVERIFY(g.checkOrder(page({"a/2", "a/1"})).ok());  // one page may be in any order
        QVERIFY(g.checkOrder(page({})).ok());
        QVERIFY(g.checkOrder(page({"a/3", "b/"})).ok());
        QVERIFY(g.checkOrder(page({"\xef\xbd\x9e"})).ok());      // U+FF5E
        QVERIFY(g.checkOrder(page({"\xf0\x9f\x93\xa6"})).ok());  // U+1F4E6: after it in UTF-8
        const Status s = g.checkOrder(page({"a/2", "z"}));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code(), QStringLiteral("KeysNotAscending"));
        QVERIFY(!g.nextPage(QStringLiteral("t"), 1).ok());  // and it keeps refusing

        ListingGuard same;
        QVERIFY(same.checkOrder(page({"k1", "k2"})).ok());
        QVERIFY(!same.checkOrder(page({"k1", "k2"})).ok());  // the same keys again, under a new token
    }

    void honestPagingEndsOnTheLastPage()
    {
        ListingGuard g(ListingGuard::Limits::objects(), QStringLiteral("s3://b/"));
        QVERIFY(g.nextPage(QStringLiteral("t1"), 1000).ok());
        QVERIFY(g.nextPage(QStringLiteral("t2"), 1000).ok());
        QVERIFY(g.nextPage(QString(), 10).ok());
        QCOMPARE(g.pages(), 3);
    }

    void aRepeatedTokenStopsTheListing()
    {
        ListingGuard g(ListingGuard::Limits::objects(), QStringLiteral("s3://b/"));
        QVERIFY(g.nextPage(QStringLiteral("same"), 1000).ok());
        const Status s = g.nextPage(QStringLiteral("same"), 1000);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code(), QStringLiteral("RepeatedPageToken"));
        QCOMPARE(s.error().category(), Error::Category::Server);
        QVERIFY(!s.error().isRetryable());
        QVERIFY(s.error().toString().contains(QStringLiteral("s3://b/")));
        // and keeps refusing, even a fresh token
        QVERIFY(!g.nextPage(QStringLiteral("other"), 1000).ok());
    }

    void endlessFreshTokensStopAtThePageLimit()
    {
        ListingGuard g({5, 100});
        for (int i = 1; i < 5; ++i)
            QVERIFY(g.nextPage(QString::number(i), 1).ok());
        const Status s = g.nextPage(QStringLiteral("5"), 1);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code(), QStringLiteral("TooManyPages"));
    }

    void emptyPagesSayingMoreFollowStop()
    {
        ListingGuard g({1000, 3});
        QVERIFY(g.nextPage(QStringLiteral("a"), 0).ok());
        QVERIFY(g.nextPage(QStringLiteral("b"), 0).ok());
        QVERIFY(g.nextPage(QStringLiteral("c"), 5).ok());  // a full page resets the count
        QVERIFY(g.nextPage(QStringLiteral("d"), 0).ok());
        QVERIFY(g.nextPage(QStringLiteral("e"), 0).ok());
        QVERIFY(g.nextPage(QStringLiteral("f"), 0).ok());
        const Status s = g.nextPage(QStringLiteral("g"), 0);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code(), QStringLiteral("EmptyPages"));
    }

    void underPrefixIsAPlainCaseSensitivePrefix()
    {
        QVERIFY(ListingGuard::underPrefix(QStringLiteral("keep/a"), QStringLiteral("keep/")));
        QVERIFY(ListingGuard::underPrefix(QStringLiteral("anything"), QString()));
        QVERIFY(!ListingGuard::underPrefix(QStringLiteral("keeper/a"), QStringLiteral("keep/")));
        QVERIFY(!ListingGuard::underPrefix(QStringLiteral("Keep/a"), QStringLiteral("keep/")));
        QVERIFY(!ListingGuard::underPrefix(QStringLiteral("other"), QStringLiteral("keep/")));
        const Error e = ListingGuard::outsidePrefix(QStringLiteral("other"), QStringLiteral("keep/"), QStringLiteral("s3://b/keep/"));
        QCOMPARE(e.code(), QStringLiteral("KeyOutsidePrefix"));
        QVERIFY(e.message().contains(QStringLiteral("other")));
    }
};

SKYDECK_TEST_MAIN(TestListingGuard)
#include "tst_listingguard.moc"
