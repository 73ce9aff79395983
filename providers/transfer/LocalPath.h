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
//  - backslashes, anywhere, a first segment that looks like a drive ("C:"), and Windows device
//    names as a segment (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension, in
//    any case): on Windows they are separators, roots and devices, and a key that means
//    different things on different systems is refused everywhere rather than written somewhere
//    surprising;
//  - a segment longer than 255 UTF-8 bytes;
//  - a path longer than 4095 bytes in all (counting the working file's longer name beside it);
//  - a segment in the form of a working file's name (isWorkingFileName): no object is ever written
//    over a download in progress, nor a working file over an object;
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
    // A working file's name is ".<name>.skydeck-<16 hex>.journal" at most, <name> cut to 200 bytes.
    static constexpr int kWorkingNameMaxBytes = 200;
    static constexpr int kWorkingExtraBytes = 34;  // "." + ".skydeck-" + 16 + ".journal"

    static Result<MappedPath> map(const QString &root, const QString &relativeKey);

    // The key relative to prefix ("data/a/b" under "data/" is "a/b"), or a null QString when the
    // key is not under prefix: such a key is never mapped (the caller refuses and reports it).
    static QString relativeKey(const QString &key, const QString &prefix);

    // Downloads are written through hidden working files beside their target and renamed over it
    // once verified: ".<name>.skydeck-<16 hex>.part", and ".<...>.journal" for the resume journal.
    // The hex is a hash of `identity` (the account, bucket and key) and the target path, so a
    // resumed transfer finds its own file and two transfers never share one. The form is reserved:
    // map() refuses object names that have it, so a working file never has an object's name.
    static QString workingPath(const QString &target, const QString &identity);
    static QString journalPathFor(const QString &workingPath);
    static bool isWorkingFileName(const QString &name);

    // A key made printable for messages: control characters escaped, long keys shortened.
    static QString displayKey(const QString &key);
};

} // namespace skydeck
