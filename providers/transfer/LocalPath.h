#pragma once

#include "Result.h"

#include <QString>

namespace skydeck {

// Maps an object key to a local path under a folder the user chose, or refuses it. An object key
// is never trusted as a path: whatever a listing says, nothing is written outside `root`.
//
// The key (already made relative to the chosen prefix) is split on '/'. Refused, with an
// InvalidInput error that names the key (control characters shown escaped):
//  - an empty key, an absolute key ("/etc/passwd"), an empty segment ("a//b");
//  - "." and ".." segments;
//  - NUL and other control characters (U+0000-U+001F, U+007F);
//  - backslashes, anywhere, and a first segment that looks like a drive ("C:"): on Windows they
//    are separators/roots, and a key that means different paths on different systems is refused
//    everywhere rather than written somewhere surprising;
//  - a segment longer than 255 UTF-8 bytes (a file name also needs room for the ".part" suffix
//    downloads are written through, so file names are limited to 250 bytes);
//  - a path longer than 4095 bytes in all;
//  - a key whose path, after resolving the symlinks of the parts that already exist, leads out
//    of root (a symlinked folder pointing elsewhere, or an existing symlink at the target).
// A key ending in '/' (a "folder marker" object) maps to a directory.
struct MappedPath {
    QString path;              // absolute, under root
    bool isDirectory = false;  // the key ended with '/'
};

class LocalPath
{
public:
    static constexpr int kMaxComponentBytes = 255;
    static constexpr int kMaxPathBytes = 4095;
    static constexpr int kPartSuffixBytes = 5;  // ".part"

    static Result<MappedPath> map(const QString &root, const QString &relativeKey);

    // The key relative to prefix ("data/a/b" under "data/" is "a/b"). prefix must be a prefix of key.
    static QString relativeKey(const QString &key, const QString &prefix);

    // A key made printable for messages: control characters escaped, long keys shortened.
    static QString displayKey(const QString &key);
};

} // namespace skydeck
