import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ELBO's addition to the binding: `defineFunction` / `removeFunction` (compiled training steps). */
export const FUNCTION_CALLS_SOURCE = fileURLToPath(new URL('../binding/elbo_functions.cc', import.meta.url));

/**
 * The three edits that compile ELBO's source into tfjs-node 4.22.0's binding, each as the text it
 * follows: an accessor for the binding's eager context (the context functions are registered in),
 * the call that adds ELBO's functions to the binding's exports, and the source file in binding.gyp.
 */
const EDITS: readonly { file: string; anchor: string; insert: string; before?: boolean }[] = [
  {
    file: 'binding/tfjs_backend.h',
    anchor: '  napi_value GetNumOfTensors(napi_env env);\n',
    insert: '\n  // ELBO: the context compiled training steps are registered in.\n  TFE_Context *Context() { return tfe_context_; }\n',
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '  // Export TF property types to JS\n',
    insert: '  // ELBO: defineFunction / removeFunction (elbo_functions.cc).\n  elbo::DefineFunctions(env, exports);\n\n',
  },
  { file: 'binding/tfjs_binding.cc', anchor: 'namespace tfnodejs {\n', insert: 'namespace elbo {\nvoid DefineFunctions(napi_env env, napi_value exports);\n}\n\n', before: true },
  { file: 'binding.gyp', anchor: "      'binding/tfjs_binding.cc'", insert: ",\n      'binding/elbo_functions.cc'" },
];
const BACKUP = '.elbo-orig';

/**
 * Adds ELBO's function calls to the binding sources in `tfjsNodeDir` (idempotent: the originals are
 * kept beside them as *.elbo-orig and every edit starts from them). Returns a problem when a file
 * no longer has the text an edit follows (another tfjs-node version).
 */
export async function addFunctionCalls(tfjsNodeDir: string): Promise<{ ok: true } | { ok: false; problem: string }> {
  const files = [...new Set(EDITS.map((e) => e.file))];
  const texts = new Map<string, string>();
  for (const f of files) {
    const path = join(tfjsNodeDir, f);
    if (!existsSync(path + BACKUP)) await copyFile(path, path + BACKUP);
    texts.set(f, await readFile(path + BACKUP, 'utf8'));
  }
  for (const e of EDITS) {
    const text = texts.get(e.file)!;
    const at = text.indexOf(e.anchor);
    if (at < 0) return { ok: false, problem: `${join(tfjsNodeDir, e.file)} has no ${JSON.stringify(e.anchor.trim())} (not tfjs-node 4.22.0's binding?)` };
    const cut = e.before ? at : at + e.anchor.length;
    texts.set(e.file, text.slice(0, cut) + e.insert + text.slice(cut));
  }
  for (const [f, text] of texts) await writeFile(join(tfjsNodeDir, f), text);
  await copyFile(FUNCTION_CALLS_SOURCE, join(tfjsNodeDir, 'binding', 'elbo_functions.cc'));
  return { ok: true };
}

/** Puts the binding sources back as tfjs-node ships them (for a build without ELBO's addition). */
export async function removeFunctionCalls(tfjsNodeDir: string): Promise<void> {
  for (const f of new Set(EDITS.map((e) => e.file))) {
    const path = join(tfjsNodeDir, f);
    if (existsSync(path + BACKUP)) await copyFile(path + BACKUP, path);
  }
}
