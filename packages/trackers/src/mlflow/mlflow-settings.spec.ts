import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@elbo/core';
import { mlflowOptionsSchema, type MlflowOptionsInput } from './mlflow-options.js';
import { resolveMlflowSettings } from './mlflow-settings.js';

const opts = (o: MlflowOptionsInput = {}) => mlflowOptionsSchema.parse(o);

describe('resolveMlflowSettings', () => {
  it('fills options in from the environment the official client reads; options win', () => {
    const env = {
      MLFLOW_TRACKING_URI: 'http://mlflow.example:5000/',
      MLFLOW_EXPERIMENT_NAME: 'from-env',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '30',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
      MLFLOW_TRACKING_INSECURE_TLS: 'true',
    };
    const s = resolveMlflowSettings(opts(), env);
    expect(s.trackingUri).toBe('http://mlflow.example:5000');
    expect(s.experiment).toEqual({ name: 'from-env' });
    expect(s.timeoutMs).toBe(30_000);
    expect(s.maxRetries).toBe(2);
    expect(s.tls.insecure).toBe(true);
    const o = resolveMlflowSettings(opts({ trackingUri: 'https://other/', experiment: 'vae-baselines', timeout: 5, maxRetries: 0 }), env);
    expect(o.trackingUri).toBe('https://other');
    expect(o.experiment).toEqual({ name: 'vae-baselines' });
    expect([o.timeoutMs, o.maxRetries]).toEqual([5000, 0]);
  });

  it('defaults like the official client: 120 s timeout, 7 retries, backoff 2 s, jitter 1 s', () => {
    const s = resolveMlflowSettings(opts(), { MLFLOW_TRACKING_URI: 'http://h:1' });
    expect([s.timeoutMs, s.maxRetries, s.backoffFactor, s.backoffJitter]).toEqual([120_000, 7, 2, 1]);
    expect(s.experiment).toBeUndefined();
    expect(s.credentials.kind).toBe('none');
  });

  it('an experiment id wins over a name, from options and from the environment', () => {
    const env = { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_EXPERIMENT_ID: '7', MLFLOW_EXPERIMENT_NAME: 'n' };
    expect(resolveMlflowSettings(opts(), env).experiment).toEqual({ id: '7' });
    expect(resolveMlflowSettings(opts({ experiment: 'x' }), env).experiment).toEqual({ name: 'x' });
    expect(resolveMlflowSettings(opts({ experiment: 'x', experimentId: '3' }), env).experiment).toEqual({ id: '3' });
  });

  it('no tracking URI anywhere, a non-http URI or credentials in the config are config errors', () => {
    expect(() => resolveMlflowSettings(opts(), {})).toThrow(ConfigError);
    expect(() => resolveMlflowSettings(opts(), {})).toThrow(/no MLflow tracking URI: set MLFLOW_TRACKING_URI/);
    expect(() => resolveMlflowSettings(opts({ trackingUri: 'sqlite:///mlflow.db' }), {})).toThrow(/sqlite: URIs are not supported/);
    expect(() => resolveMlflowSettings(opts({ trackingUri: 'http://u:secret@h:1' }), {})).toThrow(/credentials do not belong in a config/);
    expect(() => resolveMlflowSettings(opts(), { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' })).toThrow(
      /MLFLOW_HTTP_REQUEST_TIMEOUT: expected a positive number, got "soon"/,
    );
    expect(() => resolveMlflowSettings(opts(), { MLFLOW_TRACKING_URI: 'https://h:1', MLFLOW_TRACKING_SERVER_CERT_PATH: '/no/such/ca.pem' })).toThrow(
      'MLFLOW_TRACKING_SERVER_CERT_PATH: no such file: /no/such/ca.pem',
    );
  });

  it('basic credentials take precedence over a token; URL credentials from the environment become basic ones', () => {
    const both = resolveMlflowSettings(opts(), {
      MLFLOW_TRACKING_URI: 'http://h:1',
      MLFLOW_TRACKING_TOKEN: 'tok-123',
      MLFLOW_TRACKING_USERNAME: 'ann',
      MLFLOW_TRACKING_PASSWORD: 'pw-456',
    });
    expect(both.credentials.kind).toBe('basic');
    expect(both.credentials.authorization()).toBe(`Basic ${Buffer.from('ann:pw-456').toString('base64')}`);
    const token = resolveMlflowSettings(opts(), { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_TRACKING_TOKEN: 'tok-123' });
    expect(token.credentials.authorization()).toBe('Bearer tok-123');
    const inUrl = resolveMlflowSettings(opts(), { MLFLOW_TRACKING_URI: 'http://bob:p%40ss@h:1/' });
    expect(inUrl.trackingUri).toBe('http://h:1');
    expect(inUrl.credentials.authorization()).toBe(`Basic ${Buffer.from('bob:p@ss').toString('base64')}`);
  });

  it('never shows a secret: settings print and serialise without them, texts are redacted', () => {
    const s = resolveMlflowSettings(opts(), {
      MLFLOW_TRACKING_URI: 'http://h:1',
      MLFLOW_TRACKING_USERNAME: 'ann',
      MLFLOW_TRACKING_PASSWORD: 'pw-456',
      MLFLOW_TRACKING_TOKEN: 'tok-123',
    });
    for (const shown of [JSON.stringify(s), inspect(s, { depth: 5 }), String(s.credentials)]) {
      expect(shown).not.toContain('pw-456');
      expect(shown).not.toContain('tok-123');
      expect(shown).not.toContain(Buffer.from('ann:pw-456').toString('base64'));
    }
    expect(s.credentials.redact(`auth Basic ${Buffer.from('ann:pw-456').toString('base64')} / pw-456 / tok-123`)).toBe('auth Basic *** / *** / ***');
  });
});
