// libFuzzer harness for what SSH authentication reads itself (issue 12): private key files
// (UserKey: openssh-key-v1 with its KDF and ciphers, PEM through OpenSSL, .pub lines), the agent's
// answers (AgentClient) and the server's banner and KEXINIT (ServerHello). The first byte picks
// the reader; the rest is its input. Properties: no crash, no hang (bcrypt rounds capped at 2
// here), and what a reader accepts is consistent (a key that signs has a public blob whose
// algorithms it signs with; listed identities have a type). Build and run: tests/fuzz/README.md.
#include "FuzzSupport.h"

#include "AgentClient.h"
#include "ServerHello.h"
#include "SshWire.h"
#include "UserKey.h"

#include <cstdint>
#include <cstdlib>

using namespace skydeck::ssh;

namespace {

void keyFile(QByteArrayView text)
{
    // A .pub after a NUL, if any: the private file's text, then what <file>.pub holds.
    const qsizetype nul = text.indexOf('\0');
    UserKey key = nul < 0 ? UserKey::fromText(text) : UserKey::fromText(text.first(nul), text.sliced(nul + 1));
    if (key.status() == UserKey::Status::Locked) {
        key.unlock("passphrase", 2);
        key.unlock("", 2);
    }
    if (key.canSign()) {
        const QByteArrayList algorithms = UserKey::signatureAlgorithms(key.publicBlob());
        FUZZ_CHECK(!algorithms.isEmpty());
        for (const QByteArray &a : algorithms)
            FUZZ_CHECK(key.sign("data", a).has_value());
    }
    (void)UserKey::describe(key.publicBlob());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 5) {
    case 0:
        keyFile(input);
        break;
    case 1: {
        const ServerHello hello = ServerHello::parse(input);
        FUZZ_CHECK(hello.hasKexInit || (hello.kex.isEmpty() && hello.hostKeys.isEmpty()));
        (void)hello.openSshVersion();
        break;
    }
    case 2:
        if (const auto ids = AgentClient::parseIdentities(input)) {
            FUZZ_CHECK(ids->size() <= int(AgentClient::kMaxIdentities));
            for (const AgentClient::Identity &id : *ids) {
                FUZZ_CHECK(!wire::firstString(id.blob).isEmpty());
                (void)UserKey::describe(id.blob);
                (void)UserKey::withType(id.blob, "rsa-sha2-512");
            }
        }
        break;
    case 3:
        if (const auto sig = AgentClient::parseSignResponse(input)) {
            QByteArray algorithm;
            QByteArray signature;
            FUZZ_CHECK(AgentClient::splitSignature(*sig, &algorithm, &signature) && !algorithm.isEmpty());
        }
        break;
    case 4: {
        QByteArray blob;
        QString comment;
        if (UserKey::parsePublicLine(input, &blob, &comment)) {
            FUZZ_CHECK(!wire::firstString(blob).isEmpty());
            (void)UserKey::describe(blob);
            (void)UserKey::signatureAlgorithms(blob);
        }
        break;
    }
    }
    return 0;
}
