// A libFuzzer harness without libFuzzer: runs LLVMFuzzerTestOneInput over every file of the given
// directories (and files), in name order, once each. Linked with each harness into <target>_replay,
// which ctest runs over tests/fuzz/corpus/<target>/ and tests/fuzz/crashes/<target>/ in the normal
// (gcc) and sanitizer builds. A failed property aborts, as under libFuzzer; a missing corpus
// directory is an error, a missing crashes directory is not (no crash found yet).
//   <target>_replay [--optional DIR]... DIR|FILE...
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

namespace fs = std::filesystem;

namespace {
std::vector<char> readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
} // namespace

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::vector<fs::path> inputs;
    bool optional = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--optional") {
            optional = true;
            continue;
        }
        const fs::path p(arg);
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> files;
            for (const fs::directory_entry &e : fs::directory_iterator(p))
                if (e.is_regular_file())
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            inputs.insert(inputs.end(), files.begin(), files.end());
        } else if (fs::is_regular_file(p, ec)) {
            inputs.push_back(p);
        } else if (!optional) {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", arg.c_str());
            return 2;
        }
        optional = false;
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no inputs\n");
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    for (const fs::path &p : inputs) {
        const std::vector<char> data = readFile(p);
        // A copy of exactly the input's size, as libFuzzer gives it: ASan sees any read past the end.
        std::vector<uint8_t> copy(data.begin(), data.end());
        static uint8_t none = 0;
        std::fprintf(stderr, "replay: %s\n", p.c_str());
        LLVMFuzzerTestOneInput(copy.empty() ? &none : copy.data(), copy.size());
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::printf("replayed %zu inputs in %lld ms\n", inputs.size(), static_cast<long long>(ms.count()));
    return 0;
}
