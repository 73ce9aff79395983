// keyboard-interactive: which prompts Skydeck answers with the password (one prompt, echo off,
// worded as a password prompt) and which the user must answer (issue 11.8); server text made
// printable; the reply the worker waits on while the UI answers.
#include "KbdInteractive.h"
#include "SshConnection.h"
#include "TestMain.h"

#include <QSignalSpy>

#include <atomic>
#include <thread>

using namespace skydeck::ssh;
using namespace std::chrono_literals;

class TestKbdInteractive : public QObject
{
    Q_OBJECT

    static KbdIntQuestion question(const QStringList &texts, bool echo = false)
    {
        KbdIntQuestion q;
        q.name = QStringLiteral("name");
        q.instruction = QStringLiteral("instruction");
        for (const QString &t : texts)
            q.prompts << KbdIntPrompt{t, echo};
        return q;
    }

private Q_SLOTS:
    void passwordOnlyForAPasswordPrompt_data()
    {
        QTest::addColumn<QStringList>("prompts");
        QTest::addColumn<bool>("echo");
        QTest::addColumn<bool>("answered");
        QTest::newRow("PAM") << QStringList{"Password: "} << false << true;
        QTest::newRow("OpenSSH") << QStringList{"skydecktest@127.0.0.1's password: "} << false << true;
        QTest::newRow("Kerberos") << QStringList{"Password for alice@EXAMPLE.COM: "} << false << true;
        QTest::newRow("upper case") << QStringList{"PASSWORD:"} << false << true;
        QTest::newRow("verification code") << QStringList{"Verification code: "} << false << false;
        QTest::newRow("OATH one-time password") << QStringList{"One-time password (OATH) for `alice': "} << false << false;
        QTest::newRow("Duo") << QStringList{"Passcode or option (1-3): "} << false << false;
        QTest::newRow("new password") << QStringList{"New password: "} << false << false;
        QTest::newRow("current password") << QStringList{"(current) UNIX password: "} << false << false;
        QTest::newRow("PIN") << QStringList{"Enter PIN for 'YubiKey': "} << false << false;
        QTest::newRow("password, echo on") << QStringList{"Password: "} << true << false;
        QTest::newRow("password and code") << QStringList{"Password: ", "Verification code: "} << false << false;
        QTest::newRow("two password prompts") << QStringList{"Password: ", "Password: "} << false << false;
        QTest::newRow("password and more words") << QStringList{"Password: then type the code from your phone"} << false << false;
        QTest::newRow("empty prompt") << QStringList{""} << false << false;
    }
    void passwordOnlyForAPasswordPrompt()
    {
        QFETCH(QStringList, prompts);
        QFETCH(bool, echo);
        QFETCH(bool, answered);
        const KbdIntQuestion q = question(prompts, echo);
        QCOMPARE(q.isPasswordPrompt(), answered);
        const std::optional<QStringList> a = answerFromPassword(q, QStringLiteral("s3cret"));
        if (answered) {
            QVERIFY(a.has_value());
            QCOMPARE(*a, QStringList{QStringLiteral("s3cret")});
        } else {
            QVERIFY2(!a.has_value(), qPrintable(a.value_or(QStringList()).join(QLatin1Char('|'))));
        }
        // No password known: even a password prompt is the user's to answer.
        QVERIFY(!answerFromPassword(q, QString()).has_value());
    }

    void roundWithoutPrompts()
    {
        const std::optional<QStringList> a = answerFromPassword(question({}), QStringLiteral("s3cret"));
        QVERIFY(a.has_value());
        QVERIFY(a->isEmpty());
    }

    void serverTextMadePrintable()
    {
        const QString hostile = QStringLiteral("\x1b]0;pwned\x07Verification\r\n\tcode:") + QChar(0x9b) + QStringLiteral("2J")
            + QChar(0x202e) + QStringLiteral(" x");
        QCOMPARE(KbdIntQuestion::printable(hostile), QStringLiteral("]0;pwnedVerification code:2J x"));
        QCOMPARE(KbdIntQuestion::printable(QString(500, QLatin1Char('a'))).size(), 200);
        QVERIFY(KbdIntQuestion::printable(QString(500, QLatin1Char('a'))).endsWith(QChar(0x2026)));
        QCOMPARE(KbdIntQuestion::printable(QString(200, QLatin1Char('a'))), QString(200, QLatin1Char('a')));
        QCOMPARE(question({QStringLiteral("Password: "), QStringLiteral("Token\x1b[2J: ")}).summary(),
                 QStringLiteral("Password: / Token[2J:"));
    }

    void replyAcrossThreads()
    {
        KbdIntReply reply;
        QVERIFY(!reply.isWaiting());
        reply.answer({QStringLiteral("early")});  // nothing waits: ignored
        std::optional<QStringList> got;
        std::thread worker([&] {
            reply.begin();
            got = reply.wait(10s);
        });
        QTRY_VERIFY(reply.isWaiting());
        reply.answer({QStringLiteral("123456")});
        worker.join();
        QCOMPARE(got, std::optional<QStringList>(QStringList{QStringLiteral("123456")}));
        QVERIFY(!reply.isWaiting());

        std::thread cancelled([&] {
            reply.begin();
            got = reply.wait(10s);
        });
        QTRY_VERIFY(reply.isWaiting());
        reply.cancel();
        cancelled.join();
        QVERIFY(!got.has_value());

        reply.begin();
        QVERIFY(!reply.wait(20ms).has_value());  // nobody answered in time

        reply.close();  // every later wait ends at once
        reply.begin();
        QVERIFY(!reply.isWaiting());
        QVERIFY(!reply.wait(10s).has_value());
    }

    // SshConnection's answers to a round (what libssh2's callback returns), the worker thread
    // waiting while this (the UI) thread answers the question the connection asked.
    void connectionAnswersOnlyThePasswordPrompt()
    {
        SshConnection::Options options;
        options.password = QStringLiteral("s3cret");
        SshConnection conn(options);
        QStringList passwordPrompts;
        QList<KbdIntQuestion> questions;
        QStringList reply;  // what this thread answers
        connect(&conn, &SshConnection::passwordNeeded, this, [&](const QString &p) {
            passwordPrompts << p;
            conn.kbdIntReply()->answer(reply);
        });
        connect(&conn, &SshConnection::keyboardInteractiveQuestion, this, [&](const KbdIntQuestion &q) {
            questions << q;
            conn.kbdIntReply()->answer(reply);
        });
        const auto round = [&](const KbdIntQuestion &q) {  // on a worker, as libssh2 calls it
            QStringList answers;
            std::atomic<bool> done = false;
            std::thread worker([&] {
                answers = conn.keyboardInteractiveAnswers(q);
                done = true;
            });
            const bool finished = QTest::qWaitFor([&] { return done.load(); }, 10000);
            worker.join();
            return finished ? answers : QStringList{QStringLiteral("timed out")};
        };
        // The kept password answers a password prompt, unasked.
        QCOMPARE(round(question({QStringLiteral("Password: ")})), QStringList{QStringLiteral("s3cret")});
        QVERIFY(passwordPrompts.isEmpty() && questions.isEmpty());
        // A verification code is asked, never answered with the password.
        reply = QStringList{QStringLiteral("123456")};
        QCOMPARE(round(question({QStringLiteral("Verification code: ")})), reply);
        QCOMPARE(questions.size(), 1);
        QCOMPARE(questions.first().prompts.first().text, QStringLiteral("Verification code: "));
        // Several prompts at once: asked, one answer each.
        reply = QStringList{QStringLiteral("a"), QStringLiteral("b")};
        QCOMPARE(round(question({QStringLiteral("Password: "), QStringLiteral("Token: ")})), reply);
        QCOMPARE(questions.size(), 2);
        // Declined (or the wrong number of answers): nothing is answered.
        reply = QStringList();
        QCOMPARE(round(question({QStringLiteral("Verification code: ")})), QStringList());
        QCOMPARE(questions.size(), 3);
        QVERIFY(passwordPrompts.isEmpty());
    }

    void connectionAsksForAPasswordItDoesNotHave()
    {
        SshConnection::Options options;  // no password
        SshConnection conn(options);
        QStringList prompts;
        connect(&conn, &SshConnection::passwordNeeded, this, [&](const QString &p) {
            prompts << p;
            conn.kbdIntReply()->answer({QStringLiteral("typed")});
        });
        QStringList answers;
        std::thread worker([&] { answers = conn.keyboardInteractiveAnswers(question({QStringLiteral("Password: ")})); });
        QTRY_COMPARE(prompts.size(), 1);
        worker.join();
        QCOMPARE(answers, QStringList{QStringLiteral("typed")});
        QVERIFY2(prompts.first().endsWith(QLatin1String("asks: Password:")), qPrintable(prompts.first()));
        // Remembered for the next round (and for SFTP transfer connections).
        QCOMPARE(conn.siblingOptions().password, QStringLiteral("typed"));
    }

    // Extra SFTP connections have nobody to ask: a prompt they cannot answer ends them at once.
    void siblingConnectionsNeverAsk()
    {
        SshConnection::Options options;
        options.password = QStringLiteral("s3cret");
        SshConnection first(options);
        SshConnection sibling(first.siblingOptions());
        QSignalSpy asked(&sibling, &SshConnection::keyboardInteractiveQuestion);
        QCOMPARE(sibling.keyboardInteractiveAnswers(question({QStringLiteral("Verification code: ")})), QStringList());
        QCOMPARE(asked.count(), 0);
        QCOMPARE(sibling.keyboardInteractiveAnswers(question({QStringLiteral("Password: ")})),
                 QStringList{QStringLiteral("s3cret")});
    }
};

SKYDECK_TEST_MAIN(TestKbdInteractive)
#include "tst_kbdinteractive.moc"
