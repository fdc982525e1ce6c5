import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFunctionCalls, removeFunctionCalls } from './function-calls.js';

/** The lines of tfjs-node 4.22.0's binding sources the edits follow, in files the test writes. */
async function bindingFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'elbo-binding-'));
  await mkdir(join(dir, 'binding'));
  await writeFile(join(dir, 'binding.gyp'), "    'sources' : [\n      'binding/tfjs_backend.cc',\n      'binding/tfjs_binding.cc'\n    ],\n");
  await writeFile(
    join(dir, 'binding', 'tfjs_backend.h'),
    'class TFJSBackend {\n public:\n  napi_value GetNumOfTensors(napi_env env);\n\n private:\n  TFE_Context *tfe_context_;\n};\n',
  );
  await writeFile(
    join(dir, 'binding', 'tfjs_binding.cc'),
    '#include "tfjs_backend.h"\n\nnamespace tfnodejs {\n\n  napi_define_properties(env, exports, n, props);\n\n  // Export TF property types to JS\n}\n',
  );
  return dir;
}

describe('ELBO’s function calls in tfjs-node’s binding', () => {
  it('adds the context accessor, the exports and the source file, once however often it runs, and can take them out', async () => {
    const dir = await bindingFolder();
    const before = await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8');
    expect(await addFunctionCalls(dir)).toEqual({ ok: true });
    expect(await addFunctionCalls(dir)).toEqual({ ok: true });
    const gyp = await readFile(join(dir, 'binding.gyp'), 'utf8');
    expect(gyp.match(/elbo_functions\.cc/g)).toHaveLength(1);
    expect(await readFile(join(dir, 'binding', 'tfjs_backend.h'), 'utf8')).toContain('TFE_Context *Context() { return tfe_context_; }');
    const cc = await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8');
    expect(cc.match(/elbo::DefineFunctions\(env, exports\);/g)).toHaveLength(1);
    expect(cc.indexOf('void DefineFunctions')).toBeLessThan(cc.indexOf('namespace tfnodejs {'));
    expect(await readFile(join(dir, 'binding', 'elbo_functions.cc'), 'utf8')).toContain('TF_GraphToFunction');
    await removeFunctionCalls(dir);
    expect(await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8')).toBe(before);
  });

  it('names the file and the line it cannot find in another version of the binding', async () => {
    const dir = await bindingFolder();
    await writeFile(join(dir, 'binding', 'tfjs_backend.h'), 'class TFJSBackend {};\n');
    const r = await addFunctionCalls(dir);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/tfjs_backend\.h has no "napi_value GetNumOfTensors\(napi_env env\);"/);
  });
});
