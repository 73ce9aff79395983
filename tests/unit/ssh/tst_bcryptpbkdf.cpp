// bcrypt_pbkdf against OpenBSD's test vectors (regress/lib/libutil/bcrypt_pbkdf, the same set
// other implementations check against), and its refusals.
#include "BcryptPbkdf.h"
#include "TestMain.h"

#include <QElapsedTimer>

using namespace skydeck::ssh;

class TestBcryptPbkdf : public QObject
{
    Q_OBJECT

    static QByteArray derive(const QByteArray &pass, const QByteArray &salt, unsigned rounds, qsizetype length)
    {
        QByteArray key(length, '\x5a');
        if (!bcryptPbkdf(reinterpret_cast<const uint8_t *>(pass.constData()), size_t(pass.size()),
                         reinterpret_cast<const uint8_t *>(salt.constData()), size_t(salt.size()),
                         reinterpret_cast<uint8_t *>(key.data()), size_t(key.size()), rounds))
            return {};
        return key;
    }

private Q_SLOTS:
    void vectors_data()
    {
        QTest::addColumn<QByteArray>("pass");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<int>("rounds");
        QTest::addColumn<QByteArray>("hex");
        QTest::newRow("password/salt/4") << QByteArray("password") << QByteArray("salt") << 4
                                         << QByteArray("5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9");
        QTest::newRow("salt NUL") << QByteArray("password") << QByteArray("\0", 1) << 4
                                  << QByteArray("c12b566235eee04c212598970a579a67");
        QTest::newRow("pass NUL") << QByteArray("\0", 1) << QByteArray("salt") << 4
                                  << QByteArray("6051be18c2f4f82cbf0efee5471b4bb9");
        QTest::newRow("both NUL-terminated") << QByteArray("password\0", 9) << QByteArray("salt\0", 5) << 4
                                             << QByteArray("7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050");
        QTest::newRow("NUL inside 1") << QByteArray("pass\0wor", 8) << QByteArray("sa\0l", 4) << 4
                                      << QByteArray("c2bffd9db38f6569efef4372f4de83c0");
        QTest::newRow("NUL inside 2") << QByteArray("pass\0word", 9) << QByteArray("sa\0lt", 5) << 4
                                      << QByteArray("4ba4ac3925c0e8d7f0cdb6bb1684a56f");
        // 70 bytes: three output blocks interleaved (stride 3).
        QTest::newRow("70 bytes, 8 rounds")
            << QByteArray("password") << QByteArray("salt") << 8
            << QByteArray("e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec76227ea66088b849b20ab7aa478010246e7"
                          "4bba51723fefa9f9474d6508845e8d");
        QTest::newRow("42 rounds") << QByteArray("password") << QByteArray("salt") << 42
                                   << QByteArray("833cf0dcf56db65608e8f0dc0ce882bd");
        QTest::newRow("long passphrase")
            << QByteArray("Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut "
                          "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
                          "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit "
                          "esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt "
                          "in culpa qui officia deserunt mollit anim id est laborum.")
            << QByteArray("salis\0", 6) << 8 << QByteArray("10978b07253df57f71a162eb0e8ad30a");
    }
    void vectors()
    {
        QFETCH(QByteArray, pass);
        QFETCH(QByteArray, salt);
        QFETCH(int, rounds);
        QFETCH(QByteArray, hex);
        const QByteArray expected = QByteArray::fromHex(hex);
        QCOMPARE(derive(pass, salt, unsigned(rounds), expected.size()).toHex(), hex);
    }

    void refusals()
    {
        QVERIFY(derive(QByteArray(), "salt", 4, 32).isEmpty());          // empty passphrase
        QVERIFY(derive("password", QByteArray(), 4, 32).isEmpty());      // empty salt
        QVERIFY(derive("password", "salt", 0, 32).isEmpty());            // no rounds
        QVERIFY(derive("password", "salt", kMaxBcryptRounds + 1, 32).isEmpty());
        QVERIFY(derive("password", "salt", 1, 1025).isEmpty());          // over 32 * 32 bytes
        QCOMPARE(derive("password", "salt", 1, 1024).size(), 1024);
    }

    // What ssh-keygen's default (16 rounds, aes256-ctr's 48 bytes of key and IV) costs here.
    void defaultKeyCost()
    {
        QElapsedTimer t;
        t.start();
        QCOMPARE(derive("a passphrase", "0123456789abcdef", 16, 48).size(), 48);
        qInfo("16 rounds, 48 bytes: %lld ms", t.elapsed());
    }
};

SKYDECK_TEST_MAIN(TestBcryptPbkdf)
#include "tst_bcryptpbkdf.moc"
