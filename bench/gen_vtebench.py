#!/usr/bin/env python3
"""Writes N MB of vtebench-like mixed terminal output to a file (deterministic, seeded).

Sections cycle until the size is reached, each about 256 KiB:
  plain     dense ASCII lines of words
  colours   SGR 16/256/truecolour, bold/italic/underline per word
  region    a scrolling region (DECSTBM) filled line by line so it scrolls inside the region
  altrandom the alternate screen with random cursor positioning and coloured single writes
  unicode   lines mixing CJK (wide), accented letters and box drawing
Usage: gen_vtebench.py OUTPUT [MEGABYTES=100]
"""
import random
import sys

WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua gpu tensor epoch loss accuracy bucket object s3 ssh jupyter").split()
SECTION = 256 * 1024


def plain(r):
    out = []
    n = 0
    while n < SECTION:
        line = " ".join(r.choice(WORDS) for _ in range(r.randint(4, 14))) + "\r\n"
        out.append(line)
        n += len(line)
    return "".join(out)


def colours(r):
    out = []
    n = 0
    while n < SECTION:
        parts = []
        for _ in range(r.randint(4, 10)):
            k = r.randint(0, 3)
            if k == 0:
                sgr = "\x1b[%dm" % r.choice([31, 32, 33, 34, 35, 36, 91, 92, 93, 94])
            elif k == 1:
                sgr = "\x1b[38;5;%dm" % r.randint(0, 255)
            elif k == 2:
                sgr = "\x1b[38;2;%d;%d;%d;48;2;%d;%d;%dm" % tuple(r.randint(0, 255) for _ in range(6))
            else:
                sgr = "\x1b[%sm" % r.choice(["1", "3", "4", "7", "1;4"])
            parts.append(sgr + r.choice(WORDS) + "\x1b[0m")
        line = " ".join(parts) + "\r\n"
        out.append(line)
        n += len(line)
    return "".join(out)


def region(r):
    out = ["\x1b[5;20r\x1b[20;1H"]
    n = 0
    while n < SECTION:
        line = "\x1b[3%dm%s\x1b[0m\n\r" % (r.randint(1, 7), " ".join(r.choice(WORDS) for _ in range(8)))
        out.append(line)
        n += len(line)
    out.append("\x1b[r\x1b[24;1H")
    return "".join(out)


def altrandom(r):
    out = ["\x1b[?1049h\x1b[2J"]
    n = 0
    while n < SECTION:
        s = "\x1b[%d;%dH\x1b[38;5;%dm%s" % (r.randint(1, 24), r.randint(1, 75), r.randint(16, 231), r.choice(WORDS)[:5])
        out.append(s)
        n += len(s)
    out.append("\x1b[0m\x1b[?1049l")
    return "".join(out)


def unicode_(r):
    pool = ["中文", "日本語", "한국어", "café", "naïve", "│─┼", "═╬═", "Ωμέγα", "→←↑↓", "数据"]
    out = []
    n = 0
    while n < SECTION:
        line = " ".join(r.choice(pool + WORDS) for _ in range(r.randint(4, 10))) + "\r\n"
        out.append(line)
        n += len(line.encode())
    return "".join(out)


def main():
    path = sys.argv[1]
    total = int(float(sys.argv[2]) * 1000 * 1000) if len(sys.argv) > 2 else 100 * 1000 * 1000
    r = random.Random(42)
    sections = [plain, colours, region, altrandom, unicode_]
    # A handful of distinct blocks, cycled: generating fresh random text for 100 MB is slow in Python
    blocks = [s(r).encode() for s in sections for _ in range(3)]
    written = 0
    i = 0
    with open(path, "wb") as f:
        while written < total:
            b = blocks[(i * 7) % len(blocks)]
            b = b[: total - written]
            f.write(b)
            written += len(b)
            i += 1
    print(f"{path}: {written} bytes")


if __name__ == "__main__":
    main()
