// Prints the BLAS the addon links against: `onednn` when its header is installed (libdnnl-dev),
// else `openblas`. PEFTJS_NATIVE_BLAS=openblas|onednn overrides (used to compare the two).
import { existsSync } from 'node:fs';

const forced = process.env.PEFTJS_NATIVE_BLAS;
if (forced === 'onednn' || forced === 'openblas') {
  process.stdout.write(forced);
} else {
  process.stdout.write(existsSync('/usr/include/oneapi/dnnl/dnnl.h') ? 'onednn' : 'openblas');
}
