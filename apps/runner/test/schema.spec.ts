import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, readConfigFile, resolveConfig } from '@elbo/core';
import { CONFIG_FIELD_DOCS } from '../src/config/config-json-schema.js';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { captureOutput, repoRoot, tempDir } from './helpers.js';

captureOutput(); // keep setup's messages out of the test report
const examples = join(repoRoot, 'examples');
const freeBits = join(examples, 'plugins', 'free-bits', 'index.ts');
const configs = readdirSync(examples).filter((f) => f.endsWith('.yaml') && !f.startsWith('sweep-'));

/** A real JSON Schema validator (draft-07), strict: the schema itself must be valid draft-07. */
function compile(schema: object): ValidateFunction {
  // strictRequired would also ask every `required` inside if/then/not to repeat its properties.
  return new Ajv({ allErrors: true, strict: true, strictTypes: true, allowUnionTypes: true, strictRequired: false }).compile(schema);
}

function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

const show = (errors: readonly ErrorObject[]) => errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

describe('elbo schema', () => {
  let schema: Record<string, unknown>;
  let validate: ValidateFunction;
  let withoutPlugin: ValidateFunction;

  beforeAll(async () => {
    const dir = tempDir();
    const file = join(dir, 'elbo.schema.json');
    let out = '';
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true)), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    try {
      expect(await main(['schema', '--out', file, '--plugin', freeBits])).toBe(0);
      expect(out).toBe('');
      expect(await main(['schema'])).toBe(0); // to stdout; first-party components only
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    schema = JSON.parse(readFileSync(file, 'utf8'));
    validate = compile(schema);
    withoutPlugin = compile(JSON.parse(out));
  });

  it('is draft-07 and describes every component kind a run config names, with options, defaults and descriptions', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    const likelihood = JSON.stringify((schema['properties'] as Record<string, Record<string, unknown>>)['model']);
    expect(likelihood).toContain('"const":"bernoulli"');
    expect(likelihood).toContain('"const":"free-bits"'); // the plugin named by --plugin
    const text = JSON.stringify(schema);
    for (const title of [
      'dataset/mnist',
      'encoder/mlp',
      'decoder/conv',
      'prior/standard-normal',
      'likelihood/gaussian',
      'divergence/beta-tc',
      'condition/onehot',
      'schedule/linear-warmup',
      'optimizer/sgd',
      'tracker/mlflow',
      'metric/mig',
    ]) {
      expect(text, title).toContain(`"title":"${title}"`);
    }
    expect(text).toContain('"description":"weight of the KL term (1: the ELBO; > 1: β-VAE)"');
  });

  it('documents only fields the run config has', () => {
    for (const path of Object.keys(CONFIG_FIELD_DOCS)) {
      let node = schema as Record<string, unknown> | undefined;
      for (const p of path.split('.')) node = (node?.['properties'] as Record<string, Record<string, unknown>> | undefined)?.[p];
      expect(node?.['description'], path).toBe(CONFIG_FIELD_DOCS[path]);
    }
  });

  for (const file of configs) {
    it(`accepts examples/${file}, as written and with its extends resolved`, async () => {
      const asWritten = await readConfigFile(join(examples, file));
      const merged = await loadConfig(join(examples, file));
      expect(show(errorsOf(validate, asWritten))).toBe('');
      expect(show(errorsOf(validate, merged))).toBe('');
    });
  }

  it('accepts a resolved config: every default filled in, every section expanded', async () => {
    const raw = await loadConfig(join(examples, 'mnist-cvae.yaml'));
    const resolved = resolveConfig(raw, (await setup()).registry);
    expect(show(errorsOf(validate, JSON.parse(JSON.stringify(resolved))))).toBe('');
  });

  it('covers a plugin’s components only when generated with --plugin', async () => {
    const merged = await loadConfig(join(examples, 'mnist-free-bits.yaml'));
    const errors = errorsOf(withoutPlugin, merged);
    expect(errors.some((e) => e.instancePath.startsWith('/model/divergence'))).toBe(true);
  });

  describe('rejects, pointing at the path', () => {
    const base = async () => loadConfig(join(examples, 'mnist-vae.yaml'));
    const model = (c: Record<string, unknown>) => c['model'] as Record<string, unknown>;

    it('a misspelt component name: likelihood: bernouli', async () => {
      const c = await base();
      model(c)['likelihood'] = 'bernouli';
      const errors = errorsOf(validate, c);
      expect(errors.length).toBeGreaterThan(0);
      expect(
        errors.every((e) => e.instancePath.startsWith('/model/likelihood')),
        show(errors),
      ).toBe(true);
      // The names a bare string may take: every likelihood without required options.
      const allowed = (errors.find((e) => e.keyword === 'enum')?.params as { allowedValues?: string[] })?.allowedValues;
      expect(allowed).toEqual(expect.arrayContaining(['bernoulli', 'gaussian']));
      expect(allowed).not.toContain('bernouli');
    });

    it('a misspelt name in a section with options: { name: bernouli }', async () => {
      const c = await base();
      model(c)['likelihood'] = { name: 'bernouli' };
      const errors = errorsOf(validate, c);
      expect(
        errors.some((e) => e.instancePath === '/model/likelihood/name' && e.keyword === 'const'),
        show(errors),
      ).toBe(true);
      expect(
        errors.every((e) => e.instancePath.startsWith('/model/likelihood')),
        show(errors),
      ).toBe(true);
    });

    it('an unknown option of a component', async () => {
      const c = await base();
      model(c)['divergence'] = { name: 'kl', betta: 2 };
      const errors = errorsOf(validate, c);
      expect(errors, show(errors)).toContainEqual(
        expect.objectContaining({ instancePath: '/model/divergence', keyword: 'additionalProperties', params: { additionalProperty: 'betta' } }),
      );
      expect(
        errors.every((e) => e.instancePath.startsWith('/model/divergence')),
        show(errors),
      ).toBe(true);
    });

    it('an option of the wrong type or range', async () => {
      const c = await base();
      model(c)['encoder'] = { name: 'mlp', hidden: [300, -3] };
      const errors = errorsOf(validate, c);
      expect(
        errors.some((e) => e.instancePath === '/model/encoder/hidden/1'),
        show(errors),
      ).toBe(true);
    });

    it('an unknown field of the run config, and an unknown tracker', async () => {
      const c = await base();
      (c['train'] as Record<string, unknown>)['epocs'] = 3;
      c['tracking'] = { mlflw: {} };
      const errors = errorsOf(validate, c);
      expect(errors).toContainEqual(expect.objectContaining({ instancePath: '/train', params: { additionalProperty: 'epocs' } }));
      expect(errors).toContainEqual(expect.objectContaining({ instancePath: '/tracking', params: { additionalProperty: 'mlflw' } }));
    });

    it('a complete config without a required section or a section’s name; a file with extends needs neither', async () => {
      const { data: _data, ...noData } = await base();
      expect(errorsOf(validate, noData)).toContainEqual(expect.objectContaining({ instancePath: '', params: { missingProperty: 'data' } }));
      const c = await base();
      model(c)['divergence'] = { beta: 2 };
      expect(errorsOf(validate, c)).toContainEqual(expect.objectContaining({ instancePath: '/model/divergence', params: { missingProperty: 'name' } }));
      expect(show(errorsOf(validate, { extends: 'mnist-vae.yaml', model: { divergence: { beta: 2 } } }))).toBe('');
    });

    it('an optimizer section without a name holds Adam’s options only', async () => {
      const c = await base();
      c['optimizer'] = { lr: 3e-4 };
      expect(show(errorsOf(validate, c))).toBe('');
      c['optimizer'] = { momentum: 0.9 };
      expect(errorsOf(validate, c).some((e) => e.instancePath === '/optimizer')).toBe(true);
    });
  });
});
