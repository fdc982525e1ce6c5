import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ELBO's addition to the binding: `defineFunction` / `removeFunction` (compiled training steps). */
export const FUNCTION_CALLS_SOURCE = fileURLToPath(new URL('../binding/elbo_functions.cc', import.meta.url));

/**
 * The edits that compile ELBO's source into tfjs-node 4.22.0's binding, each as the text it follows
 * (or precedes, or replaces): accessors for the binding's eager context and tensor handles, the call
 * that adds ELBO's functions to the binding's exports, the source file in binding.gyp — and tensors
 * made from JavaScript arrays own a copy of the values. The binding shared the array's memory with
 * TensorFlow and released it from the tensor's deallocator; a queued function call reads its inputs
 * after the JavaScript has gone on (a reused batch array was overwritten under it), and TensorFlow
 * may free a tensor on one of its own threads, where releasing a JavaScript reference is not allowed.
 */
const EDITS: readonly { file: string; anchor: string; insert: string; before?: boolean; replace?: boolean }[] = [
  {
    file: 'binding/tfjs_backend.h',
    anchor: '  napi_value GetNumOfTensors(napi_env env);\n',
    insert:
      '\n  // ELBO: the context compiled training steps are registered in, and its tensor handles by id.\n  TFE_Context *Context() { return tfe_context_; }\n' +
      '  TFE_TensorHandle *ElboHandle(int32_t id) {\n    auto e = tfe_handle_map_.find(id);\n    return e == tfe_handle_map_.end() ? nullptr : e->second;\n  }\n' +
      '  int32_t ElboInsertHandle(TFE_TensorHandle *h) { return InsertHandle(h); }\n',
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '  // Export TF property types to JS\n',
    insert: '  // ELBO: defineFunction / removeFunction (elbo_functions.cc).\n  elbo::DefineFunctions(env, exports);\n\n',
  },
  { file: 'binding/tfjs_binding.cc', anchor: 'namespace tfnodejs {\n', insert: 'namespace elbo {\nvoid DefineFunctions(napi_env env, napi_value exports);\n}\n\n', before: true },
  { file: 'binding.gyp', anchor: "      'binding/tfjs_binding.cc'", insert: ",\n      'binding/elbo_functions.cc'" },
  {
    file: 'binding/tfjs_backend.cc',
    anchor: '  TF_AutoTensor tensor(TF_NewTensor(dtype, shape, shape_length, array_data,\n                                    byte_size, DeallocTensor, auto_ref));\n',
    insert:
      '  // ELBO: the tensor owns a copy of the values (see packages/native-backend/src/function-calls.ts).\n' +
      '  TF_AutoTensor tensor(TF_AllocateTensor(dtype, shape, shape_length, byte_size));\n' +
      '  memcpy(TF_TensorData(tensor.tensor), array_data, byte_size);\n' +
      '  auto_ref->Cleanup();\n' +
      '  delete auto_ref;\n' +
      '  auto_ref = nullptr;\n',
    replace: true,
  },
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
    const [cut, rest] = e.replace ? [at, at + e.anchor.length] : e.before ? [at, at] : [at + e.anchor.length, at + e.anchor.length];
    texts.set(e.file, text.slice(0, cut) + e.insert + text.slice(rest));
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
