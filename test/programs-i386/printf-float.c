/* printf of doubles (%f %e %g %a with widths and precisions) over constants. glibc
   formats them with x87 loads (fldl), so this needs x87 support in the interpreter. */
#include <stdio.h>

int main(void) {
  static const double d[] = {0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e-300, 1e300, 123456789.125, 0.1, 2.5e-5,
                             4503599627370497.0, -2.2250738585072014e-308, 5e-324, 1.7976931348623157e308};
  for (unsigned i = 0; i < sizeof d / sizeof *d; i++) {
    printf("%f %e %g %.3f %10.2e %a %-12g| %.17g %+.0f %#g\n", d[i], d[i], d[i], d[i], d[i], d[i], d[i], d[i], d[i], d[i]);
  }
  return 0;
}
