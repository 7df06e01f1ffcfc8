import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to a standalone SVG string on the server, offline (vega-lite compiles
 * it to Vega; vega's headless `View` renders with `renderer: 'none'` and `toSVG()`). Data must be
 * inline (`data: { values }`); no loader is configured, so nothing is fetched.
 */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
