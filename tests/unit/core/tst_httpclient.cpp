// HttpClient against a scripted loopback server: retries, Retry-After, resets, timeouts,
// cancellation, the backoff schedule and the body caps against endless or oversized bodies.
#include "HttpClient.h"
#include "Logging.h"
#include "ScriptedHttpServer.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QLocale>
#include <QSignalSpy>
#include <QTimer>

using namespace skydeck;
using skydeck::test::ScriptStep;
using skydeck::test::ScriptedHttpServer;

namespace {

// Collects callbacks; the test checks there is exactly one.
struct Outcome {
    int calls = 0;
    Result<HttpResponse> result;
    Callback<HttpResponse> callback()
    {
        return [this](Result<HttpResponse> r) {
            ++calls;
            result = std::move(r);
        };
    }
};

RetryPolicy fastPolicy(int attempts = 4)
{
    RetryPolicy p;
    p.maxAttempts = attempts;
    p.baseDelayMs = 10;
    p.maxDelayMs = 50;
    return p;
}

HttpRequest get(const QUrl &url, int timeoutMs = 5000)
{
    HttpRequest r;
    r.url = url;
    r.timeoutMs = timeoutMs;
    return r;
}

// Lets the event loop run for `ms` so a late (second) callback would show up. Not used to wait
// for anything to happen.
void runEventLoopFor(int ms)
{
    QTimer t;
    t.setSingleShot(true);
    QSignalSpy spy(&t, &QTimer::timeout);
    t.start(ms);
    QVERIFY(spy.wait(ms + 5000));
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void retriesServiceUnavailableHonouringRetryAfter()
    {
        ScriptedHttpServer server({ScriptStep::respond(503, "<Error><Code>SlowDown</Code></Error>", {{"Retry-After", "1"}}),
                                   ScriptStep::respond(200, "hello")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        QSignalSpy retrying(&http, &HttpClient::retrying);
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 10000);
        QVERIFY2(out.result.ok(), qPrintable(out.result.error().toString()));
        QCOMPARE(out.result->status, 200);
        QCOMPARE(out.result->body, QByteArray("hello"));
        QCOMPARE(out.result->attempts, 2);
        QCOMPARE(server.requests().size(), 2);
        // The server asked for one second; the policy alone would have waited at most 50 ms.
        const qint64 gap = server.requests()[1].atMs - server.requests()[0].atMs;
        QVERIFY2(gap >= 950, qPrintable(QString::number(gap)));
        QCOMPARE(retrying.size(), 1);
        QCOMPARE(retrying[0][1].toInt() >= 1000, true);
        QCOMPARE(http.retryCount(), quint64(1));
    }

    void retriesTooManyRequests()
    {
        ScriptedHttpServer server({ScriptStep::respond(429, "slow down"), ScriptStep::respond(429, "slow down"),
                                   ScriptStep::respond(200, "ok")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(out.result.ok());
        QCOMPARE(out.result->status, 200);
        QCOMPARE(out.result->attempts, 3);
    }

    void doesNotRetryClientErrors()
    {
        ScriptedHttpServer server({ScriptStep::respond(404, "<Error><Code>NoSuchKey</Code></Error>")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(out.result.ok());
        QCOMPARE(out.result->status, 404);
        QCOMPARE(server.requests().size(), 1);
    }

    void classifierAddsRetryableResponses()
    {
        ScriptedHttpServer server({ScriptStep::respond(400, "<Code>RequestTimeout</Code>"), ScriptStep::respond(200, "ok")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        http.setRetryClassifier([](const HttpResponse &r) { return r.body.contains("RequestTimeout"); });
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(out.result.ok());
        QCOMPARE(out.result->status, 200);
        QCOMPARE(server.requests().size(), 2);
    }

    void connectionResetMidBodyIsRetriedAndBodyIntact()
    {
        QByteArray body(256 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(i * 7 + i / 251);
        ScriptedHttpServer server({ScriptStep::resetMidBody(body), ScriptStep::respond(200, body)});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 10000);
        QVERIFY2(out.result.ok(), qPrintable(out.result.error().toString()));
        QCOMPARE(out.result->status, 200);
        QCOMPARE(out.result->attempts, 2);
        QCOMPARE(out.result->body.size(), body.size());
        QVERIFY(out.result->body == body);
    }

    void uploadBodyIsResentOnRetry()
    {
        ScriptedHttpServer server({ScriptStep::respond(500, "oops"), ScriptStep::respond(200, "stored")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        HttpRequest req = get(server.url());
        req.method = "PUT";
        req.body = QByteArray(10000, 'x');
        int prepared = 0;
        req.prepare = [&prepared](HttpRequest &r) { r.setHeader("X-Attempt", QByteArray::number(++prepared)); };
        Outcome out;
        http.send(req, CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(out.result.ok());
        QCOMPARE(out.result->status, 200);
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests()[1].body, req.body);
        QCOMPARE(prepared, 2);  // signed afresh for each attempt
        bool sawSecond = false;
        for (const auto &[k, v] : server.requests()[1].headers)
            sawSecond |= k.compare("X-Attempt", Qt::CaseInsensitive) == 0 && v == "2";
        QVERIFY(sawSecond);
    }

    void silentServerTimesOutAsNetworkErrorAfterRetries()
    {
        ScriptedHttpServer server({});
        server.setFallback(ScriptStep::hang());
        HttpClient http;
        http.setRetryPolicy(fastPolicy(3));
        Outcome out;
        QElapsedTimer clock;
        clock.start();
        http.send(get(server.url(), 300), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 10000);
        QVERIFY(!out.result.ok());
        QCOMPARE(out.result.error().category(), Error::Category::Network);
        QVERIFY(out.result.error().isRetryable());
        QVERIFY2(out.result.error().message().contains(QStringLiteral("3 attempts")),
                 qPrintable(out.result.error().toString()));
        QCOMPARE(server.requests().size(), 3);
        QVERIFY(clock.elapsed() >= 3 * 300);
        runEventLoopFor(200);
        QCOMPARE(out.calls, 1);
    }

    void refusedConnectionIsNetworkError()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        HttpClient http;
        http.setRetryPolicy(fastPolicy(2));
        Outcome out;
        http.send(get(QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(port))), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(!out.result.ok());
        QCOMPARE(out.result.error().category(), Error::Category::Network);
        QCOMPARE(http.retryCount(), quint64(1));
    }

    void cancelWhileInFlight()
    {
        ScriptedHttpServer server({});
        server.setFallback(ScriptStep::hang());
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        CancelToken token;
        Outcome out;
        http.send(get(server.url(), 30000), token, out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 5000);
        QCOMPARE(out.calls, 0);
        token.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 2000);
        QCOMPARE(out.result.error().category(), Error::Category::Cancelled);
        runEventLoopFor(200);
        QCOMPARE(out.calls, 1);
        QCOMPARE(server.requests().size(), 1);
    }

    void cancelWhileWaitingToRetry()
    {
        ScriptedHttpServer server({ScriptStep::respond(503, "busy", {{"Retry-After", "30"}})});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        CancelToken token;
        QObject::connect(&http, &HttpClient::retrying, &http, [token] { token.cancel(); });
        Outcome out;
        QElapsedTimer clock;
        clock.start();
        http.send(get(server.url()), token, out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(clock.elapsed() < 5000);
        QVERIFY(!out.result.ok());
        QCOMPARE(out.result.error().category(), Error::Category::Cancelled);
        runEventLoopFor(200);
        QCOMPARE(out.calls, 1);
        QCOMPARE(server.requests().size(), 1);
    }

    void cancelBeforeSendAnswersOnce()
    {
        ScriptedHttpServer server({});
        HttpClient http;
        CancelToken token;
        token.cancel();
        Outcome out;
        http.send(get(server.url()), token, out.callback());
        QCOMPARE(out.calls, 1);
        QCOMPARE(out.result.error().category(), Error::Category::Cancelled);
        runEventLoopFor(100);
        QCOMPARE(out.calls, 1);
        QCOMPARE(server.requests().size(), 0);
    }

    void destroyingTheClientAnswersPendingCallsOnce()
    {
        ScriptedHttpServer hanging({});
        hanging.setFallback(ScriptStep::hang());
        ScriptedHttpServer busy({ScriptStep::respond(503, "busy", {{"Retry-After", "30"}})});
        Outcome inFlight;
        Outcome waiting;
        {
            HttpClient http;
            http.setRetryPolicy(fastPolicy());
            QSignalSpy retrying(&http, &HttpClient::retrying);
            http.send(get(hanging.url(), 30000), CancelToken(), inFlight.callback());
            http.send(get(busy.url()), CancelToken(), waiting.callback());
            QTRY_COMPARE_WITH_TIMEOUT(hanging.requests().size(), 1, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(retrying.size(), 1, 5000);
            QCOMPARE(inFlight.calls + waiting.calls, 0);
        }
        QCOMPARE(inFlight.calls, 1);
        QCOMPARE(waiting.calls, 1);
        QCOMPARE(inFlight.result.error().category(), Error::Category::Cancelled);
        QCOMPARE(waiting.result.error().category(), Error::Category::Cancelled);
        runEventLoopFor(100);
        QCOMPARE(inFlight.calls, 1);
        QCOMPARE(waiting.calls, 1);
    }

    void exhaustedRetriesGiveTheLastResponse()
    {
        ScriptedHttpServer server({ScriptStep::respond(503, "first"), ScriptStep::respond(502, "second"),
                                   ScriptStep::respond(500, "third"), ScriptStep::respond(200, "never")});
        HttpClient http;
        http.setRetryPolicy(fastPolicy(3));
        Outcome out;
        http.send(get(server.url()), CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 5000);
        QVERIFY(out.result.ok());
        QCOMPARE(out.result->status, 500);
        QCOMPARE(out.result->body, QByteArray("third"));
        QCOMPARE(out.result->attempts, 3);
        QCOMPARE(server.requests().size(), 3);
    }

    void backoffGrowsWithJitterWithinBounds()
    {
        HttpClient http;
        RetryPolicy p;
        p.baseDelayMs = 100;
        p.maxDelayMs = 3000;
        p.maxRetryAfterMs = 10000;
        http.setRetryPolicy(p);
        for (int retry = 1; retry <= 8; ++retry) {
            const int ceiling = std::min(3000, 100 << (retry - 1));
            QSet<int> seen;
            for (int i = 0; i < 200; ++i) {
                const int d = http.backoffDelayMs(retry, -1);
                QVERIFY2(d >= ceiling / 2 && d <= ceiling,
                         qPrintable(QStringLiteral("retry %1: %2 not in [%3, %4]").arg(retry).arg(d).arg(ceiling / 2).arg(ceiling)));
                seen.insert(d);
            }
            QVERIFY2(seen.size() > 5, "no jitter");
        }
        // Growth: the lower bound of retry n+1 is the upper bound of retry n until the cap.
        QVERIFY(http.backoffDelayMs(4, -1) >= 400);
        // Retry-After wins when longer, and is capped.
        QCOMPARE(http.backoffDelayMs(1, 5000), 5000);
        QCOMPARE(http.backoffDelayMs(1, 999999), 10000);
        QVERIFY(http.backoffDelayMs(5, 0) >= 800);  // a short Retry-After does not shorten backoff
        QVERIFY(http.backoffDelayMs(1000, -1) <= 3000);  // huge retry numbers do not overflow
    }

    void parseRetryAfter_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("expected");  // -2: a date, checked separately
        QTest::newRow("seconds") << QByteArray("5") << 5000;
        QTest::newRow("zero") << QByteArray("0") << 0;
        QTest::newRow("spaces") << QByteArray(" 12 ") << 12000;
        QTest::newRow("empty") << QByteArray() << -1;
        QTest::newRow("negative") << QByteArray("-3") << -1;
        QTest::newRow("garbage") << QByteArray("soon") << -1;
        // QByteArray::toDouble reads these as numbers (tests/fuzz/crashes/retry_after)
        QTest::newRow("nan") << QByteArray("nan") << -1;
        QTest::newRow("-nan") << QByteArray("-NaN") << -1;
        QTest::newRow("infinity") << QByteArray("inf") << 24 * 3600 * 1000;
        QTest::newRow("over a day") << QByteArray("1e300") << 24 * 3600 * 1000;
        QTest::newRow("past date") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << 0;
        QTest::newRow("bad date") << QByteArray("Sun, 32 Nov 1994 08:49:37 GMT") << -1;
    }
    void parseRetryAfter()
    {
        QFETCH(QByteArray, value);
        QFETCH(int, expected);
        QCOMPARE(HttpClient::parseRetryAfterMs(value), expected);
    }

    void parseRetryAfterFutureDate()
    {
        const QDateTime when = QDateTime::currentDateTimeUtc().addSecs(20);
        const QByteArray v = QLocale::c().toString(when, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'")).toLatin1();
        const int ms = HttpClient::parseRetryAfterMs(v);
        QVERIFY2(ms > 18000 && ms <= 20000, qPrintable(QString::fromLatin1(v) + QStringLiteral(" -> ") + QString::number(ms)));
    }

    // A 2xx body that never ends: refused once it passes the request's cap, not read to the end
    // (before the cap, the client read until memory ran out).
    void endlessSuccessBodyIsRefusedAtItsCap()
    {
        ScriptedHttpServer server({ScriptStep::endless(200, QByteArray(64 * 1024, 'x'))});
        HttpClient http;
        http.setRetryPolicy(fastPolicy());
        HttpRequest r = get(server.url());
        r.maxBodyBytes = 2 << 20;
        Outcome out;
        http.send(r, CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 20000);
        QVERIFY(!out.result.ok());
        QCOMPARE(out.result.error().code(), QStringLiteral("ResponseTooLarge"));
        QCOMPARE(out.result.error().httpStatus(), 200);
        QCOMPARE(server.requests().size(), 1);  // not retried
        runEventLoopFor(50);
        QCOMPARE(out.calls, 1);
    }

    // A declared length over the cap is refused from the headers alone.
    void declaredOversizedBodyIsRefusedUpFront()
    {
        ScriptedHttpServer server({ScriptStep::endless(200, QByteArray(1024, 'y'), 1LL << 40)});
        HttpClient http;
        HttpRequest r = get(server.url());
        r.maxBodyBytes = 1 << 20;
        Outcome out;
        http.send(r, CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 20000);
        QVERIFY(!out.result.ok());
        QCOMPARE(out.result.error().code(), QStringLiteral("ResponseTooLarge"));
    }

    // Error documents are small: an endless one is cut at kMaxErrorBodyBytes, also for a request
    // that streams its 2xx body into a sink.
    void endlessErrorBodyIsRefused()
    {
        struct NullSink : DataSink {
            Status begin() override { return Done{}; }
            Status write(const char *, qint64) override { return Done{}; }
        };
        for (const bool streamed : {false, true}) {
            ScriptedHttpServer server({ScriptStep::endless(403, QByteArray(64 * 1024, 'e'))});
            HttpClient http;
            HttpRequest r = get(server.url());
            if (streamed)
                r.sink = std::make_shared<NullSink>();
            Outcome out;
            http.send(r, CancelToken(), out.callback());
            QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 20000);
            QVERIFY(!out.result.ok());
            QCOMPARE(out.result.error().code(), QStringLiteral("ResponseTooLarge"));
            QCOMPARE(out.result.error().httpStatus(), 403);
        }
    }

    // A HEAD's Content-Length is the object's size, not a body: a 64 MiB (or 1 TiB) object's HEAD
    // is answered, not refused as too large (the cap refused every large download's HEAD once).
    void headOfALargeObjectIsNotTooLarge()
    {
        for (const qint64 size : {qint64(64) << 20, qint64(1) << 40}) {
            ScriptedHttpServer server({ScriptStep::headersOnly(200, size)});
            HttpClient http;
            HttpRequest r = get(server.url());
            r.method = "HEAD";
            r.maxBodyBytes = 1 << 20;
            Outcome out;
            http.send(r, CancelToken(), out.callback());
            QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 20000);
            QVERIFY2(out.result.ok(), qPrintable(out.result.error().toString()));
            QCOMPARE(out.result->status, 200);
            QCOMPARE(out.result->header("Content-Length").toLongLong(), size);
        }
    }

    // Plain http is for loopback only unless the account allows it; https always.
    void plainHttpOffLoopbackIsRefused()
    {
        for (const char *ok : {"http://127.0.0.1:9000/", "http://127.7.7.7/", "http://localhost:1/", "http://[::1]:8/",
                               "http://bucket.localhost:9/", "https://10.0.0.5/", "https://s3.amazonaws.com/"})
            QVERIFY2(!HttpClient::insecureTransport(QUrl(QLatin1String(ok)), false).isError(), ok);
        for (const char *bad : {"http://10.0.0.5:9000/", "http://s3.example.com/", "http://192.0.2.2/", "http://[2001:db8::1]/",
                                "HTTP://minio.lan/"}) {
            const Error e = HttpClient::insecureTransport(QUrl(QLatin1String(bad)), false);
            QCOMPARE(e.code(), QStringLiteral("InsecureTransport"));
            QVERIFY(!HttpClient::insecureTransport(QUrl(QLatin1String(bad)), true).isError());
        }
        // send() answers the refusal itself: nothing is sent (192.0.2.1 would answer "refused").
        HttpClient http;
        http.setAllowInsecureHttp(false);
        Outcome out;
        http.send(get(QUrl(QStringLiteral("http://192.0.2.1:9/obj"))), CancelToken(), out.callback());
        QTRY_COMPARE(out.calls, 1);
        QCOMPARE(out.result.error().code(), QStringLiteral("InsecureTransport"));
        QCOMPARE(out.result.error().category(), Error::Category::InvalidInput);
    }

    // user:password@ in a URL never survives into a message; the rest of the URL does.
    void passwordsInUrlsAreRedacted()
    {
        QCOMPARE(redactSecrets(QStringLiteral("GET http://admin:pa55@minio.lan:9000/b?x=1 failed")),
                 QStringLiteral("GET http://admin:<redacted>@minio.lan:9000/b?x=1 failed"));
        QCOMPARE(redactSecrets(QStringLiteral("[endpoint https://AKIA:s3cr3t%2Fx@h/]")),
                 QStringLiteral("[endpoint https://AKIA:<redacted>@h/]"));
        QCOMPARE(redactSecrets(QStringLiteral("sftp://user@host/path")), QStringLiteral("sftp://user@host/path"));
        QCOMPARE(redactSecrets(QStringLiteral("http://h:9000/a@b")), QStringLiteral("http://h:9000/a@b"));
    }

    // Bodies up to the cap arrive whole, byte for byte.
    void bodyAtTheCapArrivesWhole()
    {
        QByteArray body(1 << 20, Qt::Uninitialized);
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(i * 13 + i / 509);
        ScriptedHttpServer server({ScriptStep::respond(200, body)});
        HttpClient http;
        HttpRequest r = get(server.url());
        r.maxBodyBytes = body.size();
        Outcome out;
        http.send(r, CancelToken(), out.callback());
        QTRY_COMPARE_WITH_TIMEOUT(out.calls, 1, 20000);
        QVERIFY2(out.result.ok(), qPrintable(out.result.error().toString()));
        QVERIFY(out.result->body == body);
    }
};

SKYDECK_TEST_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
