#pragma once

#include "Result.h"

#include <QStringList>

namespace skydeck::cli {

// One command line, parsed: `skydeck [options] COMMAND ARGS...`.
struct Invocation {
    QString command;      // ls, cp, rm, mb, rb, vm; empty with --help/--version
    QStringList args;     // the command's operands (URLs and paths)
    bool recursive = false;
    bool force = false;          // rb: delete every object first
    bool humanReadable = false;  // ls: sizes as "1.5 MiB"
    bool quiet = false;          // no progress line
    bool acceptNewHostKey = false;  // sftp://: trust (and store) an unknown host key
    bool raw = false;            // --raw: keys and names on stdout byte for byte (not escaped)
    bool allowInsecureHttp = false;  // --allow-insecure-http: plain http:// to a host off loopback
    bool sandbox = false;        // the local sandbox (s3rver with demo buckets), not a cloud account
    bool help = false;
    bool version = false;
    QString profile;      // --profile NAME
    QString endpointUrl;  // --endpoint-url URL (like aws)
    QString region;       // --region NAME
    // vm: args[0] is the subcommand (list, start, stop, reboot, terminate), the rest instance ids/names
    QString provider;     // --provider aws|gcp|azure (vm)
    bool json = false;    // --json (vm list)
    bool yes = false;     // --yes (vm terminate)
    bool noWait = false;  // --no-wait (vm start|stop|reboot|terminate|launch)
    // vm launch (the launch dialog's fields; see launch::* in LaunchOptions.h)
    QString machineType;  // --type
    QString zone;         // --zone (GCE: the zone; EC2: an availability zone; Azure: a zone number)
    QString image;        // --image (default: the provider's first offered image)
    int diskGb = -1;      // --disk-gb (-1: the form's default)
    bool spot = false;    // --spot
    QString gpu;          // --gpu MODEL:COUNT
    QString key;          // --key FILE.pub (GCE, Azure) or an EC2 key pair name
    QString name;         // --name
    QString sshFrom;      // --ssh-from CIDR (Azure)
    bool sshFromGiven = false;
};

// The commands isCliInvocation() recognises.
QStringList commandNames();

// Parses arguments (argv[0] included). Unknown options, a missing or unknown command and a wrong
// number of operands give an InvalidInput error with a one-line reason.
Result<Invocation> parseArguments(const QStringList &arguments);

QString usageText();

} // namespace skydeck::cli
