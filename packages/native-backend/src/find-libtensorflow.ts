import { folderRoute } from './folder-route.js';
import { checkCApiSymbols, type LibtensorflowFolder, type SymbolCheck } from './libtensorflow-folder.js';
import { mirrorRoute } from './mirror-route.js';
import { pypiRoute } from './pypi-route.js';
import type { RouteContext, RouteName, RouteResult } from './route.js';
import { TFJS_NODE_C_API_SYMBOLS } from './tfjs-node-install.js';

/** One route's attempt, as reported to the user. */
export interface RouteAttempt {
  readonly route: RouteName;
  /** `1. LIBTENSORFLOW_DIR` */
  readonly title: string;
  readonly outcome: 'found' | 'skipped' | 'failed';
  readonly detail: string;
}

/** The libtensorflow a route found, with where it came from. */
export interface FoundLibtensorflow {
  readonly route: RouteName;
  readonly folder: LibtensorflowFolder;
  readonly source: string;
  readonly tensorflowVersion?: string;
  readonly symbols: SymbolCheck;
}

type Route = { name: RouteName; title: string; run: (ctx: RouteContext) => Promise<RouteResult> };

/** The routes in the order `elbo backend native` tries them. */
export const ROUTES: readonly Route[] = [
  { name: 'folder', title: '1. existing folder (LIBTENSORFLOW_DIR)', run: folderRoute },
  { name: 'mirror', title: '2. mirror (TFJS_NODE_BASE_URI / TFJS_NODE_CDN_STORAGE)', run: mirrorRoute },
  { name: 'pypi', title: '3. TensorFlow CPU wheel (PyPI)', run: pypiRoute },
];

/**
 * Tries the routes in order until one yields a libtensorflow whose libraries export every C API
 * symbol the binding imports; reports every attempt (found, skipped or failed, and why) through
 * `ctx.log` as it goes, and returns them all.
 */
export async function findLibtensorflow(ctx: RouteContext, routes: readonly Route[] = ROUTES): Promise<{ found?: FoundLibtensorflow; attempts: RouteAttempt[] }> {
  const attempts: RouteAttempt[] = [];
  const report = (a: RouteAttempt) => {
    attempts.push(a);
    ctx.log(`${a.title}: ${a.outcome} — ${a.detail}`);
  };
  for (const r of routes) {
    ctx.log(`${r.title}: trying`);
    let result: RouteResult;
    try {
      result = await r.run(ctx);
    } catch (e) {
      result = { outcome: 'failed', detail: (e as Error).message };
    }
    if (result.outcome !== 'found') {
      report({ route: r.name, title: r.title, outcome: result.outcome, detail: result.detail });
      continue;
    }
    const symbols = await checkCApiSymbols(result.folder);
    if (symbols.checked && symbols.missing.length) {
      report({
        route: r.name,
        title: r.title,
        outcome: 'failed',
        detail: `${result.detail}: its libraries do not export ${symbols.missing.length} C API symbols the binding imports: ${symbols.missing.join(', ')}`,
      });
      continue;
    }
    const check = symbols.checked ? `exports all ${TFJS_NODE_C_API_SYMBOLS.length} C API symbols the binding imports` : `C API symbols not checked: ${symbols.why}`;
    report({ route: r.name, title: r.title, outcome: 'found', detail: `${result.detail}; ${check}` });
    return {
      found: { route: r.name, folder: result.folder, source: result.source, ...(result.tensorflowVersion ? { tensorflowVersion: result.tensorflowVersion } : {}), symbols },
      attempts,
    };
  }
  return { attempts };
}
