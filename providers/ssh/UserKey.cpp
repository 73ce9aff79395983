#include "UserKey.h"

#include "BcryptPbkdf.h"
#include "OpenSslHandles.h"
#include "SshWire.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <QFile>

#include <cstring>

namespace skydeck::ssh {

namespace {

constexpr qint64 kMaxKeyFileBytes = 1 << 20;  // the largest OpenSSH key (16384-bit RSA) is ~13 KB
constexpr int kMaxRsaBits = 16384;           // OpenSSH's SSHBUF_MAX_BIGNUM * 8
constexpr int kMinRsaBits = 1024;            // OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE: smaller keys are refused

QString smallRsaKey(int bits)
{
    return QStringLiteral("a %1-bit RSA key is refused (under %2 bits, as OpenSSH refuses it)").arg(bits).arg(kMinRsaBits);
}

int magnitudeBits(QByteArrayView magnitude)
{
    if (magnitude.isEmpty())
        return 0;
    int bits = int(magnitude.size() - 1) * 8;
    for (uint8_t top = uint8_t(magnitude[0]); top; top >>= 1)
        ++bits;
    return bits;
}

// The private key's parts agree (RSA: n = p*q with p and q prime, d and the CRT values match e;
// EC: the point is d*G; Ed25519 derives its public half). A damaged key that OpenSSL reads can
// otherwise only fail later, when a login asks it to sign (found by the ssh_auth fuzz target: a PEM
// key whose p is not prime). Costs milliseconds for RSA-3072 (two primality tests), once per load.
bool keyPairConsistent(EVP_PKEY *pkey)
{
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    const bool ok = ctx && EVP_PKEY_pairwise_check(ctx.get()) == 1;
    ERR_clear_error();
    return ok;
}

const QByteArray kOpenSshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
const QByteArray kOpenSshEnd = "-----END OPENSSH PRIVATE KEY-----";
const QByteArray kMagic("openssh-key-v1\0", 15);

// The ciphers ssh-keygen encrypts keys with (OpenSSH's cipher.c names).
struct CipherSpec {
    const char *name;
    const EVP_CIPHER *(*cipher)();
    int keyLength;
    int ivLength;
    int blockSize;
    int tagLength;  // GCM: the tag after the encrypted section
};
const CipherSpec kCiphers[] = {
    {"aes128-ctr", &EVP_aes_128_ctr, 16, 16, 16, 0},
    {"aes192-ctr", &EVP_aes_192_ctr, 24, 16, 16, 0},
    {"aes256-ctr", &EVP_aes_256_ctr, 32, 16, 16, 0},
    {"aes128-cbc", &EVP_aes_128_cbc, 16, 16, 16, 0},
    {"aes192-cbc", &EVP_aes_192_cbc, 24, 16, 16, 0},
    {"aes256-cbc", &EVP_aes_256_cbc, 32, 16, 16, 0},
    {"aes128-gcm@openssh.com", &EVP_aes_128_gcm, 16, 12, 16, 16},
    {"aes256-gcm@openssh.com", &EVP_aes_256_gcm, 32, 12, 16, 16},
    {"3des-cbc", &EVP_des_ede3_cbc, 24, 8, 8, 0},
};

const CipherSpec *findCipher(QByteArrayView name)
{
    for (const CipherSpec &c : kCiphers) {
        if (name == QByteArrayView(c.name))
            return &c;
    }
    return nullptr;
}

// SSH curve name <-> OpenSSL group name, digest.
struct CurveSpec {
    const char *ssh;       // "nistp256" (the key type is "ecdsa-sha2-" + this)
    const char *group;     // OpenSSL's name
    const char *altGroup;  // the other name OpenSSL may report
    int bits;
    const EVP_MD *(*md)();
};
const CurveSpec kCurves[] = {
    {"nistp256", "P-256", "prime256v1", 256, &EVP_sha256},
    {"nistp384", "P-384", "secp384r1", 384, &EVP_sha384},
    {"nistp521", "P-521", "secp521r1", 521, &EVP_sha512},
};

const CurveSpec *curveForType(QByteArrayView type)
{
    for (const CurveSpec &c : kCurves) {
        if (type == QByteArray(QByteArray("ecdsa-sha2-") + c.ssh))
            return &c;
    }
    return nullptr;
}

// The key types this reader signs with.
bool signsType(QByteArrayView type)
{
    return type == "ssh-rsa" || type == "ssh-ed25519" || curveForType(type);
}

void clearErrors()
{
    ERR_clear_error();
}

std::shared_ptr<EVP_PKEY> share(EvpPkeyPtr key)
{
    return std::shared_ptr<EVP_PKEY>(key.release(), EvpPkeyFree());
}

QByteArray bnBytes(const BIGNUM *bn)
{
    QByteArray out(BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    return out;
}

BignumPtr secureBn(QByteArrayView magnitude)
{
    BignumPtr bn(BN_secure_new());
    if (bn && !BN_bin2bn(reinterpret_cast<const unsigned char *>(magnitude.data()), int(magnitude.size()), bn.get()))
        bn.reset();
    return bn;
}

// Base64 between `begin` and `end` lines into secret bytes (whitespace and line breaks skipped).
std::optional<SecretBytes> decodeBase64(QByteArrayView body)
{
    SecretBytes out(size_t(body.size()) / 4 * 3 + 3);
    std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(), &EVP_ENCODE_CTX_free);
    if (!ctx)
        return std::nullopt;
    EVP_DecodeInit(ctx.get());
    int n = 0;
    int total = 0;
    if (EVP_DecodeUpdate(ctx.get(), out.data(), &n, reinterpret_cast<const unsigned char *>(body.data()), int(body.size())) < 0)
        return std::nullopt;
    total = n;
    if (EVP_DecodeFinal(ctx.get(), out.data() + total, &n) != 1)
        return std::nullopt;
    total += n;
    out.truncate(size_t(total));
    return out;
}

// An OpenSSL key from its parts; `pairwiseCheck`: OpenSSL checks that they belong together (the
// point d makes; not for RSA, whose check is SP 800-56B's and refuses keys under 2048 bits or with
// a small e that OpenSSH accepts: n = pq is checked by the caller).
EvpPkeyPtr keyFromParams(const char *algorithm, OSSL_PARAM_BLD *bld, bool pairwiseCheck)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return nullptr;
    EvpPkeyPtr key(raw);
    if (!pairwiseCheck)
        return key;
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1)
        return nullptr;
    return key;
}

// The SSH public blob of an OpenSSL key, or empty for a type not handled here.
QByteArray blobOf(EVP_PKEY *key)
{
    QByteArray blob;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
        BIGNUM *n = nullptr;
        BIGNUM *e = nullptr;
        if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1
            && BN_num_bits(n) <= kMaxRsaBits) {
            wire::putString(blob, "ssh-rsa");
            wire::putMpint(blob, bnBytes(e));
            wire::putMpint(blob, bnBytes(n));
        }
        BN_free(n);
        BN_free(e);
        break;
    }
    case EVP_PKEY_ED25519: {
        unsigned char pk[32];
        size_t len = sizeof pk;
        if (EVP_PKEY_get_raw_public_key(key, pk, &len) == 1 && len == 32) {
            wire::putString(blob, "ssh-ed25519");
            wire::putString(blob, QByteArrayView(pk, 32));
        }
        break;
    }
    case EVP_PKEY_EC: {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
            break;
        const CurveSpec *curve = nullptr;
        for (const CurveSpec &c : kCurves) {
            if (qstrcmp(group, c.group) == 0 || qstrcmp(group, c.altGroup) == 0)
                curve = &c;
        }
        EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed");
        unsigned char point[160];
        if (!curve || EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) != 1)
            break;
        wire::putString(blob, QByteArray(QByteArray("ecdsa-sha2-") + curve->ssh));
        wire::putString(blob, curve->ssh);
        wire::putString(blob, QByteArrayView(point, qsizetype(len)));
        break;
    }
    default:
        break;
    }
    clearErrors();
    return blob;
}

int noPassphrase(char *, int, int, void *)
{
    return -1;
}

int givenPassphrase(char *buf, int size, int, void *u)
{
    const auto *pass = static_cast<const QByteArrayView *>(u);
    if (pass->size() > size)
        return -1;
    std::memcpy(buf, pass->data(), size_t(pass->size()));
    return int(pass->size());
}

} // namespace

// What an encrypted key keeps until unlock(): the encrypted bytes and how to decrypt them.
struct UserKey::Encrypted {
    enum class Format { OpenSsh, Pem } format = Format::OpenSsh;
    QByteArray cipher;     // OpenSsh: the cipher's name
    QByteArray salt;       // OpenSsh: bcrypt salt and rounds
    unsigned rounds = 0;
    QByteArray data;       // OpenSsh: the encrypted private section (and GCM tag); Pem: the file's text
};

struct UserKeyParser {
    using Status = UserKey::Status;

    static UserKey failure(Status status, const QString &error)
    {
        UserKey k;
        k.m_status = status;
        k.m_error = error;
        return k;
    }

    // The decrypted private section of an openssh-key-v1 file: checkints, the key, comment, padding.
    static Status readPrivateSection(UserKey &key, QByteArrayView section, int blockSize, bool encrypted)
    {
        wire::Reader r(section);
        const uint32_t check1 = r.u32();
        const uint32_t check2 = r.u32();
        if (!r.ok() || check1 != check2) {
            key.m_error = encrypted ? QStringLiteral("incorrect passphrase") : QStringLiteral("damaged key file (check bytes differ)");
            return encrypted ? Status::WrongPassphrase : Status::Invalid;
        }
        const QByteArrayView type = r.string();
        QByteArray blob;
        EvpPkeyPtr pkey;
        if (type == "ssh-rsa") {
            const QByteArrayView n = r.mpint();
            const QByteArrayView e = r.mpint();
            const QByteArrayView d = r.mpint();
            const QByteArrayView iqmp = r.mpint();
            const QByteArrayView p = r.mpint();
            const QByteArrayView q = r.mpint();
            if (!r.ok() || n.size() > kMaxRsaBits / 8 || n.isEmpty() || e.isEmpty() || d.isEmpty() || p.isEmpty() || q.isEmpty())
                return setInvalid(key, QStringLiteral("damaged RSA key"));
            if (magnitudeBits(n) < kMinRsaBits) {
                key.m_error = smallRsaKey(magnitudeBits(n));
                return Status::Unsupported;
            }
            wire::putString(blob, "ssh-rsa");
            wire::putMpint(blob, e);
            wire::putMpint(blob, n);
            pkey = rsaKey(n, e, d, iqmp, p, q);
        } else if (type == "ssh-ed25519") {
            const QByteArrayView pk = r.string();
            const QByteArrayView sk = r.string();
            if (!r.ok() || pk.size() != 32 || sk.size() != 64 || sk.sliced(32) != pk)
                return setInvalid(key, QStringLiteral("damaged Ed25519 key"));
            wire::putString(blob, "ssh-ed25519");
            wire::putString(blob, pk);
            pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(sk.data()), 32));
            if (pkey && blobOf(pkey.get()) != blob)
                pkey.reset();  // the seed does not make the public key stored with it
        } else if (const CurveSpec *curve = curveForType(type)) {
            const QByteArrayView curveName = r.string();
            const QByteArrayView point = r.string();
            const QByteArrayView d = r.mpint();
            if (!r.ok() || curveName != curve->ssh || point.isEmpty() || d.isEmpty())
                return setInvalid(key, QStringLiteral("damaged ECDSA key"));
            wire::putString(blob, type);
            wire::putString(blob, curveName);
            wire::putString(blob, point);
            pkey = ecKey(*curve, point, d);
        } else {
            if (!r.ok())
                return setInvalid(key, QStringLiteral("damaged key file"));
            key.m_error = QStringLiteral("key type %1 is not supported here").arg(QString::fromLatin1(wire::clip(type, 64)));
            return Status::Unsupported;
        }
        const QByteArrayView comment = r.string();
        if (!r.ok())
            return setInvalid(key, QStringLiteral("damaged key file"));
        // The rest is padding 1, 2, 3, ... up to the cipher's block size.
        const QByteArrayView padding = r.rest();
        if (section.size() % blockSize != 0 || padding.size() >= blockSize)
            return setInvalid(key, QStringLiteral("damaged key file (bad padding)"));
        for (qsizetype i = 0; i < padding.size(); ++i) {
            if (uint8_t(padding[i]) != uint8_t(i + 1))
                return setInvalid(key, QStringLiteral("damaged key file (bad padding)"));
        }
        if (!pkey) {
            clearErrors();
            return setInvalid(key, QStringLiteral("the private key does not match its public key"));
        }
        if (!keyPairConsistent(pkey.get()))
            return setInvalid(key, QStringLiteral("damaged private key (its parts do not agree)"));
        if (!key.m_blob.isEmpty() && key.m_blob != blob)
            return setInvalid(key, QStringLiteral("the private key does not match the public key stored with it"));
        key.m_blob = blob;
        key.m_comment = QString::fromUtf8(wire::clip(comment, 1024));
        key.m_key = share(std::move(pkey));
        key.m_error.clear();
        return Status::Ok;
    }

    static Status setInvalid(UserKey &key, const QString &why)
    {
        key.m_error = why;
        return Status::Invalid;
    }

    static EvpPkeyPtr rsaKey(QByteArrayView nb, QByteArrayView eb, QByteArrayView db, QByteArrayView iqmpb,
                             QByteArrayView pb, QByteArrayView qb)
    {
        BignumPtr n = secureBn(nb), e = secureBn(eb), d = secureBn(db), iqmp = secureBn(iqmpb), p = secureBn(pb),
                  q = secureBn(qb);
        BignumPtr dmp1(BN_secure_new()), dmq1(BN_secure_new()), pm1(BN_secure_new()), qm1(BN_secure_new()),
            pq(BN_secure_new());
        BnCtxPtr ctx(BN_CTX_secure_new());
        if (!n || !e || !d || !iqmp || !p || !q || !dmp1 || !dmq1 || !pm1 || !qm1 || !pq || !ctx)
            return nullptr;
        if (BN_mul(pq.get(), p.get(), q.get(), ctx.get()) != 1 || BN_cmp(pq.get(), n.get()) != 0)
            return nullptr;  // the factors are not n's
        // OpenSSH files carry no CRT exponents: d mod (p-1), d mod (q-1), as ssh_rsa_complete_crt_parameters.
        BN_set_flags(d.get(), BN_FLG_CONSTTIME);
        if (BN_sub(pm1.get(), p.get(), BN_value_one()) != 1 || BN_sub(qm1.get(), q.get(), BN_value_one()) != 1
            || BN_mod(dmp1.get(), d.get(), pm1.get(), ctx.get()) != 1 || BN_mod(dmq1.get(), d.get(), qm1.get(), ctx.get()) != 1)
            return nullptr;
        // d and iqmp must be n's (a damaged d signs, and every signature is refused): e d = 1 mod
        // p-1 and mod q-1, q iqmp = 1 mod p.
        BignumPtr check(BN_secure_new());
        if (!check || BN_mod_mul(check.get(), e.get(), dmp1.get(), pm1.get(), ctx.get()) != 1 || !BN_is_one(check.get())
            || BN_mod_mul(check.get(), e.get(), dmq1.get(), qm1.get(), ctx.get()) != 1 || !BN_is_one(check.get())
            || BN_mod_mul(check.get(), q.get(), iqmp.get(), p.get(), ctx.get()) != 1 || !BN_is_one(check.get()))
            return nullptr;
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get()) != 1)
            return nullptr;
        return keyFromParams("RSA", bld.get(), false);
    }

    static EvpPkeyPtr ecKey(const CurveSpec &curve, QByteArrayView point, QByteArrayView db)
    {
        BignumPtr d = secureBn(db);
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!d || !bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1
            || OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), size_t(point.size())) != 1
            || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1)
            return nullptr;
        return keyFromParams("EC", bld.get(), true);
    }

    static UserKey openSsh(QByteArrayView text, QByteArrayView publicText)
    {
        const qsizetype b = text.indexOf(kOpenSshBegin);
        // The END line is looked for after the whole BEGIN line: "-----BEGIN ...-----" followed at
        // once by "-----END" holds an END marker that starts inside BEGIN's dashes, which gave the
        // body a negative length (std::length_error: found by the ssh_auth fuzz target).
        const qsizetype e = b < 0 ? -1 : text.indexOf(kOpenSshEnd, b + kOpenSshBegin.size());
        if (b < 0 || e < 0)
            return failure(Status::Invalid, QStringLiteral("damaged key file (no END OPENSSH PRIVATE KEY line)"));
        const std::optional<SecretBytes> raw = decodeBase64(text.sliced(b + kOpenSshBegin.size(), e - b - kOpenSshBegin.size()));
        if (!raw)
            return failure(Status::Invalid, QStringLiteral("damaged key file (bad base64)"));
        wire::Reader r(raw->view());
        if (!r.skip(kMagic.size()) || raw->view().first(kMagic.size()) != kMagic)
            return failure(Status::Invalid, QStringLiteral("not an openssh-key-v1 key file"));
        const QByteArrayView cipherName = r.string();
        const QByteArrayView kdfName = r.string();
        const QByteArrayView kdfOptions = r.string();
        const uint32_t keys = r.u32();
        const QByteArrayView publicBlob = r.string();
        const QByteArrayView section = r.string();
        if (!r.ok())
            return failure(Status::Invalid, QStringLiteral("damaged key file"));
        if (keys != 1)
            return failure(Status::Unsupported, QStringLiteral("a file with %1 keys is not supported (one key per file)").arg(keys));
        if (!signsType(wire::firstString(publicBlob)))
            return failure(Status::Unsupported, QStringLiteral("key type %1 is not supported here")
                                                    .arg(QString::fromLatin1(wire::clip(wire::firstString(publicBlob), 64))));

        UserKey key;
        key.m_blob = publicBlob.toByteArray();
        QByteArray pubFromFile;
        QString pubComment;
        if (UserKey::parsePublicLine(publicText, &pubFromFile, &pubComment) && pubFromFile == key.m_blob)
            key.m_comment = pubComment;  // until the private section (which holds it) is decrypted
        if (cipherName == "none") {
            if (kdfName != "none" || !kdfOptions.isEmpty())
                return failure(Status::Invalid, QStringLiteral("damaged key file (a KDF without a cipher)"));
            key.m_status = readPrivateSection(key, section, 8, false);
            if (key.m_status != Status::Ok)
                return failure(key.m_status, key.m_error);
            return key;
        }
        const CipherSpec *cipher = findCipher(cipherName);
        if (!cipher)
            return failure(Status::Unsupported, QStringLiteral("the key is encrypted with %1, which is not supported here "
                                                               "(ssh-keygen -p -Z aes256-ctr -f FILE re-encrypts it)")
                                                    .arg(QString::fromLatin1(wire::clip(cipherName, 64))));
        if (kdfName != "bcrypt")
            return failure(Status::Unsupported, QStringLiteral("key derivation %1 is not supported here")
                                                    .arg(QString::fromLatin1(wire::clip(kdfName, 64))));
        wire::Reader kr(kdfOptions);
        const QByteArrayView salt = kr.string();
        const uint32_t rounds = kr.u32();
        if (!kr.ok() || salt.isEmpty() || rounds == 0)
            return failure(Status::Invalid, QStringLiteral("damaged key file (bad KDF options)"));
        if (rounds > kMaxBcryptRounds)
            return failure(Status::Unsupported, QStringLiteral("the key asks for %1 KDF rounds, more than the %2 read here")
                                                    .arg(rounds)
                                                    .arg(kMaxBcryptRounds));
        if (section.isEmpty() || section.size() % cipher->blockSize != 0 || r.left() < cipher->tagLength)
            return failure(Status::Invalid, QStringLiteral("damaged key file (encrypted part of a wrong length)"));
        auto locked = std::make_shared<UserKey::Encrypted>();
        locked->format = UserKey::Encrypted::Format::OpenSsh;
        locked->cipher = cipherName.toByteArray();
        locked->salt = salt.toByteArray();
        locked->rounds = rounds;
        locked->data = section.toByteArray() + r.rest().first(cipher->tagLength).toByteArray();
        key.m_locked = locked;
        key.m_encrypted = true;
        key.m_status = Status::Locked;
        return key;
    }

    static Status unlockOpenSsh(UserKey &key, const UserKey::Encrypted &enc, QByteArrayView passphrase, unsigned maxRounds)
    {
        const CipherSpec *cipher = findCipher(enc.cipher);
        if (!cipher)
            return Status::Unsupported;
        if (enc.rounds > maxRounds) {
            key.m_error = QStringLiteral("the key asks for %1 KDF rounds").arg(enc.rounds);
            return Status::Unsupported;
        }
        if (passphrase.isEmpty()) {
            key.m_error = QStringLiteral("incorrect passphrase");
            return Status::WrongPassphrase;
        }
        SecretBytes keyIv(size_t(cipher->keyLength + cipher->ivLength));
        if (!bcryptPbkdf(reinterpret_cast<const uint8_t *>(passphrase.data()), size_t(passphrase.size()),
                         reinterpret_cast<const uint8_t *>(enc.salt.constData()), size_t(enc.salt.size()), keyIv.data(),
                         keyIv.size(), enc.rounds)) {
            key.m_error = QStringLiteral("key derivation failed");
            return Status::Invalid;
        }
        const qsizetype length = enc.data.size() - cipher->tagLength;
        SecretBytes plain(size_t(length) + size_t(cipher->blockSize));
        EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
        int n = 0;
        int total = 0;
        bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), cipher->cipher(), nullptr, nullptr, nullptr) == 1;
        if (ok && cipher->tagLength > 0)
            ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, cipher->ivLength, nullptr) == 1;
        ok = ok && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, keyIv.data(), keyIv.data() + cipher->keyLength) == 1
            && EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1
            && EVP_DecryptUpdate(ctx.get(), plain.data(), &n, reinterpret_cast<const unsigned char *>(enc.data.constData()),
                                 int(length)) == 1;
        total = n;
        if (ok && cipher->tagLength > 0) {
            QByteArray tag = enc.data.right(cipher->tagLength);
            ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, cipher->tagLength, tag.data()) == 1;
        }
        // GCM: a wrong passphrase fails the tag here; the other ciphers fail the check bytes below.
        const bool finalOk = ok && EVP_DecryptFinal_ex(ctx.get(), plain.data() + total, &n) == 1;
        clearErrors();
        if (!ok) {
            key.m_error = QStringLiteral("cannot decrypt the key");
            return Status::Invalid;
        }
        if (!finalOk) {
            key.m_error = QStringLiteral("incorrect passphrase");
            return Status::WrongPassphrase;
        }
        total += n;
        plain.truncate(size_t(total));
        return readPrivateSection(key, plain.view(), cipher->blockSize, true);
    }

    static UserKey pem(QByteArrayView text, QByteArrayView publicText)
    {
        const bool encrypted = text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        if (encrypted) {
            UserKey key;
            UserKey::parsePublicLine(publicText, &key.m_blob, &key.m_comment);
            auto locked = std::make_shared<UserKey::Encrypted>();
            locked->format = UserKey::Encrypted::Format::Pem;
            locked->data = text.toByteArray();  // encrypted, not secret
            key.m_locked = locked;
            key.m_encrypted = true;
            key.m_status = Status::Locked;
            return key;
        }
        UserKey key;
        const Status s = readPem(key, text, nullptr, publicText);
        if (s != Status::Ok)
            return failure(s, key.m_error);
        key.m_status = Status::Ok;
        return key;
    }

    // PEM through OpenSSL; `passphrase` null for an unencrypted key.
    static Status readPem(UserKey &key, QByteArrayView text, const QByteArrayView *passphrase, QByteArrayView publicText)
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(text.data(), int(text.size())), &BIO_free);
        if (!bio)
            return setInvalid(key, QStringLiteral("out of memory"));
        EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase ? &givenPassphrase : &noPassphrase,
                                                const_cast<QByteArrayView *>(passphrase)));
        const unsigned long err = ERR_peek_last_error();
        clearErrors();
        if (!pkey) {
            if (passphrase) {
                // A wrong passphrase decrypts to garbage: "bad decrypt" or an unparsable key.
                key.m_error = QStringLiteral("incorrect passphrase");
                return Status::WrongPassphrase;
            }
            return setInvalid(key, QStringLiteral("not a private key OpenSSL can read (%1)")
                                       .arg(QString::fromLatin1(ERR_reason_error_string(err) ? ERR_reason_error_string(err) : "unknown")));
        }
        if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
            key.m_error = smallRsaKey(EVP_PKEY_get_bits(pkey.get()));
            return Status::Unsupported;
        }
        const QByteArray blob = blobOf(pkey.get());
        if (blob.isEmpty()) {
            key.m_error = QStringLiteral("a %1 key is not supported here").arg(QString::fromLatin1(EVP_PKEY_get0_type_name(pkey.get())));
            return Status::Unsupported;
        }
        if (!keyPairConsistent(pkey.get()))
            return setInvalid(key, QStringLiteral("damaged private key (its parts do not agree)"));
        if (!key.m_blob.isEmpty() && key.m_blob != blob)
            return setInvalid(key, QStringLiteral("the private key does not match its .pub file"));
        QByteArray pubBlob;
        QString pubComment;
        if (UserKey::parsePublicLine(publicText, &pubBlob, &pubComment) && pubBlob == blob)
            key.m_comment = pubComment;
        key.m_blob = blob;
        key.m_key = share(std::move(pkey));
        key.m_error.clear();
        return Status::Ok;
    }
};

UserKey::UserKey() = default;

UserKey UserKey::fromText(QByteArrayView text, QByteArrayView publicText)
{
    if (text.contains(kOpenSshBegin))
        return UserKeyParser::openSsh(text, publicText);
    if (text.contains("-----BEGIN SSH2 ENCRYPTED PRIVATE KEY-----") || text.startsWith("PuTTY-User-Key-File"))
        return UserKeyParser::failure(Status::Unsupported, QStringLiteral("an SSH.COM or PuTTY key (convert it with ssh-keygen or puttygen)"));
    if (text.contains("-----BEGIN ") && text.contains(" PRIVATE KEY-----"))
        return UserKeyParser::pem(text, publicText);
    return UserKeyParser::failure(Status::Invalid, QStringLiteral("not a private key file"));
}

UserKey UserKey::fromFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return UserKeyParser::failure(Status::Unreadable, f.errorString());
    if (f.size() > kMaxKeyFileBytes)
        return UserKeyParser::failure(Status::Invalid, QStringLiteral("not a private key file (%1 bytes)").arg(f.size()));
    // A pipe or device reports size 0: read up to the cap.
    SecretBytes text(size_t(f.size() > 0 ? f.size() : kMaxKeyFileBytes) + 1);
    const qint64 n = f.read(reinterpret_cast<char *>(text.data()), qint64(text.size()));
    if (n < 0)
        return UserKeyParser::failure(Status::Unreadable, f.errorString());
    if (n > kMaxKeyFileBytes || (f.size() > 0 && n > f.size()))
        return UserKeyParser::failure(Status::Invalid, QStringLiteral("not a private key file (over %1 bytes)").arg(kMaxKeyFileBytes));
    text.truncate(size_t(n));
    QByteArray publicText;
    QFile pub(path + QStringLiteral(".pub"));
    if (pub.open(QIODevice::ReadOnly))
        publicText = pub.read(64 * 1024);
    return fromText(text.view(), publicText);
}

UserKey::Status UserKey::unlock(QByteArrayView passphrase, unsigned maxRounds)
{
    if (m_status != Status::Locked && m_status != Status::WrongPassphrase)
        return m_status;
    const std::shared_ptr<const Encrypted> enc = m_locked;
    if (!enc)
        return m_status;
    Status s = Status::Invalid;
    if (enc->format == Encrypted::Format::OpenSsh) {
        s = UserKeyParser::unlockOpenSsh(*this, *enc, passphrase, maxRounds == 0 ? kMaxBcryptRounds : maxRounds);
    } else {
        const QByteArrayView pass = passphrase;
        // OpenSSL's PEM reader asks the callback only for encrypted keys and fails an empty answer.
        s = passphrase.isEmpty() ? Status::WrongPassphrase : UserKeyParser::readPem(*this, enc->data, &pass, {});
        if (s == Status::WrongPassphrase)
            m_error = QStringLiteral("incorrect passphrase");
    }
    if (s == Status::WrongPassphrase) {
        m_status = Status::WrongPassphrase;
        return s;
    }
    m_status = s;
    if (s == Status::Ok)
        m_locked.reset();
    return s;
}

QByteArray UserKey::type() const
{
    return wire::firstString(m_blob);
}

QByteArrayList UserKey::signatureAlgorithms(QByteArrayView blob)
{
    const QByteArray t = wire::firstString(blob);
    if (t == "ssh-rsa")
        return {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"};
    if (t.isEmpty())
        return {};
    return {t};
}

QByteArray UserKey::withType(QByteArrayView blob, QByteArrayView type)
{
    wire::Reader r(blob);
    r.string();
    if (!r.ok())
        return {};
    QByteArray out;
    wire::putString(out, type);
    out.append(r.rest());
    return out;
}

QString UserKey::describe(QByteArrayView blob)
{
    wire::Reader r(blob);
    const QByteArrayView type = r.string();
    if (type == "ssh-rsa") {
        r.mpint();
        const QByteArrayView n = r.mpint();
        if (r.ok() && !n.isEmpty())
            return QStringLiteral("RSA %1").arg(magnitudeBits(n));
        return QStringLiteral("RSA");
    }
    if (type == "ssh-ed25519")
        return QStringLiteral("ED25519");
    if (const CurveSpec *c = curveForType(type))
        return QStringLiteral("ECDSA %1").arg(c->bits);
    return QString::fromLatin1(wire::clip(type, 64));
}

bool UserKey::parsePublicLine(QByteArrayView line, QByteArray *blob, QString *comment)
{
    const qsizetype eol = line.indexOf('\n');
    const QList<QByteArray> fields = (eol < 0 ? line : line.first(eol)).toByteArray().simplified().split(' ');
    if (fields.size() < 2)
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(fields[1], QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty() || wire::firstString(decoded.decoded) != fields[0])
        return false;
    *blob = decoded.decoded;
    *comment = QString::fromUtf8(fields.mid(2).join(' ').left(1024));
    return true;
}

std::optional<QByteArray> UserKey::sign(QByteArrayView data, QByteArrayView algorithm) const
{
    if (!m_key || !signatureAlgorithms(m_blob).contains(algorithm.toByteArray()))
        return std::nullopt;
    const EVP_MD *md = nullptr;
    const CurveSpec *curve = curveForType(algorithm);
    if (algorithm == "rsa-sha2-512")
        md = EVP_sha512();
    else if (algorithm == "rsa-sha2-256")
        md = EVP_sha256();
    else if (algorithm == "ssh-rsa")
        md = EVP_sha1();
    else if (curve)
        md = curve->md();
    else if (algorithm != "ssh-ed25519")
        return std::nullopt;
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    size_t length = 0;
    const auto *in = reinterpret_cast<const unsigned char *>(data.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, m_key.get()) != 1
        || EVP_DigestSign(ctx.get(), nullptr, &length, in, size_t(data.size())) != 1) {
        clearErrors();
        return std::nullopt;
    }
    QByteArray sig(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &length, in, size_t(data.size())) != 1) {
        clearErrors();
        return std::nullopt;
    }
    sig.truncate(qsizetype(length));
    if (!curve)
        return sig;
    // ECDSA: DER's SEQUENCE { r, s } becomes mpint r, mpint s (RFC 5656 §3.1.2).
    const auto *der = reinterpret_cast<const unsigned char *>(sig.constData());
    EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &der, long(sig.size())));
    if (!parsed)
        return std::nullopt;
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(parsed.get(), &r, &s);
    QByteArray out;
    wire::putMpint(out, bnBytes(r));
    wire::putMpint(out, bnBytes(s));
    return out;
}

std::optional<QByteArray> UserKey::signatureBlob(QByteArrayView data, QByteArrayView algorithm) const
{
    const std::optional<QByteArray> sig = sign(data, algorithm);
    if (!sig)
        return std::nullopt;
    QByteArray out;
    wire::putString(out, algorithm);
    wire::putString(out, *sig);
    return out;
}

} // namespace skydeck::ssh
