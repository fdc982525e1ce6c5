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
    join(dir, 'binding', 'tfjs_backend.cc'),
    '  NapiAutoRef *auto_ref = new NapiAutoRef();\n  TF_AutoTensor tensor(TF_NewTensor(dtype, shape, shape_length, array_data,\n                                    byte_size, DeallocTensor, auto_ref));\n\n  TF_AutoStatus tf_status;\n',
  );
  await writeFile(
    join(dir, 'binding', 'tfjs_binding.cc'),
    '#include "tfjs_backend.h"\n\nnamespace tfnodejs {\n\n  napi_define_properties(env, exports, n, props);\n\n  // Export TF property types to JS\n}\n',
  );
  return dir;
}

describe('ELBO’s function calls in tfjs-node’s binding', () => {
  it('adds the accessors, the exports, the source file and the copy of array values, once however often it runs, and can take them out', async () => {
    const dir = await bindingFolder();
    const before = await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8');
    const backendBefore = await readFile(join(dir, 'binding', 'tfjs_backend.cc'), 'utf8');
    expect(await addFunctionCalls(dir)).toEqual({ ok: true });
    expect(await addFunctionCalls(dir)).toEqual({ ok: true });
    const gyp = await readFile(join(dir, 'binding.gyp'), 'utf8');
    expect(gyp.match(/elbo_functions\.cc/g)).toHaveLength(1);
    const header = await readFile(join(dir, 'binding', 'tfjs_backend.h'), 'utf8');
    expect(header).toContain('TFE_Context *Context() { return tfe_context_; }');
    expect(header.match(/int32_t ElboInsertHandle/g)).toHaveLength(1);
    const backend = await readFile(join(dir, 'binding', 'tfjs_backend.cc'), 'utf8');
    expect(backend).not.toContain('TF_NewTensor(');
    expect(backend.match(/memcpy\(TF_TensorData\(tensor\.tensor\), array_data, byte_size\);/g)).toHaveLength(1);
    expect(backend).toContain('  TF_AutoStatus tf_status;\n'); // what follows the replaced statement stays
    const cc = await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8');
    expect(cc.match(/elbo::DefineFunctions\(env, exports\);/g)).toHaveLength(1);
    expect(cc.indexOf('void DefineFunctions')).toBeLessThan(cc.indexOf('namespace tfnodejs {'));
    expect(await readFile(join(dir, 'binding', 'elbo_functions.cc'), 'utf8')).toContain('TF_GraphToFunction');
    await removeFunctionCalls(dir);
    expect(await readFile(join(dir, 'binding', 'tfjs_binding.cc'), 'utf8')).toBe(before);
    expect(await readFile(join(dir, 'binding', 'tfjs_backend.cc'), 'utf8')).toBe(backendBefore);
  });

  it('names the file and the line it cannot find in another version of the binding', async () => {
    const dir = await bindingFolder();
    await writeFile(join(dir, 'binding', 'tfjs_backend.h'), 'class TFJSBackend {};\n');
    const r = await addFunctionCalls(dir);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/tfjs_backend\.h has no "napi_value GetNumOfTensors\(napi_env env\);"/);
  });
});
