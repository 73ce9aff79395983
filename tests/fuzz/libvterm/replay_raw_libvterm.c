#include <vterm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Replays the feed records of a terminal_fuzz input straight into libvterm, each write from its
   own exactly-sized malloc'd buffer. */
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); unsigned char d[70000]; size_t size = fread(d, 1, sizeof d, f); fclose(f);
  VTerm *vt = vterm_new(24, 80); vterm_set_utf8(vt, 1);
  VTermScreen *s = vterm_obtain_screen(vt); vterm_screen_enable_altscreen(s, 1); vterm_screen_reset(s, 1);
  size_t i = 1;
  while (i < size) {
    unsigned op = d[i++];
    if (op < 0xF0) {
      size_t n = op * 4 + 1; if (n > size - i) n = size - i;
      char *b = malloc(n); memcpy(b, d + i, n);
      fprintf(stderr, "write %zu bytes at %zu\n", n, i);
      vterm_input_write(vt, b, n); free(b); i += n;
    } else if (op == 0xF0 && size - i >= 2) { vterm_set_size(vt, 1 + d[i] % 100, 1 + d[i+1] % 200); i += 2; }
    else if (op == 0xF2) { size_t n = size - i < 32 ? size - i : 32; i += n; }
    else if (op == 0xF3 && size - i >= 3) i += 3;
    else if (op == 0xF4 && size - i >= 2) i += 2;
  }
  vterm_free(vt);
  return 0;
}
